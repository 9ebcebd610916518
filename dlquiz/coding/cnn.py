"""CNN drills: conv2d forward and its output size, max-pool forward and backward, a residual block."""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

import numpy as np

from dlquiz.coding.spec import Case, CodeDrill, Functions, Mistake
from dlquiz.kernels.gradcheck import numeric_gradient


def conv_output_size(size, kernel, stride=1, padding=0):
    return (size + 2 * padding - kernel) // stride + 1


def conv2d_forward(x, w, b, stride=1, padding=0):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (width + 2 * padding - kw) // stride + 1
    y = np.empty((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            # cross-correlation, as every framework's "convolution": the kernel is not flipped
            y[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return y


def _conv(x, w, b, stride=1, padding=0, *, flip=False, one_side=False):
    if flip:
        w = w[:, :, ::-1, ::-1]
    if one_side:
        x = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))
        padding = 0
    return conv2d_forward(x, w, b, stride, padding)


def _size_off(size, kernel, stride=1, padding=0, *, variant):
    if variant == "no-plus-one":
        return (size + 2 * padding - kernel) // stride
    if variant == "one-side-padding":
        return (size + padding - kernel) // stride + 1
    return (size - kernel) // stride + 1  # padding ignored


def _conv_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for i in range(16):
        k = int(rng.choice([1, 2, 3]))
        stride, padding = int(rng.choice([1, 2])), int(rng.choice([0, 1, 2]))
        h, w = int(rng.integers(k, 8)), int(rng.integers(k, 7))  # non-square
        n, c, f = int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        out.append(
            {
                "x": rng.normal(size=(n, c, h, w)),
                "w": rng.normal(size=(f, c, k, k + (i % 2) if k + (i % 2) <= w else k)),
                "b": rng.normal(size=f),
                "stride": stride,
                "padding": padding,
                "sizes": _sizes(rng),
            }
        )
    return out


def _sizes(rng: np.random.Generator) -> list[tuple[int, int, int, int]]:
    """(size, kernel, stride, padding) tuples, odd and even, where the kernel fits the padded input."""
    out = []
    for _ in range(8):
        padding, stride = int(rng.integers(0, 4)), int(rng.integers(1, 4))
        size = int(rng.integers(5, 33))
        out.append((size, int(rng.integers(1, min(8, size + 2 * padding) + 1)), stride, padding))
    return out


def _conv_run(fns: Functions, c: Case) -> dict[str, Any]:
    sizes = [fns["conv_output_size"](s, k, st, p) for s, k, st, p in c["sizes"]]
    y = fns["conv2d_forward"](c["x"], c["w"], c["b"], c["stride"], c["padding"])
    return {"output sizes": np.array(sizes), "y": y}


_CONV = {"conv_output_size": conv_output_size, "conv2d_forward": conv2d_forward}

CONV2D = CodeDrill(
    id="conv2d",
    question="cnn-layers",
    functions=("conv_output_size", "conv2d_forward"),
    template='''
import numpy as np


def conv_output_size(size, kernel, stride=1, padding=0):
    """The output length along one axis of a convolution (an int)."""
    # TODO
    raise NotImplementedError


def conv2d_forward(x, w, b, stride=1, padding=0):
    """A 2-D convolution layer as deep-learning frameworks define it (naive loops are fine).

    x: (N, C, H, W); w: (F, C, KH, KW); b: (F,). Zero padding on every side.
    Returns y: (N, F, OH, OW).
    """
    # TODO
    raise NotImplementedError
''',
    reference=_CONV,
    cases=_conv_cases,
    run=_conv_run,
    solution=inspect.getsource(conv_output_size) + "\n\n" + inspect.getsource(conv2d_forward),
    difficulty=2,
    mistakes=(
        Mistake(
            "size-off-by-one",
            "the output size misses the + 1: it is ⌊(H + 2P − K)/S⌋ + 1",
            "输出尺寸少了 + 1：应为 ⌊(H + 2P − K)/S⌋ + 1",
            _CONV | {"conv_output_size": partial(_size_off, variant="no-plus-one")},
        ),
        Mistake(
            "padding-counted-once",
            "the padding is counted once: it is added on both sides (H + 2P)",
            "填充只算了一次：两侧都要加（H + 2P）",
            _CONV | {"conv_output_size": partial(_size_off, variant="one-side-padding")},
        ),
        Mistake(
            "kernel-flipped",
            "the kernel is flipped (true convolution): frameworks compute cross-correlation",
            "卷积核被翻转了（数学上的卷积）：深度学习框架计算的是互相关",
            _CONV | {"conv2d_forward": partial(_conv, flip=True)},
        ),
        Mistake(
            "padding-on-one-side",
            "all the padding is on the bottom and right: pad P on every side",
            "填充全加在了下方和右侧：每一侧都应填充 P",
            _CONV | {"conv2d_forward": partial(_conv, one_side=True)},
        ),
    ),
)


def maxpool_forward(x, size=2, stride=2):
    n, c, h, w = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    y = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            y[:, :, i, j] = x[:, :, i * stride : i * stride + size, j * stride : j * stride + size].max(
                axis=(2, 3)
            )
    return y, (x, size, stride)


def maxpool_backward(dy, cache):
    x, size, stride = cache
    dx = np.zeros_like(x)
    n, c, oh, ow = dy.shape
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride : i * stride + size, j * stride : j * stride + size]
            flat = window.reshape(n, c, -1)
            mask = np.zeros_like(flat)
            mask[np.arange(n)[:, None], np.arange(c)[None, :], flat.argmax(axis=2)] = (
                1  # only the max gets it
            )
            dx[:, :, i * stride : i * stride + size, j * stride : j * stride + size] += (
                mask.reshape(window.shape) * dy[:, :, i, j][:, :, None, None]
            )
    return dx


def _pool_backward(dy, cache, *, mode):
    x, size, stride = cache
    dx = np.zeros_like(x)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            share = dy[:, :, i, j][:, :, None, None] / (size * size if mode == "average" else 1)
            dx[:, :, i * stride : i * stride + size, j * stride : j * stride + size] += share
    return dx


def _pool_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for _ in range(20):
        size, stride = [(2, 2), (3, 1), (2, 1), (3, 2)][int(rng.integers(0, 4))]
        h, w = int(rng.integers(size, 8)), int(rng.integers(size, 7))
        x = rng.permutation(np.arange(2 * 3 * h * w, dtype=float)).reshape(2, 3, h, w)  # distinct: no ties
        oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
        out.append({"x": x / 10, "size": size, "stride": stride, "dy": rng.normal(size=(2, 3, oh, ow))})
    return out


def _pool_run(fns: Functions, c: Case) -> dict[str, Any]:
    y, cache = fns["maxpool_forward"](c["x"], c["size"], c["stride"])
    return {"y": y, "dx": fns["maxpool_backward"](c["dy"], cache)}


def _pool_gradients(fns: Functions, rng: np.random.Generator) -> list[tuple[str, Any, Any]]:
    c = _pool_cases(rng)[0]
    y, cache = fns["maxpool_forward"](c["x"].copy(), c["size"], c["stride"])
    dx = fns["maxpool_backward"](c["dy"].copy(), cache)
    numeric = numeric_gradient(
        lambda v: np.sum(fns["maxpool_forward"](v, c["size"], c["stride"])[0] * c["dy"]), c["x"]
    )
    return [("dx", dx, numeric)]


_POOL = {"maxpool_forward": maxpool_forward, "maxpool_backward": maxpool_backward}

MAXPOOL = CodeDrill(
    id="maxpool",
    question="cnn-layers",
    functions=("maxpool_forward", "maxpool_backward"),
    template='''
import numpy as np


def maxpool_forward(x, size=2, stride=2):
    """Max pooling of x (N, C, H, W) with a size×size window, no padding.

    Returns (y, cache): y is (N, C, OH, OW); cache is whatever your backward needs.
    """
    # TODO
    raise NotImplementedError


def maxpool_backward(dy, cache):
    """dx (N, C, H, W) for dy = dL/dy (N, C, OH, OW). Windows may overlap when stride < size."""
    # TODO
    raise NotImplementedError
''',
    reference=_POOL,
    cases=_pool_cases,
    run=_pool_run,
    gradients=_pool_gradients,
    solution=inspect.getsource(maxpool_forward) + "\n\n" + inspect.getsource(maxpool_backward),
    difficulty=2,
    mistakes=(
        Mistake(
            "gradient-to-every-element",
            "the gradient goes to every element of the window: only the maximum gets it (the others did not "
            "affect the output)",
            "梯度传给了窗口内的每个元素：只有最大值位置得到梯度（其他元素不影响输出）",
            _POOL | {"maxpool_backward": partial(_pool_backward, mode="every")},
        ),
        Mistake(
            "average-pool-gradient",
            "the gradient is spread evenly over the window, as in average pooling: "
            "max pooling routes it to the max",
            "梯度被均分到窗口内，这是平均池化的反向：最大池化只传给最大值",
            _POOL | {"maxpool_backward": partial(_pool_backward, mode="average")},
        ),
    ),
)


def residual_block_forward(x, W1, b1, W2, b2):
    h = np.maximum(0, x @ W1 + b1)
    return np.maximum(0, x + h @ W2 + b2)  # the original ResNet: ReLU after the addition


def _residual(x, W1, b1, W2, b2, *, mode):
    f = np.maximum(0, x @ W1 + b1) @ W2 + b2
    if mode == "relu-before-add":
        return x + np.maximum(0, f)
    if mode == "no-shortcut":
        return np.maximum(0, f)
    return np.maximum(0, x + np.maximum(0, x @ W1 + b1) @ W2)  # bias dropped


def _res_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for i in range(20):
        n, d, hidden = [(4, 3, 5), (1, 2, 2), (6, 4, 1)][i % 3]
        out.append(
            {
                "x": rng.normal(size=(n, d)),
                "W1": rng.normal(size=(d, hidden)),
                "b1": rng.normal(size=hidden),
                "W2": rng.normal(size=(hidden, d)),
                "b2": rng.normal(size=d),
            }
        )
    return out


RESIDUAL = CodeDrill(
    id="residual-block",
    question="cnn-resnet",
    functions=("residual_block_forward",),
    template='''
import numpy as np


def residual_block_forward(x, W1, b1, W2, b2):
    """A fully connected residual block as in the original ResNet, for x (N, D):

    F(x) = ReLU(x W1 + b1) W2 + b2, and the block's output is ReLU(x + F(x)).
    """
    # TODO
    raise NotImplementedError
''',
    reference={"residual_block_forward": residual_block_forward},
    cases=_res_cases,
    run=lambda fns, c: {"y": fns["residual_block_forward"](c["x"], c["W1"], c["b1"], c["W2"], c["b2"])},
    solution=inspect.getsource(residual_block_forward),
    difficulty=1,
    mistakes=(
        Mistake(
            "relu-before-addition",
            "the ReLU is applied to F(x) before the addition: "
            "the original block adds first, then applies ReLU",
            "ReLU 加在了 F(x) 上、在相加之前：原始残差块是先相加再 ReLU",
            {"residual_block_forward": partial(_residual, mode="relu-before-add")},
        ),
        Mistake(
            "no-shortcut",
            "the identity shortcut is missing: the block outputs ReLU(x + F(x))",
            "缺少恒等捷径：残差块输出 ReLU(x + F(x))",
            {"residual_block_forward": partial(_residual, mode="no-shortcut")},
        ),
    ),
)

DRILLS = (CONV2D, MAXPOOL, RESIDUAL)
