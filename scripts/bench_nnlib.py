"""The nnlib contenders: the ready networks exactly as a lesson uses them, through the public API only."""

from __future__ import annotations

from typing import Callable

import numpy as np

import bench_data
from nnlib import nets, optimizers

EVAL_IMAGES = 10_000


def mlp(seed: int) -> Callable[[], None]:
    net = nets.TwoLayerNet(784, 50, 10, dtype=np.float32)
    return bench_data.training_step(net, optimizers.Adam(lr=1e-3), seed, flat=True)


def cnn(seed: int) -> Callable[[], None]:
    net = nets.SimpleConvNet(dtype=np.float32)
    return bench_data.training_step(net, optimizers.Adam(lr=1e-3), seed, flat=False)


def network_epoch(seed: int, n_train: int, dtype=np.float64) -> Callable[[], None]:
    """One epoch of the vectorised Network([784, 30, 10]) over n_train images at mini-batch 10, eta 3.0."""
    x = bench_data.images(n_train, seed, flat=True)
    t = bench_data.labels(n_train, seed)
    net = nets.Network([784, 30, 10], dtype=dtype)

    def epoch() -> None:
        net.SGD((x, t), 1, 10, 3.0)

    return epoch


def eval_mlp(seed: int) -> Callable[[], None]:
    net = nets.TwoLayerNet(784, 50, 10, dtype=np.float32)
    x, t = bench_data.images(EVAL_IMAGES, seed, flat=True), bench_data.labels(EVAL_IMAGES, seed)
    return lambda: net.accuracy(x, t)


def eval_cnn(seed: int) -> Callable[[], None]:
    net = nets.SimpleConvNet(dtype=np.float32)
    x, t = bench_data.images(EVAL_IMAGES, seed, flat=False), bench_data.labels(EVAL_IMAGES, seed)
    return lambda: net.accuracy(x, t)


def eval_network(seed: int) -> Callable[[], None]:
    net = nets.Network([784, 30, 10])
    x, t = bench_data.images(EVAL_IMAGES, seed, flat=True), bench_data.labels(EVAL_IMAGES, seed)
    return lambda: net.evaluate((x, t))
