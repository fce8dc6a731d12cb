"""A whole network: input projection -> recurrent cell -> output head, with its loss and gradients.

Built only from the public forward/backward pairs of ``layers`` and of the cell module:

    ids (N, T)      --embedding_projection-->  xw (N, T, G)  --cell.recurrence-->  h (N, T, H)
    x (N, T, D)     --temporal_affine------->  xw (N, T, G)

    head="every":  h --temporal_affine--> y (N, T, O)                     many-to-many
    head="last":   h --last_step--> h_last (N, H) --affine--> y (N, O)    many-to-one

Inside, the arrays are stored time-major, (T, N, .), because the cell's recurrence works one
step at a time and wants each step's rows side by side in memory. The inputs are transposed
on the way in (``ids.T``, a view) and the outputs on the way out, so every array a caller
sees has the batch-first shapes above; they are transposed views, not copies.
"""

from __future__ import annotations

import numpy as np

from . import layers
from ._checks import (
    as_float_array,
    as_float_dtype,
    as_int_array,
    as_rng,
    check_choice,
    check_nonempty,
    check_nonlinearity,
    check_positive,
)
from .cells import get_cell
from .losses import mse_loss, softmax_cross_entropy

LOSSES = ("cross_entropy", "mse")
HEADS = ("every", "last")


class RNNModel:
    """A recurrent network with an output layer, written with ``rnn_kit``'s forward/backward pairs.

    Parameters
    ----------
    input_size : int
        D, features per step (the embedding width when ``vocab_size`` is given).
    hidden_size : int
        H, units in the hidden state.
    output_size : int
        O, outputs per step (V classes for ``cross_entropy``).
    vocab_size : int, optional
        When given, inputs are integer ids of shape (N, T) looked up in
        ``W_embed`` of shape (vocab_size, D); otherwise inputs are floats (N, T, D).
    cell : {"rnn", "lstm", "gru"}
        The recurrent cell, a module of ``rnn_kit.cells``.
    head : {"every", "last"}
        ``"every"``: an output at every step (many-to-many, e.g. "hell" -> "ello");
        ``"last"``: one output per sequence from the state after its last real step
        (many-to-one, e.g. a forecast or a class), with optional ``lengths``.
    nonlinearity : {"tanh", "relu"}
        Only for ``cell="rnn"``.
    loss : {"cross_entropy", "mse"}
    dtype : numpy.float32 or numpy.float64
    rng : numpy.random.Generator, int or None
        Seeds the initialisation.

    Notes
    -----
    Initialisation: the cell's ``init_params`` (for the RNN ``W_xh ~ N(0, 1/D)`` and an
    orthogonal ``W_hh``), ``W_hy ~ N(0, 1/H)``, ``b_y = 0``, ``W_embed ~ N(0, 1)``.
    The state passed between chunks is the cell's: an array (N, H), or for the LSTM a
    tuple ``(h, c)``. Taught in ``notebooks/01_rnn_from_scratch.ipynb``.

    Examples
    --------
    >>> model = RNNModel(4, 8, 4, rng=0)
    >>> sorted(model.params)
    ['W_hh', 'W_hy', 'W_xh', 'b_h', 'b_y']
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *,
                 vocab_size: int | None = None, cell: str = "rnn", head: str = "every",
                 nonlinearity: str = "tanh", loss: str = "cross_entropy", dtype=np.float64, rng=None):
        for name, value in [("input_size", input_size), ("hidden_size", hidden_size),
                            ("output_size", output_size)]:
            check_positive(name, value, integer=True)
        if vocab_size is not None:
            check_positive("vocab_size", vocab_size, integer=True)
        self.cell = get_cell(cell)
        check_nonlinearity(nonlinearity)
        if cell != "rnn" and nonlinearity != "tanh":
            raise ValueError(f"nonlinearity applies only to cell='rnn', got cell={cell!r} with {nonlinearity!r}")
        check_choice("head", head, HEADS)
        check_choice("loss", loss, LOSSES)
        dtype = as_float_dtype(dtype)
        # plain ints, so that sizes taken from NumPy (ids.max() + 1) still save as JSON
        self.input_size, self.hidden_size, self.output_size = int(input_size), int(hidden_size), int(output_size)
        self.vocab_size = None if vocab_size is None else int(vocab_size)
        self.head, self.nonlinearity, self.loss, self.dtype = head, nonlinearity, loss, dtype
        self.params = self._init_params(as_rng(rng))
        self._workspace = {}  # scratch arrays reused by loss_and_grads and run (see rnn_kit.workspace)

    def _init_params(self, rng):
        D, H, O, dt = self.input_size, self.hidden_size, self.output_size, self.dtype
        params = {}
        if self.vocab_size is not None:
            params["W_embed"] = rng.standard_normal((self.vocab_size, D)).astype(dt)  # (V, D)
        params.update(self.cell.init_params(D, H, rng, dt))
        params["W_hy"] = (rng.standard_normal((H, O)) / np.sqrt(H)).astype(dt)  # (H, O)
        params["b_y"] = np.zeros(O, dtype=dt)
        return params

    @property
    def config(self) -> dict:
        """Constructor arguments, enough to rebuild the model (see ``checkpoint.py``)."""
        return {"input_size": self.input_size, "hidden_size": self.hidden_size,
                "output_size": self.output_size, "vocab_size": self.vocab_size,
                "cell": self.cell.NAME, "head": self.head,
                "nonlinearity": self.nonlinearity, "loss": self.loss, "dtype": self.dtype.name}

    @property
    def cell_options(self) -> dict:
        """Keyword arguments of the cell's ``recurrence_forward`` (the RNN's nonlinearity)."""
        return {"nonlinearity": self.nonlinearity} if self.cell.NAME == "rnn" else {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"RNNModel({args})"

    # ------------------------------------------------------------ checking inputs

    def _check_inputs(self, inputs):
        if self.vocab_size is not None:
            ids = as_int_array("inputs", inputs, 0, self.vocab_size, ndim=2)
            check_nonempty("inputs", ids, axis=1)
            check_nonempty("inputs", ids, axis=0, what="sequences")
            return ids
        x = as_float_array("inputs", inputs, ndim=3)
        if x.shape[2] != self.input_size:
            raise ValueError(f"inputs must have shape (N, T, D) with D={self.input_size}, got {x.shape}")
        check_nonempty("inputs", x, axis=1)
        check_nonempty("inputs", x, axis=0, what="sequences")
        return x.astype(self.dtype, copy=False)

    def _check_state(self, state, N):
        if state is None:
            return self.cell.zero_state(N, self.hidden_size, self.dtype)
        return self.cell.check_state("state0", state, N, self.hidden_size, self.dtype)

    def _check_lengths(self, lengths, N, T):
        if lengths is None:
            return None
        if self.head != "last":
            raise ValueError("lengths needs head='last'; for head='every' mask the padded steps with mask=")
        lengths = as_int_array("lengths", lengths, 1, T + 1, ndim=1)
        if lengths.shape != (N,):
            raise ValueError(f"lengths must have shape (N,) = ({N},), one per sequence, got {lengths.shape}")
        return lengths

    # ------------------------------------------------------------ forward and backward

    def _forward(self, inputs, state0, lengths=None, workspace=None):
        p = self.params
        inputs = inputs.T if self.vocab_size is not None else inputs.transpose(1, 0, 2)  # time-major views
        if self.vocab_size is None:
            xw, in_cache = layers.temporal_affine_forward(inputs, p["W_xh"], p["b_h"])  # (T, N, G)
        else:
            xw, in_cache = layers.embedding_projection_forward(inputs, p["W_embed"], p["W_xh"], p["b_h"])
        h, state, cell_cache = self.cell.recurrence_forward(xw, state0, p, workspace=workspace,
                                                            **self.cell_options)  # (T, N, H)
        if self.head == "every":
            y, out_cache = layers.temporal_affine_forward(h, p["W_hy"], p["b_y"])  # (T, N, O)
            y, last_cache = y.transpose(1, 0, 2), None  # (N, T, O), a view
        else:
            h_last, last_cache = layers.last_step_forward(h.transpose(1, 0, 2), lengths)  # (N, H)
            y, out_cache = layers.temporal_affine_forward(h_last[None], p["W_hy"], p["b_y"])  # (1, N, O)
            y = y[0]  # (N, O)
        return y, h.transpose(1, 0, 2), state, (in_cache, cell_cache, last_cache, out_cache)

    def _backward(self, dy, caches):
        in_cache, cell_cache, last_cache, out_cache = caches
        grads = {}
        if self.head == "every":  # dy (N, T, O) -> time-major (T, N, O), a view
            dh, grads["W_hy"], grads["b_y"] = layers.temporal_affine_backward(dy.transpose(1, 0, 2), out_cache)
        else:
            dh_last, grads["W_hy"], grads["b_y"] = layers.temporal_affine_backward(dy[None], out_cache)
            dh = layers.last_step_backward(dh_last[0], last_cache).transpose(1, 0, 2)  # (T, N, H)
        dxw, _, cell_grads = self.cell.recurrence_backward(dh, cell_cache)
        grads.update(cell_grads)
        if self.vocab_size is None:
            # the inputs are data: no gradient for them, which saves a product as large as the projection
            _, grads["W_xh"], grads["b_h"] = layers.temporal_affine_backward(dxw, in_cache, input_grad=False)
        else:
            grads["W_embed"], grads["W_xh"], grads["b_h"] = layers.embedding_projection_backward(dxw, in_cache)
        return {k: grads[k].astype(self.dtype, copy=False) for k in self.params}

    def forward(self, inputs, state0=None, lengths=None):
        """Outputs and hidden states for a batch of sequences.

        Parameters
        ----------
        inputs : ndarray of shape (N, T, D), or int ids (N, T) with ``vocab_size``
        state0 : initial state, optional (zeros)
            (N, H) for the RNN and GRU, a tuple ``(h0, c0)`` for the LSTM.
        lengths : ndarray of int, shape (N,), optional
            With ``head="last"``: real steps of each right-padded row.

        Returns
        -------
        y : ndarray of shape (N, T, O) (``head="every"``) or (N, O) (``head="last"``)
            Logits (``cross_entropy``) or predicted values (``mse``).
        h : ndarray of shape (N, T, H)
            Hidden state at every step.
        """
        inputs = self._check_inputs(inputs)
        N, T = inputs.shape[:2]
        lengths = self._check_lengths(lengths, N, T)
        y, h, _, _ = self._forward(inputs, self._check_state(state0, N), lengths)
        return y, h

    def run(self, inputs, state0=None):
        """Outputs and the final state: feed a long stream chunk by chunk, carrying the state.

        Returns
        -------
        y : ndarray of shape (N, T, O) or (N, O)
        state : the state after the last step, to pass as ``state0`` with the next chunk
        """
        inputs = self._check_inputs(inputs)
        y, _, state, _ = self._forward(inputs, self._check_state(state0, inputs.shape[0]), workspace=self._workspace)
        return y, state

    def predict(self, inputs, state0=None, lengths=None):
        """Class ids ((N, T) or (N,)) for ``cross_entropy``; values ((N, T, O) or (N, O)) for ``mse``."""
        y, _ = self.forward(inputs, state0, lengths)
        return y.argmax(axis=-1) if self.loss == "cross_entropy" else y

    def _loss(self, y, targets, mask):
        if self.loss == "cross_entropy":
            return softmax_cross_entropy(y, targets, mask)
        if mask is not None:
            raise ValueError("mask is only supported with loss='cross_entropy'")
        targets = as_float_array("targets", targets)
        if targets.shape != y.shape:
            want = "(N, T, O)" if self.head == "every" else "(N, O)"
            raise ValueError(f"targets must have shape {want} = {y.shape} for head={self.head!r}, got {targets.shape}")
        return mse_loss(y, targets.astype(self.dtype, copy=False))

    def loss_and_grads(self, inputs, targets, state0=None, mask=None, lengths=None):
        """Loss, gradient of every parameter, and the final state.

        Parameters
        ----------
        inputs, state0, lengths
            As for ``forward``; pass the previous chunk's final state as ``state0`` for truncated BPTT.
        targets : ndarray
            ``head="every"``: int ids (N, T) for ``cross_entropy``, floats (N, T, O) for ``mse``.
            ``head="last"``: int ids (N,) or floats (N, O).
        mask : ndarray of shape (N, T), optional
            With ``head="every"``: positions that count in the cross-entropy mean.

        Returns
        -------
        loss : float
        grads : dict
            Same keys, shapes and dtype as ``params``.
        state : the state after the last column
            (N, H), or ``(h, c)`` for the LSTM; with ``lengths`` it has also read the padding.
        """
        inputs = self._check_inputs(inputs)
        N, T = inputs.shape[:2]
        lengths = self._check_lengths(lengths, N, T)
        if mask is not None and self.head != "every":
            raise ValueError("mask needs head='every'; for head='last' give lengths=")
        y, _, state, caches = self._forward(inputs, self._check_state(state0, N), lengths, self._workspace)
        loss, dy = self._loss(y, targets, mask)
        return loss, self._backward(dy, caches), state

    # ------------------------------------------------------------ generation

    def sample(self, prime, n: int, temperature: float = 1.0, rng=None) -> np.ndarray:
        """Generate ``n`` ids after reading the **whole** ``prime``; see ``rnn_kit.sampling.sample``."""
        from .sampling import sample

        return sample(self, prime, n, temperature=temperature, rng=rng)
