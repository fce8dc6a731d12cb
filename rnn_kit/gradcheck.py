"""Numerical gradients by centred differences, to check every backward pass.

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)        error O(h^2)
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_positive


def rel_error(a, b) -> float:
    """Relative error ``||a - b|| / max(||a|| + ||b||, tiny)`` (Frobenius norms).

    0 for identical arrays, about 1 for unrelated ones. A norm-based ratio is used
    rather than an element-wise maximum, so entries that are nearly zero in both
    arrays do not dominate.

    >>> rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    """
    a, b = as_float_array("a", a).astype(np.float64), as_float_array("b", b).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(denom, 1e-300))


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of a scalar function ``f()`` with respect to the array ``x``.

    ``f`` takes no arguments, reads ``x`` and returns one finite number. ``x`` is perturbed
    in place one entry at a time and restored, also when ``f`` raises. Use float64 and ``h``
    around 1e-5.
    """
    _check_callable(f)

    def scalar():
        value = _output(f)
        if value.size != 1:
            raise ValueError(f"f() must return a single number (use numerical_gradient_array for arrays), "
                             f"got shape {value.shape}")
        return value.reshape(())

    return numerical_gradient_array(scalar, x, np.array(1.0), h)


def _check_callable(f) -> None:
    if not callable(f):
        raise TypeError(f"f must be a function of no arguments, got {type(f).__name__}")


def _output(f) -> np.ndarray:
    """A float64 copy of ``f()``, checked to be finite."""
    return as_float_array("f()", f()).astype(np.float64)


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
    _check_callable(f)
    check_positive("h", h)
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or not x.flags.writeable:
        got = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        got += " (read-only)" if isinstance(x, np.ndarray) and not x.flags.writeable else ""
        raise TypeError(f"x must be a writable floating ndarray (perturbed in place), got {got}")
    as_float_array("x", x)  # finite
    df = as_float_array("df", df)
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            plus = _output(f)  # a copy: f may return a view of an array it later overwrites
            x[i] = old - h
            minus = _output(f)
        finally:
            x[i] = old  # restored even when f raises
        if plus.shape != df.shape:
            raise ValueError(f"df must have the shape of f(), {plus.shape}, got {df.shape}")
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
    if not (hasattr(model, "loss_and_grads") and isinstance(getattr(model, "params", None), dict)):
        raise TypeError(f"model must be an RNNModel (with params and loss_and_grads), got {type(model).__name__}")
    if model.dtype != np.float64:
        raise ValueError(f"gradient checks need a float64 model, got {model.dtype}")
    _, grads, _ = model.loss_and_grads(inputs, targets, state0, mask, lengths)

    def loss():
        return model.loss_and_grads(inputs, targets, state0, mask, lengths)[0]

    return {k: rel_error(grads[k], numerical_gradient(loss, p, h)) for k, p in model.params.items()}
