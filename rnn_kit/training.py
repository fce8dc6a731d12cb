"""Training loops for ``RNNModel``: one fixed batch, or a long stream with truncated BPTT.

    fit_batch    the same batch every step: loss, gradients, clipping, update
    fit_stream   truncated BPTT: parallel streams cut into chunks; the final state of one
                 chunk is the initial state of the next (carried forward, but no gradient
                 flows back across the cut)
"""

from __future__ import annotations

import numpy as np

from ._checks import as_int_array, check_positive
from .data.text import stream_batches
from .losses import log_softmax
from .optim import SGD, Adagrad, Adam, clip_grad_norm

OPTIMIZERS = {"adam": Adam, "adagrad": Adagrad, "sgd": SGD}


def make_optimizer(name: str, params: dict, lr: float):
    """An optimiser from ``rnn_kit.optim`` by name: "adam", "adagrad" or "sgd"."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](params, lr=lr)


def fit_batch(model, inputs, targets, *, steps: int, lr: float = 0.01, optimizer: str = "adam",
              max_norm: float | None = 5.0, mask=None, lengths=None) -> list[float]:
    """Train ``model`` on one fixed batch for ``steps`` updates; return the loss before each.

    Parameters
    ----------
    model : RNNModel
    inputs, targets, mask, lengths
        As for ``model.loss_and_grads``.
    steps : int
        Number of updates (budget training in steps, not seconds, so runs repeat).
    lr : float
    optimizer : {"adam", "adagrad", "sgd"}
    max_norm : float or None
        Clip the global gradient norm to this (None: no clipping).

    Returns
    -------
    list of float

    Notes
    -----
    ``notebooks/01_rnn_from_scratch.ipynb`` writes this loop out once, then calls it.
    """
    check_positive("steps", steps, integer=True)
    opt = make_optimizer(optimizer, model.params, lr)
    losses = []
    for _ in range(steps):
        loss, grads, _ = model.loss_and_grads(inputs, targets, mask=mask, lengths=lengths)
        if max_norm is not None:
            clip_grad_norm(grads, max_norm)
        opt.step(grads)
        losses.append(loss)
    return losses


def fit_stream(model, ids, *, steps: int, batch_size: int, seq_len: int, lr: float = 0.01,
               optimizer: str = "adam", max_norm: float | None = 5.0, carry_state: bool = True,
               callback=None) -> list[float]:
    """Truncated BPTT over a long id stream for ``steps`` updates; return the loss of each chunk.

    Parameters
    ----------
    model : RNNModel
        A many-to-many (``head="every"``) character model with ``vocab_size``.
    ids : ndarray of int, shape (L,)
        The training stream. It is cut into ``batch_size`` parallel streams (``stream_batches``);
        after the last chunk the streams start again from the beginning with a fresh state.
    steps : int
        Updates (one chunk each).
    batch_size, seq_len : int
        N parallel streams, T steps per chunk: BPTT reaches back at most ``seq_len`` steps.
    carry_state : bool
        Carry each chunk's final state into the next (True), or start every chunk from
        zeros (False: the model then never sees more than ``seq_len`` characters of context).
    callback : callable, optional
        ``callback(step, loss)`` after every update (1-based step), e.g. to print samples.

    Returns
    -------
    list of float
        The training loss (nats per character) of every chunk, before its update.

    Notes
    -----
    Taught in ``notebooks/04_text_generation.ipynb``.
    """
    check_positive("steps", steps, integer=True)
    if model.head != "every":
        raise ValueError(f"fit_stream needs a model with head='every', got head={model.head!r}")
    opt = make_optimizer(optimizer, model.params, lr)
    losses, state, chunks = [], None, iter(())
    while len(losses) < steps:
        chunk = next(chunks, None)
        if chunk is None:  # a new pass over the text: the streams restart, and so does the state
            chunks, state = stream_batches(ids, batch_size, seq_len), None
            continue
        x, y = chunk
        loss, grads, new_state = model.loss_and_grads(x, y, state0=state if carry_state else None)
        state = new_state  # the values go on; the graph is cut here (no gradient flows back into it)
        if max_norm is not None:
            clip_grad_norm(grads, max_norm)
        opt.step(grads)
        losses.append(loss)
        if callback is not None:
            callback(len(losses), loss)
    return losses


def evaluate_stream(model, ids, *, batch_size: int = 1, seq_len: int = 100) -> float:
    """Mean cross-entropy (nats per predicted id) of ``model`` over a whole stream, state carried.

    Every id after the first of each of the ``batch_size`` parallel streams is predicted once,
    with all of its stream's earlier ids as context. Divide by ``ln 2`` for bits per character.

    Notes
    -----
    Taught in ``notebooks/04_text_generation.ipynb``.
    """
    ids = as_int_array("ids", ids, 0, model.output_size, ndim=1)
    total, count, state = 0.0, 0, None
    for x, y in stream_batches(ids, batch_size, seq_len):
        logits, state = model.run(x, state)  # (N, T, V)
        log_p = log_softmax(logits.astype(np.float64))  # (N, T, V)
        total -= np.take_along_axis(log_p, y[..., None], axis=-1).sum()
        count += y.size
    return total / count
