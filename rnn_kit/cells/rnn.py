"""A vanilla RNN layer: forward pass and backpropagation through time (BPTT).

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

The step functions are the reference; the sequence functions compute the same
numbers (``tests/test_rnn.py`` checks they equal a loop of steps) but take every
product that does not depend on the previous step out of the time loop.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_nonempty, check_nonlinearity, check_shape

# ---------------------------------------------------------------- one time step


def _step_forward(x_t, h_prev, W_xh, W_hh, b_h, nonlinearity):
    """Unchecked (R1)-(R2); see ``rnn_step_forward``."""
    a_t = x_t @ W_xh + h_prev @ W_hh + b_h  # (R1): (N, D)@(D, H) + (N, H)@(H, H) + (H,) -> (N, H)
    h_t = np.tanh(a_t) if nonlinearity == "tanh" else np.maximum(a_t, 0)  # (R2)
    return h_t, (x_t, h_prev, h_t, W_xh, W_hh, nonlinearity)


def _step_backward(dh_t, cache):
    """Unchecked (B1)-(B3); see ``rnn_step_backward``."""
    x_t, h_prev, h_t, W_xh, W_hh, nonlinearity = cache
    if nonlinearity == "tanh":
        da_t = dh_t * (1 - h_t * h_t)  # (B1) backprop through tanh: tanh' = 1 - tanh^2
    else:
        da_t = dh_t * (h_t > 0)  # (B1) backprop through relu: h_t > 0 exactly where a_t > 0
    dx_t = da_t @ W_xh.T  # (B2): (N, H) @ (H, D) -> (N, D)
    dh_prev = da_t @ W_hh.T  # (B2): (N, H) @ (H, H) -> (N, H)
    dW_xh = x_t.T @ da_t  # (B3): (D, N) @ (N, H) -> (D, H)
    dW_hh = h_prev.T @ da_t  # (B3): (H, N) @ (N, H) -> (H, H)
    db_h = da_t.sum(axis=0)  # (B3): (N, H) -> (H,)
    return dx_t, dh_prev, dW_xh, dW_hh, db_h


def _check_params(W_xh, W_hh, b_h):
    W_xh = as_float_array("W_xh", W_xh, ndim=2)
    D, H = W_xh.shape
    W_hh = as_float_array("W_hh", W_hh, ndim=2)
    check_shape("W_hh", W_hh, (H, H), f"(H, H) = ({H}, {H}) to match W_xh of shape {W_xh.shape}")
    b_h = as_float_array("b_h", b_h, ndim=1)
    check_shape("b_h", b_h, (H,), f"(H,) = ({H},) to match W_xh of shape {W_xh.shape}")
    return W_xh, W_hh, b_h


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
    Taught in ``notebooks/01_rnn_from_scratch.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> h, _ = rnn_step_forward(np.ones((1, 2)), np.zeros((1, 3)),
    ...                         np.full((2, 3), 0.5), np.eye(3), np.zeros(3))
    >>> np.round(h, 4)
    array([[0.7616, 0.7616, 0.7616]])
    """
    check_nonlinearity(nonlinearity)
    W_xh, W_hh, b_h = _check_params(W_xh, W_hh, b_h)
    D, H = W_xh.shape
    x_t = as_float_array("x_t", x_t, ndim=2)
    check_shape("x_t", x_t, (None, D), f"(N, D) with D={D}")
    h_prev = as_float_array("h_prev", h_prev, ndim=2)
    check_shape("h_prev", h_prev, (x_t.shape[0], H), f"(N, H) = ({x_t.shape[0]}, {H})")
    return _step_forward(x_t, h_prev, W_xh, W_hh, b_h, nonlinearity)


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
    if not isinstance(cache, tuple) or len(cache) != 6:
        raise TypeError("cache must be the tuple returned by rnn_step_forward")
    h_t = cache[2]
    dh_t = as_float_array("dh_t", dh_t, ndim=2)
    check_shape("dh_t", dh_t, h_t.shape, f"(N, H) = {h_t.shape} like h_t")
    return _step_backward(dh_t, cache)


# ---------------------------------------------------------------- a whole sequence


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
    Equals ``torch.nn.RNN(D, H, batch_first=True)`` with
    ``weight_ih_l0 = W_xh.T``, ``weight_hh_l0 = W_hh.T``, ``bias_ih_l0 = b_h`` and
    a zero ``bias_hh_l0`` (``tests/test_torch_equivalence.py``). Taught in
    ``notebooks/01_rnn_from_scratch.ipynb``.
    """
    check_nonlinearity(nonlinearity)
    W_xh, W_hh, b_h = _check_params(W_xh, W_hh, b_h)
    D, H = W_xh.shape
    x = as_float_array("x", x, ndim=3)
    check_shape("x", x, (None, None, D), f"(N, T, D) with D={D}")
    N, T, _ = x.shape
    check_nonempty("x", x, axis=1)
    h0 = as_float_array("h0", h0, ndim=2)
    check_shape("h0", h0, (N, H), f"(N, H) = ({N}, {H})")
    return _forward(x, h0, W_xh, W_hh, b_h, nonlinearity)


def _forward(x, h0, W_xh, W_hh, b_h, nonlinearity):
    """Unchecked sequence forward; see ``rnn_forward``.

    Same arithmetic as looping ``rnn_step_forward``, arranged for speed: the input
    term ``x_t W_xh + b_h`` of (R1) does not depend on h, so it is computed for all
    steps in one matrix product; only the recurrence has to go step by step.
    """
    N, T, D = x.shape
    xw = (x.reshape(N * T, D) @ W_xh).reshape(N, T, -1)  # (N*T, D) @ (D, H) -> (N, T, H)
    xw += b_h
    h = _recurrence(xw, h0, W_hh, nonlinearity)
    return h, (x, h0, h, W_xh, W_hh, nonlinearity)


def _recurrence(xw, h0, W_hh, nonlinearity):
    """h_t = f(xw_t + h_{t-1} W_hh) for t = 1..T, where ``xw`` (N, T, H) holds x_t W_xh + b_h."""
    h = np.empty(xw.shape, dtype=np.result_type(xw, h0, W_hh))  # (N, T, H)
    h_prev = h0
    for t in range(xw.shape[1]):
        a_t = h[:, t]  # a view: the step is computed in place, where h_t will live
        np.matmul(h_prev, W_hh, out=a_t)  # (N, H) @ (H, H) -> (N, H)
        a_t += xw[:, t]  # (R1): a_t = x_t W_xh + h_{t-1} W_hh + b_h
        if nonlinearity == "tanh":
            np.tanh(a_t, out=a_t)  # (R2)
        else:
            np.maximum(a_t, 0, out=a_t)  # (R2)
        h_prev = a_t
    return h


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
    if not isinstance(cache, tuple) or len(cache) != 6 or np.ndim(cache[2]) != 3:
        raise TypeError("cache must be the tuple returned by rnn_forward")
    N, T, H = cache[2].shape
    dh = as_float_array("dh", dh, ndim=3)
    check_shape("dh", dh, (N, T, H), f"(N, T, H) = ({N}, {T}, {H})")
    return _backward(dh, cache)


def _backward(dh, cache):
    """Unchecked BPTT; see ``rnn_backward``.

    Same arithmetic as looping ``rnn_step_backward``, arranged for speed: only
    ``dh_{t-1} = da_t W_hh^T`` (B2) is sequential. The other gradients (B2)-(B3)
    sum over steps, so they are computed after the loop as one matrix product each.
    """
    x, h0, h, W_xh, W_hh, nonlinearity = cache
    N, T, D = x.shape
    da, dh0, dW_hh = _recurrence_backward(dh, h0, h, W_hh, nonlinearity)
    da_flat = da.reshape(N * T, -1)  # every (n, t) pair as a row
    dx = (da_flat @ W_xh.T).reshape(N, T, D)  # (B2): (N*T, H) @ (H, D) -> (N, T, D)
    dW_xh = x.reshape(N * T, D).T @ da_flat  # (B3) summed over n, t: (D, N*T) @ (N*T, H) -> (D, H)
    return dx, dh0, dW_xh, dW_hh, da_flat.sum(axis=0)  # db_h (B3)


def _recurrence_backward(dh, h0, h, W_hh, nonlinearity):
    """BPTT through the recurrence alone: returns da (N, T, H), dh0 and dW_hh."""
    N, T, H = h.shape
    da = np.empty((N, T, H), dtype=np.result_type(dh, h))
    dh_next = np.zeros((N, H), dtype=da.dtype)  # nothing flows back from beyond step T
    W_hh_T = np.ascontiguousarray(W_hh.T)
    # (B1) the derivative of the nonlinearity at every step, in one vectorised operation
    dact = 1 - h * h if nonlinearity == "tanh" else (h > 0).astype(da.dtype)  # tanh' / relu'
    for t in reversed(range(T)):
        da_t = da[:, t]
        np.add(dh[:, t], dh_next, out=da_t)  # total gradient reaching h_t
        da_t *= dact[:, t]  # (B1) backprop through tanh / relu
        dh_next = da_t @ W_hh_T  # (B2): (N, H) @ (H, H) -> (N, H)
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1).reshape(N * T, H)  # h_{t-1} rows
    dW_hh = h_prev.T @ da.reshape(N * T, H)  # (B3): (H, N*T) @ (N*T, H) -> (H, H)
    return da, dh_next, dW_hh
