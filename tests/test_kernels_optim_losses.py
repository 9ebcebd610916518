"""The optimizer, loss and gradient-check kernels against hand-computed cases and independent references."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlquiz.kernels import (
    OPTIMIZERS,
    adadelta,
    adagrad,
    adam,
    l1,
    logistic_regression,
    momentum,
    mse,
    nesterov,
    numeric_gradient,
    relative_error,
    rmsprop,
    sgd,
    sigmoid,
    sigmoid_binary_cross_entropy,
    smooth_l1,
    softmax,
    softmax_cross_entropy,
)

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)

# ---------------------------------------------------------------------------------------------------
# numeric_gradient


def test_numeric_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numeric_gradient(lambda v: float(np.sum(v**2)), x), 2 * x, atol=1e-9)
    np.testing.assert_allclose(
        numeric_gradient(lambda v: float(np.sum(np.sin(v))), x), np.cos(x), rtol=1e-9, atol=1e-10
    )


def test_numeric_gradient_leaves_its_input_alone():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    numeric_gradient(lambda v: float(v @ v), x)
    np.testing.assert_array_equal(x, before)


def test_relative_error():
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([2.0]), np.array([1.0])) == pytest.approx(0.5)
    # norm-wise: a near-zero entry that is off by 100% barely matters next to a large one
    assert relative_error(np.array([1.0, 1e-9]), np.array([1.0, 2e-9])) < 1e-8


# ---------------------------------------------------------------------------------------------------
# losses: hand-computed values


def test_mse_and_l1_by_hand():
    loss, grad = mse(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    assert loss == pytest.approx(2.5)
    np.testing.assert_allclose(grad, [1.0, 2.0])
    loss, grad = l1(np.array([1.0, -3.0, 0.0]), np.zeros(3))
    assert loss == pytest.approx(4 / 3)
    np.testing.assert_allclose(grad, [1 / 3, -1 / 3, 0.0])


def test_smooth_l1_by_hand():
    # r = 0.5 (quadratic part) and r = -3 (linear part), beta = 1
    loss, grad = smooth_l1(np.array([0.5, -3.0]), np.zeros(2))
    assert loss == pytest.approx((0.125 + 2.5) / 2)
    np.testing.assert_allclose(grad, [0.25, -0.5])
    # beta = 2 moves the switch: r = 1.5 is still quadratic, 0.5 * 1.5**2 / 2
    loss, grad = smooth_l1(np.array([1.5]), np.zeros(1), beta=2.0)
    assert loss == pytest.approx(0.5625)
    np.testing.assert_allclose(grad, [0.75])


def test_smooth_l1_is_continuous_at_beta_and_l1_at_zero_beta():
    beta = 0.7
    below, above = np.array([beta - 1e-12]), np.array([beta + 1e-12])
    assert smooth_l1(below, np.zeros(1), beta)[0] == pytest.approx(smooth_l1(above, np.zeros(1), beta)[0])
    np.testing.assert_allclose(smooth_l1(below, np.zeros(1), beta)[1], smooth_l1(above, np.zeros(1), beta)[1])
    x = np.array([0.3, -2.0, 5.0])
    assert smooth_l1(x, np.zeros(3), beta=0.0)[0] == l1(x, np.zeros(3))[0]
    with pytest.raises(ValueError):
        smooth_l1(x, np.zeros(3), beta=-1.0)


def test_cross_entropy_by_hand():
    loss, grad = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    assert loss == pytest.approx(math.log(4))
    np.testing.assert_allclose(grad, [[-0.375, 0.125, 0.125, 0.125], [0.125, 0.125, 0.125, -0.375]])
    loss, grad = sigmoid_binary_cross_entropy(np.zeros(3), np.array([1.0, 0.0, 0.5]))
    assert loss == pytest.approx(math.log(2))
    np.testing.assert_allclose(grad, [-0.5 / 3, 0.5 / 3, 0.0])


def test_logit_losses_are_stable_for_huge_logits():
    # with warnings as errors, any overflow in exp or log(0) would fail here
    loss, grad = softmax_cross_entropy(np.array([[1000.0, 0.0, -1000.0]]), np.array([2]))
    assert loss == pytest.approx(2000.0)
    np.testing.assert_allclose(grad, [[1.0, 0.0, -1.0]])
    loss, grad = sigmoid_binary_cross_entropy(np.array([1000.0, -1000.0, 800.0]), np.array([0.0, 1.0, 1.0]))
    assert loss == pytest.approx(2000.0 / 3)
    np.testing.assert_allclose(grad, [1 / 3, -1 / 3, 0.0])
    np.testing.assert_allclose(sigmoid(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])


def test_loss_input_validation():
    with pytest.raises(ValueError):
        mse(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))


# ---------------------------------------------------------------------------------------------------
# losses: independent formulas and numeric gradients


def test_cross_entropy_matches_the_naive_formula_for_moderate_logits():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(6, 5)), rng.integers(0, 5, size=6)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert softmax_cross_entropy(z, y)[0] == pytest.approx(-np.mean(np.log(p[np.arange(6), y])))
    np.testing.assert_allclose(softmax(z), p)
    t = rng.integers(0, 2, size=(6, 5)).astype(float)
    q = 1 / (1 + np.exp(-z))
    naive = -np.mean(t * np.log(q) + (1 - t) * np.log(1 - q))
    assert sigmoid_binary_cross_entropy(z, t)[0] == pytest.approx(naive)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 5), c=st.integers(2, 5), seed=st.integers(0, 2**16))
def test_logit_loss_gradients_match_numeric(n, c, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3.0, size=(n, c))
    y = rng.integers(0, c, size=n)
    # elementwise relative error is meaningless on near-zero entries (p ≈ 1e-6): compare with a floor
    _, grad = softmax_cross_entropy(z, y)
    numeric = numeric_gradient(lambda v: softmax_cross_entropy(v, y)[0], z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    t = rng.random(size=(n, c))
    _, grad = sigmoid_binary_cross_entropy(z, t)
    numeric = numeric_gradient(lambda v: sigmoid_binary_cross_entropy(v, t)[0], z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    pred=arrays(np.float64, st.integers(1, 8), elements=finite),
    beta=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_regression_loss_gradients_match_numeric(pred, beta):
    target = np.zeros_like(pred)
    # finite differences straddling a kink (|r| = 0 for L1, |r| = beta for the switch) are meaningless
    away = (np.abs(pred) > 1e-3) & (np.abs(np.abs(pred) - beta) > 1e-3)
    pred = np.where(away, pred, 0.25)
    cases = [mse, l1, lambda p, t: smooth_l1(p, t, beta=beta)]
    for loss in cases:
        _, grad = loss(pred, target)
        numeric = numeric_gradient(lambda v, loss=loss: loss(v, target)[0], pred)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_logistic_regression_gradient(l2):
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(20, 4)), rng.integers(0, 2, size=20).astype(float)
    w, b = rng.normal(size=4), 0.4
    loss, dw, db = logistic_regression(w, b, X, y, l2=l2)
    # independent path: the BCE kernel on the logits, chained through z = Xw + b by hand
    bce, dz = sigmoid_binary_cross_entropy(X @ w + b, y)
    assert loss == pytest.approx(bce + 0.5 * l2 * w @ w)
    np.testing.assert_allclose(dw, X.T @ dz + l2 * w)
    assert db == pytest.approx(dz.sum())
    num_w = numeric_gradient(lambda v: logistic_regression(v, b, X, y, l2)[0], w)
    num_b = numeric_gradient(lambda v: logistic_regression(w, float(v[0]), X, y, l2)[0], np.array([b]))
    assert relative_error(dw, num_w) < 1e-7
    assert relative_error(np.array([db]), num_b) < 1e-7


# ---------------------------------------------------------------------------------------------------
# optimizers: hand-computed steps

THETA = np.array([1.0, -2.0])
GRAD = np.array([0.5, -4.0])


def test_sgd_step():
    params, state = sgd(THETA, GRAD, None, lr=0.1)
    np.testing.assert_allclose(params, [0.95, -1.6])
    assert state == {}


def test_momentum_two_steps():
    p1, s1 = momentum(THETA, GRAD, None, lr=0.1, mu=0.9)
    np.testing.assert_allclose(p1, THETA - 0.1 * GRAD)
    p2, _ = momentum(p1, GRAD, s1, lr=0.1, mu=0.9)
    np.testing.assert_allclose(p2, p1 - 0.1 * 1.9 * GRAD)


def test_nesterov_two_steps():
    p1, s1 = nesterov(THETA, GRAD, None, lr=0.1, mu=0.9)
    np.testing.assert_allclose(p1, THETA - 0.1 * 1.9 * GRAD)  # v = g, step g + 0.9 g
    p2, _ = nesterov(p1, GRAD, s1, lr=0.1, mu=0.9)
    np.testing.assert_allclose(p2, p1 - 0.1 * (GRAD + 0.9 * 1.9 * GRAD))


def test_nesterov_equals_the_look_ahead_form():
    """Iterates of the PyTorch form are the look-ahead points θ + μv of Sutskever's form."""
    A = np.diag([1.0, 10.0])

    def grad(x):
        return A @ x

    lr, mu = 0.05, 0.9
    theta, v = np.array([3.0, 1.0]), np.zeros(2)
    params, state = theta.copy(), None
    for _ in range(25):
        v = mu * v - lr * grad(theta + mu * v)
        theta = theta + v
        params, state = nesterov(params, grad(params), state, lr=lr, mu=mu)
        np.testing.assert_allclose(params, theta + mu * v, rtol=1e-12, atol=1e-12)


def test_adagrad_accumulates_a_sum():
    p1, s1 = adagrad(THETA, GRAD, None, lr=0.1)
    np.testing.assert_allclose(p1, THETA - 0.1 * np.sign(GRAD), rtol=1e-7)
    p2, s2 = adagrad(p1, GRAD, s1, lr=0.1)
    np.testing.assert_allclose(s2["sum_sq"], 2 * GRAD**2)
    np.testing.assert_allclose(p2, p1 - 0.1 * np.sign(GRAD) / math.sqrt(2), rtol=1e-7)


def test_adadelta_first_step():
    rho, eps = 0.95, 1e-6
    p1, s1 = adadelta(THETA, GRAD, None)
    delta = -math.sqrt(eps) / np.sqrt((1 - rho) * GRAD**2 + eps) * GRAD
    np.testing.assert_allclose(p1, THETA + delta)
    np.testing.assert_allclose(s1["sq_delta"], (1 - rho) * delta**2)


def test_rmsprop_first_two_steps():
    p1, s1 = rmsprop(THETA, GRAD, None, lr=0.01, rho=0.9)
    np.testing.assert_allclose(p1, THETA - 0.01 * np.sign(GRAD) / math.sqrt(0.1), rtol=1e-7)
    p2, _ = rmsprop(p1, GRAD, s1, lr=0.01, rho=0.9)
    np.testing.assert_allclose(p2, p1 - 0.01 * np.sign(GRAD) / math.sqrt(0.19), rtol=1e-7)


def test_adam_first_step_and_bias_correction():
    p1, s1 = adam(THETA, GRAD, None, lr=0.01)
    assert s1["t"] == 1
    np.testing.assert_allclose(p1, THETA - 0.01 * np.sign(GRAD), rtol=1e-7)  # corrected: lr per coordinate
    raw, _ = adam(THETA, GRAD, {}, lr=0.01, bias_correction=False)
    ratio = (THETA - raw) / (THETA - p1)
    np.testing.assert_allclose(ratio, 0.1 / math.sqrt(0.001), rtol=1e-6)  # ≈ 3.16x larger
    # second step by hand
    g2 = np.array([1.0, 1.0])
    m = 0.9 * 0.1 * GRAD + 0.1 * g2
    v = 0.999 * 0.001 * GRAD**2 + 0.001 * g2**2
    p2, s2 = adam(p1, g2, s1, lr=0.01)
    np.testing.assert_allclose(p2, p1 - 0.01 * (m / 0.19) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8))
    assert s2["t"] == 2


# ---------------------------------------------------------------------------------------------------
# optimizers: properties shared by all


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("empty", [None, {}])
def test_state_starts_empty_and_inputs_are_not_mutated(name, empty):
    step = OPTIMIZERS[name]
    params, grads = THETA.copy(), GRAD.copy()
    new_params, state = step(params, grads, empty)
    state_before = copy.deepcopy(state)
    params2, state2 = step(new_params, grads, state)
    np.testing.assert_array_equal(params, THETA)
    np.testing.assert_array_equal(grads, GRAD)
    assert state.keys() == state_before.keys()
    for key in state:
        np.testing.assert_array_equal(state[key], state_before[key])
    assert params2.shape == THETA.shape and state2 is not state


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(list(OPTIMIZERS)),
    params=arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 3)), elements=finite),
    seed=st.integers(0, 2**16),
)
def test_optimizers_keep_shapes_and_inputs(name, params, seed):
    grads = np.random.default_rng(seed).normal(size=params.shape)
    before_p, before_g = params.copy(), grads.copy()
    state = None
    for _ in range(3):
        new, state = OPTIMIZERS[name](params, grads, state)
        assert new.shape == params.shape and np.all(np.isfinite(new))
    np.testing.assert_array_equal(params, before_p)
    np.testing.assert_array_equal(grads, before_g)


CONVERGENCE_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5, "adadelta": 1.0,
                  "rmsprop": 0.01, "adam": 0.05}  # fmt: skip


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_decreases_a_convex_quadratic(name):
    A = np.diag([1.0, 5.0])

    def f(x):
        return 0.5 * x @ A @ x

    x, state = np.array([2.0, -1.5]), None
    # AdaDelta's first steps are about sqrt(eps) = 1e-3 long and grow only as its update EMA fills up
    for _ in range(3000 if name == "adadelta" else 300):
        x, state = OPTIMIZERS[name](x, A @ x, state, lr=CONVERGENCE_LR[name])
    assert f(x) < 0.01 * f(np.array([2.0, -1.5]))


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        sgd(np.zeros(2), np.zeros(3))
