"""Scalers fitted on the training part only, with an exact inverse."""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, as_numbers, check_fitted


class _Scaler:
    """Shared fit/transform plumbing: statistics per feature (the last axis of a 2-D fit)."""

    offset_: np.ndarray | None = None
    scale_: np.ndarray | None = None

    def fit(self, data):
        """Learn the statistics of ``data`` (T,) or (T, F); pass the training part only."""
        arr = as_float_array("data", data, ndim=(1, 2))
        if 0 in arr.shape:
            raise ValueError(f"data must have at least one row (and feature) to fit a scaler, got shape {arr.shape}")
        offset, scale = self._statistics(arr)
        self.n_features_ = None if arr.ndim == 1 else arr.shape[1]
        self.offset_, self.scale_ = offset, np.where(scale > 0, scale, 1.0)  # a constant feature stays put
        return self

    def _check(self, data):
        check_fitted(self, "offset_", "fit(train)")
        arr = as_float_array("data", data)
        if self.n_features_ is not None and (arr.ndim == 0 or arr.shape[-1] != self.n_features_):
            raise ValueError(f"data must have {self.n_features_} features on its last axis, got shape {arr.shape}")
        return arr

    def transform(self, data):
        """``(data - offset) / scale``; any shape whose last axis holds the fitted features."""
        return (self._check(data) - self.offset_) / self.scale_

    def inverse_transform(self, data):
        """Undo ``transform``: ``data * scale + offset``."""
        return self._check(data) * self.scale_ + self.offset_

    def fit_transform(self, data):
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data).transform(data)


class StandardScaler(_Scaler):
    """Subtract the training mean and divide by the training standard deviation.

    Examples
    --------
    >>> s = StandardScaler().fit(np.array([1.0, 2.0, 3.0]))
    >>> s.transform(np.array([2.0, 4.0])).round(4)
    array([0.    , 2.4495])
    """

    def _statistics(self, arr):
        return arr.mean(axis=0), arr.std(axis=0)


class MinMaxScaler(_Scaler):
    """Map the training range onto ``feature_range`` (default [0, 1]); new data may fall outside it."""

    def __init__(self, feature_range=(0.0, 1.0)):
        low, high = as_numbers("feature_range", feature_range, 2)
        if not low < high:
            raise ValueError(f"feature_range must be (low, high) with low < high, got {feature_range}")
        self.feature_range = (float(low), float(high))

    def _statistics(self, arr):
        low, high = self.feature_range
        data_min, data_max = arr.min(axis=0), arr.max(axis=0)
        scale = (data_max - data_min) / (high - low)
        return data_min - low * np.where(scale > 0, scale, 1.0), scale
