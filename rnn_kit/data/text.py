"""Character vocabularies and batches of ids for training on text."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np

from .._checks import as_ids, as_int_array, as_rng, as_str_list, check_positive, check_real


class Vocabulary:
    """A fixed, ordered set of tokens (characters, plus optional specials such as ``<pad>``).

    Parameters
    ----------
    tokens : sequence of str
        Each non-empty and distinct; their order defines the ids. A lone str is refused:
        use ``from_text`` to build a vocabulary deterministically from a text.
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
        tokens = as_str_list("tokens", tokens)
        if not tokens:
            raise ValueError("tokens must hold at least one token, got none")
        if len(set(tokens)) != len(tokens):
            twice = sorted(t for t, n in Counter(tokens).items() if n > 1)
            raise ValueError(f"tokens must be distinct, got duplicates {twice[:5]}")
        if unknown is not None and (not isinstance(unknown, str) or unknown not in tokens):
            raise ValueError(f"unknown token {unknown!r} must be one of the tokens (or None)")
        self.tokens, self.unknown = tokens, unknown
        self.index = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def from_text(cls, text: str, *, specials: Iterable[str] = (), unknown: str | None = None) -> Vocabulary:
        """Sorted distinct characters of ``text``, after ``specials`` (given order).

        Sorting makes the ids the same on every run and machine (a ``set`` has no fixed order).
        ``specials`` is a list of tokens such as ``["<pad>", "<unk>"]``; a lone str is refused
        (``specials="<pad>"`` would otherwise be five one-character specials).
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text must not be empty: there is nothing to build a vocabulary from")
        specials = as_str_list("specials", specials)
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
        """Arrays to store next to a model: ``save_model(model, path, **vocab.to_arrays())``.

        The tokens are kept as JSON in one string, so every token survives (NumPy string
        arrays drop trailing ``"\\x00"`` characters).
        """
        return {"vocab_json": np.array(json.dumps({"tokens": self.tokens, "unknown": self.unknown}))}

    @classmethod
    def from_arrays(cls, arrays: dict) -> Vocabulary:
        """Rebuild from ``to_arrays()`` output (e.g. the extras of ``load_model``).

        Also reads the older ``vocab_tokens`` / ``vocab_unknown`` arrays.
        """
        if not isinstance(arrays, dict):
            raise TypeError(f"arrays must be a dict such as the extras of load_model, got {type(arrays).__name__}")
        if "vocab_json" in arrays:
            tokens, unknown = _from_json(arrays["vocab_json"])
        else:
            try:
                tokens, unknown = np.asarray(arrays["vocab_tokens"]), np.asarray(arrays["vocab_unknown"])
            except KeyError as exc:
                raise ValueError(f"arrays hold no vocabulary: missing {exc.args[0]!r}") from exc
            if tokens.dtype.kind != "U" or tokens.ndim != 1 or unknown.dtype.kind != "U" or unknown.ndim:
                raise ValueError(f"arrays must hold vocab_tokens as a 1-d and vocab_unknown as a 0-d string array, "
                                 f"got {tokens.dtype} {tokens.shape} and {unknown.dtype} {unknown.shape}")
            tokens, unknown = tokens.tolist(), str(unknown) or None
        return cls(tokens, unknown=unknown)


def _from_json(value):
    """``(tokens, unknown)`` from the ``vocab_json`` array written by ``to_arrays``."""
    arr = np.asarray(value)
    try:
        data = json.loads(str(arr)) if arr.dtype.kind == "U" and arr.ndim == 0 else None
    except (ValueError, RecursionError):
        data = None
    ok = (isinstance(data, dict) and isinstance(data.get("tokens"), list)
          and all(isinstance(t, str) for t in data["tokens"]) and isinstance(data.get("unknown"), (str, type(None))))
    if not ok:
        raise ValueError("arrays['vocab_json'] must be the JSON string written by Vocabulary.to_arrays, "
                         f"got {str(arr)[:80]!r}")
    return data["tokens"], data["unknown"]


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
    """Split an id stream by position: the first part trains, the last part validates.

    Returns copies (``train_ids, val_ids``): changing them leaves ``ids`` as it was.
    """
    ids = as_ids("ids", ids)
    check_real("val_fraction", val_fraction, 0, 1, closed="()")
    cut = round(len(ids) * (1 - val_fraction))
    if cut < 2 or len(ids) - cut < 2:
        raise ValueError(f"{len(ids)} ids are too few to split with val_fraction={val_fraction}")
    return ids[:cut].copy(), ids[cut:].copy()


def stream_batches(ids, batch_size: int, seq_len: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Chunks for truncated BPTT: row n of every chunk continues row n of the previous one.

    The stream is cut into ``batch_size`` equal parallel streams; chunk k holds steps
    ``[k*seq_len, (k+1)*seq_len)`` of each, and the targets are the inputs shifted by
    one. Carry the last hidden state of a chunk into the next as ``h0``.

    Returns
    -------
    iterator of (inputs, targets) : ndarray of int, shape (N, T) with N = batch_size, T = seq_len
        (the last chunk may be shorter in T); copies, never views of ``ids``. The arguments
        are checked when this is called, before the first chunk is asked for.
    """
    ids = as_ids("ids", ids)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("seq_len", seq_len, integer=True)
    L = (len(ids) - 1) // batch_size  # steps per stream
    if L < 1:
        raise ValueError(f"{len(ids)} ids are too few for {batch_size} parallel streams")
    x = ids[: batch_size * L].reshape(batch_size, L)  # (N, L)
    y = ids[1 : batch_size * L + 1].reshape(batch_size, L)  # row n: ids[n*L + 1 : n*L + L + 1]
    return _chunks(x, y, seq_len)


def _chunks(x, y, seq_len):
    """Consecutive (N, seq_len) column blocks of x and y."""
    for start in range(0, x.shape[1], seq_len):
        yield x[:, start : start + seq_len].copy(), y[:, start : start + seq_len].copy()


def random_windows(ids, batch_size: int, seq_len: int, rng=None):
    """One batch of windows starting at random positions: inputs and next-id targets, (N, T).

    ``rng=None`` is fresh entropy (not repeatable): pass a seed or a Generator.
    """
    ids = as_ids("ids", ids)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("seq_len", seq_len, integer=True)
    if len(ids) < seq_len + 1:
        raise ValueError(f"seq_len ({seq_len}) + 1 must be at most the number of ids ({len(ids)})")
    starts = as_rng(rng).integers(0, len(ids) - seq_len, size=batch_size)  # (N,)
    idx = starts[:, None] + np.arange(seq_len)  # (N, T)
    return ids[idx], ids[idx + 1]
