"""Bundled real data: CO2, Seattle weather, surnames; missing values and labelled-text helpers."""

import numpy as np
import pytest

from rnn_kit.data import (
    encode_dataset,
    encode_padded,
    load_co2,
    load_surnames,
    load_weather,
    majority_accuracy,
    stratified_split,
    text_vocabulary,
)
from rnn_kit.data.real import data_path, handle_missing


def test_co2_monthly_and_weekly():
    dates, co2 = load_co2()
    assert len(co2) == 526 and dates[0] == np.datetime64("1958-03-01") and dates[-1] == np.datetime64("2001-12-01")
    assert np.all(np.isfinite(co2)) and 310 < co2.min() < co2.max() < 375
    _, weekly = load_co2(monthly=False)
    assert len(weekly) == 2284 and np.all(np.isfinite(weekly))
    _, dropped = load_co2(monthly=False, missing="drop")
    assert len(dropped) == 2284 - 59


def test_co2_missing_policy_raise_names_the_gap():
    with pytest.raises(ValueError, match=r"59 time steps have missing values \(first at 1958-05-10\)"):
        load_co2(monthly=False, missing="raise")
    with pytest.raises(ValueError, match=r"missing must be one of \('interpolate', 'drop', 'raise'\), got 'zero'"):
        load_co2(missing="zero")


def test_interpolation_is_linear_in_time():
    dates = np.array(["2000-01-01", "2000-01-02", "2000-01-04", "2000-01-05"], dtype="datetime64[D]")
    values = np.array([[1.0], [np.nan], [4.0], [np.nan]])
    _, filled = handle_missing(dates, values, "interpolate")
    np.testing.assert_allclose(filled[:, 0], [1.0, 2.0, 4.0, 4.0])  # trailing gap: nearest value


def test_weather_is_multivariate_and_complete():
    dates, values, names = load_weather()
    assert values.shape == (1461, 4) and names == ["precipitation_mm", "temp_max_c", "temp_min_c", "wind_m_s"]
    assert np.all(values[:, 1] >= values[:, 2])  # daily maximum >= minimum
    assert (dates[1:] - dates[:-1] == np.timedelta64(1, "D")).all()


def test_data_path_errors_clearly():
    with pytest.raises(FileNotFoundError, match=r"bundled data file 'nope\.csv' not found"):
        data_path("nope.csv")


# ---------------------------------------------------------------- labelled text


def test_surnames_classes_and_majority_baseline():
    names, labels = load_surnames()
    assert len(names) == len(labels) == 5222
    classes, counts = np.unique(labels, return_counts=True)
    assert dict(zip(classes.tolist(), counts.tolist())) == {
        "Czech": 198, "Dutch": 1029, "English": 801, "Finnish": 397,
        "French": 327, "German": 377, "Italian": 1152, "Spanish": 941}
    assert len(set(names)) == len(names)  # no name carries two labels
    labels = np.array(labels)
    train, val, test = stratified_split(labels, rng=0)
    assert majority_accuracy(labels[train], labels[test]) == pytest.approx(115 / 520)


def test_stratified_split_is_disjoint_proportional_and_seeded():
    labels = np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 20)
    train, val, test = stratified_split(labels, (0.6, 0.2, 0.2), rng=1)
    assert not (set(train) & set(val)) and not (set(val) & set(test)) and not (set(train) & set(test))
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(100))
    assert [int((labels[val] == c).sum()) for c in "abc"] == [10, 6, 4]
    again = stratified_split(labels, (0.6, 0.2, 0.2), rng=1)
    assert all(np.array_equal(p, q) for p, q in zip((train, val, test), again))


def test_padding_truncation_and_unknown_characters():
    vocab = text_vocabulary(["anna", "bob"])
    assert vocab.tokens[:2] == ["<pad>", "<unk>"] and vocab.tokens[2:] == ["a", "b", "n", "o"]
    ids, lengths = encode_padded(["bob", "annabel", ""], vocab, max_len=5)
    assert lengths.tolist() == [3, 5, 0]
    assert ids.tolist() == [[3, 5, 3, 0, 0], [2, 4, 4, 2, 3], [0, 0, 0, 0, 0]]
    ids, _ = encode_padded(["zoe"], vocab, max_len=3)
    assert ids.tolist() == [[1, 5, 1]]  # z and e were never seen: <unk>


def test_labelled_helpers_reject_bad_input():
    vocab = text_vocabulary(["ab"])
    with pytest.raises(ValueError, match="texts and labels must have the same length, got 2 and 1"):
        encode_dataset(["a", "b"], ["x"], vocab, 4)
    with pytest.raises(TypeError, match="texts must be a sequence of str"):
        encode_padded("ab", vocab, 4)
    with pytest.raises(ValueError, match="texts must not be empty"):
        text_vocabulary([])
    with pytest.raises(ValueError, match=r"max_len must be > 0, got 0"):
        encode_padded(["a"], vocab, 0)
    with pytest.raises(ValueError, match=r"fractions must be three numbers >= 0 summing to 1"):
        stratified_split(["a", "b"], (0.5, 0.6, 0.1))
    ids, lengths, y, classes = encode_dataset(["ab", "b"], ["y", "x"], vocab, 3)
    assert y.tolist() == [1, 0] and classes == ["x", "y"]


def test_labels_are_checked_before_use():
    from rnn_kit.data import encode_labels

    with pytest.raises(TypeError, match=r"labels must be a sequence of labels \(str or int\), got str"):
        encode_labels("abc")  # not three labels 'a', 'b', 'c'
    with pytest.raises(TypeError, match=r"classes must be a sequence of labels"):
        encode_labels(["a"], classes="ab")
    with pytest.raises(ValueError, match=r"labels must not be empty"):
        stratified_split([])
    with pytest.raises(ValueError, match=r"labels must not hold NaN, got 1 NaN label"):
        stratified_split([1.0, np.nan, 2.0])  # a NaN label would vanish from every part
    with pytest.raises(TypeError, match=r"labels must be all strings or all numbers"):
        stratified_split(["a", np.nan])  # NumPy would turn NaN into the string 'nan'
    with pytest.raises(TypeError, match=r"fractions must be a sequence of 3 numbers, got float"):
        stratified_split(["a", "b"], 0.8)
    with pytest.raises(TypeError, match=r"monthly must be True or False, got str"):
        load_co2(monthly="yes")
    assert encode_labels(np.array(["b", "a", "b"]))[1] == ["a", "b"]  # plain str classes, not np.str_
