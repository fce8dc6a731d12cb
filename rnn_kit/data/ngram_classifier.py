"""A baseline with no recurrence: multinomial naive Bayes on character n-gram counts.

A text is a bag of its character n-grams (``"^Aalto$"``: ``A, a, l, ...``, ``^A, Aa, ...``,
``^Aa, Aal, ...``; ``^`` and ``$`` mark the start and the end). For class c:

    (NB1)  theta[c, g] = (count[c, g] + alpha) / (count[c] + alpha * G)     smoothed n-gram frequency
    (NB2)  log P(c | text) = log prior[c] + sum_g n_g(text) * log theta[c, g] - log Z

``count[c, g]``: how often n-gram g occurs in the training texts of class c; ``count[c]``: all
n-grams of class c; G: distinct n-grams seen in training; ``n_g(text)``: occurrences of g in the
text; Z normalises over classes. N-grams never seen in training carry no evidence and are skipped.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from .._checks import as_int_array, check_positive

START, END = "^", "$"


def char_ngrams(text: str, n_min: int = 1, n_max: int = 3) -> list[str]:
    """Every character n-gram of ``text`` for n = n_min..n_max, in order.

    Single characters come from the text itself; longer n-grams from ``^text$``, so that
    "starts with" and "ends with" are n-grams too.

    Examples
    --------
    >>> char_ngrams("ab", 1, 2)
    ['a', 'b', '^a', 'ab', 'b$']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    _check_orders(n_min, n_max)
    grams = []
    for n in range(n_min, n_max + 1):
        padded = text if n == 1 else START + text + END
        grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


def _check_orders(n_min, n_max):
    check_positive("n_min", n_min, integer=True)
    check_positive("n_max", n_max, integer=True)
    if n_max < n_min:
        raise ValueError(f"n_max must be >= n_min = {n_min}, got {n_max}")


def _check_texts(texts):
    if isinstance(texts, str) or not isinstance(texts, Sequence) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a sequence (e.g. a list) of str")
    if len(texts) == 0:
        raise ValueError("texts must hold at least one text, got none")


class NgramNaiveBayes:
    """Multinomial naive Bayes over character n-grams: (NB1) to fit, (NB2) to predict.

    Parameters
    ----------
    n_min, n_max : int
        N-gram orders used, e.g. 1..3: characters, pairs and triples.
    alpha : float
        Additive (Laplace) smoothing: an n-gram never seen with class c still gets a small
        probability, so one unusual character cannot veto a class.

    Attributes (after ``fit``)
    ----------
    grams_ : list of str
        The G distinct training n-grams, sorted (column order of ``log_theta_``).
    log_prior_ : ndarray of shape (C,)
    log_theta_ : ndarray of shape (C, G)
    counts_ : ndarray of int, shape (C, G)

    Notes
    -----
    The bar a recurrent classifier has to clear in ``notebooks/07_classification.ipynb``:
    it reads the same characters but ignores their order beyond n.

    Examples
    --------
    >>> nb = NgramNaiveBayes(1, 1).fit(["ab", "b"], [0, 1])
    >>> nb.predict_proba(["a"]).round(2).tolist()
    [[0.6, 0.4]]
    """

    def __init__(self, n_min: int = 1, n_max: int = 3, alpha: float = 1.0):
        _check_orders(n_min, n_max)
        check_positive("alpha", alpha)
        self.n_min, self.n_max, self.alpha = int(n_min), int(n_max), float(alpha)
        self.grams_ = None

    def __repr__(self):
        return f"NgramNaiveBayes(n_min={self.n_min}, n_max={self.n_max}, alpha={self.alpha})"

    def fit(self, texts: Sequence[str], labels, n_classes: int | None = None) -> NgramNaiveBayes:
        """Count n-grams per class and smooth them (NB1); return ``self``.

        Parameters
        ----------
        texts : sequence of str
            The training texts only.
        labels : ndarray of int, shape (N,)
            Class ids in ``[0, n_classes)``.
        n_classes : int, optional
            C; default ``labels.max() + 1``. Give it when a class may be missing from ``labels``.
        """
        _check_texts(texts)
        if n_classes is not None:
            check_positive("n_classes", n_classes, integer=True)
        high = np.iinfo(np.int64).max if n_classes is None else int(n_classes)
        labels = as_int_array("labels", labels, 0, high, ndim=1)
        if len(labels) != len(texts):
            raise ValueError(f"labels must hold one class id per text ({len(texts)}), got {len(labels)}")
        C = int(labels.max()) + 1 if n_classes is None else int(n_classes)
        per_text = [char_ngrams(t, self.n_min, self.n_max) for t in texts]
        self.grams_ = sorted({g for grams in per_text for g in grams})
        self._index = {g: j for j, g in enumerate(self.grams_)}
        rows, cols = self._flat(per_text)
        self.counts_ = np.zeros((C, len(self.grams_)), dtype=np.int64)  # (C, G)
        np.add.at(self.counts_, (labels[rows], cols), 1)
        smoothed = self.counts_ + self.alpha  # (NB1)
        self.log_theta_ = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))  # (C, G)
        class_sizes = np.bincount(labels, minlength=C)
        with np.errstate(divide="ignore"):  # a class absent from training gets prior 0: log 0 = -inf
            self.log_prior_ = np.log(class_sizes / len(labels))  # (C,)
        return self

    def _flat(self, per_text):
        """Row (text) and column (n-gram) index of every known n-gram occurrence."""
        rows = [i for i, grams in enumerate(per_text) for g in grams if g in self._index]
        cols = [self._index[g] for grams in per_text for g in grams if g in self._index]
        return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)

    def _check_fitted(self):
        if self.grams_ is None:
            raise ValueError("this NgramNaiveBayes is not fitted yet: call fit(texts, labels) first")

    def predict_log_proba(self, texts: Sequence[str]) -> np.ndarray:
        """log P(c | text) for every text and class (NB2), shape (N, C); each row's exp sums to 1."""
        self._check_fitted()
        _check_texts(texts)
        rows, cols = self._flat([char_ngrams(t, self.n_min, self.n_max) for t in texts])
        scores = np.tile(self.log_prior_, (len(texts), 1))  # (N, C)
        np.add.at(scores, rows, self.log_theta_[:, cols].T)  # + n_g(text) log theta[c, g], one row per occurrence
        top = scores.max(axis=1, keepdims=True)
        return scores - (top + np.log(np.exp(scores - top).sum(axis=1, keepdims=True)))  # - log Z (log-sum-exp)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(c | text), shape (N, C)."""
        return np.exp(self.predict_log_proba(texts))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable class id of each text, shape (N,)."""
        return self.predict_log_proba(texts).argmax(axis=1)

    def top_ngrams(self, class_id: int, k: int = 5, min_count: int = 5) -> list[str]:
        """The ``k`` n-grams that most favour ``class_id`` over the other classes on average.

        Ranks n-grams seen at least ``min_count`` times in that class by
        ``log theta[c, g] - mean over the other classes of log theta[., g]``.
        """
        self._check_fitted()
        C = len(self.log_prior_)
        if isinstance(class_id, bool) or not isinstance(class_id, numbers.Integral) or not 0 <= class_id < C:
            raise ValueError(f"class_id must be an integer in [0, {C}), got {class_id!r}")
        check_positive("k", k, integer=True)
        check_positive("min_count", min_count, integer=True)
        others = np.delete(self.log_theta_, class_id, axis=0).mean(axis=0)  # (G,)
        lift = np.where(self.counts_[class_id] >= min_count, self.log_theta_[class_id] - others, -np.inf)
        order = np.argsort(-lift, kind="stable")[:k]
        return [self.grams_[j] for j in order if np.isfinite(lift[j])]
