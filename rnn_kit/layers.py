"""Layers around the RNN: an embedding lookup and a time-distributed affine output.

Both come as forward/backward pairs, like ``rnn.py``:

    (E1)  x_t = W_embed[ids_t]                   embedding: row lookup, no one-hot product
    (Y1)  y_t = h_t W_hy + b_y                   output layer, applied at every step
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, as_int_array, check_shape

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
    dx = as_float_array("dx", dx, ndim=3)
    check_shape("dx", dx, (*ids.shape, D), f"(N, T, D) = {(*ids.shape, D)}")
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
    """
    W_hy = as_float_array("W_hy", W_hy, ndim=2)
    H, O = W_hy.shape
    b_y = as_float_array("b_y", b_y, ndim=1)
    check_shape("b_y", b_y, (O,), f"(O,) = ({O},) to match W_hy of shape {W_hy.shape}")
    h = as_float_array("h", h, ndim=3)
    check_shape("h", h, (None, None, H), f"(N, T, H) with H={H}")
    return _affine_forward(h, W_hy, b_y)


def _affine_forward(h, W_hy, b_y):
    """Unchecked (Y1)."""
    return h @ W_hy + b_y, (h, W_hy)  # (N, T, H) @ (H, O) -> (N, T, O)


def temporal_affine_backward(dy, cache):
    """Backward of ``temporal_affine_forward``.

    Parameters
    ----------
    dy : ndarray of shape (N, T, O)
    cache : tuple

    Returns
    -------
    dh : ndarray of shape (N, T, H)
    dW_hy : ndarray of shape (H, O)
    db_y : ndarray of shape (O,)
    """
    h, W_hy = cache
    dy = as_float_array("dy", dy, ndim=3)
    check_shape("dy", dy, (*h.shape[:2], W_hy.shape[1]), f"(N, T, O) = {(*h.shape[:2], W_hy.shape[1])}")
    return _affine_backward(dy, cache)


def _affine_backward(dy, cache):
    """Unchecked backward of (Y1)."""
    h, W_hy = cache
    H, O = W_hy.shape
    dh = dy @ W_hy.T  # (N, T, O) @ (O, H) -> (N, T, H)
    dW_hy = h.reshape(-1, H).T @ dy.reshape(-1, O)  # (H, N*T) @ (N*T, O) -> (H, O)
    db_y = dy.reshape(-1, O).sum(axis=0)
    return dh, dW_hy, db_y
