"""Truncated BPTT in PyTorch, chunk for chunk the same as ``rnn_kit.training.StreamTrainer``.

Used by ``python -m rnn_kit.charlm train --backend torch``: the NumPy model's weights are copied
in (``to_torch``), trained with autograd on the same chunks, and copied back out (``to_numpy``).
"""

from __future__ import annotations

import torch

from .._checks import check_positive
from ..training import StreamTrainer
from . import pick_device
from .models import to_numpy, to_torch

OPTIMIZERS = {"adam": torch.optim.Adam, "adagrad": torch.optim.Adagrad, "sgd": torch.optim.SGD}


class TorchStreamTrainer(StreamTrainer):
    """``StreamTrainer`` with the forward, backward and update done by PyTorch on ``device``.

    The hidden state is carried from chunk to chunk and detached (values kept, graph cut).
    rnn_kit has one bias where PyTorch has two: only ``bias_ih`` trains (except for the GRU,
    whose hidden-side n-gate bias is a parameter of its own), so the model maps back exactly.
    """

    def __init__(self, model, ids, *, batch_size: int, seq_len: int, lr: float = 0.01, optimizer: str = "adam",
                 max_norm: float | None = 5.0, device=None):
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)}, got {optimizer!r}")
        check_positive("lr", lr)
        super().__init__(model, ids, batch_size=batch_size, seq_len=seq_len, lr=lr, optimizer=optimizer,
                         max_norm=max_norm)
        try:
            self.device = pick_device(device)
            self.net = to_torch(model).to(self.device)  # the same initial weights as the NumPy model
        except (RuntimeError, AssertionError) as exc:  # e.g. "cuda" on a machine without CUDA
            raise ValueError(f"device {device!r} cannot be used here: {exc}") from None
        if model.cell.NAME != "gru":
            self.net.rnn.bias_hh_l0.requires_grad_(False)
        else:  # only the n block of bias_hh is b_hn; the r and z blocks stay zero, as b_h holds them
            self.net.rnn.bias_hh_l0.register_hook(lambda g: torch.cat([torch.zeros_like(g[: 2 * model.hidden_size]),
                                                                       g[2 * model.hidden_size :]]))
        self.opt = OPTIMIZERS[optimizer]([p for p in self.net.parameters() if p.requires_grad], lr=lr)

    def step(self) -> float:
        x, y = (torch.as_tensor(a, device=self.device) for a in self.next_chunk())
        logits, state = self.net(x, self.state)  # (N, T, V)
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        self.opt.zero_grad()
        loss.backward()
        if self.max_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), self.max_norm)
        self.opt.step()
        # carry the values, cut the graph: no gradient flows back into the previous chunk
        self.state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        return loss.item()

    def numpy_model(self):
        return to_numpy(self.net)
