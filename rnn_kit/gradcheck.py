"""Numerical gradients by centred differences, to check every backward pass.

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)        error O(h^2)
"""

from __future__ import annotations

import numpy as np

from ._checks import check_positive


def rel_error(a, b) -> float:
    """Relative error ``||a - b|| / max(||a|| + ||b||, tiny)`` (Frobenius norms).

    0 for identical arrays, about 1 for unrelated ones. A norm-based ratio is used
    rather than an element-wise maximum, so entries that are nearly zero in both
    arrays do not dominate.

    >>> rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(denom, 1e-300))


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of a scalar function ``f()`` with respect to the array ``x``.

    ``f`` takes no arguments and reads ``x``, which is perturbed in place one
    entry at a time and restored. Use float64 and ``h`` around 1e-5.
    """
    return numerical_gradient_array(lambda: np.asarray(f(), dtype=np.float64), x, np.array(1.0), h)


def numerical_gradient_array(f, x: np.ndarray, df: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Vector-Jacobian product ``sum(df * d f()/dx)`` for an array-valued ``f()``.

    Parameters
    ----------
    f : callable
        Takes no arguments, returns an array; reads ``x``.
    x : ndarray
        Perturbed in place, one entry at a time, and restored.
    df : ndarray
        Upstream gradient, same shape as ``f()``.
    h : float

    Returns
    -------
    ndarray like ``x``
    """
    check_positive("h", h)
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a floating ndarray (perturbed in place), got {type(x).__name__}")
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = np.array(f(), dtype=np.float64, copy=True)
        x[i] = old - h
        minus = np.array(f(), dtype=np.float64, copy=True)
        x[i] = old
        grad[i] = np.sum((plus - minus) * df) / (2 * h)
    return grad


def check_model_gradients(model, inputs, targets, state0=None, mask=None, h: float = 1e-5, lengths=None) -> dict:
    """Relative error between ``model.loss_and_grads`` and centred differences, per parameter.

    Parameters
    ----------
    model : RNNModel
        Use ``dtype=np.float64``; float32 has too few digits for differences.
    inputs, targets, state0, mask, lengths
        As for ``model.loss_and_grads``.

    Returns
    -------
    dict
        ``{name: rel_error}`` for every parameter.

    Notes
    -----
    Used in ``notebooks/01_rnn_from_scratch.ipynb``.
    """
    if model.dtype != np.float64:
        raise ValueError(f"gradient checks need a float64 model, got {model.dtype}")
    _, grads, _ = model.loss_and_grads(inputs, targets, state0, mask, lengths)

    def loss():
        return model.loss_and_grads(inputs, targets, state0, mask, lengths)[0]

    return {k: rel_error(grads[k], numerical_gradient(loss, p, h)) for k, p in model.params.items()}
