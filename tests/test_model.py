"""model.py: whole-network gradients, truncated BPTT, prediction, sampling, bad input."""

import numpy as np
import pytest

from rnn_kit import RNNModel, check_model_gradients


def perturbed(model, rng, scale=0.3):
    """Make every parameter (biases too) random and non-zero."""
    for p in model.params.values():
        p += scale * rng.standard_normal(p.shape)
    return model


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_one_hot_cross_entropy_gradients(rng, nonlinearity):
    model = perturbed(RNNModel(4, 6, 4, nonlinearity=nonlinearity, rng=0), rng)
    x = np.eye(4)[rng.integers(0, 4, (2, 5))]
    errors = check_model_gradients(model, x, rng.integers(0, 4, (2, 5)), state0=rng.standard_normal((2, 6)))
    assert max(errors.values()) < 1e-6, errors


def test_embedding_model_gradients_with_mask(rng):
    model = perturbed(RNNModel(3, 5, 7, vocab_size=7, rng=0), rng)
    ids = rng.integers(0, 7, (3, 4))
    mask = np.ones((3, 4))
    mask[1, 2:] = 0
    errors = check_model_gradients(model, ids, rng.integers(0, 7, (3, 4)), mask=mask)
    assert set(errors) == {"W_embed", "W_xh", "W_hh", "b_h", "W_hy", "b_y"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("head, target_shape", [("last", (3, 2)), ("every", (3, 5, 2))])
def test_regression_gradients_many_to_one_and_many_to_many(rng, head, target_shape):
    model = perturbed(RNNModel(1, 4, 2, head=head, loss="mse", rng=0), rng)
    errors = check_model_gradients(model, rng.standard_normal((3, 5, 1)), rng.standard_normal(target_shape))
    assert max(errors.values()) < 1e-6, errors


def test_many_to_one_reads_each_sequence_at_its_last_real_step(rng):
    """head='last' with lengths: padding after a sequence's end changes nothing, and gradients check."""
    model = perturbed(RNNModel(3, 5, 4, vocab_size=6, head="last", rng=0), rng)
    ids, lengths, y = rng.integers(1, 6, (3, 7)), np.array([7, 3, 1]), np.array([0, 3, 2])
    padded = ids.copy()
    padded[1, 3:], padded[2, 1:] = 0, 0
    logits, _ = model.forward(padded, lengths=lengths)
    for n in range(3):  # each sequence alone, unpadded
        alone, _ = model.forward(ids[n : n + 1, : lengths[n]])
        np.testing.assert_allclose(logits[n], alone[0], rtol=1e-12)
    errors = check_model_gradients(model, padded, y, lengths=lengths)
    assert max(errors.values()) < 1e-6, errors
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 8\)"):
        model.forward(padded, lengths=np.array([7, 0, 1]))
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 8\)"):
        model.forward(padded, lengths=np.array([8, 3, 1]))
    with pytest.raises(ValueError, match=r"lengths must have shape \(N,\) = \(3,\)"):
        model.forward(padded, lengths=np.array([7, 3]))
    with pytest.raises(ValueError, match="lengths needs head='last'"):
        RNNModel(3, 5, 4, vocab_size=6, rng=0).forward(padded, lengths=lengths)
    with pytest.raises(ValueError, match="targets must lie in"):
        model.loss_and_grads(padded, np.array([0, 4, 1]), lengths=lengths)


def test_truncated_bptt_carries_the_hidden_state(rng):
    model = RNNModel(3, 5, 3, vocab_size=3, rng=0)
    ids = rng.integers(0, 3, (2, 8))
    y_full, h_full = model.forward(ids)
    _, _, h_mid = model.loss_and_grads(ids[:, :4], ids[:, :4])
    y_second, h_second = model.forward(ids[:, 4:], state0=h_mid)
    np.testing.assert_allclose(h_second, h_full[:, 4:], atol=1e-12)
    np.testing.assert_allclose(y_second, y_full[:, 4:], atol=1e-12)


def test_initialisation_is_seeded_and_orthogonal():
    a, b = RNNModel(4, 8, 4, rng=3), RNNModel(4, 8, 4, rng=3)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    np.testing.assert_allclose(a.params["W_hh"] @ a.params["W_hh"].T, np.eye(8), atol=1e-12)
    assert not np.array_equal(a.params["W_xh"], RNNModel(4, 8, 4, rng=4).params["W_xh"])


def test_float32_model_runs_in_float32(rng):
    model = RNNModel(2, 4, 1, head="last", loss="mse", dtype=np.float32, rng=0)
    loss, grads, h = model.loss_and_grads(rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 1)))
    assert h.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())
    with pytest.raises(ValueError, match="gradient checks need a float64 model, got float32"):
        check_model_gradients(model, np.ones((1, 2, 2)), np.ones((1, 1)))


def test_predict_returns_ids_or_values(rng):
    clf = RNNModel(3, 4, 3, vocab_size=3, rng=0)
    assert clf.predict(np.array([[0, 1, 2]])).shape == (1, 3)
    reg = RNNModel(1, 4, 1, loss="mse", rng=0)
    assert reg.predict(np.zeros((2, 5, 1))).shape == (2, 5, 1)


# ---------------------------------------------------------------- sampling


def test_sample_is_seeded_and_reads_the_whole_prime():
    model = perturbed(RNNModel(5, 16, 5, vocab_size=5, rng=0), np.random.default_rng(0), scale=1.0)
    a = model.sample([0, 1, 2], 20, rng=7)
    np.testing.assert_array_equal(a, model.sample([0, 1, 2], 20, rng=7))
    assert a.shape == (20,) and a.min() >= 0 and a.max() < 5
    greedy = [tuple(model.sample(p, 10, temperature=1e-9, rng=0)) for p in ([3, 0, 1, 2], [4, 4, 1, 2])]
    assert greedy[0] != greedy[1], "two primes with the same last id must be able to differ"


def test_temperature_to_zero_is_argmax():
    model = perturbed(RNNModel(4, 8, 4, rng=1), np.random.default_rng(1), scale=1.0)
    ids, prime = [], [2]
    for _ in range(8):  # greedy decoding by hand
        y, _ = model.forward(np.eye(4)[np.array([prime + ids])])
        ids.append(int(y[0, -1].argmax()))
    for seed in range(3):
        np.testing.assert_array_equal(model.sample(prime, 8, temperature=1e-8, rng=seed), ids)


def test_high_temperature_spreads_samples():
    model = perturbed(RNNModel(6, 8, 6, vocab_size=6, rng=1), np.random.default_rng(1), scale=1.0)
    cold = model.sample([0], 300, temperature=0.2, rng=0)
    hot = model.sample([0], 300, temperature=5.0, rng=0)
    assert len(set(hot.tolist())) >= len(set(cold.tolist()))
    assert len(model.sample([0], 0)) == 0


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"hidden_size": 0}, ValueError, r"hidden_size must be > 0, got 0"),
        ({"input_size": 2.5}, TypeError, r"input_size must be an integer, got float"),
        ({"nonlinearity": "gelu"}, ValueError, r"nonlinearity must be one of \('tanh', 'relu'\), got 'gelu'"),
        ({"loss": "hinge"}, ValueError, r"loss must be one of \('cross_entropy', 'mse'\), got 'hinge'"),
        ({"dtype": np.int32}, TypeError, r"dtype must be float32 or float64, got int32"),
        ({"rng": "seed"}, TypeError, r"rng must be a numpy Generator, an int seed >= 0 or None, got str"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, exc, message):
    args = {"input_size": 3, "hidden_size": 4, "output_size": 3} | kwargs
    with pytest.raises(exc, match=message):
        RNNModel(**args)


def test_methods_reject_bad_input():
    model = RNNModel(3, 4, 3, rng=0)
    with pytest.raises(ValueError, match=r"inputs must have shape \(N, T, D\) with D=3, got \(1, 2, 4\)"):
        model.forward(np.zeros((1, 2, 4)))
    with pytest.raises(ValueError, match=r"inputs must have at least one time step"):
        model.forward(np.zeros((1, 0, 3)))
    with pytest.raises(ValueError, match=r"state0 must have shape \(N, H\) = \(1, 4\), got \(2, 4\)"):
        model.forward(np.zeros((1, 2, 3)), state0=np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 3\), got values from 0 to 7"):
        model.loss_and_grads(np.zeros((1, 2, 3)), np.array([[0, 7]]))
    with pytest.raises(ValueError, match=r"temperature must be > 0, got -1"):
        model.sample([0], 3, temperature=-1)
    with pytest.raises(ValueError, match=r"prime must hold at least one id"):
        model.sample([], 3)
    with pytest.raises(ValueError, match=r"n must be a non-negative integer, got -2"):
        model.sample([0], -2)
    ids_model = RNNModel(3, 4, 3, vocab_size=3, rng=0)
    with pytest.raises(ValueError, match=r"inputs must lie in \[0, 3\), got values from 0 to 3"):
        ids_model.forward(np.array([[0, 3]]))
    reg = RNNModel(1, 4, 2, loss="mse", rng=0)
    with pytest.raises(ValueError, match=r"targets must have shape \(N, T, O\) = \(1, 3, 2\) for head='every', got \(1, 3\)"):
        reg.loss_and_grads(np.zeros((1, 3, 1)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"sample needs a model with loss='cross_entropy'"):
        reg.sample([0], 2)
