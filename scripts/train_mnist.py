#!/usr/bin/env python3
"""Train nnlib's networks on full MNIST and check the accuracy the README promises.

Targets: a multi-layer perceptron (MultiLayerNet) at least 98.0% test accuracy, SimpleConvNet at least 99.0%.
Both use float32, Adam with the learning rate multiplied by ``--lr-decay`` after every epoch, mini-batches of 100,
and (by default) random shifts of up to 2 pixels as data augmentation (``nnlib.datasets.random_shift``).
The full MNIST files come from ``--data-dir`` or ``NNLIB_DATA`` (or nnlib's cache / a download, see load_mnist).
This is a script, not a test: on two CPU cores the convolutional run takes tens of minutes.

Usage:
    NNLIB_DATA=/path/to/mnist python scripts/train_mnist.py --model mlp
    NNLIB_DATA=/path/to/mnist python scripts/train_mnist.py --model conv --save conv.npz

Prints the progress, then one line of JSON with the model, settings, epochs, wall time and test accuracy; exits with
status 1 when the accuracy misses the target.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnlib.datasets import load_mnist, random_shift  # noqa: E402
from nnlib.io import save_network  # noqa: E402
from nnlib.nets import MultiLayerNet, SimpleConvNet  # noqa: E402
from nnlib.optimizers import Adam  # noqa: E402
from nnlib.trainer import ConsoleProgress, Trainer  # noqa: E402

TARGETS = {"mlp": 0.980, "conv": 0.990}
DEFAULTS = {  # epochs, lr, lr decay per epoch
    "mlp": dict(epochs=20, lr=1e-3, lr_decay=0.85),
    "conv": dict(epochs=6, lr=1e-3, lr_decay=0.6),
}


def build(model: str, seed: int):
    if model == "mlp":
        return MultiLayerNet(784, [512, 512], 10, activation="relu", weight_init_std="he", dtype=np.float32, seed=seed)
    return SimpleConvNet(
        input_dim=(1, 28, 28),
        conv_param={"filter_num": 32, "filter_size": 5, "pad": 0, "stride": 1},
        hidden_size=256,
        output_size=10,
        weight_init_std="he",
        dtype=np.float32,
        seed=seed,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=sorted(TARGETS), required=True)
    parser.add_argument("--data-dir", help="folder with the four MNIST idx files (default: NNLIB_DATA)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--lr-decay", type=float)
    parser.add_argument(
        "--shift", type=int, default=2, help="augmentation: random shifts up to this many pixels (0: off)"
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", help="save the trained network here (.npz)")
    parser.add_argument("--limit", type=int, help="train on the first N training images only (a quick smoke run)")
    args = parser.parse_args(argv)
    d = DEFAULTS[args.model]
    epochs = args.epochs or d["epochs"]
    lr = args.lr or d["lr"]
    decay = args.lr_decay or d["lr_decay"]

    t0 = time.perf_counter()
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=args.data_dir)
    if args.limit:
        x_train, t_train = x_train[: args.limit], t_train[: args.limit]
    net = build(args.model, args.seed)
    optimizer = Adam(lr=lr)
    console = ConsoleProgress()

    def callback(info):
        console(info)
        if info["event"] == "epoch":
            optimizer.lr *= decay  # step decay: larger steps early, finer ones later

    def augment(x, rng):
        return random_shift(x, max_shift=args.shift, rng=rng, image_shape=(28, 28))
    trainer = Trainer(
        net,
        x_train,
        t_train,
        x_test,
        t_test,
        epochs=epochs,
        mini_batch_size=args.batch_size,
        optimizer=optimizer,
        callback=callback,
        seed=args.seed,
        augment=augment if args.shift else None,
    )
    acc = trainer.train()
    wall = time.perf_counter() - t0
    if args.save:
        save_network(args.save, net)
    result = {
        "model": f"{type(net).__name__} {json.dumps(net.config, sort_keys=True)}",
        "epochs": trainer.current_epoch,
        "batch_size": args.batch_size,
        "optimizer": f"Adam lr {lr} x{decay} per epoch",
        "shift": args.shift,
        "seed": args.seed,
        "training_images": len(x_train),
        "test_accuracy": round(acc, 4),
        "test_acc_per_epoch": [round(a, 4) for a in trainer.test_acc_list],
        "train_seconds": round(trainer.elapsed, 1),
        "wall_seconds": round(wall, 1),
        "target": TARGETS[args.model],
        "machine": f"{platform.machine()}, numpy {np.__version__}",
        "command": "python scripts/train_mnist.py " + " ".join(sys.argv[1:] if argv is None else argv),
    }
    print(json.dumps(result))
    return 0 if acc >= TARGETS[args.model] else 1


if __name__ == "__main__":
    sys.exit(main())
