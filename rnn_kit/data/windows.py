"""Sliding windows over a series, and a chronological split that no window crosses."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, as_fractions, check_positive


def as_series(series, name: str = "series") -> np.ndarray:
    """Check a (T,) or (T, F) finite series with at least one step (and one feature)."""
    arr = as_float_array(name, series, ndim=(1, 2))
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one time step, got shape {arr.shape}")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one feature, got shape {arr.shape}")
    return arr


def window_indices(n_steps: int, window: int, horizon: int = 1, stride: int = 1):
    """Indices of the inputs and targets of every window.

    Window i reads steps ``[i*stride, i*stride + window)`` and predicts the next
    ``horizon`` steps. There are ``(T - window - horizon) // stride + 1`` windows.

    Returns
    -------
    input_idx : ndarray of int, shape (N, window)
    target_idx : ndarray of int, shape (N, horizon)

    Examples
    --------
    >>> window_indices(6, window=3, horizon=1)[1].ravel()
    array([3, 4, 5])
    """
    for name, value in [("n_steps", n_steps), ("window", window), ("horizon", horizon), ("stride", stride)]:
        check_positive(name, value, integer=True)
    if window + horizon > n_steps:
        raise ValueError(f"window ({window}) + horizon ({horizon}) must be at most the series length "
                         f"({n_steps}); the series is too short for even one window")
    starts = np.arange(0, n_steps - window - horizon + 1, stride)  # (N,)
    input_idx = starts[:, None] + np.arange(window)  # (N, window)
    target_idx = starts[:, None] + window + np.arange(horizon)  # (N, horizon)
    return input_idx, target_idx


def make_windows(series, window: int, horizon: int = 1, stride: int = 1):
    """Cut a series into (input window, next values) pairs for supervised learning.

    Parameters
    ----------
    series : ndarray of shape (T,) or (T, F)
    window : int
        Steps the model reads (the sequence length, not the input size).
    horizon : int
        Steps ahead to predict.
    stride : int
        Steps between the starts of consecutive windows.

    Returns
    -------
    X : ndarray of shape (N, window, F)
        F = 1 for a 1-D series. N = (T - window - horizon) // stride + 1.
    y : ndarray of shape (N, horizon) for a 1-D series, (N, horizon, F) otherwise.

    Examples
    --------
    >>> X, y = make_windows(np.arange(6.0), window=3)
    >>> X[:, :, 0], y
    (array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]]), array([[3.],
           [4.],
           [5.]]))

    Notes
    -----
    Shown on a toy list in ``notebooks/03_time_series.ipynb``.
    """
    arr = as_series(series)
    input_idx, target_idx = window_indices(arr.shape[0], window, horizon, stride)
    values = arr if arr.ndim == 2 else arr[:, None]  # (T, F)
    X = values[input_idx]  # (N, window, F)
    y = arr[target_idx]  # (N, horizon) or (N, horizon, F)
    return X, y


class SeriesSplit(NamedTuple):
    """Three consecutive parts of a series and where each starts and ends."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    bounds: tuple  # ((0, a), (a, b), (b, T)), half-open


def chronological_split(series, fractions=(0.7, 0.15, 0.15)) -> SeriesSplit:
    """Split a series in time order into train, validation and test parts.

    Windows are then cut **inside** each part (``make_windows(split.train, ...)``), so
    no window crosses a boundary and no value that a later part predicts is ever an
    input of an earlier part, or the other way round. Fit scalers on ``split.train`` only.

    Parameters
    ----------
    series : ndarray of shape (T,) or (T, F)
    fractions : three positive numbers summing to 1

    Returns
    -------
    SeriesSplit
        This returns copies: changing a part in place (``train -= mean``) leaves ``series`` as it was.
    """
    arr = as_series(series)
    fractions = as_fractions("fractions", fractions)
    T = arr.shape[0]
    a = round(T * fractions[0])
    b = round(T * (fractions[0] + fractions[1]))
    if not 0 < a < b < T:
        raise ValueError(f"a series of {T} steps is too short to split into {fractions}")
    return SeriesSplit(arr[:a].copy(), arr[a:b].copy(), arr[b:].copy(), ((0, a), (a, b), (b, T)))
