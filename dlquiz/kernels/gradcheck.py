"""Centered finite differences: the independent reference every analytic gradient is checked against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of the scalar function ``f`` at ``x`` by centered differences.

    For every coordinate i:  ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / (2h).

    The truncation error is O(h²) (the odd terms of the Taylor series cancel), so h = 1e-5 balances it
    against the O(ε_machine / h) rounding error: about 1e-10 for well-scaled functions. ``f`` is called
    2·x.size times on a perturbed copy of ``x`` with the same shape; ``x`` itself is never modified.
    """
    point = np.array(x, dtype=float)  # a private copy: perturbing it cannot touch the caller's array
    grad = np.zeros_like(point)
    flat, grad_flat = point.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + h
        f_plus = float(f(point))
        flat[i] = original - h
        f_minus = float(f(point))
        flat[i] = original
        grad_flat[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖): the gradient-check metric, over the whole array.

    Taken norm-wise rather than entry by entry, so that entries that are nearly zero in both (where a
    tiny absolute difference is a huge ratio) do not dominate. Two zero arrays give 0.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)))
    return float(np.linalg.norm(a - b)) / scale if scale > 0 else 0.0
