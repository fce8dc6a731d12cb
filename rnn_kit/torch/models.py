"""PyTorch models for the same tasks, and exact weight copies to and from ``RNNModel``.

Part of ``rnn_kit.torch``: import it only where PyTorch is installed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .._checks import check_nonlinearity, check_positive
from ..model import RNNModel

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


class SequenceModel(nn.Module):
    """(Embedding) -> RNN/LSTM/GRU -> Linear at every step, batch-first.

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

    Notes
    -----
    ``forward`` returns outputs at every step, ``(N, T, O)``, and the final hidden
    state; a many-to-one model reads ``y[:, -1]``. Taught in
    ``notebooks/02_hello_pytorch.ipynb``.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *, cell: str = "rnn",
                 num_layers: int = 1, nonlinearity: str = "tanh", vocab_size: int | None = None,
                 dropout: float = 0.0):
        super().__init__()
        for name, value in [("input_size", input_size), ("hidden_size", hidden_size),
                            ("output_size", output_size), ("num_layers", num_layers)]:
            check_positive(name, value, integer=True)
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {tuple(CELLS)}, got {cell!r}")
        check_nonlinearity(nonlinearity)
        if cell != "rnn" and nonlinearity != "tanh":
            raise ValueError(f"nonlinearity applies only to cell='rnn', got cell={cell!r}")
        self.cell = cell
        self.embedding = nn.Embedding(vocab_size, input_size) if vocab_size is not None else None
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = CELLS[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True,
                               dropout=dropout, **kwargs)
        self.head = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor, h0=None):
        """``x``: (N, T, D) floats or (N, T) ids -> ``(y (N, T, O), h_n)``."""
        if self.embedding is not None:
            x = self.embedding(x)  # (N, T) -> (N, T, D)
        elif x.dim() != 3:
            raise ValueError(f"x must have shape (N, T, D), got {tuple(x.shape)}")
        out, h_n = self.rnn(x, h0)  # (N, T, H); h_n is (num_layers, N, H)
        return self.head(out), h_n  # (N, T, H) -> (N, T, O)


class Forecaster(SequenceModel):
    """Many-to-one: reads windows (N, T, F) and predicts O values from the last hidden state.

    Same layers and arguments as ``SequenceModel``; ``forward`` returns only ``(N, O)``.
    Taught in ``notebooks/03_time_series.ipynb``.
    """

    def forward(self, x: torch.Tensor, h0=None) -> torch.Tensor:
        """``x``: (N, T, F) -> predictions (N, O)."""
        if x.dim() != 3:
            raise ValueError(f"x must have shape (N, T, F), got {tuple(x.shape)}")
        out, _ = self.rnn(x, h0)  # (N, T, H)
        return self.head(out[:, -1])  # (N, H) -> (N, O)


# ---------------------------------------------------------------- NumPy <-> PyTorch


def to_torch(model: RNNModel) -> SequenceModel:
    """A ``SequenceModel`` computing exactly what ``model`` computes (same dtype).

    ``nn.RNN`` multiplies column vectors (``W_ih x``), rnn_kit row vectors
    (``x W_xh``), so each matrix is transposed; PyTorch's two biases become
    ``b_h`` and zero.
    """
    if not isinstance(model, RNNModel):
        raise TypeError(f"model must be an RNNModel, got {type(model).__name__}")
    tm = SequenceModel(model.input_size, model.hidden_size, model.output_size,
                       nonlinearity=model.nonlinearity, vocab_size=model.vocab_size)
    tm = tm.to(torch.float64 if model.dtype == np.float64 else torch.float32)
    p = model.params
    with torch.no_grad():
        if model.vocab_size is not None:
            tm.embedding.weight.copy_(torch.from_numpy(p["W_embed"]))
        tm.rnn.weight_ih_l0.copy_(torch.from_numpy(p["W_xh"].T))
        tm.rnn.weight_hh_l0.copy_(torch.from_numpy(p["W_hh"].T))
        tm.rnn.bias_ih_l0.copy_(torch.from_numpy(p["b_h"]))
        tm.rnn.bias_hh_l0.zero_()
        tm.head.weight.copy_(torch.from_numpy(p["W_hy"].T))
        tm.head.bias.copy_(torch.from_numpy(p["b_y"]))
    return tm


def to_numpy(tm: SequenceModel, loss: str = "cross_entropy") -> RNNModel:
    """An ``RNNModel`` with the weights of a one-layer ``cell='rnn'`` ``SequenceModel``."""
    if not isinstance(tm, SequenceModel) or tm.cell != "rnn" or tm.rnn.num_layers != 1:
        raise ValueError("to_numpy needs a SequenceModel with cell='rnn' and num_layers=1")
    dtype = np.float64 if tm.head.weight.dtype == torch.float64 else np.float32
    vocab = tm.embedding.num_embeddings if tm.embedding is not None else None
    model = RNNModel(tm.rnn.input_size, tm.rnn.hidden_size, tm.head.out_features,
                     vocab_size=vocab, nonlinearity=tm.rnn.nonlinearity, loss=loss, dtype=dtype, rng=0)

    def arr(t):
        return t.detach().cpu().numpy().astype(dtype)

    if vocab is not None:
        model.params["W_embed"] = arr(tm.embedding.weight)
    model.params.update(W_xh=arr(tm.rnn.weight_ih_l0.T), W_hh=arr(tm.rnn.weight_hh_l0.T),
                        b_h=arr(tm.rnn.bias_ih_l0 + tm.rnn.bias_hh_l0),
                        W_hy=arr(tm.head.weight.T), b_y=arr(tm.head.bias))
    return model


def torch_grads(tm: SequenceModel) -> dict:
    """The gradients of a ``SequenceModel`` under rnn_kit's names and layout.

    ``b_h``'s gradient equals that of either PyTorch bias (they enter as a sum).
    """
    grads = {
        "W_xh": tm.rnn.weight_ih_l0.grad.T, "W_hh": tm.rnn.weight_hh_l0.grad.T,
        "b_h": tm.rnn.bias_ih_l0.grad, "W_hy": tm.head.weight.grad.T, "b_y": tm.head.bias.grad,
    }
    if tm.embedding is not None:
        grads["W_embed"] = tm.embedding.weight.grad
    return {k: v.detach().cpu().numpy() for k, v in grads.items()}
