"""rnn_kit.torch: every mistake a learner can make ends in a clear ValueError/TypeError raised by rnn_kit."""

import traceback
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from rnn_kit.torch.data import make_loader, to_tensor  # noqa: E402
from rnn_kit.torch.models import Forecaster, SequenceModel, torch_grads  # noqa: E402
from rnn_kit.torch.train import evaluate, fit, predict  # noqa: E402

PACKAGE = Path(__file__).resolve().parents[1] / "rnn_kit"


def raises_clearly(exc_types, words, call):
    """Run ``call``; it must raise one of ``exc_types`` from a frame inside rnn_kit, naming ``words``."""
    with pytest.raises(exc_types) as info:
        call()
    raised_in = Path(traceback.extract_tb(info.value.__traceback__)[-1].filename).resolve()
    assert PACKAGE in raised_in.parents, f"raised from {raised_in}, not from rnn_kit"
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def windows(n=8, T=5, F=1, rng=0):
    r = np.random.default_rng(rng)
    return r.standard_normal((n, T, F)).astype(np.float32), r.standard_normal((n, F)).astype(np.float32)


CASES = {
    "empty loader": (ValueError, ["loader", "empty"],
                     lambda: evaluate(Forecaster(1, 4, 1), make_loader(np.zeros((0, 5, 1)), np.zeros((0, 1))))),
    "not a loader": (TypeError, ["train_loader", "DataLoader"],
                     lambda: fit(Forecaster(1, 4, 1), [(1, 2)], make_loader(*windows()), epochs=1)),
    "predict on zero rows": (ValueError, ["X", "at least one"],
                             lambda: predict(Forecaster(1, 4, 1), np.zeros((0, 5, 1)))),
    "predict with batch_size=0": (ValueError, ["batch_size"],
                                  lambda: predict(Forecaster(1, 4, 1), windows()[0], batch_size=0)),
    "targets (N,) against predictions (N, 1)": (
        ValueError, ["targets", "(8,)", "(8, 1)"],
        lambda: fit(Forecaster(1, 4, 1), make_loader(windows()[0], windows()[1][:, 0]),
                    make_loader(*windows()), epochs=1)),
    "NaN in the training data": (ValueError, ["NaN"], lambda: make_loader(np.full((4, 5, 1), np.nan), np.zeros((4, 1)))),
    "a SequenceModel where a Forecaster is expected": (
        TypeError, ["one tensor", "Forecaster"],
        lambda: fit(SequenceModel(1, 4, 1), make_loader(*windows()), make_loader(*windows()), epochs=1)),
    "a NumPy array passed to a module": (TypeError, ["x", "torch.Tensor", "to_tensor"],
                                         lambda: SequenceModel(1, 4, 1)(np.zeros((2, 5, 1)))),
    "ids outside the vocabulary": (ValueError, ["x", "[0, 5)", "7"],
                                   lambda: SequenceModel(3, 4, 5, vocab_size=5)(torch.tensor([[0, 7]]))),
    "floats where ids are expected": (ValueError, ["x", "integer ids"],
                                      lambda: SequenceModel(3, 4, 5, vocab_size=5)(torch.zeros(2, 3))),
    "torch_grads before backward()": (ValueError, ["backward"], lambda: torch_grads(SequenceModel(1, 4, 1))),
    "torch_grads on a two-layer model": (ValueError, ["one-layer"],
                                         lambda: torch_grads(SequenceModel(1, 4, 1, num_layers=2))),
    "Forecaster with vocab_size": (ValueError, ["vocab_size"], lambda: Forecaster(1, 4, 1, vocab_size=5)),
    "lr=0": (ValueError, ["lr"], lambda: fit(Forecaster(1, 4, 1), make_loader(*windows()),
                                             make_loader(*windows()), epochs=1, lr=0)),
    "make_loader with batch_size=0": (ValueError, ["batch_size"], lambda: make_loader(*windows(), batch_size=0)),
    "a ragged list": (TypeError, ["arrays[0]", "ragged"], lambda: make_loader([[1, 2], [3]], [1, 2])),
    "strings": (TypeError, ["array", "real numbers"], lambda: to_tensor(np.array(["a", "b"]))),
    "epochs=0": (ValueError, ["epochs"], lambda: fit(Forecaster(1, 4, 1), make_loader(*windows()),
                                                     make_loader(*windows()), epochs=0)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_torch_helpers_reject_bad_input_clearly(case):
    exc_types, words, call = CASES[case]
    raises_clearly(exc_types, words, call)


def test_a_loss_that_becomes_nan_stops_training_with_a_clear_error():
    """NaN reaching the loss (here through an exploding learning rate) stops fit instead of restoring silently."""
    torch.manual_seed(0)
    X, y = windows(n=32)
    model = Forecaster(1, 8, 1)
    with torch.no_grad():
        model.head.bias.fill_(float("inf"))
    raises_clearly(ValueError, ["training loss", "NaN or inf"],
                   lambda: fit(model, make_loader(X, y), make_loader(X, y), epochs=2))
