"""Optimizer steps as pure functions: ``step(params, grads, state, **hyper) -> (params, state)``.

Each function reads ``params`` (θ) and ``grads`` (g = ∇f(θ)), returns new parameters and a new state
dict, and never modifies its inputs, so a caller can keep any earlier iterate. The state starts as
``None`` (or ``{}``) and is created on the first step. All operations are elementwise: every
coordinate gets its own effective learning rate in the adaptive methods.

Defaults follow the original papers or the common framework defaults (noted per function).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

State = dict[str, Any]
Step = Callable[..., tuple[np.ndarray, State]]


def _arrays(params: np.ndarray, grads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p, g = np.asarray(params, dtype=float), np.asarray(grads, dtype=float)
    if p.shape != g.shape:
        raise ValueError(f"params and grads must have the same shape, got {p.shape} and {g.shape}")
    return p, g


def _get(state: State | None, key: str, like: np.ndarray) -> np.ndarray:
    """A state buffer, or zeros on the first step (the usual initialization of every accumulator)."""
    return np.zeros_like(like) if not state or key not in state else state[key]


def sgd(
    params: np.ndarray, grads: np.ndarray, state: State | None = None, *, lr: float = 0.01
) -> tuple[np.ndarray, State]:
    """Plain (stochastic) gradient descent: θ ← θ − η·g. It has no state."""
    p, g = _arrays(params, grads)
    return p - lr * g, {}


def momentum(
    params: np.ndarray, grads: np.ndarray, state: State | None = None, *, lr: float = 0.01, mu: float = 0.9
) -> tuple[np.ndarray, State]:
    """Heavy-ball momentum (Polyak 1964), in the form PyTorch uses:

    v ← μ·v + g,   θ ← θ − η·v.

    The velocity averages recent gradients: components that keep their sign add up (a speed-up of up
    to 1/(1−μ) along a consistent slope), components that flip sign cancel (damped oscillation across a
    narrow valley). Writing v ← μ·v − η·g, θ ← θ + v gives the same iterates for a constant η.
    """
    p, g = _arrays(params, grads)
    v = mu * _get(state, "v", p) + g
    return p - lr * v, {"v": v}


def nesterov(
    params: np.ndarray, grads: np.ndarray, state: State | None = None, *, lr: float = 0.01, mu: float = 0.9
) -> tuple[np.ndarray, State]:
    """Nesterov accelerated gradient (Sutskever et al. 2013), in the form PyTorch uses:

    v ← μ·v + g,   θ ← θ − η·(g + μ·v).

    The textbook form evaluates the gradient at the look-ahead point: v ← μ·v − η·∇f(θ + μ·v),
    θ ← θ + v. Substituting φ = θ + μ·v turns it into the update above, so ``params`` here is the
    look-ahead point and ``grads`` is simply ∇f(params): the caller needs no second gradient.
    """
    p, g = _arrays(params, grads)
    v = mu * _get(state, "v", p) + g
    return p - lr * (g + mu * v), {"v": v}


def adagrad(
    params: np.ndarray, grads: np.ndarray, state: State | None = None, *, lr: float = 0.01, eps: float = 1e-8
) -> tuple[np.ndarray, State]:
    """AdaGrad (Duchi et al. 2011): G ← G + g²,   θ ← θ − η·g / (√G + ε).

    G is the running *sum* of squared gradients per coordinate. Rarely active (sparse) coordinates keep
    a small G and so a large effective rate η/(√G + ε); since G only grows, every effective rate
    decays towards zero.
    """
    p, g = _arrays(params, grads)
    acc = _get(state, "sum_sq", p) + g * g
    return p - lr * g / (np.sqrt(acc) + eps), {"sum_sq": acc}


def adadelta(
    params: np.ndarray,
    grads: np.ndarray,
    state: State | None = None,
    *,
    lr: float = 1.0,
    rho: float = 0.95,
    eps: float = 1e-6,
) -> tuple[np.ndarray, State]:
    """AdaDelta (Zeiler 2012), with the paper's ρ = 0.95, ε = 1e-6:

    E[g²] ← ρ·E[g²] + (1−ρ)·g²
    Δθ    = −(√(E[Δθ²] + ε) / √(E[g²] + ε)) · g
    E[Δθ²] ← ρ·E[Δθ²] + (1−ρ)·Δθ²
    θ ← θ + η·Δθ

    An EMA instead of AdaGrad's sum, so the rate does not decay to zero; the numerator (RMS of recent
    updates) gives the step the units of θ and replaces the global learning rate (η = 1 in the paper;
    PyTorch keeps η as an extra factor, as here).
    """
    p, g = _arrays(params, grads)
    sq_grad = rho * _get(state, "sq_grad", p) + (1.0 - rho) * g * g
    sq_delta = _get(state, "sq_delta", p)
    delta = -np.sqrt(sq_delta + eps) / np.sqrt(sq_grad + eps) * g
    sq_delta = rho * sq_delta + (1.0 - rho) * delta * delta
    return p + lr * delta, {"sq_grad": sq_grad, "sq_delta": sq_delta}


def rmsprop(
    params: np.ndarray,
    grads: np.ndarray,
    state: State | None = None,
    *,
    lr: float = 0.001,
    rho: float = 0.9,
    eps: float = 1e-8,
) -> tuple[np.ndarray, State]:
    """RMSProp (Hinton, Coursera lecture 6e, 2012; ρ = 0.9, η = 0.001 as suggested there):

    E[g²] ← ρ·E[g²] + (1−ρ)·g²,   θ ← θ − η·g / (√E[g²] + ε).

    Like AdaGrad, but an exponential moving average forgets old gradients, so the rate adapts to the
    recent gradient scale instead of decaying to zero.
    """
    p, g = _arrays(params, grads)
    sq_grad = rho * _get(state, "sq_grad", p) + (1.0 - rho) * g * g
    return p - lr * g / (np.sqrt(sq_grad) + eps), {"sq_grad": sq_grad}


def adam(
    params: np.ndarray,
    grads: np.ndarray,
    state: State | None = None,
    *,
    lr: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    bias_correction: bool = True,
) -> tuple[np.ndarray, State]:
    """Adam (Kingma & Ba 2015), defaults β1 = 0.9, β2 = 0.999, ε = 1e-8:

    t ← t + 1
    m ← β1·m + (1−β1)·g                (EMA of the gradient: momentum)
    v ← β2·v + (1−β2)·g²               (EMA of the squared gradient: RMSProp)
    m̂ = m / (1−β1ᵗ),  v̂ = v / (1−β2ᵗ)   (bias correction: m and v start at 0)
    θ ← θ − η·m̂ / (√v̂ + ε)

    With ``bias_correction=False`` the raw m and v are used. Both are biased towards zero early on,
    v much more than m, so the uncorrected first step is (1−β1)/√(1−β2) ≈ 3.16 times the corrected one
    (larger, not smaller); the corrected first step is η·g/(|g| + ε) ≈ η per coordinate.
    """
    p, g = _arrays(params, grads)
    t = (state or {}).get("t", 0) + 1
    m = beta1 * _get(state, "m", p) + (1.0 - beta1) * g
    v = beta2 * _get(state, "v", p) + (1.0 - beta2) * g * g
    if bias_correction:
        m_hat, v_hat = m / (1.0 - beta1**t), v / (1.0 - beta2**t)
    else:
        m_hat, v_hat = m, v
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}


OPTIMIZERS: dict[str, Step] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "adadelta": adadelta,
    "rmsprop": rmsprop,
    "adam": adam,
}
"""Every optimizer step by name, in the order they are usually taught."""
