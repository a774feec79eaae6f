"""The GEMM floor: only the matrix products of one training step, at their real shapes and dtype, into
preallocated outputs. No activation, pooling, im2col, loss or optimizer work: no implementation of the step in NumPy
can be faster than this on the same BLAS, so "x floor" says how much time goes to everything else.

Counted products (batch N = 100, float32), the ones a step needs to get every parameter gradient:
- MLP 784-50-10: forward x@W1, h@W2; backward h.T@dy (dW2), dy@W2.T (dh), x.T@dh (dW1).
- SimpleConvNet: forward col@Wc (57600x25 @ 25x30), p@W2 (100x4320 @ 4320x100), h@W3; backward h.T@dy, dy@W3.T,
  p.T@dh (dW2), dh@W2.T (dp), col.T@dconv (dWc).
The gradient with respect to the input images is not needed, so it is not in the floor (an implementation that
computes it pays for it).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

import bench_data


def _arrays(seed: int, shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}


def mlp(seed: int) -> Callable[[], None]:
    n = bench_data.BATCH
    a = _arrays(seed, {"x": (n, 784), "W1": (784, 50), "h": (n, 50), "W2": (50, 10), "y": (n, 10),
                       "dy": (n, 10), "dW2": (50, 10), "dh": (n, 50), "dW1": (784, 50)})
    mm = np.matmul

    def step() -> None:
        mm(a["x"], a["W1"], out=a["h"])
        mm(a["h"], a["W2"], out=a["y"])
        mm(a["h"].T, a["dy"], out=a["dW2"])
        mm(a["dy"], a["W2"].T, out=a["dh"])
        mm(a["x"].T, a["dh"], out=a["dW1"])

    return step


def cnn(seed: int) -> Callable[[], None]:
    n = bench_data.BATCH
    rows = n * 24 * 24
    a = _arrays(seed, {"col": (rows, 25), "Wc": (25, 30), "conv": (rows, 30), "dconv": (rows, 30), "dWc": (25, 30),
                       "p": (n, 4320), "W2": (4320, 100), "h": (n, 100), "W3": (100, 10), "y": (n, 10),
                       "dy": (n, 10), "dW3": (100, 10), "dh": (n, 100), "dW2": (4320, 100), "dp": (n, 4320)})
    mm = np.matmul

    def step() -> None:
        mm(a["col"], a["Wc"], out=a["conv"])
        mm(a["p"], a["W2"], out=a["h"])
        mm(a["h"], a["W3"], out=a["y"])
        mm(a["h"].T, a["dy"], out=a["dW3"])
        mm(a["dy"], a["W3"].T, out=a["dh"])
        mm(a["p"].T, a["dh"], out=a["dW2"])
        mm(a["dh"], a["W2"].T, out=a["dp"])
        mm(a["col"].T, a["dconv"], out=a["dWc"])

    return step
