"""Boundary validation shared by the public functions (private helpers).

Each kind of check lives here once. A helper raises ``TypeError`` when the value is of the
wrong kind and ``ValueError`` when it is of the right kind but out of range; the message
names the argument, what was expected and what arrived.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

NONLINEARITIES = ("tanh", "relu")
MAX_ID = np.iinfo(np.int64).max

# ---------------------------------------------------------------- arrays


def _asarray(name: str, value) -> np.ndarray:
    """``np.asarray`` that reports ragged or exotic input as a TypeError naming ``name``."""
    try:
        return np.asarray(value)
    except Exception as exc:  # ragged lists and other non-array input
        raise TypeError(f"{name} must be array-like of numbers, got {type(value).__name__} "
                        f"that NumPy cannot read as one array ({exc})") from exc


def as_float_array(name: str, value, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a finite floating array, or raise a clear error.

    Integers and booleans become float64; a floating array is returned as is (no copy).
    """
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        arr = value
    else:
        arr = _asarray(name, value)
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
    """Return ``value`` as an integer array with entries in ``[low, high)``.

    Whole-valued floats are accepted (``[0.0, 2.0]``); bools, fractions, NaN and strings are not.
    """
    arr = _asarray(name, value)
    if arr.dtype.kind not in "iu":
        whole = arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))
        if not whole:
            detail = " with non-integer, NaN or inf values" if arr.dtype.kind == "f" else ""
            raise TypeError(f"{name} must hold integer ids, got dtype {arr.dtype}{detail}")
        if arr.size and np.abs(arr).max() >= 2.0**63:  # would wrap around when cast to int64
            raise ValueError(f"{name} must lie in [{low}, {high}), got values from {arr.min()} to {arr.max()}")
        arr = arr.astype(np.int64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-d, got shape {arr.shape} ({arr.ndim}-d)")
    if arr.size and (arr.min() < low or arr.max() >= high):
        raise ValueError(f"{name} must lie in [{low}, {high}), got values from {arr.min()} to {arr.max()}")
    return arr


def as_ids(name: str, value) -> np.ndarray:
    """A 1-d stream of non-negative integer ids (a tokenised text)."""
    return as_int_array(name, value, 0, MAX_ID, ndim=1)


def as_labels(name: str, value, nonempty: bool = True) -> np.ndarray:
    """A 1-d array of class labels: all strings or all numbers, no NaN."""
    if isinstance(value, (str, bytes, dict, set, frozenset)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a sequence of labels (str or int), got {type(value).__name__}")
    if not isinstance(value, np.ndarray):
        value = list(value)
        kinds = {"str" if isinstance(v, str) else "number" if isinstance(v, numbers.Real) else type(v).__name__
                 for v in value}
        if not kinds <= {"str"} and not kinds <= {"number"}:
            raise TypeError(f"{name} must be all strings or all numbers, got {sorted(kinds)}")
    arr = _asarray(name, value)
    if arr.dtype.kind not in "biufUS":
        raise TypeError(f"{name} must hold strings or numbers, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-d, one label per example, got shape {arr.shape}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} must not hold NaN, got {int(np.isnan(arr).sum())} NaN label(s)")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def as_array_dict(name: str, value, inplace: bool = False, hint: str = "") -> dict:
    """A non-empty dict of finite floating arrays, e.g. ``model.params`` or its gradients.

    With ``inplace`` every value must already be a writable floating ndarray (it is updated
    in place); otherwise array-likes are converted. ``hint`` ends the message about NaN or inf.
    """
    if not isinstance(value, dict) or not value:
        got = "an empty dict" if isinstance(value, dict) else type(value).__name__
        raise TypeError(f"{name} must be a non-empty dict of arrays, e.g. model.params, got {got}")
    out = {}
    for key, arr in value.items():
        item = f"{name}[{key!r}]"
        if inplace and not (isinstance(arr, np.ndarray) and arr.dtype.kind == "f" and arr.flags.writeable):
            got = f"dtype {arr.dtype}" if isinstance(arr, np.ndarray) else type(arr).__name__
            got += " (read-only)" if isinstance(arr, np.ndarray) and not arr.flags.writeable else ""
            raise TypeError(f"{item} must be a writable floating ndarray (it is updated in place), got {got}")
        try:
            out[key] = as_float_array(item, arr)
        except ValueError:  # the only ValueError without ndim: NaN or inf
            raise ValueError(f"{item} holds NaN or inf" + (f"; {hint}" if hint else "")) from None
    return out


def check_shape(name: str, arr: np.ndarray, expected: tuple, described: str) -> None:
    """Raise if ``arr.shape`` differs from ``expected`` (``None`` matches any size)."""
    ok = arr.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, arr.shape))
    if not ok:
        raise ValueError(f"{name} must have shape {described}, got {arr.shape}")


def check_nonempty(name: str, arr: np.ndarray, axis: int, what: str = "time steps") -> None:
    """Raise if ``arr`` has no entries along ``axis``."""
    if arr.shape[axis] == 0:
        raise ValueError(f"{name} must have at least one {what.rstrip('s')} (axis {axis}), got shape {arr.shape}")


def check_axis(name: str, axis, ndim: int) -> int:
    """An integer axis of an ``ndim``-d array, negative counting from the end."""
    check_int(name, axis, low=-MAX_ID)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name} must be in [{-ndim}, {ndim}) for a {ndim}-d array, got {axis}")
    return int(axis)


# ---------------------------------------------------------------- numbers


def _kind_error(name: str, value, want: str) -> TypeError:
    return TypeError(f"{name} must be {want}, got {type(value).__name__} {value!r}"[:200])


def check_bool(name: str, value) -> bool:
    """A flag: ``True`` or ``False`` (NumPy's bool too), returned as a Python bool; 0, 1 or "yes" raise."""
    if not isinstance(value, (bool, np.bool_)):
        raise _kind_error(name, value, "True or False")
    return bool(value)


def check_positive(name: str, value, integer: bool = False) -> None:
    """Raise unless ``value`` is a positive (integer) number."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        want = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {want}, got {type(value).__name__}")
    if not value > 0 or (not integer and not np.isfinite(value)):
        raise ValueError(f"{name} must be > 0, got {value}")


def check_int(name: str, value, low: int = 0) -> int:
    """Raise unless ``value`` is an integer (not a bool) ``>= low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise _kind_error(name, value, "an integer")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def check_real(name: str, value, low: float | None = None, high: float | None = None,
               closed: str = "[]") -> float:
    """A finite real number (not a bool) inside the interval ``low..high``; ``closed`` gives its brackets."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _kind_error(name, value, "a real number")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    below = low is not None and (value < low if closed[0] == "[" else value <= low)
    above = high is not None and (value > high if closed[1] == "]" else value >= high)
    if below or above:
        if high is None:
            raise ValueError(f"{name} must be a finite number {'>=' if closed[0] == '[' else '>'} {low}, got {value}")
        raise ValueError(f"{name} must be in {closed[0]}{low}, {high}{closed[1]}, got {value}")
    return float(value)


def as_numbers(name: str, value, n: int) -> tuple[float, ...]:
    """A sequence (tuple, list, 1-d array) of exactly ``n`` finite real numbers, as floats."""
    if isinstance(value, (str, bytes, dict, set)) or not isinstance(value, (Iterable, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of {n} numbers, got {type(value).__name__}")
    items = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else list(value)
    if len(items) != n:
        raise ValueError(f"{name} must hold {n} numbers, got {len(items)}: {value!r}"[:200])
    for i, v in enumerate(items):
        check_real(f"{name}[{i}]", v)
    return tuple(float(v) for v in items)


def as_fractions(name: str, value, n: int = 3, strict: bool = True) -> tuple[float, ...]:
    """``n`` fractions summing to 1: each > 0 (``strict``) or >= 0."""
    fractions = as_numbers(name, value, n)
    bad = min(fractions) <= 0 if strict else min(fractions) < 0
    if bad or abs(sum(fractions) - 1) > 1e-9:
        sign = "positive numbers" if strict else "numbers >= 0"
        word = {2: "two", 3: "three"}.get(n, str(n))
        raise ValueError(f"{name} must be {word} {sign} summing to 1, got {fractions}")
    return fractions


# ---------------------------------------------------------------- other arguments


def as_str_list(name: str, value) -> list:
    """A list of non-empty strings from a list/tuple/array; a lone ``str`` is refused."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a sequence of non-empty str (a list, not one str), "
                        f"got {type(value).__name__}")
    items = list(value)
    bad = [v for v in items if not isinstance(v, str) or not v]
    if bad:
        raise TypeError(f"{name} must hold non-empty str only, got {bad[0]!r} ({type(bad[0]).__name__})")
    return items


def check_fitted(obj, attribute: str, hint: str) -> None:
    """Raise unless ``obj.fit`` has set ``attribute``."""
    if getattr(obj, attribute, None) is None:
        raise ValueError(f"this {type(obj).__name__} is not fitted yet; call {hint} first")


def check_nonlinearity(nonlinearity: str) -> str:
    """Raise unless ``nonlinearity`` is one of the supported names."""
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}, got {nonlinearity!r}")
    return nonlinearity


def as_rng(rng) -> np.random.Generator:
    """Turn ``rng`` (Generator, int seed >= 0 or None) into a ``np.random.Generator``.

    ``None`` means fresh entropy from the operating system, NumPy's convention: results
    differ on every call, even after ``rnn_kit.notebook.setup(seed)``. Pass a Generator or
    an int seed for repeatable results.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(check_int("rng", rng, low=0))
    raise TypeError(f"rng must be a numpy Generator, an int seed >= 0 or None, got {type(rng).__name__}")


def as_shaped_float_array(name: str, value, shape: tuple, described: str) -> np.ndarray:
    """``as_float_array`` with ``len(shape)`` axes, then ``check_shape`` (``None`` matches any size)."""
    arr = as_float_array(name, value, ndim=len(shape))
    check_shape(name, arr, shape, described)
    return arr


def check_choice(name: str, value, choices: tuple) -> None:
    """Raise unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def as_float_dtype(dtype) -> np.dtype:
    """``dtype`` as ``np.dtype``, if it is float32 or float64 (the dtypes a model computes in)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from exc
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype
