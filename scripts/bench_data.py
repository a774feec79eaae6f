"""Synthetic MNIST-shaped data shared by every benchmark contender.

Every worker process calls these functions with the same seed, so all contenders train on identical numbers without
needing the MNIST files: timing does not depend on what the pixels show, only on shapes and dtypes. The images look
like MNIST in the way that matters for a dense NumPy step: values in [0, 1], about 80 % of them exactly zero.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

BATCH = 100          # the batch size for one training step
N_BATCHES = 10       # steps cycle through this many different batches
IMAGE_SHAPE = (1, 28, 28)
CLASSES = 10


def images(n: int, seed: int, flat: bool) -> np.ndarray:
    """`n` float32 images, shape (n, 784) if `flat` else (n, 1, 28, 28); ~20 % of pixels non-zero."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, *IMAGE_SHAPE), dtype=np.float32)
    x[x < 0.8] = 0.0
    x[x > 0] = (x[x > 0] - 0.8) * 5.0   # back to [0, 1]
    return x.reshape(n, -1) if flat else x


def labels(n: int, seed: int) -> np.ndarray:
    """`n` integer class labels in [0, 10), dtype int64."""
    return np.random.default_rng(seed + 1).integers(0, CLASSES, size=n, dtype=np.int64)


def batches(seed: int, flat: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """N_BATCHES pairs (x, t) of BATCH images and integer labels; a step uses batch i % N_BATCHES."""
    x = images(BATCH * N_BATCHES, seed, flat)
    t = labels(BATCH * N_BATCHES, seed)
    return [(x[i * BATCH:(i + 1) * BATCH], t[i * BATCH:(i + 1) * BATCH]) for i in range(N_BATCHES)]


def training_step(net: Any, optimizer: Any, seed: int, flat: bool) -> Callable[[], None]:
    """One training step per call, ``optimizer.update(net.params, net.gradient(x, t))``, cycling through
    :func:`batches`: the unit of the step workloads for every contender with the book's network API."""
    data = batches(seed, flat)
    i = 0

    def step() -> None:
        nonlocal i
        x, t = data[i % len(data)]
        i += 1
        optimizer.update(net.params, net.gradient(x, t))

    return step
