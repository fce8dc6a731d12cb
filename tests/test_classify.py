"""classify.py: accuracy and friends against hand counts; the many-to-one NumPy model, gradient-checked."""

import numpy as np
import pytest

from rnn_kit import RNNModel, check_model_gradients
from rnn_kit.cells import CELLS
from rnn_kit.classify import accuracy, confusion_matrix, paired_bootstrap, per_class_accuracy, wilson_interval

Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2])
Y_PRED = np.array([0, 1, 0, 1, 2, 2, 2, 0, 2, 2])  # correct: 0, 0 | 1 | 2, 2, 2, 2  -> 7 of 10


def test_accuracy_is_a_hand_count_divided_once():
    assert accuracy(Y_TRUE, Y_PRED) == 0.7
    assert accuracy([1], [1]) == 1.0 and accuracy([1], [0]) == 0.0
    assert accuracy(Y_TRUE.tolist(), Y_PRED.tolist()) == 0.7  # lists work too


def test_confusion_matrix_by_hand():
    expected = [[2, 1, 0],   # class 0: two right, one called 1
                [0, 1, 1],   # class 1: one right, one called 2
                [1, 0, 4]]   # class 2: four right, one called 0
    counts = confusion_matrix(Y_TRUE, Y_PRED)
    assert counts.tolist() == expected
    assert counts.sum() == len(Y_TRUE) and np.trace(counts) == 7
    assert confusion_matrix(Y_TRUE, Y_PRED, n_classes=4).shape == (4, 4)


def test_per_class_accuracy_by_hand_and_absent_classes():
    np.testing.assert_array_equal(per_class_accuracy(Y_TRUE, Y_PRED), [2 / 3, 1 / 2, 4 / 5])
    acc = per_class_accuracy([0, 0], [0, 1], n_classes=3)
    assert acc[0] == 0.5 and np.isnan(acc[1]) and np.isnan(acc[2])


def test_wilson_interval_matches_the_formula_and_stays_in_range():
    low, high = wilson_interval(80, 100)
    z = 1.959963984540054
    p, n = 0.8, 100
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert low == pytest.approx(centre - half, abs=1e-12) and high == pytest.approx(centre + half, abs=1e-12)
    assert round(low, 3) == 0.711 and round(high, 3) == 0.867
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    narrow, wide = wilson_interval(800, 1000), wilson_interval(80, 100)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]
    assert wilson_interval(80, 100, confidence=0.99)[0] < low  # more confidence, wider interval


def test_paired_bootstrap_difference_and_interval():
    y = np.arange(200) % 4
    a = y.copy()
    b = y.copy()
    b[:20] = (b[:20] + 1) % 4  # b is wrong on 20 examples that a gets right
    diff, low, high = paired_bootstrap(y, a, b, n_boot=500, rng=0)
    assert diff == pytest.approx(0.1) and 0 < low < diff < high
    same = paired_bootstrap(y, a, a, n_boot=50, rng=0)
    assert same == (0.0, 0.0, 0.0)
    assert paired_bootstrap(y, a, b, n_boot=500, rng=0) == (diff, low, high)  # seeded: repeatable


@pytest.mark.parametrize("call, error, message", [
    (lambda: accuracy([], []), ValueError, "y_true must hold at least one label"),
    (lambda: accuracy([0, 1], [0]), ValueError, r"y_pred must have the shape of y_true \(2,\), got \(1,\)"),
    (lambda: accuracy([0, np.nan], [0, 1]), TypeError, "y_true must hold integer ids"),
    (lambda: accuracy([[0, 1]], [[0, 1]]), ValueError, "y_true must be 1-d"),
    (lambda: accuracy([0, -1], [0, 1]), ValueError, r"y_true must lie in \[0, "),
    (lambda: confusion_matrix([0, 3], [0, 1], n_classes=3), ValueError, r"y_true must lie in \[0, 3\)"),
    (lambda: confusion_matrix([0, 1], [0, 1], n_classes=0), ValueError, "n_classes must be > 0"),
    (lambda: per_class_accuracy([0, 1], [0, 5], n_classes=2), ValueError, r"y_pred must lie in \[0, 2\)"),
    (lambda: wilson_interval(5, 0), ValueError, "total must be > 0"),
    (lambda: wilson_interval(11, 10), ValueError, r"correct must lie in \[0, total\]"),
    (lambda: wilson_interval(0.5, 10), TypeError, "correct must be an integer count"),
    (lambda: wilson_interval(5, 10, confidence=1.5), ValueError, r"confidence must lie in \(0, 1\)"),
    (lambda: paired_bootstrap([0, 1], [0, 1], [0]), ValueError, "y_pred must have the shape of y_true"),
    (lambda: paired_bootstrap([0, 1], [0, 1], [0, 1], n_boot=0), ValueError, "n_boot must be > 0"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- the many-to-one model in NumPy

CELL_NAMES = [pytest.param(c, marks=pytest.mark.skipif(c not in CELLS, reason=f"cell {c!r} not registered yet"))
              for c in ("rnn", "lstm", "gru")]


def _perturbed(model, rng):
    for p in model.params.values():
        p += 0.3 * rng.standard_normal(p.shape)  # random non-zero biases too
    return model


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_many_to_one_gradients_with_lengths_pass_a_finite_difference_check(rng, cell):
    V, D, H, C, T = 7, 4, 5, 3, 6
    model = _perturbed(RNNModel(D, H, C, vocab_size=V, cell=cell, head="last", rng=0), rng)
    ids = rng.integers(2, V, (4, T))
    lengths = np.array([T, 1, 3, 5])  # the full width and a single character included
    for n, length in enumerate(lengths):
        ids[n, length:] = 0  # <pad>
    errors = check_model_gradients(model, ids, rng.integers(0, C, 4), lengths=lengths)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_padding_changes_nothing_before_the_last_real_step(rng, cell):
    V, T = 6, 5
    model = _perturbed(RNNModel(3, 4, 2, vocab_size=V, cell=cell, head="last", rng=0), rng)
    ids, lengths = rng.integers(1, V, (3, T)), np.array([5, 2, 1])
    logits, _ = model.forward(ids, lengths=lengths)
    junk = ids.copy()
    junk[1, 2:], junk[2, 1:] = 0, 5  # whatever fills the padding is never read
    np.testing.assert_allclose(model.forward(junk, lengths=lengths)[0], logits, rtol=0, atol=1e-14)
    for n, length in enumerate(lengths):
        alone, _ = model.forward(ids[n : n + 1, :length])
        np.testing.assert_allclose(alone[0], logits[n], rtol=0, atol=1e-13)


def test_plot_confusion_matrix():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_kit.plotting import plot_confusion_matrix

    counts = confusion_matrix(Y_TRUE, Y_PRED)
    ax = plot_confusion_matrix(counts, ["a", "b", "c"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(int(c) for c in counts.ravel() if c)
    with pytest.raises(ValueError, match=r"counts must have shape \(C, C\) with C = len\(classes\) = 2"):
        plot_confusion_matrix(counts, ["a", "b"])
    plt.close("all")
