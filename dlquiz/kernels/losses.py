"""Losses with their gradients, each ``loss(pred, target) -> (loss, grad)``.

``grad`` is the gradient of the returned (mean) loss with respect to ``pred`` (or the logits), with
the shape of ``pred``. Elementwise losses (MSE, L1, Smooth L1, sigmoid BCE) take the mean over every
element, as PyTorch's ``reduction="mean"`` does: for a 1-D batch that is the mean over the batch.
Softmax cross-entropy takes the mean over the N rows (samples). The logit-based losses never form
log(σ(z)) or log(softmax(z)) from probabilities: they use log-sum-exp and ``np.logaddexp``, which stay
finite for logits of any size.
"""

from __future__ import annotations

import numpy as np


def _pair(pred: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p, t = np.asarray(pred, dtype=float), np.asarray(target, dtype=float)
    if p.shape != t.shape:
        raise ValueError(f"prediction and target must have the same shape, got {p.shape} and {t.shape}")
    if p.size == 0:
        raise ValueError("the batch is empty")
    return p, t


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^(−z)), computed as exp(−log(1 + e^(−z))) so that no exp overflows."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax along the last axis: z − logsumexp(z), with the max subtracted first."""
    z = np.asarray(logits, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """softmax along the last axis (rows sum to 1)."""
    return np.exp(log_softmax(logits))


def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error L = mean((ŷ − y)²), ∂L/∂ŷ = 2(ŷ − y)/n (no ½ factor, as in PyTorch)."""
    p, t = _pair(pred, target)
    diff = p - t
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def l1(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean absolute error L = mean(|ŷ − y|), ∂L/∂ŷ = sign(ŷ − y)/n.

    |r| has no derivative at r = 0; the subgradient 0 is returned there (as PyTorch does).
    """
    p, t = _pair(pred, target)
    diff = p - t
    return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size


def smooth_l1(pred: np.ndarray, target: np.ndarray, beta: float = 1.0) -> tuple[float, np.ndarray]:
    """Smooth L1 (Fast R-CNN; PyTorch's ``smooth_l1_loss``), with r = ŷ − y:

    ℓ(r) = 0.5·r²/β       if |r| < β          ℓ'(r) = r/β
           |r| − 0.5·β    otherwise           ℓ'(r) = sign(r)

    Quadratic near zero (the gradient shrinks with the residual), linear beyond β (the gradient is
    bounded by 1, so outliers cannot dominate). Value and slope are continuous at |r| = β. β = 0 is
    plain L1, as in PyTorch.
    """
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    if beta == 0:
        return l1(pred, target)
    p, t = _pair(pred, target)
    diff = p - t
    small = np.abs(diff) < beta
    loss = np.where(small, 0.5 * diff * diff / beta, np.abs(diff) - 0.5 * beta)
    grad = np.where(small, diff / beta, np.sign(diff))
    return float(np.mean(loss)), grad / diff.size


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy for logits of shape (N, C) and integer class targets of shape (N,):

    L = −(1/N)·Σᵢ log softmax(zᵢ)[yᵢ],   ∂L/∂z = (softmax(z) − onehot(y)) / N.
    """
    z = np.asarray(logits, dtype=float)
    y = np.asarray(targets)
    if z.ndim != 2 or y.shape != (z.shape[0],) or z.shape[0] == 0:
        raise ValueError(f"expected logits (N, C) and targets (N,), got {z.shape} and {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= z.shape[1]:
        raise ValueError(f"targets must be integers in [0, {z.shape[1]})")
    n = z.shape[0]
    logp = log_softmax(z)
    rows = np.arange(n)
    grad = np.exp(logp)
    grad[rows, y] -= 1.0
    return float(-logp[rows, y].mean()), grad / n


def sigmoid_binary_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on logits (one independent sigmoid per element; multi-label ready):

    ℓ(z, y) = −[y·log σ(z) + (1−y)·log(1 − σ(z))] = log(1 + eᶻ) − y·z,   ∂ℓ/∂z = σ(z) − y,

    averaged over all elements. log(1 + eᶻ) is ``np.logaddexp(0, z)``: finite for any z. Targets may
    be soft (any value in [0, 1]).
    """
    z, y = _pair(logits, targets)
    loss = np.logaddexp(0.0, z) - y * z
    return float(np.mean(loss)), (sigmoid(z) - y) / z.size


def logistic_regression(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, l2: float = 0.0
) -> tuple[float, np.ndarray, float]:
    """Logistic regression loss and gradients, with an optional L2 penalty on the weights only:

    p = σ(Xw + b),   L = (1/m)·Σ BCE(pᵢ, yᵢ) + (λ/2)·‖w‖²
    ∂L/∂w = (1/m)·Xᵀ(p − y) + λ·w,   ∂L/∂b = (1/m)·Σ(pᵢ − yᵢ)

    The bias is not penalized: shifting every logit does not make the model more complex. Returns
    ``(loss, dw, db)``.
    """
    X, y, w = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    m = X.shape[0]
    z = X @ w + b
    data_loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    residual = sigmoid(z) - y
    return data_loss + 0.5 * l2 * float(w @ w), X.T @ residual / m + l2 * w, float(residual.mean())
