"""The NumPy model equals torch.nn.RNN (+ nn.Embedding / nn.Linear) with copied weights.

float64 throughout: hidden states, loss and every gradient agree to <= 1e-10 relative.
"""

import numpy as np
import pytest

from rnn_kit import RNNModel, rel_error

torch = pytest.importorskip("torch")
from rnn_kit.torch.models import SequenceModel, to_numpy, to_torch, torch_grads  # noqa: E402

TOL = 1e-10


def _perturb(model, rng):
    for p in model.params.values():
        p += 0.3 * rng.standard_normal(p.shape)
    return model


def _compare(model, inputs, targets, h0, torch_loss):
    loss, grads, h_last = model.loss_and_grads(inputs, targets, h0)
    _, h_np = model.forward(inputs, h0)
    tm = to_torch(model)
    y, h_n = tm(torch.as_tensor(inputs), torch.as_tensor(h0)[None])
    t_loss = torch_loss(y, torch.as_tensor(targets))
    t_loss.backward()
    out, _ = tm.rnn(tm.embedding(torch.as_tensor(inputs)) if tm.embedding else torch.as_tensor(inputs),
                    torch.as_tensor(h0)[None])
    assert rel_error(h_np, out.detach().numpy()) <= TOL
    assert rel_error(h_last, h_n[0].detach().numpy()) <= TOL
    assert abs(loss - t_loss.item()) <= TOL * abs(loss)
    tg = torch_grads(tm)
    assert set(tg) == set(grads)
    for k in grads:
        assert rel_error(grads[k], tg[k]) <= TOL, k


@pytest.mark.parametrize("N", [1, 4])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_character_model_with_embedding(rng, N, nonlinearity):
    V, D, H, T = 7, 5, 6, 9
    model = _perturb(RNNModel(D, H, V, vocab_size=V, nonlinearity=nonlinearity, rng=0), rng)
    ids, targets = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
    h0 = rng.standard_normal((N, H))
    _compare(model, ids, targets, h0,
             lambda y, t: torch.nn.functional.cross_entropy(y.reshape(-1, V), t.reshape(-1)))


@pytest.mark.parametrize("N", [1, 3])
def test_one_hot_model(rng, N):
    V, H, T = 4, 10, 5
    model = _perturb(RNNModel(V, H, V, rng=1), rng)
    x = np.eye(V)[rng.integers(0, V, (N, T))]
    _compare(model, x, rng.integers(0, V, (N, T)), rng.standard_normal((N, H)),
             lambda y, t: torch.nn.functional.cross_entropy(y.reshape(-1, V), t.reshape(-1)))


@pytest.mark.parametrize("N", [1, 5])
def test_regression_many_to_one(rng, N):
    model = _perturb(RNNModel(2, 8, 1, head="last", loss="mse", rng=2), rng)
    x, target = rng.standard_normal((N, 12, 2)), rng.standard_normal((N, 1))
    _compare(model, x, target, rng.standard_normal((N, 8)), torch.nn.functional.mse_loss)


def test_weights_round_trip_through_torch(rng):
    model = _perturb(RNNModel(3, 4, 3, vocab_size=3, rng=0), rng)
    back = to_numpy(to_torch(model))
    for k in model.params:
        np.testing.assert_array_equal(back.params[k], model.params[k])


def test_torch_trained_weights_give_identical_numpy_predictions(rng):
    torch.manual_seed(0)
    tm = SequenceModel(4, 6, 4, vocab_size=4).double()
    ids = torch.as_tensor(rng.integers(0, 4, (2, 7)))
    model = to_numpy(tm)
    y_torch, _ = tm(ids)
    y_np, _ = model.forward(ids.numpy())
    assert rel_error(y_np, y_torch.detach().numpy()) <= TOL


def test_sequence_model_options_and_errors():
    for cell in ["rnn", "lstm", "gru"]:
        y, _ = SequenceModel(2, 5, 3, cell=cell, num_layers=2)(torch.zeros(4, 6, 2))
        assert tuple(y.shape) == (4, 6, 3)
    with pytest.raises(ValueError, match=r"cell must be one of \('rnn', 'lstm', 'gru'\), got 'transformer'"):
        SequenceModel(2, 5, 3, cell="transformer")
    with pytest.raises(ValueError, match=r"nonlinearity applies only to cell='rnn', got cell='lstm'"):
        SequenceModel(2, 5, 3, cell="lstm", nonlinearity="relu")
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, D\), got \(6, 2\)"):
        SequenceModel(2, 5, 3)(torch.zeros(6, 2))
    with pytest.raises(ValueError, match="only a one-layer, one-directional model maps onto RNNModel"):
        to_numpy(SequenceModel(2, 5, 3, cell="gru", num_layers=2))
    with pytest.raises(TypeError, match="expected an rnn_kit SequenceModel, got Linear"):
        to_numpy(torch.nn.Linear(2, 3))
    with pytest.raises(ValueError, match=r"call loss\.backward"):
        torch_grads(SequenceModel(2, 5, 3))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("head", ["every", "last"])
@pytest.mark.parametrize("N", [1, 3])
def test_every_cell_and_head_equals_pytorch(rng, cell, head, N):
    """RNNModel(cell=, head=) against nn.RNN/LSTM/GRU (+ pack_padded_sequence for head='last'), float64."""
    V, D, H, T, O = 6, 4, 5, 7, 3
    model = _perturb(RNNModel(D, H, O, vocab_size=V, cell=cell, head=head, rng=0), rng)
    ids = rng.integers(0, V, (N, T))
    state0 = rng.standard_normal((N, H))
    if cell == "lstm":
        state0 = (state0, rng.standard_normal((N, H)))
    torch_state0 = tuple(torch.as_tensor(s)[None] for s in state0) if cell == "lstm" else torch.as_tensor(state0)[None]
    if head == "every":
        targets, lengths = rng.integers(0, O, (N, T)), None
    else:
        targets, lengths = rng.integers(0, O, N), np.array([T, 1, 4][:N])
    loss, grads, _ = model.loss_and_grads(ids, targets, state0, lengths=lengths)
    y, _ = model.forward(ids, state0, lengths=lengths)
    tm = to_torch(model)
    ty, _ = tm(torch.as_tensor(ids), torch_state0, lengths=lengths)
    t_loss = torch.nn.functional.cross_entropy(ty.reshape(-1, O), torch.as_tensor(targets).reshape(-1))
    t_loss.backward()
    assert rel_error(y, ty.detach().numpy()) <= TOL
    assert abs(loss - t_loss.item()) <= TOL * abs(loss)
    tg = torch_grads(tm)
    assert set(tg) == set(grads)
    for k in grads:
        assert rel_error(grads[k], tg[k]) <= TOL, k
    back = to_numpy(tm)
    assert all(np.array_equal(back.params[k], model.params[k]) for k in model.params)
