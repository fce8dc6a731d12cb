"""rnn.py: finite-difference checks, fixed values, bad input, random shapes."""

import numpy as np
import pytest
from conftest import random_params
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_kit import (
    numerical_gradient_array,
    rel_error,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

NONLIN = ["tanh", "relu"]


# ---------------------------------------------------------------- gradient checks


@pytest.mark.parametrize("nonlinearity", NONLIN)
@pytest.mark.parametrize("N", [1, 3])
def test_step_backward_matches_finite_differences(rng, nonlinearity, N):
    D, H = 4, 5
    p = random_params(rng, D, H)
    x, h_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    h, cache = rnn_step_forward(x, h_prev, p["W_xh"], p["W_hh"], p["b_h"], nonlinearity=nonlinearity)
    dh = rng.standard_normal(h.shape)
    grads = rnn_step_backward(dh, cache)

    def f():
        return rnn_step_forward(x, h_prev, p["W_xh"], p["W_hh"], p["b_h"], nonlinearity=nonlinearity)[0]

    for analytic, wrt in zip(grads, [x, h_prev, p["W_xh"], p["W_hh"], p["b_h"]]):
        assert rel_error(analytic, numerical_gradient_array(f, wrt, dh)) < 1e-7


@pytest.mark.parametrize("nonlinearity", NONLIN)
@pytest.mark.parametrize("N,T", [(1, 1), (1, 6), (3, 5)])
def test_sequence_backward_matches_finite_differences(rng, nonlinearity, N, T):
    D, H = 3, 4
    p = random_params(rng, D, H)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    h, cache = rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"], nonlinearity=nonlinearity)
    dh = rng.standard_normal(h.shape)
    grads = rnn_backward(dh, cache)

    def f():
        return rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"], nonlinearity=nonlinearity)[0]

    for analytic, wrt in zip(grads, [x, h0, p["W_xh"], p["W_hh"], p["b_h"]]):
        assert rel_error(analytic, numerical_gradient_array(f, wrt, dh)) < 1e-6


def test_gradient_check_catches_a_wrong_backward(rng):
    """The check can fail: storing the hidden state one step off (the course original's bug)."""
    D, H, N, T = 3, 4, 2, 5
    p = random_params(rng, D, H)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    h, cache = rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"])
    projection_cache, (hs, *rest) = cache  # hs: h_0 .. h_T, time-major
    shifted = (projection_cache, (np.concatenate([hs[:1], hs[:-1]]), *rest))  # every h_t one step off
    dh = rng.standard_normal(h.shape)
    bad = rnn_backward(dh, shifted)[3]
    num = numerical_gradient_array(lambda: rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"])[0], p["W_hh"], dh)
    assert rel_error(bad, num) > 1e-3


# ---------------------------------------------------------------- fixed values


def _linspace_case():
    N, T, D, H = 2, 3, 4, 5
    x = np.linspace(-0.1, 0.3, N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.3, 0.7, N * H).reshape(N, H)
    W_xh = np.linspace(-0.2, 0.4, D * H).reshape(D, H)
    W_hh = np.linspace(-0.4, 0.1, H * H).reshape(H, H)
    b_h = np.linspace(-0.7, 0.1, H)
    return x, h0, W_xh, W_hh, b_h


def test_step_forward_fixed_values():
    x, h0, W_xh, W_hh, b_h = _linspace_case()
    h, _ = rnn_step_forward(x[:, 0], h0, W_xh, W_hh, b_h)
    # computed independently with scalar loops over tanh(b + sum x W_xh + sum h W_hh)
    expected = np.array([[-0.46751435, -0.31341049, -0.14081912, 0.04077797, 0.21972045],
                         [-0.76515621, -0.63019724, -0.44218979, -0.2052007, 0.05857069]])
    np.testing.assert_allclose(h, expected, atol=1e-8)


def test_sequence_forward_fixed_values():
    x, h0, W_xh, W_hh, b_h = _linspace_case()
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    expected_last = np.array([[-0.44831329, -0.26845941, -0.0677146, 0.13866689, 0.33366835],
                              [-0.63283846, -0.44796379, -0.21476676, 0.04579133, 0.30026428]])
    np.testing.assert_allclose(h[:, -1], expected_last, atol=1e-8)


@pytest.mark.parametrize("nonlinearity", NONLIN)
def test_sequence_functions_equal_looping_the_step_functions(rng, nonlinearity):
    x, h0, W_xh, W_hh, b_h = _linspace_case()
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h, nonlinearity=nonlinearity)
    h_t, step_caches = h0, []
    for t in range(x.shape[1]):
        h_t, c = rnn_step_forward(x[:, t], h_t, W_xh, W_hh, b_h, nonlinearity=nonlinearity)
        step_caches.append(c)
        np.testing.assert_allclose(h[:, t], h_t, rtol=1e-14, atol=1e-15)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dW_xh, dW_hh, db_h = rnn_backward(dh, cache)
    dh_next, sums = np.zeros_like(h0), [0, 0, 0]
    for t in reversed(range(x.shape[1])):
        dx_t, dh_next, *dparams = rnn_step_backward(dh[:, t] + dh_next, step_caches[t])
        sums = [s + d for s, d in zip(sums, dparams)]
        np.testing.assert_allclose(dx[:, t], dx_t, rtol=1e-12, atol=1e-14)
    for got, want in zip([dh0, dW_xh, dW_hh, db_h], [dh_next, *sums]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    x, h0, W_xh, W_hh, b_h = (a.astype(dtype) for a in _linspace_case())
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
    assert h.dtype == dtype
    assert all(g.dtype == dtype for g in rnn_backward(np.ones_like(h), cache))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "change, exc, message",
    [
        (lambda a: {**a, "x": a["x"][0]}, ValueError, r"x must be 3-d, got shape \(3, 4\)"),
        (lambda a: {**a, "x": a["x"][:, :, :2]}, ValueError, r"x must have shape \(N, T, D\) with D=4, got \(2, 3, 2\)"),
        (lambda a: {**a, "x": a["x"][:, :0]}, ValueError, r"x must have at least one time step"),
        (lambda a: {**a, "h0": a["h0"][:1]}, ValueError, r"h0 must have shape \(N, H\) = \(2, 5\), got \(1, 5\)"),
        (lambda a: {**a, "W_hh": a["W_hh"][:4]}, ValueError, r"W_hh must have shape \(H, H\) = \(5, 5\)"),
        (lambda a: {**a, "b_h": a["b_h"][:3]}, ValueError, r"b_h must have shape \(H,\) = \(5,\)"),
        (lambda a: {**a, "x": np.where(a["x"] > 0.2, np.nan, a["x"])}, ValueError, r"x must be finite"),
        (lambda a: {**a, "x": a["x"].astype(str)}, TypeError, r"x must hold real numbers"),
        (lambda a: {**a, "nonlinearity": "sigmoid"}, ValueError, r"nonlinearity must be one of \('tanh', 'relu'\), got 'sigmoid'"),
    ],
)
def test_rnn_forward_rejects_bad_input(change, exc, message):
    x, h0, W_xh, W_hh, b_h = _linspace_case()
    args = change({"x": x, "h0": h0, "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h})
    with pytest.raises(exc, match=message):
        rnn_forward(**args)


def test_step_functions_reject_bad_input():
    x, h0, W_xh, W_hh, b_h = _linspace_case()
    with pytest.raises(ValueError, match=r"x_t must have shape \(N, D\) with D=4, got \(2, 3\)"):
        rnn_step_forward(x[:, 0, :3], h0, W_xh, W_hh, b_h)
    with pytest.raises(ValueError, match=r"h_prev must be finite"):
        rnn_step_forward(x[:, 0], h0 * np.inf, W_xh, W_hh, b_h)
    h, cache = rnn_step_forward(x[:, 0], h0, W_xh, W_hh, b_h)
    with pytest.raises(ValueError, match=r"dh_t must have shape \(N, H\) = \(2, 5\) like h_t, got \(2, 4\)"):
        rnn_step_backward(np.ones((2, 4)), cache)
    with pytest.raises(TypeError, match="cache must be the tuple returned by rnn_step_forward"):
        rnn_step_backward(np.ones((2, 5)), [cache])


def test_rnn_backward_rejects_bad_input():
    x, h0, W_xh, W_hh, b_h = _linspace_case()
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\) = \(2, 3, 5\), got \(2, 2, 5\)"):
        rnn_backward(np.ones((2, 2, 5)), cache)
    with pytest.raises(TypeError, match="cache must be the tuple returned by rnn_forward"):
        rnn_backward(np.ones_like(h), [cache])


# ---------------------------------------------------------------- random shapes


@settings(max_examples=25, deadline=None)
@given(N=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(1, 5), H=st.integers(1, 5),
       seed=st.integers(0, 2**16))
def test_random_shapes_forward_backward_consistent(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    p = random_params(rng, D, H)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    h, cache = rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"])
    assert h.shape == (N, T, H) and np.all(np.abs(h) < 1)
    dx, dh0, dW_xh, dW_hh, db_h = rnn_backward(np.ones_like(h), cache)
    assert (dx.shape, dh0.shape, dW_xh.shape, dW_hh.shape, db_h.shape) == ((N, T, D), (N, H), (D, H), (H, H), (H,))
    assert rel_error(db_h, numerical_gradient_array(
        lambda: rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"])[0], p["b_h"], np.ones_like(h))) < 1e-6


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4))
def test_random_wrong_shapes_raise_value_error(shape):
    x = np.zeros(shape)
    if x.ndim == 3 and x.shape[2] == 2 and x.shape[1] > 0:
        return  # the one valid shape
    with pytest.raises(ValueError, match=r"x must"):
        rnn_forward(x, np.zeros((x.shape[0] if x.ndim else 1, 3)), np.ones((2, 3)), np.eye(3), np.zeros(3))
