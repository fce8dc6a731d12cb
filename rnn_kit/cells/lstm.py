"""The LSTM cell: a cell state c_t that gates decide to keep, write and show.

Shapes as in ``rnn.py``: ``x`` is (N, T, D), hidden and cell states (N, T, H). The four
gates share one (D, 4H) input and one (H, 4H) hidden weight matrix, columns in PyTorch's
order (i, f, g, o); ``a_i`` below means the i-columns of ``a_t``, σ(a) = 1 / (1 + e^-a):

    (L1)  a_t = x_t W_xh + h_{t-1} W_hh + b_h               pre-activations (N, 4H)
    (L2)  i_t = σ(a_i)   f_t = σ(a_f)   o_t = σ(a_o)         input, forget, output gates
    (L3)  g_t = tanh(a_g)                                   candidate values
    (L4)  c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                   keep some memory, write some
    (L5)  h_t = o_t ⊙ tanh(c_t)                             show some of it
    (L6)  dc_t = dh_t ⊙ o_t ⊙ (1 - tanh²(c_t)) + f_{t+1} ⊙ dc_{t+1}    total gradient reaching c_t
    (L7)  da_i = dc_t ⊙ g_t ⊙ σ'(a_i)   da_f = dc_t ⊙ c_{t-1} ⊙ σ'(a_f)
          da_g = dc_t ⊙ i_t ⊙ tanh'(a_g)   da_o = dh_t ⊙ tanh(c_t) ⊙ σ'(a_o)
    (L8)  dh_{t-1} += da_t W_hh^T                           what flows back to the previous step
    (L9)  dW_hh = Σ_t h_{t-1}^T da_t   (dx, dW_xh, db_h: backward of the projection in (L1))

with σ' = σ(1 - σ), tanh' = 1 - tanh². dh_t is the total gradient reaching h_t: from the
layer above plus (L8) from step t+1. Weights of a one-layer ``torch.nn.LSTM``:

    ========  =============================  ========
    rnn_kit   torch.nn.LSTM                  shape
    ========  =============================  ========
    W_xh      weight_ih_l0.T                 (D, 4H)
    W_hh      weight_hh_l0.T                 (H, 4H)
    b_h       bias_ih_l0 + bias_hh_l0        (4H,)
    ========  =============================  ========
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, as_shaped_float_array, check_nonempty
from ..layers import temporal_affine_backward, temporal_affine_forward
from ..workspace import scratch
from .init import orthogonal

NAME = "lstm"
GATES = 4  # W_xh has shape (D, GATES * H), columns (i, f, g, o)

# ---------------------------------------------------------------- the cell interface


def param_shapes(D: int, H: int) -> dict:
    """Every parameter of the cell and its shape."""
    return {"W_xh": (D, 4 * H), "W_hh": (H, 4 * H), "b_h": (4 * H,)}


def init_params(D: int, H: int, rng: np.random.Generator, dtype) -> dict:
    """``W_xh ~ N(0, 1/D)``; ``W_hh`` an orthogonal (H, H) block per gate; ``b_h = 0`` but 1 on f.

    The forget-gate bias 1 makes f_t = σ(1) ≈ 0.73 instead of 0.5 at the start: with 0.5 the
    cell state, and the gradient flowing back along it (L8), would halve at every step, so
    the untrained LSTM could not learn anything that spans more than a few steps.
    """
    b_h = np.zeros(4 * H, dtype=dtype)
    b_h[H:2 * H] = 1  # the f columns
    return {"W_xh": (rng.standard_normal((D, 4 * H)) / np.sqrt(D)).astype(dtype),  # (D, 4H)
            "W_hh": np.concatenate([orthogonal(rng, H, dtype) for _ in range(4)], axis=1),  # (H, 4H)
            "b_h": b_h}


def zero_state(N: int, H: int, dtype) -> tuple:
    """The initial state (h_0, c_0) = (0, 0), each of shape (N, H)."""
    return np.zeros((N, H), dtype=dtype), np.zeros((N, H), dtype=dtype)


def _check_hidden(name, value, N, H):
    return as_shaped_float_array(name, value, (N, H), f"(N, H) = ({N}, {H})")


def check_state(name: str, state, N: int, H: int, dtype) -> tuple:
    """A user-supplied initial state: a pair ``(h, c)`` of finite (N, H) arrays, cast to ``dtype``."""
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        got = type(state).__name__ + (f" of shape {state.shape}" if isinstance(state, np.ndarray) else
                                      f" of length {len(state)}" if isinstance(state, (tuple, list)) else "")
        raise TypeError(f"{name} must be a tuple (h, c) of two arrays of shape (N, H) = ({N}, {H}), got {got}")
    return tuple(_check_hidden(f"{name}[{k}]", s, N, H).astype(dtype, copy=False) for k, s in enumerate(state))


def recurrence_forward(xw, state0, params: dict, *, workspace=None):
    """(L1)-(L5) for t = 1..T, where ``xw`` (T, N, 4H) holds x_t W_xh + b_h.

    Unchecked (callers validate). Time-major like every cell's recurrence (see ``rnn.py``): returns ``h``
    (T, N, H), the final state ``(h_T, c_T)`` (copies; ``h_T`` equals ``h[-1]``) and a cache. The four gates
    take one tanh per step, on pre-activations halved in their σ columns (exact in floating point). Gates,
    cell and hidden states are stored (T, N, .), so that each step works on contiguous blocks. ``workspace``
    (a dict, optional) keeps the big arrays between calls, see ``rnn_kit.workspace``.
    """
    h0, c0 = state0
    W_hh = params["W_hh"]
    T, N, G = xw.shape
    H = G // 4
    assert G == 4 * H and W_hh.shape == (H, G) and h0.shape == c0.shape == (N, H)
    dtype = np.result_type(xw, h0, c0, W_hh)
    half = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=dtype), H)  # (4H,): σ(a) = (1 + tanh(a/2)) / 2 ...
    shift = np.repeat(np.array([0.5, 0.5, 0.0, 0.5], dtype=dtype), H)  # ... on i, f, o; g keeps tanh(a)
    W_hh_half = W_hh * half  # (H, 4H)
    gates = scratch(workspace, "lstm.gates", (T, N, G), dtype)  # activated (i, f, g, o) of every step
    c, hs = scratch(workspace, "lstm.c", (T, N, H), dtype), scratch(workspace, "lstm.h", (T + 1, N, H), dtype)
    hW, ig, tanh_c = np.empty((N, G), dtype=dtype), np.empty((N, H), dtype=dtype), np.empty((N, H), dtype=dtype)
    hs[0] = h0
    h_prev, c_prev = hs[0], c0
    for t in range(T):
        a_t = gates[t]  # (N, 4H): the gates are computed in place
        np.multiply(xw[t], half, out=a_t)
        a_t += np.matmul(h_prev, W_hh_half, out=hW)  # (L1), halved on σ columns: (N, H) @ (H, 4H) -> (N, 4H)
        np.tanh(a_t, out=a_t)  # (L2)-(L3): all four gates at once ...
        a_t *= half  # ... then σ(a) = (1 + tanh(a/2)) / 2 on i, f, o
        a_t += shift
        i_t, f_t, g_t, o_t = a_t[:, :H], a_t[:, H:2 * H], a_t[:, 2 * H:3 * H], a_t[:, 3 * H:]  # (N, H) views
        np.multiply(f_t, c_prev, out=c[t])  # (L4): c_t = f_t c_{t-1} + i_t g_t
        c[t] += np.multiply(i_t, g_t, out=ig)
        np.multiply(o_t, np.tanh(c[t], out=tanh_c), out=hs[t + 1])  # (L5): h_t = o_t tanh(c_t)
        h_prev, c_prev = hs[t + 1], c[t]
    return hs[1:], (hs[-1].copy(), c[-1].copy()), (c0, gates, c, hs, W_hh, workspace)


def recurrence_backward(dh, cache, dc_T=None):
    """BPTT through (L1)-(L5): returns ``dxw`` (T, N, 4H), ``(dh0, dc0)`` and ``{"W_hh": dW_hh}``.

    Unchecked; ``dh`` (T, N, H) is the gradient reaching each h_t from above. ``dxw`` is da, the gradient of the
    input term of (L1). ``dc_T`` (N, H), optional, is a gradient reaching the final cell state
    (``lstm_step_backward`` passes its ``dc_t``). Each step works on (N, 4H) blocks that stay in the CPU cache;
    dW_hh (L9) sums over steps, so it is one matrix product after the loop.
    """
    c0, gates, c, hs, W_hh, workspace = cache
    T, N, H = dh.shape
    dtype = np.result_type(dh, hs)
    is_g = np.repeat(np.array([0, 0, 1, 0], dtype=dtype), H)  # (4H,): 1 on the g columns
    not_g = 1 - is_g
    W_hh_T = np.ascontiguousarray(W_hh.T)  # (4H, H)
    da = scratch(workspace, "lstm.da", (T, N, 4 * H), dtype)
    dgate, dact = np.empty((N, 4 * H), dtype=dtype), np.empty((N, 4 * H), dtype=dtype)  # reused every step
    dh_t, dc_t, tc = (np.empty((N, H), dtype=dtype) for _ in range(3))
    dh_next = np.zeros((N, H), dtype=dtype)  # nothing flows back from beyond step T
    dc_next = np.zeros((N, H), dtype=dtype) if dc_T is None else np.array(dc_T, dtype=dtype)
    for t in reversed(range(T)):
        g4, c_prev = gates[t], c[t - 1] if t else c0
        np.tanh(c[t], out=tc)  # recomputed: cheaper than storing and reading back all T of them
        i_t, f_t, g_t, o_t = g4[:, :H], g4[:, H:2 * H], g4[:, 2 * H:3 * H], g4[:, 3 * H:]
        np.add(dh[t], dh_next, out=dh_t)  # total gradient reaching h_t
        np.multiply(tc, tc, out=dc_t)  # (L6): dc_t = dh_t o_t (1 - tanh²(c_t)) + f_{t+1} dc_{t+1}
        np.subtract(1, dc_t, out=dc_t)
        dc_t *= o_t
        dc_t *= dh_t
        dc_t += dc_next
        np.multiply(dc_t, g_t, out=dgate[:, :H])  # (L7) what multiplies σ'(a_i), ...
        np.multiply(dc_t, c_prev, out=dgate[:, H:2 * H])  # ... σ'(a_f),
        np.multiply(dc_t, i_t, out=dgate[:, 2 * H:3 * H])  # ... tanh'(a_g),
        np.multiply(dh_t, tc, out=dgate[:, 3 * H:])  # ... σ'(a_o)
        np.subtract(not_g, g4, out=dact)  # (L7) σ' = σ - σ² on i, f, o; tanh' = 1 - g² on g
        dact *= g4
        dact += is_g
        da_t = np.multiply(dgate, dact, out=da[t])  # (L7): (N, 4H)
        np.multiply(dc_t, f_t, out=dc_next)  # f_t dc_t, for (L6) at step t-1 (at t = 1: dc0)
        np.matmul(da_t, W_hh_T, out=dh_next)  # (L8): (N, 4H) @ (4H, H) -> (N, H) (at t = 1: dh0)
    h_prev = hs[:-1].reshape(T * N, H)  # h_{t-1} rows of every step, no copy
    dW_hh = h_prev.T @ da.reshape(T * N, 4 * H)  # (L9): (H, T*N) @ (T*N, 4H) -> (H, 4H)
    return da, (dh_next, dc_next), {"W_hh": dW_hh}


# ---------------------------------------------------------------- a whole sequence


def _check_params(W_xh, W_hh, b_h):
    W_xh = as_float_array("W_xh", W_xh, ndim=2)
    D, G = W_xh.shape
    if G == 0 or G % 4:
        raise ValueError(f"W_xh must have shape (D, 4H), 4H columns for the gates (i, f, g, o), got {W_xh.shape}")
    W_hh = as_shaped_float_array("W_hh", W_hh, (G // 4, G),
                                 f"(H, 4H) = ({G // 4}, {G}) to match W_xh of shape {W_xh.shape}")
    b_h = as_shaped_float_array("b_h", b_h, (G,), f"(4H,) = ({G},) to match W_xh of shape {W_xh.shape}")
    return W_xh, W_hh, b_h


def lstm_forward(x, h0, c0, W_xh, W_hh, b_h):
    """Run an LSTM over a whole sequence: (L1)-(L5) for t = 1..T.

    Parameters
    ----------
    x : ndarray of shape (N, T, D)
        Input sequences, batch-first.
    h0, c0 : ndarray of shape (N, H)
        Initial hidden and cell states.
    W_xh, W_hh, b_h : ndarray of shape (D, 4H), (H, 4H), (4H,)
        Weights, gate columns (i, f, g, o).

    Returns
    -------
    h : ndarray of shape (N, T, H)
        Hidden state at every step; ``h[:, -1]`` is the last one.
    cache : tuple
        What ``lstm_backward`` needs. Its last entry is the cell state at every step,
        shape (N, T, H): ``cache[-1][:, -1]`` is the final one, to carry on with ``h[:, -1]``.

    Notes
    -----
    The input projection of every step is one ``temporal_affine_forward``; then
    ``recurrence_forward`` goes step by step. Equals ``torch.nn.LSTM(D, H, batch_first=True)``
    with the weights of the module docstring's table (``tests/test_lstm.py``). Taught in
    ``notebooks/06_memory_and_gates.ipynb``.
    """
    W_xh, W_hh, b_h = _check_params(W_xh, W_hh, b_h)
    D, H = W_xh.shape[0], W_hh.shape[0]
    x = as_shaped_float_array("x", x, (None, None, D), f"(N, T, D) with D={D}")
    N, T, _ = x.shape
    check_nonempty("x", x, axis=1)
    h0, c0 = _check_hidden("h0", h0, N, H), _check_hidden("c0", c0, N, H)
    xw, projection_cache = temporal_affine_forward(x.transpose(1, 0, 2), W_xh, b_h)  # time-major (T, N, 4H)
    h, _, recurrence_cache = recurrence_forward(xw, (h0, c0), {"W_hh": W_hh})
    c = recurrence_cache[2].transpose(1, 0, 2)  # (T, N, H) -> (N, T, H), a view
    return h.transpose(1, 0, 2), (projection_cache, recurrence_cache, c)


def _check_cache(cache, what, step=False):
    ok = isinstance(cache, tuple) and len(cache) == 3 and isinstance(cache[1], tuple) and len(cache[1]) == 6
    if not ok or (step and cache[2].shape[1] != 1):
        raise TypeError(f"cache must be the tuple returned by {what}")
    return cache[2].shape  # c: (N, T, H)


def lstm_backward(dh, cache):
    """Backpropagation through time over a whole sequence: (L6)-(L9) for t = T..1.

    Parameters
    ----------
    dh : ndarray of shape (N, T, H)
        Gradient of the loss with respect to every hidden state, from the layer above
        (only the direct part, not what flows back in time).
    cache : tuple
        From ``lstm_forward``.

    Returns
    -------
    dx : ndarray of shape (N, T, D)
    dh0, dc0 : ndarray of shape (N, H)
    dW_xh, dW_hh, db_h : ndarray of shape (D, 4H), (H, 4H), (4H,)
    """
    N, T, H = _check_cache(cache, "lstm_forward")
    dh = as_shaped_float_array("dh", dh, (N, T, H), f"(N, T, H) = ({N}, {T}, {H})")
    projection_cache, recurrence_cache, _ = cache
    dxw, (dh0, dc0), grads = recurrence_backward(dh.transpose(1, 0, 2), recurrence_cache)  # time-major
    dx, dW_xh, db_h = temporal_affine_backward(dxw, projection_cache)  # (L9): backward of the projection
    return dx.transpose(1, 0, 2), dh0, dc0, dW_xh, grads["W_hh"], db_h


# ---------------------------------------------------------------- one time step


def lstm_step_forward(x_t, h_prev, c_prev, W_xh, W_hh, b_h):
    """Run one time step of an LSTM: (L1)-(L5).

    Parameters
    ----------
    x_t : ndarray of shape (N, D)
    h_prev, c_prev : ndarray of shape (N, H)
        Hidden and cell states from the previous step.
    W_xh, W_hh, b_h : ndarray of shape (D, 4H), (H, 4H), (4H,)

    Returns
    -------
    h_t, c_t : ndarray of shape (N, H)
    cache : tuple
        What ``lstm_step_backward`` needs.

    Notes
    -----
    A step is a sequence of length one: this calls ``lstm_forward``. Taught in
    ``notebooks/06_memory_and_gates.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> h, c, _ = lstm_step_forward(np.ones((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)),
    ...                             np.ones((1, 4)), np.zeros((1, 4)), np.zeros(4))
    >>> np.round([h[0, 0], c[0, 0]], 4)  # i = f = o = σ(1), g = tanh(1): c = σ(1) tanh(1)
    array([0.3696, 0.5568])
    """
    W_xh, W_hh, b_h = _check_params(W_xh, W_hh, b_h)
    D, H = W_xh.shape[0], W_hh.shape[0]
    x_t = as_shaped_float_array("x_t", x_t, (None, D), f"(N, D) with D={D}")
    N = x_t.shape[0]
    h_prev, c_prev = _check_hidden("h_prev", h_prev, N, H), _check_hidden("c_prev", c_prev, N, H)
    h, cache = lstm_forward(x_t[:, None], h_prev, c_prev, W_xh, W_hh, b_h)  # T = 1
    return h[:, 0], cache[-1][:, 0], cache


def lstm_step_backward(dh_t, dc_t, cache):
    """Backpropagate through one time step: (L6)-(L9).

    Parameters
    ----------
    dh_t, dc_t : ndarray of shape (N, H)
        Total gradients of the loss with respect to ``h_t`` and ``c_t``.
    cache : tuple
        From ``lstm_step_forward``.

    Returns
    -------
    dx_t : ndarray of shape (N, D)
    dh_prev, dc_prev : ndarray of shape (N, H)
    dW_xh, dW_hh, db_h : ndarray of shape (D, 4H), (H, 4H), (4H,)
    """
    N, _, H = _check_cache(cache, "lstm_step_forward", step=True)
    dh_t, dc_t = _check_hidden("dh_t", dh_t, N, H), _check_hidden("dc_t", dc_t, N, H)
    projection_cache, recurrence_cache, _ = cache
    dxw, (dh_prev, dc_prev), grads = recurrence_backward(dh_t[None], recurrence_cache, dc_T=dc_t)  # T = 1
    dx, dW_xh, db_h = temporal_affine_backward(dxw, projection_cache)
    return dx[0], dh_prev, dc_prev, dW_xh, grads["W_hh"], db_h
