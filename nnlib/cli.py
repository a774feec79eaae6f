"""Command line: train a named model on a named data set, evaluate a saved network, show where data are looked for.

    python -m nnlib train --model conv --data mnist-subset --epochs 5 --save conv.npz
    python -m nnlib evaluate conv.npz --data mnist-subset
    python -m nnlib info

(``nnlib`` works as well as ``python -m nnlib`` once the package is installed.) Progress goes to stderr, results to
stdout; the exit status is 0 on success, 1 when data or a saved file cannot be used, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import __version__
from .optimizers import OPTIMIZERS

MODELS = ("two-layer", "mlp", "conv", "nielsen")
DATASETS = ("digits", "mnist", "mnist-subset")

# Per-model defaults: chosen so that the plain command trains well (the Nielsen net keeps his SGD settings).
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "two-layer": {"hidden": [100], "optimizer": "adam", "lr": 0.001, "batch_size": 100},
    "mlp": {"hidden": [256, 128], "optimizer": "adam", "lr": 0.001, "batch_size": 100},
    "conv": {"hidden": [100], "optimizer": "adam", "lr": 0.001, "batch_size": 100},
    "nielsen": {"hidden": [30], "optimizer": "sgd", "lr": 3.0, "batch_size": 10},
}
EPOCH_DEFAULTS = {"digits": 30, "mnist-subset": 15, "mnist": 10}


def _hidden_list(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.replace(" ", "").split(",") if s]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer widths such as 256,128, got {text!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"layer widths must be positive integers, got {text!r}")
    return sizes


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number strictly between 0 and 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnlib",
        description="nnlib: neural networks from scratch with NumPy. Train the course's networks on its data sets.",
        epilog="Run 'nnlib COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"nnlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add_data_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data",
            choices=DATASETS,
            required=True,
            help="digits: 8x8 scikit-learn digits (bundled); mnist-subset: 5,000 + 1,000 MNIST images "
            "(bundled); mnist: full MNIST from --data-dir, $NNLIB_DATA, the cache or a download",
        )
        p.add_argument(
            "--data-dir",
            metavar="DIR",
            help="folder with the four MNIST idx files (for --data mnist; default: $NNLIB_DATA, then the cache)",
        )

    train = sub.add_parser(
        "train",
        help="train a model and report its test accuracy",
        description="Train one of the course's networks with nnlib's Trainer, show progress on stderr and print the "
        "final test accuracy on stdout. Options left out take per-model defaults (shown in brackets).",
    )
    train.add_argument(
        "--model",
        choices=MODELS,
        required=True,
        help="two-layer: TwoLayerNet [hidden 100, adam, lr 0.001]; mlp: MultiLayerNet with ReLU "
        "[hidden 256,128, adam, lr 0.001]; conv: SimpleConvNet [30 filters, hidden 100, adam, "
        "lr 0.001]; nielsen: Nielsen's sigmoid Network [hidden 30, sgd, lr 3.0, batch 10]",
    )
    add_data_options(train)
    train.add_argument(
        "--epochs", type=_positive_int, help="passes over the training data [digits 30, mnist-subset 15, mnist 10]"
    )
    train.add_argument("--batch-size", type=_positive_int, help="mini-batch size [100, digits 32; nielsen 10]")
    train.add_argument("--optimizer", type=str.lower, choices=list(OPTIMIZERS), help="update rule [per model]")
    train.add_argument("--lr", type=float, help="learning rate [per model]")
    train.add_argument(
        "--hidden",
        type=_hidden_list,
        metavar="N[,N...]",
        help="hidden layer widths; two-layer, conv and nielsen take one [per model]",
    )
    train.add_argument("--seed", type=int, default=0, help="seeds initial weights and shuffling [0]")
    train.add_argument(
        "--dtype", choices=["float32", "float64"], default="float32", help="float type of the network [float32]"
    )
    train.add_argument(
        "--validation-split",
        type=_fraction,
        metavar="FRACTION",
        help="hold out this fraction of the training data to measure validation accuracy",
    )
    train.add_argument(
        "--patience",
        type=_positive_int,
        help="stop when validation accuracy has not improved for this many epochs (needs --validation-split)",
    )
    train.add_argument(
        "--save", metavar="PATH", help="save the trained network (.npz) for 'nnlib evaluate' or nnlib.io.load_network"
    )
    train.add_argument("--quiet", action="store_true", help="no progress display")
    train.set_defaults(command_parser=train)  # so that errors found after parsing show this command's usage

    evaluate = sub.add_parser(
        "evaluate",
        help="test accuracy of a saved network",
        description="Load a network saved with --save (or nnlib.io.save_network) and print its "
        "accuracy on a data set's test images.",
    )
    evaluate.add_argument("path", help="the saved network (.npz)")
    add_data_options(evaluate)
    evaluate.set_defaults(command_parser=evaluate)

    sub.add_parser(
        "info",
        help="version, bundled data and where MNIST is looked for",
        description="Print nnlib's version, its bundled data files and the places load_mnist looks in.",
    )
    return parser


def _check_data_dir(args: argparse.Namespace) -> None:
    if args.data_dir and args.data != "mnist":
        raise _UsageError(f"--data-dir is for --data mnist; {args.data} is bundled with nnlib")


def _load(data: str, data_dir: str | None, flatten: bool = True):
    from . import datasets

    if data == "digits":
        return datasets.load_digits(flatten=flatten)
    try:
        return datasets.load_mnist(flatten=flatten, data_dir=data_dir, subset=(data == "mnist-subset"))
    except datasets.MNISTUnavailable as exc:  # the same advice, in command-line words
        raise FileNotFoundError(exc.explain("pass it with --data-dir DIR", "--data mnist-subset")) from None


def _make_model(model: str, hidden: list[int], image_shape: tuple[int, int], dtype: str, seed: int) -> Any:
    from . import nets

    h, w = image_shape
    size = h * w
    if model in ("two-layer", "conv", "nielsen") and len(hidden) != 1:
        raise ValueError(f"--model {model} has one hidden layer; --hidden got {len(hidden)} widths")
    if model == "two-layer":
        return nets.TwoLayerNet(size, hidden[0], 10, weight_init_std="he", dtype=dtype, seed=seed)
    if model == "mlp":
        return nets.MultiLayerNet(size, hidden, 10, activation="relu", weight_init_std="he", dtype=dtype, seed=seed)
    if model == "conv":
        # 5x5 filters for 28x28 MNIST (the book's net); 3x3 with padding for the 8x8 digits.
        conv = (
            {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
            if h >= 16
            else {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1}
        )
        return nets.SimpleConvNet(
            input_dim=(1, h, w),
            conv_param=conv,
            hidden_size=hidden[0],
            output_size=10,
            weight_init_std="he",
            dtype=dtype,
            seed=seed,
        )
    return nets.Network([size, hidden[0], 10], dtype=dtype, seed=seed)


def _describe(net: Any) -> str:
    n = sum(int(np.prod(p.shape)) for p in net.params.values())
    return f"{type(net).__name__} ({n:,} parameters, {net.dtype})"


def cmd_train(args: argparse.Namespace) -> int:
    from .io import check_writable, save_network
    from .trainer import ConsoleProgress, Trainer, _plural

    defaults = MODEL_DEFAULTS[args.model]
    hidden = args.hidden or defaults["hidden"]
    optimizer = args.optimizer or defaults["optimizer"]
    lr = args.lr if args.lr is not None else defaults["lr"]
    # The small digits set gets smaller batches (more updates per epoch); Nielsen's net keeps his 10.
    batch_size = args.batch_size or (
        32 if args.data == "digits" and args.model != "nielsen" else defaults["batch_size"]
    )
    epochs = args.epochs or EPOCH_DEFAULTS[args.data]
    if args.patience and not args.validation_split:
        raise _UsageError("--patience needs --validation-split")
    _check_data_dir(args)
    if args.save:
        try:  # before training, not after it
            check_writable(args.save)
        except OSError as exc:
            raise _UsageError(f"--save: {exc}") from None
    (x_train, t_train), (x_test, t_test) = _load(args.data, args.data_dir)
    side = int(round(np.sqrt(x_train.shape[1])))
    net = _make_model(args.model, hidden, (side, side), args.dtype, args.seed)
    trainer = Trainer(
        net,
        x_train,
        t_train,
        x_test,
        t_test,
        epochs=epochs,
        mini_batch_size=batch_size,
        optimizer=optimizer,
        optimizer_param={"lr": lr},
        verbose=False,
        callback=None if args.quiet else ConsoleProgress(summary=False),  # the result is printed below, once
        validation_split=args.validation_split,
        patience=args.patience,
        seed=args.seed,
    )
    held_out = f" ({len(trainer.x_val)} more held out for validation)" if trainer.x_val is not None else ""
    print(f"model: {_describe(net)}")
    print(f"data: {args.data}, {len(trainer.x_train)} training{held_out} and {len(x_test)} test images")
    print(f"training: {_plural(epochs, 'epoch')}, batch {batch_size}, {optimizer} lr {lr}, seed {args.seed}")
    sys.stdout.flush()
    acc = trainer.train()
    # One summary line: the test accuracy, how long training ran, and the validation accuracy it was chosen by.
    summary = f"test accuracy: {acc:.4f} after {_plural(trainer.current_epoch, 'epoch')} in {trainer.elapsed:.1f} s"
    if trainer.stopped_early:
        summary += f" (stopped early; {epochs} planned)"
    if trainer.best_epoch:
        best = trainer.val_acc_list[trainer.best_epoch - 1]
        summary += f"; best validation accuracy {best:.4f} at epoch {trainer.best_epoch} (its parameters kept)"
    elif trainer.val_acc_list:
        summary += f"; validation accuracy {trainer.val_acc_list[-1]:.4f}"
    print(summary)
    if args.save:
        save_network(args.save, net)
        print(f"saved: {args.save}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .io import load_network

    _check_data_dir(args)
    net = load_network(args.path)
    _, (x_test, t_test) = _load(args.data, args.data_dir)
    expected = int(np.prod(net.input_shape)) if getattr(net, "input_shape", None) else net.params["W1"].shape[0]
    if x_test.shape[1] != expected:
        raise ValueError(
            f"{args.path} holds a network for inputs of {expected} values, but --data {args.data} has "
            f"{x_test.shape[1]} per image"
        )
    start = time.perf_counter()
    acc = net.accuracy(x_test, t_test)
    print(f"model: {_describe(net)}")
    print(f"data: {args.data}, {len(x_test)} test images ({time.perf_counter() - start:.1f} s)")
    print(f"test accuracy: {acc:.4f}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from importlib import resources

    from . import datasets

    print(f"nnlib {__version__} (numpy {np.__version__})")
    for name in ("digits.npz", "mnist_subset.npz"):
        entry = resources.files("nnlib").joinpath("data", name)
        with entry.open("rb") as f:
            size = len(f.read())
        print(f"bundled: {name} ({size:,} bytes)")
    print("full MNIST is looked for in: data_dir / --data-dir, then")
    print(f"  NNLIB_DATA = {os.environ.get('NNLIB_DATA') or '(not set)'}")
    print(f"  cache: {datasets.mnist_cache_dir()}")
    print("  mirrors: " + " ".join(datasets.mnist_mirrors()))
    return 0


class _UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m nnlib`` and the ``nnlib`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = {"train": cmd_train, "evaluate": cmd_evaluate, "info": cmd_info}[args.command]
    try:
        return command(args)
    except _UsageError as exc:
        getattr(args, "command_parser", parser).error(str(exc))
    except (ValueError, FileNotFoundError, OSError) as exc:
        print(f"nnlib {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"nnlib {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0
