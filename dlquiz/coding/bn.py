"""Batch-norm drills: forward and backward on (N, D), the NCHW forward, running statistics."""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

import numpy as np

from dlquiz.coding.spec import Case, CodeDrill, Functions, Mistake
from dlquiz.kernels.gradcheck import numeric_gradient

# --- forward and backward on (N, D) --------------------------------------------------------------------


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)  # biased: divided by N, as in training mode
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, std, gamma)


def batchnorm_backward(dy, cache):
    x_hat, std, gamma = cache
    n = dy.shape[0]
    dbeta = dy.sum(axis=0)
    dgamma = (dy * x_hat).sum(axis=0)
    # the three paths from x (direct, through the mean, through the variance) in one line
    dx = gamma / (n * std) * (n * dy - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def _forward(x, gamma, beta, eps=1e-5, *, ddof=0, axis=0, eps_outside=False):
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True)
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, std, gamma)


def _backward_no_variance_path(dy, cache):
    x_hat, std, gamma = cache
    return gamma / std * (dy - dy.mean(axis=0)), (dy * x_hat).sum(axis=0), dy.sum(axis=0)


def _backward_no_mean_path(dy, cache):
    x_hat, std, gamma = cache
    return gamma / std * (dy - x_hat * (dy * x_hat).mean(axis=0)), (dy * x_hat).sum(axis=0), dy.sum(axis=0)


def _backward_direct_only(dy, cache):
    x_hat, std, gamma = cache
    return gamma / std * dy, (dy * x_hat).sum(axis=0), dy.sum(axis=0)


def _backward_dgamma_from_dy(dy, cache):
    dx, _, dbeta = batchnorm_backward(dy, cache)
    return dx, dbeta.copy(), dbeta


def _bn_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [(8, 5), (1, 3), (16, 1), (4, 7), (32, 2)]
    cases = []
    for i in range(50):
        n, d = (
            shapes[i % len(shapes)]
            if i < len(shapes)
            else (int(rng.integers(2, 20)), int(rng.integers(1, 9)))
        )
        scale = 10.0 ** rng.uniform(-2, 1)  # small variances make ε matter, so ε mistakes show
        cases.append(
            {
                "x": rng.normal(rng.normal(), scale, size=(n, d)),
                "gamma": rng.normal(1, 0.5, size=d),
                "beta": rng.normal(0, 0.5, size=d),
                "dy": rng.normal(size=(n, d)),
                "eps": float(rng.choice([1e-5, 1e-3, 1e-2])),
            }
        )
    return cases


def _bn_run(fns: Functions, c: Case) -> dict[str, Any]:
    y, cache = fns["batchnorm_forward"](c["x"], c["gamma"], c["beta"], c["eps"])
    dx, dgamma, dbeta = fns["batchnorm_backward"](c["dy"], cache)
    return {"y": y, "dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def _bn_gradients(fns: Functions, rng: np.random.Generator) -> list[tuple[str, Any, Any]]:
    x, gamma, beta, dy = (
        rng.normal(size=(6, 4)),
        rng.normal(1, 0.3, 4),
        rng.normal(size=4),
        rng.normal(size=(6, 4)),
    )
    forward = fns["batchnorm_forward"]
    _, cache = forward(x.copy(), gamma.copy(), beta.copy(), 1e-5)
    dx, dgamma, dbeta = fns["batchnorm_backward"](dy.copy(), cache)

    def loss(**kw: Any) -> float:
        args = {"x": x, "gamma": gamma, "beta": beta} | kw
        return float(np.sum(forward(args["x"], args["gamma"], args["beta"], 1e-5)[0] * dy))

    return [
        ("dx", dx, numeric_gradient(lambda v: loss(x=v), x)),
        ("dgamma", dgamma, numeric_gradient(lambda v: loss(gamma=v), gamma)),
        ("dbeta", dbeta, numeric_gradient(lambda v: loss(beta=v), beta)),
    ]


def _with(**overrides: Any) -> Functions:
    return {"batchnorm_forward": batchnorm_forward, "batchnorm_backward": batchnorm_backward} | overrides


BN_TEMPLATE = '''
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Training-mode batch norm of x (N, D); gamma and beta have shape (D,).

    Returns (y, cache): y has shape (N, D); cache is whatever your backward needs.
    """
    # TODO: batch mean and (biased) variance per feature, normalize, scale and shift
    raise NotImplementedError


def batchnorm_backward(dy, cache):
    """Gradients of the loss for dy = dL/dy (N, D): returns (dx, dgamma, dbeta)."""
    # TODO: three paths from x to the loss: direct, through the mean, through the variance
    raise NotImplementedError
'''

BN_BACKWARD = CodeDrill(
    id="bn-backward",
    question="bn-backward",
    functions=("batchnorm_forward", "batchnorm_backward"),
    template=BN_TEMPLATE,
    reference=_with(),
    cases=_bn_cases,
    run=_bn_run,
    gradients=_bn_gradients,
    solution=inspect.getsource(batchnorm_forward) + "\n\n" + inspect.getsource(batchnorm_backward),
    difficulty=3,
    mistakes=(
        Mistake(
            "unbiased-variance",
            "the batch variance is unbiased (÷(N−1)); BN normalizes with the biased one (÷N) in training",
            "批方差用了无偏估计（除以 N−1）；训练时 BN 用有偏方差（除以 N）",
            _with(batchnorm_forward=partial(_forward, ddof=1)),
        ),
        Mistake(
            "wrong-axis",
            "the statistics are taken over the features of each example (axis 1); "
            "BN averages over the batch (axis 0)",
            "统计量是对每个样本的各个特征求的（axis 1）；BN 应对批维度求（axis 0）",
            _with(batchnorm_forward=partial(_forward, axis=1)),
        ),
        Mistake(
            "eps-outside-sqrt",
            "ε is added outside the square root: use √(σ² + ε), not √σ² + ε",
            "ε 加在了根号外面：应为 √(σ² + ε)，而不是 √σ² + ε",
            _with(batchnorm_forward=partial(_forward, eps_outside=True)),
        ),
        Mistake(
            "missing-variance-path",
            "the path through the variance is missing: your dx equals γ/σ·(dy − mean(dy))",
            "漏掉了经过方差的那条路径：你的 dx 等于 γ/σ·(dy − mean(dy))",
            _with(batchnorm_backward=_backward_no_variance_path),
        ),
        Mistake(
            "missing-mean-path",
            "the path through the mean is missing: subtract mean(dy) as well",
            "漏掉了经过均值的那条路径：还要减去 mean(dy)",
            _with(batchnorm_backward=_backward_no_mean_path),
        ),
        Mistake(
            "direct-path-only",
            "dx treats μ and σ as constants (γ/σ·dy): both the mean and the variance depend on x",
            "dx 把 μ 和 σ 当成了常数（γ/σ·dy）：均值和方差都依赖于 x",
            _with(batchnorm_backward=_backward_direct_only),
        ),
        Mistake(
            "dgamma-without-xhat",
            "dγ is Σ dy·x̂, not Σ dy (that is dβ)",
            "dγ 应为 Σ dy·x̂，而不是 Σ dy（那是 dβ）",
            _with(batchnorm_backward=_backward_dgamma_from_dy),
        ),
    ),
)


# --- the NCHW forward ------------------------------------------------------------------------------


def batchnorm_forward_nchw(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=(0, 2, 3), keepdims=True)  # one mean per channel, over N, H and W
    var = x.var(axis=(0, 2, 3), keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)


def _nchw(x, gamma, beta, eps=1e-5, *, axes=(0, 2, 3), ddof=0):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, ddof=ddof, keepdims=True)
    return gamma.reshape(1, -1, 1, 1) * (x - mu) / np.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)


def _nchw_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [(2, 3, 4, 5), (1, 2, 3, 3), (4, 1, 2, 6), (3, 5, 1, 1)]
    out = []
    for i in range(30):
        n, c, h, w = (
            shapes[i % len(shapes)] if i < len(shapes) else tuple(int(v) for v in rng.integers(1, 6, 4))
        )
        n = max(n, 2) if h * w == 1 else n
        out.append(
            {
                "x": rng.normal(rng.normal(), 10.0 ** rng.uniform(-1, 1), size=(n, c, h, w)),
                "gamma": rng.normal(1, 0.5, c),
                "beta": rng.normal(0, 0.5, c),
                "eps": 1e-5,
            }
        )
    return out


BN_NCHW = CodeDrill(
    id="bn-nchw",
    question="bn-implement",
    functions=("batchnorm_forward_nchw",),
    template='''
import numpy as np


def batchnorm_forward_nchw(x, gamma, beta, eps=1e-5):
    """Training-mode batch norm of a feature map x (N, C, H, W); gamma and beta have shape (C,).

    Returns y with the shape of x.
    """
    # TODO: one mean and one variance per channel: over which axes?
    raise NotImplementedError
''',
    reference={"batchnorm_forward_nchw": batchnorm_forward_nchw},
    cases=_nchw_cases,
    run=lambda fns, c: {"y": fns["batchnorm_forward_nchw"](c["x"], c["gamma"], c["beta"], c["eps"])},
    solution=inspect.getsource(batchnorm_forward_nchw),
    difficulty=1,
    mistakes=(
        Mistake(
            "per-position-statistics",
            "statistics over the batch only (axis 0), one per channel and position; a conv BN takes "
            "them per channel over N, H and W",
            "只在批维度（axis 0）上求统计量，每个通道的每个位置各一份；卷积层的 BN 应按通道在 N、H、W 上求",
            {"batchnorm_forward_nchw": partial(_nchw, axes=(0,))},
        ),
        Mistake(
            "instance-norm",
            "statistics per example and channel over H and W: that is instance normalization",
            "按样本和通道在 H、W 上求统计量：那是 Instance Normalization",
            {"batchnorm_forward_nchw": partial(_nchw, axes=(2, 3))},
        ),
        Mistake(
            "layer-norm",
            "statistics per example over C, H and W: that is layer normalization",
            "按样本在 C、H、W 上求统计量：那是 Layer Normalization",
            {"batchnorm_forward_nchw": partial(_nchw, axes=(1, 2, 3))},
        ),
        Mistake(
            "unbiased-variance",
            "the batch variance is unbiased (÷(m−1)); training-mode BN normalizes with ÷m",
            "批方差用了无偏估计（除以 m−1）；训练时 BN 用除以 m 的有偏方差",
            {"batchnorm_forward_nchw": partial(_nchw, ddof=1)},
        ),
    ),
)


# --- running statistics and inference ---------------------------------------------------------------


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    n = x.shape[0]
    batch_mean = x.mean(axis=0)
    batch_var = x.var(axis=0) * n / (n - 1)  # the running variance is unbiased (PyTorch)
    new_mean = (1 - momentum) * running_mean + momentum * batch_mean
    new_var = (1 - momentum) * running_var + momentum * batch_var
    return new_mean, new_var


def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta


def _running(running_mean, running_var, x, momentum=0.1, *, swap=False, ddof=1):
    batch_mean, batch_var = x.mean(axis=0), x.var(axis=0, ddof=ddof)
    keep, take = (momentum, 1 - momentum) if swap else (1 - momentum, momentum)
    return keep * running_mean + take * batch_mean, keep * running_var + take * batch_var


def _inference_with_batch_stats(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta


def _running_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for i in range(30):
        d = int(rng.integers(1, 6))
        batches = [
            rng.normal(rng.normal(2, 1), rng.uniform(0.5, 3), size=(int(rng.integers(2, 9)), d))
            for _ in range(4)
        ]
        out.append(
            {
                "running_mean": np.zeros(d),
                "running_var": np.ones(d),
                "batches": batches,
                "momentum": float(rng.choice([0.1, 0.01, 0.3])),
                "x": rng.normal(size=(1 + i % 3, d)),
                "gamma": rng.normal(1, 0.3, d),
                "beta": rng.normal(0, 0.3, d),
            }
        )
    return out


def _running_run(fns: Functions, c: Case) -> dict[str, Any]:
    mean, var = c["running_mean"], c["running_var"]
    for batch in c["batches"]:
        mean, var = fns["update_running_stats"](mean, var, batch, c["momentum"])
    y = fns["batchnorm_inference"](c["x"], c["gamma"], c["beta"], mean, var, 1e-5)
    return {"running_mean": mean, "running_var": var, "y": y}


_RUNNING = {"update_running_stats": update_running_stats, "batchnorm_inference": batchnorm_inference}

BN_RUNNING = CodeDrill(
    id="bn-running-stats",
    question="bn-train-vs-test",
    functions=("update_running_stats", "batchnorm_inference"),
    template='''
import numpy as np


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    """After a training batch x (N, D): return the new (running_mean, running_var), each (D,).

    PyTorch's convention: new = (1 − momentum)·old + momentum·batch statistic, with the unbiased
    batch variance (÷(N−1)) for the running variance.
    """
    # TODO
    raise NotImplementedError


def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """Inference-mode batch norm of x (N, D), N may be 1: uses the running statistics."""
    # TODO
    raise NotImplementedError
''',
    reference=_RUNNING,
    cases=_running_cases,
    run=_running_run,
    solution=inspect.getsource(update_running_stats) + "\n\n" + inspect.getsource(batchnorm_inference),
    difficulty=1,
    mistakes=(
        Mistake(
            "momentum-reversed",
            "momentum weights the old value: PyTorch's momentum=0.1 means 10% of the new batch statistic",
            "momentum 乘在了旧值上：PyTorch 的 momentum=0.1 表示新批次统计量占 10%",
            _RUNNING | {"update_running_stats": partial(_running, swap=True)},
        ),
        Mistake(
            "biased-running-variance",
            "the running variance uses the biased batch variance; PyTorch keeps the unbiased one (÷(N−1))",
            "滑动方差用了有偏的批方差；PyTorch 累积的是无偏方差（除以 N−1）",
            _RUNNING | {"update_running_stats": partial(_running, ddof=0)},
        ),
        Mistake(
            "batch-statistics-at-inference",
            "inference uses the test batch's own statistics: it must use the running ones, so one example "
            "gives the same output alone or in any batch",
            "推理时用了测试批次自身的统计量：应使用滑动统计量，这样单个样本无论单独还是在任何批次里输出都相同",
            _RUNNING | {"batchnorm_inference": _inference_with_batch_stats},
        ),
    ),
)

DRILLS = (BN_BACKWARD, BN_NCHW, BN_RUNNING)
