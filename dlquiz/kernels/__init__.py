"""Reference kernels: small, documented NumPy functions that the demos run and the tests check.

Import them in a notebook as ``from dlquiz.kernels import adam, softmax_cross_entropy, ...``.
"""

from dlquiz.kernels.batchnorm import (
    BatchNormCache,
    batchnorm_backward,
    batchnorm_backward_compact,
    batchnorm_eval,
    batchnorm_forward,
    update_running_stats,
)
from dlquiz.kernels.conv import (
    avg_pool2d,
    batchnorm_params,
    conv2d,
    conv2d_params,
    conv_output_size,
    linear_params,
    max_pool2d,
    receptive_fields,
)
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
    # batch norm and convolution (helper B)
    "BatchNormCache",
    "avg_pool2d",
    "batchnorm_backward",
    "batchnorm_backward_compact",
    "batchnorm_eval",
    "batchnorm_forward",
    "batchnorm_params",
    "conv2d",
    "conv2d_params",
    "conv_output_size",
    "linear_params",
    "max_pool2d",
    "receptive_fields",
    "update_running_stats",
]
