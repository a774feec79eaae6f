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



DECAYING = ["momentum", "nesterov", "rmsprop", "adam"]


def _subnormal(a: np.ndarray) -> bool:
    return bool(((a != 0) & (np.abs(a) < np.finfo(a.dtype).tiny)).any())


def _start(name: str, dtype) -> tuple[optimizers.Optimizer, dict, dict, list[np.ndarray]]:
    """An optimizer after one update with a nonzero gradient; then the gradient stays 0 (a blank pixel, a dead
    unit), and its running state can only decay."""
    params = {"w": np.zeros(8, dtype=dtype)}
    opt = get_optimizer(name, lr=0.01)
    opt.update(params, {"w": np.full(8, 1e-3, dtype=dtype)})
    states = [a for attr in opt.decaying for a in getattr(opt, attr).values()]
    assert states and all((a != 0).all() for a in states)
    return opt, params, {"w": np.zeros(8, dtype=dtype)}, states


@pytest.mark.parametrize("name", DECAYING)
def test_decaying_state_never_reaches_subnormals(name):
    """float32 subnormals lie below 1.2e-38, about 800 decays by 0.9 below a gradient of 1e-3: the flush comes
    first, so no update ever computes with one."""
    opt, params, zero, states = _start(name, np.float32)
    for step in range(2_000):
        opt.update(params, zero)
        assert not any(_subnormal(a) for a in states), f"subnormal state after {step + 2} updates"


@pytest.mark.parametrize("name", DECAYING)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_state_stuck_in_subnormals_is_flushed(name, dtype):
    """Four units of the last place times 0.9 (or 0.99, 0.999) round back to four: without the flush, such a value
    would stay subnormal, and slow, for ever."""
    opt, params, zero, states = _start(name, dtype)
    for a in states:
        a[...] = 4 * np.finfo(dtype).smallest_subnormal
    opt.update(params, zero)
    assert all(_subnormal(a) for a in states)  # the decay is stuck
    for _ in range(opt.FLUSH_EVERY):
        opt.update(params, zero)
    assert not any(_subnormal(a) for a in states)
    assert np.isfinite(params["w"]).all()
