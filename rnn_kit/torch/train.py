"""Training, prediction and closed-loop forecasting for PyTorch sequence regressors."""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from .._checks import as_float_array, check_positive


def _batch_loss(model, xb, yb, loss_fn):
    """The loss of one batch, after checking what the model returned against the targets."""
    pred = model(xb)
    if not isinstance(pred, torch.Tensor):
        raise TypeError(f"the model must return one tensor of predictions, got {type(pred).__name__}; a "
                        f"SequenceModel returns (outputs, state): use Forecaster, or wrap it")
    if pred.shape != yb.shape:
        raise ValueError(f"predictions have shape {tuple(pred.shape)} but targets {tuple(yb.shape)}: they must "
                         f"match (e.g. targets (N, 1) for one value per window), or the loss silently broadcasts")
    return loss_fn(pred, yb)


def _check_loader(name: str, loader) -> None:
    if not isinstance(loader, DataLoader):
        raise TypeError(f"{name} must be a torch DataLoader (see rnn_kit.torch.data.make_loader), "
                        f"got {type(loader).__name__}")
    if len(loader.dataset) == 0:
        raise ValueError(f"{name} holds no examples: its dataset is empty")


def evaluate(model: nn.Module, loader: DataLoader, loss_fn=None, device="cpu") -> float:
    """Mean loss over every example of ``loader`` (weighted by batch size)."""
    _check_loader("loader", loader)
    loss_fn = loss_fn or nn.MSELoss()
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            total += _batch_loss(model, xb, yb, loss_fn).item() * len(xb)
            count += len(xb)
    return total / count


def fit(model: nn.Module, train_loader: DataLoader, val_loader: DataLoader, *, epochs: int, lr: float = 1e-3,
        patience: int | None = None, loss_fn=None, device="cpu") -> dict:
    """Train with Adam, track validation loss, stop early, and restore the best epoch's weights.

    Parameters
    ----------
    model : nn.Module
        Maps a batch of inputs to predictions shaped like the targets.
    train_loader, val_loader : DataLoader
        Yield ``(inputs, targets)``.
    epochs : int
        The most passes over the training data.
    lr : float
    patience : int, optional
        Stop after this many epochs without a new best validation loss.
    loss_fn : callable, optional
        Default ``nn.MSELoss()``.
    device : str or torch.device

    Returns
    -------
    dict
        ``train`` and ``validation``: mean loss per epoch (the training loss of an epoch is
        measured after it, on the whole training set, so both curves mean the same thing);
        ``best_epoch`` (1-based) and ``best_validation``. The model holds the best epoch's
        weights, not the last.
    """
    check_positive("epochs", epochs, integer=True)
    check_positive("lr", lr)
    if patience is not None:
        check_positive("patience", patience, integer=True)
    _check_loader("train_loader", train_loader)
    _check_loader("val_loader", val_loader)
    loss_fn = loss_fn or nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train": [], "validation": [], "best_epoch": 0, "best_validation": math.inf}
    best_state = copy.deepcopy(model.state_dict())
    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = _batch_loss(model, xb.to(device), yb.to(device), loss_fn)
            if not torch.isfinite(loss):
                raise ValueError(f"the training loss became {loss.item()} in epoch {epoch}: check the data for "
                                 f"NaN or inf, or lower the learning rate (lr={lr})")
            loss.backward()
            optimizer.step()
        history["train"].append(evaluate(model, train_loader, loss_fn, device))
        history["validation"].append(evaluate(model, val_loader, loss_fn, device))
        if history["validation"][-1] < history["best_validation"]:
            history["best_epoch"], history["best_validation"] = epoch, history["validation"][-1]
            best_state = copy.deepcopy(model.state_dict())
        elif patience is not None and epoch - history["best_epoch"] >= patience:
            break
    model.load_state_dict(best_state)
    return history


def predict(model: nn.Module, X, device="cpu", batch_size: int = 4096) -> np.ndarray:
    """Predictions of ``model`` for a NumPy array of inputs, as a NumPy array."""
    X = as_float_array("X", X)
    check_positive("batch_size", batch_size, integer=True)
    if len(X) == 0:
        raise ValueError(f"X must hold at least one example, got shape {X.shape}")
    model.eval()
    outs = []
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            xb = torch.as_tensor(X[start : start + batch_size], dtype=torch.float32, device=device)
            outs.append(model(xb).cpu().numpy())
    return np.concatenate(outs)


def rollout(model: nn.Module, window, steps: int, device="cpu") -> np.ndarray:
    """Closed-loop forecast: predict one step, append it to the window, drop the oldest, repeat.

    Parameters
    ----------
    model : nn.Module
        Maps windows (N, T, F) to next values (N, F): what it predicts is fed back as input.
    window : ndarray of shape (T,), (T, F) or (N, T, F)
        The last T observed values. A single window (1-D or 2-D) is batch size 1; the
        batch axis is kept throughout, so it works there too.
    steps : int
        How far ahead to forecast.

    Returns
    -------
    ndarray of shape (steps,) for a (T,) window, (steps, F) for (T, F), (N, steps, F) for (N, T, F).
    """
    check_positive("steps", steps, integer=True)
    window = as_float_array("window", window, ndim=(1, 2, 3))
    x = {1: window[None, :, None], 2: window[None], 3: window}[window.ndim]  # always (N, T, F)
    if x.shape[1] == 0:
        raise ValueError(f"window must hold at least one step, got shape {window.shape}")
    x = torch.as_tensor(x, dtype=torch.float32, device=device)
    model.eval()
    preds = []
    with torch.no_grad():
        for _ in range(steps):
            y = model(x)  # (N, F)
            if y.dim() != 2 or y.shape[1] != x.shape[2]:
                raise ValueError(f"a rollout feeds predictions back as inputs: the model must predict "
                                 f"{x.shape[2]} value(s) per step, got output shape {tuple(y.shape)}")
            preds.append(y)
            x = torch.cat([x[:, 1:], y[:, None, :]], dim=1)  # slide the window by one step
    out = torch.stack(preds, dim=1).cpu().numpy()  # (N, steps, F)
    return out[0, :, 0] if window.ndim == 1 else out[0] if window.ndim == 2 else out
