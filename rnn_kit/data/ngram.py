"""Character n-gram models: the baselines a character RNN must beat, in bits per character.

An n-gram model predicts the next id from the ``n - 1`` ids before it, by counting how often
each continuation followed that context in the training ids:

    (G1)  P_ml(x | c) = count(c, x) / count(c)                       the raw frequency
    (G2)  P_add-k(x | c) = (count(c, x) + k) / (count(c) + k V)     add-k: every id gets k extra
    (G3)  P_n(x | c) = (count(c, x) + u(c) P_{n-1}(x | c')) / (count(c) + u(c))
                                                                     interpolated (Witten-Bell)
    (G4)  bits per character = -mean(log2 P(x_i | context_i))

In (G3) ``c'`` is ``c`` without its oldest id, ``u(c)`` is the number of distinct ids ever
seen after ``c``, and ``P_0 = 1/V``: a context seen often with few different successors trusts
its own counts; a rare or varied one leans on the shorter context. A context never seen in
training (``count(c) = 0``) falls back to ``1/V`` under (G2) and to ``P_{n-1}`` under (G3), so
no probability is ever zero.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_int_array, check_positive

SMOOTHING = ("interpolated", "add_k")
_KEY_LIMIT = 2**62  # V**order must fit in an int64 key


# ---------------------------------------------------------------- counting, with contexts as integer keys


def _window_keys(ids, m, V):
    """One int key per window of ``m`` consecutive ids: the ids read as the digits of a base-V number."""
    L = len(ids) - m + 1
    key = np.zeros(max(L, 0), dtype=np.int64)
    for j in range(m):
        key = key * V + ids[j : j + L]  # (L,)
    return key


def _row_keys(rows, V):
    """The key of each row of ``rows`` (M, m), as ``_window_keys`` would give that window (0 when m = 0)."""
    key = np.zeros(len(rows), dtype=np.int64)
    for j in range(rows.shape[1]):
        key = key * V + rows[:, j]
    return key


def _count(keys):
    """Sorted distinct keys and how often each occurs."""
    return np.unique(keys, return_counts=True)


def _lookup(table, query):
    """The counts of ``table = (sorted keys, counts)`` at each query key (0 where absent, and for key -1)."""
    keys, counts = table
    if keys.size == 0:
        return np.zeros(len(query), dtype=np.int64)
    pos = np.minimum(np.searchsorted(keys, query), keys.size - 1)
    return np.where(keys[pos] == query, counts[pos], 0)


class NGramModel:
    """A character n-gram model with add-k or interpolated (Witten-Bell) smoothing.

    Parameters
    ----------
    order : int
        n: 1 is the unigram model (no context), 2 the bigram, 3 the trigram.
    vocab_size : int
        V: ids lie in ``[0, V)``.
    smoothing : {"interpolated", "add_k"}
        (G3) or (G2) in the module docstring.
    k : float
        The pseudo-count of add-k smoothing (k = 1 is Laplace's rule).

    Notes
    -----
    Counts are stored only for contexts that occur, so memory grows with the training text,
    not with ``V**order``. Taught in ``notebooks/04_text_generation.ipynb``.

    Examples
    --------
    >>> model = NGramModel(2, 3, smoothing="add_k", k=1).fit(np.array([0, 1, 0, 1, 0, 2]))
    >>> model.next_probs([0]).round(3).tolist()    # after 0: "1" twice, "2" once, plus 1 each
    [0.167, 0.5, 0.333]
    """

    def __init__(self, order: int, vocab_size: int, *, smoothing: str = "interpolated", k: float = 1.0):
        check_positive("order", order, integer=True)
        check_positive("vocab_size", vocab_size, integer=True)
        check_positive("k", k)
        if smoothing not in SMOOTHING:
            raise ValueError(f"smoothing must be one of {SMOOTHING}, got {smoothing!r}")
        if vocab_size**order >= _KEY_LIMIT:
            raise ValueError(f"vocab_size**order = {vocab_size}**{order} is too large to count contexts of")
        self.order, self.vocab_size, self.smoothing, self.k = int(order), int(vocab_size), smoothing, float(k)
        self.tables = None

    def __repr__(self):
        return f"NGramModel(order={self.order}, vocab_size={self.vocab_size}, smoothing={self.smoothing!r})"

    def fit(self, ids) -> NGramModel:
        """Count every context and continuation in the training ids (1-d, at least ``order`` of them)."""
        ids = as_int_array("ids", ids, 0, self.vocab_size, ndim=1)
        if len(ids) < max(self.order, 2):
            raise ValueError(f"ids must hold at least {max(self.order, 2)} ids to fit an order-{self.order} "
                             f"model, got {len(ids)}")
        V = self.vocab_size
        self.tables = []
        for m in range(1, self.order + 1):  # m - 1 ids of context, then the predicted id
            pairs = _count(_window_keys(ids, m, V))  # count(c, x)
            contexts, types = _count(pairs[0] // V)  # each context once per distinct successor: u(c)
            totals = np.bincount(np.searchsorted(contexts, pairs[0] // V), weights=pairs[1])  # count(c)
            self.tables.append({"pairs": pairs, "totals": (contexts, totals.astype(np.int64)),
                                "types": (contexts, types)})
        return self

    # ------------------------------------------------------------ probabilities

    def _check_fitted(self):
        if self.tables is None:
            raise ValueError("this NGramModel is not fitted yet: call fit(train_ids) first")

    def _probs(self, history, x):
        """P(x_i | history_i) for rows of ``history`` (M, order - 1), -1 marking missing (older) ids."""
        V = self.vocab_size
        p = np.full(len(x), 1.0 / V)  # P_0: uniform
        for m in range(1, self.order + 1):
            ctx = history[:, history.shape[1] - (m - 1):] if m > 1 else history[:, :0]  # (M, m - 1)
            known = (ctx >= 0).all(axis=1)  # the text is long enough for this context
            c_key = np.where(known, _row_keys(ctx, V), -1)  # (M,)
            tab = self.tables[m - 1]
            n_cx = _lookup(tab["pairs"], np.where(known, c_key * V + x, -1))
            n_c = _lookup(tab["totals"], c_key)
            if self.smoothing == "add_k":
                p_m = (n_cx + self.k) / (n_c + self.k * V)  # (G2); unseen context: 1/V
            else:
                u_c = _lookup(tab["types"], c_key)
                p_m = (n_cx + u_c * p) / np.maximum(n_c + u_c, 1)  # (G3)
                p_m = np.where(n_c > 0, p_m, p)  # unseen context: the shorter one's estimate
            p = np.where(known, p_m, p)  # at the start of a text, shorter contexts only
        return p

    def next_probs(self, context) -> np.ndarray:
        """The distribution of the next id after ``context`` (its last ``order - 1`` ids count), shape (V,)."""
        self._check_fitted()
        context = as_int_array("context", context, 0, self.vocab_size, ndim=1)
        history = np.full(self.order - 1, -1, dtype=np.int64)
        if self.order > 1 and len(context):
            tail = context[-(self.order - 1):]
            history[len(history) - len(tail):] = tail
        V = self.vocab_size
        return self._probs(np.tile(history, (V, 1)), np.arange(V))

    def prob_of_each(self, ids) -> np.ndarray:
        """P(ids[i] | the ids before it) for i = 1 .. L-1 (the first id has no context to score it by)."""
        self._check_fitted()
        ids = as_int_array("ids", ids, 0, self.vocab_size, ndim=1)
        if len(ids) < 2:
            raise ValueError(f"ids must hold at least 2 ids (one to read, one to predict), got {len(ids)}")
        n_ctx = self.order - 1
        padded = np.concatenate([np.full(n_ctx, -1, dtype=np.int64), ids])  # -1: before the text began
        history = np.stack([padded[j : j + len(ids)] for j in range(n_ctx)], axis=1) if n_ctx else \
            np.zeros((len(ids), 0), dtype=np.int64)  # (L, n - 1): row i holds the ids before ids[i]
        return self._probs(history[1:], ids[1:])

    def bits_per_character(self, ids) -> float:
        """(G4) over ``ids[1:]``: the same predictions ``training.evaluate_stream`` scores."""
        return float(-np.mean(np.log2(self.prob_of_each(ids))))
