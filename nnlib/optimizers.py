"""Gradient-descent optimizers. Each keeps its own state per parameter name and, in ``update(params, grads)``,
changes the arrays of ``params`` in place (so layers holding the same arrays see the new values). Plain numbers, as
in the book's ``params = {"x": -7.0, "y": 2.0}``, are updated too: their new values are written back into the dict.

Updates stay in the parameters' dtype: float32 parameters are never upcast.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import numpy as np

from .simd import adam_update


class Optimizer:
    """Base class: checks that every parameter has a gradient of its shape, then calls ``_step`` per parameter.

    ``iter`` counts the updates. Subclasses name in ``decaying`` their state dicts that decay geometrically while a
    gradient is 0 (momentum, running averages). Those values would sink into float's subnormal range (below
    ``finfo.tiny``), where arithmetic is many times slower and rounding stops the decay (4 units of the last
    place * 0.9 rounds back to 4): measured on MNIST, a pixel that is nearly always blank or a dead ReLU unit made
    Adam's step 3x slower after 2,000 steps. So every ``FLUSH_EVERY`` updates, values below ``tiny * 2**26``, far too
    small to move a weight and still 170 steps of decay by 0.9 away from the subnormals, are set to 0.

    Args:
        lr: the learning rate (step size), > 0.
    """

    FLUSH_EVERY = 100
    decaying: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: learning rate lr must be positive, got {lr}")
        self.lr = lr
        self.iter = 0

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v}" for k, v in vars(self).items() if not isinstance(v, dict))
        return f"{type(self).__name__}({fields})"

    def update(
        self, params: MutableMapping[str, np.ndarray | float], grads: Mapping[str, np.ndarray | float]
    ) -> None:
        """One step on every parameter of ``params`` with the gradient of the same name in ``grads``.

        Arrays are changed in place, so layers holding them see the new values. A plain number (the book's
        ``params = {"x": -7.0, "y": 2.0}``) cannot change in place: its new value, a float, is written back into
        ``params``. Raises ValueError, before changing anything, for a missing gradient, a gradient of another shape, or
        a parameter that cannot be updated (an integer or read-only array, anything that is not a number).
        """
        name = type(self).__name__
        if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
            raise ValueError(
                f"{name}.update expects two dicts, name -> parameter and name -> gradient, "
                f"got {type(params).__name__} and {type(grads).__name__}"
            )
        steps, numbers = [], False
        for key, p in params.items():
            g = grads.get(key)
            if g is None:
                raise ValueError(f"{name}.update: no gradient for parameter {key!r} (gradients given: {sorted(grads)})")
            work = p if type(p) is np.ndarray and p.dtype.kind == "f" and p.flags.writeable else self._as_array(key, p)
            if type(g) is not np.ndarray:
                g = np.asarray(g)
            if g.dtype.kind not in "fiu":
                raise ValueError(f"{name}.update: the gradient of {key!r} is not numeric (dtype {g.dtype})")
            if g.shape != work.shape:
                raise ValueError(f"{name}.update: gradient of {key!r} has shape {g.shape}, parameter has {work.shape}")
            steps.append((key, p, work, g))
            numbers = numbers or work is not p
        if numbers and not isinstance(params, MutableMapping):
            raise ValueError(f"{name}.update: plain-number parameters need a dict to write their new values into")
        self.iter += 1
        self._begin_step()
        for key, _, work, g in steps:
            self._step(key, work, g)
        for key, p, work, _ in steps if numbers else ():
            if work is not p:  # a number: its new value replaces it, a float (or a NumPy scalar of its dtype)
                params[key] = work[()] if isinstance(p, np.floating) else float(work)
        if self.iter % self.FLUSH_EVERY == 0:
            self._flush_tiny_values()

    def _as_array(self, key: str, p: object) -> np.ndarray:
        """The array a step updates in place: the parameter itself, or a 0-d array holding a plain number."""
        name = type(self).__name__
        if isinstance(p, np.ndarray):
            if p.dtype.kind != "f":
                raise ValueError(
                    f"{name}.update: parameter {key!r} has dtype {p.dtype}; only floating-point arrays can be updated"
                )
            if not p.flags.writeable:
                raise ValueError(f"{name}.update: parameter {key!r} is a read-only array, which cannot change in place")
            return p
        if isinstance(p, np.floating):
            return np.array(p)
        if isinstance(p, (int, float, np.integer)) and not isinstance(p, (bool, np.bool_)):
            return np.array(float(p))
        raise ValueError(
            f"{name}.update: parameter {key!r} is a {type(p).__name__}; optimizers update floating-point arrays "
            "(in place) and plain numbers"
        )

    def _flush_tiny_values(self) -> None:
        for name in self.decaying:
            for state in getattr(self, name).values():
                state[np.abs(state) < np.finfo(state.dtype).tiny * 2.0**26] = 0

    def _begin_step(self) -> None:
        """Hook for optimizers that prepare a step (Adam's bias correction)."""

    def _step(self, key: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent: ``p -= lr * g``.

    Args:
        lr: the learning rate, > 0.
    """

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _step(self, key, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    """Momentum SGD: ``v = momentum * v - lr * g; p += v``.

    Args:
        lr: the learning rate, > 0.
        momentum: the fraction of the velocity ``v`` kept from one step to the next.
    """

    decaying = ("v",)

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
    ``v = momentum * v - lr * g; p += momentum * v - lr * g``.

    The book's code computes ``p += momentum^2 * v - (1 + momentum) * lr * g`` with the velocity already updated,
    where Bengio et al.'s step uses the velocity before the update; so its steps differ from this class's.

    Args:
        lr: the learning rate, > 0.
        momentum: the fraction of the velocity ``v`` kept from one step to the next.
    """

    def _step(self, key, p, g):
        v = self.v.setdefault(key, np.zeros_like(p))
        v *= self.momentum
        v -= self.lr * g
        p += self.momentum * v - self.lr * g


class AdaGrad(Optimizer):
    """AdaGrad: ``h += g^2; p -= lr * g / (sqrt(h) + eps)``: each parameter's step shrinks with its history.

    Args:
        lr: the learning rate, > 0.
        eps: added to ``sqrt(h)`` so that a parameter whose gradients were all 0 does not divide by zero.
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.eps = eps
        self.h: dict[str, np.ndarray] = {}

    def _step(self, key, p, g):
        h = self.h.setdefault(key, np.zeros_like(p))
        h += g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: ``h = decay * h + (1 - decay) * g^2; p -= lr * g / (sqrt(h) + eps)``: AdaGrad that forgets.

    Args:
        lr: the learning rate, > 0.
        decay_rate: the fraction of ``h`` kept from one step to the next.
        eps: added to ``sqrt(h)`` so that a parameter whose gradients were all 0 does not divide by zero.
    """

    decaying = ("h",)

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
    ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`` at step t.

    Stored as the running sums ``m / (1 - beta1)`` and ``v / (1 - beta2)``: with the constant factors moved into the
    step size, a step takes ten passes over each parameter instead of twelve. ``m`` and ``v`` give the moments.

    Args:
        lr: the learning rate, > 0: about the size of the first steps.
        beta1: decay of the running mean of the gradients.
        beta2: decay of the running mean of the squared gradients.
        eps: added to ``sqrt(v)`` so that a parameter whose gradients were all 0 does not divide by zero.
    """

    decaying = ("_m_sum", "_v_sum")

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self._m_sum: dict[str, np.ndarray] = {}  # m / (1 - beta1): m_sum = beta1 * m_sum + g
        self._v_sum: dict[str, np.ndarray] = {}  # v / (1 - beta2): v_sum = beta2 * v_sum + g^2
        self._buf: dict[str, np.ndarray] = {}  # scratch space, so that a step allocates no temporary arrays

    @property
    def m(self) -> dict[str, np.ndarray]:
        """The first moments ``m`` (running means of the gradients), by parameter name."""
        return {k: (1 - self.beta1) * s for k, s in self._m_sum.items()}

    @property
    def v(self) -> dict[str, np.ndarray]:
        """The second moments ``v`` (running means of the squared gradients), by parameter name."""
        return {k: (1 - self.beta2) * s for k, s in self._v_sum.items()}

    def _begin_step(self):
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        # lr_t * m / (sqrt(v) + eps) = scale * m_sum / (sqrt(v_sum) + eps / sqrt(1 - beta2))
        root = np.sqrt(1.0 - self.beta2)
        self._scale = float(lr_t * (1.0 - self.beta1) / root)
        self._eps_sum = float(self.eps / root)

    def _step(self, key, p, g):
        if key not in self._m_sum:
            self._m_sum[key], self._v_sum[key], self._buf[key] = np.zeros_like(p), np.zeros_like(p), np.empty_like(p)
        m_sum, v_sum, buf = self._m_sum[key], self._v_sum[key], self._buf[key]
        if adam_update(p, m_sum, v_sum, g, self.beta1, self.beta2, self._scale, self._eps_sum):
            return  # the browser's SIMD kernel did the passes below in one
        m_sum *= self.beta1  # m_sum = beta1 * m_sum + g
        m_sum += g
        v_sum *= self.beta2  # v_sum = beta2 * v_sum + g^2
        np.multiply(g, g, out=buf)
        v_sum += buf
        np.sqrt(v_sum, out=buf)  # p -= scale * m_sum / (sqrt(v_sum) + eps_sum), in buf
        buf += self._eps_sum
        np.divide(m_sum, buf, out=buf)
        buf *= self._scale
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
