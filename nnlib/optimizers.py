"""Gradient-descent optimizers. Each keeps its own state per parameter name and, in ``update(params, grads)``,
changes the arrays of ``params`` in place (so layers holding the same arrays see the new values).

Updates stay in the parameters' dtype: float32 parameters are never upcast.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


class Optimizer:
    """Base class: checks that every parameter has a gradient of its shape, then calls ``_step`` per parameter."""

    def __init__(self, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: learning rate lr must be positive, got {lr}")
        self.lr = lr

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v}" for k, v in vars(self).items() if not isinstance(v, dict))
        return f"{type(self).__name__}({fields})"

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        name = type(self).__name__
        for key, p in params.items():
            if key not in grads:
                raise ValueError(f"{name}.update: no gradient for parameter {key!r} (gradients given: {sorted(grads)})")
            g = grads[key]
            if g.shape != p.shape:
                raise ValueError(f"{name}.update: gradient of {key!r} has shape {g.shape}, parameter has {p.shape}")
        self._begin_step()
        for key, p in params.items():
            self._step(key, p, grads[key])

    def _begin_step(self) -> None:
        """Hook for optimizers that count steps."""

    def _step(self, key: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent: ``p -= lr * g``."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _step(self, key, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    """Momentum SGD: ``v = momentum * v - lr * g; p += v``."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = momentum
        self.v: dict[str, np.ndarray] = {}

    def _step(self, key, p, g):
        v = self.v.setdefault(key, np.zeros_like(p))
        v *= self.momentum
        v -= self.lr * g
        p += v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient (the form of Bengio et al. 2012, which needs no look-ahead evaluation):
    ``v = momentum * v - lr * g; p += momentum * v - lr * g``."""

    def _step(self, key, p, g):
        v = self.v.setdefault(key, np.zeros_like(p))
        v *= self.momentum
        v -= self.lr * g
        p += self.momentum * v - self.lr * g


class AdaGrad(Optimizer):
    """AdaGrad: ``h += g^2; p -= lr * g / (sqrt(h) + eps)``: each parameter's step shrinks with its history."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.eps = eps
        self.h: dict[str, np.ndarray] = {}

    def _step(self, key, p, g):
        h = self.h.setdefault(key, np.zeros_like(p))
        h += g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: ``h = decay * h + (1 - decay) * g^2; p -= lr * g / (sqrt(h) + eps)``: AdaGrad that forgets."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.decay_rate, self.eps = decay_rate, eps
        self.h: dict[str, np.ndarray] = {}

    def _step(self, key, p, g):
        h = self.h.setdefault(key, np.zeros_like(p))
        h *= self.decay_rate
        h += (1 - self.decay_rate) * g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015): running means of ``g`` and ``g^2`` with bias correction:
    ``m += (1 - beta1)(g - m); v += (1 - beta2)(g^2 - v); p -= lr_t * m / (sqrt(v) + eps)`` with
    ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`` at step t."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.iter = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}
        self._buf: dict[str, np.ndarray] = {}  # scratch space, so that a step allocates no temporary arrays

    def _begin_step(self):
        self.iter += 1
        self._lr_t = float(self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter))

    def _step(self, key, p, g):
        if key not in self.m:
            self.m[key], self.v[key], self._buf[key] = np.zeros_like(p), np.zeros_like(p), np.empty_like(p)
        m, v, buf = self.m[key], self.v[key], self._buf[key]
        # The three formulas of the docstring, each written into buf and then applied in place.
        np.subtract(g, m, out=buf)  # m += (1 - beta1) * (g - m)
        buf *= 1 - self.beta1
        m += buf
        np.multiply(g, g, out=buf)  # v += (1 - beta2) * (g^2 - v)
        buf -= v
        buf *= 1 - self.beta2
        v += buf
        np.sqrt(v, out=buf)  # p -= lr_t * m / (sqrt(v) + eps)
        buf += self.eps
        np.divide(m, buf, out=buf)
        buf *= self._lr_t
        p -= buf


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam)
}


def get_optimizer(optimizer: str | Optimizer, **kwargs) -> Optimizer:
    """An optimizer instance from a name (case-insensitive: 'sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop',
    'adam') and its keyword arguments, or the instance given."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    cls = OPTIMIZERS.get(str(optimizer).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {', '.join(OPTIMIZERS)}")
    return cls(**kwargs)
