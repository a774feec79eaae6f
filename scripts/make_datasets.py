#!/usr/bin/env python3
"""Make the data files bundled in nnlib/data, reproducibly (same inputs -> byte-identical files).

* ``digits.npz``: scikit-learn's 1,797 8x8 digits (pixel values 0..16 as uint8) with a fixed stratified split:
  for each class, ``round(0.2 * class size)`` images chosen with ``numpy.random.default_rng(0)`` form the test set
  (359 in all), the rest the training set (1,438); both keep scikit-learn's order. Needs scikit-learn, which is not a
  dependency of nnlib: install it into the environment that runs this script (``pip install scikit-learn``).
* ``mnist_subset.npz``: 500 training images per digit (5,000) and 100 test images per digit (1,000) drawn with
  ``numpy.random.default_rng(0)`` from the full MNIST files, uint8, both parts in MNIST's order. The full files come
  from ``--mnist-dir`` or the folder in ``NNLIB_DATA`` (and are checked against the canonical md5 sums).

Each file stores ``x_train``, ``t_train``, ``x_test``, ``t_test`` and the source indices ``train_index``,
``test_index``, compressed with DEFLATE (which numpy.load reads everywhere, Pyodide included).

Usage:  python scripts/make_datasets.py [--only digits|mnist] [--mnist-dir DIR] [--out-dir nnlib/data]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnlib.datasets import MNIST_FILES, _read_user_folder  # noqa: E402
from nnlib.io import write_npz  # noqa: E402

SEED = 0
DIGITS_TEST_FRACTION = 0.2
MNIST_TRAIN_PER_CLASS = 500
MNIST_TEST_PER_CLASS = 100


def stratified_test_index(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of round(fraction * class size) samples of each class, chosen with ``rng``."""
    chosen = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        chosen.append(rng.permutation(members)[: int(round(fraction * len(members)))])
    return np.sort(np.concatenate(chosen))


def balanced_index(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of exactly ``per_class`` samples of each of the classes 0..9, chosen with ``rng``."""
    chosen = []
    for c in range(10):
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(f"class {c} has only {len(members)} samples, {per_class} needed")
        chosen.append(rng.choice(members, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def make_digits(out: Path) -> None:
    from sklearn.datasets import load_digits  # only this script needs scikit-learn

    digits = load_digits()
    images, labels = digits.images, digits.target
    if images.shape != (1797, 8, 8) or images.min() < 0 or images.max() > 16 or np.any(images % 1):
        raise ValueError(f"unexpected digits data: {images.shape}, values {images.min()}..{images.max()}")
    x = images.astype(np.uint8)
    t = labels.astype(np.uint8)
    test_index = stratified_test_index(t, DIGITS_TEST_FRACTION, np.random.default_rng(SEED))
    train_index = np.setdiff1d(np.arange(len(t)), test_index)
    write_npz(
        out,
        {
            "x_train": x[train_index],
            "t_train": t[train_index],
            "x_test": x[test_index],
            "t_test": t[test_index],
            "train_index": train_index.astype(np.int32),
            "test_index": test_index.astype(np.int32),
        },
    )
    print(f"{out}: {len(train_index)} train + {len(test_index)} test, {out.stat().st_size} bytes")


def make_mnist_subset(out: Path, mnist_dir: Path) -> None:
    a = _read_user_folder(mnist_dir, "--mnist-dir")
    rng = np.random.default_rng(SEED)
    train_index = balanced_index(a["train_label"], MNIST_TRAIN_PER_CLASS, rng)
    test_index = balanced_index(a["test_label"], MNIST_TEST_PER_CLASS, rng)
    write_npz(
        out,
        {
            "x_train": a["train_img"][train_index],
            "t_train": a["train_label"][train_index],
            "x_test": a["test_img"][test_index],
            "t_test": a["test_label"][test_index],
            "train_index": train_index.astype(np.int32),
            "test_index": test_index.astype(np.int32),
        },
    )
    print(f"{out}: {len(train_index)} train + {len(test_index)} test, {out.stat().st_size} bytes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["digits", "mnist"], help="make only this file")
    parser.add_argument(
        "--mnist-dir",
        type=Path,
        default=Path(os.environ["NNLIB_DATA"]) if os.environ.get("NNLIB_DATA") else None,
        help="folder with the four full MNIST idx files (default: $NNLIB_DATA)",
    )
    parser.add_argument("--out-dir", type=Path, default=ROOT / "nnlib" / "data", help="where to write the files")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "digits"):
        make_digits(args.out_dir / "digits.npz")
    if args.only in (None, "mnist"):
        if args.mnist_dir is None:
            parser.error(
                f"the MNIST subset needs --mnist-dir or NNLIB_DATA (a folder with {len(MNIST_FILES)} idx files)"
            )
        make_mnist_subset(args.out_dir / "mnist_subset.npz", args.mnist_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
