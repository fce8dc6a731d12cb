"""torch_data.py: arrays to seeded DataLoaders."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from rnn_kit.data import make_windows, sine_wave  # noqa: E402
from rnn_kit.torch.data import make_loader, to_tensor  # noqa: E402


def test_loader_shapes_dtypes_and_seeded_shuffle():
    X, y = make_windows(sine_wave(200)[1], window=20)
    loader = make_loader(X, y, batch_size=32, shuffle=True, seed=5)
    xb, yb = next(iter(loader))
    assert tuple(xb.shape) == (32, 20, 1) and tuple(yb.shape) == (32, 1) and xb.dtype == torch.float32
    torch.manual_seed(123)  # the global generator does not change the order
    again = next(iter(make_loader(X, y, batch_size=32, shuffle=True, seed=5)))[0]
    assert torch.equal(xb, again)
    assert sum(len(b[0]) for b in loader) == len(X)


def test_integer_arrays_become_long_tensors():
    assert to_tensor(np.array([1, 2])).dtype == torch.int64


def test_loader_rejects_mismatched_arrays():
    with pytest.raises(ValueError, match=r"arrays must have the same first dimension, got \[3, 4\]"):
        make_loader(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="make_loader needs at least one array"):
        make_loader()
