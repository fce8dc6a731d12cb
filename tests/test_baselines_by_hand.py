"""Every baseline the notebooks print, on tiny series whose answers are worked out by hand.

A baseline is only worth printing next to a score if it computes what its name says; an
off-by-one in a baseline (the value 11 months back for "12 months ago") is as misleading as
one in the model. Also: the check that a "held-out" test set really is held out.
"""

import numpy as np
import pytest

from rnn_kit.data import (
    LinearAR,
    bigram_successors,
    mae,
    make_windows,
    mse,
    persistence,
    training_mean,
    window_mean,
)
from rnn_kit.data.leakage import assert_held_out, shared_windows

# ---------------------------------------------------------------- the windows every baseline reads

SERIES = np.array([1.0, 2.0, 4.0, 7.0, 11.0, 16.0])  # differences 1, 2, 3, 4, 5


def test_windows_by_hand():
    X, y = make_windows(SERIES, window=3)
    np.testing.assert_array_equal(X[:, :, 0], [[1, 2, 4], [2, 4, 7], [4, 7, 11]])
    np.testing.assert_array_equal(y[:, 0], [7, 11, 16])


def test_persistence_repeats_the_last_value_of_each_window():
    X, _ = make_windows(SERIES, window=3)
    np.testing.assert_array_equal(persistence(X)[:, 0], [4, 7, 11])
    np.testing.assert_array_equal(persistence(X, horizon=2), [[4, 4], [7, 7], [11, 11]])


def test_window_mean_by_hand():
    X, _ = make_windows(SERIES, window=3)
    np.testing.assert_allclose(window_mean(X)[:, 0], [7 / 3, 13 / 3, 22 / 3])


def test_training_mean_uses_the_training_part_only():
    train, test = SERIES[:4], SERIES[4:]  # mean of 1, 2, 4, 7 is 3.5
    np.testing.assert_array_equal(training_mean(train, n=len(test))[:, 0], [3.5, 3.5])
    two_channels = np.array([[1.0, 10.0], [3.0, 30.0]])
    np.testing.assert_array_equal(training_mean(two_channels, n=1), [[[2.0, 20.0]]])


def test_mse_and_mae_by_hand():
    truth, guess = np.zeros(4), np.array([1.0, -1.0, 2.0, 0.0])
    assert mse(truth, guess) == (1 + 1 + 4 + 0) / 4  # squares: the miss of 2 counts four times
    assert mae(truth, guess) == (1 + 1 + 2 + 0) / 4


# ---------------------------------------------------------------- the seasonal rule (notebook 3, CO2)
# Notebook 3 forecasts a monthly series with "the same change as 12 months ago". With windows of
# C = 24 steps, the target of a window is the step after its last value, so the value 12 steps
# before the target sits at position C - 12 of the window: X[:, -12]. (X[:, -11] is 11 steps back.)


def seasonal_rule(X, period):
    """The value ``period`` steps before each window's target (the notebook writes X[:, -period, 0])."""
    return X[:, -period, 0]


def test_seasonal_rule_reads_the_value_one_period_before_the_target():
    t = np.arange(60)
    cycle = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8], dtype=float)[t % 12]  # a made-up 12-month pattern
    X, y = make_windows(cycle, window=24)
    np.testing.assert_array_equal(seasonal_rule(X, 12), y[:, 0])  # a pure 12-month cycle is predicted exactly
    starts = np.arange(len(X))
    np.testing.assert_array_equal(seasonal_rule(X, 12), cycle[starts + 24 - 12])  # index arithmetic, by hand
    assert mse(y[:, 0], X[:, -11, 0]) > 1  # the off-by-one (11 months back) is far from it


def test_seasonal_rule_on_changes_of_a_trend_plus_cycle():
    months = np.arange(48)
    level = 300 + 0.1 * months + np.sin(2 * np.pi * months / 12)  # trend + yearly cycle
    change = np.diff(level)  # change[i] = level[i + 1] - level[i]
    X, y = make_windows(change, window=24)
    np.testing.assert_allclose(seasonal_rule(X, 12), y[:, 0], atol=1e-12)  # the trend cancels in changes
    assert mse(y[:, 0], persistence(X)[:, 0]) > 0.01  # persistence ignores the cycle


# ---------------------------------------------------------------- linear autoregression


def test_linear_ar_continues_an_arithmetic_series_exactly():
    X, y = make_windows(np.arange(10.0), window=3)
    ar = LinearAR().fit(X, y)
    np.testing.assert_allclose(ar.predict(np.array([[[20.0], [21.0], [22.0]]])), [[23.0]], atol=1e-9)


def test_linear_ar_finds_the_sine_recurrence():
    d = 0.3  # sin(t + d) = 2 cos(d) sin(t) - sin(t - d): two lags are enough
    X, y = make_windows(np.sin(d * np.arange(50)), window=2)
    ar = LinearAR().fit(X, y)
    np.testing.assert_allclose(ar.coef_[:, 0], [-1.0, 2 * np.cos(d), 0.0], atol=1e-9)  # [lag 2, lag 1, bias]


# ---------------------------------------------------------------- bigram (notebook 1)


def test_bigram_successor_and_accuracy_by_hand():
    ids = np.array([0, 1, 0, 1, 0, 2, 0, 1])  # after 0: 1, 1, 2, 1 -> 1;  after 1: 0, 0 -> 0;  after 2: 0
    successor = bigram_successors(ids, 3)
    np.testing.assert_array_equal(successor, [1, 0, 0])
    accuracy = (successor[ids[:-1]] == ids[1:]).mean()  # as notebook 1 computes it
    assert accuracy == 6 / 7  # only the 0 -> 2 transition is missed


def test_bigram_fails_on_fibonacci_mod_7_where_one_digit_is_not_enough():
    fib = [0, 1]
    while len(fib) < 18:
        fib.append((fib[-1] + fib[-2]) % 7)
    fib = np.array(fib)  # 0 1 1 2 3 5 1 6 0 6 6 5 4 2 6 1 | 0 1
    successor = bigram_successors(fib, 7)
    assert successor[1] == 0  # 1 is followed by 1, 2, 6 and 0, once each: ties go to the smallest id
    assert successor[0] == 1  # 0 is followed by 1, 6, 1
    # right: 0->1 (twice), 2->3, 3->5, 5->1, 6->0, 4->2, 1->0; wrong: the other 9 of 17 transitions
    assert (successor[fib[:-1]] == fib[1:]).mean() == 8 / 17


# ---------------------------------------------------------------- held out, or seen before?


def fibonacci_like(a, b, n, m=7):
    seq = [a, b]
    while len(seq) < n:
        seq.append((seq[-1] + seq[-2]) % m)
    return np.array(seq)


def test_a_later_stretch_of_a_periodic_series_is_not_held_out():
    fib = fibonacci_like(0, 1, 200)
    train = np.stack([fib[s : s + 20] for s in range(0, 100)])
    later = np.stack([fib[s : s + 20] for s in range(150, 180)])  # "held out" by position only
    np.testing.assert_array_equal(shared_windows(train, later), np.arange(30))  # period 16: all seen before
    with pytest.raises(AssertionError, match="30 of 30 test windows occur in the training windows"):
        assert_held_out(train, later)


def test_another_starting_pair_gives_windows_never_seen():
    train = np.stack([fibonacci_like(0, 1, 40)[s : s + 20] for s in range(16)])  # the cycle through (0, 1)
    other = np.stack([fibonacci_like(0, 3, 40)[s : s + 20] for s in range(16)])  # the cycle through (0, 3)
    assert shared_windows(train, other).size == 0
    assert_held_out(train, other)


def test_shorter_test_windows_are_looked_for_inside_training_windows():
    train = np.array([[0.0, 1.0, 2.0, 3.0]])
    test = np.array([[1.0, 2.0], [2.0, 1.0], [-0.0, 1.0]])  # -0.0 equals 0.0
    np.testing.assert_array_equal(shared_windows(train, test), [0, 2])


def test_multichannel_windows_compare_whole_steps():
    train = np.zeros((1, 3, 2))
    train[0, :, 1] = [1, 2, 3]
    same, swapped = train.copy(), train[:, :, ::-1].copy()
    np.testing.assert_array_equal(shared_windows(train, np.concatenate([same, swapped])), [0])


def test_noisy_windows_are_held_out():
    series = np.sin(0.1 * np.arange(400)) + 0.1 * np.random.default_rng(0).standard_normal(400)
    X_train, _ = make_windows(series[:300], window=20)
    X_test, _ = make_windows(series[300:], window=20)
    assert_held_out(X_train, X_test)


@pytest.mark.parametrize("train, test, error, message", [
    (np.zeros(5), np.zeros((1, 2)), ValueError, r"train must have shape \(N, T\) or \(N, T, F\)"),
    (np.zeros((2, 3)), np.zeros((1, 4)), ValueError, "must not be longer than the training windows"),
    (np.zeros((2, 3, 2)), np.zeros((1, 3, 1)), ValueError, "F=2 features per step"),
    (np.array([["a", "b"]]), np.zeros((1, 2)), TypeError, "must hold numbers"),
    (np.zeros((2, 3)), np.full((1, 3), np.nan), ValueError, "finite"),
])
def test_leakage_check_refuses_bad_input(train, test, error, message):
    with pytest.raises(error, match=message):
        shared_windows(train, test)
