"""Numerical derivatives and the gradient check that tests backpropagation against them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np


def numerical_diff(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """Central difference ``(f(x + h) - f(x - h)) / (2h)``: error O(h^2), against O(h) for a forward difference."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f: Callable[[np.ndarray], Any], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of the scalar function ``f`` at the array ``x`` (any shape) by central differences.

    Each element of ``x`` is nudged by ``+h`` and ``-h`` in place, ``f(x)`` evaluated, and the element restored to its
    exact original value, so ``x`` is unchanged afterwards. ``f`` may ignore its argument and read ``x`` through a
    network holding it (``lambda _: net.loss(x, t)``). Use float64: in float32, h = 1e-5 is lost in rounding. (The
    book uses h = 1e-4; with central differences the smaller step is more accurate in float64.)

    A batch of points: when ``x`` is 2-D and ``f`` returns one value per row (shape ``(N,)``, as the book's
    ``function_2`` does for ``np.array([X, Y])`` in chapter 4), row ``i`` of the result is the gradient of ``f``'s
    value ``i`` with respect to row ``i``: the gradient at each point, as the book's ``numerical_gradient`` gives it.

    Returns an array of the shape and dtype of ``x``.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"numerical_gradient needs a floating-point array to perturb, got {_kind(x)}")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):  # every index tuple, whatever the memory layout of x
        original = x[i]
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        x[i] = original
        diff = np.asarray(f_plus) - np.asarray(f_minus)
        if diff.size == 1:
            diff = diff.reshape(())
        elif x.ndim == 2 and diff.shape == (x.shape[0],):  # one value per row (point): row i's own value
            diff = diff[i[0]]
        else:
            raise ValueError(
                f"numerical_gradient: f must return one number (or, for a 2-D x of {x.shape[0]} points, one number "
                f"per row), got shape {diff.shape} for x of shape {x.shape}"
            )
        grad[i] = diff / (2 * h)
    return grad


def _kind(x: object) -> str:
    return f"dtype {x.dtype}" if isinstance(x, np.ndarray) else f"a {type(x).__name__}"


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """Largest elementwise ``|a - n| / max(1e-8, |a| + |n|)`` (CS231n). 0 for empty arrays.

    Unlike a mean absolute difference, this stays meaningful for tiny gradients and is not hidden by large ones.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} and {n.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))


class GradientCheck(dict):
    """The result of :func:`gradient_check`: parameter name -> relative error, printed as a small table."""

    def max_error(self) -> float:
        return max(self.values(), default=0.0)

    def __str__(self) -> str:
        width = max((len(k) for k in self), default=9)
        lines = [f"{'parameter':<{width}}  relative error"]
        lines += [f"{name:<{width}}  {err:.2e}" for name, err in self.items()]
        return "\n".join(lines)


def gradient_check(net: Any, x: np.ndarray, t: np.ndarray, h: float = 1e-5) -> GradientCheck:
    """Compare ``net.gradient(x, t)`` (backpropagation) with numerical gradients of ``net.loss(x, t)``.

    ``net`` needs ``params`` (name -> array), ``gradient(x, t)`` returning the same names, and ``loss(x, t)``. Nets with
    train/test behaviour (dropout, batch norm) are checked in training mode when their ``loss`` accepts ``train_flg``.
    Returns the relative error of each parameter (see :func:`relative_error`); below 1e-6 means the backward pass
    agrees with calculus. Needs float64 parameters.
    """
    for name, p in net.params.items():
        if p.dtype != np.float64:
            raise ValueError(
                f"gradient_check needs float64 parameters, but {name} is {p.dtype}: build the network with dtype=np.float64"
            )
    analytic = net.gradient(x, t)
    if "train_flg" in inspect.signature(net.loss).parameters:
        loss = lambda _: net.loss(x, t, train_flg=True)  # noqa: E731
    else:
        loss = lambda _: net.loss(x, t)  # noqa: E731
    result = GradientCheck()
    for name, p in net.params.items():
        if name not in analytic:
            raise ValueError(f"gradient_check: net.gradient returned no gradient for parameter {name!r}")
        result[name] = relative_error(analytic[name], numerical_gradient(loss, p, h))
    return result
