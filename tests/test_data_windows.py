"""Series generators, windows, the chronological split, scalers and baselines."""

import numpy as np
import pytest

from rnn_kit.data import (
    LinearAR,
    MinMaxScaler,
    StandardScaler,
    chronological_split,
    mae,
    make_windows,
    mse,
    multivariate_series,
    persistence,
    sine_wave,
    training_mean,
    trend_seasonal,
    window_indices,
    window_mean,
)

# ---------------------------------------------------------------- generators


def test_generators_are_seeded():
    for make in (sine_wave, trend_seasonal, multivariate_series):
        a, b, c = make(rng=1, noise_std=0.3)[1], make(rng=1, noise_std=0.3)[1], make(rng=2, noise_std=0.3)[1]
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_sine_noise_has_the_requested_std():
    t, clean = sine_wave(20000, noise_std=0.0)
    _, noisy = sine_wave(20000, noise_std=0.1, rng=0)
    assert np.std(noisy - clean) == pytest.approx(0.1, rel=0.02)
    np.testing.assert_allclose(clean[:3], np.sin(t[:3]))


def test_multivariate_shape_and_channel_lead():
    t, values = multivariate_series(600, n_channels=3, noise_std=0.0)
    assert values.shape == (600, 3)
    np.testing.assert_allclose(values[:, 2].max(), 2.0, atol=1e-3)  # scaled by 1 + 0.5 * 2


def test_generators_reject_bad_input():
    with pytest.raises(ValueError, match=r"n_steps must be > 0, got 0"):
        sine_wave(0)
    with pytest.raises(ValueError, match=r"noise_std must be a finite number >= 0, got -1"):
        sine_wave(10, noise_std=-1)
    with pytest.raises(TypeError, match=r"n_channels must be an integer, got float"):
        multivariate_series(10, n_channels=2.0)


# ---------------------------------------------------------------- windows


@pytest.mark.parametrize("T,window,horizon,stride", [(10, 3, 1, 1), (10, 3, 2, 2), (7, 6, 1, 1), (100, 20, 7, 3)])
def test_window_count_and_content(T, window, horizon, stride):
    series = np.arange(T, dtype=float)
    X, y = make_windows(series, window, horizon, stride)
    N = (T - window - horizon) // stride + 1
    assert X.shape == (N, window, 1) and y.shape == (N, horizon)
    for i in range(N):
        start = i * stride
        np.testing.assert_array_equal(X[i, :, 0], series[start : start + window])
        np.testing.assert_array_equal(y[i], series[start + window : start + window + horizon])


def test_multivariate_windows():
    series = np.arange(20.0).reshape(10, 2)
    X, y = make_windows(series, window=4, horizon=2)
    assert X.shape == (5, 4, 2) and y.shape == (5, 2, 2)
    np.testing.assert_array_equal(y[0], series[4:6])


@pytest.mark.parametrize(
    "series, kwargs, exc, message",
    [
        (np.arange(5.0), {"window": 5}, ValueError, r"window \(5\) \+ horizon \(1\) must be at most the series length \(5\)"),
        (np.arange(5.0), {"window": 9}, ValueError, r"window \(9\) \+ horizon \(1\) must be at most"),
        (np.arange(5.0), {"window": 2, "horizon": 0}, ValueError, r"horizon must be > 0, got 0"),
        (np.arange(5.0), {"window": 2, "stride": 0}, ValueError, r"stride must be > 0, got 0"),
        (np.arange(5.0), {"window": 2.5}, TypeError, r"window must be an integer, got float"),
        (np.array([]), {"window": 1}, ValueError, r"series must have at least one time step, got shape \(0,\)"),
        (np.array(3.0), {"window": 1}, ValueError, r"series must be 1-d or 2-d, got shape \(\) \(0-d\)"),
        (np.array([1.0, np.nan, 2.0]), {"window": 1}, ValueError, r"series must be finite, got NaN or inf at 1 position"),
        (np.array([1.0, np.inf, 2.0]), {"window": 1}, ValueError, r"series must be finite"),
        (np.zeros((2, 3, 4)), {"window": 1}, ValueError, r"series must be 1-d or 2-d, got shape \(2, 3, 4\)"),
    ],
)
def test_make_windows_rejects_bad_input(series, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        make_windows(series, **kwargs)


# ---------------------------------------------------------------- split without leakage


@pytest.mark.parametrize("window,horizon", [(5, 1), (20, 7)])
def test_split_windows_never_cross_a_boundary(window, horizon):
    T = 300
    series = np.arange(T, dtype=float)  # value == time index, so windows reveal their positions
    split = chronological_split(series, (0.6, 0.2, 0.2))
    assert split.bounds == ((0, 180), (180, 240), (240, 300))
    seen = []
    for part, (lo, hi) in zip((split.train, split.val, split.test), split.bounds):
        X, y = make_windows(part, window, horizon)
        used = np.concatenate([X.ravel(), y.ravel()])
        assert used.min() >= lo and used.max() < hi  # inputs and targets inside the part
        seen.append(set(used.tolist()))
    assert not (seen[0] & seen[1]) and not (seen[1] & seen[2]) and not (seen[0] & seen[2])


def test_split_index_sets_are_disjoint_and_cover_the_series():
    split = chronological_split(np.zeros((101, 2)))
    ranges = [set(range(lo, hi)) for lo, hi in split.bounds]
    assert set.union(*ranges) == set(range(101)) and sum(map(len, ranges)) == 101
    assert len(split.train) + len(split.val) + len(split.test) == 101


def test_split_rejects_bad_fractions():
    with pytest.raises(ValueError, match=r"fractions must be three positive numbers summing to 1, got \(0.5, 0.5, 0.5\)"):
        chronological_split(np.zeros(10), (0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match=r"a series of 3 steps is too short"):
        chronological_split(np.zeros(3), (0.9, 0.05, 0.05))


def test_window_indices_doc_facts():
    inputs, targets = window_indices(10, window=4, horizon=2, stride=2)
    assert inputs.shape == (3, 4) and targets.tolist() == [[4, 5], [6, 7], [8, 9]]


# ---------------------------------------------------------------- scalers


@pytest.mark.parametrize("Scaler", [StandardScaler, MinMaxScaler])
def test_scaler_statistics_come_from_the_training_part_only(Scaler, rng):
    series = np.concatenate([rng.normal(0, 1, 200), rng.normal(50, 10, 100)])  # test part is very different
    split = chronological_split(series, (0.6, 0.2, 0.2))
    scaler = Scaler().fit(split.train)
    reference = Scaler().fit(series[: split.bounds[0][1]])
    assert scaler.offset_ == reference.offset_ and scaler.scale_ == reference.scale_
    if Scaler is StandardScaler:
        assert scaler.offset_ == pytest.approx(split.train.mean())
        assert scaler.scale_ == pytest.approx(split.train.std())
    else:
        assert scaler.transform(split.train).min() == pytest.approx(0.0)
        assert scaler.transform(split.train).max() == pytest.approx(1.0)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(split.test)), split.test)


def test_scaler_per_feature_and_on_windows(rng):
    data = rng.normal([0, 10], [1, 5], size=(500, 2))
    scaler = MinMaxScaler((-1, 1)).fit(data)
    X, _ = make_windows(data, 4)
    scaled = scaler.transform(X)  # (N, window, F) works: the last axis holds the features
    assert scaled.shape == X.shape and scaled.min() == pytest.approx(-1) and scaled.max() == pytest.approx(1)
    np.testing.assert_allclose(scaler.inverse_transform(scaled), X)


def test_constant_feature_does_not_divide_by_zero():
    scaled = StandardScaler().fit_transform(np.ones((5, 1)))
    np.testing.assert_array_equal(scaled, 0)


def test_scalers_reject_bad_input():
    with pytest.raises(ValueError, match=r"this StandardScaler is not fitted yet; call fit\(train\) first"):
        StandardScaler().transform(np.zeros(3))
    with pytest.raises(ValueError, match=r"data must have 2 features on its last axis, got shape \(4, 3\)"):
        StandardScaler().fit(np.zeros((4, 2))).transform(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"data must be finite"):
        MinMaxScaler().fit(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match=r"feature_range must be \(low, high\) with low < high"):
        MinMaxScaler((1, 0))


# ---------------------------------------------------------------- baselines and metrics


def test_baselines_on_a_toy_series():
    X, y = make_windows(np.array([1.0, 2.0, 4.0, 8.0, 16.0]), window=2, horizon=2)
    np.testing.assert_array_equal(persistence(X, 2), [[2, 2], [4, 4]])
    np.testing.assert_array_equal(window_mean(X, 2), [[1.5, 1.5], [3, 3]])
    np.testing.assert_array_equal(training_mean(np.array([1.0, 3.0]), n=2, horizon=2), [[2, 2], [2, 2]])
    assert mse(y, persistence(X, 2)) == pytest.approx(np.mean([4, 36, 16, 144]))
    assert mae([1.0, -1.0], [0.0, 0.0]) == 1.0


def test_linear_ar_is_exact_on_a_clean_sine():
    _, series = sine_wave(400)
    X, y = make_windows(series, window=3)
    model = LinearAR().fit(X[:300], y[:300])
    assert mse(y[300:], model.predict(X[300:])) < 1e-20
    assert mse(y[300:], persistence(X[300:])) > 1e-3


def test_multivariate_baselines_keep_the_feature_axis():
    X, y = make_windows(np.arange(30.0).reshape(15, 2), window=3, horizon=2)
    assert persistence(X, 2).shape == y.shape == (11, 2, 2)  # (15 - 3 - 2) + 1 windows
    assert LinearAR().fit(X, y).predict(X).shape == y.shape


def test_baselines_reject_bad_input():
    with pytest.raises(ValueError, match=r"y_true and y_pred must have the same shape, got \(3,\) and \(2,\)"):
        mse(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match=r"X must be 3-d, got shape \(4, 2\)"):
        persistence(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"X and y must hold the same number of windows, got 4 and 3"):
        LinearAR().fit(np.zeros((4, 2, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"X must have windows of shape \(2, 1\), got \(3, 1\)"):
        LinearAR().fit(np.ones((4, 2, 1)), np.ones((4, 1))).predict(np.zeros((1, 3, 1)))


# ---------------------------------------------------------------- bad input found by tests/test_bad_input.py


def test_split_parts_are_copies():
    series = np.arange(20.0)
    train = chronological_split(series).train
    train -= train.mean()  # in place, as a learner centres the training part
    np.testing.assert_array_equal(series, np.arange(20.0))  # the caller's series is unchanged


def test_split_rejects_a_float_for_fractions():
    with pytest.raises(TypeError, match=r"fractions must be a sequence of 3 numbers, got float"):
        chronological_split(np.zeros(10), 0.7)
    with pytest.raises(TypeError, match=r"fractions\[1\] must be a real number, got str"):
        chronological_split(np.zeros(10), (0.7, "a", 0.15))


@pytest.mark.parametrize("kwargs, message", [
    ({"period": 0}, r"period must be > 0, got 0"),
    ({"period": -3.0}, r"period must be > 0, got -3.0"),
    ({"dt": 0}, r"dt must be > 0, got 0"),
    ({"noise_std": np.nan}, r"noise_std must be a finite number, got nan"),
])
def test_multivariate_series_checks_like_sine_wave(kwargs, message):
    for make in (sine_wave, multivariate_series):
        with pytest.raises(ValueError, match=message):
            make(**kwargs)


def test_non_finite_amplitudes_and_empty_series_are_refused():
    with pytest.raises(ValueError, match=r"amplitude must be a finite number, got nan"):
        sine_wave(amplitude=np.nan)
    with pytest.raises(ValueError, match=r"slope must be a finite number, got inf"):
        trend_seasonal(slope=np.inf)
    with pytest.raises(ValueError, match=r"train must have at least one time step, got shape \(0,\)"):
        training_mean(np.zeros(0), 3)


def test_linear_ar_before_fit_says_so():
    with pytest.raises(ValueError, match=r"this LinearAR is not fitted yet; call fit\(X, y\) first"):
        LinearAR().predict(np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match=r"X must have shape \(N, window, F\) with at least one window"):
        persistence(np.zeros((0, 3, 1)))
