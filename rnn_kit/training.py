"""A plain full-batch training loop for ``RNNModel``: loss, gradients, clipping, update."""

from __future__ import annotations

from ._checks import check_positive
from .optim import SGD, Adagrad, Adam, clip_grad_norm

OPTIMIZERS = {"adam": Adam, "adagrad": Adagrad, "sgd": SGD}


def fit(model, inputs, targets, *, steps: int, lr: float = 0.01, optimizer: str = "adam",
        max_norm: float | None = 5.0, mask=None) -> list[float]:
    """Train ``model`` on one fixed batch for ``steps`` updates; return the loss before each.

    Parameters
    ----------
    model : RNNModel
    inputs, targets, mask
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
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)}, got {optimizer!r}")
    opt = OPTIMIZERS[optimizer](model.params, lr=lr)
    losses = []
    for _ in range(steps):
        loss, grads, _ = model.loss_and_grads(inputs, targets, mask=mask)
        if max_norm is not None:
            clip_grad_norm(grads, max_norm)
        opt.step(grads)
        losses.append(loss)
    return losses
