"""Layers around the recurrence, as forward/backward pairs like ``cells/rnn.py``:

    (E1)  x_t = W_embed[ids_t]                   embedding: row lookup, no one-hot product
    (Y1)  y_t = h_t W_hy + b_y                   an affine map applied at every step (the output
                                                 layer, and the input term x_t W_xh + b_h of (R1))
    (E2)  xw_t = W_embed[ids_t] W_xh + b_h       (E1) then the input term, as one table lookup
    (L1)  h_last[n] = h[n, lengths[n] - 1]       the state after each sequence's last real step
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, as_int_array, as_shaped_float_array, check_bool

# ---------------------------------------------------------------- embedding

_ONE_HOT_LIMIT = 1 << 22  # entries of the temporary one-hot matrix in embedding_backward


def embedding_forward(ids, W_embed):
    """Look up one row of ``W_embed`` per integer id.

    Parameters
    ----------
    ids : ndarray of int, shape (N, T)
        Token ids in ``[0, V)``.
    W_embed : ndarray of shape (V, D)

    Returns
    -------
    x : ndarray of shape (N, T, D)
        ``x[n, t] = W_embed[ids[n, t]]`` (E1): the same as ``one_hot(ids) @ W_embed``.
    cache : tuple

    Notes
    -----
    Used by the character models of ``notebooks/02_hello_pytorch.ipynb``.
    """
    W_embed = as_float_array("W_embed", W_embed, ndim=2)
    ids = as_int_array("ids", ids, 0, W_embed.shape[0], ndim=2)
    return _embedding_forward(ids, W_embed)


def _embedding_forward(ids, W_embed):
    """Unchecked (E1)."""
    return W_embed[ids], (ids, W_embed.shape)  # (N, T) -> (N, T, D)


def embedding_backward(dx, cache):
    """Scatter-add the gradient of each looked-up row back into ``dW_embed``.

    Parameters
    ----------
    dx : ndarray of shape (N, T, D)
    cache : tuple
        From ``embedding_forward``.

    Returns
    -------
    dW_embed : ndarray of shape (V, D)
        Rows of ids that never occurred are zero; an id used twice gets both gradients.
    """
    ids, (V, D) = cache
    dx = as_shaped_float_array("dx", dx, (*ids.shape, D), f"(N, T, D) = {(*ids.shape, D)}")
    return _embedding_backward(dx, cache)


def _embedding_backward(dx, cache):
    """Unchecked backward of (E1)."""
    ids, (V, D) = cache
    flat_ids, dx_rows = ids.ravel(), dx.reshape(-1, D)  # (N*T,), (N*T, D)
    if V * flat_ids.size <= _ONE_HOT_LIMIT:  # small vocabularies: one BLAS product is fastest
        one_hot_T = np.zeros((V, flat_ids.size), dtype=dx.dtype)  # (V, N*T)
        one_hot_T[flat_ids, np.arange(flat_ids.size)] = 1
        return one_hot_T @ dx_rows  # (V, N*T) @ (N*T, D) -> (V, D): rows of repeated ids add up
    dW_embed = np.zeros((V, D), dtype=dx.dtype)
    np.add.at(dW_embed, flat_ids, dx_rows)  # large vocabularies: scatter-add without a (V, N*T) matrix
    return dW_embed


# ---------------------------------------------------------------- time-distributed affine


def temporal_affine_forward(h, W_hy, b_y):
    """Apply the same affine map to the hidden state at every time step.

    Parameters
    ----------
    h : ndarray of shape (N, T, H)
    W_hy : ndarray of shape (H, O)
    b_y : ndarray of shape (O,)

    Returns
    -------
    y : ndarray of shape (N, T, O)
        ``y_t = h_t W_hy + b_y`` (Y1).
    cache : tuple

    Notes
    -----
    The model uses it twice: as the output layer, and as the input projection
    ``x_t W_xh + b_h`` that every cell needs for all steps before its recurrence.
    """
    W_hy = as_float_array("W_hy", W_hy, ndim=2)
    H, O = W_hy.shape
    b_y = as_shaped_float_array("b_y", b_y, (O,), f"(O,) = ({O},) to match W_hy of shape {W_hy.shape}")
    h = as_shaped_float_array("h", h, (None, None, H), f"(N, T, H) with H={H}")
    return _affine_forward(h, W_hy, b_y)


def _affine_forward(h, W_hy, b_y):
    """Unchecked (Y1)."""
    N, T, H = h.shape
    y = (h.reshape(N * T, H) @ W_hy).reshape(N, T, -1)  # (N*T, H) @ (H, O) -> (N, T, O): one BLAS product
    y += b_y
    return y, (h, W_hy)


def temporal_affine_backward(dy, cache, input_grad=True):
    """Backward of ``temporal_affine_forward``.

    Parameters
    ----------
    dy : ndarray of shape (N, T, O)
    cache : tuple
    input_grad : bool, default True
        False when the input is data that nothing upstream learns from (the model's real-valued
        inputs): ``dh`` is then not computed and ``None`` is returned in its place, which saves
        the (N*T, O) @ (O, H) product.

    Returns
    -------
    dh : ndarray of shape (N, T, H), or None when ``input_grad`` is False
    dW_hy : ndarray of shape (H, O)
    db_y : ndarray of shape (O,)
    """
    h, W_hy = cache
    dy = as_shaped_float_array("dy", dy, (*h.shape[:2], W_hy.shape[1]), f"(N, T, O) = {(*h.shape[:2], W_hy.shape[1])}")
    return _affine_backward(dy, cache, check_bool("input_grad", input_grad))


def _affine_backward(dy, cache, input_grad=True):
    """Unchecked backward of (Y1)."""
    h, W_hy = cache
    H, O = W_hy.shape
    dy_rows = dy.reshape(-1, O)  # (N*T, O)
    dh = (dy_rows @ W_hy.T).reshape(h.shape) if input_grad else None  # (N*T, O) @ (O, H) -> (N, T, H)
    dW_hy = h.reshape(-1, H).T @ dy_rows  # (H, N*T) @ (N*T, O) -> (H, O)
    db_y = dy_rows.sum(axis=0)
    return dh, dW_hy, db_y


# ---------------------------------------------------------------- embedding and input projection, fused


def embedding_projection_forward(ids, W_embed, W_xh, b_h):
    """The input term of the recurrence for integer ids: ``W_embed[ids_t] W_xh + b_h`` (E2).

    Parameters
    ----------
    ids : ndarray of int, shape (N, T)
    W_embed : ndarray of shape (V, D)
    W_xh : ndarray of shape (D, G)
        G = GATES * H columns (H for the RNN, 4H for the LSTM, 3H for the GRU).
    b_h : ndarray of shape (G,)

    Returns
    -------
    xw : ndarray of shape (N, T, G)
    cache : tuple

    Notes
    -----
    Equals ``embedding_forward`` followed by ``temporal_affine_forward(x, W_xh, b_h)``, but
    ``W_embed[id] W_xh`` is row ``id`` of the (V, G) table ``W_embed W_xh``: one (V, D) @ (D, G)
    product replaces an (N*T, D) @ (D, G) one, which is much smaller when N*T exceeds V, as it
    does for a character model. ``tests/test_layers.py`` checks both the equality and the
    gradients. Used inside ``RNNModel`` whenever it has a ``vocab_size``.
    """
    W_embed = as_float_array("W_embed", W_embed, ndim=2)
    V, D = W_embed.shape
    W_xh = as_shaped_float_array("W_xh", W_xh, (D, None),
                                 f"(D, G) with D={D} to match W_embed of shape {W_embed.shape}")
    b_h = as_shaped_float_array("b_h", b_h, (W_xh.shape[1],),
                                f"(G,) = ({W_xh.shape[1]},) to match W_xh of shape {W_xh.shape}")
    ids = as_int_array("ids", ids, 0, V, ndim=2)
    table = W_embed @ W_xh  # (V, D) @ (D, G) -> (V, G)
    xw, lookup_cache = _embedding_forward(ids, table)  # (E1) on the table: (N, T) -> (N, T, G)
    xw += b_h
    return xw, (lookup_cache, W_embed, W_xh)


def embedding_projection_backward(dxw, cache):
    """Backward of ``embedding_projection_forward``.

    Parameters
    ----------
    dxw : ndarray of shape (N, T, G)
    cache : tuple

    Returns
    -------
    dW_embed : ndarray of shape (V, D)
    dW_xh : ndarray of shape (D, G)
    db_h : ndarray of shape (G,)
    """
    lookup_cache, W_embed, W_xh = cache
    ids = lookup_cache[0]
    dxw = as_shaped_float_array("dxw", dxw, (*ids.shape, W_xh.shape[1]), f"(N, T, G) = {(*ids.shape, W_xh.shape[1])}")
    dtable = _embedding_backward(dxw, lookup_cache)  # (V, G): dxw summed per input id
    dW_xh = W_embed.T @ dtable  # (D, V) @ (V, G) -> (D, G)
    dW_embed = dtable @ W_xh.T  # (V, G) @ (G, D) -> (V, D)
    return dW_embed, dW_xh, dxw.sum(axis=(0, 1))


# ---------------------------------------------------------------- the last real step of each sequence


def last_step_forward(h, lengths=None):
    """Pick each sequence's hidden state after its last real (unpadded) step (L1).

    Parameters
    ----------
    h : ndarray of shape (N, T, H)
    lengths : ndarray of int, shape (N,), optional
        Real steps of each row, ``1 <= lengths[n] <= T``; default: every row has T.

    Returns
    -------
    h_last : ndarray of shape (N, H)
    cache : tuple

    Notes
    -----
    A right-padded sequence never reads its padding before its last real step, so
    ``h[n, lengths[n] - 1]`` is exactly what ``pack_padded_sequence`` gives PyTorch.
    The many-to-one head of ``RNNModel(head="last")``; taught in
    ``notebooks/07_classification.ipynb``.
    """
    h = as_float_array("h", h, ndim=3)
    N, T, H = h.shape
    if lengths is None:
        lengths = np.full(N, T, dtype=np.int64)
    lengths = as_int_array("lengths", lengths, 1, T + 1, ndim=1)
    if lengths.shape != (N,):
        raise ValueError(f"lengths must have shape (N,) = ({N},), one length per sequence, got {lengths.shape}")
    return h[np.arange(N), lengths - 1], (h.shape, lengths)  # (N, H)


def last_step_backward(dh_last, cache):
    """Backward of ``last_step_forward``: ``dh`` (N, T, H), zero except at each last real step."""
    (N, T, H), lengths = cache
    dh_last = as_shaped_float_array("dh_last", dh_last, (N, H), f"(N, H) = ({N}, {H})")
    dh = np.zeros((N, T, H), dtype=dh_last.dtype)
    dh[np.arange(N), lengths - 1] = dh_last
    return dh
