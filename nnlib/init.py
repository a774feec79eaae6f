"""Weight initialisation. The scale of the initial weights decides whether signals and gradients survive many
layers: too small and activations vanish, too large and sigmoid/tanh saturate.

``fan_in`` of a weight of shape ``(D, M)`` is D; of a filter bank ``(FN, C, FH, FW)`` it is ``C*FH*FW``
(and ``fan_out`` is ``FN*FH*FW``). Every function takes ``rng`` (a seed or ``numpy.random.Generator``) and ``dtype``.
"""

from __future__ import annotations

import numpy as np

from .util import SeedLike, as_rng, float_dtype


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a dense ``(D, M)`` or convolution ``(FN, C, FH, FW)`` weight."""
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) == 4:
        receptive = shape[2] * shape[3]
        return shape[1] * receptive, shape[0] * receptive
    raise ValueError(f"weight shape must be (D, M) or (FN, C, FH, FW), got {shape}")


def normal(shape: tuple[int, ...], std: float = 0.01, rng: SeedLike = None, dtype=np.float64) -> np.ndarray:
    """Gaussian weights with a constant standard deviation: ``W ~ N(0, std^2)``."""
    return (std * as_rng(rng).standard_normal(shape)).astype(float_dtype(dtype))


def xavier_normal(shape: tuple[int, ...], rng: SeedLike = None, dtype=np.float64) -> np.ndarray:
    """Glorot and Bengio (2010), normal form: ``std = sqrt(2 / (fan_in + fan_out))``; suits sigmoid and tanh."""
    fan_in, fan_out = fans(shape)
    return normal(shape, np.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def xavier_uniform(shape: tuple[int, ...], rng: SeedLike = None, dtype=np.float64) -> np.ndarray:
    """Glorot and Bengio (2010), uniform form: ``W ~ U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = fans(shape)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return as_rng(rng).uniform(-a, a, shape).astype(float_dtype(dtype))


def he_normal(shape: tuple[int, ...], rng: SeedLike = None, dtype=np.float64) -> np.ndarray:
    """He et al. (2015): ``std = sqrt(2 / fan_in)``, which keeps the signal's variance through ReLU layers."""
    fan_in, _ = fans(shape)
    return normal(shape, np.sqrt(2.0 / fan_in), rng, dtype)


def scale_for(weight_init_std: float | str, fan_in: int) -> float:
    """The standard deviation that "Deep Learning from Scratch" nets use for ``weight_init_std``:

    a number is used as it is; ``'relu'`` or ``'he'`` gives ``sqrt(2 / fan_in)``; ``'sigmoid'`` or ``'xavier'`` gives
    the book's Xavier scale ``sqrt(1 / fan_in)``.
    """
    if isinstance(weight_init_std, str):
        kind = weight_init_std.lower()
        if kind in ("relu", "he"):
            return float(np.sqrt(2.0 / fan_in))
        if kind in ("sigmoid", "xavier"):
            return float(np.sqrt(1.0 / fan_in))
        raise ValueError(f"weight_init_std must be a number, 'relu'/'he' or 'sigmoid'/'xavier', got {weight_init_std!r}")
    if not weight_init_std > 0:
        raise ValueError(f"weight_init_std must be positive, got {weight_init_std}")
    return float(weight_init_std)
