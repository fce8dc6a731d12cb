"""layers.py: embedding and time-distributed affine."""

import numpy as np
import pytest

from rnn_kit import (
    embedding_backward,
    embedding_forward,
    numerical_gradient_array,
    rel_error,
    temporal_affine_backward,
    temporal_affine_forward,
)


def test_embedding_equals_one_hot_product(rng):
    W = rng.standard_normal((6, 3))
    ids = np.array([[0, 5, 5], [2, 1, 0]])
    x, _ = embedding_forward(ids, W)
    np.testing.assert_array_equal(x, np.eye(6)[ids] @ W)


def test_embedding_backward_accumulates_repeated_ids():
    W = np.linspace(-1, 1, 12).reshape(4, 3)
    ids = np.array([[1, 1, 3]])
    _, cache = embedding_forward(ids, W)
    dW = embedding_backward(np.ones((1, 3, 3)), cache)
    np.testing.assert_array_equal(dW, [[0, 0, 0], [2, 2, 2], [0, 0, 0], [1, 1, 1]])


def test_embedding_backward_large_vocabulary_path(rng, monkeypatch):
    import rnn_kit.layers as layers

    W = rng.standard_normal((9, 2))
    ids = rng.integers(0, 9, (3, 5))
    _, cache = embedding_forward(ids, W)
    dx = rng.standard_normal((3, 5, 2))
    small = embedding_backward(dx, cache)
    monkeypatch.setattr(layers, "_ONE_HOT_LIMIT", 0)
    np.testing.assert_allclose(embedding_backward(dx, cache), small, rtol=1e-12)


def test_embedding_backward_matches_finite_differences(rng):
    W = rng.standard_normal((5, 4))
    ids = rng.integers(0, 5, (3, 4))
    x, cache = embedding_forward(ids, W)
    dx = rng.standard_normal(x.shape)
    num = numerical_gradient_array(lambda: embedding_forward(ids, W)[0], W, dx)
    assert rel_error(embedding_backward(dx, cache), num) < 1e-7


@pytest.mark.parametrize("N,T", [(1, 1), (2, 4)])
def test_affine_backward_matches_finite_differences(rng, N, T):
    H, O = 4, 3
    h, W, b = rng.standard_normal((N, T, H)), rng.standard_normal((H, O)), rng.standard_normal(O)
    y, cache = temporal_affine_forward(h, W, b)
    dy = rng.standard_normal(y.shape)
    dh, dW, db = temporal_affine_backward(dy, cache)

    def f():
        return temporal_affine_forward(h, W, b)[0]

    for analytic, wrt in [(dh, h), (dW, W), (db, b)]:
        assert rel_error(analytic, numerical_gradient_array(f, wrt, dy)) < 1e-7


def test_affine_backward_without_input_grad_skips_only_dh(rng):
    h, W, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    _, cache = temporal_affine_forward(h, W, b)
    dy = rng.standard_normal((2, 3, 5))
    _, dW, db = temporal_affine_backward(dy, cache)
    dh, dW_only, db_only = temporal_affine_backward(dy, cache, input_grad=False)
    assert dh is None
    np.testing.assert_array_equal(dW_only, dW)
    np.testing.assert_array_equal(db_only, db)
    with pytest.raises(TypeError, match="input_grad must be True or False, got str"):
        temporal_affine_backward(dy, cache, input_grad="no")


def test_affine_fixed_values():
    h = np.linspace(-1, 1, 2 * 3 * 2).reshape(2, 3, 2)
    W = np.linspace(0.5, -0.5, 2 * 3).reshape(2, 3)
    b = np.array([0.1, 0.0, -0.1])
    y, _ = temporal_affine_forward(h, W, b)
    np.testing.assert_allclose(y[0, 0], [-1 * 0.5 + (-9 / 11) * (-0.1) + 0.1,
                                         -1 * 0.3 + (-9 / 11) * (-0.3),
                                         -1 * 0.1 + (-9 / 11) * (-0.5) - 0.1])
    assert y.shape == (2, 3, 3)


def test_layers_reject_bad_input():
    W = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 4\), got values from 0 to 4"):
        embedding_forward(np.array([[0, 4]]), W)
    with pytest.raises(TypeError, match=r"ids must hold integer ids, got dtype float64"):
        embedding_forward(np.array([[0.5]]), W)
    with pytest.raises(ValueError, match=r"ids must be 2-d, got shape \(3,\)"):
        embedding_forward(np.array([0, 1, 2]), W)
    with pytest.raises(ValueError, match=r"h must have shape \(N, T, H\) with H=4, got \(1, 2, 3\)"):
        temporal_affine_forward(np.ones((1, 2, 3)), W, np.zeros(3))
    with pytest.raises(ValueError, match=r"b_y must have shape \(O,\) = \(3,\)"):
        temporal_affine_forward(np.ones((1, 2, 4)), W, np.zeros(2))
    _, cache = temporal_affine_forward(np.ones((1, 2, 4)), W, np.zeros(3))
    with pytest.raises(ValueError, match=r"dy must have shape \(N, T, O\) = \(1, 2, 3\), got \(1, 2, 4\)"):
        temporal_affine_backward(np.ones((1, 2, 4)), cache)
