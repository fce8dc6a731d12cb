"""torch_train.py: early stopping with the best checkpoint, prediction, closed-loop rollouts."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rnn_kit.data import make_windows, sine_wave  # noqa: E402
from rnn_kit.torch.data import make_loader  # noqa: E402
from rnn_kit.torch.models import Forecaster, to_numpy  # noqa: E402
from rnn_kit.torch.train import fit, predict, rollout  # noqa: E402


def _sine_loaders():
    X, y = make_windows(sine_wave(400)[1], window=10)
    return make_loader(X[:300], y[:300], batch_size=32, shuffle=True), make_loader(X[300:], y[300:]), X, y


def test_fit_restores_the_best_checkpoint_not_the_last():
    torch.manual_seed(0)
    model = Forecaster(1, 8, 1)
    train, val, X, y = _sine_loaders()
    history = fit(model, train, val, epochs=6, lr=0.2)  # a large lr makes the validation loss bounce
    best = int(np.argmin(history["validation"])) + 1
    assert history["best_epoch"] == best and history["best_validation"] == min(history["validation"])
    restored = np.mean((predict(model, X[300:]) - y[300:]) ** 2)
    assert restored == pytest.approx(history["best_validation"], rel=1e-5)


def test_fit_stops_early_and_learns():
    torch.manual_seed(0)
    model = Forecaster(1, 16, 1)
    train, val, _, _ = _sine_loaders()
    history = fit(model, train, val, epochs=200, lr=1e-2, patience=3)
    assert len(history["validation"]) < 200
    assert history["best_validation"] < 0.01 * history["validation"][0] + 1e-3


@pytest.mark.parametrize("shape", [(10,), (10, 1), (1, 10, 1), (4, 10, 1)])
def test_rollout_works_at_every_batch_size_including_one(shape):
    torch.manual_seed(0)
    model = Forecaster(1, 8, 1)
    window = np.sin(np.arange(np.prod(shape)) * 0.1).reshape(shape)
    out = rollout(model, window, steps=7)
    expected = {1: (7,), 2: (7, 1), 3: (shape[0], 7, 1)}[len(shape)]
    assert out.shape == expected and np.all(np.isfinite(out))


def test_rollout_feeds_predictions_back():
    torch.manual_seed(0)
    model = Forecaster(1, 8, 1)
    window = np.linspace(0, 1, 10)
    out = rollout(model, window, steps=3)
    manual, w = [], window.copy()
    for _ in range(3):
        nxt = predict(model, w[None, :, None])[0, 0]
        manual.append(nxt)
        w = np.append(w[1:], nxt)
    np.testing.assert_allclose(out, manual, rtol=1e-5, atol=1e-6)


def test_forecaster_matches_its_numpy_twin():
    torch.manual_seed(0)
    model = Forecaster(2, 8, 1).double()
    x = np.random.default_rng(0).standard_normal((3, 12, 2))
    twin = to_numpy(model, loss="mse")
    assert twin.head == "last"
    np.testing.assert_allclose(twin.forward(x)[0], model(torch.as_tensor(x)).detach().numpy(), atol=1e-12)


def test_rollout_and_fit_reject_bad_input():
    model = Forecaster(1, 4, 2)
    with pytest.raises(ValueError, match=r"the model must predict 1 value\(s\) per step, got output shape \(1, 2\)"):
        rollout(model, np.zeros(5), steps=2)
    with pytest.raises(ValueError, match=r"steps must be > 0, got 0"):
        rollout(Forecaster(1, 4, 1), np.zeros(5), steps=0)
    with pytest.raises(ValueError, match=r"window must be finite"):
        rollout(Forecaster(1, 4, 1), np.array([0.0, np.nan]), steps=1)
    with pytest.raises(ValueError, match=r"x must be a tensor of shape \(N, T, F\), got \(5,\)"):
        Forecaster(1, 4, 1)(torch.zeros(5))
    train, val, _, _ = _sine_loaders()
    with pytest.raises(ValueError, match=r"patience must be > 0, got 0"):
        fit(Forecaster(1, 4, 1), train, val, epochs=1, patience=0)
