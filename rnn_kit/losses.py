"""Losses that return their own gradient: ``(loss, dinput)``.

    (L1)  p = softmax(z),  loss = -mean log p[target]      dz = (p - onehot(target)) / count
    (L2)  loss = mean (pred - target)^2                    dpred = 2 (pred - target) / size
"""

from __future__ import annotations

import numpy as np

from ._checks import MAX_ID, as_float_array, as_int_array, check_axis, check_positive


def log_softmax(z, axis: int = -1):
    """Numerically stable log-softmax: subtract the max before exponentiating."""
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def softmax(z, axis: int = -1, temperature: float = 1.0):
    """Numerically stable softmax of ``z / temperature`` along ``axis``.

    Parameters
    ----------
    z : ndarray, at least 1-d and not empty
    axis : int
    temperature : float > 0

    >>> softmax(np.array([0.0, 0.0]))
    array([0.5, 0.5])
    """
    check_positive("temperature", temperature)
    z = as_float_array("z", z)
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"z must be a non-empty array of at least 1 dimension, got shape {z.shape}")
    axis = check_axis("axis", axis, z.ndim)
    z = z / temperature
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_cross_entropy(logits, targets, mask=None):
    """Mean cross-entropy of integer targets under softmax(logits), and its gradient.

    Parameters
    ----------
    logits : ndarray of shape (N, T, V) (or any (..., V))
        Unnormalised scores.
    targets : ndarray of int, shape (N, T) (``logits.shape[:-1]``)
        Class ids in ``[0, V)``.
    mask : ndarray of shape (N, T), optional
        1 where a position counts, 0 where it is padding (any weights >= 0). The loss is the
        mean over counted positions (``torch.nn.CrossEntropyLoss`` with its default ``mean``).

    Returns
    -------
    loss : float
    dlogits : ndarray of shape (N, T, V)

    Notes
    -----
    (L1), computed with log-sum-exp so large logits never overflow.
    """
    logits = as_float_array("logits", logits)
    if logits.ndim < 1 or logits.shape[-1] == 0:
        raise ValueError(f"logits must have shape (..., V) with V >= 1, got {logits.shape}")
    V = logits.shape[-1]
    targets = as_int_array("targets", targets, -MAX_ID, MAX_ID)
    if targets.shape != logits.shape[:-1]:
        raise ValueError(f"targets must have shape {logits.shape[:-1]} (logits without V), got {targets.shape}")
    if targets.size == 0:
        raise ValueError(f"targets must not be empty, got shape {targets.shape}")
    if targets.min() < 0 or targets.max() >= V:
        raise ValueError(f"targets must lie in [0, {V}), got values from {targets.min()} to {targets.max()} "
                         f"(logits have V={V} classes)")
    if mask is None:
        weight = np.ones(targets.shape, dtype=logits.dtype)
    else:
        weight = as_float_array("mask", mask).astype(logits.dtype)
        if weight.shape != targets.shape:
            raise ValueError(f"mask must have shape {targets.shape} like targets, got {weight.shape}")
        if np.any(weight < 0):
            raise ValueError(f"mask must hold weights >= 0 (1 counts, 0 is padding), got minimum {weight.min()}")
    count = weight.sum()
    if count <= 0:
        raise ValueError("mask must select at least one position, got none")
    # log-sum-exp with two (..., V) arrays in all: z = logits - max, then p = exp(z) in place of z
    dlogits = logits - logits.max(axis=-1, keepdims=True)  # z (..., V), every entry <= 0
    target = targets[..., None]
    z_target = np.take_along_axis(dlogits, target, axis=-1)[..., 0]  # (...)
    np.exp(dlogits, out=dlogits)
    total = dlogits.sum(axis=-1)  # (...): sum of exp(z), at least 1
    loss = ((np.log(total) - z_target) * weight).sum() / count  # -log p[target] = log sum exp(z) - z[target]
    dlogits /= total[..., None]  # softmax probabilities p
    np.put_along_axis(dlogits, target, np.take_along_axis(dlogits, target, -1) - 1, -1)
    dlogits *= (weight / count)[..., None]  # (L1): (p - onehot) / count, zero where masked
    return float(loss), dlogits


def mse_loss(pred, target):
    """Mean squared error and its gradient.

    Parameters
    ----------
    pred, target : ndarray of the same shape

    Returns
    -------
    loss : float
        ``mean((pred - target)**2)`` (L2), like ``torch.nn.MSELoss()``.
    dpred : ndarray like ``pred``
        In ``pred``'s dtype (a float32 model gets float32 gradients, whatever ``target`` holds).
    """
    pred = as_float_array("pred", pred)
    target = as_float_array("target", target).astype(pred.dtype, copy=False)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape, got {pred.shape} and {target.shape}")
    if pred.size == 0:
        raise ValueError("pred must not be empty, got shape " + str(pred.shape))
    diff = pred - target
    return float(np.mean(diff * diff)), (2.0 / diff.size) * diff
