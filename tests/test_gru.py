"""cells/gru.py: finite differences, fixed values, steps vs sequence, the cell interface, torch.nn.GRU, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_kit.cells import gru
from rnn_kit.cells.gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward
from rnn_kit.gradcheck import numerical_gradient_array, rel_error
from rnn_kit.layers import temporal_affine_backward, temporal_affine_forward


def _params(rng, D, H, scale=0.5):
    """Random non-zero float64 W_xh (D, 3H), W_hh (H, 3H), b_h (3H,), b_hn (H,)."""
    return [scale * rng.standard_normal(shape) for shape in gru.param_shapes(D, H).values()]


def _sigmoid(a):
    return 1 / (1 + math.exp(-a))


def _reference(x, h0, W_xh, W_hh, b_h, b_hn):
    """(G1)-(G4) with scalar Python loops and math.exp / math.tanh: no NumPy vectorisation to share bugs with."""
    N, T, D = x.shape
    H = h0.shape[1]
    hs = np.zeros((N, T, H))
    for n in range(N):
        h = [float(v) for v in h0[n]]
        for t in range(T):
            xw = [sum(x[n, t, d] * W_xh[d, k] for d in range(D)) + b_h[k] for k in range(3 * H)]
            hw = [sum(h[j] * W_hh[j, k] for j in range(H)) for k in range(3 * H)]
            r = [_sigmoid(xw[k] + hw[k]) for k in range(H)]
            z = [_sigmoid(xw[H + k] + hw[H + k]) for k in range(H)]
            n_ = [math.tanh(xw[2 * H + k] + r[k] * (hw[2 * H + k] + b_hn[k])) for k in range(H)]
            h = [(1 - z[k]) * n_[k] + z[k] * h[k] for k in range(H)]
            hs[n, t] = h
    return hs


def _linspace_case():
    N, T, D, H = 2, 3, 4, 5
    x = np.linspace(-0.1, 0.3, N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.3, 0.7, N * H).reshape(N, H)
    W_xh = np.linspace(-0.2, 0.4, D * 3 * H).reshape(D, 3 * H)
    W_hh = np.linspace(-0.4, 0.1, H * 3 * H).reshape(H, 3 * H)
    b_h = np.linspace(-0.7, 0.1, 3 * H)
    b_hn = np.linspace(0.2, -0.3, H)
    return x, h0, W_xh, W_hh, b_h, b_hn


# ---------------------------------------------------------------- gradient checks


@pytest.mark.parametrize("N", [1, 3])
def test_step_backward_matches_finite_differences(rng, N):
    D, H = 4, 5
    p = _params(rng, D, H)
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    h, cache = gru_step_forward(x, h_prev, *p)
    dh = rng.standard_normal(h.shape)
    grads = gru_step_backward(dh, cache)

    def f():
        return gru_step_forward(x, h_prev, *p)[0]

    for analytic, wrt in zip(grads, [x, h_prev, *p]):
        assert np.linalg.norm(analytic) > 1e-3
        assert rel_error(analytic, numerical_gradient_array(f, wrt, dh)) < 1e-7


@pytest.mark.parametrize("N,T", [(1, 1), (1, 6), (3, 5)])
def test_sequence_backward_matches_finite_differences(rng, N, T):
    D, H = 3, 4
    p = _params(rng, D, H)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    h, cache = gru_forward(x, h0, *p)
    dh = rng.standard_normal(h.shape)
    grads = gru_backward(dh, cache)

    def f():
        return gru_forward(x, h0, *p)[0]

    for analytic, wrt in zip(grads, [x, h0, *p]):
        assert np.linalg.norm(analytic) > 1e-3
        assert rel_error(analytic, numerical_gradient_array(f, wrt, dh)) < 1e-6


def test_recurrence_backward_matches_finite_differences(rng):
    N, T, H = 2, 5, 3
    xw, h0 = rng.standard_normal((T, N, 3 * H)), rng.standard_normal((N, H))
    params = {"W_hh": 0.5 * rng.standard_normal((H, 3 * H)), "b_hn": rng.standard_normal(H), "b_h": None}
    h, _, cache = gru.recurrence_forward(xw, h0, params)  # b_h is ignored: it is part of xw
    dh = rng.standard_normal(h.shape)
    dxw, dh0, grads = gru.recurrence_backward(dh, cache)
    assert set(grads) == {"W_hh", "b_hn"}

    def f():
        return gru.recurrence_forward(xw, h0, params)[0]

    for analytic, wrt in zip([dxw, dh0, grads["W_hh"], grads["b_hn"]], [xw, h0, params["W_hh"], params["b_hn"]]):
        assert rel_error(analytic, numerical_gradient_array(f, wrt, dh)) < 1e-6


# ---------------------------------------------------------------- fixed values


def test_one_unit_forward_fixed_values():
    """N = D = H = 1, two steps, worked out with the scalar equations (G1)-(G4)."""
    x, h0 = np.array([[[0.5], [-1.0]]]), np.array([[0.1]])
    W_xh, W_hh = np.array([[0.3, -0.4, 0.8]]), np.array([[0.6, 0.1, -0.5]])
    b_h, b_hn = np.array([0.1, 1.0, -0.2]), np.array([0.4])
    s, th = _sigmoid, math.tanh
    expected, h = [], 0.1
    for x_t in (0.5, -1.0):
        r, z = s(0.3 * x_t + 0.1 + 0.6 * h), s(-0.4 * x_t + 1.0 + 0.1 * h)
        n = th(0.8 * x_t - 0.2 + r * (-0.5 * h + 0.4))
        h = (1 - z) * n + z * h
        expected.append(h)
    h_np, _ = gru_forward(x, h0, W_xh, W_hh, b_h, b_hn)
    np.testing.assert_allclose(h_np[0, :, 0], expected, rtol=1e-14)
    assert expected == pytest.approx([0.18669639, 0.01529915], abs=1e-8)  # the numbers themselves


def test_sequence_forward_fixed_values():
    x, h0, W_xh, W_hh, b_h, b_hn = _linspace_case()
    h, _ = gru_forward(x, h0, W_xh, W_hh, b_h, b_hn)
    np.testing.assert_allclose(h, _reference(x, h0, W_xh, W_hh, b_h, b_hn), rtol=1e-13, atol=1e-15)
    # the last step, printed from _reference (scalar loops), not from gru_forward
    expected_last = np.array([[-0.02878545, -0.00728017, 0.01248039, 0.03068152, 0.04754004],
                              [0.06497808, 0.10048003, 0.13404561, 0.16594704, 0.19652155]])
    np.testing.assert_allclose(h[:, -1], expected_last, atol=1e-8)


def test_step_forward_fixed_values():
    x, h0, W_xh, W_hh, b_h, b_hn = _linspace_case()
    h, _ = gru_step_forward(x[:, 0], h0, W_xh, W_hh, b_h, b_hn)
    np.testing.assert_allclose(h, _reference(x[:, :1], h0, W_xh, W_hh, b_h, b_hn)[:, 0], rtol=1e-13, atol=1e-15)


def test_sequence_functions_equal_looping_the_step_functions(rng):
    x, h0, *p = _linspace_case()
    h, cache = gru_forward(x, h0, *p)
    h_t, step_caches = h0, []
    for t in range(x.shape[1]):
        h_t, step_cache = gru_step_forward(x[:, t], h_t, *p)
        step_caches.append(step_cache)
        np.testing.assert_allclose(h[:, t], h_t, rtol=1e-14, atol=1e-15)
    dh = rng.standard_normal(h.shape)
    dx, dh0, *dparams = gru_backward(dh, cache)
    dh_next, sums = np.zeros_like(h0), [0, 0, 0, 0]
    for t in reversed(range(x.shape[1])):
        dx_t, dh_next, *d = gru_step_backward(dh[:, t] + dh_next, step_caches[t])
        sums = [s + d_ for s, d_ in zip(sums, d)]
        np.testing.assert_allclose(dx[:, t], dx_t, rtol=1e-12, atol=1e-14)
    for got, want in zip([dh0, *dparams], [dh_next, *sums]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    x, h0, *p = (a.astype(dtype) for a in _linspace_case())
    h, cache = gru_forward(x, h0, *p)
    assert h.dtype == dtype
    assert all(g.dtype == dtype for g in gru_backward(np.ones_like(h), cache))


# ---------------------------------------------------------------- the cell interface


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_params_follow_param_shapes(dtype):
    D, H = 3, 6
    params = gru.init_params(D, H, np.random.default_rng(0), dtype)
    assert gru.NAME == "gru" and gru.GATES == 3
    assert list(params) == list(gru.param_shapes(D, H)) == ["W_xh", "W_hh", "b_h", "b_hn"]
    for k, shape in gru.param_shapes(D, H).items():
        assert params[k].shape == shape and params[k].dtype == dtype, k
    for k in range(3):  # one orthogonal block per gate
        block = params["W_hh"][:, k * H:(k + 1) * H].astype(np.float64)
        np.testing.assert_allclose(block.T @ block, np.eye(H), atol=1e-5)
    assert not np.any(params["b_h"]) and not np.any(params["b_hn"])
    assert 0.3 < params["W_xh"].std() * np.sqrt(D) < 1.7


def test_zero_state_and_check_state():
    h0 = gru.zero_state(2, 3, np.float32)
    assert isinstance(h0, np.ndarray) and h0.shape == (2, 3) and h0.dtype == np.float32 and not np.any(h0)
    h = gru.check_state("state0", [[1, 2, 3], [4, 5, 6]], 2, 3, np.float32)
    assert h.dtype == np.float32 and h[1, 2] == 6


def test_recurrence_and_projection_equal_the_sequence_functions(rng):
    N, T, D, H = 3, 4, 2, 5
    params = dict(zip(["W_xh", "W_hh", "b_h", "b_hn"], _params(rng, D, H)))
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    xw, projection_cache = temporal_affine_forward(x.transpose(1, 0, 2), params["W_xh"], params["b_h"])  # (T, N, G)
    h, h_T, cache = gru.recurrence_forward(xw, h0, params)
    h_seq, seq_cache = gru_forward(x, h0, *params.values())
    np.testing.assert_array_equal(h.transpose(1, 0, 2), h_seq)  # the recurrence is time-major
    np.testing.assert_array_equal(h_T, h[-1])
    h_T += 1  # the final state is a copy, not a view into h
    assert not np.any(h[-1] == h_T)
    dh = rng.standard_normal(h_seq.shape)  # (N, T, H)
    dxw, dh0, grads = gru.recurrence_backward(dh.transpose(1, 0, 2), cache)
    dx, dW_xh, db_h = temporal_affine_backward(dxw, projection_cache)
    dx = dx.transpose(1, 0, 2)
    for got, want in zip([dx, dh0, dW_xh, grads["W_hh"], db_h, grads["b_hn"]], gru_backward(dh, seq_cache)):
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- torch.nn.GRU


@pytest.mark.parametrize("N", [1, 3])
def test_equals_torch_gru(rng, N):
    torch = pytest.importorskip("torch")
    D, H, T = 4, 5, 7
    tm = torch.nn.GRU(D, H, batch_first=True).double()
    with torch.no_grad():
        for p in tm.parameters():  # non-zero biases on both sides, so the mapping is really tested
            p.copy_(torch.as_tensor(0.5 * rng.standard_normal(tuple(p.shape))))
    W_xh, W_hh = tm.weight_ih_l0.detach().numpy().T, tm.weight_hh_l0.detach().numpy().T
    b_ih, b_hh = tm.bias_ih_l0.detach().numpy(), tm.bias_hh_l0.detach().numpy()
    b_h, b_hn = b_ih + np.concatenate([b_hh[:2 * H], np.zeros(H)]), b_hh[2 * H:]
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    R = rng.standard_normal((N, T, H))  # loss = sum(h * R)
    tx, th0 = torch.tensor(x, requires_grad=True), torch.tensor(h0[None], requires_grad=True)
    out, h_n = tm(tx, th0)
    t_loss = (out * torch.as_tensor(R)).sum()
    t_loss.backward()
    h, cache = gru_forward(x, h0, W_xh, W_hh, b_h, b_hn)
    assert rel_error(h, out.detach().numpy()) <= 1e-10
    assert rel_error(h[:, -1], h_n[0].detach().numpy()) <= 1e-10
    assert abs(np.sum(h * R) - t_loss.item()) <= 1e-10 * abs(t_loss.item())
    dx, dh0, dW_xh, dW_hh, db_h, db_hn = gru_backward(R, cache)
    g_hh = tm.bias_hh_l0.grad.numpy()
    pairs = [(dx, tx.grad.numpy()), (dh0, th0.grad[0].numpy()), (dW_xh, tm.weight_ih_l0.grad.numpy().T),
             (dW_hh, tm.weight_hh_l0.grad.numpy().T), (db_h, tm.bias_ih_l0.grad.numpy()),
             (db_h[:2 * H], g_hh[:2 * H]), (db_hn, g_hh[2 * H:])]
    for ours, theirs in pairs:
        assert rel_error(ours, theirs) <= 1e-10


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "change, exc, message",
    [
        (lambda a: {**a, "x": a["x"][0]}, ValueError, r"x must be 3-d, got shape \(3, 4\)"),
        (lambda a: {**a, "x": a["x"][:, :, :2]}, ValueError, r"x must have shape \(N, T, D\) with D=4, got \(2, 3, 2\)"),
        (lambda a: {**a, "x": a["x"][:, :0]}, ValueError, r"x must have at least one time step"),
        (lambda a: {**a, "h0": a["h0"][:1]}, ValueError, r"h0 must have shape \(N, H\) = \(2, 5\), got \(1, 5\)"),
        (lambda a: {**a, "h0": (a["h0"], a["h0"])}, ValueError, r"h0 must be 2-d, got shape \(2, 2, 5\)"),
        (lambda a: {**a, "W_xh": a["W_xh"][:, :14]}, ValueError, r"W_xh must have shape \(D, 3H\).*got \(4, 14\)"),
        (lambda a: {**a, "W_hh": a["W_hh"][:4]}, ValueError, r"W_hh must have shape \(H, 3H\) = \(5, 15\)"),
        (lambda a: {**a, "b_h": a["b_h"][:5]}, ValueError, r"b_h must have shape \(3H,\) = \(15,\)"),
        (lambda a: {**a, "b_hn": a["b_h"]}, ValueError, r"b_hn must have shape \(H,\) = \(5,\) to match W_xh of shape \(4, 15\), got \(15,\)"),
        (lambda a: {**a, "b_hn": np.full(5, np.nan)}, ValueError, r"b_hn must be finite"),
        (lambda a: {**a, "x": np.where(a["x"] > 0.2, np.nan, a["x"])}, ValueError, r"x must be finite"),
        (lambda a: {**a, "x": a["x"].astype(str)}, TypeError, r"x must hold real numbers"),
        (lambda a: {**a, "b_hn": None}, TypeError, r"b_hn must hold real numbers"),
    ],
)
def test_gru_forward_rejects_bad_input(change, exc, message):
    x, h0, W_xh, W_hh, b_h, b_hn = _linspace_case()
    args = change({"x": x, "h0": h0, "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h, "b_hn": b_hn})
    with pytest.raises(exc, match=message):
        gru_forward(**args)


def test_step_functions_reject_bad_input():
    x, h0, *p = _linspace_case()
    with pytest.raises(ValueError, match=r"x_t must have shape \(N, D\) with D=4, got \(2, 3\)"):
        gru_step_forward(x[:, 0, :3], h0, *p)
    with pytest.raises(ValueError, match=r"h_prev must be finite"):
        gru_step_forward(x[:, 0], h0 * np.nan, *p)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(N, H\) = \(2, 5\), got \(2, 4\)"):
        gru_step_forward(x[:, 0], h0[:, :4], *p)
    h, cache = gru_step_forward(x[:, 0], h0, *p)
    with pytest.raises(ValueError, match=r"dh_t must have shape \(N, H\) = \(2, 5\) like h_t, got \(2, 4\)"):
        gru_step_backward(np.ones((2, 4)), cache)
    with pytest.raises(TypeError, match="cache must be the tuple returned by gru_step_forward"):
        gru_step_backward(np.ones((2, 5)), [cache])
    _, seq_cache = gru_forward(x, h0, *p)  # T = 3: not a step's cache
    with pytest.raises(TypeError, match="cache must be the tuple returned by gru_step_forward"):
        gru_step_backward(np.ones((2, 5)), seq_cache)


def test_gru_backward_rejects_bad_input():
    x, h0, *p = _linspace_case()
    h, cache = gru_forward(x, h0, *p)
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\) = \(2, 3, 5\), got \(2, 2, 5\)"):
        gru_backward(np.ones((2, 2, 5)), cache)
    with pytest.raises(ValueError, match=r"dh must be finite"):
        gru_backward(np.full_like(h, np.nan), cache)
    with pytest.raises(TypeError, match="cache must be the tuple returned by gru_forward"):
        gru_backward(np.ones_like(h), cache[1])


@pytest.mark.parametrize(
    "state, exc, message",
    [
        ((np.zeros((2, 5)), np.zeros((2, 5))), ValueError, r"state0 must be 2-d, got shape \(2, 2, 5\)"),
        (np.zeros((2, 4)), ValueError, r"state0 must have shape \(N, H\) = \(2, 5\), got \(2, 4\)"),
        (np.full((2, 5), np.inf), ValueError, r"state0 must be finite"),
        ("h", TypeError, r"state0 must hold real numbers"),
    ],
)
def test_check_state_rejects_bad_state(state, exc, message):
    with pytest.raises(exc, match=message):
        gru.check_state("state0", state, 2, 5, np.float64)


# ---------------------------------------------------------------- random shapes


@settings(max_examples=20, deadline=None)
@given(N=st.integers(1, 3), T=st.integers(1, 5), D=st.integers(1, 4), H=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_random_shapes_forward_backward_consistent(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    p = _params(rng, D, H)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    h, cache = gru_forward(x, h0, *p)
    assert h.shape == (N, T, H)
    grads = gru_backward(np.ones_like(h), cache)
    assert [g.shape for g in grads] == [(N, T, D), (N, H), (D, 3 * H), (H, 3 * H), (3 * H,), (H,)]
    assert rel_error(grads[-1], numerical_gradient_array(lambda: gru_forward(x, h0, *p)[0], p[-1], np.ones_like(h))) < 1e-6
