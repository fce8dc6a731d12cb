"""Scratch arrays reused between training steps: same numbers, no array a caller keeps is overwritten."""

import numpy as np
import pytest

from rnn_kit import RNNModel
from rnn_kit.cells import CELLS
from rnn_kit.workspace import scratch


def test_scratch_reuses_an_array_only_when_shape_and_dtype_match():
    assert scratch(None, "a", (2, 3), np.float32) is not scratch(None, "a", (2, 3), np.float32)
    ws = {}
    a = scratch(ws, "a", (2, 3), np.float32)
    assert a.shape == (2, 3) and a.dtype == np.float32 and ws["a"] is a
    assert scratch(ws, "a", (2, 3), np.float32) is a
    b = scratch(ws, "a", (3, 2), np.float32)
    assert b is not a and ws["a"] is b and b.shape == (3, 2)
    c = scratch(ws, "a", (3, 2), np.float64)
    assert c is not b and c.dtype == np.float64
    assert scratch(ws, "b", (3, 2), np.float64) is not c  # names are separate


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_recurrence_with_a_workspace_gives_the_same_numbers(rng, cell):
    module = CELLS[cell]
    T, N, H = 4, 3, 5
    params = module.init_params(2, H, rng, np.float64)
    ws = {}
    for _ in range(2):  # the second call reuses the first call's arrays
        xw = rng.standard_normal((T, N, module.GATES * H))
        state0 = module.zero_state(N, H, np.float64)
        dh = rng.standard_normal((T, N, H))
        h, _, cache = module.recurrence_forward(xw, state0, params)
        dxw, _, grads = module.recurrence_backward(dh, cache)
        h_ws, _, cache_ws = module.recurrence_forward(xw, state0, params, workspace=ws)
        np.testing.assert_array_equal(h_ws, h)
        dxw_ws, _, grads_ws = module.recurrence_backward(dh, cache_ws)
        np.testing.assert_array_equal(dxw_ws, dxw)
        for name in grads:
            np.testing.assert_array_equal(grads_ws[name], grads[name])
    assert ws, "the recurrence kept nothing in its workspace"


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_training_steps_reuse_the_workspace_and_match_a_fresh_model(rng, cell):
    V, N, T = 7, 3, 6
    model = RNNModel(4, 5, V, vocab_size=V, cell=cell, rng=0)
    fresh = RNNModel(4, 5, V, vocab_size=V, cell=cell, rng=0)
    first = model.loss_and_grads(rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T)))
    kept = {name: id(array) for name, array in model._workspace.items()}
    assert kept, "loss_and_grads used no workspace"
    x, y = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
    loss, grads, _ = model.loss_and_grads(x, y)
    assert {name: id(array) for name, array in model._workspace.items()} == kept  # reused, not reallocated
    want_loss, want_grads, _ = fresh.loss_and_grads(x, y)
    assert loss == want_loss and loss != first[0]
    for name in want_grads:
        np.testing.assert_array_equal(grads[name], want_grads[name])


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_arrays_returned_by_forward_are_never_overwritten(rng, cell):
    V = 7
    model = RNNModel(4, 5, V, vocab_size=V, cell=cell, rng=0)
    x = rng.integers(0, V, (2, 6))
    y, h = model.forward(x)
    y_copy, h_copy = y.copy(), h.copy()
    model.loss_and_grads(rng.integers(0, V, (2, 6)), rng.integers(0, V, (2, 6)))
    model.run(rng.integers(0, V, (2, 6)))
    np.testing.assert_array_equal(h, h_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_a_new_batch_shape_gets_new_arrays(rng):
    V = 7
    model = RNNModel(4, 5, V, vocab_size=V, rng=0)
    fresh = RNNModel(4, 5, V, vocab_size=V, rng=0)
    model.loss_and_grads(rng.integers(0, V, (2, 6)), rng.integers(0, V, (2, 6)))
    x, y = rng.integers(0, V, (3, 4)), rng.integers(0, V, (3, 4))  # other N and T
    loss, grads, _ = model.loss_and_grads(x, y)
    want_loss, want_grads, _ = fresh.loss_and_grads(x, y)
    assert loss == want_loss
    np.testing.assert_array_equal(grads["W_hh"], want_grads["W_hh"])
