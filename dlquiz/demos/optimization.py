"""Optimization demos: first- vs second-order methods, adaptive rates, saddles, batch size, the race."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dlquiz.demos.registry import MAX_POINTS, DemoResult, Param, Plot, Table, check, demo, paragraph, series
from dlquiz.i18n import N_, _
from dlquiz.kernels.losses import mse
from dlquiz.kernels.optim import OPTIMIZERS, adagrad, adam, momentum, rmsprop, sgd


def _rotation(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def _rosenbrock(p: np.ndarray) -> float:
    x, y = p.tolist()  # Python floats: much faster than NumPy scalars for two numbers
    return float((1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2)


def _rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    x, y = p.tolist()  # Python floats: much faster than NumPy scalars for two numbers
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)])


def _rosenbrock_hess(p: np.ndarray) -> np.ndarray:
    x, y = p.tolist()  # Python floats: much faster than NumPy scalars for two numbers
    return np.array([[2.0 - 400.0 * (y - x * x) + 800.0 * x * x, -400.0 * x], [-400.0 * x, 200.0]])


ROSENBROCK_START = np.array([-1.2, 1.0])  # the classic start (Rosenbrock 1960), across the curved valley


# ---------------------------------------------------------------------------------------------------
# second-order-cost


def _spd_matrix(rng: np.random.Generator, n: int, kappa: float) -> np.ndarray:
    """A dense symmetric positive-definite matrix with eigenvalues spread geometrically over [1, κ]."""
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return (q * np.geomspace(1.0, kappa, n)) @ q.T


def _matvec(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A @ x without BLAS: for matrices this small, OpenBLAS's threads cost more than they save, and on
    a busy machine a loop of thousands of threaded products can run 20x slower than this plain loop."""
    return np.einsum("ij,j->i", A, x)


def _gd_quadratic(A: np.ndarray, b: np.ndarray, lr: float, tol: float, max_iter: int) -> list[float]:
    """Gradient descent on ½xᵀAx − bᵀx from x = 0; relative gradient norms until they reach tol."""
    x = np.zeros_like(b)
    g = _matvec(A, x) - b
    g0 = float(np.linalg.norm(g))
    history = [1.0]
    while history[-1] > tol and len(history) <= max_iter:
        x -= lr * g
        g = _matvec(A, x) - b
        history.append(float(np.linalg.norm(g)) / g0)
    return history


def _cg_quadratic(A: np.ndarray, b: np.ndarray, tol: float, max_iter: int) -> list[float]:
    """Conjugate gradient (Hestenes & Stiefel 1952) from x = 0; the residual r = b − Ax is −∇f."""
    x = np.zeros_like(b)
    r = b - _matvec(A, x)
    d = r.copy()
    rr = float(r @ r)
    r0 = math.sqrt(rr)
    history = [1.0]
    while history[-1] > tol and len(history) <= max_iter:
        Ad = _matvec(A, d)
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
        "en": "Iterations vs cost per iteration: gradient descent, conjugate gradient, Newton",
        "zh": "迭代次数与单次迭代代价：二次函数上的梯度下降、共轭梯度与牛顿法",
    },
    questions=("opt-methods", "opt-gd-vs-newton"),
    params=(
        Param("n", 100, N_("number of parameters (dimension of the quadratic)"), min=2, max=300),
        Param(
            "kappa",
            100.0,
            N_("condition number κ of the Hessian (largest / smallest eigenvalue)"),
            min=20,
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
    label = {"GD": "GD", "CG": "CG", "Newton": _("Newton")}  # what the tables and plots call each run
    rows = tuple(
        (label[name], len(hist) - 1, float(flops[name]), float(flops[name] * (len(hist) - 1)), hist[-1])
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
        check(_("Newton's method solves a quadratic in one step (relative gradient norm after it)"),
               newton[-1], "< 1e-10", newton[-1] < 1e-10),
        check(_("GD (step 1/L) needs at most ln(1/tol)/−ln(1−1/κ) = {bound} iterations")
               .format(bound=gd_bound),
               gd_iters, f"<= {gd_bound}", gd[-1] <= tol and gd_iters <= gd_bound),
        check(_("CG needs at most ln(2√κ/tol)/−ln((√κ−1)/(√κ+1)) = {bound} iterations")
               .format(bound=cg_bound),
               cg_iters, f"<= {cg_bound}", cg[-1] <= tol and cg_iters <= cg_bound),
        check(_("CG needs far fewer iterations than GD (ratio GD / CG)"),
               gd_iters / cg_iters, "> 5", gd_iters > 5 * cg_iters),
    )  # fmt: skip
    plot_flops = Plot(
        _("relative gradient norm vs estimated flops"),
        tuple(series(label[name], hist, np.arange(len(hist)) * flops[name]) for name, hist in runs.items()),
        xlabel=_("flops"),
        ylabel="‖∇f‖ / ‖∇f₀‖",
        logy=True,
    )
    plot_iters = Plot(
        _("relative gradient norm vs iteration"),
        tuple(series(label[name], hist) for name, hist in runs.items()),
        xlabel=_("iteration"),
        ylabel="‖∇f‖ / ‖∇f₀‖",
        logy=True,
    )
    return DemoResult(
        "second-order-cost",
        _("Iterations vs cost per iteration on a quadratic"),
        {"n": n, "kappa": kappa},
        seed,
        summary=paragraph(
            _(
                "f(x) = ½xᵀAx − bᵀx with a dense {n}×{n} Hessian of condition number κ = {kappa:g}, solved "
                "to a relative gradient norm of {tol:g}."
            ).format(n=n, kappa=kappa, tol=tol),
            _(
                "GD's iteration count grows like κ, CG's like √κ, and Newton takes one step, but that step "
                "solves an n×n system: O(n³) flops and O(n²) memory."
            ),
            _(
                "At n = {n} the cheapest in total flops is {cheapest}; the cubic cost decides as n grows, "
                "and for a network with millions of parameters the Hessian alone would not fit in memory."
            ).format(n=n, cheapest=cheapest),
        ),
        tables=(
            Table(
                _("iterations and cost"),
                (
                    _("method"),
                    _("iterations"),
                    _("flops / iteration"),
                    _("total flops"),
                    _("final ‖∇f‖/‖∇f₀‖"),
                ),
                rows,
            ),
            Table(
                _("one Newton step for n parameters (dense float64 Hessian)"),
                ("n", _("Hessian memory (bytes)"), _("solve (flops)")),
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
            N_("fraction of steps in which the sparse feature has a non-zero gradient"),
            min=0.02,
            max=0.25,
        ),
        Param("steps", 1000, N_("number of steps"), min=1000, max=20000),
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
        "SGD": (sgd, 0.05, _("nothing: one global rate"), lambda s: np.zeros(2)),
        "AdaGrad": (adagrad, 0.1, _("sum of g²"), lambda s: s["sum_sq"]),
        "RMSProp": (rmsprop, 0.01, _("EMA of g² (ρ = 0.9)"), lambda s: s["sq_grad"]),
        "Adam": (adam, 0.01, _("EMA of g (β1) and of g² (β2 = 0.999)"),
                 lambda s: s["v"] / (1.0 - 0.999 ** s["t"])),
    }  # fmt: skip
    rates: dict[str, np.ndarray] = {}
    for name, (step, lr, _accumulates, second_moment) in setups.items():
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
    for name, (_step, lr, accumulates, _moment) in setups.items():
        dense, sparse = summary_rates(rates[name], name)
        ratio[name] = sparse / dense
        rows.append((name, accumulates, lr, dense, sparse, ratio[name]))
    adagrad_steps = np.diff(rates["AdaGrad"], axis=0)
    # The sparse sum of g² has about k = p·steps terms (χ²₁ values, k itself binomial): relative standard
    # error ≈ √(3/k), so the ratio (a square root) has ≈ √(3/(4k)). Accept ±4 standard errors.
    band = math.exp(4.0 * math.sqrt(3.0 / (4.0 * active.sum())))
    lo, hi = expected / band, expected * band
    checks = (
        check(_("AdaGrad: sparse/dense effective rate ≈ 1/√p = {expected:.2f} (its sum of g² grows slower)")
               .format(expected=expected),
               ratio["AdaGrad"], _("in [{lo:.2f}, {hi:.2f}]").format(lo=lo, hi=hi),
               lo <= ratio["AdaGrad"] <= hi),
        check(_("AdaGrad's effective rates never increase (largest step-to-step increase)"),
               float(adagrad_steps.max()), "<= 0", adagrad_steps.max() <= 0.0),
        check(_("RMSProp: the sparse feature's effective rate is larger (sparse/dense)"),
               ratio["RMSProp"], "> 1", ratio["RMSProp"] > 1),
        check(_("Adam: the sparse feature's effective rate is larger (sparse/dense)"),
               ratio["Adam"], "> 1", ratio["Adam"] > 1),
    )  # fmt: skip
    # before its first non-zero gradient the sparse coordinate's rate is η/ε: start its line there
    first = int(np.flatnonzero(active)[0])
    steps_axis = np.arange(1, steps + 1)
    plot = Plot(
        _("effective learning rate per coordinate"),
        tuple(
            series(_(which).format(name=name), rates[name][start:, col], steps_axis[start:])
            for name in ("AdaGrad", "Adam")
            for col, which, start in ((0, N_("{name} dense"), 0), (1, N_("{name} sparse"), first))
        ),
        xlabel=_("step"),
        ylabel=_("η / (√(accumulated g²) + ε)"),
        logy=True,
    )
    return DemoResult(
        "adaptive-lr-sparse",
        _("Effective learning rates of sparse vs dense features"),
        {"p": p, "steps": steps},
        seed,
        summary=paragraph(
            _(
                "The same gradient stream is fed to every optimizer: a dense coordinate whose gradient is "
                "N(0, 1) at every step and a sparse one with the same distribution in {active} of {steps} "
                "steps."
            ).format(active=active.sum(), steps=steps),
            _(
                "AdaGrad divides by the root of a growing sum, so its rates only decay, and the rarely "
                "updated coordinate keeps a rate about 1/√p times larger."
            ),
            _(
                "RMSProp and Adam divide by a moving average, which also stays small for a rarely active "
                "coordinate."
            ),
            _(
                "(AdaGrad's rates are read at the last step, the others' as medians over the steps where the "
                "coordinate's gradient is non-zero.)"
            ),
        ),
        tables=(
            Table(
                _("effective learning rate η/(√accumulator + ε)"),
                (_("optimizer"), _("accumulates"), "η", _("dense"), _("sparse"), _("sparse / dense")),
                tuple(rows),
            ),
        ),  # fmt: skip
        plots=(plot,),
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# saddle-escape


def _saddle_f(p: np.ndarray) -> float:
    x, y = p.tolist()  # Python floats: much faster than NumPy scalars for two numbers
    return float(0.5 * x * x + 0.25 * y**4 - 0.5 * y * y)


def _saddle_grad(p: np.ndarray) -> np.ndarray:
    x, y = p.tolist()  # Python floats: much faster than NumPy scalars for two numbers
    return np.array([x, y**3 - y])


@demo(
    id="saddle-escape",
    title={
        "en": "Gradient descent stalls at a saddle point; gradient noise or perturbation + momentum escapes",
        "zh": "梯度下降会停在鞍点；梯度噪声或扰动加动量可以逃离",
    },
    questions=("opt-local-minima",),
    params=(
        Param("lr", 0.1, N_("learning rate (each run takes 40/lr steps)"), min=0.05, max=0.2),
        Param(
            "noise", 0.01, N_("standard deviation of the gradient noise in the SGD run"), min=0.001, max=0.05
        ),
    ),
)
def saddle_escape(rng: np.random.Generator, *, seed: int, lr: float, noise: float) -> DemoResult:
    # f(x, y) = ½x² + ¼y⁴ − ½y²: a saddle at the origin (f = 0, Hessian diag(1, −1)) and minima at
    # (0, ±1) with f = −¼. On the line y = 0 the y-gradient y³ − y is exactly zero, so an iterate that
    # starts there stays there: that line is the saddle's stable manifold.
    start = np.array([1.0, 0.0])
    direction = rng.normal(size=2)
    perturbation = 1e-6 * direction / np.linalg.norm(direction)
    steps = round(40 / lr)  # enough for the slowest run (GD from a 1e-6 perturbation) to escape and settle
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
        N_("momentum"): run(start, momentum, False, mu=0.9),
        N_("SGD (noisy gradient)"): run(start, sgd, True),
        N_("GD + perturbation"): run(start + perturbation, sgd, False),
        N_("momentum + perturbation"): run(start + perturbation, momentum, False, mu=0.9),
    }  # the English names are the keys; tables and plots show _(name)

    def escape_step(values: np.ndarray) -> int | None:
        below = np.flatnonzero(values < -0.2)  # well below the saddle's value 0, on the way to −¼
        return int(below[0]) if below.size else None

    escapes = {name: escape_step(values) for name, (_end, values) in runs.items()}
    rows = tuple(
        (
            _(name),
            float(p[0]),
            float(p[1]),
            float(values[-1]),
            "—" if escapes[name] is None else escapes[name],
        )
        for name, (p, values) in runs.items()
    )
    gd_end = runs["GD"][0]
    hessian_min = min(1.0, 3.0 * float(gd_end[1]) ** 2 - 1.0)  # Hessian of f is diag(1, 3y² − 1)
    e_gd, e_mom = escapes["GD + perturbation"], escapes["momentum + perturbation"]
    speedup = (e_gd / e_mom) if e_gd and e_mom else 0.0
    finals = {name: float(values[-1]) for name, (_end, values) in runs.items()}
    # near the saddle y_{t+1} = y_t + μ(y_t − y_{t−1}) + η·y_t: the growth factor solves r² − (1+μ+η)r + μ = 0
    b = 1.0 + 0.9 + lr
    growth_momentum = (b + math.sqrt(b * b - 4.0 * 0.9)) / 2.0
    checks = (
        check(_("GD started on the stable manifold (y = 0) converges to the saddle (distance to it)"),
               float(np.linalg.norm(gd_end)), "< 1e-8", np.linalg.norm(gd_end) < 1e-8),
        check(_("where GD stopped is a saddle, not a minimum (smallest Hessian eigenvalue)"),
               hessian_min, "< 0", hessian_min < 0),
        check(_("momentum alone cannot leave y = 0 either (final |y|)"),
               abs(float(runs["momentum"][0][1])), "= 0", runs["momentum"][0][1] == 0.0),
        check(_("SGD's gradient noise escapes to a minimum (final f; minimum −0.25)"),
               finals["SGD (noisy gradient)"], "< −0.24", finals["SGD (noisy gradient)"] < -0.24),
        check(_("a 1e-6 perturbation lets GD escape too (final f)"),
               finals["GD + perturbation"], "< −0.24", finals["GD + perturbation"] < -0.24),
        check(_("perturbation + momentum escapes (final f)"),
               finals["momentum + perturbation"], "< −0.24", finals["momentum + perturbation"] < -0.24),
        check(_("momentum escapes faster than GD from the same perturbation (ratio of escape steps)"),
               speedup, "> 1.5", speedup > 1.5),
    )  # fmt: skip
    return DemoResult(
        "saddle-escape",
        _("Escaping a saddle point"),
        {"lr": lr, "noise": noise},
        seed,
        summary=paragraph(
            _(
                "f(x, y) = ½x² + ¼y⁴ − ½y² has a saddle at (0, 0) with f = 0 and minima at (0, ±1) with "
                "f = −0.25."
            ),
            _(
                "From (1, 0) the gradient never has a y-component, so GD (with or without momentum) slides "
                "into the saddle and stops: a zero gradient does not mean a minimum."
            ),
            _(
                "Any y-component, from gradient noise or a tiny random perturbation, grows by a factor "
                "1 + η = {growth:.3g} per step near the saddle; with momentum μ = 0.9 the factor is "
                "{growth_momentum:.3g}, the larger root of r² − (1 + μ + η)r + μ = 0."
            ).format(growth=1 + lr, growth_momentum=growth_momentum),
            _("'Escape step' is the first step with f < −0.2."),
        ),
        tables=(Table(_("where each run ends"), (_("run"), "x", "y", _("final f"), _("escape step")), rows),),
        plots=(
            Plot(
                _("f along each run"),
                tuple(series(_(name), values) for name, (_p, values) in runs.items()),
                xlabel=_("step"),
                ylabel="f(x, y)",
            ),
        ),
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# batch-size-variance


@demo(
    id="batch-size-variance",
    title={
        "en": "Mini-batch gradient variance falls as 1/B; batch, stochastic and mini-batch gradient descent",
        "zh": "小批量梯度方差按 1/B 下降；批量、随机与小批量梯度下降的对比",
    },
    questions=("opt-gd-principle",),
    params=(
        Param("lr", 0.05, N_("learning rate (the same for all three methods)"), min=0.001, max=0.15),
        Param("epochs", 5, N_("passes over the data for the loss curves"), min=1, max=50),
    ),
)
def batch_size_variance(rng: np.random.Generator, *, seed: int, lr: float, epochs: int) -> DemoResult:
    n, d, draws = 200, 5, 2000
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)

    def loss(w: np.ndarray) -> float:
        return mse(X @ w, y)[0]

    def grad(w: np.ndarray, rows: np.ndarray) -> np.ndarray:
        _, d_pred = mse(X[rows] @ w, y[rows])  # ∂/∂prediction of the batch mean, chained through X
        return X[rows].T @ d_pred

    # Per-example gradients of (xᵀw − y)² at the starting point w = 0; the full gradient is their mean.
    w0 = np.zeros(d)
    per_example = 2.0 * (X @ w0 - y)[:, None] * X
    full = per_example.mean(axis=0)
    spread = float(np.mean(np.sum((per_example - full) ** 2, axis=1)))  # tr Cov of one example's gradient
    sizes = 2 ** np.arange(8)
    variance = []
    for size in sizes:
        # B examples drawn independently (with replacement): E‖g_B − g‖² = tr Cov / B exactly
        batches = per_example[rng.integers(0, n, size=(draws, size))].mean(axis=1)
        variance.append(float(np.mean(np.sum((batches - full) ** 2, axis=1))))
    variance_arr = np.array(variance)
    slope = float(np.polyfit(np.log(sizes), np.log(variance_arr), 1)[0])
    deviation = float(np.max(np.abs(variance_arr * sizes / spread - 1.0)))

    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, size in (("BGD (B = 200)", n), ("SGD (B = 1)", 1), (_("mini-batch (B = 32)"), 32)):
        w, seen, xs, losses = w0, 0, [0.0], [loss(w0)]
        for _epoch in range(epochs):
            order = rng.permutation(n)  # each epoch visits every example once, in a new order
            for start in range(0, n, size):
                rows = order[start : start + size]
                w, _state = sgd(w, grad(w, rows), None, lr=lr)
                seen += rows.size
                xs.append(seen / n)
                losses.append(loss(w))
        curves[name] = (np.array(xs), np.array(losses))
    after_one = {name: float(ls[np.searchsorted(xs, 1.0)]) for name, (xs, ls) in curves.items()}
    increases = {name: int(np.sum(np.diff(ls) > 0)) for name, (_xs, ls) in curves.items()}
    best = loss(np.linalg.lstsq(X, y, rcond=None)[0])
    bgd, sgd_name, mb = curves
    checks = (
        check(_("gradient variance ∝ 1/B: slope of log variance vs log B"),
               slope, "−1 ± 0.05", abs(slope + 1.0) <= 0.05),
        check(_("each measured variance matches tr Cov / B (largest relative deviation, 2000 draws each)"),
               deviation, "< 0.25", deviation < 0.25),
        check(_("after one epoch at the same lr, SGD's loss is below BGD's (ratio SGD / BGD)"),
               after_one[sgd_name] / after_one[bgd], "< 1", after_one[sgd_name] < after_one[bgd]),
        check(_("after one epoch, mini-batch's loss is below BGD's (ratio mini-batch / BGD)"),
               after_one[mb] / after_one[bgd], "< 1", after_one[mb] < after_one[bgd]),
        check(_("BGD's loss never goes up (count of increases; lr < 2/L)"),
               increases[bgd], "= 0", increases[bgd] == 0),
        check(_("SGD's loss is noisy: it goes up at some steps (count of increases)"),
               increases[sgd_name], "> 0", increases[sgd_name] > 0),
    )  # fmt: skip
    variance_rows = tuple(
        (int(b), v, spread / b, v * b / spread) for b, v in zip(sizes, variance_arr, strict=True)
    )
    curve_rows = tuple(
        (name, len(xs) - 1, after_one[name], float(ls[-1])) for name, (xs, ls) in curves.items()
    )
    return DemoResult(
        "batch-size-variance",
        _("Gradient variance vs batch size; BGD, SGD and mini-batch"),
        {"lr": lr, "epochs": epochs},
        seed,
        summary=paragraph(
            _("Linear regression, {n} examples, {d} features, loss mean((xᵀw − y)²).").format(n=n, d=d),
            _(
                "The variance of a mini-batch gradient (B examples drawn independently) is the per-example "
                "variance divided by B: a 4x larger batch halves the gradient noise's standard deviation."
            ),
            _(
                "At the same learning rate BGD makes one exact step per epoch, SGD makes n noisy ones; SGD "
                "gets low fast but, with a constant step, keeps bouncing around the minimum (least-squares "
                "loss {best:.4f})."
            ).format(best=best),
        ),
        tables=(
            Table(
                _("mini-batch gradient variance at w = 0"),
                ("B", _("measured E‖g_B − g‖²"), "tr Cov / B", _("measured · B / tr Cov")),
                variance_rows,
            ),
            Table(
                _("loss curves"),
                (_("method"), _("updates"), _("loss after 1 epoch"), _("final loss")),
                curve_rows,
            ),
        ),  # fmt: skip
        plots=(
            Plot(
                _("gradient variance vs batch size"),
                (
                    series(_("measured"), variance_arr, np.log2(sizes)),
                    series("tr Cov / B", spread / sizes, np.log2(sizes)),
                ),
                xlabel="log₂ B",
                ylabel="E‖g_B − g‖²",
                logy=True,
            ),
            Plot(
                _("training loss"),
                tuple(series(name, ls, xs) for name, (xs, ls) in curves.items()),
                xlabel=_("epochs"),
                ylabel=_("loss"),
                logy=True,
            ),
        ),
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# optimizer-race


def _race(
    f: Callable[[np.ndarray], float],
    grad: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    steps: int,
    hyper: dict[str, dict[str, float]],
) -> dict[str, np.ndarray]:
    """Loss after every step, for each optimizer (by name) with its hyper-parameters."""
    curves = {}
    for name, kwargs in hyper.items():
        p, state, values = start, None, [f(start)]
        for _step in range(steps):
            p, state = OPTIMIZERS[name](p, grad(p), state, **kwargs)
            values.append(f(p))
        curves[name] = np.array(values)
    return curves


def _hyper_text(kwargs: dict[str, float]) -> str:
    return ", ".join(f"{key} = {value:g}" for key, value in kwargs.items())


@demo(
    id="optimizer-race",
    title={
        "en": "Optimizer race: SGD, momentum, Nesterov, AdaGrad, AdaDelta, RMSProp and Adam",
        "zh": "优化器对比：SGD、动量、Nesterov、AdaGrad、AdaDelta、RMSProp 与 Adam",
    },
    questions=("opt-gd-improvements",),
    params=(
        Param("kappa", 100.0, N_("condition number of the quadratic (200 steps)"), min=50, max=200),
        Param("steps", 1000, N_("steps on Rosenbrock"), min=500, max=20000),
    ),
)
def optimizer_race(rng: np.random.Generator, *, seed: int, kappa: float, steps: int) -> DemoResult:
    # The quadratic ½pᵀHp has eigenvalues 1 and κ along axes rotated by 30°, so per-coordinate scaling
    # (what adaptive methods do) cannot undo the conditioning. Starting points are fixed: the race is
    # deterministic and the seed does not matter.
    rot = _rotation(math.pi / 6)
    H = rot @ np.diag([1.0, kappa]) @ rot.T
    lr_q = 1.0 / kappa  # 1/L: the largest step plain GD can take without oscillating
    hyper_q = {
        "sgd": {"lr": lr_q},
        "momentum": {"lr": lr_q, "mu": 0.9},
        "nesterov": {"lr": lr_q, "mu": 0.9},
        "adagrad": {"lr": 1.0},
        "adadelta": {"lr": 1.0},
        "rmsprop": {"lr": 0.02},
        "adam": {"lr": 0.1},
    }
    lr_r = 1e-3  # the Rosenbrock valley's curvature reaches about 1000 near the minimum
    hyper_r = {
        "sgd": {"lr": lr_r},
        "momentum": {"lr": lr_r, "mu": 0.9},
        "nesterov": {"lr": lr_r, "mu": 0.9},
        "adagrad": {"lr": 0.5},
        "adadelta": {"lr": 1.0},
        "rmsprop": {"lr": 0.002},
        "adam": {"lr": 0.02},
    }
    quad = _race(lambda p: float(0.5 * p @ H @ p), lambda p: H @ p, np.array([4.0, 2.0]), 200, hyper_q)
    rosen = _race(_rosenbrock, _rosenbrock_grad, ROSENBROCK_START, steps, hyper_r)
    rows = tuple(
        (
            name,
            _hyper_text(hyper_q[name]),
            float(quad[name][-1]),
            _hyper_text(hyper_r[name]),
            float(rosen[name][-1]),
        )
        for name in OPTIMIZERS
    )
    q_ratio = float(quad["sgd"][-1] / quad["momentum"][-1])
    n_ratio = float(quad["sgd"][-1] / quad["nesterov"][-1])
    r_ratio = float(rosen["sgd"][-1] / rosen["momentum"][-1])
    worst = max(max(c[-1] / c[0] for c in quad.values()), max(c[-1] / c[0] for c in rosen.values()))
    checks = (
        check(_("quadratic: momentum beats plain SGD at the same lr (final loss SGD / momentum)"),
               q_ratio, "> 100", q_ratio > 100),
        check(_("quadratic: Nesterov beats plain SGD at the same lr (final loss SGD / Nesterov)"),
               n_ratio, "> 100", n_ratio > 100),
        check(_("Rosenbrock: momentum beats plain SGD at the same lr (final loss SGD / momentum)"),
               r_ratio, "> 10", r_ratio > 10),
        check(_("every optimizer lowers both losses (largest final / initial)"), worst, "< 1", worst < 1),
    )  # fmt: skip
    return DemoResult(
        "optimizer-race",
        _("Optimizer race"),
        {"kappa": kappa, "steps": steps},
        seed,
        summary=paragraph(
            _(
                "A quadratic with condition number κ = {kappa:g} (rotated 30°) from (4, 2), 200 steps, and "
                "the Rosenbrock function from (−1.2, 1), {steps} steps."
            ).format(kappa=kappa, steps=steps),
            _(
                "SGD, momentum and Nesterov share one lr per problem; the adaptive methods get hand-picked "
                "rates (not tuned per problem, so the ranking among them is not a verdict)."
            ),
            _(
                "Momentum damps the zig-zag across the narrow valley and keeps speed along it; AdaDelta "
                "starts slowly because its step size is built from past steps (√ε at first)."
            ),
        ),
        tables=(
            Table(
                _("final loss"),
                (
                    _("optimizer"),
                    _("quadratic: hyper-parameters"),
                    _("quadratic loss"),
                    _("Rosenbrock: hyper-parameters"),
                    _("Rosenbrock loss"),
                ),
                rows,
            ),
        ),  # fmt: skip
        plots=(
            Plot(
                _("ill-conditioned quadratic"),
                tuple(series(k, v) for k, v in quad.items()),
                xlabel=_("step"),
                ylabel=_("loss"),
                logy=True,
            ),
            Plot(
                _("Rosenbrock"),
                tuple(series(k, v) for k, v in rosen.items()),
                xlabel=_("step"),
                ylabel=_("loss"),
                logy=True,
            ),
        ),  # fmt: skip
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# adam-bias-correction


@demo(
    id="adam-bias-correction",
    title={
        "en": "Adam's bias correction: without it the first steps are larger, not smaller",
        "zh": "Adam 的偏差修正：不做修正时最初几步更大，而不是更小",
    },
    questions=("opt-gd-improvements", "opt-adaptive"),
    params=(
        Param("lr", 0.001, N_("learning rate η"), min=1e-6, max=1.0),
        Param("beta1", 0.9, N_("β1, decay of the first-moment EMA"), min=0.0, max=0.999),
        Param("beta2", 0.999, N_("β2, decay of the second-moment EMA"), min=0.9, max=0.99999),
        Param("rows", 12, N_("steps listed in the table"), min=1, max=50),
    ),
)
def adam_bias_correction(
    rng: np.random.Generator, *, seed: int, lr: float, beta1: float, beta2: float, rows: int
) -> DemoResult:
    horizon = 3000  # long enough to watch the ratio come back towards 1 (β2's memory is ~1/(1−β2) steps)
    # Three coordinates whose gradients differ in scale by 10⁴ (Adam's step does not depend on scale):
    # a fixed sign per coordinate times a magnitude that varies by ±50% from step to step.
    scales = np.array([1e-2, 1.0, 1e2])
    signs = rng.choice([-1.0, 1.0], size=3)
    grads = scales * signs * rng.uniform(0.5, 1.5, size=(horizon, 3))
    hyper = {"lr": lr, "beta1": beta1, "beta2": beta2}
    steps = {}
    for corrected in (True, False):
        params, state = np.zeros(3), None
        moves = np.empty((horizon, 3))
        for t in range(horizon):
            new, state = adam(params, grads[t], state, bias_correction=corrected, **hyper)
            moves[t] = np.abs(new - params)
            params = new
        steps[corrected] = moves
    ratio = steps[False] / steps[True]  # per step and coordinate: uncorrected / corrected
    t = np.arange(1, horizon + 1)
    formula = (1.0 - beta1**t) / np.sqrt(1.0 - beta2**t)  # ε aside, m/√v vs m̂/√v̂ differ by exactly this
    deviation = float(np.max(np.abs(ratio / formula[:, None] - 1.0)))
    first_corrected = float(np.max(np.abs(steps[True][0] / lr - 1.0)))
    first = float(np.mean(ratio[0]))
    first_formula = (1.0 - beta1) / math.sqrt(1.0 - beta2)
    peak = int(np.argmax(formula))
    first_claim = (
        _("uncorrected first step is (1−β1)/√(1−β2) = {ratio:.3f}x the corrected one (larger)")
        if first_formula > 1
        else _("uncorrected first step is (1−β1)/√(1−β2) = {ratio:.3f}x the corrected one (smaller)")
    )
    checks = [
        check(_("corrected first step moves each coordinate by η, whatever the gradient scale "
                "(max |Δ/η − 1|)"),
               first_corrected, "< 1e-4", first_corrected < 1e-4),
        check(first_claim.format(ratio=first_formula),
               first, f"{first_formula:.3f} ± 0.1%", abs(first / first_formula - 1.0) < 1e-3),
        check(_("at every step t the ratio is (1−β1ᵗ)/√(1−β2ᵗ), whatever the gradients (max rel. deviation)"),
               deviation, "< 1e-3", deviation < 1e-3),
    ]  # fmt: skip
    if np.all(formula > 1):  # true for the defaults: then say so, and check it
        smallest = float(ratio.min())
        checks.append(
            check(_("uncorrected steps are larger at every one of the first {horizon} steps (smallest ratio)")
                   .format(horizon=horizon),
                   smallest, "> 1", smallest > 1)
        )  # fmt: skip
    table_rows = tuple(
        (int(t[i]), float(steps[True][i, 1] / lr), float(steps[False][i, 1] / lr), float(ratio[i, 1]),
         float(formula[i]))
        for i in range(min(rows, horizon))
    )  # fmt: skip
    # log-spaced steps: the interesting part is the first hundred, the tail shows the return towards 1
    shown = np.unique(np.geomspace(1, horizon, MAX_POINTS).round().astype(int)) - 1
    return DemoResult(
        "adam-bias-correction",
        _("Adam with and without bias correction"),
        {"lr": lr, "beta1": beta1, "beta2": beta2, "rows": rows},
        seed,
        summary=paragraph(
            _(
                "The same gradient stream (three coordinates with gradient scales 0.01, 1 and 100) is fed to "
                "Adam with and without bias correction."
            ),
            _(
                "m and v start at zero, so early on both are biased towards zero: m by the factor 1−β1ᵗ, "
                "v by 1−β2ᵗ, and v more strongly."
            ),
            _(
                "Without correction the step is therefore (1−β1ᵗ)/√(1−β2ᵗ) times the corrected one: "
                "{first:.2f}x at t = 1, {peak:.2f}x at its peak (t = {peak_t}), and it falls back towards 1 "
                "only after about 1/(1−β2) steps."
            ).format(first=first_formula, peak=formula[peak], peak_t=peak + 1),
            _("With correction, the first step is η·g/(|g| + ε) ≈ η for every coordinate."),
        ),
        tables=(
            Table(
                _("step size of the scale-1 coordinate, in units of η"),
                ("t", _("corrected |Δθ|/η"), _("uncorrected |Δθ|/η"), _("ratio"), "(1−β1ᵗ)/√(1−β2ᵗ)"),
                table_rows,
            ),
        ),  # fmt: skip
        plots=(
            Plot(
                _("uncorrected / corrected step size"),
                (
                    series(_("measured"), ratio[shown, 1], t[shown]),
                    series("(1−β1ᵗ)/√(1−β2ᵗ)", formula[shown], t[shown]),
                ),
                xlabel=_("step t"),
                ylabel=_("ratio"),
            ),
        ),
        checks=tuple(checks),
    )


# ---------------------------------------------------------------------------------------------------
# newton-vs-gd


def _armijo(
    f: Callable[[np.ndarray], float], x: np.ndarray, fx: float, g: np.ndarray, d: np.ndarray, t: float
) -> tuple[np.ndarray, float, float, int]:
    """Backtracking line search from step t: halve until f(x + t·d) ≤ f(x) + 1e-4·t·gᵀd (Armijo)."""
    slope = float(g @ d)
    evals = 0
    while True:
        x_new = x + t * d
        f_new = f(x_new)
        evals += 1
        if f_new <= fx + 1e-4 * t * slope or t < 1e-14:
            return x_new, f_new, t, evals
        t *= 0.5


def _newton_rosenbrock(tol: float, max_iter: int = 100) -> tuple[list[float], list[float], int]:
    """Damped Newton: direction −H⁻¹∇f (H shifted to be positive definite if needed), Armijo steps from 1."""
    x = ROSENBROCK_START
    fx, g = _rosenbrock(x), _rosenbrock_grad(x)
    values, norms, evals = [fx], [math.hypot(*g)], 1
    while norms[-1] > tol and len(norms) <= max_iter:
        H = _rosenbrock_hess(x)
        smallest = float(np.linalg.eigvalsh(H)[0])
        if smallest <= 1e-8:  # not a descent direction otherwise: shift the spectrum
            H = H + (1e-3 - smallest) * np.eye(2)
        x, fx, _, used = _armijo(_rosenbrock, x, fx, g, -np.linalg.solve(H, g), 1.0)
        g = _rosenbrock_grad(x)
        values.append(fx)
        norms.append(math.hypot(*g))
        evals += used
    return values, norms, evals


def _gd_rosenbrock(iterations: int) -> tuple[list[float], list[float], int]:
    """Steepest descent with the same Armijo search, each search starting from twice the last step."""
    x = ROSENBROCK_START
    fx, g = _rosenbrock(x), _rosenbrock_grad(x)
    values, norms, evals, t = [fx], [math.hypot(*g)], 1, 1.0
    for _iteration in range(iterations):
        x, fx, t, used = _armijo(_rosenbrock, x, fx, g, -g, min(1.0, 2.0 * t))
        g = _rosenbrock_grad(x)
        values.append(fx)
        norms.append(math.hypot(*g))
        evals += used
    return values, norms, evals


def _first_below(values: Sequence[float], level: float) -> int | None:
    hits = np.flatnonzero(np.asarray(values) < level)
    return int(hits[0]) if hits.size else None


@demo(
    id="newton-vs-gd",
    title={
        "en": "Newton's method vs gradient descent: one step on a quadratic, tens vs thousands on Rosenbrock",
        "zh": "牛顿法与梯度下降：二次函数一步到位，Rosenbrock 函数上几十步对几千步",
    },
    questions=("opt-newton", "opt-gd-vs-newton"),
    params=(
        Param("n", 50, N_("dimension of the quadratic"), min=2, max=300),
        Param("gd_iterations", 3000, N_("gradient-descent iterations on Rosenbrock"), min=100, max=50000),
    ),
)
def newton_vs_gd(rng: np.random.Generator, *, seed: int, n: int, gd_iterations: int) -> DemoResult:
    # 1. A quadratic ½xᵀAx − bᵀx (κ = 100): the Newton step x − A⁻¹(Ax − b) lands on x* = A⁻¹b exactly.
    A = _spd_matrix(rng, n, 100.0)
    b = rng.normal(size=n)
    x_star = np.linalg.solve(A, b)
    x0 = rng.normal(size=n)
    x1 = x0 - np.linalg.solve(A, A @ x0 - b)
    newton_error = float(np.linalg.norm(x1 - x_star) / np.linalg.norm(x0 - x_star))
    gd_quad = _gd_quadratic(A, b, 1.0 / 100.0, 1e-8, 100_000)  # relative gradient norm to 1e-8

    # 2. Rosenbrock: damped Newton vs steepest descent with the same line search.
    n_values, n_norms, n_evals = _newton_rosenbrock(1e-8)
    g_values, g_norms, g_evals = _gd_rosenbrock(gd_iterations)
    n_iters = len(n_norms) - 1
    level = 1e-3
    newton_at, gd_at = _first_below(n_values, level), _first_below(g_values, level)
    gd_needs = str(gd_at) if gd_at is not None else _("more than {count}").format(count=gd_iterations)
    # quadratic convergence: near x*, ‖∇f_{k+1}‖ ≤ C‖∇f_k‖²; a linear rate would make this ratio blow up
    tail = np.array(n_norms[-4:])
    quad_const = float(np.max(tail[1:] / tail[:-1] ** 2))

    # 3. A saddle, f = x² − y²: the pure Newton step −H⁻¹∇f goes to the critical point, whatever its kind.
    p = rng.normal(size=2)
    H_saddle = np.diag([2.0, -2.0])
    saddle_newton = p - np.linalg.solve(H_saddle, H_saddle @ p)
    checks = (
        check(_("Newton solves a quadratic in one step (‖x₁ − x*‖ / ‖x₀ − x*‖)"),
               newton_error, "< 1e-10", newton_error < 1e-10),
        check(_("Rosenbrock: damped Newton reaches ‖∇f‖ < 1e-8 within 30 iterations (iterations)"),
               n_iters, "<= 30", n_norms[-1] < 1e-8 and n_iters <= 30),
        check(_("Newton converges quadratically at the end (max ‖∇f_{k+1}‖ / ‖∇f_k‖² over its last 3 steps)"),
               quad_const, "< 100", quad_const < 100),
        check(_("GD needs over 50x Newton's iterations to get f below {level:g} (ratio)").format(level=level),
               (gd_at or gd_iterations) / (newton_at or 1), "> 50",
               newton_at is not None and (gd_at is None or gd_at > 50 * newton_at)),
        check(_("on f = x² − y² a pure Newton step jumps onto the saddle (distance to it)"),
               float(np.linalg.norm(saddle_newton)), "< 1e-12", np.linalg.norm(saddle_newton) < 1e-12),
    )  # fmt: skip
    rows = (
        (_("quadratic, Newton"), 1, 1, newton_error),
        (_("quadratic, GD (step 1/L)"), len(gd_quad) - 1, len(gd_quad) - 1, gd_quad[-1]),
        (_("Rosenbrock, damped Newton"), n_iters, n_evals, n_norms[-1]),
        (_("Rosenbrock, GD + line search"), len(g_norms) - 1, g_evals, g_norms[-1]),
    )
    return DemoResult(
        "newton-vs-gd",
        _("Newton's method vs gradient descent"),
        {"n": n, "gd_iterations": gd_iterations},
        seed,
        summary=paragraph(
            _(
                "On a quadratic (n = {n}, κ = 100) Newton's step lands on the minimizer; GD needs {gd_steps} "
                "steps."
            ).format(n=n, gd_steps=len(gd_quad) - 1),
            _(
                "On Rosenbrock from (−1.2, 1), Newton with a line search reaches ‖∇f‖ < 1e-8 in {iterations} "
                "iterations, the last few doubling the correct digits; steepest descent with the same line "
                "search takes {gd_needs} iterations to get f below {level:g} and is at f = {final:.2g} after "
                "{gd_iterations}."
            ).format(
                iterations=n_iters,
                gd_needs=gd_needs,
                level=level,
                final=g_values[-1],
                gd_iterations=gd_iterations,
            ),
            _(
                "Each Newton step needs the Hessian (n² numbers) and a solve (O(n³)); a pure Newton step "
                "also heads for saddle points, since it only looks for ∇f = 0."
            ),
        ),
        tables=(
            Table(
                _("iterations"),
                (_("run"), _("iterations"), _("function evaluations"), _("final error / ‖∇f‖")),
                rows,
            ),
        ),
        plots=(
            Plot(
                _("damped Newton on Rosenbrock"),
                (series("‖∇f‖", n_norms),),
                xlabel=_("iteration"),
                ylabel="‖∇f‖",
                logy=True,
            ),
            Plot(
                _("gradient descent on Rosenbrock"),
                (series("‖∇f‖", g_norms),),
                xlabel=_("iteration"),
                ylabel="‖∇f‖",
                logy=True,
            ),
        ),  # fmt: skip
        checks=checks,
    )
