"""Loss drills: softmax cross-entropy, sigmoid BCE with logits, multi-label BCE, smooth L1, a
logistic-regression step. Each returns the loss (a batch mean) and its gradient."""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

import numpy as np

from dlquiz.coding.spec import Case, CodeDrill, Functions, Mistake, function_template
from dlquiz.kernels.gradcheck import numeric_gradient


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)  # exp never overflows
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), labels].mean()
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), labels] -= 1
    return loss, dlogits / n


def sigmoid_bce_with_logits(logits, targets):
    # log(1 + e^z) − y·z, written so that no exp overflows: max(z, 0) + log(1 + e^−|z|)
    loss = np.maximum(logits, 0) - targets * logits + np.log1p(np.exp(-np.abs(logits)))
    p = np.exp(-np.logaddexp(0, -logits))  # σ(z) without overflow
    return loss.mean(), (p - targets) / logits.size


def multilabel_bce(logits, targets):
    loss = np.maximum(logits, 0) - targets * logits + np.log1p(np.exp(-np.abs(logits)))
    p = np.exp(-np.logaddexp(0, -logits))
    return loss.mean(), (p - targets) / logits.size  # mean over every (example, label) pair


def smooth_l1(pred, target, beta=1.0):
    d = pred - target
    small = np.abs(d) < beta
    loss = np.where(small, 0.5 * d * d / beta, np.abs(d) - 0.5 * beta)
    grad = np.where(small, d / beta, np.sign(d))
    return loss.mean(), grad / d.size


def logistic_regression_step(w, b, X, y, lr=0.1, l2=0.0):
    m = X.shape[0]
    z = X @ w + b
    p = np.exp(-np.logaddexp(0, -z))
    loss = np.mean(np.logaddexp(0, z) - y * z) + 0.5 * l2 * np.sum(w * w)  # the bias is not penalized
    dw = X.T @ (p - y) / m + l2 * w
    db = np.mean(p - y)
    return w - lr * dw, b - lr * db, loss


# --- mistakes --------------------------------------------------------------------------------------


def _softmax_ce(logits, labels, *, shift=True, reduce="mean", grad_mean=True, subtract=True):
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True) if shift else logits
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    losses = -np.log(p[np.arange(n), labels])
    d = p.copy()
    if subtract:
        d[np.arange(n), labels] -= 1
    if reduce == "sum":
        return losses.sum(), d
    return losses.mean(), d / n if grad_mean else d


def _bce(logits, targets, *, naive=False, reduce="mean", sign=1.0):
    if naive:
        p = 1 / (1 + np.exp(-logits))
        loss = -(targets * np.log(p) + (1 - targets) * np.log(1 - p))
    else:
        loss = np.maximum(logits, 0) - targets * logits + np.log1p(np.exp(-np.abs(logits)))
        p = np.exp(-np.logaddexp(0, -logits))
    grad = sign * (p - targets)
    if reduce == "sum":
        return loss.sum(), grad
    if reduce == "rows":
        return loss.sum(axis=-1).mean(), grad / logits.shape[0]
    return loss.mean(), grad / logits.size


def _multilabel_softmax(logits, targets):
    n = logits.shape[0]
    q = targets / np.maximum(targets.sum(axis=1, keepdims=True), 1)
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -(q * log_p).sum() / n, (np.exp(log_p) * q.sum(axis=1, keepdims=True) - q) / n


def _smooth_l1(pred, target, beta=1.0, *, boundary_one=False, divide=True, reduce="mean"):
    d = pred - target
    small = np.abs(d) < (1.0 if boundary_one else beta)
    quad = 0.5 * d * d / beta if divide else 0.5 * d * d
    loss = np.where(small, quad, np.abs(d) - 0.5 * beta)
    grad = np.where(small, d / beta if divide else d, np.sign(d))
    if reduce == "sum":
        return loss.sum(), grad
    return loss.mean(), grad / d.size


def _logreg(w, b, X, y, lr=0.1, l2=0.0, *, reg_bias=False, no_mean=False, ascent=False):
    m = X.shape[0]
    z = X @ w + b
    p = np.exp(-np.logaddexp(0, -z))
    loss = np.mean(np.logaddexp(0, z) - y * z) + 0.5 * l2 * (np.sum(w * w) + (b * b if reg_bias else 0))
    dw = X.T @ (p - y) / (1 if no_mean else m) + l2 * w
    db = np.sum(p - y) / (1 if no_mean else m) + (l2 * b if reg_bias else 0)
    s = -1 if ascent else 1
    return w - s * lr * dw, b - s * lr * db, loss


# --- cases and runs --------------------------------------------------------------------------------


def _ce_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for i in range(40):
        n, c = (
            [(4, 3), (1, 5), (7, 2), (3, 10)][i % 4]
            if i < 8
            else (int(rng.integers(1, 9)), int(rng.integers(2, 8)))
        )
        out.append(
            {"logits": rng.normal(0, 10.0 ** rng.uniform(-1, 1), (n, c)), "labels": rng.integers(0, c, n)}
        )
    return out


def _ce_extreme(rng: np.random.Generator) -> list[Case]:
    return [
        {"logits": np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]]), "labels": np.array([0, 2])},
        {"logits": rng.normal(0, 1, (3, 4)) + 800.0, "labels": np.array([1, 3, 0])},
    ]


def _bce_cases(rng: np.random.Generator, multi: bool = False) -> list[Case]:
    out = []
    for i in range(40):
        shape = [(4, 3), (1, 5), (6, 1), (3, 7)][i % 4] if multi else [(6,), (1,), (4, 3), (2, 5)][i % 4]
        out.append(
            {
                "logits": rng.normal(0, 10.0 ** rng.uniform(-1, 1), shape),
                "targets": rng.integers(0, 2, shape).astype(float),
            }
        )
    return out


def _bce_extreme(rng: np.random.Generator, multi: bool = False) -> list[Case]:
    logits = np.array([[1000.0, -1000.0, 50.0], [-800.0, 800.0, -50.0]])
    targets = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    return (
        [{"logits": logits, "targets": targets}]
        if multi
        else [{"logits": logits.ravel(), "targets": targets.ravel()}]
    )


def _loss_run(name: str, *args: str):
    def run(fns: Functions, c: Case) -> dict[str, Any]:
        loss, grad = fns[name](*(c[a] for a in args))
        return {"loss": loss, "gradient": grad}

    return run


def _loss_gradients(name: str, *args: str, cases: Any):
    def gradients(fns: Functions, rng: np.random.Generator) -> list[tuple[str, Any, Any]]:
        c = cases(rng)[2]
        first = c[args[0]]
        _, grad = fns[name](*(c[a] for a in args))
        numeric = numeric_gradient(lambda v: fns[name](v, *(c[a] for a in args[1:]))[0], first)
        return [("the gradient", grad, numeric)]

    return gradients


SOFTMAX_CE = CodeDrill(
    id="softmax-ce",
    question="loss-ce-vs-mse",
    functions=("softmax_cross_entropy",),
    template=function_template(
        "softmax_cross_entropy(logits, labels)",
        "Softmax cross-entropy for logits (N, C) and integer labels (N,).\n\n"
        "    Returns (loss, dlogits): the mean loss over the batch and its gradient (N, C).\n"
        "    It must stay finite for logits of ±1000.",
        "a numerically stable log-softmax, then the loss and p − onehot",
    ),
    reference={"softmax_cross_entropy": softmax_cross_entropy},
    cases=_ce_cases,
    run=_loss_run("softmax_cross_entropy", "logits", "labels"),
    gradients=_loss_gradients("softmax_cross_entropy", "logits", "labels", cases=_ce_cases),
    extreme=_ce_extreme,
    solution=inspect.getsource(softmax_cross_entropy),
    difficulty=2,
    mistakes=(
        Mistake(
            "no-max-subtraction",
            "softmax without subtracting the max: exp(1000) overflows to inf and the loss becomes nan",
            "softmax 之前没有减去最大值：exp(1000) 溢出为 inf，损失变成 nan",
            {"softmax_cross_entropy": partial(_softmax_ce, shift=False)},
        ),
        Mistake(
            "summed-not-averaged",
            "the loss is summed over the batch; it should be the mean (and the gradient divided by N)",
            "损失对批次求和了；应取平均（梯度也要除以 N）",
            {"softmax_cross_entropy": partial(_softmax_ce, reduce="sum")},
        ),
        Mistake(
            "gradient-not-averaged",
            "the loss is a mean but the gradient is not divided by N",
            "损失取了平均，梯度却没有除以 N",
            {"softmax_cross_entropy": partial(_softmax_ce, grad_mean=False)},
        ),
        Mistake(
            "gradient-missing-onehot",
            "the gradient is softmax(z) alone: subtract 1 at the true class (p − y)",
            "梯度只写了 softmax(z)：真实类别处还要减 1（p − y）",
            {"softmax_cross_entropy": partial(_softmax_ce, subtract=False)},
        ),
    ),
)

_bce_mistakes = (
    ("log-of-sigmoid",
     "the loss is computed as log(sigmoid(z)): it overflows to inf/nan for large |z|; use "
     "max(z, 0) − y·z + log(1 + e^−|z|)",
     "损失按 log(sigmoid(z)) 计算：|z| 很大时溢出成 inf/nan；应写成 max(z, 0) − y·z + log(1 + e^−|z|)",
     {"naive": True}),
    ("summed-not-averaged", "the loss is summed; it should be the mean over every element",
     "损失求和了；应对所有元素取平均", {"reduce": "sum"}),
    ("gradient-sign", "the gradient has the wrong sign: it is σ(z) − y", "梯度符号反了：应为 σ(z) − y",
     {"sign": -1.0}),
)  # fmt: skip

SIGMOID_BCE = CodeDrill(
    id="sigmoid-bce",
    question="loss-ce-vs-mse",
    functions=("sigmoid_bce_with_logits",),
    template=function_template(
        "sigmoid_bce_with_logits(logits, targets)",
        "Binary cross-entropy on logits z (any shape) with targets y in {0, 1}.\n\n"
        "    Returns (loss, dlogits): the mean over all elements and its gradient.\n"
        "    It must stay finite for logits of ±1000.",
        "a stable form of log(1 + e^z) − y·z, and the gradient σ(z) − y",
    ),
    reference={"sigmoid_bce_with_logits": sigmoid_bce_with_logits},
    cases=_bce_cases,
    run=_loss_run("sigmoid_bce_with_logits", "logits", "targets"),
    gradients=_loss_gradients("sigmoid_bce_with_logits", "logits", "targets", cases=_bce_cases),
    extreme=_bce_extreme,
    solution=inspect.getsource(sigmoid_bce_with_logits),
    difficulty=2,
    mistakes=tuple(
        Mistake(i, en, zh, {"sigmoid_bce_with_logits": partial(_bce, **kw)})
        for i, en, zh, kw in _bce_mistakes
    ),
)

MULTILABEL_BCE = CodeDrill(
    id="multilabel-bce",
    question="loss-multilabel",
    functions=("multilabel_bce",),
    template=function_template(
        "multilabel_bce(logits, targets)",
        "Multi-label loss for logits (N, C) and multi-hot targets (N, C): an independent sigmoid and\n"
        "    binary cross-entropy per label. Returns (loss, dlogits): the mean over all N·C entries.",
        "one sigmoid BCE per (example, label), averaged over every entry",
    ),
    reference={"multilabel_bce": multilabel_bce},
    cases=partial(_bce_cases, multi=True),
    run=_loss_run("multilabel_bce", "logits", "targets"),
    gradients=_loss_gradients("multilabel_bce", "logits", "targets", cases=partial(_bce_cases, multi=True)),
    extreme=partial(_bce_extreme, multi=True),
    solution=inspect.getsource(multilabel_bce),
    difficulty=1,
    mistakes=(
        Mistake(
            "softmax-over-labels",
            "a softmax over the labels makes them compete (they sum to 1); "
            "multi-label needs one sigmoid per label",
            "对标签做了 softmax，使它们互相竞争（和为 1）；多标签要对每个标签单独做 sigmoid",
            {"multilabel_bce": _multilabel_softmax},
        ),
        Mistake(
            "summed-over-labels",
            "the loss is summed over labels and averaged over examples; "
            "this drill asks for the mean over all N·C entries (PyTorch's BCEWithLogitsLoss default)",
            "损失对标签求和、对样本取平均；"
            "本题要求对全部 N·C 个元素取平均（PyTorch BCEWithLogitsLoss 的默认）",
            {"multilabel_bce": partial(_bce, reduce="rows")},
        ),
        Mistake(
            "log-of-sigmoid",
            "log(sigmoid(z)) overflows for large |z|: use the stable form max(z, 0) − y·z + log(1 + e^−|z|)",
            "log(sigmoid(z)) 在 |z| 很大时溢出：应使用稳定形式 max(z, 0) − y·z + log(1 + e^−|z|)",
            {"multilabel_bce": partial(_bce, naive=True)},
        ),
    ),
)


def _l1_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for i in range(40):
        shape = [(6,), (1,), (3, 4)][i % 3]
        beta = float(rng.choice([1.0, 0.5, 2.0, 1 / 9]))
        d = rng.normal(0, 2 * beta, shape)
        target = rng.normal(size=shape)
        out.append({"pred": target + d, "target": target, "beta": beta})
    return out


SMOOTH_L1 = CodeDrill(
    id="smooth-l1",
    question="loss-smooth-l1",
    functions=("smooth_l1",),
    template=function_template(
        "smooth_l1(pred, target, beta=1.0)",
        "Smooth L1 loss with PyTorch's β: 0.5·d²/β where |d| < β, else |d| − 0.5·β (d = pred − target).\n\n"
        "    Returns (loss, dpred): the mean over all elements and its gradient.",
        "the two pieces, and a gradient that is d/β inside and sign(d) outside",
    ),
    reference={"smooth_l1": smooth_l1},
    cases=_l1_cases,
    run=lambda fns, c: dict(
        zip(("loss", "gradient"), fns["smooth_l1"](c["pred"], c["target"], c["beta"]), strict=True)
    ),
    gradients=_loss_gradients("smooth_l1", "pred", "target", "beta", cases=_l1_cases),
    solution=inspect.getsource(smooth_l1),
    difficulty=1,
    mistakes=(
        Mistake(
            "boundary-at-one",
            "the switch between the pieces is at |d| = 1 whatever β is: it must be at |d| = β",
            "分段点固定在 |d| = 1，与 β 无关：分段点应在 |d| = β",
            {"smooth_l1": partial(_smooth_l1, boundary_one=True)},
        ),
        Mistake(
            "quadratic-not-divided-by-beta",
            "the quadratic piece is 0.5·d² (and its gradient d): "
            "with β it is 0.5·d²/β, so the pieces meet at |d| = β",
            "二次段写成了 0.5·d²（梯度 d）：带 β 时应为 0.5·d²/β，两段才能在 |d| = β 处衔接",
            {"smooth_l1": partial(_smooth_l1, divide=False)},
        ),
        Mistake(
            "summed-not-averaged",
            "the loss is summed; it should be the mean over every element",
            "损失求和了；应对所有元素取平均",
            {"smooth_l1": partial(_smooth_l1, reduce="sum")},
        ),
    ),
)


def _logreg_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for i in range(30):
        m, d = [(8, 3), (1, 2), (20, 1), (5, 6)][i % 4]
        out.append(
            {
                "w": rng.normal(size=d),
                "b": float(rng.normal()),
                "X": rng.normal(size=(m, d)),
                "y": rng.integers(0, 2, m).astype(float),
                "lr": 0.1,
                "l2": float(rng.choice([0.0, 0.1, 1.0])),
            }
        )
    return out


def _logreg_run(fns: Functions, c: Case) -> dict[str, Any]:
    w, b, loss = fns["logistic_regression_step"](c["w"], c["b"], c["X"], c["y"], c["lr"], c["l2"])
    return {"w": w, "b": b, "loss": loss}


LOGREG = CodeDrill(
    id="logreg-step",
    question="loss-logistic-regression",
    functions=("logistic_regression_step",),
    template=function_template(
        "logistic_regression_step(w, b, X, y, lr=0.1, l2=0.0)",
        "One gradient-descent step of L2-regularized logistic regression; X is (m, d), y in {0, 1}.\n\n"
        "    loss = mean BCE of σ(Xw + b) + (l2/2)·‖w‖² (the bias is not penalized).\n"
        "    Returns (w, b, loss) with the loss at the weights you were given.",
        "p = σ(Xw + b); dw = Xᵀ(p − y)/m + l2·w; db = mean(p − y)",
    ),
    reference={"logistic_regression_step": logistic_regression_step},
    cases=_logreg_cases,
    run=_logreg_run,
    solution=inspect.getsource(logistic_regression_step),
    difficulty=1,
    mistakes=(
        Mistake(
            "bias-regularized",
            "the bias is penalized too: L2 regularization applies to w only",
            "对偏置也做了正则：L2 正则只作用于 w",
            {"logistic_regression_step": partial(_logreg, reg_bias=True)},
        ),
        Mistake(
            "gradient-not-averaged",
            "the gradient is Xᵀ(p − y) without dividing by m, while the loss is a mean",
            "梯度写成 Xᵀ(p − y) 没有除以 m，而损失是平均值",
            {"logistic_regression_step": partial(_logreg, no_mean=True)},
        ),
        Mistake(
            "gradient-ascent",
            "the step goes up the gradient: subtract lr·dw",
            "沿梯度上升了：应减去 lr·dw",
            {"logistic_regression_step": partial(_logreg, ascent=True)},
        ),
    ),
)

DRILLS = (SOFTMAX_CE, SIGMOID_BCE, MULTILABEL_BCE, SMOOTH_L1, LOGREG)
