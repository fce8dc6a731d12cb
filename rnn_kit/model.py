"""A whole network: (embedding) -> RNN -> affine output, with its loss and gradients."""

from __future__ import annotations

import numpy as np

from . import layers
from ._checks import (
    as_float_array,
    as_int_array,
    as_rng,
    check_nonempty,
    check_nonlinearity,
    check_positive,
    check_shape,
)
from .cells import rnn
from .losses import mse_loss, softmax, softmax_cross_entropy

LOSSES = ("cross_entropy", "mse")
DTYPES = (np.float32, np.float64)


def _orthogonal(rng, n, dtype):
    """A random (n, n) orthogonal matrix (QR of a Gaussian, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r))).astype(dtype)


class RNNModel:
    """Vanilla RNN with an output layer, written with ``rnn_kit``'s forward/backward pairs.

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
    nonlinearity : {"tanh", "relu"}
    loss : {"cross_entropy", "mse"}
    dtype : numpy.float32 or numpy.float64
    rng : numpy.random.Generator, int or None
        Seeds the initialisation.

    Notes
    -----
    Initialisation: ``W_xh ~ N(0, 1/D)`` and ``W_hy ~ N(0, 1/H)`` keep each
    pre-activation near unit variance; ``W_hh`` is a random orthogonal matrix, so at
    the start the recurrence neither shrinks nor blows up the hidden state and its
    gradient; biases start at zero; ``W_embed ~ N(0, 1)``. (The ``x 0.01`` scale of
    some tutorials makes every hidden unit nearly 0 and the heatmaps blank.)
    Taught in ``notebooks/01_rnn_from_scratch.ipynb``.

    Examples
    --------
    >>> model = RNNModel(4, 8, 4, rng=0)
    >>> sorted(model.params)
    ['W_hh', 'W_hy', 'W_xh', 'b_h', 'b_y']
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *,
                 vocab_size: int | None = None, nonlinearity: str = "tanh",
                 loss: str = "cross_entropy", dtype=np.float64, rng=None):
        for name, value in [("input_size", input_size), ("hidden_size", hidden_size),
                            ("output_size", output_size)]:
            check_positive(name, value, integer=True)
        if vocab_size is not None:
            check_positive("vocab_size", vocab_size, integer=True)
        check_nonlinearity(nonlinearity)
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if np.dtype(dtype) not in [np.dtype(d) for d in DTYPES]:
            raise TypeError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.vocab_size, self.nonlinearity, self.loss = vocab_size, nonlinearity, loss
        self.dtype = np.dtype(dtype)
        self.params = self._init_params(as_rng(rng))

    def _init_params(self, rng):
        D, H, O, dt = self.input_size, self.hidden_size, self.output_size, self.dtype
        params = {}
        if self.vocab_size is not None:
            params["W_embed"] = rng.standard_normal((self.vocab_size, D)).astype(dt)  # (V, D)
        params["W_xh"] = (rng.standard_normal((D, H)) / np.sqrt(D)).astype(dt)  # (D, H)
        params["W_hh"] = _orthogonal(rng, H, dt)  # (H, H)
        params["b_h"] = np.zeros(H, dtype=dt)
        params["W_hy"] = (rng.standard_normal((H, O)) / np.sqrt(H)).astype(dt)  # (H, O)
        params["b_y"] = np.zeros(O, dtype=dt)
        return params

    @property
    def config(self) -> dict:
        """Constructor arguments, enough to rebuild the model (see ``checkpoint.py``)."""
        return {"input_size": self.input_size, "hidden_size": self.hidden_size,
                "output_size": self.output_size, "vocab_size": self.vocab_size,
                "nonlinearity": self.nonlinearity, "loss": self.loss, "dtype": self.dtype.name}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"RNNModel({args})"

    # ------------------------------------------------------------ checking inputs

    def _check_inputs(self, inputs):
        if self.vocab_size is not None:
            ids = as_int_array("inputs", inputs, 0, self.vocab_size, ndim=2)
            check_nonempty("inputs", ids, axis=1)
            return ids
        x = as_float_array("inputs", inputs, ndim=3)
        check_shape("inputs", x, (None, None, self.input_size), f"(N, T, D) with D={self.input_size}")
        check_nonempty("inputs", x, axis=1)
        return x.astype(self.dtype, copy=False)

    def _check_h0(self, h0, N):
        if h0 is None:
            return np.zeros((N, self.hidden_size), dtype=self.dtype)
        h0 = as_float_array("h0", h0, ndim=2)
        check_shape("h0", h0, (N, self.hidden_size), f"(N, H) = ({N}, {self.hidden_size})")
        return h0.astype(self.dtype, copy=False)

    # ------------------------------------------------------------ forward and backward

    def _forward(self, inputs, h0):
        p = self.params
        if self.vocab_size is None:
            h, cache = rnn._forward(inputs, h0, p["W_xh"], p["W_hh"], p["b_h"], self.nonlinearity)
        else:
            # (E1) then the input term of (R1): W_embed[id] W_xh is row `id` of the (V, H)
            # table W_embed W_xh, so one small product replaces an (N*T, D) @ (D, H) one.
            table = p["W_embed"] @ p["W_xh"]  # (V, D) @ (D, H) -> (V, H)
            xw, embed_cache = layers._embedding_forward(inputs, table)  # (N, T, H)
            xw += p["b_h"]
            h = rnn._recurrence(xw, h0, p["W_hh"], self.nonlinearity)
            cache = (embed_cache, h0, h)
        y, out_cache = layers._affine_forward(h, p["W_hy"], p["b_y"])  # (N, T, O)
        return y, h, (cache, out_cache)

    def _backward(self, dy, caches):
        p, grads = self.params, {}
        cache, out_cache = caches
        dh, grads["W_hy"], grads["b_y"] = layers._affine_backward(dy, out_cache)
        if self.vocab_size is None:
            _, _, grads["W_xh"], grads["W_hh"], grads["b_h"] = rnn._backward(dh, cache)
        else:
            embed_cache, h0, h = cache
            da, _, grads["W_hh"] = rnn._recurrence_backward(dh, h0, h, p["W_hh"], self.nonlinearity)
            G = layers._embedding_backward(da, embed_cache)  # (V, H): da summed per input id
            grads["W_xh"] = p["W_embed"].T @ G  # (D, V) @ (V, H) -> (D, H)
            grads["W_embed"] = G @ p["W_xh"].T  # (V, H) @ (H, D) -> (V, D)
            grads["b_h"] = da.sum(axis=(0, 1))
        return {k: grads[k] for k in self.params}

    def forward(self, inputs, h0=None):
        """Outputs and hidden states for a batch of sequences.

        Parameters
        ----------
        inputs : ndarray of shape (N, T, D), or int ids (N, T) with ``vocab_size``
        h0 : ndarray of shape (N, H), optional (zeros)

        Returns
        -------
        y : ndarray of shape (N, T, O)
            Logits (``cross_entropy``) or predicted values (``mse``) at every step.
        h : ndarray of shape (N, T, H)
            Hidden state at every step.
        """
        inputs = self._check_inputs(inputs)
        y, h, _ = self._forward(inputs, self._check_h0(h0, inputs.shape[0]))
        return y, h

    def predict(self, inputs, h0=None):
        """Class ids (N, T) for ``cross_entropy``; values (N, T, O) for ``mse``."""
        y, _ = self.forward(inputs, h0)
        return y.argmax(axis=-1) if self.loss == "cross_entropy" else y

    def _loss(self, y, targets, mask):
        if self.loss == "cross_entropy":
            return softmax_cross_entropy(y, targets, mask)
        if mask is not None:
            raise ValueError("mask is only supported with loss='cross_entropy'")
        targets = as_float_array("targets", targets)
        N, T, O = y.shape
        if targets.shape == (N, O):  # many-to-one: only the last step is scored
            loss, dlast = mse_loss(y[:, -1], targets)
            dy = np.zeros_like(y)
            dy[:, -1] = dlast
            return loss, dy
        if targets.shape != y.shape:
            raise ValueError(f"targets must have shape (N, T, O) = {y.shape} or (N, O) = {(N, O)}, "
                             f"got {targets.shape}")
        return mse_loss(y, targets)

    def loss_and_grads(self, inputs, targets, h0=None, mask=None):
        """Loss, gradient of every parameter, and the last hidden state.

        Parameters
        ----------
        inputs : ndarray of shape (N, T, D), or int ids (N, T) with ``vocab_size``
        targets : ndarray
            Int ids (N, T) for ``cross_entropy``; floats (N, T, O), or (N, O) to score
            only the last step, for ``mse``.
        h0 : ndarray of shape (N, H), optional
            Pass the previous chunk's ``h_last`` for truncated BPTT.
        mask : ndarray of shape (N, T), optional
            Positions that count in the cross-entropy mean.

        Returns
        -------
        loss : float
        grads : dict
            Same keys and shapes as ``params``.
        h_last : ndarray of shape (N, H)
        """
        inputs = self._check_inputs(inputs)
        y, h, caches = self._forward(inputs, self._check_h0(h0, inputs.shape[0]))
        loss, dy = self._loss(y, targets, mask)
        return loss, self._backward(dy, caches), h[:, -1].copy()

    # ------------------------------------------------------------ generation

    def _encode_step(self, ids):
        """Model input for a batch-1 sequence of ids: the ids, or their one-hot rows."""
        ids = np.asarray(ids, dtype=np.int64)[None, :]  # (1, T)
        if self.vocab_size is not None:
            return ids
        return np.eye(self.input_size, dtype=self.dtype)[ids]  # (1, T, D) one-hot

    def sample(self, prime, n: int, temperature: float = 1.0, rng=None) -> np.ndarray:
        """Generate ``n`` ids after reading the **whole** ``prime``.

        Parameters
        ----------
        prime : sequence of int
            At least one id. All of it is fed through the network before the first
            sample, so the prime shapes what follows.
        n : int
            Number of ids to generate (0 allowed).
        temperature : float > 0
            Divides the logits: < 1 sharpens, > 1 flattens. As it approaches 0,
            sampling becomes argmax (greedy decoding).
        rng : numpy.random.Generator, int or None

        Returns
        -------
        ids : ndarray of int, shape (n,)
        """
        if self.loss != "cross_entropy":
            raise ValueError("sample needs a model with loss='cross_entropy'")
        V = self.vocab_size if self.vocab_size is not None else self.input_size
        if self.output_size != V:
            raise ValueError(f"sample needs outputs that can be fed back: output_size={self.output_size}"
                             f" but the input vocabulary has {V} symbols")
        check_positive("temperature", temperature)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        prime = as_int_array("prime", prime, 0, V, ndim=1)
        if prime.size == 0:
            raise ValueError("prime must hold at least one id, got an empty sequence")
        rng = as_rng(rng)
        y, h, _ = self._forward(self._encode_step(prime), self._check_h0(None, 1))
        out = np.empty(n, dtype=np.int64)
        for i in range(n):
            p = softmax(y[0, -1].astype(np.float64), temperature=temperature)  # (V,)
            cdf = np.cumsum(p)
            out[i] = min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), V - 1)
            y, h, _ = self._forward(self._encode_step(out[i : i + 1]), h[:, -1])
        return out
