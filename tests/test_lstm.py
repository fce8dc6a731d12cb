"""cells/lstm.py: finite differences, fixed values, steps vs sequence, the cell interface, torch.nn.LSTM, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_kit.cells import lstm
from rnn_kit.cells.lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from rnn_kit.gradcheck import numerical_gradient_array, rel_error
from rnn_kit.layers import temporal_affine_backward, temporal_affine_forward


def _params(rng, D, H, scale=0.5):
    """Random non-zero float64 W_xh (D, 4H), W_hh (H, 4H), b_h (4H,)."""
    return [scale * rng.standard_normal(shape) for shape in lstm.param_shapes(D, H).values()]


def _sigmoid(a):
    return 1 / (1 + math.exp(-a))


def _reference(x, h0, c0, W_xh, W_hh, b_h):
    """(L1)-(L5) with scalar Python loops and math.exp / math.tanh: no NumPy vectorisation to share bugs with."""
    N, T, D = x.shape
    H = h0.shape[1]
    hs, cs = np.zeros((N, T, H)), np.zeros((N, T, H))
    for n in range(N):
        h, c = [float(v) for v in h0[n]], [float(v) for v in c0[n]]
        for t in range(T):
            a = [sum(x[n, t, d] * W_xh[d, k] for d in range(D)) + sum(h[j] * W_hh[j, k] for j in range(H)) + b_h[k]
                 for k in range(4 * H)]
            i, f = [_sigmoid(v) for v in a[:H]], [_sigmoid(v) for v in a[H:2 * H]]
            g, o = [math.tanh(v) for v in a[2 * H:3 * H]], [_sigmoid(v) for v in a[3 * H:]]
            c = [f[j] * c[j] + i[j] * g[j] for j in range(H)]
            h = [o[j] * math.tanh(c[j]) for j in range(H)]
            hs[n, t], cs[n, t] = h, c
    return hs, cs


def _linspace_case():
    N, T, D, H = 2, 3, 4, 5
    x = np.linspace(-0.1, 0.3, N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.3, 0.7, N * H).reshape(N, H)
    c0 = np.linspace(0.5, -0.4, N * H).reshape(N, H)
    W_xh = np.linspace(-0.2, 0.4, D * 4 * H).reshape(D, 4 * H)
    W_hh = np.linspace(-0.4, 0.1, H * 4 * H).reshape(H, 4 * H)
    b_h = np.linspace(-0.7, 0.1, 4 * H)
    return x, h0, c0, W_xh, W_hh, b_h


# ---------------------------------------------------------------- gradient checks


@pytest.mark.parametrize("N", [1, 3])
def test_step_backward_matches_finite_differences(rng, N):
    D, H = 4, 5
    W_xh, W_hh, b_h = _params(rng, D, H)
    x, h_prev, c_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    h, c, cache = lstm_step_forward(x, h_prev, c_prev, W_xh, W_hh, b_h)
    dh, dc = rng.standard_normal(h.shape), rng.standard_normal(c.shape)
    grads = lstm_step_backward(dh, dc, cache)

    def f():  # h_t and c_t stacked, so one vector-Jacobian product checks both paths
        return np.concatenate(lstm_step_forward(x, h_prev, c_prev, W_xh, W_hh, b_h)[:2])

    for analytic, wrt in zip(grads, [x, h_prev, c_prev, W_xh, W_hh, b_h]):
        assert np.linalg.norm(analytic) > 1e-3
        assert rel_error(analytic, numerical_gradient_array(f, wrt, np.concatenate([dh, dc]))) < 1e-7


@pytest.mark.parametrize("N,T", [(1, 1), (1, 6), (3, 5)])
def test_sequence_backward_matches_finite_differences(rng, N, T):
    D, H = 3, 4
    W_xh, W_hh, b_h = _params(rng, D, H)
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    h, cache = lstm_forward(x, h0, c0, W_xh, W_hh, b_h)
    dh = rng.standard_normal(h.shape)
    grads = lstm_backward(dh, cache)

    def f():
        return lstm_forward(x, h0, c0, W_xh, W_hh, b_h)[0]

    for analytic, wrt in zip(grads, [x, h0, c0, W_xh, W_hh, b_h]):
        assert np.linalg.norm(analytic) > 1e-3
        assert rel_error(analytic, numerical_gradient_array(f, wrt, dh)) < 1e-6


def test_recurrence_backward_matches_finite_differences(rng):
    N, T, H = 2, 5, 3
    xw, W_hh = rng.standard_normal((T, N, 4 * H)), 0.5 * rng.standard_normal((H, 4 * H))
    h0, c0 = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    params = {"W_hh": W_hh, "W_xh": None}  # other keys are ignored
    h, _, cache = lstm.recurrence_forward(xw, (h0, c0), params)
    dh = rng.standard_normal(h.shape)
    dxw, (dh0, dc0), grads = lstm.recurrence_backward(dh, cache)
    assert set(grads) == {"W_hh"}

    def f():
        return lstm.recurrence_forward(xw, (h0, c0), params)[0]

    for analytic, wrt in zip([dxw, dh0, dc0, grads["W_hh"]], [xw, h0, c0, W_hh]):
        assert rel_error(analytic, numerical_gradient_array(f, wrt, dh)) < 1e-6


# ---------------------------------------------------------------- fixed values


def test_one_unit_forward_fixed_values():
    """N = D = H = 1, two steps, worked out with the scalar equations (L1)-(L5)."""
    x, h0, c0 = np.array([[[0.5], [-1.0]]]), np.array([[0.1]]), np.array([[-0.2]])
    W_xh, W_hh, b_h = np.array([[0.3, -0.4, 0.8, 0.2]]), np.array([[0.6, 0.1, -0.5, 0.7]]), np.array([0.1, 1.0, 0.0, -0.3])
    s, th = _sigmoid, math.tanh
    h1_expected, c1_expected = [], []
    h, c = 0.1, -0.2
    for x_t in (0.5, -1.0):
        i, f = s(0.3 * x_t + 0.6 * h + 0.1), s(-0.4 * x_t + 0.1 * h + 1.0)
        g, o = th(0.8 * x_t - 0.5 * h), s(0.2 * x_t + 0.7 * h - 0.3)
        c = f * c + i * g
        h = o * th(c)
        h1_expected.append(h)
        c1_expected.append(c)
    h_np, cache = lstm_forward(x, h0, c0, W_xh, W_hh, b_h)
    np.testing.assert_allclose(h_np[0, :, 0], h1_expected, rtol=1e-14)
    np.testing.assert_allclose(cache[-1][0, :, 0], c1_expected, rtol=1e-14)
    assert h1_expected == pytest.approx([0.02598193, -0.09713656], abs=1e-8)  # the numbers themselves


def test_sequence_forward_fixed_values():
    x, h0, c0, W_xh, W_hh, b_h = _linspace_case()
    h, cache = lstm_forward(x, h0, c0, W_xh, W_hh, b_h)
    h_ref, c_ref = _reference(x, h0, c0, W_xh, W_hh, b_h)
    np.testing.assert_allclose(h, h_ref, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(cache[-1], c_ref, rtol=1e-13, atol=1e-15)
    # the last step, printed from _reference (scalar loops), not from lstm_forward
    expected_last = np.array([[-0.04516572, -0.03960154, -0.03315046, -0.02579331, -0.01752404],
                              [-0.04209387, -0.03395711, -0.02463913, -0.01414563, -0.00250702]])
    np.testing.assert_allclose(h[:, -1], expected_last, atol=1e-8)


def test_step_forward_fixed_values():
    x, h0, c0, W_xh, W_hh, b_h = _linspace_case()
    h, c, _ = lstm_step_forward(x[:, 0], h0, c0, W_xh, W_hh, b_h)
    h_ref, c_ref = _reference(x[:, :1], h0, c0, W_xh, W_hh, b_h)
    np.testing.assert_allclose(h, h_ref[:, 0], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(c, c_ref[:, 0], rtol=1e-13, atol=1e-15)


def test_sequence_functions_equal_looping_the_step_functions(rng):
    x, h0, c0, W_xh, W_hh, b_h = _linspace_case()
    h, cache = lstm_forward(x, h0, c0, W_xh, W_hh, b_h)
    h_t, c_t, step_caches = h0, c0, []
    for t in range(x.shape[1]):
        h_t, c_t, step_cache = lstm_step_forward(x[:, t], h_t, c_t, W_xh, W_hh, b_h)
        step_caches.append(step_cache)
        np.testing.assert_allclose(h[:, t], h_t, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(cache[-1][:, t], c_t, rtol=1e-14, atol=1e-15)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dc0, dW_xh, dW_hh, db_h = lstm_backward(dh, cache)
    dh_next, dc_next, sums = np.zeros_like(h0), np.zeros_like(c0), [0, 0, 0]
    for t in reversed(range(x.shape[1])):
        dx_t, dh_next, dc_next, *dparams = lstm_step_backward(dh[:, t] + dh_next, dc_next, step_caches[t])
        sums = [s + d for s, d in zip(sums, dparams)]
        np.testing.assert_allclose(dx[:, t], dx_t, rtol=1e-12, atol=1e-14)
    for got, want in zip([dh0, dc0, dW_xh, dW_hh, db_h], [dh_next, dc_next, *sums]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    x, h0, c0, W_xh, W_hh, b_h = (a.astype(dtype) for a in _linspace_case())
    h, cache = lstm_forward(x, h0, c0, W_xh, W_hh, b_h)
    assert h.dtype == dtype and cache[-1].dtype == dtype
    assert all(g.dtype == dtype for g in lstm_backward(np.ones_like(h), cache))


# ---------------------------------------------------------------- the cell interface


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_params_follow_param_shapes(dtype):
    D, H = 3, 6
    params = lstm.init_params(D, H, np.random.default_rng(0), dtype)
    assert lstm.NAME == "lstm" and lstm.GATES == 4
    assert list(params) == list(lstm.param_shapes(D, H)) == ["W_xh", "W_hh", "b_h"]
    for k, shape in lstm.param_shapes(D, H).items():
        assert params[k].shape == shape and params[k].dtype == dtype, k
    for k in range(4):  # one orthogonal block per gate
        block = params["W_hh"][:, k * H:(k + 1) * H].astype(np.float64)
        np.testing.assert_allclose(block.T @ block, np.eye(H), atol=1e-5)
    np.testing.assert_array_equal(params["b_h"], np.repeat([0.0, 1.0, 0.0, 0.0], H))  # forget-gate bias 1
    assert 0.3 < params["W_xh"].std() * np.sqrt(D) < 1.7


def test_zero_state_and_check_state():
    h0, c0 = lstm.zero_state(2, 3, np.float32)
    assert h0.shape == c0.shape == (2, 3) and h0.dtype == c0.dtype == np.float32
    assert not np.any(h0) and not np.any(c0)
    h, c = lstm.check_state("state0", [np.ones((2, 3)), np.zeros((2, 3))], 2, 3, np.float32)
    assert h.dtype == c.dtype == np.float32 and np.all(h == 1) and np.all(c == 0)


def test_recurrence_and_projection_equal_the_sequence_functions(rng):
    N, T, D, H = 3, 4, 2, 5
    params = dict(zip(["W_xh", "W_hh", "b_h"], _params(rng, D, H)))
    x, state0 = rng.standard_normal((N, T, D)), (rng.standard_normal((N, H)), rng.standard_normal((N, H)))
    xw, projection_cache = temporal_affine_forward(x.transpose(1, 0, 2), params["W_xh"], params["b_h"])  # (T, N, G)
    h, (h_T, c_T), cache = lstm.recurrence_forward(xw, state0, params)
    h_seq, seq_cache = lstm_forward(x, *state0, *params.values())
    np.testing.assert_array_equal(h.transpose(1, 0, 2), h_seq)  # the recurrence is time-major
    np.testing.assert_array_equal(h_T, h[-1])
    np.testing.assert_array_equal(c_T, seq_cache[-1][:, -1])
    h_T += 1  # the final state is a copy, not a view into h
    assert not np.any(h[-1] == h_T)
    dh = rng.standard_normal(h_seq.shape)  # (N, T, H)
    dxw, (dh0, dc0), grads = lstm.recurrence_backward(dh.transpose(1, 0, 2), cache)
    dx, dW_xh, db_h = temporal_affine_backward(dxw, projection_cache)
    dx = dx.transpose(1, 0, 2)
    for got, want in zip([dx, dh0, dc0, dW_xh, grads["W_hh"], db_h], lstm_backward(dh, seq_cache)):
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- torch.nn.LSTM


@pytest.mark.parametrize("N", [1, 3])
def test_equals_torch_lstm(rng, N):
    torch = pytest.importorskip("torch")
    D, H, T = 4, 5, 7
    tm = torch.nn.LSTM(D, H, batch_first=True).double()
    with torch.no_grad():
        for p in tm.parameters():  # non-zero biases on both sides, so their sum is really tested
            p.copy_(torch.as_tensor(0.5 * rng.standard_normal(tuple(p.shape))))
    W_xh, W_hh = tm.weight_ih_l0.detach().numpy().T, tm.weight_hh_l0.detach().numpy().T
    b_h = (tm.bias_ih_l0 + tm.bias_hh_l0).detach().numpy()
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    R = rng.standard_normal((N, T, H))  # loss = sum(h * R)
    tx, th0, tc0 = (torch.tensor(a, requires_grad=True) for a in (x, h0[None], c0[None]))
    out, (h_n, c_n) = tm(tx, (th0, tc0))
    t_loss = (out * torch.as_tensor(R)).sum()
    t_loss.backward()
    h, cache = lstm_forward(x, h0, c0, W_xh, W_hh, b_h)
    assert rel_error(h, out.detach().numpy()) <= 1e-10
    assert rel_error(h[:, -1], h_n[0].detach().numpy()) <= 1e-10
    assert rel_error(cache[-1][:, -1], c_n[0].detach().numpy()) <= 1e-10
    assert abs(np.sum(h * R) - t_loss.item()) <= 1e-10 * abs(t_loss.item())
    dx, dh0, dc0, dW_xh, dW_hh, db_h = lstm_backward(R, cache)
    pairs = [(dx, tx.grad[...]), (dh0, th0.grad[0]), (dc0, tc0.grad[0]), (dW_xh, tm.weight_ih_l0.grad.T),
             (dW_hh, tm.weight_hh_l0.grad.T), (db_h, tm.bias_ih_l0.grad), (db_h, tm.bias_hh_l0.grad)]
    for ours, theirs in pairs:
        assert rel_error(ours, theirs.numpy()) <= 1e-10


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "change, exc, message",
    [
        (lambda a: {**a, "x": a["x"][0]}, ValueError, r"x must be 3-d, got shape \(3, 4\)"),
        (lambda a: {**a, "x": a["x"][:, :, :2]}, ValueError, r"x must have shape \(N, T, D\) with D=4, got \(2, 3, 2\)"),
        (lambda a: {**a, "x": a["x"][:, :0]}, ValueError, r"x must have at least one time step"),
        (lambda a: {**a, "h0": a["h0"][:1]}, ValueError, r"h0 must have shape \(N, H\) = \(2, 5\), got \(1, 5\)"),
        (lambda a: {**a, "c0": a["c0"][:, :4]}, ValueError, r"c0 must have shape \(N, H\) = \(2, 5\), got \(2, 4\)"),
        (lambda a: {**a, "h0": (a["h0"], a["c0"])}, ValueError, r"h0 must be 2-d, got shape \(2, 2, 5\)"),
        (lambda a: {**a, "W_xh": a["W_xh"][:, :18]}, ValueError, r"W_xh must have shape \(D, 4H\).*got \(4, 18\)"),
        (lambda a: {**a, "W_hh": a["W_hh"][:4]}, ValueError, r"W_hh must have shape \(H, 4H\) = \(5, 20\)"),
        (lambda a: {**a, "W_hh": a["W_hh"][:, :5]}, ValueError, r"W_hh must have shape \(H, 4H\) = \(5, 20\)"),
        (lambda a: {**a, "b_h": a["b_h"][:5]}, ValueError, r"b_h must have shape \(4H,\) = \(20,\)"),
        (lambda a: {**a, "x": np.where(a["x"] > 0.2, np.nan, a["x"])}, ValueError, r"x must be finite"),
        (lambda a: {**a, "c0": np.full_like(a["c0"], np.inf)}, ValueError, r"c0 must be finite"),
        (lambda a: {**a, "x": a["x"].astype(str)}, TypeError, r"x must hold real numbers"),
        (lambda a: {**a, "W_hh": None}, TypeError, r"W_hh must hold real numbers"),
    ],
)
def test_lstm_forward_rejects_bad_input(change, exc, message):
    x, h0, c0, W_xh, W_hh, b_h = _linspace_case()
    args = change({"x": x, "h0": h0, "c0": c0, "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h})
    with pytest.raises(exc, match=message):
        lstm_forward(**args)


def test_step_functions_reject_bad_input():
    x, h0, c0, W_xh, W_hh, b_h = _linspace_case()
    with pytest.raises(ValueError, match=r"x_t must have shape \(N, D\) with D=4, got \(2, 3\)"):
        lstm_step_forward(x[:, 0, :3], h0, c0, W_xh, W_hh, b_h)
    with pytest.raises(ValueError, match=r"h_prev must be finite"):
        lstm_step_forward(x[:, 0], h0 * np.nan, c0, W_xh, W_hh, b_h)
    with pytest.raises(ValueError, match=r"c_prev must have shape \(N, H\) = \(2, 5\), got \(1, 5\)"):
        lstm_step_forward(x[:, 0], h0, c0[:1], W_xh, W_hh, b_h)
    with pytest.raises(ValueError, match=r"b_h must have shape \(4H,\) = \(20,\)"):
        lstm_step_forward(x[:, 0], h0, c0, W_xh, W_hh, b_h[:4])
    h, c, cache = lstm_step_forward(x[:, 0], h0, c0, W_xh, W_hh, b_h)
    with pytest.raises(ValueError, match=r"dh_t must have shape \(N, H\) = \(2, 5\), got \(2, 4\)"):
        lstm_step_backward(np.ones((2, 4)), np.ones((2, 5)), cache)
    with pytest.raises(ValueError, match=r"dc_t must be finite"):
        lstm_step_backward(np.ones((2, 5)), np.full((2, 5), np.nan), cache)
    with pytest.raises(TypeError, match="cache must be the tuple returned by lstm_step_forward"):
        lstm_step_backward(np.ones((2, 5)), np.ones((2, 5)), [cache])
    _, seq_cache = lstm_forward(x, h0, c0, W_xh, W_hh, b_h)  # T = 3: not a step's cache
    with pytest.raises(TypeError, match="cache must be the tuple returned by lstm_step_forward"):
        lstm_step_backward(np.ones((2, 5)), np.ones((2, 5)), seq_cache)


def test_lstm_backward_rejects_bad_input():
    x, h0, c0, W_xh, W_hh, b_h = _linspace_case()
    h, cache = lstm_forward(x, h0, c0, W_xh, W_hh, b_h)
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\) = \(2, 3, 5\), got \(2, 2, 5\)"):
        lstm_backward(np.ones((2, 2, 5)), cache)
    with pytest.raises(ValueError, match=r"dh must be finite"):
        lstm_backward(np.full_like(h, np.inf), cache)
    with pytest.raises(TypeError, match="cache must be the tuple returned by lstm_forward"):
        lstm_backward(np.ones_like(h), cache[:2])


@pytest.mark.parametrize(
    "state, exc, message",
    [
        (np.zeros((2, 2, 5)), TypeError, r"state0 must be a tuple \(h, c\) of two arrays of shape \(N, H\) = \(2, 5\), got ndarray of shape \(2, 2, 5\)"),
        ((np.zeros((2, 5)),) * 3, TypeError, r"state0 must be a tuple \(h, c\).*got tuple of length 3"),
        (None, TypeError, r"state0 must be a tuple \(h, c\).*got NoneType"),
        ((np.zeros((2, 5)), np.zeros((2, 4))), ValueError, r"state0\[1\] must have shape \(N, H\) = \(2, 5\), got \(2, 4\)"),
        ((np.full((2, 5), np.nan), np.zeros((2, 5))), ValueError, r"state0\[0\] must be finite"),
        ((np.zeros((2, 5)), "c"), TypeError, r"state0\[1\] must hold real numbers"),
    ],
)
def test_check_state_rejects_bad_state(state, exc, message):
    with pytest.raises(exc, match=message):
        lstm.check_state("state0", state, 2, 5, np.float64)


# ---------------------------------------------------------------- random shapes


@settings(max_examples=20, deadline=None)
@given(N=st.integers(1, 3), T=st.integers(1, 5), D=st.integers(1, 4), H=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_random_shapes_forward_backward_consistent(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    p = _params(rng, D, H)
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    h, cache = lstm_forward(x, h0, c0, *p)
    assert h.shape == (N, T, H) and cache[-1].shape == (N, T, H) and np.all(np.abs(h) < 1)
    grads = lstm_backward(np.ones_like(h), cache)
    assert [g.shape for g in grads] == [(N, T, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]
    assert rel_error(grads[-1], numerical_gradient_array(lambda: lstm_forward(x, h0, c0, *p)[0], p[-1], np.ones_like(h))) < 1e-6
