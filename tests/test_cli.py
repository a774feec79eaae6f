"""Tests for the command line: in-process through nnlib.cli.main (works everywhere) and as real processes
(`python -m nnlib`, the `nnlib` console script) where processes exist."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from nnlib.cli import main
from nnlib.io import load_network


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def accuracy_in(out: str) -> float:
    match = re.search(r"^test accuracy: ([0-9.]+)( after .*)?$", out, re.M)
    assert match, out
    return float(match.group(1))


def test_train_save_and_evaluate(capsys, tmp_path):
    path = tmp_path / "net.npz"
    code, out, err = run_main(
        capsys,
        "train",
        "--model",
        "two-layer",
        "--data",
        "digits",
        "--epochs",
        "20",
        "--seed",
        "1",
        "--save",
        str(path),
    )
    assert code == 0
    acc = accuracy_in(out)
    assert acc > 0.93
    assert "model: TwoLayerNet" in out and "float32" in out and "20 epochs, batch 32, adam lr 0.001, seed 1" in out
    assert f"saved: {path}" in out
    assert "epoch 20/20" in err  # the progress display went to stderr
    # One summary, on stdout: no second one from the progress display, no lines repeating it.
    assert re.search(r"^test accuracy: 0\.\d{4} after 20 epochs in \d+\.\d s$", out, re.M)
    assert "final test accuracy" not in err and "epochs run" not in out
    net = load_network(path)
    assert net.config["hidden_size"] == 100 and net.params["W1"].dtype == np.float32
    code, out, _ = run_main(capsys, "evaluate", str(path), "--data", "digits")
    assert code == 0 and accuracy_in(out) == acc
    # Same seed, same result.
    code, out, _ = run_main(
        capsys, "train", "--model", "two-layer", "--data", "digits", "--epochs", "20", "--seed", "1", "--quiet"
    )
    assert accuracy_in(out) == acc


@pytest.mark.parametrize(
    "model,extra,cls",
    [
        ("mlp", ["--hidden", "32,16", "--optimizer", "Momentum", "--lr", "0.05"], "MultiLayerNet"),
        ("conv", ["--hidden", "20", "--dtype", "float64"], "SimpleConvNet"),
        ("nielsen", [], "Network"),
    ],
)
def test_every_model_trains(capsys, tmp_path, model, extra, cls):
    path = tmp_path / "m.npz"
    code, out, err = run_main(
        capsys, "train", "--model", model, "--data", "digits", "--epochs", "2", "--quiet", "--save", str(path), *extra
    )
    assert code == 0 and err == ""
    assert f"model: {cls}" in out and 0.0 <= accuracy_in(out) <= 1.0
    assert type(load_network(path)).__name__ == cls


def test_mnist_subset_with_validation_and_patience(capsys):
    code, out, _ = run_main(
        capsys,
        "train",
        "--model",
        "two-layer",
        "--data",
        "mnist-subset",
        "--epochs",
        "3",
        "--validation-split",
        "0.1",
        "--patience",
        "5",
        "--quiet",
    )
    assert code == 0
    assert "4500 training (500 more held out for validation) and 1000 test images" in out
    assert re.search(
        r"^test accuracy: 0\.\d{4} after 3 epochs in [\d.]+ s; best validation accuracy 0\.\d{4} at epoch [123] "
        r"\(its parameters kept\)$",
        out,
        re.M,
    )
    assert out.count("accuracy") == 2  # that one line, nothing repeating it
    assert accuracy_in(out) > 0.8


def test_conv_filters_follow_the_image_size(capsys, tmp_path):
    from nnlib.cli import _make_model

    assert _make_model("conv", [10], (28, 28), "float32", 0).config["conv_param"]["filter_size"] == 5
    assert _make_model("conv", [10], (8, 8), "float32", 0).config["conv_param"]["filter_size"] == 3
    # A network for the 8x8 digits cannot be evaluated on 28x28 MNIST images.
    path = tmp_path / "d.npz"
    assert (
        run_main(
            capsys,
            "train",
            "--model",
            "conv",
            "--data",
            "digits",
            "--epochs",
            "1",
            "--hidden",
            "8",
            "--quiet",
            "--save",
            str(path),
        )[0]
        == 0
    )
    code, _, err = run_main(capsys, "evaluate", str(path), "--data", "mnist-subset")
    assert code == 1 and "inputs of 64 values" in err and "784 per image" in err


@pytest.mark.parametrize(
    "argv,message",
    [
        (["train", "--model", "resnet", "--data", "digits"], "invalid choice: 'resnet'"),
        (["train", "--model", "mlp"], "the following arguments are required: --data"),
        (["train", "--model", "mlp", "--data", "digits", "--epochs", "0"], "positive integer"),
        (["train", "--model", "mlp", "--data", "digits", "--hidden", "a,b"], "layer widths"),
        (["train", "--model", "mlp", "--data", "digits", "--optimizer", "adamw"], "invalid choice: 'adamw'"),
        (["train", "--model", "mlp", "--data", "digits", "--validation-split", "1.5"], "strictly between 0 and 1"),
        (["train", "--model", "mlp", "--data", "digits", "--patience", "2"], "--patience needs --validation-split"),
        (["train", "--model", "mlp", "--data", "digits", "--data-dir", "x"], "--data-dir is for --data mnist"),
        (["evaluate", "n.npz", "--data", "mnist-subset", "--data-dir", "x"], "--data-dir is for --data mnist"),
        ([], "required: COMMAND"),
    ],
)
def test_bad_arguments_exit_with_status_2(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_early_stop_in_the_summary(capsys):
    argv = ["train", "--model", "two-layer", "--data", "digits", "--epochs", "30", "--validation-split", "0.2"]
    code, out, _ = run_main(capsys, *argv, "--patience", "1", "--quiet")
    assert code == 0
    match = re.search(
        r"^test accuracy: 0\.\d{4} after (\d+) epochs in [\d.]+ s \(stopped early; 30 planned\); "
        r"best validation accuracy 0\.\d{4} at epoch (\d+) \(its parameters kept\)$",
        out,
        re.M,
    )
    assert match and int(match.group(2)) < int(match.group(1)) < 30, out


def test_one_epoch_is_singular(capsys):
    code, out, err = run_main(capsys, "train", "--model", "two-layer", "--data", "digits", "--epochs", "1")
    assert code == 0
    assert "training: 1 epoch, batch 32" in out and re.search(r"^test accuracy: \S+ after 1 epoch in", out, re.M)
    assert "epochs" not in out and "epoch 1/1:" in err


def test_patience_without_validation_shows_the_train_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "--model", "mlp", "--data", "digits", "--patience", "2"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.startswith("usage: nnlib train ") and "--validation-split" in err
    assert err.rstrip().endswith("nnlib train: error: --patience needs --validation-split")


@pytest.mark.parametrize("where", ["missing/net.npz", "."])
def test_save_to_an_unusable_path_fails_before_training(capsys, tmp_path, where):
    path = tmp_path / where
    with pytest.raises(SystemExit) as info:
        main(["train", "--model", "two-layer", "--data", "digits", "--save", str(path)])
    out, err = capsys.readouterr()
    assert info.value.code == 2 and out == ""  # nothing was trained
    assert err.startswith("usage: nnlib train ")
    if where == ".":
        assert f"--save: cannot write {path}: it is a folder" in err
    else:
        assert f"--save: cannot write {path}: the folder {path.parent} does not exist" in err
    assert ".part" not in err and list(tmp_path.iterdir()) == []


def test_evaluate_a_folder(capsys, tmp_path):
    code, _, err = run_main(capsys, "evaluate", str(tmp_path), "--data", "digits")
    assert code == 1 and err == f"nnlib evaluate: error: {tmp_path} is a folder, not an .npz file\n"


@pytest.mark.native_only  # tries a download
def test_offline_mnist_error_speaks_command_line(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("NNLIB_DATA", raising=False)
    monkeypatch.setenv("NNLIB_CACHE", str(tmp_path))
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", "http://127.0.0.1:9/")  # nothing listens on port 9
    code, _, err = run_main(capsys, "train", "--model", "mlp", "--data", "mnist")
    assert code == 1 and "MNIST is not available" in err
    assert "pass it with --data-dir DIR or set NNLIB_DATA" in err and "--data mnist-subset uses" in err
    assert "load_mnist" not in err
    # Library users get the same advice in Python's words.
    from nnlib.datasets import MNISTUnavailable, load_mnist

    with pytest.raises(MNISTUnavailable, match=r"pass load_mnist\(data_dir=\.\.\.\)") as info:
        load_mnist()
    assert "load_mnist(subset=True) uses" in str(info.value) and isinstance(info.value, FileNotFoundError)


def test_usage_errors_that_argparse_cannot_see(capsys, tmp_path):
    code, _, err = run_main(capsys, "train", "--model", "two-layer", "--data", "digits", "--hidden", "10,10")
    assert code == 1 and "one hidden layer" in err
    code, _, err = run_main(capsys, "evaluate", str(tmp_path / "none.npz"), "--data", "digits")
    assert code == 1 and "no such file" in err
    (tmp_path / "bad.npz").write_text("hello")
    code, _, err = run_main(capsys, "evaluate", str(tmp_path / "bad.npz"), "--data", "digits")
    assert code == 1 and "not an .npz archive" in err


@pytest.mark.native_only
def test_mnist_from_a_data_dir_that_lacks_files(capsys, tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x03"))
    code, _, err = run_main(capsys, "train", "--model", "mlp", "--data", "mnist", "--data-dir", str(tmp_path))
    assert code == 1 and "lacks" in err and "t10k-images-idx3-ubyte[.gz]" in err


def test_info(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("NNLIB_CACHE", str(tmp_path))
    code, out, _ = run_main(capsys, "info")
    assert code == 0
    # The installed package's copy, not the source tree's: inside Pyodide only the wheel exists.
    size = len(resources.files("nnlib").joinpath("data", "digits.npz").read_bytes())
    assert f"digits.npz ({size:,} bytes)" in out
    assert str(tmp_path / "mnist") in out


# --------------------------------------------------------------------------------------------------- processes


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).parent.parent) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.mark.native_only
def test_python_dash_m_help_and_version():
    result = subprocess.run(
        [sys.executable, "-m", "nnlib", "--help"], capture_output=True, text=True, env=subprocess_env(), timeout=60
    )
    assert result.returncode == 0 and "train" in result.stdout and "evaluate" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "nnlib", "train", "--help"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert result.returncode == 0
    for option in (
        "--model",
        "--data",
        "--epochs",
        "--batch-size",
        "--optimizer",
        "--lr",
        "--seed",
        "--data-dir",
        "--save",
    ):
        assert option in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "nnlib", "--version"], capture_output=True, text=True, env=subprocess_env(), timeout=60
    )
    assert result.returncode == 0 and result.stdout.startswith("nnlib 0.")


@pytest.mark.native_only
def test_python_dash_m_train(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnlib",
            "train",
            "--model",
            "two-layer",
            "--data",
            "digits",
            "--epochs",
            "3",
            "--save",
            str(tmp_path / "n.npz"),
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert 0.5 < accuracy_in(result.stdout) <= 1.0
    assert "\r" not in result.stderr and "epoch 3/3:" in result.stderr  # not a terminal: plain lines
    assert (tmp_path / "n.npz").is_file()
    result = subprocess.run(
        [sys.executable, "-m", "nnlib", "train", "--model", "bad", "--data", "digits"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert result.returncode == 2 and "invalid choice" in result.stderr


@pytest.mark.native_only
def test_console_script():
    script = shutil.which("nnlib", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the nnlib console script is not installed next to this Python (pip install -e . creates it)")
    result = subprocess.run([script, "info"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "mnist_subset.npz" in result.stdout
