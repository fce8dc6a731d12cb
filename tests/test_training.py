"""training.py: fit_batch on one batch, fit_stream (truncated BPTT) and evaluate_stream on a stream."""

import numpy as np
import pytest

from rnn_kit import RNNModel
from rnn_kit.training import evaluate_stream, fit_batch, fit_stream


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


def test_fit_stream_carries_the_state_and_learns_a_long_pattern():
    """A period-9 pattern in streams of 3-step chunks: only a carried state can see far enough back."""
    pattern = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1])
    ids = np.tile(pattern, 60)
    scores = {}
    for carry in (True, False):
        model = RNNModel(4, 24, 2, vocab_size=2, rng=0)
        losses = fit_stream(model, ids, steps=400, batch_size=4, seq_len=3, lr=0.02, carry_state=carry)
        assert len(losses) == 400
        scores[carry] = evaluate_stream(model, ids, batch_size=1, seq_len=50)
    assert scores[True] < 0.15 and scores[False] > 2 * scores[True], scores


def test_evaluate_stream_is_the_mean_cross_entropy_of_every_prediction(rng):
    model = RNNModel(3, 5, 4, vocab_size=4, rng=0)
    ids = rng.integers(0, 4, 41)
    logits, _ = model.forward(ids[None, :-1])
    p = np.exp(logits[0] - logits[0].max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    by_hand = -np.mean(np.log(p[np.arange(40), ids[1:]]))
    for seq_len in (7, 40, 100):  # chunking with a carried state changes nothing
        assert abs(evaluate_stream(model, ids, batch_size=1, seq_len=seq_len) - by_hand) < 1e-12


def test_evaluate_stream_without_carry_scores_every_chunk_from_zeros(rng):
    model = RNNModel(3, 5, 4, vocab_size=4, rng=0)
    ids = rng.integers(0, 4, 41)
    by_hand = []
    for start in range(0, 40, 8):  # chunks of 8 inputs, each read alone from a zero state
        logits, _ = model.forward(ids[None, start : start + 8])
        p = np.exp(logits[0] - logits[0].max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        by_hand.extend(-np.log(p[np.arange(len(p)), ids[start + 1 : start + 9]]))
    reset = evaluate_stream(model, ids, batch_size=1, seq_len=8, carry_state=False)
    assert abs(reset - np.mean(by_hand)) < 1e-12
    assert abs(reset - evaluate_stream(model, ids, batch_size=1, seq_len=8)) > 1e-6  # the carried state differs
    with pytest.raises(TypeError, match="carry_state must be True or False, got str 'no'"):
        evaluate_stream(model, ids, carry_state="no")


def test_fit_stream_rejects_bad_arguments():
    model = RNNModel(3, 4, 3, vocab_size=3, head="last", rng=0)
    with pytest.raises(ValueError, match="truncated BPTT needs a model with head='every'"):
        fit_stream(model, np.zeros(50, dtype=int), steps=2, batch_size=2, seq_len=5)
    model = RNNModel(3, 4, 3, vocab_size=3, rng=0)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        fit_stream(model, np.zeros(50, dtype=int), steps=2, batch_size=2, seq_len=5, optimizer="rmsprop")
    with pytest.raises(ValueError, match="too few"):
        fit_stream(model, np.zeros(3, dtype=int), steps=2, batch_size=4, seq_len=5)
