"""Loss-function demos: L1 / L2 / Smooth L1, mean vs median, CE vs MSE, multi-label, logistic regression."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dlquiz.demos.registry import DemoResult, Param, Plot, Table, check, demo, paragraph, series
from dlquiz.i18n import N_, _
from dlquiz.kernels.gradcheck import numeric_gradient, relative_error
from dlquiz.kernels.losses import (
    l1,
    logistic_regression,
    mse,
    sigmoid,
    sigmoid_binary_cross_entropy,
    smooth_l1,
    softmax,
    softmax_cross_entropy,
)

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def _per_element_grad(loss: LossFn, pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """d(loss of one element)/d(pred): the kernels return the gradient of the mean, so undo the 1/n."""
    return loss(pred, target)[1] * pred.size


# ---------------------------------------------------------------------------------------------------
# regression-loss-gradients


@demo(
    id="regression-loss-gradients",
    title={
        "en": "Gradients of L1, L2 and Smooth L1 against the residual",
        "zh": "L1、L2 与 Smooth L1 损失的梯度随残差的变化",
    },
    questions=("loss-smooth-l1", "loss-l1-vs-l2"),
    params=(
        Param("beta", 1.0, N_("Smooth L1's switch point β (quadratic for |r| < β)"), min=0.1, max=3.0),
        Param("outlier", 100.0, N_("residual of an outlier"), min=5.0, max=1e6),
    ),
)
def regression_loss_gradients(
    rng: np.random.Generator, *, seed: int, beta: float, outlier: float
) -> DemoResult:
    r = np.linspace(-3.0, 3.0, 121)  # residual ŷ − y, step 0.05
    zeros = np.zeros_like(r)

    def smooth(p: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
        return smooth_l1(p, t, beta=beta)

    losses: dict[str, LossFn] = {"L1": l1, _("L2 (squared)"): mse, f"Smooth L1 (β = {beta:g})": smooth}
    grads = {name: _per_element_grad(fn, r, zeros) for name, fn in losses.items()}
    values = {name: np.array([fn(np.array([v]), np.zeros(1))[0] for v in r]) for name, fn in losses.items()}
    name_l1, name_l2, name_s = losses

    probe = np.array([0.01, 0.5 * beta, beta, 2.0 * beta, outlier])
    probe_grads = {name: _per_element_grad(fn, probe, np.zeros_like(probe)) for name, fn in losses.items()}
    rows = tuple((float(v), *(float(probe_grads[name][i]) for name in losses)) for i, v in enumerate(probe))
    smooth_bound = float(max(np.abs(grads[name_s]).max(), np.abs(probe_grads[name_s]).max()))
    inside = np.abs(r) < beta
    shrink = float(np.max(np.abs(grads[name_s][inside] - r[inside] / beta))) if inside.any() else 0.0
    tiny = 1e-12  # value and slope just below and above the switch point |r| = β
    edge = np.array([beta - tiny, beta + tiny])
    edge_values = [smooth(np.array([v]), np.zeros(1))[0] for v in edge]
    edge_slopes = _per_element_grad(smooth, edge, np.zeros(2))
    jump = max(abs(edge_values[1] - edge_values[0]), abs(float(edge_slopes[1] - edge_slopes[0])))
    # numeric gradients away from the kinks (r = 0 for L1, |r| = β for Smooth L1)
    smooth_points = r[(np.abs(r) > 0.02) & (np.abs(np.abs(r) - beta) > 0.02)]
    numeric_error = 0.0
    for fn in losses.values():
        analytic = fn(smooth_points, np.zeros_like(smooth_points))[1]
        numeric = numeric_gradient(lambda p, fn=fn: fn(p, np.zeros_like(p))[0], smooth_points)
        numeric_error = max(numeric_error, float(np.max(np.abs(analytic - numeric))))
    l2_outlier = float(probe_grads[name_l2][-1])
    checks = (
        check(_("Smooth L1's gradient is bounded by 1, outliers included (largest |gradient|)"),
               smooth_bound, "<= 1", smooth_bound <= 1.0),
        check(_("L2's gradient grows with the residual: 2r = {two_r:g} at the outlier r = {outlier:g}")
               .format(two_r=2 * outlier, outlier=outlier),
               l2_outlier, f"= {2 * outlier:g}", math.isclose(l2_outlier, 2 * outlier, rel_tol=1e-12)),
        check(_("Smooth L1's gradient shrinks to 0 with the residual: it is r/β for |r| < β (max deviation)"),
               shrink, "< 1e-12", shrink < 1e-12),
        check(_("L1's gradient stays ±1 however small the residual (|gradient| at r = 0.01)"),
               abs(float(probe_grads[name_l1][0])), "= 1", abs(probe_grads[name_l1][0]) == 1.0),
        check(_("Smooth L1's value and slope are continuous at |r| = β (largest jump across it)"),
               jump, "< 1e-9", jump < 1e-9),
        check(_("the kernels' gradients match centered differences away from the kinks (max abs error)"),
               numeric_error, "< 1e-8", numeric_error < 1e-8),
    )  # fmt: skip
    return DemoResult(
        "regression-loss-gradients",
        _("Gradients of L1, L2 and Smooth L1"),
        {"beta": beta, "outlier": outlier},
        seed,
        summary=paragraph(
            _("Per-element loss and gradient against the residual r = ŷ − y."),
            _(
                "L2's gradient 2r grows without bound, so one outlier can dominate a batch; L1's gradient is "
                "±1 everywhere, even for tiny residuals, so it keeps overshooting near the optimum and has a "
                "kink at 0."
            ),
            _(
                "Smooth L1 is quadratic for |r| < β (gradient r/β, shrinking to 0) and linear beyond "
                "(gradient ±1): robust and smooth."
            ),
            _("β = 1 is the Fast R-CNN choice."),
        ),
        tables=(Table(_("gradient d loss / d r"), ("r", *losses), rows),),
        plots=(
            Plot(
                _("gradient vs residual"),
                tuple(series(n, g, r) for n, g in grads.items()),
                xlabel=_("residual r"),
                ylabel="d loss / d r",
            ),
            Plot(
                _("loss vs residual"),
                tuple(series(n, v, r) for n, v in values.items()),
                xlabel=_("residual r"),
                ylabel=_("loss"),
            ),
        ),  # fmt: skip
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# mean-vs-median


def _fit_constant(data: np.ndarray, loss: LossFn, steps: int, lr: Callable[[int], float]) -> float:
    """Gradient descent on c for mean loss(c, data); returns the final c (started at 0)."""
    c = 0.0
    for t in range(steps):
        _, grad = loss(np.full(data.size, c), data)
        c -= lr(t) * float(grad.sum())  # every prediction is c: dL/dc is the sum over the batch
    return c


def _fit_l2(data: np.ndarray) -> float:
    # dL/dc = 2(c − mean): step 0.25 halves the distance to the mean at every step
    return _fit_constant(data, mse, 100, lambda t: 0.25)


def _fit_l1(data: np.ndarray) -> float:
    # dL/dc = (#below − #above)/n is a count, not a distance: a decaying step is needed to settle
    return _fit_constant(data, l1, 600, lambda t: 0.97**t)


@demo(
    id="mean-vs-median",
    title={
        "en": "Fitting a constant with outliers: L2 gives the mean, L1 the median",
        "zh": "含离群点时拟合常数：L2 损失得到均值，L1 损失得到中位数",
    },
    questions=("loss-l1-vs-l2",),
    params=(Param("outliers", 5, N_("how many of the 51 points are outliers"), min=0, max=20),),
)
def mean_vs_median(rng: np.random.Generator, *, seed: int, outliers: int) -> DemoResult:
    n = 51  # odd, so the median (the L1 minimizer) is unique
    data = np.concatenate([rng.normal(5.0, 1.0, n - outliers), rng.uniform(50.0, 100.0, outliers)])
    farther = data.copy()
    farther[n - outliers :] *= 10.0  # the same outliers, ten times as far
    datasets = ((N_("data"), data), (N_("outliers 10x farther"), farther))  # English keys; shown as _(name)
    fits = {name: (_fit_l2(x), _fit_l1(x)) for name, x in datasets}
    c2, c1 = fits["data"]
    f2, f1 = fits["outliers 10x farther"]
    mean, median = float(data.mean()), float(np.median(data))
    rows = tuple(
        (_(name), float(x.mean()), fits[name][0], float(np.median(x)), fits[name][1]) for name, x in datasets
    )
    grid = np.linspace(min(mean, median) - 3.0, max(mean, median) + 3.0, 200)
    curves = {
        "L2": np.array([mse(np.full(n, c), data)[0] for c in grid]),
        "L1": np.array([l1(np.full(n, c), data)[0] for c in grid]),
    }
    checks = (
        check(_("minimizing L2 gives the mean (|fit − mean|)"),
               abs(c2 - mean), "< 1e-9", abs(c2 - mean) < 1e-9),
        check(_("minimizing L1 gives the median (|fit − median|)"),
               abs(c1 - median), "< 1e-6", abs(c1 - median) < 1e-6),
        check(_("moving the outliers 10x farther does not move the L1 fit (change)"),
               abs(f1 - c1), "< 1e-6", abs(f1 - c1) < 1e-6),
    )  # fmt: skip
    if outliers:
        checks += (
            check(_("... but drags the L2 fit along (change)"), abs(f2 - c2), "> 1", abs(f2 - c2) > 1),
        )  # fmt: skip
    return DemoResult(
        "mean-vs-median",
        _("Mean vs median: L2 vs L1"),
        {"outliers": outliers},
        seed,
        summary=paragraph(
            _("{inliers} points from N(5, 1) and {outliers} outliers in [50, 100].").format(
                inliers=n - outliers, outliers=outliers
            ),
            _(
                "A constant c fitted by gradient descent on mean (c − xᵢ)² converges to the mean, on "
                "mean |c − xᵢ| to the median."
            ),
            _(
                "The median ignores how far the outliers are, only on which side they lie: L1 is the robust "
                "choice, L2 the one that estimates a conditional mean."
            ),
        ),
        tables=(
            Table(_("fitted constant"), (_("data"), _("mean"), _("L2 fit"), _("median"), _("L1 fit")), rows),
        ),
        plots=(
            Plot(
                _("loss of the constant c (relative to its minimum over the grid)"),
                tuple(series(k, v / v.min(), grid) for k, v in curves.items()),
                xlabel="c",
                ylabel=_("loss / min"),
            ),
        ),  # fmt: skip
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# ce-vs-mse-gradient


@demo(
    id="ce-vs-mse-gradient",
    title={
        "en": "Cross-entropy vs MSE on a sigmoid output: the MSE gradient vanishes when confidently wrong",
        "zh": "Sigmoid 输出上的交叉熵与均方误差：预测自信地错误时 MSE 梯度消失",
    },
    questions=("loss-ce-vs-mse",),
    params=(
        Param(
            "z", -10.0, N_("logit of a confidently wrong prediction (the target is 1)"), min=-30.0, max=-5.0
        ),
    ),
)
def ce_vs_mse_gradient(rng: np.random.Generator, *, seed: int, z: float) -> DemoResult:
    logits = np.linspace(-10.0, 10.0, 201)

    def ce(zs: np.ndarray) -> tuple[float, np.ndarray]:
        return sigmoid_binary_cross_entropy(zs, np.ones_like(zs))

    def mse_on_sigmoid(zs: np.ndarray) -> tuple[float, np.ndarray]:
        p = sigmoid(zs)
        loss, d_p = mse(p, np.ones_like(zs))
        return loss, d_p * p * (1.0 - p)  # chain rule through σ'(z) = σ(z)(1 − σ(z))

    def per_element(fn: Callable[[np.ndarray], tuple[float, np.ndarray]], zs: np.ndarray) -> np.ndarray:
        return fn(zs)[1] * zs.size

    g_ce, g_mse = per_element(ce, logits), per_element(mse_on_sigmoid, logits)
    at = np.array([z])
    ce_z, mse_z = float(per_element(ce, at)[0]), float(per_element(mse_on_sigmoid, at)[0])
    p_z = float(sigmoid(at)[0])
    peak = float(logits[np.argmax(np.abs(g_mse))])
    ce_monotone = int(np.sum(np.diff(np.abs(g_ce)) > 0))  # |p − 1| must fall as z rises
    numeric_error = max(
        float(np.max(np.abs(fn(logits)[1] - numeric_gradient(lambda v, fn=fn: fn(v)[0], logits))))
        for fn in (ce, mse_on_sigmoid)
    )
    probe = np.array([z, -5.0, -2.0, -math.log(2.0), 0.0, 2.0, 5.0])
    rows = tuple(
        (float(v), float(sigmoid(np.array([v]))[0]), float(per_element(ce, np.array([v]))[0]),
         float(per_element(mse_on_sigmoid, np.array([v]))[0]))
        for v in probe
    )  # fmt: skip
    checks = (
        check(_("cross-entropy's gradient at z = {z:g} (p = {p:.2g}, target 1) is p − 1: nearly −1")
               .format(z=z, p=p_z),
               ce_z, "< −0.99", ce_z < -0.99),
        check(_("MSE's gradient there is 2(p − 1)·p(1 − p): it vanishes (|gradient|)"),
               abs(mse_z), "< 0.02", abs(mse_z) < 0.02),
        check(_("MSE's gradient peaks at p = 1/3 (z = −ln 2), not where the prediction is most wrong "
                "(argmax)"),
               peak, "−0.693 ± 0.05", abs(peak + math.log(2.0)) <= 0.05),
        check(_("cross-entropy's |gradient| only grows as the prediction gets more wrong (violations)"),
               ce_monotone, "= 0", ce_monotone == 0),
        check(_("both gradients match centered differences (max abs error)"),
               numeric_error, "< 1e-8", numeric_error < 1e-8),
    )  # fmt: skip
    return DemoResult(
        "ce-vs-mse-gradient",
        _("Cross-entropy vs MSE on a sigmoid output"),
        {"z": z},
        seed,
        summary=paragraph(
            _("One sigmoid output p = σ(z) with target y = 1."),
            _("With cross-entropy, ∂L/∂z = p − y: the more wrong, the larger the gradient."),
            _(
                "With MSE, ∂L/∂z = 2(p − y)·p(1 − p): the factor σ'(z) = p(1 − p) goes to zero when the unit "
                "saturates, so at z = {z:g} the MSE gradient is {ratio:.2g} times the cross-entropy one and "
                "learning stalls exactly when the model is confidently wrong."
            ).format(z=z, ratio=abs(mse_z / ce_z)),
        ),
        tables=(
            Table(
                _("gradient with respect to the logit (target 1)"),
                ("z", "p = σ(z)", "∂CE/∂z", "∂MSE/∂z"),
                rows,
            ),
        ),  # fmt: skip
        plots=(
            Plot(
                _("gradient with respect to the logit, target 1"),
                (series(_("cross-entropy"), g_ce, logits), series("MSE", g_mse, logits)),
                xlabel="z",
                ylabel="∂L/∂z",
            ),
        ),  # fmt: skip
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# multilabel-bce


@demo(
    id="multilabel-bce",
    title={
        "en": "Multi-label targets: softmax must split probability, per-label sigmoid BCE does not",
        "zh": "多标签目标：softmax 必须分摊概率，逐标签 sigmoid 二元交叉熵则不必",
    },
    questions=("loss-multilabel",),
    params=(
        Param("steps", 300, N_("gradient-descent steps on the logits"), min=100, max=5000),
        Param("labels", 5, N_("number of labels (the first two are positive)"), min=3, max=20),
    ),
)
def multilabel_bce(rng: np.random.Generator, *, seed: int, steps: int, labels: int) -> DemoResult:
    target = np.zeros(labels)
    target[:2] = 1.0
    start = 0.1 * rng.normal(size=labels)
    # Softmax CE with two positives is the CE of each positive label, averaged: ½(−log p₀ − log p₁).
    # The kernel does exactly that with the logits repeated once per positive label.
    positives = np.array([0, 1])

    def softmax_loss(z: np.ndarray) -> np.ndarray:
        _, grad = softmax_cross_entropy(np.vstack([z, z]), positives)
        return grad.sum(axis=0)

    def bce_loss(z: np.ndarray) -> np.ndarray:
        return sigmoid_binary_cross_entropy(z, target)[1]

    runs = {"softmax + CE": (softmax_loss, softmax, 1.0), "sigmoid + BCE": (bce_loss, sigmoid, float(labels))}
    history: dict[str, np.ndarray] = {}
    for name, (grad_fn, prob_fn, lr) in runs.items():
        z, probs = start.copy(), [prob_fn(start)]
        for _step in range(steps):
            z = z - lr * grad_fn(z)  # BCE's mean over labels divides each gradient by the label count
            probs.append(prob_fn(z))
        history[name] = np.array(probs)
    soft, sig = history["softmax + CE"], history["sigmoid + BCE"]
    pos_sum_max = float(np.max(soft[:, 0] + soft[:, 1]))
    soft_gap = float(np.max(np.abs(soft[-1, :2] - 0.5)))
    sig_pos, sig_neg = float(sig[-1, :2].min()), float(sig[-1, 2:].max())
    soft_over_half = int(np.max(np.sum(soft > 0.5, axis=1)))
    checks = (
        check(_("softmax: the two positives' probabilities never sum to more than 1 (max over training)"),
               pos_sum_max, "<= 1 + 1e-12", pos_sum_max <= 1.0 + 1e-12),
        check(_("softmax: the best it can do is 0.5 each (max |p − 0.5| over the positives at the end)"),
               soft_gap, "< 0.01", soft_gap < 0.01),
        check(_("softmax: at most one label can be above 0.5 at any time (max count)"),
               soft_over_half, "<= 1", soft_over_half <= 1),
        check(_("sigmoid + BCE: both positives go to 1 (smaller positive probability)"),
               sig_pos, "> 0.95", sig_pos > 0.95),
        check(_("sigmoid + BCE: the negatives go to 0 (largest negative probability)"),
               sig_neg, "< 0.05", sig_neg < 0.05),
    )  # fmt: skip
    rows = tuple(
        ((_("label {k} (positive)") if target[k] else _("label {k} (negative)")).format(k=k),
         float(target[k]), float(soft[-1, k]), float(sig[-1, k]))
        for k in range(labels)
    )  # fmt: skip
    return DemoResult(
        "multilabel-bce",
        _("Softmax CE vs per-label BCE on a multi-label target"),
        {"steps": steps, "labels": labels},
        seed,
        summary=paragraph(
            _("One example with {labels} labels, two of them present (target {target}).").format(
                labels=labels, target=target.astype(int).tolist()
            ),
            _("Gradient descent on the logits."),
            _(
                "Softmax probabilities sum to 1, so two positives must share: the optimum of the softmax "
                "cross-entropy is 0.5 each, and a 0.5 threshold would predict neither (top-1 only one)."
            ),
            _(
                "Independent sigmoids with binary cross-entropy treat each label as its own yes/no question "
                "and can drive every positive to 1 and every negative to 0."
            ),
        ),
        tables=(
            Table(
                _("probabilities after {steps} steps").format(steps=steps),
                (_("label"), _("target"), "softmax", "sigmoid"),
                rows,
            ),
        ),
        plots=(
            Plot(
                _("probability of the two positive labels"),
                (
                    series("softmax p₀", soft[:, 0]),
                    series("softmax p₁", soft[:, 1]),
                    series("sigmoid p₀", sig[:, 0]),
                    series("sigmoid p₁", sig[:, 1]),
                ),
                xlabel=_("step"),
                ylabel=_("probability"),
            ),
        ),
        checks=checks,
    )


# ---------------------------------------------------------------------------------------------------
# logreg-gradient


@demo(
    id="logreg-gradient",
    title={
        "en": "Logistic regression: the analytic gradient (1/m)Xᵀ(p − y) + λw against a numeric one",
        "zh": "逻辑回归：解析梯度 (1/m)Xᵀ(p − y) + λw 与数值梯度的对比",
    },
    questions=("loss-logistic-regression",),
    params=(
        Param(
            "lam",
            0.1,
            N_("L2 strength λ (the loss adds λ/2·‖w‖²; the bias is not penalized)"),
            min=0.0,
            max=10.0,
        ),
        Param("m", 50, N_("number of examples"), min=5, max=2000),
    ),
)
def logreg_gradient(rng: np.random.Generator, *, seed: int, lam: float, m: int) -> DemoResult:
    d = 4
    X = rng.normal(size=(m, d))
    y = (X @ rng.normal(size=d) + 0.5 * rng.normal(size=m) > 0).astype(float)
    w, b = rng.normal(size=d), float(rng.normal())

    def numeric(l2: float) -> tuple[np.ndarray, float]:
        dw = numeric_gradient(lambda v: logistic_regression(v, b, X, y, l2)[0], w)
        db = numeric_gradient(lambda v: logistic_regression(w, float(v[0]), X, y, l2)[0], np.array([b]))
        return dw, float(db[0])

    results = {}
    for l2 in (0.0, lam):
        _loss, dw, db = logistic_regression(w, b, X, y, l2)
        results[l2] = (dw, db, *numeric(l2))
    # the textbook formula, written out here independently of the kernel
    p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    by_hand = X.T @ (p - y) / m + lam * w
    dw0, db0, ndw0, ndb0 = results[0.0]
    dwl, dbl, ndwl, ndbl = results[lam]
    err0 = relative_error(np.append(dw0, db0), np.append(ndw0, ndb0))
    errl = relative_error(np.append(dwl, dbl), np.append(ndwl, ndbl))
    formula_err = relative_error(dwl, by_hand)
    checks = (
        check(_("without regularization, analytic = numeric gradient (relative error, w and b)"),
               err0, "< 1e-7", err0 < 1e-7),
        check(_("with λ = {lam:g}, analytic = numeric gradient (relative error, w and b)").format(lam=lam),
               errl, "< 1e-7", errl < 1e-7),
        check(_("the kernel's ∂L/∂w is (1/m)Xᵀ(p − y) + λw written out by hand (relative difference)"),
               formula_err, "< 1e-12", formula_err < 1e-12),
        check(_("the L2 term leaves the bias gradient unchanged (|∂L/∂b with λ − without|)"),
               abs(dbl - db0), "< 1e-15", abs(dbl - db0) < 1e-15),
    )  # fmt: skip
    names = [f"w{i}" for i in range(d)] + ["b"]
    columns = [np.append(dw0, db0), np.append(ndw0, ndb0), np.append(dwl, dbl), np.append(ndwl, ndbl)]
    rows = tuple((names[i], *(float(col[i]) for col in columns)) for i in range(d + 1))
    return DemoResult(
        "logreg-gradient",
        _("Logistic regression gradient: analytic vs numeric"),
        {"lam": lam, "m": m},
        seed,
        summary=paragraph(
            _(
                "m = {m} examples, {d} features, p = σ(Xw + b), L = mean binary cross-entropy + (λ/2)‖w‖²."
            ).format(m=m, d=d),
            _(
                "The analytic gradient (1/m)Xᵀ(p − y) + λw, ∂L/∂b = mean(p − y), agrees with centered finite "
                "differences (h = 1e-5) to a relative {error:.1g}."
            ).format(error=max(err0, errl)),
            _(
                "The sigmoid's derivative cancels against the log in the loss, which is why the gradient is "
                "simply the error p − y times the input."
            ),
            _("With L1 instead, the penalty's subgradient is λ·sign(w)."),
        ),
        tables=(
            Table(
                _("gradient at a random (w, b)"),
                (
                    _("parameter"),
                    _("analytic, λ = {lam:g}").format(lam=0),
                    _("numeric, λ = {lam:g}").format(lam=0),
                    _("analytic, λ = {lam:g}").format(lam=lam),
                    _("numeric, λ = {lam:g}").format(lam=lam),
                ),
                rows,
            ),
        ),  # fmt: skip
        checks=checks,
    )
