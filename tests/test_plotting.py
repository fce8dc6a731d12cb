"""plotting.py: every helper returns its axes and refuses bad input."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from rnn_kit.plotting import plot_forecast, plot_hidden_states, plot_losses  # noqa: E402


def test_plot_helpers_return_axes():
    ax = plot_losses({"train": [3, 2, 1], "validation": [3, 2.5, 2]})
    assert len(ax.lines) == 2
    ax = plot_hidden_states(np.zeros((4, 3)), labels="hell")
    assert [t.get_text() for t in ax.get_xticklabels()] == list("hell")
    with pytest.raises(ValueError, match=r"h must have shape \(T, H\), got \(4,\)"):
        plot_hidden_states(np.zeros(4))
    ax = plot_forecast(np.arange(5), np.arange(5), {"model": (np.arange(3, 5), [3, 4])}, start=3)
    assert len(ax.lines) == 3


def test_plot_losses_says_when_its_axis_is_logarithmic():
    wide = plot_losses({"train": [100.0, 10.0, 1.0]}, ylabel="loss (nats)")
    assert wide.get_yscale() == "log" and wide.get_ylabel() == "loss (nats) (log scale)"
    narrow = plot_losses({"train": [3.0, 2.0, 1.0]}, ylabel="loss (nats)")
    assert narrow.get_yscale() == "linear" and narrow.get_ylabel() == "loss (nats)"
