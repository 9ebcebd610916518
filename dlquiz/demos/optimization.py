"""Optimization demos: first- vs second-order methods, adaptive rates, saddles, batch size, the race."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dlquiz.demos.registry import Check, DemoResult, Param, Plot, Series, Table, demo
from dlquiz.kernels.losses import mse
from dlquiz.kernels.optim import OPTIMIZERS, adagrad, adam, momentum, rmsprop, sgd

MAX_POINTS = 200  # a plot series never needs more than the terminal can show


def _check(claim: str, measured: float, tolerance: str, passed: bool) -> Check:
    return Check(claim, float(measured), tolerance, bool(passed))


def _series(label: str, y: Sequence[float], x: Sequence[float] | None = None) -> Series:
    """A plot line thinned to at most MAX_POINTS evenly spaced points (always keeping the last one)."""
    y = np.asarray(y, dtype=float)
    xs = np.arange(y.size, dtype=float) if x is None else np.asarray(x, dtype=float)
    if y.size > MAX_POINTS:
        keep = np.unique(np.linspace(0, y.size - 1, MAX_POINTS).round().astype(int))
        xs, y = xs[keep], y[keep]
    return Series(label, tuple(float(v) for v in y), tuple(float(v) for v in xs))


def _rotation(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def _rosenbrock(p: np.ndarray) -> float:
    x, y = p
    return float((1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2)


def _rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)])


def _rosenbrock_hess(p: np.ndarray) -> np.ndarray:
    x, y = p
    return np.array([[2.0 - 400.0 * (y - x * x) + 800.0 * x * x, -400.0 * x], [-400.0 * x, 200.0]])


ROSENBROCK_START = np.array([-1.2, 1.0])  # the classic start (Rosenbrock 1960), across the curved valley


# ---------------------------------------------------------------------------------------------------
# second-order-cost


def _spd_matrix(rng: np.random.Generator, n: int, kappa: float) -> np.ndarray:
    """A dense symmetric positive-definite matrix with eigenvalues spread geometrically over [1, κ]."""
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return (q * np.geomspace(1.0, kappa, n)) @ q.T


def _gd_quadratic(A: np.ndarray, b: np.ndarray, lr: float, tol: float, max_iter: int) -> list[float]:
    """Gradient descent on ½xᵀAx − bᵀx from x = 0; relative gradient norms until they reach tol."""
    x = np.zeros_like(b)
    g = A @ x - b
    g0 = float(np.linalg.norm(g))
    history = [1.0]
    while history[-1] > tol and len(history) <= max_iter:
        x -= lr * g
        g = A @ x - b
        history.append(float(np.linalg.norm(g)) / g0)
    return history


def _cg_quadratic(A: np.ndarray, b: np.ndarray, tol: float, max_iter: int) -> list[float]:
    """Conjugate gradient (Hestenes & Stiefel 1952) from x = 0; the residual r = b − Ax is −∇f."""
    x = np.zeros_like(b)
    r = b - A @ x
    d = r.copy()
    rr = float(r @ r)
    r0 = math.sqrt(rr)
    history = [1.0]
    while history[-1] > tol and len(history) <= max_iter:
        Ad = A @ d
        alpha = rr / float(d @ Ad)
        x += alpha * d
        r -= alpha * Ad
        rr_new = float(r @ r)
        d = r + (rr_new / rr) * d
        rr = rr_new
        history.append(math.sqrt(rr) / r0)
    return history


@demo(
    id="second-order-cost",
    title={
        "en": "Iterations vs cost per iteration: gradient descent, conjugate gradient and Newton on a quadratic",
        "zh": "迭代次数与单次迭代代价：二次函数上的梯度下降、共轭梯度与牛顿法",
    },
    questions=("opt-methods", "opt-gd-vs-newton"),
    params=(
        Param("n", 100, "number of parameters (dimension of the quadratic)", min=2, max=300),
        Param(
            "kappa",
            100.0,
            "condition number κ of the Hessian (largest / smallest eigenvalue)",
            min=2,
            max=2000,
        ),
    ),
)
def second_order_cost(rng: np.random.Generator, *, seed: int, n: int, kappa: float) -> DemoResult:
    tol = 1e-6
    A = _spd_matrix(rng, n, kappa)
    b = rng.normal(size=n)
    # step 1/L with L = κ, the largest eigenvalue: every gradient component shrinks by |1 − λ/L| ≤ 1 − 1/κ
    gd_bound = math.ceil(math.log(1.0 / tol) / -math.log1p(-1.0 / kappa))
    gd = _gd_quadratic(A, b, 1.0 / kappa, tol, gd_bound + 10)
    cg = _cg_quadratic(A, b, tol, 4 * n + 100)
    g0 = -b  # gradient at x = 0
    x_newton = np.linalg.solve(A, b)  # x − H⁻¹∇f from x = 0, with H = A
    newton = [1.0, float(np.linalg.norm(A @ x_newton - b)) / float(np.linalg.norm(g0))]

    # flop estimates: a dense mat-vec is 2n², an LU solve 2n³/3 (what np.linalg.solve does)
    flops = {"GD": 2 * n * n + 4 * n, "CG": 2 * n * n + 10 * n, "Newton": 2 * n**3 / 3 + 4 * n * n}
    runs = {"GD": gd, "CG": cg, "Newton": newton}
    rows = tuple(
        (name, len(hist) - 1, float(flops[name]), float(flops[name] * (len(hist) - 1)), hist[-1])
        for name, hist in runs.items()
    )
    scale_rows = tuple((f"{m:.0e}", float(8.0 * m * m), float(2.0 * m**3 / 3.0)) for m in (1e3, 1e6, 1e8))
    cheapest = min(rows, key=lambda row: row[3])[0]
    sqrt_k = math.sqrt(kappa)
    # ‖e_k‖_A ≤ 2ρᵏ‖e_0‖_A with ρ = (√κ−1)/(√κ+1), and ‖∇f‖ ≤ √κ·(that ratio) in the Euclidean norm.
    # (Exact arithmetic would also stop CG after n steps; rounding loses that guarantee, not this one.)
    cg_bound = math.ceil(math.log(2.0 * sqrt_k / tol) / -math.log((sqrt_k - 1.0) / (sqrt_k + 1.0)))
    gd_iters, cg_iters = len(gd) - 1, len(cg) - 1
    checks = (
        _check("Newton's method solves a quadratic in one step (relative gradient norm after it)",
               newton[-1], "< 1e-10", newton[-1] < 1e-10),
        _check(f"GD (step 1/L) needs at most ln(1/tol)/−ln(1−1/κ) = {gd_bound} iterations",
               gd_iters, f"<= {gd_bound}", gd[-1] <= tol and gd_iters <= gd_bound),
        _check(f"CG needs at most ln(2√κ/tol)/−ln((√κ−1)/(√κ+1)) = {cg_bound} iterations",
               cg_iters, f"<= {cg_bound}", cg[-1] <= tol and cg_iters <= cg_bound),
        _check("CG needs far fewer iterations than GD (ratio GD / CG)",
               gd_iters / cg_iters, "> 5", gd_iters > 5 * cg_iters),
    )  # fmt: skip
    plot_flops = Plot(
        "relative gradient norm vs estimated flops",
        tuple(_series(name, hist, np.arange(len(hist)) * flops[name]) for name, hist in runs.items()),
        xlabel="flops",
        ylabel="‖∇f‖ / ‖∇f₀‖",
        logy=True,
    )
    plot_iters = Plot(
        "relative gradient norm vs iteration",
        tuple(_series(name, hist) for name, hist in runs.items()),
        xlabel="iteration",
        ylabel="‖∇f‖ / ‖∇f₀‖",
        logy=True,
    )
    return DemoResult(
        "second-order-cost",
        "Iterations vs cost per iteration on a quadratic",
        {"n": n, "kappa": kappa},
        seed,
        summary=(
            f"f(x) = ½xᵀAx − bᵀx with a dense {n}×{n} Hessian of condition number κ = {kappa:g}, solved to a "
            f"relative gradient norm of {tol:g}. GD's iteration count grows like κ, CG's like √κ, and Newton "
            "takes one step, but that step solves an n×n system: O(n³) flops and O(n²) memory. "
            f"At n = {n} the cheapest in total flops is {cheapest}; the cubic cost decides as n grows, and for "
            "a network with millions of parameters the Hessian alone would not fit in memory."
        ),
        tables=(
            Table(
                "iterations and cost",
                ("method", "iterations", "flops / iteration", "total flops", "final ‖∇f‖/‖∇f₀‖"),
                rows,
            ),
            Table(
                "one Newton step for n parameters (dense float64 Hessian)",
                ("n", "Hessian memory (bytes)", "solve (flops)"),
                scale_rows,
            ),
        ),  # fmt: skip
        plots=(plot_iters, plot_flops),
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# adaptive-lr-sparse


@demo(
    id="adaptive-lr-sparse",
    title={
        "en": "Adaptive methods give rare (sparse) features larger effective learning rates",
        "zh": "自适应优化器为稀疏（少见）特征分配更大的有效学习率",
    },
    questions=("opt-adaptive",),
    params=(
        Param(
            "p",
            0.05,
            "fraction of steps in which the sparse feature has a non-zero gradient",
            min=0.02,
            max=1.0,
        ),
        Param("steps", 1000, "number of steps", min=500, max=20000),
    ),
)
def adaptive_lr_sparse(rng: np.random.Generator, *, seed: int, p: float, steps: int) -> DemoResult:
    # One gradient stream for every optimizer: a dense coordinate with an N(0, 1) gradient at every step
    # and a sparse one whose gradient has the same distribution but is non-zero only in a fraction p of
    # the steps (a rare word, a rare category). Feeding the same stream isolates what each method
    # accumulates from how it moves the parameters.
    grads = rng.normal(size=(steps, 2))
    active = rng.random(steps) < p
    if not active.any():  # keep at least one occurrence so the sparse rate is defined
        active[steps // 2] = True
    grads[:, 1] *= active
    eps = 1e-8
    setups: dict[str, tuple[Callable[..., Any], float, str, Callable[[dict[str, Any]], np.ndarray]]] = {
        "SGD": (sgd, 0.05, "nothing: one global rate", lambda s: np.zeros(2)),
        "AdaGrad": (adagrad, 0.1, "sum of g²", lambda s: s["sum_sq"]),
        "RMSProp": (rmsprop, 0.01, "EMA of g² (ρ = 0.9)", lambda s: s["sq_grad"]),
        "Adam": (adam, 0.01, "EMA of g (β1) and of g² (β2 = 0.999)",
                 lambda s: s["v"] / (1.0 - 0.999 ** s["t"])),
    }  # fmt: skip
    rates: dict[str, np.ndarray] = {}
    for name, (step, lr, _, second_moment) in setups.items():
        params, state = np.zeros(2), None
        eff = np.empty((steps, 2))
        for t in range(steps):
            params, state = step(params, grads[t], state, lr=lr)
            # the factor each method puts in front of the gradient (of m̂ for Adam): η / (√(accumulator) + ε)
            eff[t] = lr if name == "SGD" else lr / (np.sqrt(second_moment(state)) + eps)
        rates[name] = eff

    def summary_rates(eff: np.ndarray, name: str) -> tuple[float, float]:
        if name == "AdaGrad":  # its rate depends on the whole history: read it at the end
            return float(eff[-1, 0]), float(eff[-1, 1])
        # EMA methods: the typical rate at the steps where each gradient is non-zero (where it matters)
        return float(np.median(eff[:, 0])), float(np.median(eff[active, 1]))

    expected = 1.0 / math.sqrt(p)
    rows = []
    ratio: dict[str, float] = {}
    for name, (_, lr, accumulates, _) in setups.items():
        dense, sparse = summary_rates(rates[name], name)
        ratio[name] = sparse / dense
        rows.append((name, accumulates, lr, dense, sparse, ratio[name]))
    adagrad_steps = np.diff(rates["AdaGrad"], axis=0)
    lo, hi = 0.6 * expected, 1.6 * expected
    checks = (
        _check(f"AdaGrad: sparse/dense effective rate ≈ 1/√p = {expected:.2f} (its sum of g² grows p times slower)",
               ratio["AdaGrad"], f"in [{lo:.2f}, {hi:.2f}]", lo <= ratio["AdaGrad"] <= hi),
        _check("AdaGrad's effective rates never increase (largest step-to-step increase)",
               float(adagrad_steps.max()), "<= 0", adagrad_steps.max() <= 0.0),
        _check("RMSProp: the sparse feature's effective rate is larger (sparse/dense)",
               ratio["RMSProp"], "> 1.5", ratio["RMSProp"] > 1.5),
        _check("Adam: the sparse feature's effective rate is larger (sparse/dense)",
               ratio["Adam"], "> 1.5", ratio["Adam"] > 1.5),
    )  # fmt: skip
    # before its first non-zero gradient the sparse coordinate's rate is η/ε, meaningless: start its line there
    first = int(np.flatnonzero(active)[0])
    steps_axis = np.arange(1, steps + 1)
    plot = Plot(
        "effective learning rate per coordinate",
        tuple(
            _series(f"{name} {which}", rates[name][start:, col], steps_axis[start:])
            for name in ("AdaGrad", "Adam")
            for col, which, start in ((0, "dense", 0), (1, "sparse", first))
        ),
        xlabel="step",
        ylabel="η / (√(accumulated g²) + ε)",
        logy=True,
    )
    return DemoResult(
        "adaptive-lr-sparse",
        "Effective learning rates of sparse vs dense features",
        {"p": p, "steps": steps},
        seed,
        summary=(
            f"The same gradient stream is fed to every optimizer: a dense coordinate whose gradient is N(0, 1) "
            f"at every step and a sparse one with the same distribution in {active.sum()} of {steps} steps. "
            "AdaGrad divides by the root of a growing sum, so its rates only decay, and the rarely updated "
            "coordinate keeps a rate about 1/√p times larger. RMSProp and Adam divide by a moving average, "
            "which also stays small for a rarely active coordinate. (AdaGrad's rates are read at the last "
            "step, the others' as medians over the steps where the coordinate's gradient is non-zero.)"
        ),
        tables=(
            Table(
                "effective learning rate η/(√accumulator + ε)",
                ("optimizer", "accumulates", "η", "dense", "sparse", "sparse / dense"),
                tuple(rows),
            ),
        ),  # fmt: skip
        plots=(plot,),
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# saddle-escape


def _saddle_f(p: np.ndarray) -> float:
    x, y = p
    return float(0.5 * x * x + 0.25 * y**4 - 0.5 * y * y)


def _saddle_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    return np.array([x, y**3 - y])


@demo(
    id="saddle-escape",
    title={
        "en": "Gradient descent stalls at a saddle point; gradient noise or a perturbation with momentum escapes",
        "zh": "梯度下降会停在鞍点；梯度噪声或扰动加动量可以逃离",
    },
    questions=("opt-local-minima",),
    params=(
        Param("lr", 0.1, "learning rate", min=0.01, max=0.5),
        Param("noise", 0.01, "standard deviation of the gradient noise in the SGD run", min=0.0, max=0.05),
        Param("steps", 400, "number of steps", min=50, max=5000),
    ),
)
def saddle_escape(rng: np.random.Generator, *, seed: int, lr: float, noise: float, steps: int) -> DemoResult:
    # f(x, y) = ½x² + ¼y⁴ − ½y²: a saddle at the origin (f = 0, Hessian diag(1, −1)) and minima at
    # (0, ±1) with f = −¼. On the line y = 0 the y-gradient y³ − y is exactly zero, so an iterate that
    # starts there stays there: that line is the saddle's stable manifold.
    start = np.array([1.0, 0.0])
    direction = rng.normal(size=2)
    perturbation = 1e-6 * direction / np.linalg.norm(direction)
    noise_seq = noise * rng.normal(size=(steps, 2))

    def run(
        p: np.ndarray, step: Callable[..., Any], noisy: bool, **hyper: float
    ) -> tuple[np.ndarray, np.ndarray]:
        state, values = None, [_saddle_f(p)]
        for t in range(steps):
            g = _saddle_grad(p) + (noise_seq[t] if noisy else 0.0)
            p, state = step(p, g, state, lr=lr, **hyper)
            values.append(_saddle_f(p))
        return p, np.array(values)

    runs = {
        "GD": run(start, sgd, False),
        "momentum": run(start, momentum, False, mu=0.9),
        "SGD (noisy gradient)": run(start, sgd, True),
        "GD + perturbation": run(start + perturbation, sgd, False),
        "momentum + perturbation": run(start + perturbation, momentum, False, mu=0.9),
    }

    def escape_step(values: np.ndarray) -> int | None:
        below = np.flatnonzero(values < -0.2)  # well below the saddle's value 0, on the way to −¼
        return int(below[0]) if below.size else None

    escapes = {name: escape_step(values) for name, (_, values) in runs.items()}
    rows = tuple(
        (name, float(p[0]), float(p[1]), float(values[-1]), "—" if escapes[name] is None else escapes[name])
        for name, (p, values) in runs.items()
    )
    gd_end = runs["GD"][0]
    hessian_min = min(1.0, 3.0 * float(gd_end[1]) ** 2 - 1.0)  # Hessian of f is diag(1, 3y² − 1)
    e_gd, e_mom = escapes["GD + perturbation"], escapes["momentum + perturbation"]
    speedup = (e_gd / e_mom) if e_gd and e_mom else 0.0
    finals = {name: float(values[-1]) for name, (_, values) in runs.items()}
    # near the saddle y_{t+1} = y_t + μ(y_t − y_{t−1}) + η·y_t: the growth factor solves r² − (1+μ+η)r + μ = 0
    b = 1.0 + 0.9 + lr
    growth_momentum = (b + math.sqrt(b * b - 4.0 * 0.9)) / 2.0
    checks = (
        _check("GD started on the stable manifold (y = 0) converges to the saddle (distance to it)",
               float(np.linalg.norm(gd_end)), "< 1e-8", np.linalg.norm(gd_end) < 1e-8),
        _check("where GD stopped is a saddle, not a minimum (smallest Hessian eigenvalue)",
               hessian_min, "< 0", hessian_min < 0),
        _check("momentum alone cannot leave y = 0 either (final |y|)",
               abs(float(runs["momentum"][0][1])), "= 0", runs["momentum"][0][1] == 0.0),
        _check("SGD's gradient noise escapes to a minimum (final f; minimum −0.25)",
               finals["SGD (noisy gradient)"], "< −0.24", finals["SGD (noisy gradient)"] < -0.24),
        _check("a 1e-6 perturbation lets GD escape too (final f)",
               finals["GD + perturbation"], "< −0.24", finals["GD + perturbation"] < -0.24),
        _check("perturbation + momentum escapes (final f)",
               finals["momentum + perturbation"], "< −0.24", finals["momentum + perturbation"] < -0.24),
        _check("momentum escapes faster than GD from the same perturbation (ratio of escape steps)",
               speedup, "> 2", speedup > 2),
    )  # fmt: skip
    return DemoResult(
        "saddle-escape",
        "Escaping a saddle point",
        {"lr": lr, "noise": noise, "steps": steps},
        seed,
        summary=(
            "f(x, y) = ½x² + ¼y⁴ − ½y² has a saddle at (0, 0) with f = 0 and minima at (0, ±1) with f = −0.25. "
            "From (1, 0) the gradient never has a y-component, so GD (with or without momentum) slides into "
            "the saddle and stops: a zero gradient does not mean a minimum. Any y-component, from gradient "
            f"noise or a tiny random perturbation, grows by a factor 1 + η = {1 + lr:.3g} per step near the "
            f"saddle; with momentum μ = 0.9 the factor is {growth_momentum:.3g}, the larger root of "
            "r² − (1 + μ + η)r + μ = 0. 'Escape step' is the first step with f < −0.2."
        ),
        tables=(Table("where each run ends", ("run", "x", "y", "final f", "escape step"), rows),),
        plots=(
            Plot(
                "f along each run",
                tuple(_series(name, values) for name, (_, values) in runs.items()),
                xlabel="step",
                ylabel="f(x, y)",
            ),
        ),
        checks=checks,
    )
