"""diagnostics.py: gradient norms equal finite differences and full BPTT, the theory bounds the measurement, bad input."""

import numpy as np
import pytest

from rnn_kit import RNNModel, rnn_backward, rnn_forward
from rnn_kit.cells.gru import gru_backward, gru_forward
from rnn_kit.cells.init import orthogonal
from rnn_kit.cells.lstm import lstm_backward, lstm_forward
from rnn_kit.diagnostics import (
    forget_gate_bias,
    gradient_norms_through_time,
    identity_recurrence,
    jacobian_product_norms,
    log_slope,
    mean_field_rate,
    rnn_jacobians,
    scale_weights,
    train_on_memory_task,
)
from rnn_kit.gradcheck import numerical_gradient, numerical_gradient_array, rel_error


def _model(cell, D=3, H=4, rng=0, nonlinearity="tanh", scale=0.4):
    """A model with random non-zero parameters (biases included), float64."""
    model = RNNModel(D, H, 2, cell=cell, nonlinearity=nonlinearity, rng=rng)
    gen = np.random.default_rng(rng + 100)
    for w in model.params.values():
        w += scale * gen.standard_normal(w.shape)
    return model


def _suffix_loss(model, x, k, dh_T, dc_T, state):
    """L = <dh_T, h_T> (+ <dc_T, c_T>) computed from the state k steps before the end."""
    T = x.shape[1]
    if k == 0:
        h, c = (state if model.cell.NAME == "lstm" else (state, None))
    else:
        _, final = model.run(x[:, T - k:], state0=state)
        h, c = (final if model.cell.NAME == "lstm" else (final, None))
    return np.sum(dh_T * h) + (np.sum(dc_T * c) if c is not None else 0.0)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradient_norms_equal_finite_differences_at_every_distance(cell):
    model = _model(cell)
    gen = np.random.default_rng(1)
    N, T, H = 2, 5, 4
    x = gen.standard_normal((N, T, 3))
    dh_T = gen.standard_normal((N, H))
    dc_T = gen.standard_normal((N, H)) if cell == "lstm" else None
    flow = gradient_norms_through_time(model, x, dh_T=dh_T, dc_T=dc_T)
    assert flow.dh_norms.shape == (T + 1,) and flow.h.shape == (N, T, H)
    assert (flow.dc_norms is not None) == (cell == "lstm")
    for k in range(T + 1):
        # the state k steps before the end: run the first T - k steps
        if T - k == 0:
            state = model.cell.zero_state(N, H, np.float64)
        else:
            _, state = model.run(x[:, : T - k])
        state = tuple(np.array(s) for s in state) if cell == "lstm" else np.array(state)
        parts = state if cell == "lstm" else (state,)
        def loss(k=k, state=state):
            return _suffix_loss(model, x, k, dh_T, dc_T, state)
        numeric = [numerical_gradient(loss, s) for s in parts]
        assert abs(flow.dh_norms[k] - np.linalg.norm(numeric[0])) < 1e-7 * max(1, flow.dh_norms[k])
        if cell == "lstm":
            assert abs(flow.dc_norms[k] - np.linalg.norm(numeric[1])) < 1e-7 * max(1, flow.dc_norms[k])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_gradient_reaching_h0_is_the_one_full_bptt_gives(cell):
    model = _model(cell, rng=3)
    gen = np.random.default_rng(4)
    N, T, H = 3, 8, 4
    x, h0 = gen.standard_normal((N, T, 3)), gen.standard_normal((N, H))
    dh_T = gen.standard_normal((N, H))
    dh = np.zeros((N, T, H))
    dh[:, -1] = dh_T  # the whole sequence's backward, with the gradient at the last step only
    p = model.params
    if cell == "rnn":
        h, cache = rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"])
        dh0 = rnn_backward(dh, cache)[1]
        state0 = h0
    elif cell == "lstm":
        c0 = gen.standard_normal((N, H))
        h, cache = lstm_forward(x, h0, c0, p["W_xh"], p["W_hh"], p["b_h"])
        _, dh0, dc0, *_ = lstm_backward(dh, cache)
        state0 = (h0, c0)
    else:
        h, cache = gru_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"], p["b_hn"])
        dh0 = gru_backward(dh, cache)[1]
        state0 = h0
    flow = gradient_norms_through_time(model, x, state0=state0, dh_T=dh_T)
    assert np.allclose(flow.h, h, rtol=0, atol=1e-12)
    assert abs(flow.dh_norms[-1] - np.linalg.norm(dh0)) < 1e-12 * np.linalg.norm(dh0)
    if cell == "lstm":
        assert abs(flow.dc_norms[-1] - np.linalg.norm(dc0)) < 1e-12 * np.linalg.norm(dc0)


def test_ids_are_embedded_first():
    model = RNNModel(3, 5, 4, vocab_size=4, rng=0)
    ids = np.array([[0, 3, 1, 2, 2]])
    from_ids = gradient_norms_through_time(model, ids)
    plain = RNNModel(3, 5, 4)
    plain.params.update({k: v for k, v in model.params.items() if k != "W_embed"})
    from_vectors = gradient_norms_through_time(plain, model.params["W_embed"][ids])
    assert np.allclose(from_ids.dh_norms, from_vectors.dh_norms, rtol=1e-12)


def test_default_gradient_has_norm_one_and_no_cell_gradient():
    flow = gradient_norms_through_time(_model("lstm"), np.ones((2, 3, 3)))
    assert flow.dh_norms[0] == pytest.approx(1.0) and flow.dc_norms[0] == 0.0


# ---------------------------------------------------------------- theory


def _rnn_case(rho, nonlinearity="tanh", H=32, T=40, scale=0.3, seed=0):
    gen = np.random.default_rng(seed)
    model = RNNModel(4, H, 2, nonlinearity=nonlinearity, rng=seed)
    model.params["W_hh"] = rho * orthogonal(gen, H, np.float64)
    x = scale * gen.standard_normal((1, T, 4))
    dh_T = gen.standard_normal((1, H))
    return model, gradient_norms_through_time(model, x, dh_T=dh_T), dh_T


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("rho", [0.5, 1.0, 1.5])
def test_product_of_jacobians_is_the_measurement_and_the_bound_bounds_it(rho, nonlinearity):
    model, flow, dh_T = _rnn_case(rho, nonlinearity)
    theory = jacobian_product_norms(flow.h[0], model.params["W_hh"], dh_T, nonlinearity)
    assert np.allclose(theory.exact, flow.dh_norms, rtol=1e-10, atol=1e-300)
    assert np.all(theory.exact <= theory.worst_case * (1 + 1e-10))
    assert np.all(theory.worst_case <= theory.bound * (1 + 1e-10))
    assert theory.bound[0] == pytest.approx(np.linalg.norm(dh_T))


def test_jacobians_are_the_derivative_of_one_step():
    gen = np.random.default_rng(5)
    H, D = 4, 3
    W_xh, W_hh, b_h = gen.standard_normal((D, H)), gen.standard_normal((H, H)), gen.standard_normal(H)
    x_t, h_prev = gen.standard_normal((1, D)), gen.standard_normal((1, H))
    for nonlinearity in ["tanh", "relu"]:
        h_t, _ = rnn_forward(x_t[:, None], h_prev, W_xh, W_hh, b_h, nonlinearity=nonlinearity)
        J = rnn_jacobians(h_t[0], W_hh, nonlinearity)[0]  # dh_prev = dh_t @ J
        for unit in range(H):
            dh_t = np.eye(H)[unit][None]
            def f(nonlinearity=nonlinearity):
                return rnn_forward(x_t[:, None], h_prev, W_xh, W_hh, b_h, nonlinearity=nonlinearity)[0][:, 0]
            assert rel_error(numerical_gradient_array(f, h_prev, dh_t), dh_t @ J) < 1e-7


def test_linear_regime_decays_at_log_rho_per_step():
    """Tiny inputs keep tanh in its linear part: with W_hh = ρ·Q every step scales the gradient by exactly ρ."""
    for rho in [0.5, 0.9]:
        model, flow, _ = _rnn_case(rho, scale=1e-6)
        assert log_slope(flow.dh_norms) == pytest.approx(np.log(rho), abs=1e-6)
        assert mean_field_rate(flow.h[0], model.params["W_hh"]) == pytest.approx(np.log(rho), abs=1e-6)


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.1, 1.5])
def test_mean_field_rate_predicts_tanh_decay(rho):
    model, flow, _ = _rnn_case(rho, H=64, T=60, scale=0.5)
    predicted = mean_field_rate(flow.h[0], model.params["W_hh"])
    assert abs(log_slope(flow.dh_norms) - predicted) < 0.05


def test_mean_field_rate_is_minus_infinity_when_no_unit_passes():
    h = np.array([[0.5, 0.2], [0.0, 0.0]])
    assert mean_field_rate(h, np.eye(2), "relu") == -np.inf


def test_log_slope_of_a_geometric_sequence():
    assert log_slope(3.0 * 0.8 ** np.arange(20)) == pytest.approx(np.log(0.8))
    assert log_slope(np.r_[1e9, 2.0 ** np.arange(10)], start=1) == pytest.approx(np.log(2))


# ---------------------------------------------------------------- training on a memory task


def test_train_on_memory_task_is_seeded_and_learns_a_short_delay():
    a = train_on_memory_task("rnn", 8, 1, steps=150, n_test=200, seed=3)
    b = train_on_memory_task("rnn", 8, 1, steps=150, n_test=200, seed=3)
    assert a.accuracy == b.accuracy and a.losses == b.losses
    assert a.accuracy == 1.0 and len(a.losses) == 150
    assert isinstance(a.model, RNNModel) and a.model.head == "last"


def test_train_on_memory_task_xor_and_init_hook():
    calls = []
    run = train_on_memory_task("gru", 4, 2, task="xor", steps=3, n_test=50, init=calls.append)
    assert len(calls) == 1 and set(calls[0]) == set(run.model.params)
    assert run.model.output_size == 2 and 0 <= run.accuracy <= 1


def test_initialisations_change_the_parameters_in_place():
    rnn = RNNModel(3, 4, 2, rng=0)
    identity_recurrence(rnn.params)
    assert np.array_equal(rnn.params["W_hh"], np.eye(4))
    before = {k: v.copy() for k, v in rnn.params.items()}
    scale_weights(0.01)(rnn.params)
    assert all(np.allclose(rnn.params[k], 0.01 * before[k]) for k in before)
    lstm = RNNModel(3, 4, 2, cell="lstm", rng=0)
    forget_gate_bias(3.0)(lstm.params)
    assert np.all(lstm.params["b_h"][4:8] == 3.0) and np.all(lstm.params["b_h"][:4] == 0)


def test_an_irnn_passes_the_gradient_of_active_units_unchanged():
    model = RNNModel(3, 4, 2, nonlinearity="relu", rng=0)
    identity_recurrence(model.params)
    model.params["W_xh"][:] = 0
    model.params["b_h"][:] = 1.0  # every unit active at every step, W_hh = I: each Jacobian is I
    flow = gradient_norms_through_time(model, np.ones((1, 6, 3)))
    assert np.allclose(flow.dh_norms, 1.0)


# ---------------------------------------------------------------- bad input


def test_initialisations_bad_input():
    with pytest.raises(ValueError, match=r"needs a vanilla RNN's square W_hh"):
        identity_recurrence(RNNModel(3, 4, 2, cell="gru", rng=0).params)
    with pytest.raises(ValueError, match=r"needs an LSTM's parameters"):
        forget_gate_bias(3.0)(RNNModel(3, 4, 2, cell="gru", rng=0).params)
    with pytest.raises(ValueError, match=r"needs an LSTM's parameters"):
        forget_gate_bias(3.0)(RNNModel(3, 4, 2, rng=0).params)
    with pytest.raises(ValueError, match="factor must be > 0"):
        scale_weights(0.0)


def test_gradient_norms_bad_input():
    model = _model("rnn")
    with pytest.raises(TypeError, match="model must be an RNNModel"):
        gradient_norms_through_time(model.params, np.ones((1, 3, 3)))
    with pytest.raises(ValueError, match="dc_T is only for cell='lstm'"):
        gradient_norms_through_time(model, np.ones((1, 3, 3)), dc_T=np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"dh_T must have shape \(N, H\) = \(1, 4\)"):
        gradient_norms_through_time(model, np.ones((1, 3, 3)), dh_T=np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"inputs must have shape \(N, T, D\) with D=3"):
        gradient_norms_through_time(model, np.ones((1, 3, 5)))
    with pytest.raises(ValueError, match="dh_T must be finite"):
        gradient_norms_through_time(model, np.ones((1, 3, 3)), dh_T=np.full((1, 4), np.nan))


def test_theory_bad_input():
    with pytest.raises(ValueError, match=r"W_hh shape \(H, H\) = \(3, 3\)"):
        rnn_jacobians(np.zeros((5, 3)), np.eye(4))
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        rnn_jacobians(np.zeros((5, 3)), np.eye(3), "sigmoid")
    with pytest.raises(ValueError, match="dh_T must have H = 3 entries"):
        jacobian_product_norms(np.zeros((5, 3)), np.eye(3), np.ones(4))
    with pytest.raises(ValueError, match="h must be 2-d"):
        mean_field_rate(np.zeros((1, 5, 3)), np.eye(3))


def test_log_slope_bad_input():
    with pytest.raises(ValueError, match="at least 2 norms"):
        log_slope([1.0])
    with pytest.raises(ValueError, match="norms must be > 0"):
        log_slope([1.0, 0.5, 0.0])


def test_train_on_memory_task_bad_input():
    with pytest.raises(ValueError, match="task must be one of"):
        train_on_memory_task("rnn", 4, 2, task="copy")
    with pytest.raises(ValueError, match="cell must be one of"):
        train_on_memory_task("transformer", 4, 2)
    with pytest.raises(ValueError, match="delay must be > 0"):
        train_on_memory_task("rnn", 4, 0)
    with pytest.raises(TypeError, match="steps must be an integer"):
        train_on_memory_task("rnn", 4, 2, steps=10.0)
