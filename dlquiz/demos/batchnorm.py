"""Batch-normalization demos: moments, parameters, deep-net statistics, backward, folding, inference."""

from __future__ import annotations

import math

import numpy as np

from dlquiz.demos.registry import DemoResult, Param, Plot, Series, Table, check, demo
from dlquiz.i18n import N_, _
from dlquiz.kernels.batchnorm import (
    batchnorm_backward,
    batchnorm_backward_compact,
    batchnorm_eval,
    batchnorm_forward,
    update_running_stats,
)
from dlquiz.kernels.conv import conv2d
from dlquiz.kernels.gradcheck import numeric_gradient, relative_error


def _skewness(x: np.ndarray) -> np.ndarray:
    centered = x - x.mean(axis=0)
    return np.mean(centered**3, axis=0) / np.mean(centered**2, axis=0) ** 1.5


@demo(
    id="bn-moments",
    title={
        "en": "Batch norm standardizes each feature's mean and variance, not its distribution",
        "zh": "批归一化标准化的是每个特征的均值和方差，而不是分布形状",
    },
    questions=("bn-what",),
    params=(
        Param("batch", 512, N_("examples in the batch"), min=128, max=8192),
        Param(
            "gamma", 2.0, N_("scale γ applied after normalizing (same for every feature)"), min=0.1, max=10.0
        ),
        Param("beta", 3.0, N_("shift β applied after normalizing"), min=-10.0, max=10.0),
        Param("eps", 1e-5, N_("ε added to the variance"), min=0.0, max=1.0),
    ),
)
def bn_moments(rng: np.random.Generator, *, seed: int, batch: int, gamma: float, beta: float, eps: float):
    names = (_("normal(5, 3²)"), _("10 + exponential(scale 2)"), _("uniform(-100, 100)"))
    x = np.column_stack(
        [rng.normal(5.0, 3.0, batch), 10.0 + rng.exponential(2.0, batch), rng.uniform(-100.0, 100.0, batch)]
    )
    d = x.shape[1]
    x_hat, _cache = batchnorm_forward(x, np.ones(d), np.zeros(d), eps)
    y, _cache = batchnorm_forward(x, np.full(d, gamma), np.full(d, beta), eps)
    var = x.var(axis=0)
    shrink = var / (var + eps)  # the variance BN actually produces: sigma^2 / (sigma^2 + eps)
    skew_x, skew_hat, skew_y = _skewness(x), _skewness(x_hat), _skewness(y)
    rows = tuple(
        (
            names[j],
            float(x[:, j].mean()),
            float(var[j]),
            float(skew_x[j]),
            float(x_hat[:, j].mean()),
            float(x_hat[:, j].var()),
            float(skew_hat[j]),
            float(y[:, j].mean()),
            float(y[:, j].std()),
        )
        for j in range(d)
    )
    table = Table(
        _("Per-feature moments of a batch of {batch}").format(batch=batch),
        (
            _("feature"),
            _("mean"),
            _("var"),
            _("skew"),
            _("mean x̂"),
            _("var x̂"),
            _("skew x̂"),
            _("mean y"),
            _("std y"),
        ),
        rows,
    )
    mean_err = float(np.abs(x_hat.mean(axis=0)).max())
    var_err = float(np.abs(x_hat.var(axis=0) - shrink).max())
    var_from_one = float(np.abs(x_hat.var(axis=0) - 1.0).max())
    affine_err = max(
        float(np.abs(y.mean(axis=0) - beta).max()),
        float(np.abs(y.std(axis=0) - gamma * np.sqrt(shrink)).max()),
    )
    skew_change = float(max(np.abs(skew_hat - skew_x).max(), np.abs(skew_y - skew_x).max()))
    checks = (
        check(
            _("After normalizing, every feature has batch mean 0"),
            mean_err,
            "max |mean| < 1e-12",
            mean_err < 1e-12,
        ),
        check(
            _("After normalizing, every feature has batch variance σ²/(σ²+ε)"),
            var_err,
            "max |var − σ²/(σ²+ε)| < 1e-12",
            var_err < 1e-12,
        ),
        check(
            _("That variance is ≈ 1 here (ε is tiny next to σ²)"),
            var_from_one,
            "max |var − 1| < 1e-4",
            var_from_one < 1e-4,
        ),
        check(
            _("γ and β then set the moments: mean = β, std = γ·σ/√(σ²+ε)"),
            affine_err,
            _("max deviation < 1e-12"),
            affine_err < 1e-12,
        ),
        check(
            _("The shape is unchanged: each feature's skewness is the same before and after BN"),
            skew_change,
            _("max |Δ skewness| < 1e-9"),
            skew_change < 1e-9,
        ),
        check(
            _("The skewed feature is still skewed after BN (a normal distribution has skewness 0)"),
            float(skew_hat[1]),
            _("skewness > 0.5"),
            skew_hat[1] > 0.5,
        ),
    )
    summary = _(
        "BN subtracts the batch mean and divides by the batch standard deviation per feature, then applies "
        "γ and β. It matches the first two moments only: an affine map with a positive scale keeps "
        "skewness and every other shape property, so BN output is not 'N(0, 1)-distributed'."
    )
    params = {"batch": batch, "gamma": gamma, "beta": beta, "eps": eps}
    return DemoResult(
        "bn-moments",
        "BN standardizes moments, not shape",
        params,
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


def _bn_layer(
    x: np.ndarray, learned: dict[str, np.ndarray], buffers: dict[str, np.ndarray], training: bool
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A BN layer as a framework runs it: batch statistics and an EMA update in training, buffers in eval."""
    if not training:
        return batchnorm_eval(x, learned["gamma"], learned["beta"], **buffers), buffers
    out, _ = batchnorm_forward(x, learned["gamma"], learned["beta"])
    mean, var = update_running_stats(buffers["running_mean"], buffers["running_var"], x)
    return out, {"running_mean": mean, "running_var": var}


@demo(
    id="bn-param-count",
    title={
        "en": "A BN layer learns 2C parameters (γ, β) and keeps 2C buffers (running mean and variance)",
        "zh": "BN 层有 2C 个可学习参数（γ、β）和 2C 个缓冲量（滑动均值与方差）",
    },
    questions=("bn-params",),
    params=(Param("channels", 64, N_("channels of the layer that is built and run"), min=1, max=4096),),
)
def bn_param_count(rng: np.random.Generator, *, seed: int, channels: int):
    def build(c: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        learned = {"gamma": np.ones(c), "beta": np.zeros(c)}
        buffers = {"running_mean": np.zeros(c), "running_var": np.ones(c)}
        return learned, buffers

    rows = []
    for c in sorted({16, 64, 256, 512, 2048, channels}):
        learned, buffers = build(c)
        n_learned = sum(a.size for a in learned.values())
        n_buffers = sum(a.size for a in buffers.values())
        rows.append((c, n_learned, n_buffers, n_learned + n_buffers))
    table = Table(
        _("Learned parameters vs buffers of one BN layer"),
        (_("channels C"), _("learned (γ, β)"), _("buffers (running mean, var)"), _("state_dict floats")),
        tuple(rows),
    )

    learned, buffers = build(channels)
    x = rng.normal(2.0, 3.0, size=(32, channels))
    # Training mode reads only the batch statistics, so moving the buffers cannot change the output:
    # the loss does not depend on them and backprop has nothing to send them.
    moved = {"running_mean": rng.normal(size=channels), "running_var": rng.uniform(0.5, 2.0, channels)}
    out_a, new_a = _bn_layer(x, learned, buffers, training=True)
    out_b, _buffers = _bn_layer(x, learned, moved, training=True)
    train_change = float(np.abs(out_a - out_b).max())
    buffer_change = float(np.abs(new_a["running_mean"] - buffers["running_mean"]).max())
    eval_a, _buffers = _bn_layer(x, learned, buffers, training=False)
    eval_b, _buffers = _bn_layer(x, learned, moved, training=False)
    eval_change = float(np.abs(eval_a - eval_b).max())
    n_learned = sum(a.size for a in learned.values())
    n_buffers = sum(a.size for a in buffers.values())
    checks = (
        check(
            _("Learned parameters of a {channels}-channel BN layer = 2C").format(channels=channels),
            n_learned,
            f"= {2 * channels}",
            n_learned == 2 * channels,
        ),
        check(
            _("Running-statistics buffers = 2C"), n_buffers, f"= {2 * channels}", n_buffers == 2 * channels
        ),
        check(
            _("In training mode the output does not depend on the running statistics"),
            train_change,
            _("max |Δ output| = 0"),
            train_change == 0.0,
        ),
        check(
            _("A training step moves the running mean by the EMA update instead"),
            buffer_change,
            _("max |Δ running mean| > 0"),
            buffer_change > 0,
        ),
        check(
            _("In eval mode it does: the buffers are used instead of batch statistics"),
            eval_change,
            "> 0",
            eval_change > 0,
        ),
    )
    summary = _(
        "γ and β (one pair per channel) are trained by gradient descent. The running mean and variance are "
        "buffers updated by an exponential moving average, not by gradients; ε and the momentum are "
        "hyper-parameters. PyTorch's state_dict also holds one integer buffer, num_batches_tracked."
    )
    return DemoResult(
        "bn-param-count",
        "BN parameters vs buffers",
        {"channels": channels},
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


def _deep_mlp_stats(
    x: np.ndarray, weights: list[np.ndarray], activation: str, use_bn: bool, upstream: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-layer activation std and norm of dL/d(layer input) for L = sum(upstream * output)."""
    width = x.shape[1]
    ones, zeros = np.ones(width), np.zeros(width)
    h, tape, act_std = x, [], []
    for w in weights:
        z = h @ w
        cache = None
        if use_bn:
            z, cache = batchnorm_forward(z, ones, zeros)
        a = np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
        tape.append((z, cache, a))
        act_std.append(float(a.std()))
        h = a
    g = upstream
    grad_norm = np.zeros(len(weights))
    for layer in reversed(range(len(weights))):
        z, cache, a = tape[layer]
        dz = g * (1.0 - a**2) if activation == "tanh" else g * (z > 0)
        if use_bn:
            dz, _, _ = batchnorm_backward(dz, cache)
        g = dz @ weights[layer].T
        grad_norm[layer] = np.linalg.norm(g)
    return np.array(act_std), grad_norm


@demo(
    id="bn-deep-stats",
    title={
        "en": "Activation and gradient statistics per layer of a deep MLP, with and without BN",
        "zh": "深层 MLP 各层激活值与梯度的统计量：有无批归一化对比",
    },
    questions=("bn-effects",),
    params=(
        Param("depth", 20, N_("hidden layers"), min=10, max=30),
        Param("width", 100, N_("units per layer"), min=16, max=256),
        Param("batch", 128, N_("examples in the batch"), min=32, max=1024),
        Param("activation", "tanh", N_("nonlinearity"), choices=("tanh", "relu")),
        Param(
            "init_scale",
            0.5,
            N_("weights ~ N(0, scale²/fan_in): below 1 (tanh) or √2 (ReLU) is too small"),
            min=0.1,
            max=0.5,
        ),
    ),
)
def bn_deep_stats(
    rng: np.random.Generator,
    *,
    seed: int,
    depth: int,
    width: int,
    batch: int,
    activation: str,
    init_scale: float,
):
    x = rng.normal(size=(batch, width))
    weights = [rng.normal(size=(width, width)) * init_scale / math.sqrt(width) for _ in range(depth)]
    upstream = rng.normal(size=(batch, width)) / batch  # the same dL/d(output) for both networks
    act_plain, grad_plain = _deep_mlp_stats(x, weights, activation, False, upstream)
    act_bn, grad_bn = _deep_mlp_stats(x, weights, activation, True, upstream)

    layers = tuple(float(i) for i in range(1, depth + 1))
    plots = (
        Plot(
            _("Activation std per layer"),
            (
                Series(_("no BN"), tuple(map(float, act_plain)), layers),
                Series("BN", tuple(map(float, act_bn)), layers),
            ),
            xlabel=_("layer"),
            ylabel=_("std"),
            logy=True,
        ),
        Plot(
            _("‖dL/d input‖ per layer"),
            (
                Series(_("no BN"), tuple(map(float, grad_plain)), layers),
                Series("BN", tuple(map(float, grad_bn)), layers),
            ),
            xlabel=_("layer"),
            ylabel=_("gradient norm"),
            logy=True,
        ),
    )
    rows = tuple(
        (i + 1, float(act_plain[i]), float(act_bn[i]), float(grad_plain[i]), float(grad_bn[i]))
        for i in sorted({0, 1, depth // 4, depth // 2, 3 * depth // 4, depth - 2, depth - 1})
    )
    table = Table(
        _("{depth}-layer {activation} MLP, weights N(0, {init_scale}²/fan_in)").format(
            depth=depth, activation=activation, init_scale=init_scale
        ),
        (_("layer"), _("act std, no BN"), _("act std, BN"), _("grad norm, no BN"), _("grad norm, BN")),
        rows,
    )
    act_ratio = act_plain[-1] / act_plain[0]
    grad_ratio_plain = grad_plain[0] / grad_plain[-1]
    grad_ratio_bn = grad_bn[0] / grad_bn[-1]
    checks = (
        check(
            _("Without BN the activations shrink with depth: std(last) / std(first)"),
            act_ratio,
            "< 1e-2",
            act_ratio < 1e-2,
        ),
        check(
            _("Without BN the gradient vanishes toward the input: ‖grad(layer 1)‖ / ‖grad(last)‖"),
            grad_ratio_plain,
            "< 1e-2",
            grad_ratio_plain < 1e-2,
        ),
        check(
            _("With BN every layer's activation std stays in the same range (lowest layer)"),
            float(act_bn.min()),
            _("all in [0.5, 0.7]"),
            act_bn.min() >= 0.5 and act_bn.max() <= 0.7,
        ),
        check(
            _("With BN the gradient reaching layer 1 does not vanish: ‖grad(layer 1)‖ / ‖grad(last)‖"),
            grad_ratio_bn,
            "> 0.1",
            grad_ratio_bn > 0.1,
        ),
    )
    summary = _(
        "Same weights and inputs, with and without a BN layer before each nonlinearity. BN rescales every "
        "pre-activation to unit variance, so a badly scaled initialization no longer shrinks the signal "
        "layer after layer. It does not make gradients uniform: at initialization BN nets can see gradients "
        "grow toward the input (about 20–30x over 20 ReLU layers in this setup; Yang et al. 2019), so BN "
        "helps with vanishing gradients without guaranteeing well-scaled ones."
    )
    params = {
        "depth": depth,
        "width": width,
        "batch": batch,
        "activation": activation,
        "init_scale": init_scale,
    }
    return DemoResult(
        "bn-deep-stats",
        "Deep MLP statistics with and without BN",
        params,
        seed,
        summary=summary,
        tables=(table,),
        plots=plots,
        checks=checks,
    )


@demo(
    id="bn-backward",
    title={
        "en": "BN backward: staged graph, compact formula and numeric gradient agree",
        "zh": "BN 反向传播：分步计算图、紧凑公式与数值梯度一致",
    },
    questions=("bn-backward", "bn-implement"),
    params=(
        Param("batch", 8, N_("examples N"), min=4, max=64),
        Param("features", 4, N_("features D"), min=1, max=16),
        Param("eps", 1e-5, N_("ε added to the variance"), min=0.0, max=1.0),
    ),
)
def bn_backward(rng: np.random.Generator, *, seed: int, batch: int, features: int, eps: float):
    x = rng.normal(3.0, 2.0, size=(batch, features))
    gamma = rng.normal(1.0, 0.5, size=features)
    beta = rng.normal(0.0, 1.0, size=features)
    upstream = rng.normal(size=(batch, features))  # dL/dy for the scalar loss L = sum(upstream * y)

    out, cache = batchnorm_forward(x, gamma, beta, eps)
    dx, dgamma, dbeta = batchnorm_backward(upstream, cache)
    dx_c, dgamma_c, dbeta_c = batchnorm_backward_compact(upstream, cache)

    def loss(x_=x, gamma_=gamma, beta_=beta) -> float:
        return float(np.sum(upstream * batchnorm_forward(x_, gamma_, beta_, eps)[0]))

    num_dx = numeric_gradient(lambda v: loss(x_=v), x)
    num_dgamma = numeric_gradient(lambda v: loss(gamma_=v), gamma)
    num_dbeta = numeric_gradient(lambda v: loss(beta_=v), beta)

    staged, compact = _("dx (staged)"), _("dx (compact)")
    errors = {
        staged: relative_error(dx, num_dx),
        compact: relative_error(dx_c, num_dx),
        "dγ": relative_error(dgamma, num_dgamma),
        "dβ": relative_error(dbeta, num_dbeta),
    }
    rows = (
        ("dx", float(np.linalg.norm(dx)), errors[staged], errors[compact]),
        ("dγ", float(np.linalg.norm(dgamma)), errors["dγ"], relative_error(dgamma_c, num_dgamma)),
        ("dβ", float(np.linalg.norm(dbeta)), errors["dβ"], relative_error(dbeta_c, num_dbeta)),
    )
    table = Table(
        _(
            "Relative error ‖a − b‖/max(‖a‖, ‖b‖) vs centered differences (h = 1e-5), N={batch}, D={features}"
        ).format(batch=batch, features=features),
        (_("gradient"), _("‖analytic‖"), _("staged vs numeric"), _("compact vs numeric")),
        rows,
    )
    staged_vs_compact = max(
        relative_error(dx, dx_c), relative_error(dgamma, dgamma_c), relative_error(dbeta, dbeta_c)
    )
    # Adding a constant to a feature's inputs leaves BN's output unchanged, so dx sums to zero per feature.
    column_sum = float(np.abs(dx.sum(axis=0)).max() / max(np.abs(dx).max(), 1e-300))
    checks = tuple(
        check(
            _("{name} matches the numeric gradient (float64)").format(name=name),
            err,
            _("relative error < 1e-7"),
            err < 1e-7,
        )
        for name, err in errors.items()
    ) + (
        check(
            _("The staged and the compact backward agree to rounding"),
            staged_vs_compact,
            _("relative error < 1e-12"),
            staged_vs_compact < 1e-12,
        ),
        check(
            _("dx sums to zero over the batch for every feature (BN ignores a constant shift of x)"),
            column_sum,
            "max |Σ_i dx_i| / max |dx| < 1e-12",
            column_sum < 1e-12,
        ),
    )
    summary = _(
        "x reaches the loss along three paths: directly through x̂, through the batch mean and through the "
        "batch variance. The staged backward follows the graph node by node; the compact form "
        "dx = γ/(N·σ)·(N·dy − Σdy − x̂·Σ(dy·x̂)) is the same sum simplified, with dβ = Σdy and "
        "dγ = Σ dy·x̂."
    )
    params = {"batch": batch, "features": features, "eps": eps}
    return DemoResult(
        "bn-backward",
        "BN backward checked three ways",
        params,
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


@demo(
    id="bn-fold-conv",
    title={
        "en": "Folding eval-mode BN into the preceding convolution gives identical outputs",
        "zh": "将推理模式的 BN 折叠进前一层卷积，输出完全一致",
    },
    questions=("bn-where",),
    params=(
        Param("channels", 8, N_("output channels of the convolution"), min=1, max=64),
        Param("eps", 1e-5, N_("ε of the BN layer"), min=0.0, max=1.0),
    ),
)
def bn_fold_conv(rng: np.random.Generator, *, seed: int, channels: int, eps: float):
    x = rng.normal(size=(2, 3, 10, 10))
    w = rng.normal(size=(channels, 3, 3, 3)) / math.sqrt(27)
    b = rng.normal(size=channels)
    gamma = rng.normal(1.0, 0.3, channels)
    beta = rng.normal(0.0, 0.5, channels)
    running_mean = rng.normal(0.0, 1.0, channels)
    running_var = rng.uniform(0.5, 2.0, channels)

    def channels_last(a: np.ndarray) -> np.ndarray:
        return a.transpose(0, 2, 3, 1)

    reference = batchnorm_eval(
        channels_last(conv2d(x, w, b, padding=1)), gamma, beta, running_mean, running_var, eps
    )
    scale = gamma / np.sqrt(running_var + eps)
    w_folded = w * scale[:, None, None, None]
    b_folded = (b - running_mean) * scale + beta
    folded = channels_last(conv2d(x, w_folded, b_folded, padding=1))
    fold_diff = float(np.abs(folded - reference).max())

    def train_bn(z: np.ndarray) -> np.ndarray:
        flat = channels_last(z).reshape(-1, channels)  # statistics per channel over N, H, W
        return batchnorm_forward(flat, gamma, beta, eps)[0]

    bias_diff = float(
        np.abs(train_bn(conv2d(x, w, b, padding=1)) - train_bn(conv2d(x, w, None, padding=1))).max()
    )
    rows = tuple(
        (
            c,
            float(gamma[c]),
            float(beta[c]),
            float(running_mean[c]),
            float(running_var[c]),
            float(scale[c]),
            float(b_folded[c]),
        )
        for c in range(min(channels, 8))
    )
    table = Table(
        _("Per-channel folding: w' = w·γ/σ, b' = (b − μ)·γ/σ + β, σ = √(var + ε)"),
        (_("channel"), "γ", "β", _("running μ"), _("running var"), "γ/σ", "b'"),
        rows,
    )
    checks = (
        check(
            _("conv(w', b') equals conv(w, b) followed by eval-mode BN (float64)"),
            fold_diff,
            _("max abs diff < 1e-10"),
            fold_diff < 1e-10,
        ),
        check(
            _("In training mode the conv bias has no effect on the BN output (the batch mean removes it)"),
            bias_diff,
            _("max abs diff < 1e-10"),
            bias_diff < 1e-10,
        ),
    )
    summary = _(
        "At inference BN is a fixed per-channel affine map, so it merges into the convolution before it: one "
        "layer, no extra memory traffic. The conv bias is redundant before BN because subtracting the mean "
        "cancels it; β plays its role, which is why a conv followed by BN is usually built without bias."
    )
    return DemoResult(
        "bn-fold-conv",
        "Fold BN into the conv",
        {"channels": channels, "eps": eps},
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


@demo(
    id="bn-identity",
    title={
        "en": "With γ = √(σ² + ε) and β = μ, a BN layer reproduces its input exactly",
        "zh": "当 γ = √(σ² + ε)、β = μ 时，BN 层可以精确还原输入",
    },
    questions=("bn-why-rescale",),
    params=(
        Param("batch", 64, N_("examples in the batch"), min=2, max=4096),
        Param("eps", 1e-5, N_("ε of the BN layer"), min=0.0, max=1.0),
    ),
)
def bn_identity(rng: np.random.Generator, *, seed: int, batch: int, eps: float):
    means, stds = np.array([20.0, -3.0, 0.5, 100.0]), np.array([5.0, 0.1, 2.0, 30.0])
    x = rng.normal(means, stds, size=(batch, 4))
    mu, var = x.mean(axis=0), x.var(axis=0)
    plain, _cache = batchnorm_forward(x, np.ones(4), np.zeros(4), eps)
    restored, _cache = batchnorm_forward(x, np.sqrt(var + eps), mu, eps)
    train_err = float(np.abs(restored - x).max() / np.abs(x).max())

    # Eval mode: with gamma and beta set from the running statistics, the layer is the identity map for
    # every input, not only the batch it was computed on.
    running_mean, running_var = rng.normal(means, stds), stds**2 * rng.uniform(0.8, 1.2, 4)
    new_x = rng.normal(means, stds, size=(16, 4))
    eval_out = batchnorm_eval(new_x, np.sqrt(running_var + eps), running_mean, running_mean, running_var, eps)
    eval_err = float(np.abs(eval_out - new_x).max() / np.abs(new_x).max())
    rows = tuple(
        (
            j + 1,
            float(mu[j]),
            float(np.sqrt(var[j])),
            float(plain[:, j].mean()),
            float(plain[:, j].std()),
            float(restored[:, j].mean()),
            float(restored[:, j].std()),
        )
        for j in range(4)
    )
    table = Table(
        _("Batch moments: input, BN with γ=1, β=0, and BN with γ=√(σ²+ε), β=μ"),
        (
            _("feature"),
            _("mean x"),
            _("std x"),
            _("mean (γ=1, β=0)"),
            _("std (γ=1, β=0)"),
            _("mean (identity γ, β)"),
            _("std (identity γ, β)"),
        ),
        rows,
    )
    checks = (
        check(
            _("Training mode, γ = √(σ_B² + ε), β = μ_B: the output equals the input"),
            train_err,
            "max |y − x| / max |x| < 1e-12",
            train_err < 1e-12,
        ),
        check(
            _("Eval mode, γ = √(running var + ε), β = running mean: identity on new inputs"),
            eval_err,
            "max |y − x| / max |x| < 1e-12",
            eval_err < 1e-12,
        ),
    )
    summary = _(
        "Without γ and β every feature would leave the layer with mean 0 and variance ≈ 1, whatever the "
        "next layer needs (a sigmoid would stay near its linear part). The learned scale and shift can undo "
        "the normalization exactly, so adding BN never removes a function the network could represent."
    )
    return DemoResult(
        "bn-identity",
        "BN can represent the identity",
        {"batch": batch, "eps": eps},
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


@demo(
    id="bn-running-stats",
    title={
        "en": "Running statistics converge to the population; eval mode is deterministic per example",
        "zh": "滑动平均统计量收敛到总体统计量；推理模式下单个样本的输出是确定的",
    },
    questions=("bn-train-vs-test",),
    params=(
        Param("batch", 32, N_("training batch size"), min=2, max=1024),
        Param("steps", 200, N_("training steps (EMA updates)"), min=50, max=2000),
        Param("momentum", 0.1, N_("EMA momentum: new = (1 − m)·old + m·batch"), min=0.01, max=0.5),
    ),
)
def bn_running_stats(rng: np.random.Generator, *, seed: int, batch: int, steps: int, momentum: float):
    pop_mean, pop_std = np.array([2.0, -1.0, 5.0]), np.array([1.0, 0.5, 3.0])
    d = pop_mean.size
    running_mean, running_var = np.zeros(d), np.ones(d)  # the usual initial values
    mean_err, var_err = [], []
    for _step in range(steps):
        x = rng.normal(pop_mean, pop_std, size=(batch, d))
        running_mean, running_var = update_running_stats(running_mean, running_var, x, momentum)
        mean_err.append(float(np.max(np.abs(running_mean - pop_mean) / pop_std)))
        var_err.append(float(np.max(np.abs(running_var - pop_std**2) / pop_std**2)))
    every = max(1, steps // 200)
    xs = tuple(float(t) for t in range(1, steps + 1, every))
    plot = Plot(
        _("Largest relative error of the running statistics"),
        (
            Series("|mean − μ| / σ", tuple(mean_err[::every]), xs),
            Series("|var − σ²| / σ²", tuple(var_err[::every]), xs),
        ),
        xlabel=_("step"),
        ylabel=_("error"),
        logy=True,
    )
    # Stationary noise of an EMA of i.i.d. batch estimates: sd = sd(estimate) * sqrt(m / (2 - m)), plus
    # what is left of the initial error after `steps` updates.
    ema = math.sqrt(momentum / (2.0 - momentum))
    decay = (1.0 - momentum) ** steps
    init_mean_err = float(np.max(np.abs(pop_mean) / pop_std))
    init_var_err = float(np.max(np.abs(1.0 - pop_std**2) / pop_std**2))
    mean_tol = 6.0 * ema / math.sqrt(batch) + decay * init_mean_err
    var_tol = 6.0 * ema * math.sqrt(2.0 / (batch - 1)) + decay * init_var_err

    gamma, beta = np.ones(d), np.zeros(d)
    example = rng.normal(pop_mean, pop_std, size=(1, d))
    batch_a = np.vstack([example, rng.normal(pop_mean, pop_std, size=(batch - 1, d))])
    batch_b = np.vstack([example, rng.normal(pop_mean, pop_std, size=(batch - 1, d))])
    stats = (running_mean, running_var)
    eval_alone = batchnorm_eval(example, gamma, beta, *stats)[0]
    eval_diff = max(
        float(np.abs(batchnorm_eval(batch_a, gamma, beta, *stats)[0] - eval_alone).max()),
        float(np.abs(batchnorm_eval(batch_b, gamma, beta, *stats)[0] - eval_alone).max()),
    )
    train_diff = float(
        np.abs(
            batchnorm_forward(batch_a, gamma, beta)[0][0] - batchnorm_forward(batch_b, gamma, beta)[0][0]
        ).max()
    )
    single, _cache = batchnorm_forward(example, gamma, beta)
    single_max = float(np.abs(single).max())
    rows = tuple(
        (j + 1, float(pop_mean[j]), float(running_mean[j]), float(pop_std[j] ** 2), float(running_var[j]))
        for j in range(d)
    )
    table = Table(
        _("After {steps} steps of batch {batch}, momentum {momentum}").format(
            steps=steps, batch=batch, momentum=momentum
        ),
        (_("feature"), _("population mean"), _("running mean"), _("population var"), _("running var")),
        rows,
    )
    checks = (
        check(
            _("The running mean is within EMA noise of the population mean (max |mean − μ| / σ)"),
            mean_err[-1],
            _("< 6 EMA noise sd = {tol:.3g}").format(tol=mean_tol),
            mean_err[-1] < mean_tol,
        ),
        check(
            _(
                "The running variance (EMA of unbiased batch variances) is within noise of σ² "
                "(max rel. error)"
            ),
            var_err[-1],
            _("< 6 EMA noise sd = {tol:.3g}").format(tol=var_tol),
            var_err[-1] < var_tol,
        ),
        check(
            _("Eval mode: an example's output is the same alone and inside two different batches"),
            eval_diff,
            _("max abs diff = 0"),
            eval_diff == 0.0,
        ),
        check(
            _("Train mode: the same example's output depends on the rest of its batch"),
            train_diff,
            _("max abs diff > 1e-3"),
            train_diff > 1e-3,
        ),
        check(
            _("Train mode with batch size 1: x − μ_B = 0, so the output is β (all zeros here)"),
            single_max,
            "max |y| = 0",
            single_max == 0.0,
        ),
    )
    summary = _(
        "During training BN normalizes with the batch's statistics and updates running averages; eval mode "
        "uses those averages, so the layer becomes a fixed affine map and each example's output no longer "
        "depends on its batch. Normalization uses the biased batch variance, while the running variance "
        "averages the unbiased one (N/(N−1)), as in the paper and PyTorch. With one example per batch the "
        "training-mode output carries no information (PyTorch refuses it for BatchNorm1d)."
    )
    params = {"batch": batch, "steps": steps, "momentum": momentum}
    return DemoResult(
        "bn-running-stats",
        "Running statistics and eval mode",
        params,
        seed,
        summary=summary,
        tables=(table,),
        plots=(plot,),
        checks=checks,
    )


@demo(
    id="bn-activation-order",
    title={
        "en": "Linear → BN → ReLU vs Linear → ReLU → BN: output statistics and dead units",
        "zh": "线性层→BN→ReLU 与 线性层→ReLU→BN：输出统计量与死亡单元",
    },
    questions=("bn-vs-activation-order",),
    params=(
        Param("batch", 256, N_("examples in the batch"), min=64, max=4096),
        Param("units", 64, N_("output units of the linear layer"), min=8, max=512),
        Param(
            "dead_units",
            8,
            N_("units given a bias of −6σ, so ReLU zeroes them on the whole batch"),
            min=0,
            max=64,
        ),
    ),
)
def bn_activation_order(rng: np.random.Generator, *, seed: int, batch: int, units: int, dead_units: int):
    if dead_units >= units:
        raise ValueError(
            _("dead_units ({dead_units}) must be smaller than units ({units})").format(
                dead_units=dead_units, units=units
            )
        )
    fan_in = 32
    x = rng.normal(size=(batch, fan_in))
    w = rng.normal(size=(fan_in, units)) / math.sqrt(fan_in)
    bias = np.zeros(units)
    bias[units - dead_units :] = -6.0 * np.linalg.norm(w[:, units - dead_units :], axis=0)  # -6 sd of z
    z = x @ w + bias  # Gaussian pre-activations: z_j ~ N(b_j, ||w_j||^2)
    gamma, beta = np.ones(units), np.zeros(units)  # BN's initial values

    bn_relu = np.maximum(batchnorm_forward(z, gamma, beta)[0], 0.0)
    relu = np.maximum(z, 0.0)
    relu_bn = batchnorm_forward(relu, gamma, beta)[0]

    dead_after_relu = np.all(relu == 0.0, axis=0)
    live = ~dead_after_relu
    stats = {
        "BN → ReLU": bn_relu,
        "ReLU → BN": relu_bn,
    }
    rows = []
    for name, out in stats.items():
        rows.append(
            (
                name,
                float(out.min()),
                float(np.mean(out == 0.0)),
                float(np.mean(out < 0.0)),
                float(out[:, live].mean(axis=0).mean()),
                float(out[:, live].var(axis=0).mean()),
                int(np.all(out == 0.0, axis=0).sum()),
            )
        )
    table = Table(
        _("{units} units, batch {batch}; {dead_units} units have a strongly negative bias").format(
            units=units, batch=batch, dead_units=dead_units
        ),
        (
            _("order"),
            "min",
            _("fraction = 0"),
            _("fraction < 0"),
            _("mean (live units)"),
            _("var (live units)"),
            _("units 0 on batch"),
        ),
        tuple(rows),
    )
    zero_frac = float(np.mean(bn_relu == 0.0))
    relu_mean = float(bn_relu.mean())
    half_normal_mean = 1.0 / math.sqrt(2.0 * math.pi)
    dead_bn_relu = int(np.all(bn_relu == 0.0, axis=0).sum())
    neg_frac = float(np.mean(relu_bn[:, live] < 0.0))
    live_mean = float(np.abs(relu_bn[:, live].mean(axis=0)).max())
    dead_relu_bn = int(np.all(relu_bn == 0.0, axis=0).sum())
    checks = (
        check(
            _("BN → ReLU: outputs are ≥ 0 and about half of them are 0"),
            zero_frac,
            _("fraction of zeros in [0.45, 0.55], min ≥ 0"),
            0.45 <= zero_frac <= 0.55 and bn_relu.min() >= 0.0,
        ),
        check(
            _("BN → ReLU: the mean output is E[max(0, N(0,1))] = 1/√(2π) ≈ 0.399 (Gaussian pre-activations)"),
            relu_mean,
            _("within 0.03 of 0.399"),
            abs(relu_mean - half_normal_mean) < 0.03,
        ),
        check(
            _("BN → ReLU with γ=1, β=0: no unit is zero on the whole batch (BN removed the negative bias)"),
            dead_bn_relu,
            "= 0",
            dead_bn_relu == 0,
        ),
        check(
            _("ReLU → BN: outputs are no longer non-negative (ReLU's zeros map to −μ/σ)"),
            neg_frac,
            _("fraction < 0 above 0.3"),
            neg_frac > 0.3,
        ),
        check(
            _("ReLU → BN: every live unit has mean 0"),
            live_mean,
            "max |mean| < 1e-12",
            live_mean < 1e-12,
        ),
        check(
            _("ReLU → BN: a unit that ReLU zeroes on the whole batch stays all-zero after BN"),
            dead_relu_bn,
            _("= {count} (units zero after ReLU)").format(count=int(dead_after_relu.sum())),
            dead_relu_bn == int(dead_after_relu.sum()),
        ),
    )
    summary = _(
        "These are the statistics each order produces at initialization, not a verdict: the original paper "
        "and most CNNs use conv/linear → BN → ReLU, pre-activation ResNets use BN → ReLU → conv, and some "
        "experiments find BN after ReLU works as well. BN first gives non-negative, half-sparse outputs "
        "with a mean set by β; BN last gives zero-mean outputs with negative values."
    )
    params = {"batch": batch, "units": units, "dead_units": dead_units}
    return DemoResult(
        "bn-activation-order",
        "BN before or after ReLU",
        params,
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )
