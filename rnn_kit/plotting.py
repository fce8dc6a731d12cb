"""Plot helpers for the notebooks. Each takes ``ax=None`` and returns the axes it drew on."""

from __future__ import annotations

import numpy as np


def _axes(ax, figsize=(6, 3.5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_losses(history: dict, ax=None, *, title: str | None = None, logy: bool = True, xlabel: str = "step"):
    """One line per entry of ``history`` (e.g. ``{"train": [...], "validation": [...]}``)."""
    ax = _axes(ax)
    for label, values in history.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    if title:
        ax.set_title(title)
    if len(history) > 1:
        ax.legend()
    return ax


def plot_hidden_states(h, labels=None, ax=None, *, title: str | None = None, vmax: float = 1.0):
    """Heatmap of hidden states: units down, time steps across.

    Parameters
    ----------
    h : ndarray of shape (T, H)
        One sequence's hidden states (``h[0]`` of a batch).
    labels : sequence of str, optional
        What the network read at each step, shown under the columns.
    """
    h = np.asarray(h)
    if h.ndim != 2:
        raise ValueError(f"h must have shape (T, H), got {h.shape}")
    ax = _axes(ax, figsize=(max(4.5, 1 + 0.5 * h.shape[0]), max(3.0, 0.5 + 0.22 * h.shape[1])))
    image = ax.imshow(h.T, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
    ax.figure.colorbar(image, ax=ax, fraction=0.05)
    ax.set_xlabel("time step (input read)")
    ax.set_ylabel("hidden unit")
    if labels is not None:
        ax.set_xticks(np.arange(len(labels)), [repr(c)[1:-1] for c in labels])
    if title:
        ax.set_title(title)
    return ax


def plot_forecast(t, truth, predictions: dict, ax=None, *, title: str | None = None, start=None):
    """The true series and one or more forecasts on the same time axis.

    ``predictions`` maps a label to ``(t_pred, values)``, so each forecast is drawn at
    the times it predicts (not shifted by the window length). ``start`` marks where
    the forecast begins with a vertical line.
    """
    ax = _axes(ax, figsize=(8, 3.5))
    ax.plot(t, truth, color="0.6", lw=1, label="truth")
    for label, (t_pred, values) in predictions.items():
        ax.plot(t_pred, values, lw=1.5, label=label)
    if start is not None:
        ax.axvline(start, color="k", ls=":", lw=1)
    ax.set_xlabel("time")
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax
