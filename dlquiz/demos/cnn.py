"""CNN demos: parameter counts from layer tables, output sizes, receptive fields, shifts, residual paths."""

from __future__ import annotations

import math

import numpy as np

from dlquiz.demos.registry import DemoResult, Param, Plot, Series, Table, check, demo
from dlquiz.i18n import N_, _
from dlquiz.kernels.conv import (
    avg_pool2d,
    batchnorm_params,
    conv2d,
    conv2d_params,
    conv_output_size,
    linear_params,
    max_pool2d,
    receptive_fields,
)

# --- Layer tables -------------------------------------------------------------------------------------
# Each table is a list of (layer name, kind, learned parameters); kind is "conv", "fc" or "other".

Layers = list[tuple[str, str, int]]


def lenet5_modern() -> Layers:
    """The common modern LeNet-5: full C3 connections, parameter-free pooling, a 10-way linear output."""
    side = conv_output_size(32, 5) // 2  # C1 28 -> S2 14
    side = conv_output_size(side, 5) // 2  # C3 10 -> S4 5
    return [
        ("C1 conv 5x5, 1→6", "conv", conv2d_params(1, 6, 5)),
        ("C3 conv 5x5, 6→16", "conv", conv2d_params(6, 16, 5)),
        (f"F5 fc {16 * side * side}→120", "fc", linear_params(16 * side * side, 120)),
        ("F6 fc 120→84", "fc", linear_params(120, 84)),
        ("output fc 84→10", "fc", linear_params(84, 10)),
    ]


def lenet5_1998() -> Layers:
    """LeCun et al. 1998: sparse C3 table, trainable subsampling, C5 as a 5x5 conv, fixed RBF output."""
    # C3 connection table: 6 maps see 3 inputs, 6 see 4 contiguous, 3 see 4 non-contiguous, 1 sees all 6.
    c3_inputs = 6 * 3 + 6 * 4 + 3 * 4 + 1 * 6
    return [
        ("C1 conv 5x5, 1→6", "conv", conv2d_params(1, 6, 5)),
        ("S2 subsampling (coefficient + bias per map)", "other", 6 * 2),
        ("C3 conv 5x5, sparse table", "conv", c3_inputs * 25 + 16),
        ("S4 subsampling", "other", 16 * 2),
        ("C5 conv 5x5, 16→120", "conv", conv2d_params(16, 120, 5)),
        ("F6 fc 120→84", "fc", linear_params(120, 84)),
        ("output: 10 RBF units with fixed weights", "other", 0),
    ]


def alexnet_torchvision() -> Layers:
    """torchvision's single-tower AlexNet (channels 64-192-384-256-256, as in Krizhevsky 2014)."""
    side = conv_output_size(224, 11, 4, 2)  # 55
    side = conv_output_size(side, 3, 2)  # pool 27
    side = conv_output_size(side, 3, 2)  # conv2 keeps 27, pool 13
    side = conv_output_size(side, 3, 2)  # conv3-5 keep 13, pool 6
    flat = 256 * side * side
    return [
        ("conv1 11x11/4, 3→64", "conv", conv2d_params(3, 64, 11)),
        ("conv2 5x5, 64→192", "conv", conv2d_params(64, 192, 5)),
        ("conv3 3x3, 192→384", "conv", conv2d_params(192, 384, 3)),
        ("conv4 3x3, 384→256", "conv", conv2d_params(384, 256, 3)),
        ("conv5 3x3, 256→256", "conv", conv2d_params(256, 256, 3)),
        (f"fc6 {flat}→4096", "fc", linear_params(flat, 4096)),
        ("fc7 4096→4096", "fc", linear_params(4096, 4096)),
        ("fc8 4096→1000", "fc", linear_params(4096, 1000)),
    ]


VGG16_CONFIG = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


def vgg16() -> Layers:
    """VGG-16 (configuration D), with biases, for 224x224 inputs."""
    layers: Layers = []
    c_in, side, block, index = 3, 224, 1, 1
    for item in VGG16_CONFIG:
        if item == "M":
            side = conv_output_size(side, 2, 2)
            block, index = block + 1, 1
            continue
        layers.append((f"conv{block}_{index} 3x3, {c_in}→{item}", "conv", conv2d_params(c_in, int(item), 3)))
        c_in, index = int(item), index + 1
    flat = c_in * side * side
    layers += [
        (f"fc6 {flat}→4096", "fc", linear_params(flat, 4096)),
        ("fc7 4096→4096", "fc", linear_params(4096, 4096)),
        ("fc8 4096→1000", "fc", linear_params(4096, 1000)),
    ]
    return layers


def bottleneck_params(c_in: int, width: int, downsample: bool) -> int:
    """ResNet bottleneck: 1x1 c_in→w, 3x3 w→w, 1x1 w→4w, each with BN; projection shortcut if needed."""
    out = 4 * width
    total = conv2d_params(c_in, width, 1, bias=False) + batchnorm_params(width)
    total += conv2d_params(width, width, 3, bias=False) + batchnorm_params(width)
    total += conv2d_params(width, out, 1, bias=False) + batchnorm_params(out)
    if downsample:
        total += conv2d_params(c_in, out, 1, bias=False) + batchnorm_params(out)
    return total


def resnet50() -> Layers:
    """ResNet-50 as in torchvision (BN γ, β counted as parameters; running statistics are not)."""
    layers: Layers = [
        ("conv1 7x7/2, 3→64 + BN", "conv", conv2d_params(3, 64, 7, bias=False) + batchnorm_params(64))
    ]
    c_in = 64
    for stage, (blocks, width) in enumerate(((3, 64), (4, 128), (6, 256), (3, 512)), start=2):
        total = 0
        for b in range(blocks):
            total += bottleneck_params(c_in, width, downsample=b == 0)
            c_in = 4 * width
        layers.append((f"conv{stage}_x: {blocks} bottlenecks, width {width}", "conv", total))
    layers.append(("fc 2048→1000 (after global average pooling)", "fc", linear_params(2048, 1000)))
    return layers


def dense_layer_params(c_in: int, growth: int, bn_size: int = 4) -> int:
    """DenseNet-BC layer: BN-ReLU-1x1 conv (c_in → bn_size·k) - BN-ReLU-3x3 conv (→ k), no biases."""
    inner = bn_size * growth
    return (
        batchnorm_params(c_in)
        + conv2d_params(c_in, inner, 1, bias=False)
        + batchnorm_params(inner)
        + conv2d_params(inner, growth, 3, bias=False)
    )


def densenet121() -> Layers:
    """DenseNet-121 as in torchvision: k = 32, blocks (6, 12, 24, 16), compression 0.5."""
    layers: Layers = [
        ("conv0 7x7/2, 3→64 + BN", "conv", conv2d_params(3, 64, 7, bias=False) + batchnorm_params(64))
    ]
    c = 64
    for i, n in enumerate((6, 12, 24, 16), start=1):
        total = 0
        for _layer in range(n):
            total += dense_layer_params(c, 32)
            c += 32
        layers.append((f"dense block {i}: {n} layers", "conv", total))
        if i < 4:
            layers.append(
                (
                    f"transition {i}: {c}→{c // 2}",
                    "conv",
                    batchnorm_params(c) + conv2d_params(c, c // 2, 1, bias=False),
                )
            )
            c //= 2
    layers.append((f"final BN + fc {c}→1000", "fc", batchnorm_params(c) + linear_params(c, 1000)))
    return layers


def _total(layers: Layers, kind: str | None = None) -> int:
    return sum(p for _, k, p in layers if kind is None or k == kind)


@demo(
    id="cnn-param-counts",
    title={
        "en": "Parameter counts of LeNet-5, AlexNet, VGG-16 and ResNet-50 from their layer tables",
        "zh": "根据层表计算 LeNet-5、AlexNet、VGG-16 和 ResNet-50 的参数量",
    },
    questions=("cnn-classic-models",),
)
def cnn_param_counts(rng: np.random.Generator, *, seed: int):
    models = (
        ("LeNet-5", _("1998 paper: sparse C3, trainable subsampling, RBF output"), lenet5_1998()),
        ("LeNet-5", _("common modern variant: full C3, plain pooling, linear output"), lenet5_modern()),
        ("AlexNet", _("torchvision (single tower, 64-192-384-256-256)"), alexnet_torchvision()),
        ("VGG-16", _("configuration D, 224x224 input"), vgg16()),
        ("ResNet-50", _("torchvision (v1.5 stride placement, same count)"), resnet50()),
    )
    rows = tuple(
        (name, variant, _total(t, "conv"), _total(t, "fc"), _total(t), _total(t, "fc") / _total(t))
        for name, variant, t in models
    )
    summary_table = Table(
        _("Learned parameters (weights + biases; BN γ, β for ResNet-50)"),
        (_("model"), _("variant"), _("conv"), _("fully connected"), _("total"), _("FC share")),
        rows,
    )
    vgg = vgg16()
    vgg_table = Table(
        _("VGG-16 layer by layer"), (_("layer"), _("parameters")), tuple((name, p) for name, _kind, p in vgg)
    )
    totals = {(name, variant): _total(t) for name, variant, t in models}
    lenet_paper, lenet_modern, alexnet, vgg_total, resnet = totals.values()
    fc_share = _total(vgg, "fc") / _total(vgg)
    checks = (
        check(_("VGG-16 has 138,357,544 parameters"), vgg_total, "= 138,357,544", vgg_total == 138_357_544),
        check(
            _("About 89% of VGG-16's parameters are in its three FC layers"),
            fc_share,
            _("in [0.885, 0.895]"),
            0.885 <= fc_share <= 0.895,
        ),
        check(
            _("ResNet-50 (torchvision) has 25,557,032 parameters"),
            resnet,
            "= 25,557,032",
            resnet == 25_557_032,
        ),
        check(
            _("AlexNet (torchvision variant) has 61,100,840 parameters"),
            alexnet,
            "= 61,100,840",
            alexnet == 61_100_840,
        ),
        check(
            _("LeNet-5, common modern variant, has 61,706 parameters"),
            lenet_modern,
            "= 61,706",
            lenet_modern == 61_706,
        ),
        check(
            _("LeNet-5 as in the 1998 paper has 60,000 trainable parameters"),
            lenet_paper,
            "= 60,000",
            lenet_paper == 60_000,
        ),
    )
    summary = _(
        "Every count is computed from the layer table: conv = C_out·C_in·k² (+ C_out biases), "
        "fc = n_in·n_out (+ n_out). VGG-16's first FC layer alone (25088→4096) holds 102.8 M of its "
        "138.4 M parameters; ResNet-50 replaces the big FC stack with global average pooling and is 5.4x "
        "smaller."
    )
    return DemoResult(
        "cnn-param-counts",
        "Classic CNN parameter counts",
        {},
        seed,
        summary=summary,
        tables=(summary_table, vgg_table),
        checks=checks,
    )


@demo(
    id="conv-output-size",
    title={
        "en": "Output size ⌊(W − K + 2P)/S⌋ + 1 and receptive-field growth through a conv stack",
        "zh": "输出尺寸公式 ⌊(W − K + 2P)/S⌋ + 1 与卷积堆叠中感受野的增长",
    },
    questions=("cnn-structure",),
)
def conv_output_size_demo(rng: np.random.Generator, *, seed: int):
    cases = (
        (32, 3, 1, 1),
        (32, 5, 1, 0),
        (224, 7, 2, 3),
        (224, 11, 4, 2),
        (227, 11, 4, 0),
        (8, 3, 2, 1),
        (10, 4, 3, 0),
    )
    rows, mismatches = [], 0
    for size, k, s, p in cases:
        formula = (size - k + 2 * p) // s + 1
        actual = conv2d(np.zeros((1, 1, size, size)), np.zeros((1, 1, k, k)), stride=s, padding=p).shape[-1]
        mismatches += formula != actual
        rows.append((size, k, s, p, f"{size - k + 2 * p}/{s}", formula, actual))
    size_table = Table(
        _("Formula vs the shape an actual convolution produces"),
        ("W", "K", "S", "P", "(W − K + 2P)/S", _("formula"), "conv2d"),
        tuple(rows),
    )

    vgg_layers, names, block, index = [], [], 1, 1
    for item in VGG16_CONFIG:
        if item == "M":
            vgg_layers.append((2, 2))
            names.append(f"pool{block}")
            block, index = block + 1, 1
        else:
            vgg_layers.append((3, 1))
            names.append(f"conv{block}_{index}")
            index += 1
    fields = receptive_fields(vgg_layers)
    rf_table = Table(
        _("Receptive field through VGG-16: r += (k − 1)·jump, jump *= stride"),
        (_("layer"), _("kernel"), _("stride"), _("receptive field"), _("jump")),
        tuple((n, k, s, r, j) for n, (k, s), (r, j) in zip(names, vgg_layers, fields, strict=True)),
    )
    rf = dict(zip(names, (r for r, _ in fields), strict=True))
    two_3x3, three_3x3 = receptive_fields([(3, 1)] * 2)[-1][0], receptive_fields([(3, 1)] * 3)[-1][0]

    # Measure a receptive field: with positive weights and linear layers, an output pixel depends on exactly
    # the input pixels whose impulse reaches it. One batch holds an impulse at every input position.
    stack = [("conv", 3), ("conv", 3), ("pool", 2), ("conv", 3), ("conv", 3)]
    side = 18
    impulses = np.eye(side * side).reshape(side * side, 1, side, side)
    h = impulses
    for kind, k in stack:
        h = conv2d(h, rng.uniform(0.5, 1.0, (1, 1, k, k))) if kind == "conv" else avg_pool2d(h, k)
    centre = h.shape[-1] // 2
    response = h[:, 0, centre, centre].reshape(side, side)
    rows_hit, cols_hit = np.nonzero(response)
    measured = int(max(np.ptp(rows_hit), np.ptp(cols_hit)) + 1)
    predicted = receptive_fields([(k, 1 if kind == "conv" else k) for kind, k in stack])[-1][0]
    checks = (
        check(
            _("The formula gives the output size of every convolution tried"),
            mismatches,
            _("0 mismatches"),
            mismatches == 0,
        ),
        check(
            _("Two stacked 3x3 convs (stride 1) see 5x5, three see 7x7"),
            three_3x3,
            _("= 7 (and 5 for two)"),
            two_3x3 == 5 and three_3x3 == 7,
        ),
        check(
            _("VGG-16's conv5_3 has a 196x196 receptive field (212 after pool5)"),
            rf["conv5_3"],
            "= 196",
            rf["conv5_3"] == 196 and rf["pool5"] == 212,
        ),
        check(
            _("Measured receptive field of conv3-conv3-pool2-conv3-conv3 matches the recursion"),
            measured,
            f"= {predicted}",
            measured == predicted,
        ),
    )
    summary = _(
        "Along one axis a conv or pooling layer maps W to ⌊(W − K + 2P)/S⌋ + 1 (the floor drops positions "
        "where the kernel would run off the padded input). Each layer adds (K − 1)·jump to the receptive "
        "field, where jump is the product of the strides before it, so stacked small kernels and pooling "
        "make the field grow quickly with depth while the spatial size shrinks and channels grow."
    )
    return DemoResult(
        "conv-output-size",
        "Output size and receptive field",
        {},
        seed,
        summary=summary,
        tables=(size_table, rf_table),
        checks=checks,
    )


@demo(
    id="fc-vs-conv-params",
    title={
        "en": "Parameters of a fully connected layer vs a convolution on a 224x224x3 image",
        "zh": "224x224x3 输入上全连接层与卷积层的参数量对比",
    },
    questions=("cnn-vs-fc",),
    params=(Param("units", 64, N_("FC output units = conv output channels"), min=1, max=4096),),
)
def fc_vs_conv_params(rng: np.random.Generator, *, seed: int, units: int):
    rows = []
    for side in (32, 64, 224):
        n_in = side * side * 3
        rows.append(
            (
                f"{side}x{side}x3",
                linear_params(n_in, units),
                conv2d_params(3, units, 3),
                conv2d_params(3, units, 7),
                linear_params(n_in, side * side * units),
            )
        )
    table = Table(
        _("Learned parameters, {units} output units / channels (with biases)").format(units=units),
        (
            _("input"),
            f"FC → {units}",
            _("conv 3x3 → {units}").format(units=units),
            _("conv 7x7 → {units}").format(units=units),
            _("FC with the conv's output size"),
        ),
        tuple(rows),
    )
    fc, conv3 = linear_params(224 * 224 * 3, units), conv2d_params(3, units, 3)

    # A fully connected layer is a convolution whose kernel covers the whole input (output 1x1).
    x = rng.normal(size=(2, 3, 8, 8))
    w = rng.normal(size=(units, 3, 8, 8))
    b = rng.normal(size=units)
    fc_out = x.reshape(2, -1) @ w.reshape(units, -1).T + b
    conv_out = conv2d(x, w, b)[:, :, 0, 0]
    same = float(np.abs(fc_out - conv_out).max())
    checks = (
        check(
            _("FC from 224x224x3 to {units} units: 150,528·{units} + {units} parameters").format(units=units),
            fc,
            f"= {150_528 * units + units:,}",
            fc == 150_528 * units + units,
        ),
        check(
            _("A 3x3 conv to {units} channels needs 27·{units} + {units}").format(units=units),
            conv3,
            f"= {28 * units:,}",
            conv3 == 28 * units,
        ),
        check(
            _("The FC layer has over 5000x the conv's parameters"), fc / conv3, "> 5000", fc / conv3 > 5000
        ),
        check(
            _("FC equals a conv with a full-size kernel (8x8 input, 8x8 kernel, 1x1 output)"),
            same,
            _("max abs diff < 1e-12"),
            same < 1e-12,
        ),
    )
    summary = _(
        "A conv layer's parameters depend on kernel size and channels only, never on the image size, because "
        "one small filter is shared across all positions (weight sharing) and each output sees a local patch "
        "(sparse connectivity). An FC layer connects every input to every output; it is the special case of "
        "a convolution whose kernel is as large as its input."
    )
    return DemoResult(
        "fc-vs-conv-params",
        "FC vs conv parameters",
        {"units": units},
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


@demo(
    id="pooling-shift",
    title={
        "en": "Max pooling under a one-pixel shift: partly unchanged, not invariant",
        "zh": "输入平移一个像素时的最大池化：部分不变，而非完全不变",
    },
    questions=("cnn-layers",),
    params=(Param("images", 16, N_("random 32x32 images (i.i.d. Gaussian pixels)"), min=4, max=256),),
)
def pooling_shift(rng: np.random.Generator, *, seed: int, images: int):
    x = rng.normal(size=(images, 1, 32, 32))
    shifted = np.roll(x, 1, axis=3)  # circular, so no border effects

    def unchanged(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(a == b))

    raw = unchanged(shifted, x)
    pool2 = unchanged(max_pool2d(shifted, 2), max_pool2d(x, 2))
    pool3 = unchanged(max_pool2d(shifted, 3, stride=1), max_pool2d(x, 3, stride=1))
    by_stride = float(
        np.abs(max_pool2d(np.roll(x, 2, axis=3), 2) - np.roll(max_pool2d(x, 2), 1, axis=3)).max()
    )
    # For i.i.d. pixels an output is unchanged iff the maximum of the two windows lies in their overlap:
    # 2x2 windows shifted by one column share 2 of 6 pixels (1/3); 3x3 windows share 6 of 12 (1/2).
    table = Table(
        _("Fraction of outputs that do not change when the image moves one pixel right"),
        (_("output"), _("unchanged"), _("theory (i.i.d. pixels)")),
        (
            (_("pixels"), raw, 0.0),
            (_("max pool 2x2, stride 2"), pool2, 1 / 3),
            (_("max pool 3x3, stride 1"), pool3, 1 / 2),
        ),
    )
    checks = (
        check(_("Raw pixels: essentially none keep their value"), raw, "< 0.01", raw < 0.01),
        check(
            _("2x2 max pooling: about 1/3 of outputs are unchanged"),
            pool2,
            "|x − 1/3| < 0.05",
            abs(pool2 - 1 / 3) < 0.05,
        ),
        check(
            _("3x3 max pooling (stride 1): about 1/2 unchanged"),
            pool3,
            "|x − 1/2| < 0.05",
            abs(pool3 - 0.5) < 0.05,
        ),
        check(
            _("A shift by the stride (2 pixels) just shifts the pooled map by one cell"),
            by_stride,
            _("max abs diff = 0"),
            by_stride == 0.0,
        ),
    )
    summary = _(
        "Pooling gives some invariance to small shifts: an output survives when the window's maximum stays "
        "inside the overlap of old and new windows. Larger windows keep more outputs unchanged, but no "
        "pooling layer is fully shift-invariant. The fractions here are for i.i.d. noise; they differ for "
        "natural images."
    )
    return DemoResult(
        "pooling-shift",
        "Pooling under a one-pixel shift",
        {"images": images},
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


def _circular_conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """'Same'-size convolution with wrap-around padding: exactly shift-equivariant."""
    ph, pw = w.shape[2] // 2, w.shape[3] // 2
    return conv2d(np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode="wrap"), w)


@demo(
    id="conv-equivariance",
    title={
        "en": "Convolution commutes with shifts; strided pooling does not",
        "zh": "卷积与平移可交换（平移等变）；带步长的池化则不满足",
    },
    questions=("cnn-why-conv",),
    params=(Param("shift", 3, N_("shift in pixels (down and right)"), min=1, max=6),),
)
def conv_equivariance(rng: np.random.Generator, *, seed: int, shift: int):
    x = rng.normal(size=(2, 3, 16, 16))
    w = rng.normal(size=(4, 3, 3, 3))

    def move(a: np.ndarray, by: int = shift) -> np.ndarray:
        return np.roll(a, (by, by), axis=(2, 3))

    circular = float(np.abs(_circular_conv(move(x), w) - move(_circular_conv(x, w))).max())
    # Zero padding: the shifted image's conv equals the shifted conv wherever neither the padding nor the
    # wrapped-in pixels are inside the 3x3 window.
    padded_shifted, shifted_padded = conv2d(move(x), w, padding=1), move(conv2d(x, w, padding=1))
    interior = (slice(None), slice(None), slice(shift + 1, 15), slice(shift + 1, 15))
    inside = float(np.abs(padded_shifted[interior] - shifted_padded[interior]).max())
    border = float(np.abs(padded_shifted - shifted_padded).max())

    y = _circular_conv(x, w)
    pooled = max_pool2d(y, 2)
    one_pixel = max_pool2d(move(y, 1), 2)
    # Compare with every possible shift of the pooled map: none reproduces the pooled shifted input.
    best = min(
        float(np.abs(one_pixel - np.roll(pooled, (dy, dx), axis=(2, 3))).max())
        for dy in range(8)
        for dx in range(8)
    )
    two_pixels = float(np.abs(max_pool2d(move(y, 2), 2) - np.roll(pooled, (1, 1), axis=(2, 3))).max())
    table = Table(
        _("max |f(shift(x)) − shift(f(x))| for a {shift}-pixel shift (16x16 maps)").format(shift=shift),
        (_("operation"), _("max abs diff")),
        (
            (_("3x3 conv, circular padding"), circular),
            (_("3x3 conv, zero padding, interior"), inside),
            (_("3x3 conv, zero padding, whole map"), border),
            (_("2x2/2 max pool, 1-pixel shift, best output shift"), best),
            (_("2x2/2 max pool, 2-pixel shift, output shift 1"), two_pixels),
        ),
    )
    checks = (
        check(_("Circular conv: conv(shift(x)) = shift(conv(x))"), circular, "< 1e-12", circular < 1e-12),
        check(_("Zero-padded conv: equal away from the borders"), inside, "< 1e-12", inside < 1e-12),
        check(
            _("Zero-padded conv: not equal at the borders (padding is not shifted)"),
            border,
            "> 1e-3",
            border > 1e-3,
        ),
        check(
            _("Stride-2 max pooling: a 1-pixel input shift matches no shift of the pooled output"),
            best,
            _("min over output shifts of max diff > 0.1"),
            best > 0.1,
        ),
        check(
            _("A 2-pixel shift (a multiple of the stride) does commute with it"),
            two_pixels,
            "= 0",
            two_pixels == 0.0,
        ),
    )
    summary = _(
        "The same filter is applied at every position, so moving the input moves the feature map by the same "
        "amount (equivariance). That suits data whose local statistics are the same everywhere, like images. "
        "Borders with zero padding and any stride > 1 (strided conv or pooling) break it for shifts that "
        "are not multiples of the stride."
    )
    return DemoResult(
        "conv-equivariance",
        "Shift equivariance of convolution",
        {"shift": shift},
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


def _layer1_gradient(
    x: np.ndarray, weights: list[np.ndarray], upstream: np.ndarray, residual_scale: float | None
) -> np.ndarray:
    """Norm of dL/dh_l for every layer l (index 0 = input of layer 1), L = sum(upstream * h_L).

    Plain: h ← ReLU(W h). Residual (``residual_scale`` = α): h ← h + α·ReLU(W h).
    """
    h, tape = x, []
    for w in weights:
        z = h @ w
        tape.append(z)
        h = np.maximum(z, 0.0) if residual_scale is None else h + residual_scale * np.maximum(z, 0.0)
    g = upstream
    norms = [float(np.linalg.norm(g))]
    for w, z in zip(reversed(weights), reversed(tape), strict=True):
        branch = (g * (z > 0)) @ w.T
        g = branch if residual_scale is None else g + residual_scale * branch
        norms.append(float(np.linalg.norm(g)))
    return np.array(norms[::-1])


@demo(
    id="resnet-gradient",
    title={
        "en": "Gradient reaching layer 1 of a deep plain vs residual MLP at initialization",
        "zh": "初始化时深层普通 MLP 与残差 MLP 传到第 1 层的梯度大小",
    },
    questions=("cnn-resnet",),
    params=(
        Param("depth", 50, N_("layers"), min=30, max=60),
        Param("width", 64, N_("units per layer"), min=64, max=256),
    ),
)
def resnet_gradient(rng: np.random.Generator, *, seed: int, depth: int, width: int):
    x = rng.normal(size=(32, width))
    lecun = [rng.normal(size=(width, width)) / math.sqrt(width) for _ in range(depth)]
    he = [w * math.sqrt(2.0) for w in lecun]
    upstream = rng.normal(size=(32, width))
    alpha = 1.0 / math.sqrt(depth)
    plain_lecun, plain_he_init = _("plain, LeCun init"), _("plain, He init")
    residual_lecun = _("residual, LeCun init, branch ×1/√{depth}").format(depth=depth)
    curves = {
        plain_lecun: _layer1_gradient(x, lecun, upstream, None),
        plain_he_init: _layer1_gradient(x, he, upstream, None),
        residual_lecun: _layer1_gradient(x, lecun, upstream, alpha),
    }
    ratios = {name: float(c[0] / c[-1]) for name, c in curves.items()}
    layers = tuple(float(i) for i in range(depth + 1))
    plot = Plot(
        _("‖dL/dh‖ by layer (0 = network input)"),
        tuple(Series(name, tuple(map(float, c)), layers) for name, c in curves.items()),
        xlabel=_("layer"),
        ylabel=_("gradient norm"),
        logy=True,
    )
    table = Table(
        _("{depth}-layer ReLU MLP, width {width}: ‖dL/dh_0‖ / ‖dL/dh_{depth}‖").format(
            depth=depth, width=width
        ),
        (_("network"), _("ratio"), _("expected order")),
        (
            (plain_lecun, ratios[plain_lecun], f"2^(−{depth}/2) = {2 ** (-depth / 2):.2g}"),
            (plain_he_init, ratios[plain_he_init], _("≈ 1 (with random spread)")),
            (residual_lecun, list(ratios.values())[2], "O(1), ≥ 1"),
        ),
    )
    plain, plain_he, residual = ratios.values()
    checks = (
        check(
            _("Plain net, LeCun init: the gradient at layer 1 has nearly vanished"),
            plain,
            "< 1e-3",
            plain < 1e-3,
        ),
        check(
            _("Residual net, same weights: it reaches layer 1 at full size"),
            residual,
            _("in [0.5, 10]"),
            0.5 <= residual <= 10,
        ),
        check(
            _("Plain net, He init: no vanishing at initialization either"),
            plain_he,
            _("in [0.01, 100]"),
            0.01 <= plain_he <= 100,
        ),
    )
    summary = _(
        "With an identity shortcut, dL/dh_l = dL/dh_L·Π(I + α·J_k): the identity term carries the gradient "
        "straight down, whatever the branches do. Without it the gradient is a product of layer Jacobians "
        "and shrinks or grows geometrically with the init scale (here ×1/√2 per layer for LeCun init). The "
        "He-init row shows that a good init also avoids vanishing at initialization; ResNet's stated "
        "motivation is the degradation problem (deeper plain nets training worse even with BN), not this."
    )
    params = {"depth": depth, "width": width}
    return DemoResult(
        "resnet-gradient",
        "Plain vs residual gradient at layer 1",
        params,
        seed,
        summary=summary,
        tables=(table,),
        plots=(plot,),
        checks=checks,
    )


@demo(
    id="resnext-block-params",
    title={
        "en": "ResNet bottleneck vs 32-group ResNeXt block: the same parameter budget (≈70k)",
        "zh": "ResNet 瓶颈块与 32 组 ResNeXt 块：参数预算相同（约 7 万）",
    },
    questions=("cnn-resnet-v2-resnext",),
)
def resnext_block_params(rng: np.random.Generator, *, seed: int):
    cardinality, d = 32, 4
    inner = cardinality * d
    bottleneck = {
        "1x1, 256→64": conv2d_params(256, 64, 1, bias=False),
        "3x3, 64→64": conv2d_params(64, 64, 3, bias=False),
        "1x1, 64→256": conv2d_params(64, 256, 1, bias=False),
    }
    resnext = {
        f"1x1, 256→{inner}": conv2d_params(256, inner, 1, bias=False),
        _("3x3, {inner}→{inner}, {cardinality} groups").format(
            inner=inner, cardinality=cardinality
        ): conv2d_params(inner, inner, 3, groups=cardinality, bias=False),
        f"1x1, {inner}→256": conv2d_params(inner, 256, 1, bias=False),
    }
    paths = cardinality * (256 * d + 9 * d * d + d * 256)  # the paper's form: C·(256·d + 3·3·d·d + d·256)
    rows = [(_("ResNet bottleneck"), name, p) for name, p in bottleneck.items()]
    rows += [("ResNeXt 32x4d", name, p) for name, p in resnext.items()]
    rows += [
        (_("ResNet bottleneck"), _("total"), sum(bottleneck.values())),
        ("ResNeXt 32x4d", _("total"), sum(resnext.values())),
    ]
    table = Table(
        _("Conv weights per block (no biases; BN adds a few hundred more)"),
        (_("block"), _("layer"), _("parameters")),
        tuple(rows),
    )
    b_total, x_total = sum(bottleneck.values()), sum(resnext.values())

    # Split-transform-merge: 32 separate paths (256→4→4→256, summed) compute exactly what the grouped
    # block computes, with the same weights.
    x = rng.normal(size=(1, 256, 6, 6))
    a = rng.normal(size=(inner, 256, 1, 1)) / 16
    b = rng.normal(size=(inner, d, 3, 3)) / 6
    c = rng.normal(size=(256, inner, 1, 1)) / math.sqrt(inner)

    def relu(t: np.ndarray) -> np.ndarray:
        return np.maximum(t, 0.0)

    grouped = conv2d(relu(conv2d(relu(conv2d(x, a)), b, padding=1, groups=cardinality)), c)
    summed = np.zeros_like(grouped)
    for i in range(cardinality):
        part = slice(i * d, (i + 1) * d)
        h = relu(conv2d(relu(conv2d(x, a[part])), b[part], padding=1))
        summed += conv2d(h, c[:, part])
    same = float(np.abs(grouped - summed).max())
    checks = (
        check(
            _("ResNet bottleneck 256→64→64→256 has 69,632 weights"), b_total, "= 69,632", b_total == 69_632
        ),
        check(
            _("ResNeXt block 256→128 (32x4d)→128→256 has 70,144 weights"),
            x_total,
            "= 70,144",
            x_total == 70_144,
        ),
        check(
            _("Same budget: the two differ by under 1%"),
            abs(x_total / b_total - 1),
            "< 0.01",
            abs(x_total / b_total - 1) < 0.01,
        ),
        check(
            _("The paper's formula C·(256d + 9d² + 256d) gives the same count"),
            paths,
            "= 70,144",
            paths == x_total,
        ),
        check(
            _("A grouped conv block equals 32 summed paths of 256→4→4→256 (split-transform-merge)"),
            same,
            _("max abs diff < 1e-10"),
            same < 1e-10,
        ),
    )
    summary = _(
        "At the same parameter (and FLOP) budget, ResNeXt trades a 64-wide 3x3 conv for a 128-wide one split "
        "into 32 groups of 4 channels: more, thinner transformations ('cardinality'). The ResNeXt paper "
        "reports higher accuracy at equal complexity, e.g. ResNeXt-101 beating ResNet-200 at about half "
        "its complexity."
    )
    return DemoResult(
        "resnext-block-params",
        "Bottleneck vs ResNeXt block",
        {},
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


def _support(kernel: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(np.abs(kernel) > 0)
    return int(np.ptp(rows) + 1), int(np.ptp(cols) + 1)


@demo(
    id="inception-factorization",
    title={
        "en": "Inception factorizations: parameter savings and preserved receptive fields",
        "zh": "Inception 中的卷积分解：参数节省与感受野不变",
    },
    questions=("cnn-inception",),
    params=(Param("n", 7, N_("kernel size for the n×n → 1×n + n×1 row"), min=3, max=15),),
)
def inception_factorization(rng: np.random.Generator, *, seed: int, n: int):
    # Weights per (input channel × output channel) pair, C→C, no biases.
    rows = [
        ("5x5 → 3x3 + 3x3", 25, 18, 1 - 18 / 25, "5x5"),
        ("3x3 → 1x3 + 3x1", 9, 6, 1 - 6 / 9, "3x3"),
        (f"{n}x{n} → 1x{n} + {n}x1", n * n, 2 * n, 1 - 2 / n, f"{n}x{n}"),
    ]
    direct = conv2d_params(192, 32, 5, bias=False)
    reduced = conv2d_params(192, 16, 1, bias=False) + conv2d_params(16, 32, 5, bias=False)
    rows.append(
        (
            _("GoogLeNet 3a 5x5 branch: 192→32 vs 192→16 (1x1)→32"),
            direct,
            reduced,
            1 - reduced / direct,
            "5x5",
        )
    )
    table = Table(
        _(
            "Weights (per C² for the first rows), savings and receptive field; "
            "multiply-adds scale the same way"
        ),
        (_("factorization"), _("before"), _("after"), _("saving"), _("receptive field")),
        tuple((name, before, after, float(saving), rf) for name, before, after, saving, rf in rows),
    )

    # Receptive fields by impulse response: single-channel linear convs, composed on a delta image.
    impulse = np.zeros((1, 1, 11, 11))
    impulse[0, 0, 5, 5] = 1.0
    k3a, k3b = rng.uniform(0.5, 1.0, (2, 1, 1, 3, 3))
    two_3x3 = conv2d(conv2d(impulse, k3a, padding=1), k3b, padding=1)[0, 0]
    row, col = rng.uniform(0.5, 1.0, (1, 1, 1, 3)), rng.uniform(0.5, 1.0, (1, 1, 3, 1))
    factorized = conv2d(conv2d(impulse, row, padding=(0, 1)), col, padding=(1, 0))
    big = rng.normal(size=(1, 3, 16, 16))
    sequential = conv2d(conv2d(big[:, :1], row, padding=(0, 1)), col, padding=(1, 0))
    outer = conv2d(big[:, :1], (col[0, 0] @ row[0, 0])[None, None], padding=1)
    rank_one = float(np.abs(sequential - outer).max())
    two_rf, fact_rf = _support(two_3x3), _support(factorized[0, 0])
    checks = (
        check(
            _("5x5 → two 3x3 saves 28% (25 → 18 weights per channel pair)"),
            rows[0][3],
            "= 0.28",
            abs(rows[0][3] - 0.28) < 1e-12,
        ),
        check(_("3x3 → 1x3 + 3x1 saves 33% (9 → 6)"), rows[1][3], "= 1/3", abs(rows[1][3] - 1 / 3) < 1e-12),
        check(
            _("Two stacked 3x3 convs cover a 5x5 field (measured)"),
            max(two_rf),
            _("= 5 (both axes)"),
            two_rf == (5, 5),
        ),
        check(
            _("1x3 then 3x1 covers a 3x3 field (measured)"),
            max(fact_rf),
            _("= 3 (both axes)"),
            fact_rf == (3, 3),
        ),
        check(
            _("With one channel, 1x3 then 3x1 is exactly a rank-1 3x3 kernel (outer product)"),
            rank_one,
            _("max abs diff < 1e-12"),
            rank_one < 1e-12,
        ),
        check(
            _("A 1x1 reduction to 16 channels cuts GoogLeNet's 3a 5x5 branch by ~90% (153,600 → 15,872)"),
            rows[3][3],
            _("in [0.89, 0.90]"),
            direct == 153_600 and reduced == 15_872 and 0.89 <= rows[3][3] <= 0.90,
        ),
    )
    summary = _(
        "Inception v1 runs 1x1, 3x3, 5x5 and pooling branches in parallel and puts 1x1 reductions before the "
        "expensive ones. Inception v2/v3 factorize: a 5x5 becomes two 3x3 and an n×n becomes 1×n then n×1, "
        "keeping the receptive field with fewer weights. The factorized layers are not equivalent to the "
        "big kernel (one channel of 1×n then n×1 is only a rank-1 n×n kernel); the bet is that the "
        "restricted, deeper version, with a nonlinearity in between, is as good at lower cost."
    )
    return DemoResult(
        "inception-factorization",
        "Inception factorizations",
        {"n": n},
        seed,
        summary=summary,
        tables=(table,),
        checks=checks,
    )


@demo(
    id="densenet-growth",
    title={
        "en": "DenseNet: channels grow as k0 + l·k; parameters of a dense block vs residual blocks",
        "zh": "DenseNet：通道数按 k0 + l·k 增长；稠密块与残差块的参数量对比",
    },
    questions=("cnn-densenet",),
    params=(
        Param("k0", 64, N_("channels entering the block"), min=1, max=512),
        Param("growth", 32, N_("growth rate k (channels each layer adds)"), min=1, max=64),
        Param("layers", 6, N_("layers in the block"), min=1, max=24),
    ),
)
def densenet_growth(rng: np.random.Generator, *, seed: int, k0: int, growth: int, layers: int):
    # Run a real dense block (BN omitted: it does not change shapes) and record what each layer sees.
    features = rng.normal(size=(1, k0, 4, 4))
    seen, rows = [], []
    for layer in range(1, layers + 1):
        c_in = features.shape[1]
        seen.append(c_in)
        w1 = rng.normal(size=(4 * growth, c_in, 1, 1)) / math.sqrt(c_in)
        w3 = rng.normal(size=(growth, 4 * growth, 3, 3)) / math.sqrt(36 * growth)
        new = conv2d(np.maximum(conv2d(np.maximum(features, 0.0), w1), 0.0), w3, padding=1)
        features = np.concatenate([features, new], axis=1)  # every earlier map is reused, not recomputed
        rows.append((layer, c_in, k0 + (layer - 1) * growth, dense_layer_params(c_in, growth)))
    table = Table(
        _("Dense block, k0 = {k0}, k = {growth}, BN-ReLU-1x1({width})-BN-ReLU-3x3({growth}) layers").format(
            k0=k0, growth=growth, width=4 * growth
        ),
        (_("layer l"), _("input channels (run)"), "k0 + (l−1)·k", _("parameters")),
        tuple(rows),
    )
    dense = sum(r[3] for r in rows)
    out = features.shape[1]
    basic = 2 * (conv2d_params(out, out, 3, bias=False) + batchnorm_params(out))
    stage: int | str = _("n/a (width not a multiple of 4)")
    if out % 4 == 0:
        stage = sum(bottleneck_params(out if i else k0, out // 4, downsample=i == 0) for i in range(3))
    compare = Table(
        _("Blocks that output {out} channels").format(out=out),
        (_("block"), _("parameters")),
        (
            (_("dense block ({layers} layers, k = {growth})").format(layers=layers, growth=growth), dense),
            (_("residual basic block (two 3x3, {out}→{out})").format(out=out), basic),
            (
                _("3 ResNet bottlenecks ({k0}→{out}, width {width})").format(k0=k0, out=out, width=out // 4),
                stage,
            ),
            (_("DenseNet-121, whole network"), _total(densenet121())),
            (_("ResNet-50, whole network"), _total(resnet50())),
        ),
    )
    dn121, rn50 = _total(densenet121()), _total(resnet50())
    mismatch = sum(s != k0 + i * growth for i, s in enumerate(seen))
    three_by_three = conv2d_params(4 * growth, growth, 3, bias=False)
    checks = (
        check(
            _("Layer l receives k0 + (l − 1)·k channels (measured on a real forward pass)"),
            mismatch,
            _("0 mismatches"),
            mismatch == 0,
        ),
        check(
            _("The block outputs k0 + L·k channels"),
            out,
            f"= {k0 + layers * growth}",
            out == k0 + layers * growth,
        ),
        check(
            _("A dense layer's 3x3 conv has 4k·k·9 weights, independent of how wide the block has grown"),
            three_by_three,
            f"= {36 * growth * growth:,}",
            three_by_three == 36 * growth * growth,
        ),
        check(
            _("DenseNet-121 (torchvision) has 7,978,856 parameters"), dn121, "= 7,978,856", dn121 == 7_978_856
        ),
        check(
            _("…about 3.2x fewer than ResNet-50's 25,557,032"),
            rn50 / dn121,
            _("in [3.1, 3.3]"),
            3.1 <= rn50 / dn121 <= 3.3,
        ),
    )
    summary = _(
        "Each dense layer adds only k new feature maps and reads all earlier ones, so layers stay narrow and "
        "features are reused instead of relearned; the cost is memory for the growing concatenation. "
        "Block against block the answer depends on the design (a basic residual block of the same width is "
        "usually larger, a bottleneck stage can be smaller); parameter efficiency is a whole-network "
        "property: DenseNet-121 has 3.2x fewer parameters than ResNet-50, and the DenseNet paper reports "
        "DenseNet-201 (20 M) matching ResNet-101 (over 40 M)."
    )
    params = {"k0": k0, "growth": growth, "layers": layers}
    return DemoResult(
        "densenet-growth",
        "DenseNet channel growth",
        params,
        seed,
        summary=summary,
        tables=(table, compare),
        checks=checks,
    )
