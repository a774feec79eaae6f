"""The pretrained weights of the forward-pass lesson (nnlib/data/mnist_sigmoid_mlp.npz): bundled, loadable both ways,
accurate, and what scripts/train_lesson_weights.py trains today."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from nnlib.datasets import bundled_path, load_mnist
from nnlib.io import load_network, load_params
from nnlib.nets import MultiLayerNet

NAME = "mnist_sigmoid_mlp.npz"


def test_bundled_path_finds_the_weights_and_names_what_is_there() -> None:
    path = bundled_path(NAME)
    assert path.is_file() and path.parent.name == "data"
    with pytest.raises(FileNotFoundError, match=r"no file 'missing\.npz'.*mnist_subset\.npz"):
        bundled_path("missing.npz")


def test_weights_load_as_params_and_as_a_network() -> None:
    params = load_params(bundled_path(NAME))
    shapes = {k: v.shape for k, v in params.items()}
    assert shapes == {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
    assert all(v.dtype == np.float32 for v in params.values())
    net = load_network(bundled_path(NAME))
    assert isinstance(net, MultiLayerNet) and net.config["activation"] == "sigmoid"
    for k, v in params.items():
        np.testing.assert_array_equal(net.params[k], v)


def test_the_network_reads_the_test_subset() -> None:
    _, (x_test, t_test) = load_mnist(subset=True)
    assert load_network(bundled_path(NAME)).accuracy(x_test, t_test) > 0.9


@pytest.mark.native_only
@pytest.mark.slow
def test_the_script_reproduces_the_committed_weights() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_lesson_weights.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "largest difference" in proc.stdout
