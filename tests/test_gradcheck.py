"""gradcheck.py: the checker itself is checked on functions with known gradients."""

import numpy as np
import pytest

from rnn_kit import numerical_gradient, numerical_gradient_array, rel_error


def test_numerical_gradient_of_known_function():
    x = np.array([1.0, -2.0, 0.5])
    grad = numerical_gradient(lambda: np.sum(x**3), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # restored after perturbing


def test_numerical_gradient_array_is_a_vector_jacobian_product(rng):
    A = rng.standard_normal((3, 4))
    x = rng.standard_normal(4)
    df = rng.standard_normal(3)
    np.testing.assert_allclose(numerical_gradient_array(lambda: A @ x, x, df), A.T @ df, rtol=1e-8)


def test_rel_error_properties():
    a = np.array([1.0, 2.0, 3.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(a, -a) == pytest.approx(1.0)
    assert rel_error(a, a * (1 + 1e-9)) < 1e-9
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0


def test_gradcheck_rejects_bad_input():
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2,\) and \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))
    with pytest.raises(TypeError, match=r"x must be a writable floating ndarray \(perturbed in place\), got list"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"h must be > 0"):
        numerical_gradient(lambda: 0.0, np.zeros(2), h=0.0)


def test_x_is_restored_when_f_raises():
    x = np.array([1.0, 2.0])

    def f():
        if x[0] != 1.0:
            raise RuntimeError("f failed")
        return 0.0

    with pytest.raises(RuntimeError, match="f failed"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_f_must_return_one_finite_number():
    with pytest.raises(ValueError, match=r"f\(\) must return a single number .* got shape \(3,\)"):
        numerical_gradient(lambda: np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match=r"f\(\) must be finite"):
        numerical_gradient(lambda: np.nan, np.zeros(2))
    with pytest.raises(ValueError, match=r"df must have the shape of f\(\), \(3,\), got \(2,\)"):
        numerical_gradient_array(lambda: np.zeros(3), np.zeros(2), np.zeros(2))
