"""Plot helpers for the notebooks. Each takes ``ax=None`` and returns the axes it drew on.

Every axis gets a label (with units where there are any), and legends sit where they hide
no data: outside the axes when there is more than one line.
"""

from __future__ import annotations

import numpy as np


def _axes(ax, figsize=(6, 3.5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def _readable_log_axis(axis, low, high):
    """Label a log axis as plain numbers (0.02, not 2x10^-2): at 1, 2 and 5 times each power of ten
    when the data [low, high] spans at most two of them, else at each power of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    subs = (1.0, 2.0, 5.0) if np.log10(high / low) <= 2 else (1.0,)
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def _legend_outside(ax):
    """A legend to the right of the axes, where it covers no line."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)


def plot_losses(history: dict, ax=None, *, title: str | None = None, logy: bool = True, xlabel: str = "step",
                ylabel: str = "loss", floor: float | None = None, floor_label: str = "noise floor",
                floors: dict | None = None, mark: int | None = None, mark_label: str = "best"):
    """One line per entry of ``history`` (e.g. ``{"train": [...], "validation": [...]}``).

    Parameters
    ----------
    history : dict of str -> sequence of float
        Entry i of each sequence is drawn at x = i + 1 (the step or epoch after which it was measured).
    logy : bool
        A log y axis when the values span more than a factor of 10 (labelled at 1, 2 and 5 times
        each power of ten, and " (log scale)" added to ``ylabel``); over a narrower range a log
        axis would show one or two labels, so the axis stays linear.
    xlabel, ylabel : str
        Axis labels; say what the loss is and in which units (e.g. "cross-entropy (nats)").
    floor : float, optional
        Draw the lowest loss any model can reach (e.g. the noise variance) as a dotted black line.
    floors : dict of str -> float, optional
        One floor per curve (e.g. the noise of the training and of the validation part), each
        drawn dotted in the colour of the ``history`` entry of the same name.
    mark : int, optional
        Draw a dashed vertical line at this step or epoch (e.g. the restored best epoch).
    """
    ax = _axes(ax)
    colours = {}
    for label, values in history.items():
        colours[label] = ax.plot(np.arange(1, len(values) + 1), values, label=label)[0].get_color()
    if floor is not None:
        ax.axhline(floor, color="k", ls=":", lw=1, label=floor_label)
    for label, value in (floors or {}).items():
        ax.axhline(value, color=colours.get(label, "k"), ls=":", lw=1.2, label=f"{floor_label} ({label})")
    if mark is not None:
        ax.axvline(mark, color="k", ls="--", lw=1, label=mark_label)
    extra = [floor] if floor is not None else []
    every_value = np.concatenate([np.ravel(v) for v in history.values()] + [list((floors or {}).values()) + extra])
    log_axis = bool(logy and every_value.min() > 0 and every_value.max() > 10 * every_value.min())
    if log_axis:
        ax.set_yscale("log")
        _readable_log_axis(ax.yaxis, every_value.min(), every_value.max())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"{ylabel} (log scale)" if log_axis else ylabel)
    if title:
        ax.set_title(title)
    if len(history) + (floor is not None) + len(floors or {}) + (mark is not None) > 1:
        _legend_outside(ax)
    return ax


def plot_hidden_states(h, labels=None, ax=None, *, title: str | None = None, vmax: float = 1.0,
                       colorbar_label: str = "unit value $h_t$ (tanh: -1 to 1)"):
    """Heatmap of hidden states: units down, time steps across.

    Parameters
    ----------
    h : ndarray of shape (T, H)
        One sequence's hidden states (``h[0]`` of a batch).
    labels : sequence of str, optional
        What the network read at each step, shown under the columns.
    colorbar_label : str
        What the colours mean.
    """
    h = np.asarray(h)
    if h.ndim != 2:
        raise ValueError(f"h must have shape (T, H), got {h.shape}")
    ax = _axes(ax, figsize=(max(4.5, 1 + 0.5 * h.shape[0]), max(3.0, 0.5 + 0.22 * h.shape[1])))
    image = ax.imshow(h.T, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
    colorbar = ax.figure.colorbar(image, ax=ax, fraction=0.05)
    colorbar.set_label(colorbar_label)
    ax.set_xlabel("time step (input read)")
    ax.set_ylabel("hidden unit")
    if labels is not None:
        ax.set_xticks(np.arange(len(labels)), [repr(c)[1:-1] for c in labels])
    if title:
        ax.set_title(title)
    return ax


def plot_forecast(t, truth, predictions: dict, ax=None, *, title: str | None = None, start=None,
                  start_label: str | None = None, truth_label: str = "truth", xlabel: str = "time",
                  ylabel: str = "value"):
    """The true series and one or more forecasts on the same time axis.

    ``predictions`` maps a label to ``(t_pred, values)``, or ``(t_pred, values, style)`` with
    ``style`` a dict of line options (``{"ls": "--"}``), so each forecast is drawn at the times
    it predicts (not shifted by the window length). ``start`` marks where the forecast begins
    with a vertical line, named in the legend by ``start_label``.
    """
    ax = _axes(ax, figsize=(8, 3.5))
    ax.plot(t, truth, color="0.6", lw=1, label=truth_label)
    for label, (t_pred, values, *style) in predictions.items():
        ax.plot(t_pred, values, **{"lw": 1.5, "label": label, **(style[0] if style else {})})
    if start is not None:
        ax.axvline(start, color="k", ls=":", lw=1, label=start_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _legend_outside(ax)
    if title:
        ax.set_title(title)
    return ax


def plot_heatmap(values, row_labels, col_labels, ax=None, *, xlabel: str, ylabel: str, colorbar_label: str,
                 title: str | None = None, vmax: float | None = None, fmt: str = "{:.2f}", cmap: str = "viridis_r"):
    """A table of numbers as coloured cells, each number written in its cell (e.g. a hyperparameter grid).

    Parameters
    ----------
    values : ndarray of shape (R, C)
        Row r is drawn at height r (first row on top), column c at c.
    row_labels, col_labels : sequence of str
        Tick labels, R and C of them.
    xlabel, ylabel, colorbar_label : str
        What the columns, the rows and the colours mean (with units).
    vmax : float, optional
        Top of the colour scale: larger values get its colour and the label ``> vmax``, formatted
        with ``fmt`` (so one diverged run does not wash out the others).
    fmt : str
        Format of the numbers written in the cells.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape != (len(row_labels), len(col_labels)):
        raise ValueError(f"values must have shape (rows, columns) = ({len(row_labels)}, {len(col_labels)}), "
                         f"got {values.shape}")
    ax = _axes(ax, figsize=(1.2 + 1.1 * values.shape[1], 0.9 + 0.55 * values.shape[0]))
    top = np.nanmax(values) if vmax is None else vmax
    image = ax.imshow(np.minimum(values, top), cmap=cmap, vmax=top, aspect="auto")
    ax.figure.colorbar(image, ax=ax, label=colorbar_label)
    low = np.nanmin(values)
    for (r, c), v in np.ndenumerate(values):
        high = (min(v, top) - low) / max(top - low, 1e-12) > 0.5
        dark = high == cmap.endswith("_r")  # a reversed map draws high values dark, the others low ones
        ax.text(c, r, "> " + fmt.format(top) if v > top else fmt.format(v), ha="center", va="center",
                color="white" if dark else "black", fontsize=9)
    ax.set_xticks(np.arange(len(col_labels)), col_labels)
    ax.set_yticks(np.arange(len(row_labels)), row_labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_confusion_matrix(counts, classes, ax=None, *, title: str | None = None):
    """Heatmap of a confusion matrix normalised by row (each true class sums to 1), with the counts written in.

    Parameters
    ----------
    counts : ndarray of int, shape (C, C)
        ``counts[i, j]``: examples of class i predicted as j (``rnn_kit.classify.confusion_matrix``).
    classes : sequence of str
        The C class names.
    """
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(classes):
        raise ValueError(f"counts must have shape (C, C) with C = len(classes) = {len(classes)}, got {counts.shape}")
    C = len(classes)
    ax = _axes(ax, figsize=(1.5 + 0.6 * C, 1 + 0.55 * C))
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)  # (C, C): each row sums to 1
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, label="share of the true class")
    for i in range(C):
        for j in range(C):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize="small",
                        color="white" if share[i, j] > 0.5 else "black")
    ax.set_xticks(np.arange(C), classes, rotation=45, ha="right")
    ax.set_yticks(np.arange(C), classes)
    ax.set_xlabel("predicted language")
    ax.set_ylabel("true language")
    if title:
        ax.set_title(title)
    return ax
