"""Character vocabularies and batches of ids for training on text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from .._checks import as_int_array, as_rng, check_positive


class Vocabulary:
    """A fixed, ordered set of tokens (characters, plus optional specials such as ``<pad>``).

    Parameters
    ----------
    tokens : iterable of str
        Each distinct; their order defines the ids. Use ``from_text`` to build one
        deterministically from a text.
    unknown : str, optional
        A token of the vocabulary that stands for characters it does not contain.
        Without one (the default), encoding an unseen character raises ``ValueError``.

    Examples
    --------
    >>> vocab = Vocabulary.from_text("hello")
    >>> vocab.tokens, vocab.encode("hell").tolist(), vocab.decode([1, 3])
    (['e', 'h', 'l', 'o'], [1, 0, 2, 2], 'hl')
    """

    def __init__(self, tokens: Iterable[str], unknown: str | None = None):
        tokens = list(tokens)
        if not tokens:
            raise ValueError("a vocabulary needs at least one token, got none")
        if not all(isinstance(t, str) and t for t in tokens):
            raise TypeError("tokens must be non-empty strings")
        if len(set(tokens)) != len(tokens):
            raise ValueError("tokens must be distinct, got duplicates")
        if unknown is not None and unknown not in tokens:
            raise ValueError(f"unknown token {unknown!r} must be one of the tokens")
        self.tokens, self.unknown = tokens, unknown
        self.index = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def from_text(cls, text: str, *, specials: Iterable[str] = (), unknown: str | None = None) -> Vocabulary:
        """Sorted distinct characters of ``text``, after ``specials`` (given order).

        Sorting makes the ids the same on every run and machine (a ``set`` has no fixed order).
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text must not be empty: there is nothing to build a vocabulary from")
        specials = list(specials)
        return cls(specials + sorted(set(text) - set(specials)), unknown=unknown)

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens, unknown={self.unknown!r})"

    def encode(self, text: str) -> np.ndarray:
        """Ids of the characters of ``text``, shape (len(text),)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        get, unk = self.index.get, self.index.get(self.unknown)
        ids = [get(c, unk) for c in text]
        if unk is None and None in ids:
            unseen = sorted({c for c in text if c not in self.index})
            raise ValueError(f"text has {len(unseen)} character(s) not in the vocabulary: {unseen[:10]!r}; "
                             f"build it from this text or pass unknown=...")
        return np.array(ids, dtype=np.int64)

    def decode(self, ids) -> str:
        """The string of the tokens with these ids."""
        ids = as_int_array("ids", ids, 0, len(self), ndim=1)
        return "".join(self.tokens[i] for i in ids)

    def to_arrays(self) -> dict:
        """Arrays to store next to a model: ``save_model(model, path, **vocab.to_arrays())``."""
        return {"vocab_tokens": np.array(self.tokens), "vocab_unknown": np.array(self.unknown or "")}

    @classmethod
    def from_arrays(cls, arrays: dict) -> Vocabulary:
        """Rebuild from ``to_arrays()`` output (e.g. the extras of ``load_model``)."""
        try:
            tokens, unknown = arrays["vocab_tokens"], str(arrays["vocab_unknown"])
        except KeyError as exc:
            raise ValueError(f"arrays hold no vocabulary: missing {exc.args[0]!r}") from exc
        return cls([str(t) for t in tokens], unknown=unknown or None)


# ---------------------------------------------------------------- baseline


def bigram_successors(ids, vocab_size: int) -> np.ndarray:
    """The memoryless baseline: for each id, the id that most often follows it in ``ids``.

    Predict the next id of ``x`` as ``bigram_successors(train_ids, V)[x]``. Ties go to the
    smallest id; an id never seen before another falls back to the most common id overall.

    Returns
    -------
    ndarray of int, shape (vocab_size,)

    Examples
    --------
    >>> bigram_successors(np.array([0, 1, 0, 1, 0, 2]), 3).tolist()
    [1, 0, 0]
    """
    check_positive("vocab_size", vocab_size, integer=True)
    ids = as_int_array("ids", ids, 0, vocab_size, ndim=1)
    if len(ids) < 2:
        raise ValueError(f"ids must hold at least two ids to count successors, got {len(ids)}")
    counts = np.zeros((vocab_size, vocab_size), dtype=np.int64)  # counts[a, b]: how often b follows a
    np.add.at(counts, (ids[:-1], ids[1:]), 1)
    successors = counts.argmax(axis=1)  # argmax takes the first (smallest) id on ties
    unseen = counts.sum(axis=1) == 0
    successors[unseen] = np.bincount(ids, minlength=vocab_size).argmax()
    return successors


# ---------------------------------------------------------------- batches


def split_ids(ids, val_fraction: float = 0.1):
    """Split an id stream by position: the first part trains, the last part validates."""
    ids = as_int_array("ids", ids, 0, np.iinfo(np.int64).max, ndim=1)
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    cut = round(len(ids) * (1 - val_fraction))
    if cut < 2 or len(ids) - cut < 2:
        raise ValueError(f"{len(ids)} ids are too few to split with val_fraction={val_fraction}")
    return ids[:cut], ids[cut:]


def stream_batches(ids, batch_size: int, seq_len: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Chunks for truncated BPTT: row n of every chunk continues row n of the previous one.

    The stream is cut into ``batch_size`` equal parallel streams; chunk k holds steps
    ``[k*seq_len, (k+1)*seq_len)`` of each, and the targets are the inputs shifted by
    one. Carry the last hidden state of a chunk into the next as ``h0``.

    Yields
    ------
    inputs, targets : ndarray of int, shape (N, T) with N = batch_size, T = seq_len
        (the last chunk may be shorter in T).
    """
    ids = as_int_array("ids", ids, 0, np.iinfo(np.int64).max, ndim=1)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("seq_len", seq_len, integer=True)
    L = (len(ids) - 1) // batch_size  # steps per stream
    if L < 1:
        raise ValueError(f"{len(ids)} ids are too few for {batch_size} parallel streams")
    x = ids[: batch_size * L].reshape(batch_size, L)  # (N, L)
    y = ids[1 : batch_size * L + 1].reshape(batch_size, L)  # row n: ids[n*L + 1 : n*L + L + 1]
    for start in range(0, L, seq_len):
        yield x[:, start : start + seq_len], y[:, start : start + seq_len]


def random_windows(ids, batch_size: int, seq_len: int, rng=None):
    """One batch of windows starting at random positions: inputs and next-id targets, (N, T)."""
    ids = as_int_array("ids", ids, 0, np.iinfo(np.int64).max, ndim=1)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("seq_len", seq_len, integer=True)
    if len(ids) < seq_len + 1:
        raise ValueError(f"seq_len ({seq_len}) + 1 must be at most the number of ids ({len(ids)})")
    starts = as_rng(rng).integers(0, len(ids) - seq_len, size=batch_size)  # (N,)
    idx = starts[:, None] + np.arange(seq_len)  # (N, T)
    return ids[idx], ids[idx + 1]
