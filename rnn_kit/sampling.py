"""Generating text from a trained character model: read the whole prime, then sample step by step.

    (S1)  p = softmax(y_t / temperature)        temperature < 1 sharpens, > 1 flattens
    (S2)  next id ~ p                          as temperature -> 0, the argmax (greedy decoding)
"""

from __future__ import annotations

import numpy as np

from . import layers
from ._checks import as_int_array, as_rng, check_positive
from .losses import softmax

_GREEDY_BELOW = 1e-6  # a temperature this small is argmax: dividing by it could overflow to inf


def _input_table(model, V):
    """The input term x W_xh + b_h of every symbol, through the model's own pair.

    Shape (V, 1, G): ``table[ids]`` is then the time-major (T, 1, G) input of the cell's recurrence.
    """
    p = model.params
    if model.vocab_size is not None:
        return layers.embedding_projection_forward(np.arange(V)[:, None], p["W_embed"], p["W_xh"], p["b_h"])[0]
    one_hot = np.eye(V, dtype=model.dtype)[:, None]  # (V, 1, V): each symbol as a one-hot row
    return layers.temporal_affine_forward(one_hot, p["W_xh"], p["b_h"])[0]


def check_sample_args(prime, n, temperature, V: int) -> np.ndarray:
    """The checks every sampler makes: ``n >= 0``, ``temperature > 0``, a non-empty prime of ids in [0, V)."""
    check_positive("temperature", temperature)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    prime = as_int_array("prime", prime, 0, V, ndim=1)
    if prime.size == 0:
        raise ValueError("prime must hold at least one id, got an empty sequence")
    return prime


def next_id(logits, temperature: float, rng: np.random.Generator) -> int:
    """One draw from softmax(logits / temperature) (S1)-(S2), in float64; the argmax below 1e-6."""
    logits = np.asarray(logits, dtype=np.float64)  # (V,)
    if temperature < _GREEDY_BELOW:
        return int(np.argmax(logits))
    cdf = np.cumsum(softmax(logits, temperature=temperature))  # (S1)
    return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), len(cdf) - 1))  # (S2)


def sample(model, prime, n: int, temperature: float = 1.0, rng=None) -> np.ndarray:
    """Generate ``n`` ids after reading the **whole** ``prime``.

    Parameters
    ----------
    model : RNNModel
        With ``loss="cross_entropy"``, ``head="every"`` and as many outputs as input symbols.
    prime : sequence of int
        At least one id. All of it is fed through the network before the first
        sample, so the prime shapes what follows (a source tutorial used only its last id).
    n : int
        Number of ids to generate (0 allowed).
    temperature : float > 0
        Divides the logits (S1). Below 1e-6 the argmax is taken (S2).
    rng : numpy.random.Generator, int or None
        ``None`` draws fresh entropy: pass a seed for repeatable samples.

    Returns
    -------
    ids : ndarray of int, shape (n,)

    Notes
    -----
    Taught in ``notebooks/04_text_generation.ipynb``.
    """
    if model.loss != "cross_entropy" or model.head != "every":
        raise ValueError("sample needs a model with loss='cross_entropy' and head='every'")
    V = model.vocab_size if model.vocab_size is not None else model.input_size
    if model.output_size != V:
        raise ValueError(f"sample needs outputs that can be fed back: output_size={model.output_size}"
                         f" but the input vocabulary has {V} symbols")
    prime = check_sample_args(prime, n, temperature, V)
    rng = as_rng(rng)
    p = model.params
    table = _input_table(model, V)  # (V, 1, G)
    state0 = model.cell.zero_state(1, model.hidden_size, model.dtype)
    h, state, _ = model.cell.recurrence_forward(table[prime], state0, p, **model.cell_options)  # the whole prime
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        y = layers.temporal_affine_forward(h[-1:], p["W_hy"], p["b_y"])[0][0, 0]  # (Y1), last step: (V,)
        out[i] = next_id(y, temperature, rng)
        h, state, _ = model.cell.recurrence_forward(table[out[i : i + 1]], state, p, **model.cell_options)
    return out
