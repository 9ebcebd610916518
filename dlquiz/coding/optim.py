"""Optimizer drills: one step of momentum, Nesterov, AdaGrad, RMSProp and Adam, state carried across
steps (each case runs several steps, feeding back what the function returned)."""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

import numpy as np

from dlquiz.coding.spec import Case, CodeDrill, Functions, Mistake, function_template

STEPS = 6


def momentum_step(param, grad, velocity, lr=0.01, mu=0.9):
    velocity = mu * velocity + grad  # PyTorch's form: v ← μv + g, θ ← θ − ηv
    return param - lr * velocity, velocity


def nesterov_step(param, grad, velocity, lr=0.01, mu=0.9):
    velocity = mu * velocity + grad
    return param - lr * (grad + mu * velocity), velocity  # look ahead along the new velocity


def adagrad_step(param, grad, cache, lr=0.01, eps=1e-10):
    cache = cache + grad * grad  # the sum of every squared gradient so far
    return param - lr * grad / (np.sqrt(cache) + eps), cache


def rmsprop_step(param, grad, sq, lr=0.01, alpha=0.99, eps=1e-8):
    sq = alpha * sq + (1 - alpha) * grad * grad  # an exponential moving average, not a sum
    return param - lr * grad / (np.sqrt(sq) + eps), sq


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)  # corrected copies; the stored m and v stay raw
    v_hat = v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# --- mistakes --------------------------------------------------------------------------------------


def _momentum_ema(param, grad, velocity, lr=0.01, mu=0.9):
    velocity = mu * velocity + (1 - mu) * grad
    return param - lr * velocity, velocity


def _momentum_step_before_update(param, grad, velocity, lr=0.01, mu=0.9):
    return param - lr * velocity, mu * velocity + grad


def _momentum_no_state(param, grad, velocity, lr=0.01, mu=0.9):
    v = mu * velocity + grad
    return param - lr * v, velocity  # returns the old velocity: nothing carries to the next step


def _nesterov_as_momentum(param, grad, velocity, lr=0.01, mu=0.9):
    return momentum_step(param, grad, velocity, lr, mu)


def _adagrad_no_sqrt(param, grad, cache, lr=0.01, eps=1e-10):
    cache = cache + grad * grad
    return param - lr * grad / (cache + eps), cache


def _adagrad_no_sum(param, grad, cache, lr=0.01, eps=1e-10):
    cache = grad * grad
    return param - lr * grad / (np.sqrt(cache) + eps), cache


def _rmsprop_swapped(param, grad, sq, lr=0.01, alpha=0.99, eps=1e-8):
    sq = (1 - alpha) * sq + alpha * grad * grad
    return param - lr * grad / (np.sqrt(sq) + eps), sq


def _rmsprop_sum(param, grad, sq, lr=0.01, alpha=0.99, eps=1e-8):
    return adagrad_step(param, grad, sq, lr, eps)


def _adam(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, *, mode="ok"):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    if mode == "no-correction":
        m_hat, v_hat = m, v
    elif mode == "t-from-0":
        m_hat, v_hat = m / (1 - beta1 ** (t - 1)), v / (1 - beta2 ** (t - 1))
    elif mode == "t-plus-1":
        m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    else:
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    root = np.sqrt(v_hat + eps) if mode == "eps-inside" else np.sqrt(v_hat) + eps
    step = m_hat / root
    if mode == "corrected-state":
        return param - lr * step, m_hat, v_hat
    return param - lr * step, m, v


# --- cases -----------------------------------------------------------------------------------------


def _cases(rng: np.random.Generator, hyper: dict[str, list[float]], n: int = 30) -> list[Case]:
    shapes = [(5,), (1,), (3, 4), (2, 1, 3)]
    out = []
    for i in range(n):
        shape = shapes[i % len(shapes)]
        scale = 10.0 ** rng.uniform(-3, 1)  # tiny gradients make ε and bias-correction mistakes show
        out.append(
            {
                "param": rng.normal(size=shape),
                "grads": [rng.normal(rng.normal(), 1, size=shape) * scale for _ in range(STEPS)],
            }
            | {k: float(rng.choice(v)) for k, v in hyper.items()}
        )
    return out


def _run(step_name: str, state_names: tuple[str, ...], hyper: tuple[str, ...]):
    def run(fns: Functions, c: Case) -> dict[str, Any]:
        param = c["param"]
        state = [np.zeros_like(param) for _ in state_names]
        params = []
        for grad in c["grads"]:
            param, *state = fns[step_name](param, grad, *state, **{k: c[k] for k in hyper})
            params.append(param)
        return {"param after each step": np.array(params)} | dict(zip(state_names, state, strict=True))

    return run


def _adam_run(fns: Functions, c: Case) -> dict[str, Any]:
    param, m, v = c["param"], np.zeros_like(c["param"]), np.zeros_like(c["param"])
    params = []
    for t, grad in enumerate(c["grads"], start=1):
        param, m, v = fns["adam_step"](param, grad, m, v, t, lr=c["lr"], eps=c["eps"])
        params.append(param)
    return {"param after each step": np.array(params), "m": m, "v": v}


def _drill(
    id: str,
    question: str,
    fn: Any,
    state: tuple[str, ...],
    hyper: dict[str, list[float]],
    template: str,
    mistakes: tuple[Mistake, ...],
    difficulty: int = 2,
) -> CodeDrill:
    return CodeDrill(
        id=id,
        question=question,
        functions=(fn.__name__,),
        template=template,
        reference={fn.__name__: fn},
        cases=partial(_cases, hyper=hyper),
        run=_run(fn.__name__, state, tuple(hyper)),
        mistakes=mistakes,
        solution=inspect.getsource(fn),
        difficulty=difficulty,
    )


def _template(signature: str, doc: str, todo: str) -> str:
    return function_template(
        signature, doc, todo, note="Return new arrays; do not modify the inputs in place."
    )


MOMENTUM = _drill(
    "momentum-step",
    "opt-gd-improvements",
    momentum_step,
    ("velocity",),
    {"lr": [0.01, 0.1], "mu": [0.9, 0.5]},
    _template(
        "momentum_step(param, grad, velocity, lr=0.01, mu=0.9)",
        "One step of SGD with (heavy-ball) momentum, PyTorch's form. Returns (param, velocity).",
        "update the velocity with the gradient, then step along it",
    ),
    (
        Mistake(
            "velocity-as-ema",
            "the velocity is an average μv + (1−μ)g; PyTorch's momentum adds the full gradient (v ← μv + g)",
            "速度写成了滑动平均 μv + (1−μ)g；PyTorch 的动量加的是完整梯度（v ← μv + g）",
            {"momentum_step": _momentum_ema},
        ),
        Mistake(
            "step-before-update",
            "the step uses the old velocity: update v first, then step θ ← θ − ηv",
            "更新参数时用了旧速度：应先更新 v，再走 θ ← θ − ηv",
            {"momentum_step": _momentum_step_before_update},
        ),
        Mistake(
            "velocity-not-returned",
            "the new velocity is not returned, so nothing carries to the next step",
            "没有返回新的速度，动量无法传到下一步",
            {"momentum_step": _momentum_no_state},
        ),
    ),
)

NESTEROV = _drill(
    "nesterov-step",
    "opt-gd-improvements",
    nesterov_step,
    ("velocity",),
    {"lr": [0.01, 0.1], "mu": [0.9, 0.5]},
    _template(
        "nesterov_step(param, grad, velocity, lr=0.01, mu=0.9)",
        "One step of Nesterov momentum in PyTorch's form (grad is taken at param).\n"
        "    Returns (param, velocity).",
        "v ← μv + g, then step along g + μv (the look-ahead)",
    ),
    (
        Mistake(
            "plain-momentum",
            "this is plain momentum (θ ← θ − ηv); Nesterov steps along g + μv, looking ahead",
            "这是普通动量（θ ← θ − ηv）；Nesterov 沿 g + μv 前进，相当于向前看一步",
            {"nesterov_step": _nesterov_as_momentum},
        ),
    ),
)

ADAGRAD = _drill(
    "adagrad-step",
    "opt-gd-improvements",
    adagrad_step,
    ("cache",),
    {"lr": [0.01, 0.5], "eps": [1e-10]},
    _template(
        "adagrad_step(param, grad, cache, lr=0.01, eps=1e-10)",
        "One AdaGrad step; cache holds the running sum of squared gradients. Returns (param, cache).",
        "accumulate g², divide the step by its square root",
    ),
    (
        Mistake(
            "no-square-root",
            "the step divides by the accumulated g² itself; AdaGrad divides by its square root",
            "步长除以了累积的 g² 本身；AdaGrad 应除以它的平方根",
            {"adagrad_step": _adagrad_no_sqrt},
        ),
        Mistake(
            "no-accumulation",
            "the cache holds only the current g², so every step is ±η: AdaGrad sums all past g²",
            "cache 只存了当前的 g²，于是每一步都是 ±η；AdaGrad 要累加所有历史 g²",
            {"adagrad_step": _adagrad_no_sum},
        ),
    ),
)

RMSPROP = _drill(
    "rmsprop-step",
    "opt-gd-improvements",
    rmsprop_step,
    ("sq",),
    {"lr": [0.01, 0.001], "alpha": [0.99, 0.9], "eps": [1e-8]},
    _template(
        "rmsprop_step(param, grad, sq, lr=0.01, alpha=0.99, eps=1e-8)",
        "One RMSProp step (PyTorch's defaults); sq is the moving average of g². Returns (param, sq).",
        "sq ← α·sq + (1−α)·g², then divide the step by √sq + ε",
    ),
    (
        Mistake(
            "alpha-swapped",
            "α and 1−α are swapped: α weights the old average (sq ← α·sq + (1−α)·g²)",
            "α 与 1−α 写反了：α 应乘在旧的平均值上（sq ← α·sq + (1−α)·g²）",
            {"rmsprop_step": _rmsprop_swapped},
        ),
        Mistake(
            "sum-not-average",
            "the squares are summed as in AdaGrad; "
            "RMSProp keeps a moving average so the rate does not decay to 0",
            "像 AdaGrad 一样把平方梯度累加了；RMSProp 用滑动平均，学习率才不会衰减到 0",
            {"rmsprop_step": _rmsprop_sum},
        ),
    ),
)

ADAM = CodeDrill(
    id="adam-step",
    question="opt-gd-improvements",
    functions=("adam_step",),
    template=_template(
        "adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)",
        "One Adam step; t counts from 1. Returns (param, m, v): the raw moving averages.",
        "update m and v, bias-correct copies of them, step",
    ),
    reference={"adam_step": adam_step},
    cases=partial(_cases, hyper={"lr": [1e-3, 1e-2], "eps": [1e-8, 1e-4]}),
    run=_adam_run,
    solution=inspect.getsource(adam_step),
    difficulty=2,
    mistakes=(
        Mistake(
            "no-bias-correction",
            "no bias correction: early steps use m and v, which start at 0 "
            "(the first step is about 3× too large)",
            "没有做偏差修正：早期直接用了从 0 开始的 m 和 v（第一步约大 3 倍）",
            {"adam_step": partial(_adam, mode="no-correction")},
        ),
        Mistake(
            "t-from-zero",
            "the correction uses t − 1 (t counted from 0): t is 1 on the first step, so 1 − β₁ᵗ = 0.1",
            "偏差修正用了 t − 1（t 从 0 计）：第一步 t = 1，1 − β₁ᵗ = 0.1",
            {"adam_step": partial(_adam, mode="t-from-0")},
        ),
        Mistake(
            "t-off-by-one",
            "the correction uses t + 1: t already counts from 1",
            "偏差修正用了 t + 1：t 本来就从 1 开始计",
            {"adam_step": partial(_adam, mode="t-plus-1")},
        ),
        Mistake(
            "corrected-moments-stored",
            "the bias-corrected m̂ and v̂ are returned as the state: keep the raw m and v and correct a copy",
            "把修正后的 m̂、v̂ 当作状态返回了：应保存原始的 m、v，只对副本做修正",
            {"adam_step": partial(_adam, mode="corrected-state")},
        ),
        Mistake(
            "eps-inside-sqrt",
            "ε is inside the square root: Adam divides by √v̂ + ε",
            "ε 放在了根号里：Adam 的分母是 √v̂ + ε",
            {"adam_step": partial(_adam, mode="eps-inside")},
        ),
    ),
)


def newton_step(A, b, x):
    grad = A @ x - b  # f(x) = ½ xᵀAx − bᵀx has gradient Ax − b and Hessian A
    return x - np.linalg.solve(A, grad)  # solve, never form A⁻¹: cheaper and more accurate


def _newton(A, b, x, *, mode):
    grad = A @ x - b
    if mode == "gradient-step":
        return x - grad
    if mode == "hessian-not-inverted":
        return x - A @ grad
    return x + np.linalg.solve(A, grad)


def _newton_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for i in range(30):
        d = [1, 2, 3, 5][i % 4]
        q = np.linalg.qr(rng.normal(size=(d, d)))[0]
        A = q @ np.diag(10.0 ** rng.uniform(-1, 2, d)) @ q.T  # symmetric positive definite, ill-conditioned
        out.append({"A": (A + A.T) / 2, "b": rng.normal(size=d), "x": rng.normal(size=d)})
    return out


NEWTON = CodeDrill(
    id="newton-step",
    question="opt-newton",
    functions=("newton_step",),
    template=_template(
        "newton_step(A, b, x)",
        "One Newton step on the quadratic f(x) = ½ xᵀAx − bᵀx, with A symmetric positive definite.\n\n"
        "    Returns the new x (from any x, one step lands on the minimum).",
        "the gradient and the Hessian of f, then x − H⁻¹∇f (solve a system, do not invert)",
    ),
    reference={"newton_step": newton_step},
    cases=_newton_cases,
    run=lambda fns, c: {"x": fns["newton_step"](c["A"], c["b"], c["x"])},
    solution=inspect.getsource(newton_step),
    difficulty=1,
    mistakes=(
        Mistake(
            "gradient-step",
            "this is a gradient step x − ∇f: Newton's step is x − H⁻¹∇f",
            "这是梯度下降的一步 x − ∇f：牛顿法的一步是 x − H⁻¹∇f",
            {"newton_step": partial(_newton, mode="gradient-step")},
        ),
        Mistake(
            "hessian-not-inverted",
            "the gradient is multiplied by H: Newton's step multiplies by H⁻¹ (solve H·s = ∇f)",
            "梯度乘了 H：牛顿法应乘 H⁻¹（解 H·s = ∇f）",
            {"newton_step": partial(_newton, mode="hessian-not-inverted")},
        ),
        Mistake(
            "wrong-sign",
            "the step goes uphill: x − H⁻¹∇f, not x + H⁻¹∇f",
            "方向反了：应为 x − H⁻¹∇f，而不是 x + H⁻¹∇f",
            {"newton_step": partial(_newton, mode="sign")},
        ),
    ),
)

DRILLS = (MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM, NEWTON)
