"""Is the test set really held out? Find test windows that already occur among the training windows.

A test window that appears, value for value, among the training windows measures recall, not
generalisation. It happens more easily than it seems: a periodic series repeats its windows
(Fibonacci numbers mod 7 repeat every 16 steps, so a window from late in the series is a copy
of one from early on), and windows cut *before* a split can straddle it.

    shared_windows(train, test)     indices of the test windows seen in training
    assert_held_out(train, test)    raise AssertionError unless there are none
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array


def _as_windows(name: str, windows) -> np.ndarray:
    """(N, T) or (N, T, F) numbers -> (N, T, F); integers stay integers, floats must be finite."""
    arr = np.asarray(windows)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (ids or values), got dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        arr = as_float_array(name, arr)
    if arr.ndim not in (2, 3):
        raise ValueError(f"{name} must have shape (N, T) or (N, T, F), got {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must hold windows of at least one step, got shape {arr.shape}")
    return arr if arr.ndim == 3 else arr[:, :, None]


def shared_windows(train, test) -> np.ndarray:
    """Indices of the test windows that also occur in the training windows.

    Parameters
    ----------
    train : ndarray of shape (N, T) or (N, T, F)
        Training windows: integer ids or real values.
    test : ndarray of shape (M, S) or (M, S, F), with S <= T
        Test windows. A test window counts as seen when it equals any S consecutive steps of
        any training window (for S = T: any whole training window).

    Returns
    -------
    ndarray of int, shape (K,)
        Sorted indices into ``test``; empty when every test window is new.

    Notes
    -----
    Equality is exact, after converting both to a common dtype (and -0.0 to 0.0): a noisy
    series almost never repeats a window, while ids and noise-free patterns often do.
    Used in ``notebooks/01_rnn_from_scratch.ipynb`` and ``notebooks/03_time_series.ipynb``.

    Examples
    --------
    >>> train = np.array([[0, 1, 2, 3], [5, 6, 7, 8]])
    >>> shared_windows(train, np.array([[1, 2, 3], [6, 7, 9], [5, 6, 7]])).tolist()
    [0, 2]
    """
    train, test = _as_windows("train", train), _as_windows("test", test)
    (_, T, F), (M, S, F_test) = train.shape, test.shape
    if F_test != F:
        raise ValueError(f"test windows must have F={F} features per step like train, got shape {test.shape}")
    if S > T:
        raise ValueError(f"test windows ({S} steps) must not be longer than the training windows ({T} steps)")
    dtype = np.result_type(train.dtype, test.dtype)
    zero = dtype.type(0)  # adding 0 turns -0.0 into 0.0, so the two compare equal as bytes
    slices = np.lib.stride_tricks.sliding_window_view(train.astype(dtype), S, axis=1)  # (N, T-S+1, F, S)
    slices = np.ascontiguousarray(np.swapaxes(slices, 2, 3)) + zero  # (N, T-S+1, S, F), steps then features
    seen = {row.tobytes() for row in slices.reshape(-1, S * F)}
    rows = np.ascontiguousarray(test.astype(dtype)) + zero  # (M, S, F)
    return np.array([i for i, row in enumerate(rows.reshape(M, S * F)) if row.tobytes() in seen], dtype=np.int64)


def assert_held_out(train, test, *, what: str = "test") -> None:
    """Raise ``AssertionError`` if any test window also occurs in the training windows.

    Same arguments as ``shared_windows``; ``what`` names the test set in the message.

    Examples
    --------
    >>> assert_held_out(np.array([[0, 1, 2]]), np.array([[2, 1, 0]]))
    >>> assert_held_out(np.array([[0, 1, 2]]), np.array([[1, 2]]))
    Traceback (most recent call last):
    ...
    AssertionError: 1 of 1 test windows occur in the training windows: not held out (first: window 0, [1, 2])
    """
    shared = shared_windows(train, test)
    if shared.size:
        first = np.asarray(test)[shared[0]]
        raise AssertionError(f"{shared.size} of {len(np.asarray(test))} {what} windows occur in the training "
                             f"windows: not held out (first: window {shared[0]}, {first.tolist()})")
