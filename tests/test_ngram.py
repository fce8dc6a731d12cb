"""data/ngram.py: character n-gram baselines, checked against counts done by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_kit.data.ngram import NGramModel

TINY = np.array([0, 1, 0, 1, 0, 2])  # "abacac"-like: 0 is followed by 1 twice and by 2 once; V = 3


def test_hand_computed_interpolated_values():
    # unigram: counts 3, 2, 1 of 6 ids, 3 distinct ids -> P1 = (count + 3 * 1/3) / (6 + 3)
    np.testing.assert_allclose(NGramModel(1, 3).fit(TINY).next_probs([]), [4 / 9, 3 / 9, 2 / 9])
    bigram = NGramModel(2, 3).fit(TINY)
    # after 0: count(0) = 3 with 2 distinct successors -> (count(0, x) + 2 * P1(x)) / (3 + 2)
    np.testing.assert_allclose(bigram.next_probs([0]), [8 / 45, 24 / 45, 13 / 45])
    # after 1: count(1) = 2, all of them 0, one distinct successor
    np.testing.assert_allclose(bigram.next_probs([1]), [22 / 27, 3 / 27, 2 / 27])
    expected = -(np.log2(24 / 45) + np.log2(22 / 27)) / 2  # scores P(1 | 0) and P(0 | 1)
    assert abs(bigram.bits_per_character([0, 1, 0]) - expected) < 1e-12


def test_hand_computed_add_k_values():
    bigram = NGramModel(2, 3, smoothing="add_k", k=1).fit(TINY)
    np.testing.assert_allclose(bigram.next_probs([0]), [1 / 6, 3 / 6, 2 / 6])
    half = NGramModel(2, 3, smoothing="add_k", k=0.5).fit(TINY)
    np.testing.assert_allclose(half.next_probs([1]), [2.5 / 3.5, 0.5 / 3.5, 0.5 / 3.5])


@pytest.mark.parametrize("smoothing", ["interpolated", "add_k"])
def test_unseen_context_is_handled(smoothing):
    """2 never precedes anything in TINY: add-k gives 1/V, interpolation falls back to the unigram."""
    bigram = NGramModel(2, 3, smoothing=smoothing).fit(TINY)
    expected = [1 / 3] * 3 if smoothing == "add_k" else NGramModel(1, 3).fit(TINY).next_probs([])
    np.testing.assert_allclose(bigram.next_probs([2]), expected)
    assert np.isfinite(bigram.bits_per_character([2, 2, 2, 1]))  # never a zero probability


@settings(max_examples=30, deadline=None)
@given(order=st.integers(1, 4), V=st.integers(1, 6), smoothing=st.sampled_from(["interpolated", "add_k"]),
       seed=st.integers(0, 1000))
def test_probabilities_sum_to_one_in_every_context(order, V, smoothing, seed):
    rng = np.random.default_rng(seed)
    model = NGramModel(order, V, smoothing=smoothing, k=0.3).fit(rng.integers(0, V, 40))
    for length in range(order + 1):  # shorter contexts too: the start of a text
        p = model.next_probs(rng.integers(0, V, length))
        assert p.shape == (V,) and np.all(p > 0) and abs(p.sum() - 1) < 1e-12


@pytest.mark.parametrize("order", [1, 2, 3, 5])
@pytest.mark.parametrize("smoothing", ["interpolated", "add_k"])
def test_scoring_a_text_equals_asking_one_step_at_a_time(order, smoothing, rng):
    model = NGramModel(order, 5, smoothing=smoothing).fit(rng.integers(0, 5, 300))
    ids = rng.integers(0, 5, 30)
    by_step = [model.next_probs(ids[:i])[ids[i]] for i in range(1, len(ids))]
    np.testing.assert_allclose(model.prob_of_each(ids), by_step, rtol=1e-12)


def test_longer_contexts_predict_a_repeating_text_better():
    ids = np.tile([0, 1, 2, 0, 2, 1], 50)  # after 0 comes 1 or 2, but two ids decide it
    bits = [NGramModel(n, 3).fit(ids).bits_per_character(ids) for n in (1, 2, 3)]
    assert abs(bits[0] - np.log2(3)) < 0.01 and bits[1] > 0.3 and bits[2] < 0.05 and bits[1] < bits[0]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"order": 0, "vocab_size": 3}, ValueError, r"order must be > 0, got 0"),
    ({"order": 2.0, "vocab_size": 3}, TypeError, r"order must be an integer, got float"),
    ({"order": 2, "vocab_size": 0}, ValueError, r"vocab_size must be > 0, got 0"),
    ({"order": 2, "vocab_size": 3, "smoothing": "kneser_ney"}, ValueError, r"smoothing must be one of"),
    ({"order": 2, "vocab_size": 3, "k": 0}, ValueError, r"k must be > 0, got 0"),
    ({"order": 12, "vocab_size": 100000}, ValueError, r"too large"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        NGramModel(**kwargs)


def test_bad_ids():
    model = NGramModel(3, 3)
    with pytest.raises(ValueError, match=r"call fit\(train_ids\) first"):
        model.bits_per_character([0, 1])
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 3\), got values from 0 to 3"):
        model.fit([0, 1, 3])
    with pytest.raises(ValueError, match=r"ids must be 1-d"):
        model.fit(np.zeros((2, 3), dtype=int))
    with pytest.raises(TypeError, match=r"ids must hold integer ids"):
        model.fit(["a", "b", "c"])
    with pytest.raises(ValueError, match=r"at least 3 ids to fit an order-3 model, got 2"):
        model.fit([0, 1])
    model.fit(TINY)
    with pytest.raises(ValueError, match=r"at least 2 ids"):
        model.bits_per_character([1])
    with pytest.raises(ValueError, match=r"context must lie in \[0, 3\)"):
        model.next_probs([5])
