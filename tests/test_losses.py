"""losses.py: cross-entropy and MSE with their gradients."""

import numpy as np
import pytest

from rnn_kit import mse_loss, numerical_gradient, rel_error, softmax, softmax_cross_entropy


def test_cross_entropy_fixed_value():
    logits = np.array([[[0.0, 0.0, 0.0, 0.0]]])
    loss, d = softmax_cross_entropy(logits, np.array([[2]]))
    assert loss == pytest.approx(np.log(4))
    np.testing.assert_allclose(d[0, 0], [0.25, 0.25, -0.75, 0.25])


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[[1000.0, 0.0, -1000.0]]])
    loss, d = softmax_cross_entropy(logits, np.array([[0]]))
    assert loss == pytest.approx(0.0) and np.all(np.isfinite(d))
    loss, _ = softmax_cross_entropy(logits, np.array([[2]]))
    assert loss == pytest.approx(2000.0)


@pytest.mark.parametrize("use_mask", [False, True])
def test_cross_entropy_gradient(rng, use_mask):
    logits = rng.standard_normal((3, 4, 5))
    targets = rng.integers(0, 5, (3, 4))
    mask = (rng.random((3, 4)) > 0.4).astype(float) if use_mask else None
    if mask is not None:
        mask[0, 0] = 1
    loss, d = softmax_cross_entropy(logits, targets, mask)
    num = numerical_gradient(lambda: softmax_cross_entropy(logits, targets, mask)[0], logits)
    assert rel_error(d, num) < 1e-7


def test_mask_excludes_padding(rng):
    logits = rng.standard_normal((1, 3, 4))
    full, _ = softmax_cross_entropy(logits[:, :2], np.array([[1, 2]]))
    masked, d = softmax_cross_entropy(logits, np.array([[1, 2, 3]]), mask=np.array([[1, 1, 0]]))
    assert masked == pytest.approx(full)
    np.testing.assert_array_equal(d[0, 2], 0)


def test_mse_fixed_value_and_gradient(rng):
    loss, d = mse_loss(np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0]))
    assert loss == pytest.approx((0 + 4 + 9) / 3)
    np.testing.assert_allclose(d, [0, 4 / 3, 2])
    pred, target = rng.standard_normal((2, 3, 1)), rng.standard_normal((2, 3, 1))
    num = numerical_gradient(lambda: mse_loss(pred, target)[0], pred)
    assert rel_error(mse_loss(pred, target)[1], num) < 1e-7


def test_softmax_temperature():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(z).sum(), 1.0)
    assert softmax(z, temperature=1e-6)[2] == pytest.approx(1.0)
    np.testing.assert_allclose(softmax(z, temperature=1e6), 1 / 3, atol=1e-6)
    with pytest.raises(ValueError, match=r"temperature must be > 0, got 0"):
        softmax(z, temperature=0)


@pytest.mark.parametrize(
    "logits, targets, mask, exc, message",
    [
        (np.zeros((2, 3)), np.array([0, 3]), None, ValueError, r"targets must lie in \[0, 3\), got values from 0 to 3"),
        (np.zeros((2, 3)), np.array([0, -1]), None, ValueError, r"targets must lie in \[0, 3\)"),
        (np.zeros((2, 3)), np.array([0.5, 1]), None, TypeError, r"targets must hold integer ids, got dtype float64"),
        (np.zeros((2, 3)), np.array([0, 1, 2]), None, ValueError, r"targets must have shape \(2,\) \(logits without V\), got \(3,\)"),
        (np.zeros((0, 3)), np.zeros(0, int), None, ValueError, r"targets must not be empty"),
        (np.full((2, 3), np.nan), np.array([0, 1]), None, ValueError, r"logits must be finite"),
        (np.zeros((2, 3)), np.array([0, 1]), np.zeros(2), ValueError, r"mask must select at least one position"),
        (np.zeros((2, 3)), np.array([0, 1]), np.ones(3), ValueError, r"mask must have shape \(2,\) like targets, got \(3,\)"),
    ],
)
def test_cross_entropy_rejects_bad_input(logits, targets, mask, exc, message):
    with pytest.raises(exc, match=message):
        softmax_cross_entropy(logits, targets, mask)


def test_mse_rejects_bad_input():
    with pytest.raises(ValueError, match=r"pred and target must have the same shape, got \(3,\) and \(3, 1\)"):
        mse_loss(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"target must be finite"):
        mse_loss(np.zeros(2), np.array([0.0, np.inf]))
    with pytest.raises(ValueError, match=r"pred must not be empty"):
        mse_loss(np.zeros(0), np.zeros(0))


def test_softmax_rejects_bad_axis_and_empty_input():
    with pytest.raises(ValueError, match=r"axis must be in \[-2, 2\) for a 2-d array, got 2"):
        softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match=r"axis must be an integer, got float"):
        softmax(np.zeros(3), axis=0.0)
    with pytest.raises(ValueError, match=r"z must be a non-empty array of at least 1 dimension, got shape \(0,\)"):
        softmax(np.zeros(0))


def test_negative_mask_weights_are_refused():
    with pytest.raises(ValueError, match=r"mask must hold weights >= 0 \(1 counts, 0 is padding\), got minimum -1.0"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), mask=np.array([-1.0, 2.0]))


def test_mse_gradient_has_the_prediction_dtype():
    pred = np.ones((2, 3), dtype=np.float32)
    loss, d = mse_loss(pred, np.zeros((2, 3)))  # float64 targets
    assert d.dtype == np.float32 and loss == pytest.approx(1.0)
