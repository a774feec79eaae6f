import numpy as np
import pytest

from nnlib.gradient import GradientCheck, gradient_check, numerical_diff, numerical_gradient, relative_error


def test_numerical_diff_is_central():
    assert numerical_diff(lambda x: 0.01 * x**2 + 0.1 * x, 5.0) == pytest.approx(0.2, abs=1e-10)
    # A central difference is exact for a quadratic up to rounding; a forward one would be off by h*0.01.
    assert numerical_diff(lambda x: x**2, 3.0) == pytest.approx(6.0, abs=1e-9)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 4), (1, 2, 2, 3)])
def test_numerical_gradient_any_ndim(shape, rng):
    x = rng.standard_normal(shape)
    grad = numerical_gradient(lambda a: float(np.sum(a**3)), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("layout", ["fortran", "strided view"])
def test_numerical_gradient_any_memory_layout(layout, rng):
    """Parameters need not be C-contiguous (Network keeps W in Fortran order): each element is still perturbed
    where it lives, and the gradient has the layout of x."""
    base = rng.standard_normal((6, 8))
    x = np.asfortranarray(base) if layout == "fortran" else base[::2, 1::3]
    before = x.copy()
    grad = numerical_gradient(lambda a: float(np.sum(a**3)), x)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-8, atol=1e-9)
    assert np.array_equal(x, before)


def test_numerical_gradient_restores_x_exactly(rng):
    x = rng.standard_normal((4, 5)) * 1e3 + 0.1
    before = x.copy()
    numerical_gradient(lambda a: float(np.sum(np.sin(a))), x)
    assert np.array_equal(x, before)  # bit for bit, not just close


def test_numerical_gradient_rejects_integers():
    with pytest.raises(ValueError, match="floating-point"):
        numerical_gradient(lambda a: 0.0, np.arange(3))


def test_relative_error_is_the_largest_elementwise_ratio():
    a = np.array([1.0, 1e-3, 0.0])
    n = np.array([1.0, 1.1e-3, 0.0])
    assert relative_error(a, n) == pytest.approx(0.1e-3 / 2.1e-3)
    # A mean absolute difference would call this agreement; the relative error does not.
    assert relative_error(np.array([1e-6]), np.array([2e-6])) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))


class Quadratic:
    """loss = 0.5 * sum((x @ W - t)^2): a net with one parameter and a known gradient."""

    def __init__(self, wrong: bool = False):
        self.params = {"W": np.random.default_rng(0).standard_normal((3, 2))}
        self.wrong = wrong

    def loss(self, x, t):
        return 0.5 * float(np.sum((x @ self.params["W"] - t) ** 2))

    def gradient(self, x, t):
        g = x.T @ (x @ self.params["W"] - t)
        return {"W": g * (1.01 if self.wrong else 1.0)}


def test_gradient_check_finds_right_and_wrong_gradients(rng):
    x, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    good = gradient_check(Quadratic(), x, t)
    assert isinstance(good, GradientCheck) and good["W"] < 1e-8
    bad = gradient_check(Quadratic(wrong=True), x, t)
    assert bad["W"] > 1e-3
    table = str(good)
    assert "parameter" in table and "W" in table and "e-" in table


def test_gradient_check_needs_float64(rng):
    net = Quadratic()
    net.params["W"] = net.params["W"].astype(np.float32)
    with pytest.raises(ValueError, match="float64"):
        gradient_check(net, rng.standard_normal((2, 3)), rng.standard_normal((2, 2)))
