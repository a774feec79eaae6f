import warnings

import numpy as np
import pytest

from nnlib.functions import (
    cross_entropy_error,
    log_softmax,
    mean_squared_error,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    step_function,
)
from nnlib.gradient import numerical_diff


def test_step_function_and_relu():
    x = np.array([-1.0, 0.0, 2.0])
    assert step_function(x).tolist() == [0, 0, 1]
    assert relu(x).tolist() == [0.0, 0.0, 2.0]
    assert relu_grad(x).tolist() == [0.0, 0.0, 1.0]


def test_sigmoid_values_and_gradient():
    assert sigmoid(np.array(0.0)) == 0.5
    np.testing.assert_allclose(sigmoid(np.array([1.0, -2.0])), 1 / (1 + np.exp([-1.0, 2.0])), rtol=1e-15)
    for x0 in (-3.0, 0.2, 4.0):
        assert sigmoid_grad(np.array(x0)) == pytest.approx(numerical_diff(lambda v: sigmoid(np.array(v)), x0), rel=1e-8)


def test_sigmoid_has_no_overflow_for_large_inputs():
    x = np.array([-1e4, -800.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(x)
        g = sigmoid_grad(x)
    assert s.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize("shape", [(5,), (3, 4)])
def test_softmax_rows_are_distributions(shape, rng):
    y = softmax(rng.standard_normal(shape))
    assert y.shape == shape
    np.testing.assert_allclose(y.sum(axis=-1), 1.0)
    assert np.all(y > 0)


def test_softmax_is_stable_for_huge_logits():
    x = np.array([[1e4, -1e4, 0.0], [1010.0, 1000.0, 990.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = softmax(x)
        logy = log_softmax(x)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(logy))
    np.testing.assert_allclose(y[1], softmax(np.array([20.0, 10.0, 0.0])))
    assert logy[0, 1] == pytest.approx(-2e4)


def test_softmax_keeps_float32():
    assert softmax(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
    assert sigmoid(np.ones(3, dtype=np.float32)).dtype == np.float32


def test_cross_entropy_one_hot_and_labels_agree(rng):
    y = softmax(rng.standard_normal((6, 4)))
    labels = np.array([0, 3, 1, 1, 2, 3])
    one_hot = np.eye(4)[labels]
    expected = -np.mean(np.log(y[np.arange(6), labels]))
    assert cross_entropy_error(y, labels) == pytest.approx(expected, rel=1e-14)
    assert cross_entropy_error(y, one_hot) == pytest.approx(expected, rel=1e-14)
    # One sample, 1-D, as in the book's first example.
    assert cross_entropy_error(y[1], 3) == pytest.approx(-np.log(y[1, 3]))
    assert cross_entropy_error(y[1], one_hot[1]) == pytest.approx(-np.log(y[1, 3]))


def test_cross_entropy_of_zero_probability_is_finite():
    y = np.array([[1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy_error(y, np.array([1]))
    assert np.isfinite(loss) and loss > 700


def test_cross_entropy_rejects_bad_targets():
    y = np.full((5, 4), 0.25)
    with pytest.raises(ValueError, match=r"cross_entropy_error: labels must lie in \[0, 4\).*from 0 to 4"):
        cross_entropy_error(y, np.array([0, 1, 2, 3, 4]))
    with pytest.raises(ValueError, match=r"targets of shape \(5, 3\) do not match predictions of shape \(5, 4\)"):
        cross_entropy_error(y, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"targets of shape \(4,\)"):
        cross_entropy_error(y, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="integers"):
        cross_entropy_error(y, np.array([0, 1.5, 2, 3, 0]))


def test_mean_squared_error():
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    t = np.zeros(10)
    t[2] = 1
    assert mean_squared_error(y, t) == pytest.approx(0.0975)
    batch = np.stack([y, y])
    assert mean_squared_error(batch, np.stack([t, t])) == pytest.approx(0.0975)
    with pytest.raises(ValueError, match="mean_squared_error"):
        mean_squared_error(batch, t)
