"""Boundary validation shared by the public functions (private helpers)."""

from __future__ import annotations

import numbers

import numpy as np

NONLINEARITIES = ("tanh", "relu")


def as_float_array(name: str, value, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a finite floating array, or raise a clear error."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except Exception as exc:  # ragged lists and other non-array input
            raise TypeError(f"{name} must be array-like of numbers, got {type(value).__name__}") from exc
        if arr.dtype.kind in "biu":
            arr = arr.astype(np.float64)
        elif arr.dtype.kind != "f":
            raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-d" for d in allowed)
            raise ValueError(f"{name} must be {want}, got shape {arr.shape} ({arr.ndim}-d)")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or inf at {int(np.sum(~np.isfinite(arr)))} position(s)")
    return arr


def as_int_array(name: str, value, low: int, high: int, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as an integer array with entries in ``[low, high)``."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        elif arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer ids, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-d, got shape {arr.shape} ({arr.ndim}-d)")
    if arr.size and (arr.min() < low or arr.max() >= high):
        raise ValueError(
            f"{name} must lie in [{low}, {high}), got values from {arr.min()} to {arr.max()}"
        )
    return arr


def check_shape(name: str, arr: np.ndarray, expected: tuple, described: str) -> None:
    """Raise if ``arr.shape`` differs from ``expected`` (``None`` matches any size)."""
    ok = arr.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, arr.shape))
    if not ok:
        raise ValueError(f"{name} must have shape {described}, got {arr.shape}")


def check_nonempty(name: str, arr: np.ndarray, axis: int, what: str = "time steps") -> None:
    """Raise if ``arr`` has no entries along ``axis``."""
    if arr.shape[axis] == 0:
        raise ValueError(f"{name} must have at least one {what.rstrip('s')} (axis {axis}), got shape {arr.shape}")


def check_nonlinearity(nonlinearity: str) -> str:
    """Raise unless ``nonlinearity`` is one of the supported names."""
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}, got {nonlinearity!r}")
    return nonlinearity


def check_positive(name: str, value, integer: bool = False) -> None:
    """Raise unless ``value`` is a positive (integer) number."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        want = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {want}, got {type(value).__name__}")
    if not value > 0 or (not integer and not np.isfinite(value)):
        raise ValueError(f"{name} must be > 0, got {value}")


def as_rng(rng) -> np.random.Generator:
    """Turn ``rng`` (Generator, int seed or None) into a ``np.random.Generator``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")
