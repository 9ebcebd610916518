"""Reference kernels: small, documented NumPy functions that the demos run and the tests check.

Import them in a notebook as ``from dlquiz.kernels import adam, softmax_cross_entropy, ...``.
"""

from dlquiz.kernels.gradcheck import numeric_gradient, relative_error
from dlquiz.kernels.losses import (
    l1,
    log_softmax,
    logistic_regression,
    mse,
    sigmoid,
    sigmoid_binary_cross_entropy,
    smooth_l1,
    softmax,
    softmax_cross_entropy,
)
from dlquiz.kernels.optim import OPTIMIZERS, adadelta, adagrad, adam, momentum, nesterov, rmsprop, sgd

__all__ = [
    "OPTIMIZERS",
    "adadelta",
    "adagrad",
    "adam",
    "l1",
    "log_softmax",
    "logistic_regression",
    "momentum",
    "mse",
    "nesterov",
    "numeric_gradient",
    "relative_error",
    "rmsprop",
    "sgd",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "smooth_l1",
    "softmax",
    "softmax_cross_entropy",
]
