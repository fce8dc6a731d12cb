"""Labelled short texts for sequence classification: surnames and their language.

``load_surnames()`` reads ``data/surnames.csv`` (8 languages; provenance in
``data/README.md``). Texts become fixed-length id arrays with ``<pad>`` and ``<unk>``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

import numpy as np

from .._checks import as_fractions, as_labels, as_rng, check_positive
from .real import data_path
from .text import Vocabulary

PAD, UNK = "<pad>", "<unk>"


def load_surnames():
    """Surnames and the language whose name lists they come from.

    Returns
    -------
    names : list of str
    labels : list of str
        One of 8 languages; a name found in two lists was left out.
    """
    with open(data_path("surnames.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["surname"] for r in rows], [r["language"] for r in rows]


def text_vocabulary(texts: Sequence[str]) -> Vocabulary:
    """Characters of ``texts`` (sorted) after ``<pad>`` (id 0) and ``<unk>`` (id 1).

    Build it from the training texts only; characters first seen later map to ``<unk>``.
    """
    texts = _check_texts(texts)
    return Vocabulary.from_text("".join(texts), specials=(PAD, UNK), unknown=UNK)


def _check_texts(texts) -> list:
    """A non-empty list of str (each may be empty); a lone str is refused."""
    if isinstance(texts, str) or not isinstance(texts, Iterable):
        raise TypeError(f"texts must be a sequence of str (a list, not one str), got {type(texts).__name__}")
    texts = list(texts)
    bad = [t for t in texts if not isinstance(t, str)]
    if bad:
        raise TypeError(f"texts must be a sequence of str, got an item {bad[0]!r} of type {type(bad[0]).__name__}")
    if not texts:
        raise ValueError("texts must not be empty")
    return texts


def encode_padded(texts: Sequence[str], vocab: Vocabulary, max_len: int):
    """Encode, truncate to ``max_len`` and right-pad with ``<pad>``.

    Returns
    -------
    ids : ndarray of int, shape (N, max_len)
    lengths : ndarray of int, shape (N,)
        Steps before padding (after truncation); an empty text has length 0.
    """
    texts = _check_texts(texts)
    check_positive("max_len", max_len, integer=True)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary (see text_vocabulary), got {type(vocab).__name__}")
    if vocab.tokens[0] != PAD:
        raise ValueError(f"vocab must have {PAD!r} as token 0; build it with text_vocabulary")
    ids = np.zeros((len(texts), max_len), dtype=np.int64)  # 0 is <pad>
    lengths = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        encoded = vocab.encode(text)[:max_len]
        ids[i, : len(encoded)] = encoded
        lengths[i] = len(encoded)
    return ids, lengths


def encode_labels(labels: Sequence[str], classes: Sequence[str] | None = None):
    """Integer class ids; ``classes`` defaults to the sorted distinct labels.

    ``labels`` is a sequence of labels, all str or all numbers (a lone str is refused,
    not read as one label per character).
    """
    labels = as_labels("labels", labels).tolist()
    if classes is None:
        classes = sorted(set(labels))
    else:
        classes = as_labels("classes", classes).tolist()
        if len(set(classes)) != len(classes):
            raise ValueError(f"classes must be distinct, got {classes[:10]}")
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise ValueError(f"labels not among the classes: {unknown[:5]}; classes are {classes[:10]}")
    return np.array([index[lab] for lab in labels], dtype=np.int64), classes


def stratified_split(labels, fractions=(0.8, 0.1, 0.1), rng=None):
    """Shuffled train/validation/test indices with each class in the same proportions.

    Parameters
    ----------
    labels : sequence of str or of numbers, one per example (no NaN: it would vanish from every part)
    fractions : three numbers >= 0 summing to 1
    rng : numpy.random.Generator, int or None (None is fresh entropy: not repeatable)

    Returns
    -------
    train_idx, val_idx, test_idx : ndarray of int
        Disjoint, together all of ``range(len(labels))``, each sorted.
    """
    labels = as_labels("labels", labels)
    fractions = as_fractions("fractions", fractions, strict=False)
    rng = as_rng(rng)
    parts = ([], [], [])
    for c in np.unique(labels):  # sorted classes: the same split on every run
        idx = rng.permutation(np.flatnonzero(labels == c))
        a = round(len(idx) * fractions[0])
        b = a + round(len(idx) * fractions[1])
        for part, chunk in zip(parts, (idx[:a], idx[a:b], idx[b:])):
            part.append(chunk)
    return tuple(np.sort(np.concatenate(p)) for p in parts)


def encode_dataset(texts: Sequence[str], labels: Sequence[str], vocab: Vocabulary, max_len: int,
                   classes: Sequence[str] | None = None):
    """``encode_padded`` for the texts and ``encode_labels`` for the labels, one label per text.

    Returns
    -------
    ids : ndarray of int, shape (N, max_len)
    lengths : ndarray of int, shape (N,)
    y : ndarray of int, shape (N,)
    classes : list of str
    """
    texts, labels = _check_texts(texts), as_labels("labels", labels)
    if len(texts) != len(labels):
        raise ValueError(f"texts and labels must have the same length, got {len(texts)} and {len(labels)}")
    ids, lengths = encode_padded(texts, vocab, max_len)
    y, classes = encode_labels(labels, classes)
    return ids, lengths, y, classes


def majority_accuracy(train_labels, test_labels) -> float:
    """Accuracy of always predicting the most common training class (ties: first in sorted order)."""
    train_labels, test_labels = as_labels("train_labels", train_labels), as_labels("test_labels", test_labels)
    if (train_labels.dtype.kind in "SU") != (test_labels.dtype.kind in "SU"):
        raise TypeError(f"train_labels and test_labels must both be strings or both numbers, "
                        f"got dtypes {train_labels.dtype} and {test_labels.dtype}")
    values, counts = np.unique(train_labels, return_counts=True)
    return float(np.mean(test_labels == values[np.argmax(counts)]))
