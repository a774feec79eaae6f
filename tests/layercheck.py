"""Gradient checks for single layers: backpropagate a random upstream gradient and compare with central differences
of the scalar ``sum(forward(x) * dout)``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlib.gradient import numerical_gradient, relative_error

TOL = 1e-6


def layer_errors(layer, x: np.ndarray, rng: np.random.Generator, forward: Callable | None = None) -> dict[str, float]:
    """Relative errors of dx and of every parameter gradient of ``layer`` at input ``x``."""
    forward = forward or layer.forward
    dout = rng.standard_normal(forward(x).shape)

    def f(_):
        return float(np.sum(forward(x) * dout))

    forward(x)
    dx = layer.backward(dout)
    analytic = {"x": dx, **{name: g.copy() for name, g in layer.grads.items()}}
    numeric = {"x": numerical_gradient(f, x), **{n: numerical_gradient(f, p) for n, p in layer.params.items()}}
    return {name: relative_error(analytic[name], numeric[name]) for name in analytic}


def assert_layer_gradients(layer, x, rng, forward=None, tol: float = TOL) -> None:
    errors = layer_errors(layer, x, rng, forward)
    bad = {k: v for k, v in errors.items() if not v < tol}
    assert not bad, f"{type(layer).__name__}: relative errors above {tol}: {bad}"
