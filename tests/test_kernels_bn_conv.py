"""Batch-norm and convolution kernels against numeric gradients, hand-computed cases and direct loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.kernels import (
    avg_pool2d,
    batchnorm_backward,
    batchnorm_backward_compact,
    batchnorm_eval,
    batchnorm_forward,
    conv2d,
    conv2d_params,
    conv_output_size,
    linear_params,
    max_pool2d,
    numeric_gradient,
    receptive_fields,
    update_running_stats,
)


def rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300))


# --- batch norm -----------------------------------------------------------------------------------------


def test_batchnorm_forward_hand_computed():
    # One feature, x = [1, 2, 3]: mean 2, biased variance 2/3.
    x = np.array([[1.0], [2.0], [3.0]])
    out, cache = batchnorm_forward(x, np.array([2.0]), np.array([0.5]), eps=0.0)
    x_hat = np.array([[-1.0], [0.0], [1.0]]) / math.sqrt(2 / 3)
    np.testing.assert_allclose(out, 2.0 * x_hat + 0.5, rtol=0, atol=1e-15)
    np.testing.assert_allclose(cache.var, [2 / 3])


def test_batchnorm_backward_hand_computed():
    # x = [1, 2, 3], gamma = 1, eps = 0, dout = [1, 0, 0]: dbeta = 1, dgamma = x_hat_0 = -sqrt(3/2).
    # dx = (1/(N sigma)) (N dout - sum dout - x_hat * sum(dout x_hat)) with sigma = sqrt(2/3).
    x = np.array([[1.0], [2.0], [3.0]])
    _, cache = batchnorm_forward(x, np.ones(1), np.zeros(1), eps=0.0)
    dout = np.array([[1.0], [0.0], [0.0]])
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    s = math.sqrt(1.5)
    # By hand: x_hat = [-s, 0, s], sum dout = 1, sum dout*x_hat = -s, so the bracket is [0.5, -1, 0.5]
    # and N*sigma = 3*sqrt(2/3) = sqrt(6).
    np.testing.assert_allclose(dx[:, 0], np.array([0.5, -1.0, 0.5]) / math.sqrt(6), atol=1e-14)
    assert dbeta[0] == pytest.approx(1.0)
    assert dgamma[0] == pytest.approx(-s)


def _bn_grads_numeric(x, gamma, beta, dout, eps):
    def loss(x_=x, g_=gamma, b_=beta):
        return float(np.sum(dout * batchnorm_forward(x_, g_, b_, eps)[0]))

    return (
        numeric_gradient(lambda v: loss(x_=v), x),
        numeric_gradient(lambda v: loss(g_=v), gamma),
        numeric_gradient(lambda v: loss(b_=v), beta),
    )


def test_batchnorm_backward_matches_numeric_gradient():
    rng = np.random.default_rng(1)
    x = rng.normal(1.0, 2.0, size=(6, 3))
    gamma, beta, dout = rng.normal(size=3), rng.normal(size=3), rng.normal(size=(6, 3))
    _, cache = batchnorm_forward(x, gamma, beta)
    numeric = _bn_grads_numeric(x, gamma, beta, dout, 1e-5)
    for analytic in (batchnorm_backward(dout, cache), batchnorm_backward_compact(dout, cache)):
        for a, n in zip(analytic, numeric, strict=True):
            assert rel(a, n) < 1e-7


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(3, 12),
    d=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.1, 10.0),
    eps=st.sampled_from([1e-5, 1e-3, 0.1]),
)
def test_batchnorm_backward_random_shapes(n, d, seed, scale, eps):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, scale, size=(n, d))
    gamma, beta, dout = rng.normal(size=d), rng.normal(size=d), rng.normal(size=(n, d))
    _, cache = batchnorm_forward(x, gamma, beta, eps)
    staged = batchnorm_backward(dout, cache)
    compact = batchnorm_backward_compact(dout, cache)
    for a, b in zip(staged, compact, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(a).max())))
    numeric = _bn_grads_numeric(x, gamma, beta, dout, eps)
    # dgamma and dbeta are well conditioned; dx can be tiny for n = 3 with large eps, so compare absolutely.
    assert rel(staged[1], numeric[1]) < 1e-6
    assert rel(staged[2], numeric[2]) < 1e-6
    np.testing.assert_allclose(staged[0], numeric[0], atol=1e-6 * (1 + np.abs(numeric[0]).max()))
    # BN ignores a constant shift of a feature, so dx sums to zero over the batch.
    np.testing.assert_allclose(staged[0].sum(axis=0), 0.0, atol=1e-10 * (1 + np.abs(staged[0]).max()))


def test_batchnorm_does_not_mutate_inputs():
    rng = np.random.default_rng(2)
    x, gamma, beta, dout = (
        rng.normal(size=(4, 2)),
        rng.normal(size=2),
        rng.normal(size=2),
        rng.normal(size=(4, 2)),
    )
    copies = [a.copy() for a in (x, gamma, beta, dout)]
    _, cache = batchnorm_forward(x, gamma, beta)
    batchnorm_backward(dout, cache)
    batchnorm_backward_compact(dout, cache)
    for a, b in zip((x, gamma, beta, dout), copies, strict=True):
        np.testing.assert_array_equal(a, b)


def test_batchnorm_forward_rejects_non_matrix():
    with pytest.raises(ValueError):
        batchnorm_forward(np.zeros((2, 3, 4)), np.ones(3), np.zeros(3))


def test_batchnorm_eval_and_running_stats():
    x = np.array([[1.0, 10.0], [3.0, 14.0]])
    mean, var = update_running_stats(np.zeros(2), np.ones(2), x, momentum=0.5)
    np.testing.assert_allclose(mean, [1.0, 6.0])
    # unbiased batch variances are 2 and 8
    np.testing.assert_allclose(var, [1.5, 4.5])
    out = batchnorm_eval(x, np.array([2.0, 1.0]), np.array([0.0, 1.0]), mean, var, eps=0.0)
    np.testing.assert_allclose(
        out, [[0.0, 1 + 4 / math.sqrt(4.5)], [2 * 2 / math.sqrt(1.5), 1 + 8 / math.sqrt(4.5)]]
    )
    with pytest.raises(ValueError):
        update_running_stats(np.zeros(2), np.ones(2), x[:1])


# --- convolution and pooling ---------------------------------------------------------------------------


def conv2d_loop(x, w, b, stride, padding, groups):
    """Direct six-loop convolution, the independent reference."""
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    per_group = f // groups
    for i in range(n):
        for k in range(f):
            g = k // per_group
            for r in range(oh):
                for s in range(ow):
                    patch = xp[
                        i, g * cg : (g + 1) * cg, r * stride : r * stride + kh, s * stride : s * stride + kw
                    ]
                    out[i, k, r, s] = np.sum(patch * w[k]) + (0.0 if b is None else b[k])
    return out


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    groups=st.sampled_from([1, 2, 3]),
    per_group_in=st.integers(1, 2),
    per_group_out=st.integers(1, 2),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    size=st.integers(3, 7),
    bias=st.booleans(),
)
def test_conv2d_matches_direct_loop(
    seed, groups, per_group_in, per_group_out, kh, kw, stride, padding, size, bias
):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, groups * per_group_in, size, size + 1))
    w = rng.normal(size=(groups * per_group_out, per_group_in, kh, kw))
    b = rng.normal(size=w.shape[0]) if bias else None
    out = conv2d(x, w, b, stride=stride, padding=padding, groups=groups)
    np.testing.assert_allclose(out, conv2d_loop(x, w, b, stride, padding, groups), atol=1e-12)
    assert out.shape[2] == conv_output_size(size, kh, stride, padding)
    assert out.shape[3] == conv_output_size(size + 1, kw, stride, padding)


def test_conv2d_gradient_against_numeric():
    rng = np.random.default_rng(3)
    x, w, up = rng.normal(size=(1, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=(1, 3, 3, 3))
    # conv2d is linear in w: dL/dw[f, c, u, v] = sum over outputs of up * the input patch entry.
    numeric = numeric_gradient(lambda v: float(np.sum(up * conv2d(x, v, stride=1))), w)
    patches = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(2, 3))  # (1, 2, 3, 3, 3, 3)
    analytic = np.einsum("nfij,ncijuv->fcuv", up, patches)
    assert rel(analytic, numeric) < 1e-8


def test_conv2d_rejects_mismatched_channels():
    with pytest.raises(ValueError):
        conv2d(np.zeros((1, 4, 5, 5)), np.zeros((2, 3, 3, 3)))
    with pytest.raises(ValueError):
        conv2d(np.zeros((1, 4, 5, 5)), np.zeros((3, 2, 3, 3)), groups=2)


def test_pooling_hand_computed():
    x = np.arange(16, dtype=float).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(max_pool2d(x, 2)[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_allclose(avg_pool2d(x, 2)[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    assert max_pool2d(x, 3, stride=1).shape == (1, 1, 2, 2)
    # -inf padding: a padded max pool never returns the padding value
    assert max_pool2d(-np.ones((1, 1, 2, 2)), 2, stride=2, padding=1).max() == -1.0


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "expected"),
    [
        (32, 3, 1, 1, 32),
        (32, 5, 1, 0, 28),
        (224, 7, 2, 3, 112),
        (224, 11, 4, 2, 55),
        (227, 11, 4, 0, 55),
        (10, 4, 3, 0, 3),
    ],
)
def test_conv_output_size_formula(size, kernel, stride, padding, expected):
    assert (
        conv_output_size(size, kernel, stride, padding)
        == expected
        == (size - kernel + 2 * padding) // stride + 1
    )


def test_conv_output_size_rejects_oversized_kernel():
    with pytest.raises(ValueError):
        conv_output_size(3, 5)


def test_parameter_counts_and_receptive_fields():
    assert conv2d_params(3, 64, 3) == 1792
    assert conv2d_params(128, 128, 3, groups=32, bias=False) == 4608
    assert conv2d_params(3, 8, (1, 3), bias=False) == 72
    assert linear_params(4096, 1000) == 4_097_000
    assert [r for r, _ in receptive_fields([(3, 1), (3, 1), (2, 2), (3, 1)])] == [3, 5, 6, 10]
    with pytest.raises(ValueError):
        conv2d_params(3, 64, 3, groups=2)
