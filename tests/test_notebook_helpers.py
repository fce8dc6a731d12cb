"""notebook.py: the Setup step and figure saving."""

import numpy as np
import pytest

from rnn_kit.notebook import save_figure, setup


def test_setup_seeds_numpy_and_torch():
    a = setup(3).rng.standard_normal(3)
    np.testing.assert_array_equal(a, setup(3).rng.standard_normal(3))
    torch = pytest.importorskip("torch")
    s = setup(5, use_torch=True)
    first = torch.rand(2)
    setup(5, use_torch=True)
    assert torch.equal(first, torch.rand(2)) and s.device in ("cpu", "cuda")


def test_figures_are_written_only_when_regenerating_and_byte_reproducible(tmp_path, monkeypatch):
    """A test run or a learner never rewrites assets/; scripts/run_notebooks.py sets RNN_KIT_WRITE_ASSETS=1."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    (tmp_path / "assets").mkdir()
    (tmp_path / "rnn_kit").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RNN_KIT_WRITE_ASSETS", raising=False)
    save_figure(fig, "x.png")
    path = tmp_path / "assets" / "x.png"
    assert not path.exists()
    monkeypatch.setenv("RNN_KIT_WRITE_ASSETS", "1")
    save_figure(fig, "x.png")
    first = path.read_bytes()
    save_figure(fig, "x.png")
    assert path.read_bytes() == first  # same figure, same bytes
