"""Labelled short texts for sequence classification: surnames and their language.

``load_surnames()`` reads ``data/surnames.csv`` (8 languages; provenance in
``data/README.md``). Texts become fixed-length id arrays with ``<pad>`` and ``<unk>``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

import numpy as np

from .._checks import as_rng, check_positive
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
    _check_texts(texts)
    return Vocabulary.from_text("".join(texts), specials=(PAD, UNK), unknown=UNK)


def _check_texts(texts):
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a sequence of str")
    if len(texts) == 0:
        raise ValueError("texts must not be empty")


def encode_padded(texts: Sequence[str], vocab: Vocabulary, max_len: int):
    """Encode, truncate to ``max_len`` and right-pad with ``<pad>``.

    Returns
    -------
    ids : ndarray of int, shape (N, max_len)
    lengths : ndarray of int, shape (N,)
        Steps before padding (after truncation); an empty text has length 0.
    """
    _check_texts(texts)
    check_positive("max_len", max_len, integer=True)
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
    """Integer class ids; ``classes`` defaults to the sorted distinct labels."""
    classes = sorted(set(labels)) if classes is None else list(classes)
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise ValueError(f"labels not among the classes: {unknown[:5]}")
    return np.array([index[lab] for lab in labels], dtype=np.int64), classes


def stratified_split(labels, fractions=(0.8, 0.1, 0.1), rng=None):
    """Shuffled train/validation/test indices with each class in the same proportions.

    Returns
    -------
    train_idx, val_idx, test_idx : ndarray of int
        Disjoint, together all of ``range(len(labels))``, each sorted.
    """
    labels = np.asarray(labels)
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must be three numbers >= 0 summing to 1, got {fractions}")
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
    if len(texts) != len(labels):
        raise ValueError(f"texts and labels must have the same length, got {len(texts)} and {len(labels)}")
    ids, lengths = encode_padded(texts, vocab, max_len)
    y, classes = encode_labels(labels, classes)
    return ids, lengths, y, classes


def majority_accuracy(train_labels, test_labels) -> float:
    """Accuracy of always predicting the most common training class (ties: first in sorted order)."""
    values, counts = np.unique(np.asarray(train_labels), return_counts=True)
    if len(values) == 0 or len(test_labels) == 0:
        raise ValueError("train_labels and test_labels must not be empty")
    return float(np.mean(np.asarray(test_labels) == values[np.argmax(counts)]))
