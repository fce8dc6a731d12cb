"""A vanilla RNN cell: forward pass and backpropagation through time (BPTT).

Shapes are batch-first with row vectors: ``x`` is (N, T, D), hidden states are
(N, T, H). The labelled equations below are the ones derived in
``notebooks/01_rnn_from_scratch.ipynb``:

    (R1)  a_t = x_t W_xh + h_{t-1} W_hh + b_h        pre-activation
    (R2)  h_t = tanh(a_t)        (or relu(a_t))
    (B1)  da_t = dh_t * (1 - h_t**2)   (relu: dh_t * [a_t > 0])
    (B2)  dx_t = da_t W_xh^T      dh_{t-1} = da_t W_hh^T
    (B3)  dW_xh += x_t^T da_t     dW_hh += h_{t-1}^T da_t     db_h += sum_n da_t

``dh_t`` in (B1) is the *total* gradient reaching h_t: from the loss at step t
plus what flows back from step t+1 through (B2).

How the work is split (the same for every cell in ``rnn_kit.cells``):

- the input term ``xw_t = x_t W_xh + b_h`` of (R1) does not depend on h, so it is
  computed for all steps at once by an input projection (``layers.temporal_affine_*``,
  or ``layers.embedding_projection_*`` for integer ids);
- ``recurrence_forward`` / ``recurrence_backward`` do the part that must go step by
  step. They are the one implementation of the recurrence: the step functions, the
  sequence functions and ``RNNModel`` all call them.

The cell interface (``lstm.py`` and ``gru.py`` offer the same names):
``NAME``, ``GATES``, ``param_shapes(D, H)``, ``init_params(D, H, rng, dtype)``,
``zero_state(N, H, dtype)``, ``check_state(name, state, N, H, dtype)``,
``recurrence_forward(xw, state0, params) -> (h, state_T, cache)`` and
``recurrence_backward(dh, cache) -> (dxw, dstate0, grads)``. The recurrence alone is
time-major: ``xw``, ``h``, ``dh`` and ``dxw`` are (T, N, .), so that each step reads and
writes contiguous blocks; everything around it is batch-first, and the callers switch with
``transpose(1, 0, 2)`` (a view, no copy).
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, as_shaped_float_array, check_nonempty, check_nonlinearity
from ..layers import temporal_affine_backward, temporal_affine_forward
from ..workspace import scratch
from .init import orthogonal

NAME = "rnn"
GATES = 1  # W_xh has shape (D, GATES * H)

# ---------------------------------------------------------------- the cell interface


def param_shapes(D: int, H: int) -> dict:
    """Every parameter of the cell and its shape."""
    return {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,)}


def init_params(D: int, H: int, rng: np.random.Generator, dtype) -> dict:
    """``W_xh ~ N(0, 1/D)`` keeps each pre-activation near unit variance; ``W_hh`` is a random
    orthogonal matrix, so at the start the recurrence neither shrinks nor blows up the state; ``b_h = 0``."""
    return {"W_xh": (rng.standard_normal((D, H)) / np.sqrt(D)).astype(dtype),  # (D, H)
            "W_hh": orthogonal(rng, H, dtype),  # (H, H)
            "b_h": np.zeros(H, dtype=dtype)}


def zero_state(N: int, H: int, dtype) -> np.ndarray:
    """The initial state h_0 = 0, shape (N, H)."""
    return np.zeros((N, H), dtype=dtype)


def check_state(name: str, state, N: int, H: int, dtype) -> np.ndarray:
    """A user-supplied initial state: finite floats of shape (N, H), cast to ``dtype``."""
    state = as_shaped_float_array(name, state, (N, H), f"(N, H) = ({N}, {H})")
    return state.astype(dtype, copy=False)


def recurrence_forward(xw, h0, params: dict, *, nonlinearity: str = "tanh", workspace=None):
    """h_t = f(xw_t + h_{t-1} W_hh) for t = 1..T, where ``xw`` (T, N, H) holds x_t W_xh + b_h.

    Time-major, like every cell's recurrence: step t reads ``xw[t]`` and writes ``h[t]``, each a contiguous
    (N, H) block. Unchecked (callers validate). Returns ``h`` (T, N, H), the final state h_T (N, H) and a
    cache. ``workspace`` (a dict, optional) keeps the big arrays between calls, see ``rnn_kit.workspace``.
    """
    W_hh = params["W_hh"]
    T, N, H = xw.shape
    hs = scratch(workspace, "rnn.h", (T + 1, N, H), np.result_type(xw, h0, W_hh))  # h_0 .. h_T, a block per step
    hs[0] = h0
    for t in range(T):
        a_t = hs[t + 1]  # computed in place, where h_t will live
        np.matmul(hs[t], W_hh, out=a_t)  # (N, H) @ (H, H) -> (N, H)
        a_t += xw[t]  # (R1): a_t = x_t W_xh + h_{t-1} W_hh + b_h
        if nonlinearity == "tanh":
            np.tanh(a_t, out=a_t)  # (R2)
        else:
            np.maximum(a_t, 0, out=a_t)  # (R2)
    return hs[1:], hs[-1].copy(), (hs, W_hh, nonlinearity, workspace)


def recurrence_backward(dh, cache):
    """BPTT through the recurrence: returns ``dxw`` (T, N, H), ``dh0`` (N, H) and ``{"W_hh": dW_hh}``.

    ``dh`` (T, N, H) is the gradient reaching each h_t from above. Only ``dh_{t-1} = da_t W_hh^T``
    (B2) is sequential; dW_hh (B3) sums over steps, so it is one matrix product after the loop,
    with the h_{t-1} rows of every step read straight from the stored h_0 .. h_{T-1}.
    ``dxw`` is da: the gradient of the input term of (R1).
    """
    hs, W_hh, nonlinearity, workspace = cache
    T, N, H = dh.shape
    da = scratch(workspace, "rnn.da", (T, N, H), np.result_type(dh, hs))
    dh_next = np.zeros((N, H), dtype=da.dtype)  # nothing flows back from beyond step T
    dact = np.empty((N, H), dtype=da.dtype)  # reused every step
    W_hh_T = np.ascontiguousarray(W_hh.T)
    for t in reversed(range(T)):
        da_t, h_t = da[t], hs[t + 1]
        np.add(dh[t], dh_next, out=da_t)  # total gradient reaching h_t
        if nonlinearity == "tanh":
            np.multiply(h_t, h_t, out=dact)
            np.subtract(1, dact, out=dact)  # tanh'(a_t) = 1 - h_t²
        else:
            np.greater(h_t, 0, out=dact)  # relu'(a_t) = [h_t > 0]
        da_t *= dact  # (B1)
        np.matmul(da_t, W_hh_T, out=dh_next)  # (B2): (N, H) @ (H, H) -> (N, H)
    dW_hh = hs[:-1].reshape(T * N, H).T @ da.reshape(T * N, H)  # (B3): (H, T*N) @ (T*N, H) -> (H, H)
    return da, dh_next, {"W_hh": dW_hh}


# ---------------------------------------------------------------- a whole sequence


def _check_params(W_xh, W_hh, b_h):
    W_xh = as_float_array("W_xh", W_xh, ndim=2)
    D, H = W_xh.shape
    W_hh = as_shaped_float_array("W_hh", W_hh, (H, H), f"(H, H) = ({H}, {H}) to match W_xh of shape {W_xh.shape}")
    b_h = as_shaped_float_array("b_h", b_h, (H,), f"(H,) = ({H},) to match W_xh of shape {W_xh.shape}")
    return W_xh, W_hh, b_h


def rnn_forward(x, h0, W_xh, W_hh, b_h, *, nonlinearity: str = "tanh"):
    """Run a vanilla RNN over a whole sequence: (R1)-(R2) for t = 1..T.

    Parameters
    ----------
    x : ndarray of shape (N, T, D)
        Input sequences, batch-first.
    h0 : ndarray of shape (N, H)
        Initial hidden state.
    W_xh : ndarray of shape (D, H)
    W_hh : ndarray of shape (H, H)
    b_h : ndarray of shape (H,)
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    h : ndarray of shape (N, T, H)
        Hidden state at every step; ``h[:, -1]`` is the last one.
    cache : tuple
        What ``rnn_backward`` needs.

    Notes
    -----
    The input projection ``x_t W_xh + b_h`` of every step is one ``temporal_affine_forward``;
    then ``recurrence_forward`` goes step by step. Equals
    ``torch.nn.RNN(D, H, batch_first=True)`` with ``weight_ih_l0 = W_xh.T``,
    ``weight_hh_l0 = W_hh.T``, ``bias_ih_l0 = b_h`` and a zero ``bias_hh_l0``
    (``tests/test_torch_equivalence.py``). Taught in ``notebooks/01_rnn_from_scratch.ipynb``.
    """
    check_nonlinearity(nonlinearity)
    W_xh, W_hh, b_h = _check_params(W_xh, W_hh, b_h)
    D, H = W_xh.shape
    x = as_shaped_float_array("x", x, (None, None, D), f"(N, T, D) with D={D}")
    N, T, _ = x.shape
    check_nonempty("x", x, axis=1)
    h0 = as_shaped_float_array("h0", h0, (N, H), f"(N, H) = ({N}, {H})")
    xw, projection_cache = temporal_affine_forward(x.transpose(1, 0, 2), W_xh, b_h)  # time-major (T, N, H)
    h, _, recurrence_cache = recurrence_forward(xw, h0, {"W_hh": W_hh}, nonlinearity=nonlinearity)
    return h.transpose(1, 0, 2), (projection_cache, recurrence_cache)  # (N, T, H), a view


def _check_cache(cache, what):
    ok = isinstance(cache, tuple) and len(cache) == 2 and isinstance(cache[1], tuple) and len(cache[1]) == 4
    if not ok:
        raise TypeError(f"cache must be the tuple returned by {what}")
    T1, N, H = cache[1][0].shape  # h_0 .. h_T: (T + 1, N, H)
    return N, T1 - 1, H


def rnn_backward(dh, cache):
    """Backpropagation through time over a whole sequence.

    Parameters
    ----------
    dh : ndarray of shape (N, T, H)
        Gradient of the loss with respect to every hidden state, as produced by
        the layer above (only the direct part, not what flows back in time).
    cache : tuple
        From ``rnn_forward``.

    Returns
    -------
    dx : ndarray of shape (N, T, D)
    dh0 : ndarray of shape (N, H)
    dW_xh : ndarray of shape (D, H)
    dW_hh : ndarray of shape (H, H)
    db_h : ndarray of shape (H,)

    Notes
    -----
    Walks the steps from last to first; at each step the gradient reaching
    ``h_t`` is ``dh[:, t]`` plus ``dh_prev`` carried back from step t+1.
    """
    N, T, H = _check_cache(cache, "rnn_forward")
    dh = as_shaped_float_array("dh", dh, (N, T, H), f"(N, T, H) = ({N}, {T}, {H})")
    projection_cache, recurrence_cache = cache
    dxw, dh0, grads = recurrence_backward(dh.transpose(1, 0, 2), recurrence_cache)  # time-major
    dx, dW_xh, db_h = temporal_affine_backward(dxw, projection_cache)  # (B2), (B3) summed over steps
    return dx.transpose(1, 0, 2), dh0, dW_xh, grads["W_hh"], db_h


# ---------------------------------------------------------------- one time step


def rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h, *, nonlinearity: str = "tanh"):
    """Run one time step of a vanilla RNN.

    Parameters
    ----------
    x_t : ndarray of shape (N, D)
        Inputs at this step.
    h_prev : ndarray of shape (N, H)
        Hidden state from the previous step.
    W_xh : ndarray of shape (D, H)
    W_hh : ndarray of shape (H, H)
    b_h : ndarray of shape (H,)
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    h_t : ndarray of shape (N, H)
        ``h_t = tanh(x_t W_xh + h_prev W_hh + b_h)``.
    cache : tuple
        What ``rnn_step_backward`` needs.

    Notes
    -----
    A step is a sequence of length one: this calls ``rnn_forward``, so the step, the
    sequence and the model share one recurrence. Taught in ``notebooks/01_rnn_from_scratch.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> h, _ = rnn_step_forward(np.ones((1, 2)), np.zeros((1, 3)),
    ...                         np.full((2, 3), 0.5), np.eye(3), np.zeros(3))
    >>> np.round(h, 4)
    array([[0.7616, 0.7616, 0.7616]])
    """
    D, H = as_float_array("W_xh", W_xh, ndim=2).shape
    x_t = as_shaped_float_array("x_t", x_t, (None, D), f"(N, D) with D={D}")
    h_prev = as_shaped_float_array("h_prev", h_prev, (len(x_t), H), f"(N, H) = ({len(x_t)}, {H})")
    h, cache = rnn_forward(x_t[:, None], h_prev, W_xh, W_hh, b_h, nonlinearity=nonlinearity)  # T = 1
    return h[:, 0], cache


def rnn_step_backward(dh_t, cache):
    """Backpropagate through one time step.

    Parameters
    ----------
    dh_t : ndarray of shape (N, H)
        Total gradient of the loss with respect to ``h_t``.
    cache : tuple
        From ``rnn_step_forward``.

    Returns
    -------
    dx_t : ndarray of shape (N, D)
    dh_prev : ndarray of shape (N, H)
    dW_xh : ndarray of shape (D, H)
    dW_hh : ndarray of shape (H, H)
    db_h : ndarray of shape (H,)
    """
    N, T, H = _check_cache(cache, "rnn_step_forward")
    dh_t = as_shaped_float_array("dh_t", dh_t, (N, H), f"(N, H) = ({N}, {H}) like h_t")
    dx, dh_prev, dW_xh, dW_hh, db_h = rnn_backward(dh_t[:, None], cache)
    return dx[:, 0], dh_prev, dW_xh, dW_hh, db_h
