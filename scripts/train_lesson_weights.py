#!/usr/bin/env python3
"""Train the network whose weights the forward-pass lesson loads: ``nnlib/data/mnist_sigmoid_mlp.npz``.

The network is the book's three-layer example: 784 -> 50 -> 100 -> 10, sigmoid hidden layers, softmax output
(``MultiLayerNet(784, [50, 100], 10, activation="sigmoid", weight_init_std="xavier", seed=0)``). It is trained on
the 5,000 training images of the MNIST subset bundled with nnlib (so the script needs no download), with Adam
(lr 0.001), mini-batches of 100 and 20 epochs, in float64 on one BLAS thread, and stored in float32 with
``nnlib.io.save_network`` (its class and configuration travel with it, so ``load_network`` rebuilds it, and
``load_params`` gives the bare weights). It takes a few seconds; the file is about 170 KB and part of the wheel, so
the lesson runs the same natively and in the browser.

The file is committed. ``--check`` trains again and compares with it (tests/test_lesson_weights.py runs that):
the weights must agree to within 1e-5 and the test accuracy exactly, so a changed nnlib that trains differently is
noticed. (A different BLAS may round differently; the tolerance allows for that, a real change exceeds it.)

Usage:  python scripts/train_lesson_weights.py [--out nnlib/data/mnist_sigmoid_mlp.npz] [--check]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# One BLAS thread before NumPy loads: the same order of floating-point operations on every run.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnlib.datasets import load_mnist  # noqa: E402
from nnlib.io import assign_params, load_network, save_network  # noqa: E402
from nnlib.nets import MultiLayerNet  # noqa: E402
from nnlib.trainer import Trainer  # noqa: E402

OUT = ROOT / "nnlib" / "data" / "mnist_sigmoid_mlp.npz"
TOLERANCE = 1e-5
SEED = 0


def train() -> MultiLayerNet:
    """The trained network, with float32 parameters."""
    (x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
    net = MultiLayerNet(784, [50, 100], 10, activation="sigmoid", weight_init_std="xavier", seed=SEED)
    Trainer(net, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100, optimizer="adam",
            optimizer_param={"lr": 0.001}, seed=SEED, verbose=False).train()
    small = MultiLayerNet(784, [50, 100], 10, activation="sigmoid", weight_init_std="xavier", dtype=np.float32)
    assign_params(small, net.params)
    return small


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the weights (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="train and compare with --out instead of writing it")
    args = parser.parse_args(argv)

    net = train()
    _, (x_test, t_test) = load_mnist(subset=True)
    accuracy = net.accuracy(x_test, t_test)
    if not args.check:
        save_network(args.out, net)
        print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes); test accuracy on the subset {accuracy:.4f}")
        return 0
    stored = load_network(args.out)
    worst = max(float(np.max(np.abs(stored.params[k] - net.params[k]))) for k in net.params)
    stored_accuracy = stored.accuracy(x_test, t_test)
    print(f"largest difference from {args.out}: {worst:.2e}; test accuracy {accuracy:.4f} (stored {stored_accuracy:.4f})")
    if sorted(stored.params) != sorted(net.params) or worst > TOLERANCE or accuracy != stored_accuracy:
        print("the committed weights are not what this script trains: run it again and commit the file", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
