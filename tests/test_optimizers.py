import numpy as np
import pytest

from nnlib import optimizers
from nnlib.optimizers import OPTIMIZERS, Adam, get_optimizer

# Step sizes that make each optimizer converge on the quadratic below in a few hundred steps.
LRS = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5, "rmsprop": 0.05, "adam": 0.1}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_optimizers_minimise_a_quadratic_in_place(name, dtype):
    target = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=dtype)
    params = {"W": np.zeros((2, 2), dtype=dtype), "b": np.ones(3, dtype=dtype)}
    w = params["W"]
    opt = get_optimizer(name, lr=LRS[name])
    for _ in range(500):
        opt.update(params, {"W": 2 * (params["W"] - target), "b": 2 * params["b"]})
    assert params["W"] is w  # updated in place
    assert params["W"].dtype == dtype and params["b"].dtype == dtype
    np.testing.assert_allclose(params["W"], target, atol=0.05)
    np.testing.assert_allclose(params["b"], 0, atol=0.05)


def test_adam_first_step_has_size_lr():
    params = {"w": np.array([1.0, -1.0])}
    Adam(lr=0.01).update(params, {"w": np.array([1e-3, -5.0])})
    np.testing.assert_allclose(params["w"], [0.99, -0.99], rtol=1e-4)


def test_momentum_accumulates_velocity():
    params = {"w": np.zeros(1)}
    opt = optimizers.Momentum(lr=1.0, momentum=0.5)
    opt.update(params, {"w": np.ones(1)})
    opt.update(params, {"w": np.ones(1)})
    assert params["w"][0] == pytest.approx(-1 - 1.5)


def test_bad_updates_are_rejected():
    params = {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}
    with pytest.raises(ValueError, match=r"SGD.update: no gradient for parameter 'b1'"):
        optimizers.SGD().update(params, {"W1": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"Adam.update: gradient of 'W1' has shape \(3, 2\), parameter has \(2, 2\)"):
        Adam().update(params, {"W1": np.zeros((3, 2)), "b1": np.zeros(2)})
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        get_optimizer("adamw")
    with pytest.raises(ValueError, match="learning rate"):
        optimizers.SGD(lr=0)


def test_get_optimizer_by_name_or_instance():
    assert isinstance(get_optimizer("AdaGrad", lr=0.1), optimizers.AdaGrad)
    opt = optimizers.RMSprop()
    assert get_optimizer(opt) is opt
    assert "lr=0.01" in repr(opt)
