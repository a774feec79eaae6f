"""Activation and loss functions on plain arrays, written to stay finite for any input.

Each works elementwise on an array of any shape unless stated; ``softmax`` and the losses treat the last axis as
the class axis, so a 1-D array is one sample and a 2-D array ``(N, C)`` is a batch of N samples.
Floating inputs keep their dtype (float32 stays float32); integer inputs are computed in float64.
"""

from __future__ import annotations

import numpy as np

from .util import as_float, labels_from_target


def identity_function(x: np.ndarray) -> np.ndarray:
    """The output activation of regression: ``x`` unchanged (the book's ``identity_function``)."""
    return x


def step_function(x: np.ndarray) -> np.ndarray:
    """The perceptron's activation: 1 where ``x > 0``, else 0 (integer array)."""
    return (np.asarray(x) > 0).astype(np.int64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``.

    For very negative ``x`` (below about -709 in float64, -88 in float32), ``exp(-x)`` overflows to ``inf`` and
    ``1 / (1 + inf) = 0`` is the correctly rounded answer, so that overflow is expected and not reported.
    """
    x = as_float(x)
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of :func:`sigmoid`: ``sigmoid(x) * (1 - sigmoid(x))``."""
    s = sigmoid(x)
    return s * (1 - s)


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit ``max(0, x)``."""
    return np.maximum(x, 0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of :func:`relu`: 1 where ``x > 0``, else 0 (0 at the kink), in the dtype of ``x``.

    The book's ``relu_grad`` gives 1 at 0; this one gives 0 there, as the ``Relu`` layer's backward does (the book's
    layer too), so that the function and the layer agree.
    """
    x = as_float(x)
    return (x > 0).astype(x.dtype)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """``log(softmax(x))`` along the last axis, computed as ``x - max - log(sum(exp(x - max)))``.

    Subtracting the maximum first keeps every ``exp`` at most 1, so logits of any size give finite results.
    """
    x = as_float(x)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(x: np.ndarray) -> np.ndarray:
    """``exp(x_k) / sum_j exp(x_j)`` along the last axis; shape ``(C,)`` or ``(N, C)`` in and out.

    The maximum is subtracted before ``exp`` (softmax is unchanged by a shift), so large logits do not overflow.
    """
    x = as_float(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """Cross-entropy ``-sum_k t_k log y_k`` averaged over the batch.

    Args:
        y: predicted probabilities, shape ``(C,)`` for one sample or ``(N, C)`` for a batch.
        t: one-hot targets of the same shape as ``y``, or integer labels (a scalar or shape ``(N,)``).

    A probability of exactly 0 for the true class gives a large finite loss (log of the smallest positive number of
    the dtype: about 708 in float64, 87 in float32), never ``inf`` or ``nan``. The book adds ``1e-7`` to every
    probability instead; that shifts every loss by about ``1e-7 / y`` for the true class's probability ``y`` and caps
    it at ``-log(1e-7) = 16.1``, so this function's values are a little higher than the book's.
    """
    y = as_float(y)
    if y.ndim not in (1, 2):
        raise ValueError(f"cross_entropy_error expects predictions of shape (C,) or (N, C), got {y.shape}")
    labels = labels_from_target(t, y.shape, "cross_entropy_error")
    y2 = y.reshape(1, -1) if y.ndim == 1 else y
    log_y = np.log(np.maximum(y2, np.finfo(y.dtype).tiny))
    if labels is None:
        t2 = np.asarray(t, dtype=y.dtype).reshape(y2.shape)
        return float(-np.sum(t2 * log_y) / y2.shape[0])
    return float(-np.sum(log_y[np.arange(y2.shape[0]), labels]) / y2.shape[0])


def mean_squared_error(y: np.ndarray, t: np.ndarray) -> float:
    """Half the squared error ``0.5 * sum_k (y_k - t_k)^2``, averaged over the batch when ``y`` is ``(N, C)``."""
    y = as_float(y)
    t = np.asarray(t)
    if y.shape != t.shape:
        raise ValueError(f"mean_squared_error: targets of shape {t.shape} do not match predictions of shape {y.shape}")
    batch = y.shape[0] if y.ndim == 2 else 1
    return float(0.5 * np.sum((y - t) ** 2) / batch)


def sum_squared_error(y: np.ndarray, t: np.ndarray) -> float:
    """The book's ``sum_squared_error`` (its chapter 4 calls it ``mean_squared_error``): ``0.5 * sum (y - t)^2`` over
    every element, not averaged over the batch. For one sample ``(C,)`` it equals :func:`mean_squared_error`."""
    y = as_float(y)
    t = np.asarray(t)
    if y.shape != t.shape:
        raise ValueError(f"sum_squared_error: targets of shape {t.shape} do not match predictions of shape {y.shape}")
    return float(0.5 * np.sum((y - t) ** 2))
