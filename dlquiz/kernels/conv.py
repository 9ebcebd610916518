r"""A small, clear NumPy 2-D convolution and pooling for NCHW arrays, and parameter-count helpers.

Convolution here is what deep-learning libraries call convolution (cross-correlation, no kernel flip):

.. math::

    y[n, f, i, j] = b[f] + \sum_{c \in \text{group}(f)} \sum_{u, v}
        w[f, c, u, v]\; x_{\text{pad}}[n, c, i S_h + u, j S_w + v]

The output size along one axis is :math:`\lfloor (W - K + 2P) / S \rfloor + 1`. These are reference
implementations for demos and tests, written for clarity, not speed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

Array = NDArray[np.floating]


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: ``floor((size + 2*padding - dilation*(kernel-1) - 1) / stride) + 1``.

    With ``dilation=1`` this is the familiar ``floor((W - K + 2P) / S) + 1``.
    """
    effective = dilation * (kernel - 1) + 1
    if size + 2 * padding < effective:
        raise ValueError(f"kernel {kernel} (dilation {dilation}) does not fit in {size} + 2*{padding}")
    return (size + 2 * padding - effective) // stride + 1


def _windows(x: Array, kernel: tuple[int, int], stride: tuple[int, int]) -> Array:
    """All (kh, kw) windows of x (N, C, H, W) at the given stride: shape (N, C, OH, OW, kh, kw)."""
    return sliding_window_view(x, kernel, axis=(2, 3))[:, :, :: stride[0], :: stride[1]]


def conv2d(
    x: Array,
    w: Array,
    b: Array | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    groups: int = 1,
) -> Array:
    """2-D convolution of ``x`` (N, C, H, W) with ``w`` (F, C // groups, KH, KW) and bias ``b`` (F,).

    Zero padding. With ``groups=g`` the input channels and the filters are split into g equal groups and
    group k of filters sees only group k of channels (``groups=C=F`` is a depthwise convolution).
    """
    x, w = np.asarray(x), np.asarray(w)
    n, c, _, _ = x.shape
    f, c_per_group, kh, kw = w.shape
    if c % groups or f % groups or c // groups != c_per_group:
        raise ValueError(f"channels do not match: x has {c}, w expects {c_per_group} x {groups} groups")
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = _windows(x_pad, (kh, kw), (sh, sw))  # (N, C, OH, OW, KH, KW)
    oh, ow = win.shape[2], win.shape[3]
    win = win.reshape(n, groups, c_per_group, oh, ow, kh, kw)
    wg = w.reshape(groups, f // groups, c_per_group, kh, kw)
    out = np.einsum("ngchwuv,gfcuv->ngfhw", win, wg, optimize=True).reshape(n, f, oh, ow)
    if b is not None:
        out = out + np.asarray(b)[None, :, None, None]
    return out


def max_pool2d(
    x: Array,
    kernel: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Array:
    """Max pooling over (kernel) windows of x (N, C, H, W); stride defaults to the kernel size.

    Padding is with -inf, so a padded position never wins (as in PyTorch).
    """
    k = _pair(kernel)
    s = k if stride is None else _pair(stride)
    ph, pw = _pair(padding)
    x_pad = np.pad(np.asarray(x), ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    return _windows(x_pad, k, s).max(axis=(4, 5))


def avg_pool2d(
    x: Array,
    kernel: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Array:
    """Average pooling over (kernel) windows of x (N, C, H, W); zero padding counts in the average."""
    k = _pair(kernel)
    s = k if stride is None else _pair(stride)
    ph, pw = _pair(padding)
    x_pad = np.pad(np.asarray(x), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return _windows(x_pad, k, s).mean(axis=(4, 5))


def conv2d_params(
    c_in: int, c_out: int, kernel: int | tuple[int, int], groups: int = 1, bias: bool = True
) -> int:
    """Learned parameters of a conv layer: ``c_out * (c_in / groups) * kh * kw`` (+ ``c_out`` biases)."""
    kh, kw = _pair(kernel)
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    return c_out * (c_in // groups) * kh * kw + (c_out if bias else 0)


def linear_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """Learned parameters of a fully connected layer: ``n_in * n_out`` (+ ``n_out`` biases)."""
    return n_in * n_out + (n_out if bias else 0)


def batchnorm_params(channels: int) -> int:
    """Learned parameters of a batch-norm layer: gamma and beta, one pair per channel (buffers excluded)."""
    return 2 * channels


def receptive_fields(layers: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Receptive field and jump (input pixels per output step) after each ``(kernel, stride)`` layer.

    ``r_l = r_{l-1} + (k_l - 1) * j_{l-1}`` and ``j_l = j_{l-1} * s_l``, starting from ``r_0 = j_0 = 1``
    (dilation 1; padding changes where the field sits, not its size).
    """
    r, j = 1, 1
    out = []
    for kernel, stride in layers:
        r += (kernel - 1) * j
        j *= stride
        out.append((r, j))
    return out
