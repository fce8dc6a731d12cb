"""The GRU cell: an update gate mixes the old hidden state with a candidate, no separate memory.

Shapes as in ``rnn.py``: ``x`` is (N, T, D), hidden states (N, T, H). The three gates share
one (D, 3H) input and one (H, 3H) hidden weight matrix, columns in PyTorch's order (r, z, n);
``xw_r`` below means the r-columns of ``xw_t = x_t W_xh + b_h`` and ``W_hr`` those of W_hh:

    (G1)  r_t = σ(xw_r + h_{t-1} W_hr)                      reset gate
    (G2)  z_t = σ(xw_z + h_{t-1} W_hz)                      update gate
    (G3)  n_t = tanh(xw_n + r_t ⊙ (h_{t-1} W_hn + b_hn))    candidate
    (G4)  h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}  =  n_t + z_t ⊙ (h_{t-1} - n_t)
    (G5)  da_n = dh_t ⊙ (1 - z_t) ⊙ (1 - n_t²)              da_z = dh_t ⊙ (h_{t-1} - n_t) ⊙ σ'(z)
    (G6)  dm_n = da_n ⊙ r_t                                 da_r = da_n ⊙ (h_{t-1} W_hn + b_hn) ⊙ σ'(r)
    (G7)  dh_{t-1} += dh_t ⊙ z_t + dm_t W_hh^T,  dm_t = [da_r, da_z, dm_n]    flows back in time
    (G8)  dW_hh = Σ_t h_{t-1}^T dm_t   db_hn = Σ dm_n   dxw_t = [da_r, da_z, da_n]

with σ' = σ(1 - σ); dh_t is the total gradient reaching h_t: from the layer above plus (G7)
from step t+1.
The reset gate multiplies the hidden-side term *with its bias*, so that bias cannot be
folded into b_h and is a parameter of its own, ``b_hn``. Weights of a one-layer ``torch.nn.GRU``:

    ========  ===================================================  ========
    rnn_kit   torch.nn.GRU                                         shape
    ========  ===================================================  ========
    W_xh      weight_ih_l0.T                                       (D, 3H)
    W_hh      weight_hh_l0.T                                       (H, 3H)
    b_h       bias_ih_l0 + [bias_hh_l0[:2H], 0]  (r, z: both)      (3H,)
    b_hn      bias_hh_l0[2H:]                    (n: hidden side)  (H,)
    ========  ===================================================  ========
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, as_shaped_float_array, check_nonempty
from ..layers import temporal_affine_backward, temporal_affine_forward
from ..workspace import scratch
from .init import orthogonal
from .rnn import check_state, zero_state  # noqa: F401 (part of the cell's interface): one (N, H) state, as the RNN's

NAME = "gru"
GATES = 3  # W_xh has shape (D, GATES * H), columns (r, z, n)

# ---------------------------------------------------------------- the cell interface


def param_shapes(D: int, H: int) -> dict:
    """Every parameter of the cell and its shape."""
    return {"W_xh": (D, 3 * H), "W_hh": (H, 3 * H), "b_h": (3 * H,), "b_hn": (H,)}


def init_params(D: int, H: int, rng: np.random.Generator, dtype) -> dict:
    """``W_xh ~ N(0, 1/D)``; ``W_hh`` an orthogonal (H, H) block per gate; ``b_h = b_hn = 0``."""
    return {"W_xh": (rng.standard_normal((D, 3 * H)) / np.sqrt(D)).astype(dtype),  # (D, 3H)
            "W_hh": np.concatenate([orthogonal(rng, H, dtype) for _ in range(3)], axis=1),  # (H, 3H)
            "b_h": np.zeros(3 * H, dtype=dtype), "b_hn": np.zeros(H, dtype=dtype)}


def recurrence_forward(xw, h0, params: dict, *, workspace=None):
    """(G1)-(G4) for t = 1..T, where ``xw`` (T, N, 3H) holds x_t W_xh + b_h.

    Unchecked (callers validate). Time-major like every cell's recurrence (see ``rnn.py``):
    returns ``h`` (T, N, H), the final state h_T (a copy of ``h[-1]``) and a cache. r and z take
    one tanh per step, σ(a) = (1 + tanh(a/2)) / 2, on pre-activations halved beforehand (exact
    in floating point). Gates and states are stored (T, N, .), so that each step works on
    contiguous blocks. ``workspace`` (a dict, optional) keeps the big arrays between calls, see ``rnn_kit.workspace``.
    """
    W_hh, b_hn = params["W_hh"], params["b_hn"]
    T, N, G = xw.shape
    H = G // 3
    assert G == 3 * H and W_hh.shape == (H, G) and b_hn.shape == (H,) and h0.shape == (N, H)
    dtype = np.result_type(xw, h0, W_hh, b_hn)
    half = np.repeat(np.array([0.5, 0.5, 1.0], dtype=dtype), H)  # (3H,): halves the r and z columns
    W_hh_half = W_hh * half  # (H, 3H)
    gates = scratch(workspace, "gru.gates", (T, N, G), dtype)  # activated (r, z, n) of every step
    hn = scratch(workspace, "gru.hn", (T, N, H), dtype)  # h_{t-1} W_hn + b_hn, kept for (G6)
    hs = scratch(workspace, "gru.h", (T + 1, N, H), dtype)  # h_0 .. h_T
    hW, r_hn = np.empty((N, G), dtype=dtype), np.empty((N, H), dtype=dtype)  # reused every step
    hs[0] = h0
    h_prev = hs[0]
    for t in range(T):
        np.matmul(h_prev, W_hh_half, out=hW)  # (N, H) @ (H, 3H) -> (N, 3H)
        a_t = np.multiply(xw[t], half, out=gates[t])  # (N, 3H): the gates are computed in place
        rz_t = a_t[:, :2 * H]
        rz_t += hW[:, :2 * H]  # (G1)-(G2), halved
        np.tanh(rz_t, out=rz_t)  # ... σ(a) = (1 + tanh(a/2)) / 2 for r and z at once
        rz_t *= 0.5
        rz_t += 0.5
        r_t, z_t, n_t = a_t[:, :H], a_t[:, H:2 * H], a_t[:, 2 * H:]  # (N, H) views
        np.add(hW[:, 2 * H:], b_hn, out=hn[t])
        n_t += np.multiply(r_t, hn[t], out=r_hn)  # (G3): r_t (h_{t-1} W_hn + b_hn)
        np.tanh(n_t, out=n_t)
        h_t = np.subtract(h_prev, n_t, out=hs[t + 1])  # (G4): h_t = n_t + z_t (h_{t-1} - n_t)
        h_t *= z_t
        h_t += n_t
        h_prev = h_t
    return hs[1:], hs[-1].copy(), (gates, hn, hs, W_hh, workspace)


def recurrence_backward(dh, cache):
    """BPTT through (G1)-(G4): returns ``dxw`` (T, N, 3H), ``dh0`` and ``{"W_hh", "b_hn"}`` gradients.

    Unchecked; ``dh`` (T, N, H) is the gradient reaching each h_t from above. Each step works on (N, 3H) blocks
    that stay in the CPU cache; dW_hh and db_hn (G8) sum over steps, so they are computed after the loop.
    """
    gates, hn, hs, W_hh, workspace = cache
    T, N, H = dh.shape
    dtype = np.result_type(dh, hs)
    W_hh_T = np.ascontiguousarray(W_hh.T)  # (3H, H)
    dm = scratch(workspace, "gru.dm", (T, N, 3 * H), dtype)  # [da_r, da_z, dm_n] of every step
    da_n = scratch(workspace, "gru.da_n", (T, N, H), dtype)
    dh_t, tmp = np.empty((N, H), dtype=dtype), np.empty((N, H), dtype=dtype)  # reused every step
    dsig = np.empty((N, 2 * H), dtype=dtype)
    dh_next = np.zeros((N, H), dtype=dtype)  # nothing flows back from beyond step T
    for t in reversed(range(T)):
        g3, hn_t, h_prev = gates[t], hn[t], hs[t]
        r_t, z_t, n_t = g3[:, :H], g3[:, H:2 * H], g3[:, 2 * H:]
        dm_t, da_n_t = dm[t], da_n[t]  # (N, 3H), (N, H)
        np.add(dh[t], dh_next, out=dh_t)  # total gradient reaching h_t
        np.multiply(n_t, n_t, out=da_n_t)  # (G5): da_n = dh_t (1 - z_t) (1 - n_t²)
        np.subtract(1, da_n_t, out=da_n_t)
        da_n_t *= np.subtract(1, z_t, out=tmp)
        da_n_t *= dh_t
        np.subtract(h_prev, n_t, out=dm_t[:, H:2 * H])  # (G5): dz_t = dh_t (h_{t-1} - n_t)
        dm_t[:, H:2 * H] *= dh_t
        np.multiply(da_n_t, hn_t, out=dm_t[:, :H])  # (G6): dr_t = da_n (h_{t-1} W_hn + b_hn)
        np.subtract(1, g3[:, :2 * H], out=dsig)  # (G5)-(G6) σ' = (1 - σ) σ for r and z at once
        dsig *= g3[:, :2 * H]
        dm_t[:, :2 * H] *= dsig
        np.multiply(da_n_t, r_t, out=dm_t[:, 2 * H:])  # (G6): dm_n = da_n r_t
        np.matmul(dm_t, W_hh_T, out=dh_next)  # (G7): (N, 3H) @ (3H, H) -> (N, H)
        dh_next += np.multiply(dh_t, z_t, out=tmp)  # (G7): the direct path through z_t h_{t-1}
    h_prev = hs[:-1].reshape(T * N, H)  # h_{t-1} rows of every step, no copy
    dW_hh = h_prev.T @ dm.reshape(T * N, 3 * H)  # (G8): (H, T*N) @ (T*N, 3H) -> (H, 3H)
    db_hn = dm[:, :, 2 * H:].sum(axis=(0, 1))  # (G8)
    dm[:, :, 2 * H:] = da_n  # dxw differs from dm only in the n columns (G8)
    return dm, dh_next, {"W_hh": dW_hh, "b_hn": db_hn}


# ---------------------------------------------------------------- a whole sequence


def _check_params(W_xh, W_hh, b_h, b_hn):
    W_xh = as_float_array("W_xh", W_xh, ndim=2)
    D, G = W_xh.shape
    if G == 0 or G % 3:
        raise ValueError(f"W_xh must have shape (D, 3H), 3H columns for the gates (r, z, n), got {W_xh.shape}")
    H = G // 3
    W_hh = as_shaped_float_array("W_hh", W_hh, (H, G), f"(H, 3H) = ({H}, {G}) to match W_xh of shape {W_xh.shape}")
    b_h = as_shaped_float_array("b_h", b_h, (G,), f"(3H,) = ({G},) to match W_xh of shape {W_xh.shape}")
    b_hn = as_shaped_float_array("b_hn", b_hn, (H,), f"(H,) = ({H},) to match W_xh of shape {W_xh.shape}")
    return W_xh, W_hh, b_h, b_hn


def gru_forward(x, h0, W_xh, W_hh, b_h, b_hn):
    """Run a GRU over a whole sequence: (G1)-(G4) for t = 1..T.

    Parameters
    ----------
    x : ndarray of shape (N, T, D)
        Input sequences, batch-first.
    h0 : ndarray of shape (N, H)
        Initial hidden state.
    W_xh, W_hh, b_h : ndarray of shape (D, 3H), (H, 3H), (3H,)
        Weights, gate columns (r, z, n).
    b_hn : ndarray of shape (H,)
        Bias of the hidden-side candidate term, inside the reset gate (G3).

    Returns
    -------
    h : ndarray of shape (N, T, H)
        Hidden state at every step; ``h[:, -1]`` is the last one.
    cache : tuple
        What ``gru_backward`` needs.

    Notes
    -----
    The input projection of every step is one ``temporal_affine_forward``; then
    ``recurrence_forward`` goes step by step. Equals ``torch.nn.GRU(D, H, batch_first=True)``
    with the weights of the module docstring's table (``tests/test_gru.py``). Taught in
    ``notebooks/06_memory_and_gates.ipynb``.
    """
    W_xh, W_hh, b_h, b_hn = _check_params(W_xh, W_hh, b_h, b_hn)
    D, H = W_xh.shape[0], W_hh.shape[0]
    x = as_shaped_float_array("x", x, (None, None, D), f"(N, T, D) with D={D}")
    N, T, _ = x.shape
    check_nonempty("x", x, axis=1)
    h0 = as_shaped_float_array("h0", h0, (N, H), f"(N, H) = ({N}, {H})")
    xw, projection_cache = temporal_affine_forward(x.transpose(1, 0, 2), W_xh, b_h)  # time-major (T, N, 3H)
    h, _, recurrence_cache = recurrence_forward(xw, h0, {"W_hh": W_hh, "b_hn": b_hn})
    return h.transpose(1, 0, 2), (projection_cache, recurrence_cache)  # (N, T, H), a view


def _check_cache(cache, what, step=False):
    ok = isinstance(cache, tuple) and len(cache) == 2 and isinstance(cache[1], tuple) and len(cache[1]) == 5
    if not ok or (step and cache[1][2].shape[0] != 2):
        raise TypeError(f"cache must be the tuple returned by {what}")
    T1, N, H = cache[1][2].shape  # h_0 .. h_T: (T + 1, N, H)
    return N, T1 - 1, H


def gru_backward(dh, cache):
    """Backpropagation through time over a whole sequence: (G5)-(G8) for t = T..1.

    Parameters
    ----------
    dh : ndarray of shape (N, T, H)
        Gradient of the loss with respect to every hidden state, from the layer above
        (only the direct part, not what flows back in time).
    cache : tuple
        From ``gru_forward``.

    Returns
    -------
    dx : ndarray of shape (N, T, D)
    dh0 : ndarray of shape (N, H)
    dW_xh, dW_hh, db_h, db_hn : ndarray of shape (D, 3H), (H, 3H), (3H,), (H,)
    """
    N, T, H = _check_cache(cache, "gru_forward")
    dh = as_shaped_float_array("dh", dh, (N, T, H), f"(N, T, H) = ({N}, {T}, {H})")
    projection_cache, recurrence_cache = cache
    dxw, dh0, grads = recurrence_backward(dh.transpose(1, 0, 2), recurrence_cache)  # time-major
    dx, dW_xh, db_h = temporal_affine_backward(dxw, projection_cache)  # backward of the projection
    return dx.transpose(1, 0, 2), dh0, dW_xh, grads["W_hh"], db_h, grads["b_hn"]


# ---------------------------------------------------------------- one time step


def gru_step_forward(x_t, h_prev, W_xh, W_hh, b_h, b_hn):
    """Run one time step of a GRU: (G1)-(G4).

    Parameters
    ----------
    x_t : ndarray of shape (N, D)
    h_prev : ndarray of shape (N, H)
    W_xh, W_hh, b_h, b_hn : ndarray of shape (D, 3H), (H, 3H), (3H,), (H,)

    Returns
    -------
    h_t : ndarray of shape (N, H)
    cache : tuple
        What ``gru_step_backward`` needs.

    Notes
    -----
    A step is a sequence of length one: this calls ``gru_forward``. Taught in
    ``notebooks/06_memory_and_gates.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> h, _ = gru_step_forward(np.ones((1, 1)), np.ones((1, 1)),
    ...                         np.zeros((1, 3)), np.zeros((1, 3)), np.zeros(3), np.zeros(1))
    >>> h  # z = σ(0) = 1/2, n = tanh(0) = 0: h_t = (h_prev + n) / 2
    array([[0.5]])
    """
    W_xh, W_hh, b_h, b_hn = _check_params(W_xh, W_hh, b_h, b_hn)
    D, H = W_xh.shape[0], W_hh.shape[0]
    x_t = as_shaped_float_array("x_t", x_t, (None, D), f"(N, D) with D={D}")
    h_prev = as_shaped_float_array("h_prev", h_prev, (len(x_t), H), f"(N, H) = ({len(x_t)}, {H})")
    h, cache = gru_forward(x_t[:, None], h_prev, W_xh, W_hh, b_h, b_hn)  # T = 1
    return h[:, 0], cache


def gru_step_backward(dh_t, cache):
    """Backpropagate through one time step: (G5)-(G8).

    Parameters
    ----------
    dh_t : ndarray of shape (N, H)
        Total gradient of the loss with respect to ``h_t``.
    cache : tuple
        From ``gru_step_forward``.

    Returns
    -------
    dx_t : ndarray of shape (N, D)
    dh_prev : ndarray of shape (N, H)
    dW_xh, dW_hh, db_h, db_hn : ndarray of shape (D, 3H), (H, 3H), (3H,), (H,)
    """
    N, T, H = _check_cache(cache, "gru_step_forward", step=True)
    dh_t = as_shaped_float_array("dh_t", dh_t, (N, H), f"(N, H) = ({N}, {H}) like h_t")
    dx, dh_prev, *grads = gru_backward(dh_t[:, None], cache)
    return dx[:, 0], dh_prev, *grads
