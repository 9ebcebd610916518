r"""Batch normalization for a batch of feature vectors ``x`` of shape (N, D), training mode.

Forward, per feature (column) over the N examples of the batch:

.. math::

    \mu = \frac1N \sum_i x_i,\qquad
    \sigma^2 = \frac1N \sum_i (x_i - \mu)^2 \ \text{(biased)},\qquad
    \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \varepsilon}},\qquad
    y_i = \gamma \hat x_i + \beta .

Backward, with :math:`g_i = \partial L / \partial y_i`:

.. math::

    \frac{\partial L}{\partial \beta} = \sum_i g_i,\qquad
    \frac{\partial L}{\partial \gamma} = \sum_i g_i \hat x_i,\qquad
    \frac{\partial L}{\partial x_i} = \frac{\gamma}{N\sqrt{\sigma^2+\varepsilon}}
        \Big(N g_i - \sum_j g_j - \hat x_i \sum_j g_j \hat x_j\Big).

For a convolutional feature map (N, C, H, W) the statistics are per channel over N, H and W: move the
channel axis last and reshape to (N·H·W, C).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


@dataclass(frozen=True)
class BatchNormCache:
    """What the backward pass needs from the forward pass (every intermediate of the graph)."""

    x_centered: Array  # x - mu, shape (N, D)
    var: Array  # biased batch variance, shape (D,)
    std: Array  # sqrt(var + eps), shape (D,)
    x_hat: Array  # normalized input, shape (N, D)
    gamma: Array  # shape (D,)
    eps: float


def batchnorm_forward(x: Array, gamma: Array, beta: Array, eps: float = 1e-5) -> tuple[Array, BatchNormCache]:
    """Training-mode batch norm of ``x`` (N, D) with scale ``gamma`` (D,) and shift ``beta`` (D,).

    Returns ``(out, cache)``; ``out = gamma * (x - mu) / sqrt(var + eps) + beta`` with the batch mean
    ``mu`` and the biased batch variance ``var`` (divided by N, as in the paper and in PyTorch's training
    mode).
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"batchnorm_forward expects x of shape (N, D), got {x.shape}")
    mu = x.mean(axis=0)
    x_centered = x - mu
    var = np.mean(x_centered**2, axis=0)
    std = np.sqrt(var + eps)
    x_hat = x_centered / std
    out = gamma * x_hat + beta
    return out, BatchNormCache(x_centered, var, std, x_hat, np.asarray(gamma), eps)


def batchnorm_backward(dout: Array, cache: BatchNormCache) -> tuple[Array, Array, Array]:
    """Backward pass staged along the computation graph; returns ``(dx, dgamma, dbeta)``.

    Each line undoes one node of the forward graph, so the three paths from ``x`` to the loss (direct,
    through the mean and through the variance) appear one by one.
    """
    n = dout.shape[0]
    xc, std, x_hat, gamma = cache.x_centered, cache.std, cache.x_hat, cache.gamma

    # y = gamma * x_hat + beta
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    # x_hat = xc * inv_std
    inv_std = 1.0 / std
    dinv_std = np.sum(dx_hat * xc, axis=0)
    dxc = dx_hat * inv_std
    # inv_std = 1 / std, std = sqrt(var + eps)
    dstd = -dinv_std / std**2
    dvar = 0.5 * dstd / std
    # var = mean(xc ** 2): the path through the variance
    dxc = dxc + (2.0 / n) * xc * dvar
    # xc = x - mu, mu = mean(x): the path through the mean
    dmu = -dxc.sum(axis=0)
    dx = dxc + dmu / n
    return dx, dgamma, dbeta


def batchnorm_backward_compact(dout: Array, cache: BatchNormCache) -> tuple[Array, Array, Array]:
    r"""The same gradients from the simplified formula

    :math:`dx = \frac{\gamma}{N\sigma}\,(N\,g - \sum g - \hat x \sum g\hat x)` with
    :math:`\sigma = \sqrt{\sigma^2_B + \varepsilon}`.
    """
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * cache.x_hat, axis=0)
    dx = (cache.gamma / (n * cache.std)) * (n * dout - dbeta - cache.x_hat * dgamma)
    return dx, dgamma, dbeta


def batchnorm_eval(
    x: Array,
    gamma: Array,
    beta: Array,
    running_mean: Array,
    running_var: Array,
    eps: float = 1e-5,
) -> Array:
    """Evaluation-mode batch norm: a fixed per-feature affine map using the running statistics.

    Works on any shape whose last axis is the feature axis (move channels last for NCHW).
    """
    return gamma * (np.asarray(x) - running_mean) / np.sqrt(running_var + eps) + beta


def update_running_stats(
    running_mean: Array, running_var: Array, x: Array, momentum: float = 0.1
) -> tuple[Array, Array]:
    """One exponential-moving-average update from the batch ``x`` (N, D), PyTorch convention.

    ``new = (1 - momentum) * old + momentum * batch``; the batch variance here is the *unbiased* one
    (divided by N - 1), as in the paper and PyTorch, while the normalization itself uses the biased one.
    """
    x = np.asarray(x)
    if x.shape[0] < 2:
        raise ValueError("an unbiased batch variance needs at least 2 examples")
    batch_mean = x.mean(axis=0)
    batch_var = x.var(axis=0, ddof=1)
    new_mean = (1.0 - momentum) * running_mean + momentum * batch_mean
    new_var = (1.0 - momentum) * running_var + momentum * batch_var
    return new_mean, new_var
