"""Forecasts a model must beat, and the error measures to compare them.

Every score in the notebooks is printed next to these: a number means little alone.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_fitted, check_positive
from .windows import as_series


def _check_windows(X):
    X = as_float_array("X", X, ndim=3)
    if 0 in X.shape:
        raise ValueError(f"X must have shape (N, window, F) with at least one window, step and feature, "
                         f"got {X.shape}")
    return X


def _design(X):
    """[window, 1] rows: (N, window, F) -> (N, window*F + 1)."""
    return np.hstack([X.reshape(len(X), -1), np.ones((len(X), 1))])


def _repeat(values, horizon):
    """(N, F) per-window values -> (N, horizon) for F = 1, else (N, horizon, F)."""
    check_positive("horizon", horizon, integer=True)
    out = np.repeat(values[:, None, :], horizon, axis=1)  # (N, horizon, F)
    return out[..., 0] if out.shape[-1] == 1 else out


def persistence(X, horizon: int = 1):
    """Repeat the last value of each window ("tomorrow = today").

    Parameters
    ----------
    X : ndarray of shape (N, window, F)

    Returns
    -------
    ndarray of shape (N, horizon) for F = 1, else (N, horizon, F)
    """
    return _repeat(_check_windows(X)[:, -1, :], horizon)


def window_mean(X, horizon: int = 1):
    """Predict the mean of each window."""
    return _repeat(_check_windows(X).mean(axis=1), horizon)


def training_mean(train, n: int, horizon: int = 1):
    """Predict the mean of the training series for every one of ``n`` windows."""
    train = as_series(train, "train")
    check_positive("n", n, integer=True)
    mean = np.atleast_1d(train.mean(axis=0))  # (F,)
    return _repeat(np.broadcast_to(mean, (n, mean.size)), horizon)


class LinearAR:
    """Linear autoregression fitted by least squares: ``y = [window, 1] @ coef``.

    On a noise-free sine, two past values determine the next exactly
    (``sin(t+d) = 2 cos(d) sin(t) - sin(t-d)``), so this is nearly optimal there:
    an RNN has to match it, not beat it.
    """

    def fit(self, X, y):
        """Least-squares fit on training windows X (N, window, F) and targets y (N, ...)."""
        X = _check_windows(X)
        y = as_float_array("y", y)
        if y.ndim == 0 or y.shape[0] != X.shape[0]:
            raise ValueError(f"X and y must hold the same number of windows, got {X.shape[0]} and "
                             f"{y.shape[0] if y.ndim else 'a scalar y'}")
        self.coef_, *_ = np.linalg.lstsq(_design(X), y.reshape(len(y), -1), rcond=None)  # (window*F + 1, outputs)
        self.window_shape_, self.target_shape_ = X.shape[1:], y.shape[1:]
        return self

    def predict(self, X):
        """Forecasts for windows X of the fitted shape."""
        check_fitted(self, "coef_", "fit(X, y)")
        X = _check_windows(X)
        if X.shape[1:] != self.window_shape_:
            raise ValueError(f"X must have windows of shape {self.window_shape_}, got {X.shape[1:]}")
        return (_design(X) @ self.coef_).reshape(len(X), *self.target_shape_)


def _pair(y_true, y_pred):
    y_true, y_pred = as_float_array("y_true", y_true), as_float_array("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}")
    if y_true.size == 0:
        raise ValueError("y_true must not be empty")
    return y_true, y_pred


def mse(y_true, y_pred) -> float:
    """Mean squared error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def mae(y_true, y_pred) -> float:
    """Mean absolute error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))
