"""ngram_classifier.py: n-grams, naive Bayes probabilities computed by hand, and clear errors."""

import numpy as np
import pytest

from rnn_kit.data.ngram_classifier import NgramNaiveBayes, char_ngrams


def test_char_ngrams_mark_the_start_and_the_end():
    assert char_ngrams("ab", 1, 2) == ["a", "b", "^a", "ab", "b$"]
    assert char_ngrams("abc", 3, 3) == ["^ab", "abc", "bc$"]
    assert char_ngrams("a", 1, 3) == ["a", "^a", "a$", "^a$"]
    assert char_ngrams("", 1, 2) == ["^$"]


def test_unigram_probabilities_by_hand():
    # class 0 saw a, b; class 1 saw b. alpha=1, G=2: theta0 = (2/4, 2/4), theta1 = (1/3, 2/3)
    nb = NgramNaiveBayes(1, 1, alpha=1.0).fit(["ab", "b"], [0, 1])
    assert nb.grams_ == ["a", "b"]
    np.testing.assert_allclose(np.exp(nb.log_theta_), [[2 / 4, 2 / 4], [1 / 3, 2 / 3]])
    np.testing.assert_allclose(np.exp(nb.log_prior_), [0.5, 0.5])
    p0, p1 = 0.5 * 2 / 4, 0.5 * 1 / 3  # P(c) * theta[c, "a"]
    np.testing.assert_allclose(nb.predict_proba(["a"]), [[p0 / (p0 + p1), p1 / (p0 + p1)]])
    p0, p1 = 0.5 * (2 / 4) ** 2, 0.5 * (2 / 3) ** 2  # "bb": the count of an n-gram is its exponent
    np.testing.assert_allclose(nb.predict_proba(["bb"]), [[p0 / (p0 + p1), p1 / (p0 + p1)]])


def test_bigram_probabilities_by_hand_and_unseen_ngrams_are_skipped():
    nb = NgramNaiveBayes(1, 2, alpha=1.0).fit(["ab", "b"], [0, 1])
    assert nb.grams_ == ["^a", "^b", "a", "ab", "b", "b$"]
    # class 0: 5 n-grams (^a a ab b b$), class 1: 3 (^b b b$); G = 6
    # "bz" has b, z, ^b, bz, z$: only b and ^b were seen in training
    p0 = 0.5 * (2 / 11) * (1 / 11)
    p1 = 0.5 * (2 / 9) * (2 / 9)
    np.testing.assert_allclose(nb.predict_proba(["bz"])[0], [p0 / (p0 + p1), p1 / (p0 + p1)])
    np.testing.assert_allclose(nb.predict_proba(["zzz"])[0], [0.5, 0.5])  # nothing known: the prior
    assert nb.predict(["ab", "b"]).tolist() == [0, 1]


def test_probabilities_are_normalised_and_the_prior_counts(rng):
    texts = ["".join(rng.choice(list("abcde"), size=rng.integers(1, 8))) for _ in range(60)]
    labels = rng.integers(0, 3, 60)
    nb = NgramNaiveBayes(1, 3, alpha=0.5).fit(texts, labels)
    log_p = nb.predict_log_proba(texts)
    assert log_p.shape == (60, 3)
    np.testing.assert_allclose(np.exp(log_p).sum(axis=1), 1.0, rtol=0, atol=1e-12)
    skewed = NgramNaiveBayes(1, 1).fit(["a", "a", "a", "a"], [0, 0, 0, 1])
    assert skewed.predict_proba(["q"])[0, 0] == pytest.approx(0.75)  # an unseen character: prior only


def test_learns_an_obvious_rule_and_names_its_clues():
    texts = ["xxa", "xa", "xxxa", "yyb", "yb", "yyyb"]
    nb = NgramNaiveBayes(1, 2).fit(texts, [0, 0, 0, 1, 1, 1])
    assert nb.predict(["xa", "xxxxa", "yyyyb"]).tolist() == [0, 0, 1]
    assert nb.top_ngrams(0, k=2, min_count=3)[0] in {"x", "a", "xa", "a$", "^x", "xx"}
    assert "y" in nb.top_ngrams(1, k=3, min_count=3) or "yb" in nb.top_ngrams(1, k=3, min_count=3)


def test_a_class_missing_from_training_gets_no_probability():
    nb = NgramNaiveBayes(1, 1).fit(["a", "b"], [0, 2], n_classes=3)
    proba = nb.predict_proba(["a", "b"])
    assert proba.shape == (2, 3) and np.all(proba[:, 1] == 0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: NgramNaiveBayes(0, 2), ValueError, "n_min must be > 0"),
    (lambda: NgramNaiveBayes(3, 2), ValueError, "n_max must be >= n_min = 3"),
    (lambda: NgramNaiveBayes(1, 2, alpha=0), ValueError, "alpha must be > 0"),
    (lambda: NgramNaiveBayes(1, 2.5), TypeError, "n_max must be an integer"),
    (lambda: NgramNaiveBayes().fit([], []), ValueError, "texts must hold at least one text"),
    (lambda: NgramNaiveBayes().fit("abc", [0, 1, 2]), TypeError, "texts must be a sequence"),
    (lambda: NgramNaiveBayes().fit(["a", 3], [0, 1]), TypeError, "texts must be a sequence"),
    (lambda: NgramNaiveBayes().fit(["a", "b"], [0]), ValueError, r"labels must hold one class id per text \(2\)"),
    (lambda: NgramNaiveBayes().fit(["a", "b"], [0, -1]), ValueError, r"labels must lie in \[0, "),
    (lambda: NgramNaiveBayes().fit(["a", "b"], [0, 3], n_classes=3), ValueError, r"labels must lie in \[0, 3\)"),
    (lambda: NgramNaiveBayes().fit(["a", "b"], [0.0, np.nan]), TypeError, "labels must hold integer ids"),
    (lambda: NgramNaiveBayes().fit(["a", "b"], [[0, 1]]), ValueError, "labels must be 1-d"),
    (lambda: NgramNaiveBayes().predict(["a"]), ValueError, "not fitted yet"),
    (lambda: NgramNaiveBayes().fit(["a"], [0]).predict([]), ValueError, "texts must hold at least one text"),
    (lambda: NgramNaiveBayes().fit(["a"], [0]).top_ngrams(1), ValueError, r"class_id must be an integer in \[0, 1\)"),
    (lambda: char_ngrams(5), TypeError, "text must be a str"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
