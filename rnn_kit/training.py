"""Training loops for ``RNNModel``: one fixed batch, or a long stream with truncated BPTT.

    fit_batch    the same batch every step: loss, gradients, clipping, update
    fit_stream   truncated BPTT (StreamTrainer): parallel streams cut into chunks; the final
                 state of one chunk is the initial state of the next (carried forward, but
                 no gradient flows back across the cut)
"""

from __future__ import annotations

import numpy as np

from ._checks import as_int_array, check_bool, check_positive
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


class StreamTrainer:
    """Truncated BPTT over a long id stream, one update per ``step()``.

    The stream is cut into ``batch_size`` parallel streams (``stream_batches``); each step trains
    on the next chunk of ``seq_len`` steps of every stream. The final state of a chunk is the
    initial state of the next (carried forward as values; no gradient flows back across the
    cut). After the last chunk the streams start again from the beginning with a fresh state.
    ``fit_stream`` loops it; ``python -m rnn_kit.charlm train`` steps it itself (and
    ``rnn_kit.torch.stream.TorchStreamTrainer`` does the same in PyTorch).
    """

    def __init__(self, model, ids, *, batch_size: int, seq_len: int, lr: float = 0.01, optimizer: str = "adam",
                 max_norm: float | None = 5.0, carry_state: bool = True):
        if model.head != "every":
            raise ValueError(f"truncated BPTT needs a model with head='every', got head={model.head!r}")
        if max_norm is not None:
            check_positive("max_norm", max_norm)
        next(stream_batches(ids, batch_size, seq_len))  # checks ids, batch_size and seq_len now
        self.model, self.ids, self.batch_size, self.seq_len = model, ids, batch_size, seq_len
        self.max_norm, self.carry_state = max_norm, carry_state
        self.opt = make_optimizer(optimizer, model.params, lr)
        self.chunks, self.state = iter(()), None

    def next_chunk(self):
        """Inputs and targets (N, T) of the next chunk; a new pass over the text resets the state."""
        chunk = next(self.chunks, None)
        if chunk is None:
            self.chunks, self.state = stream_batches(self.ids, self.batch_size, self.seq_len), None
            chunk = next(self.chunks)
        return chunk

    def step(self) -> float:
        """One update on the next chunk; returns that chunk's loss (nats per character) before the update."""
        x, y = self.next_chunk()
        loss, grads, state = self.model.loss_and_grads(x, y, state0=self.state if self.carry_state else None)
        self.state = state  # the values go on; the graph is cut here
        if self.max_norm is not None:
            clip_grad_norm(grads, self.max_norm)
        self.opt.step(grads)
        return loss

    def numpy_model(self):
        """The model being trained, as an ``RNNModel``."""
        return self.model


def fit_stream(model, ids, *, steps: int, batch_size: int, seq_len: int, lr: float = 0.01,
               optimizer: str = "adam", max_norm: float | None = 5.0, carry_state: bool = True,
               callback=None) -> list[float]:
    """Truncated BPTT over a long id stream for ``steps`` updates; return the loss of each chunk.

    Parameters
    ----------
    model : RNNModel
        A many-to-many (``head="every"``) character model with ``vocab_size``.
    ids : ndarray of int, shape (L,)
        The training stream, cut into ``batch_size`` parallel streams (see ``StreamTrainer``).
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
    trainer = StreamTrainer(model, ids, batch_size=batch_size, seq_len=seq_len, lr=lr, optimizer=optimizer,
                            max_norm=max_norm, carry_state=carry_state)
    losses = []
    for step in range(1, steps + 1):
        losses.append(trainer.step())
        if callback is not None:
            callback(step, losses[-1])
    return losses


def evaluate_stream(model, ids, *, batch_size: int = 1, seq_len: int = 100, carry_state: bool = True) -> float:
    """Mean cross-entropy (nats per predicted id) of ``model`` over a whole stream.

    Every id after the first of each of the ``batch_size`` parallel streams is predicted once.
    With ``carry_state`` (the default) the state runs on from chunk to chunk, so each id has all
    of its stream's earlier ids as context and ``seq_len`` changes nothing but speed. With
    ``carry_state=False`` every chunk of ``seq_len`` ids starts from zeros, as in training with
    ``fit_stream(..., carry_state=False)``: a model scored the way it was trained. Divide by
    ``ln 2`` for bits per character.

    Notes
    -----
    Taught in ``notebooks/04_text_generation.ipynb``.
    """
    ids = as_int_array("ids", ids, 0, model.output_size, ndim=1)
    carry_state = check_bool("carry_state", carry_state)
    total, count, state = 0.0, 0, None
    for x, y in stream_batches(ids, batch_size, seq_len):
        logits, state = model.run(x, state if carry_state else None)  # (N, T, V)
        log_p = log_softmax(logits.astype(np.float64))  # (N, T, V)
        total -= np.take_along_axis(log_p, y[..., None], axis=-1).sum()
        count += y.size
    return total / count
