"""training.fit, notebook.setup and the plot helpers."""

import numpy as np
import pytest

from rnn_kit import RNNModel
from rnn_kit.notebook import save_figure, setup
from rnn_kit.training import fit_batch


def test_fit_learns_a_pattern_and_repeats_exactly():
    ids = np.array([[0, 1, 2, 0, 1, 2, 0, 1]])
    runs = []
    for _ in range(2):
        model = RNNModel(3, 8, 3, vocab_size=3, rng=0)
        runs.append(fit_batch(model, ids[:, :-1], ids[:, 1:], steps=60, lr=0.05))
        assert (model.predict(ids[:, :-1]) == ids[:, 1:]).all()
    assert runs[0] == runs[1] and runs[0][-1] < 0.1 * runs[0][0]


@pytest.mark.parametrize("optimizer", ["adam", "adagrad", "sgd"])
def test_fit_with_each_optimizer_lowers_the_loss(optimizer):
    model = RNNModel(1, 8, 1, loss="mse", rng=0)
    x = np.sin(np.linspace(0, 6, 21))[None, :, None]
    losses = fit_batch(model, x[:, :-1], x[:, 1:], steps=40, lr=0.05, optimizer=optimizer, max_norm=None)
    assert losses[-1] < losses[0]


def test_fit_rejects_bad_arguments():
    model = RNNModel(1, 2, 1, loss="mse", rng=0)
    with pytest.raises(ValueError, match=r"optimizer must be one of \('adam', 'adagrad', 'sgd'\), got 'lbfgs'"):
        fit_batch(model, np.zeros((1, 2, 1)), np.zeros((1, 2, 1)), steps=1, optimizer="lbfgs")
    with pytest.raises(ValueError, match=r"steps must be > 0, got 0"):
        fit_batch(model, np.zeros((1, 2, 1)), np.zeros((1, 2, 1)), steps=0)


def test_setup_seeds_numpy_and_torch():
    a = setup(3).rng.standard_normal(3)
    np.testing.assert_array_equal(a, setup(3).rng.standard_normal(3))
    torch = pytest.importorskip("torch")
    s = setup(5, use_torch=True)
    first = torch.rand(2)
    setup(5, use_torch=True)
    assert torch.equal(first, torch.rand(2)) and s.device in ("cpu", "cuda")


def test_plot_helpers_return_axes_and_save_figures(tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from rnn_kit.plotting import plot_forecast, plot_hidden_states, plot_losses

    ax = plot_losses({"train": [3, 2, 1], "validation": [3, 2.5, 2]})
    assert len(ax.lines) == 2
    ax = plot_hidden_states(np.zeros((4, 3)), labels="hell")
    assert [t.get_text() for t in ax.get_xticklabels()] == list("hell")
    with pytest.raises(ValueError, match=r"h must have shape \(T, H\), got \(4,\)"):
        plot_hidden_states(np.zeros(4))
    ax = plot_forecast(np.arange(5), np.arange(5), {"model": (np.arange(3, 5), [3, 4])}, start=3)
    assert len(ax.lines) == 3
    (tmp_path / "assets").mkdir()
    (tmp_path / "rnn_kit").mkdir()
    monkeypatch.chdir(tmp_path)
    save_figure(ax.figure, "x.png")
    path = tmp_path / "assets" / "x.png"
    first = path.read_bytes()
    save_figure(ax.figure, "x.png")
    assert path.read_bytes() == first  # same figure, same bytes
