"""PyTorch models for the same tasks, and exact weight copies to and from ``RNNModel``.

Part of ``rnn_kit.torch``: import it only where PyTorch is installed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .._checks import check_bool, check_nonlinearity, check_positive
from ..model import RNNModel

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
HEADS = ("every", "last")


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


class SequenceModel(nn.Module):
    """(Embedding) -> RNN/LSTM/GRU -> Linear, batch-first.

    Parameters
    ----------
    input_size : int
        D, features per step (embedding width when ``vocab_size`` is given).
    hidden_size : int
        H.
    output_size : int
        O, outputs per step.
    cell : {"rnn", "lstm", "gru"}
        Swap the recurrent layer with one argument.
    num_layers : int
        Stacked recurrent layers.
    nonlinearity : {"tanh", "relu"}
        Only for ``cell="rnn"``.
    vocab_size : int, optional
        Inputs are int ids (N, T) looked up in an ``nn.Embedding``.
    dropout : float
        Between stacked layers (PyTorch's meaning; needs ``num_layers > 1``).
    head : {"every", "last"}
        As in ``RNNModel``: an output at every step (N, T, O), or one per sequence (N, O) from
        the state after its last real step (``lengths`` for right-padded batches, read with
        ``pack_padded_sequence``). The output layer itself is the ``nn.Linear`` ``self.head``.
    bidirectional : bool
        Each layer also reads the sequence backwards, so every output has 2H features, and so
        does the input of the ``nn.Linear``. With ``head="last"`` they are the forward state
        after the last real step and the backward state after the first step: both have read
        the whole sequence.

    Notes
    -----
    ``forward`` returns the outputs and the final state ``h_n`` (``(h_n, c_n)`` for the LSTM).
    Taught in ``notebooks/02_hello_pytorch.ipynb``; classifying with ``head="last"`` and ``lengths`` in
    ``notebooks/07_classification.ipynb``.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *, cell: str = "rnn",
                 num_layers: int = 1, nonlinearity: str = "tanh", vocab_size: int | None = None,
                 dropout: float = 0.0, head: str = "every", bidirectional: bool = False):
        super().__init__()
        for name, value in [("input_size", input_size), ("hidden_size", hidden_size),
                            ("output_size", output_size), ("num_layers", num_layers)]:
            check_positive(name, value, integer=True)
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {tuple(CELLS)}, got {cell!r}")
        check_nonlinearity(nonlinearity)
        if cell != "rnn" and nonlinearity != "tanh":
            raise ValueError(f"nonlinearity applies only to cell='rnn', got cell={cell!r}")
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {head!r}")
        if vocab_size is not None:
            check_positive("vocab_size", vocab_size, integer=True)
        bidirectional = check_bool("bidirectional", bidirectional)
        self.cell, self.head_mode, self.bidirectional = cell, head, bidirectional
        self.embedding = nn.Embedding(int(vocab_size), int(input_size)) if vocab_size is not None else None
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = CELLS[cell](int(input_size), int(hidden_size), num_layers=int(num_layers), batch_first=True,
                               dropout=dropout, bidirectional=bidirectional, **kwargs)
        directions = 2 if bidirectional else 1
        self.head = nn.Linear(directions * int(hidden_size), int(output_size))  # reads (N, 2H) when bidirectional

    def forward(self, x: torch.Tensor, h0=None, lengths=None):
        """``x``: (N, T, D) floats or (N, T) ids -> ``(y, h_n)``; y is (N, T, O) or, for head="last", (N, O)."""
        check_input(self, x)
        if self.embedding is not None:
            x = self.embedding(x)  # (N, T) -> (N, T, D)
        elif x.dim() != 3:
            raise ValueError(f"x must have shape (N, T, D), got {tuple(x.shape)}")
        if lengths is not None:
            if self.head_mode != "last":
                raise ValueError("lengths needs head='last'")
            packed = nn.utils.rnn.pack_padded_sequence(x, torch.as_tensor(lengths).cpu(), batch_first=True,
                                                       enforce_sorted=False)
            _, h_n = self.rnn(packed, h0)  # h_n: the state after each sequence's last real step
            return self.head(self._top_state(h_n)), h_n
        out, h_n = self.rnn(x, h0)  # (N, T, H); h_n is (num_layers, N, H)
        if self.head_mode == "last":
            top = self._top_state(h_n) if self.bidirectional else out[:, -1]
            return self.head(top), h_n  # (N, H) -> (N, O)
        return self.head(out), h_n  # (N, T, H) -> (N, T, O)

    def _top_state(self, h_n):
        """The top layer's final state (N, H); bidirectional: forward and backward side by side (N, 2H)."""
        h_n = h_n[0] if isinstance(h_n, tuple) else h_n  # the LSTM's (h_n, c_n): keep h_n
        if self.bidirectional:  # h_n is (num_layers * 2, N, H), forward then backward for each layer
            return torch.cat([h_n[-2], h_n[-1]], dim=1)  # (N, 2H)
        return h_n[-1]


def check_input(model: nn.Module, x) -> None:
    """A clear error for what nn.Embedding / nn.RNN would reject with an IndexError or AttributeError."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}; convert with "
                        f"rnn_kit.torch.data.to_tensor(x) (and .to(device))")
    if model.embedding is None:
        return
    if x.dim() != 2 or x.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"x must be integer ids of shape (N, T), got dtype {x.dtype} and shape {tuple(x.shape)}")
    V = model.embedding.num_embeddings
    if x.numel() and (int(x.min()) < 0 or int(x.max()) >= V):
        raise ValueError(f"x must hold ids in [0, {V}) (the vocabulary), got values from {int(x.min())} to "
                         f"{int(x.max())}")


class Forecaster(SequenceModel):
    """Many-to-one: reads windows (N, T, F) and predicts O values from the last hidden state.

    Same layers and arguments as ``SequenceModel`` with ``head="last"``; ``forward`` returns
    only the predictions (N, O). Taught in ``notebooks/03_time_series.ipynb``.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, **kwargs):
        if kwargs.get("vocab_size") is not None:
            raise ValueError("Forecaster reads real-valued windows (N, T, F), so it takes no vocab_size; "
                             "for ids use SequenceModel(vocab_size=...)")
        if kwargs.pop("head", "last") != "last":
            raise ValueError("a Forecaster always reads the last step (head='last')")
        super().__init__(input_size, hidden_size, output_size, head="last", **kwargs)

    def forward(self, x: torch.Tensor, h0=None) -> torch.Tensor:
        """``x``: (N, T, F) -> predictions (N, O)."""
        if not isinstance(x, torch.Tensor) or x.dim() != 3:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a tensor of shape (N, T, F), got {got}")
        return super().forward(x, h0)[0]


# ---------------------------------------------------------------- NumPy <-> PyTorch
# rnn_kit keeps row vectors (x W_xh), PyTorch column vectors (W_ih x): every matrix is transposed.
# The gate columns are in PyTorch's order (LSTM i, f, g, o; GRU r, z, n), so nothing is reordered.
# PyTorch has two biases; rnn_kit one input-side b_h (plus the GRU's hidden-side b_hn, which the
# reset gate multiplies): b_h = bias_ih + bias_hh, except the GRU's n block of bias_hh is b_hn.


def _check_convertible(tm):
    if not isinstance(tm, SequenceModel):
        raise TypeError(f"expected an rnn_kit SequenceModel, got {type(tm).__name__}")
    if tm.rnn.num_layers != 1 or tm.rnn.bidirectional:
        raise ValueError(f"only a one-layer, one-directional model maps onto RNNModel, got "
                         f"num_layers={tm.rnn.num_layers}, bidirectional={tm.rnn.bidirectional}")


def to_torch(model: RNNModel) -> SequenceModel:
    """A ``SequenceModel`` computing exactly what ``model`` computes (same cell, head and dtype)."""
    if not isinstance(model, RNNModel):
        raise TypeError(f"model must be an RNNModel, got {type(model).__name__}")
    if model.cell.NAME not in CELLS:
        raise ValueError(f"no PyTorch layer for cell {model.cell.NAME!r}; known: {tuple(CELLS)}")
    tm = SequenceModel(model.input_size, model.hidden_size, model.output_size, cell=model.cell.NAME,
                       nonlinearity=model.nonlinearity, vocab_size=model.vocab_size, head=model.head)
    tm = tm.to(torch.float64 if model.dtype == np.float64 else torch.float32)
    p, H = model.params, model.hidden_size
    with torch.no_grad():
        if model.vocab_size is not None:
            tm.embedding.weight.copy_(torch.from_numpy(p["W_embed"]))
        tm.rnn.weight_ih_l0.copy_(torch.from_numpy(p["W_xh"].T))
        tm.rnn.weight_hh_l0.copy_(torch.from_numpy(p["W_hh"].T))
        tm.rnn.bias_ih_l0.copy_(torch.from_numpy(p["b_h"]))
        tm.rnn.bias_hh_l0.zero_()
        if model.cell.NAME == "gru":
            tm.rnn.bias_hh_l0[2 * H :].copy_(torch.from_numpy(p["b_hn"]))
        tm.head.weight.copy_(torch.from_numpy(p["W_hy"].T))
        tm.head.bias.copy_(torch.from_numpy(p["b_y"]))
    return tm


def to_numpy(tm: SequenceModel, loss: str = "cross_entropy") -> RNNModel:
    """An ``RNNModel`` with the weights of a one-layer, one-directional ``SequenceModel``."""
    _check_convertible(tm)
    dtype = np.float64 if tm.head.weight.dtype == torch.float64 else np.float32
    vocab = tm.embedding.num_embeddings if tm.embedding is not None else None
    nonlinearity = tm.rnn.nonlinearity if tm.cell == "rnn" else "tanh"
    model = RNNModel(tm.rnn.input_size, tm.rnn.hidden_size, tm.head.out_features, vocab_size=vocab, cell=tm.cell,
                     head=tm.head_mode, nonlinearity=nonlinearity, loss=loss, dtype=dtype, rng=0)

    def arr(t):
        return t.detach().cpu().numpy().astype(dtype)

    H = tm.rnn.hidden_size
    b_hh = tm.rnn.bias_hh_l0.detach().clone()
    if tm.cell == "gru":
        model.params["b_hn"] = arr(b_hh[2 * H :])
        b_hh[2 * H :] = 0  # the n block stays on the hidden side, inside the reset gate
    if vocab is not None:
        model.params["W_embed"] = arr(tm.embedding.weight)
    model.params.update(W_xh=arr(tm.rnn.weight_ih_l0.T), W_hh=arr(tm.rnn.weight_hh_l0.T),
                        b_h=arr(tm.rnn.bias_ih_l0 + b_hh), W_hy=arr(tm.head.weight.T), b_y=arr(tm.head.bias))
    return model


def torch_grads(tm: SequenceModel) -> dict:
    """The gradients of a one-layer ``SequenceModel`` under rnn_kit's names and layout (call after ``backward()``).

    ``b_h``'s gradient is that of ``bias_ih`` (b_h enters exactly where bias_ih does); the GRU's
    ``b_hn`` is the n block of ``bias_hh``'s gradient.
    """
    _check_convertible(tm)
    named = {"W_xh": tm.rnn.weight_ih_l0, "W_hh": tm.rnn.weight_hh_l0, "b_h": tm.rnn.bias_ih_l0,
             "W_hy": tm.head.weight, "b_y": tm.head.bias}
    if tm.embedding is not None:
        named["W_embed"] = tm.embedding.weight
    missing = sorted(k for k, t in named.items() if t.grad is None)
    if missing or (tm.cell == "gru" and tm.rnn.bias_hh_l0.grad is None):
        raise ValueError(f"no gradients yet for {missing or ['b_hn']}: call loss.backward() before torch_grads")
    grads = {k: t.grad.T if k in ("W_xh", "W_hh", "W_hy") else t.grad for k, t in named.items()}
    if tm.cell == "gru":
        grads["b_hn"] = tm.rnn.bias_hh_l0.grad[2 * tm.rnn.hidden_size :]
    return {k: v.detach().cpu().numpy() for k, v in grads.items()}
