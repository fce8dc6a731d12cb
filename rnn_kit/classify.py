"""Scoring a classifier honestly: accuracy by hand count, where it errs, and how sure we can be.

    accuracy            correct / total, divided once
    confusion_matrix    counts[true, predicted]
    per_class_accuracy  the diagonal over the row sums (each class's recall)
    wilson_interval     a 95% interval for an accuracy measured on n examples
    paired_bootstrap    a 95% interval for the difference of two classifiers on the same examples

NumPy only: the PyTorch training loop (``rnn_kit.torch.classify``) and the n-gram baseline
(``rnn_kit.data.ngram_classifier``) are scored with the same functions.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from ._checks import as_int_array, as_rng, check_positive

# ---------------------------------------------------------------- checking labels


def _check_labels(y_true, y_pred, n_classes=None):
    """Two equally long, non-empty 1-d arrays of class ids in [0, n_classes); returns them and n_classes."""
    if n_classes is not None:
        check_positive("n_classes", n_classes, integer=True)
    high = np.iinfo(np.int64).max if n_classes is None else int(n_classes)
    y_true = as_int_array("y_true", y_true, 0, high, ndim=1)
    y_pred = as_int_array("y_pred", y_pred, 0, high, ndim=1)
    if len(y_true) == 0:
        raise ValueError("y_true must hold at least one label, got an empty array")
    if y_pred.shape != y_true.shape:
        raise ValueError(f"y_pred must have the shape of y_true {y_true.shape}, got {y_pred.shape}")
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
    return y_true, y_pred, int(n_classes)


# ---------------------------------------------------------------- counting


def accuracy(y_true, y_pred) -> float:
    """Fraction of predictions equal to the true class: (number correct) / (number of examples).

    Parameters
    ----------
    y_true, y_pred : ndarray of int, shape (N,)
        Class ids.

    Returns
    -------
    float in [0, 1]

    Notes
    -----
    One division, by N. A tutorial this course replaces divided a summed accuracy by the
    dataset size a second time and read an overfitting story into a curve near 0.001.
    Taught in ``notebooks/07_classification.ipynb``.

    Examples
    --------
    >>> accuracy([0, 1, 2, 2], [0, 1, 1, 2])
    0.75
    """
    y_true, y_pred, _ = _check_labels(y_true, y_pred)
    return int(np.sum(y_true == y_pred)) / len(y_true)


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    y_true, y_pred : ndarray of int, shape (N,)
    n_classes : int, optional
        C; default: one more than the largest id seen.

    Returns
    -------
    counts : ndarray of int, shape (C, C)
        ``counts[i, j]``: examples of class i predicted as j. Row sums are the class sizes,
        the diagonal the correct answers, and ``counts.sum() == N``.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 0, 1]).tolist()
    [[1, 0], [1, 1]]
    """
    y_true, y_pred, C = _check_labels(y_true, y_pred, n_classes)
    counts = np.zeros((C, C), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def per_class_accuracy(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """For each true class, the fraction of its examples predicted correctly (its recall).

    Returns
    -------
    ndarray of float, shape (C,)
        ``diag(counts) / counts.sum(axis=1)``; NaN for a class with no examples in ``y_true``.
    """
    counts = confusion_matrix(y_true, y_pred, n_classes)
    sizes = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sizes > 0, np.diag(counts) / np.maximum(sizes, 1), np.nan)


# ---------------------------------------------------------------- uncertainty


def wilson_interval(correct: int, total: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for an accuracy of ``correct / total``.

    With p = correct/total, z the normal quantile of ``(1 + confidence) / 2`` (1.96 for 95%):

        centre = (p + z²/2n) / (1 + z²/n),   half-width = z/(1 + z²/n) · sqrt(p(1-p)/n + z²/4n²)

    Unlike p ± z·sqrt(p(1-p)/n) it stays inside [0, 1] and is sensible near 0 and 1.

    Returns
    -------
    low, high : float

    Notes
    -----
    Treats the examples as independent draws; on 500 examples an accuracy near 0.8 is known
    to about ±0.035. Taught in ``notebooks/07_classification.ipynb``.

    Examples
    --------
    >>> [round(v, 3) for v in wilson_interval(80, 100)]
    [0.711, 0.867]
    """
    for name, value in [("correct", correct), ("total", total)]:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer count, got {type(value).__name__}")
    if total <= 0:
        raise ValueError(f"total must be > 0, got {total}")
    if not 0 <= correct <= total:
        raise ValueError(f"correct must lie in [0, total] = [0, {total}], got {correct}")
    check_positive("confidence", confidence)
    if not confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    n, p = int(total), int(correct) / int(total)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if correct == 0 else max(0.0, centre - half)  # exact at the ends, where rounding would leave 1e-17
    high = 1.0 if correct == total else min(1.0, centre + half)
    return float(low), float(high)


def paired_bootstrap(y_true, pred_a, pred_b, *, n_boot: int = 2000, confidence: float = 0.95,
                     rng=None) -> tuple[float, float, float]:
    """Accuracy of ``pred_a`` minus accuracy of ``pred_b`` on the same examples, with a bootstrap interval.

    Draws the N examples with replacement ``n_boot`` times and scores both classifiers on each
    draw, so examples that both get right (or both wrong) cancel: the interval is much narrower
    than two separate intervals would suggest.

    Parameters
    ----------
    y_true, pred_a, pred_b : ndarray of int, shape (N,)
    n_boot : int
    confidence : float in (0, 1)
    rng : numpy.random.Generator, int or None

    Returns
    -------
    difference, low, high : float
        The observed difference and the percentile interval of the resampled differences.
    """
    y_true, pred_a, _ = _check_labels(y_true, pred_a)
    _, pred_b, _ = _check_labels(y_true, pred_b)
    check_positive("n_boot", n_boot, integer=True)
    check_positive("confidence", confidence)
    if not confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    gain = (pred_a == y_true).astype(np.int64) - (pred_b == y_true)  # +1, 0 or -1 per example
    N = len(gain)
    draws = as_rng(rng).integers(0, N, size=(n_boot, N))  # (n_boot, N) resampled example indices
    resampled = gain[draws].sum(axis=1) / N  # integer sums, then one division: the same on every CPU
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(resampled, [tail, 100 - tail])
    return gain.sum() / N, float(low), float(high)
