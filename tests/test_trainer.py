"""Tests for nnlib.trainer: accuracy on digits, recorded history, progress events, seeding, optimizers, validation
split with early stopping, stopping from a callback, and the console display (tqdm, built-in bar, plain lines)."""

from __future__ import annotations

import io
import json
import math
import re
import sys
import time
import types

import numpy as np
import pytest

from nnlib.datasets import load_digits, load_parity
from nnlib.nets import MultiLayerNet, Network, SimpleConvNet, TwoLayerNet
from nnlib.optimizers import Momentum
from nnlib.trainer import ConsoleProgress, Trainer

EVENT_KEYS = {
    "event",
    "epoch",
    "epochs",
    "iteration",
    "iterations",
    "loss",
    "train_acc",
    "test_acc",
    "val_acc",
    "elapsed",
    "stopped_early",
}


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_two_layer_net_on_digits_reaches_95_percent(digits):
    (x, t), (xt, tt) = digits
    net = TwoLayerNet(64, 100, 10, weight_init_std="he", seed=0)
    trainer = Trainer(
        net,
        x,
        t,
        xt,
        tt,
        epochs=30,
        mini_batch_size=32,
        optimizer="Adam",
        optimizer_param={"lr": 0.005},
        seed=0,
        verbose=False,
    )
    start = time.perf_counter()
    acc = trainer.train()
    assert time.perf_counter() - start < 60
    assert acc >= 0.95
    assert acc == trainer.final_test_acc == net.accuracy(xt, tt)
    assert len(trainer.train_loss_list) == 30 * math.ceil(1438 / 32) == trainer.max_iter
    assert len(trainer.train_acc_list) == len(trainer.test_acc_list) == 30 and trainer.val_acc_list == []
    assert np.mean(trainer.train_loss_list[-45:]) < 0.2 * np.mean(trainer.train_loss_list[:45])
    assert trainer.train_acc_list[-1] > 0.98


def test_conv_net_and_nielsen_network_train_too(digits):
    (x, t), (xt, tt) = load_digits(flatten=False)
    net = SimpleConvNet(
        input_dim=(1, 8, 8),
        conv_param={"filter_num": 8, "filter_size": 3, "pad": 1, "stride": 1},
        hidden_size=32,
        weight_init_std="he",
        dtype=np.float32,
        seed=0,
    )
    assert (
        Trainer(
            net,
            x,
            t,
            xt,
            tt,
            epochs=5,
            mini_batch_size=32,
            optimizer="adam",
            optimizer_param={"lr": 0.005},
            seed=0,
            verbose=False,
        ).train()
        > 0.9
    )
    # Nielsen's sigmoid net with the quadratic cost: its loss layer stores no value, so the trainer asks net.loss.
    (x, t), (xt, tt) = digits
    net = Network([64, 30, 10], seed=0)
    trainer = Trainer(
        net, x, t, xt, tt, epochs=3, mini_batch_size=10, optimizer_param={"lr": 3.0}, seed=0, verbose=False
    )
    trainer.train()
    assert trainer.train_loss_list[-1] < trainer.train_loss_list[0]


def test_parity_needs_and_gets_a_hidden_layer():
    x, t = load_parity()
    net = MultiLayerNet(3, [8], 2, activation="tanh", weight_init_std="xavier", seed=0)
    acc = Trainer(
        net,
        x,
        t,
        x,
        t,
        epochs=300,
        mini_batch_size=8,
        optimizer="adam",
        optimizer_param={"lr": 0.05},
        seed=0,
        verbose=False,
    ).train()
    assert acc == 1.0


def test_progress_events(digits):
    (x, t), (xt, tt) = digits
    events = []
    net = TwoLayerNet(64, 20, 10, weight_init_std="he", seed=0)
    trainer = Trainer(
        net,
        x[:300],
        t[:300],
        xt,
        tt,
        epochs=2,
        mini_batch_size=64,
        optimizer="sgd",
        optimizer_param={"lr": 0.1},
        callback=events.append,
        seed=0,
    )
    trainer.train()
    kinds = [e["event"] for e in events]
    per_epoch = math.ceil(300 / 64)
    assert kinds == ["start"] + (["iteration"] * per_epoch + ["epoch"]) * 2 + ["end"]
    for e in events:
        assert set(e) == EVENT_KEYS
        json.dumps(e)  # plain Python values only: the browser hands them to JavaScript
        assert e["epochs"] == 2 and e["iterations"] == 2 * per_epoch
    start, first, end = events[0], events[1], events[-1]
    assert start["epoch"] == 0 and start["iteration"] == 0 and start["loss"] is None and start["train_acc"] is None
    assert first["epoch"] == 1 and first["iteration"] == 1 and first["loss"] == trainer.train_loss_list[0]
    epoch_events = [e for e in events if e["event"] == "epoch"]
    assert [e["train_acc"] for e in epoch_events] == trainer.train_acc_list
    assert [e["test_acc"] for e in epoch_events] == trainer.test_acc_list
    assert end["test_acc"] == trainer.final_test_acc and end["iteration"] == 2 * per_epoch
    elapsed = [e["elapsed"] for e in events]
    assert elapsed == sorted(elapsed) and end["elapsed"] == trainer.elapsed


def test_seed_makes_runs_reproducible(digits):
    (x, t), (xt, tt) = digits

    def run(seed):
        net = TwoLayerNet(64, 20, 10, weight_init_std="he", seed=0)
        trainer = Trainer(
            net, x, t, xt, tt, epochs=2, mini_batch_size=50, optimizer_param={"lr": 0.1}, seed=seed, verbose=False
        )
        trainer.train()
        return trainer.train_loss_list

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_recorded_loss_is_the_batch_loss_before_the_update(rng):
    x, t = rng.normal(size=(40, 5)), rng.integers(0, 3, size=40)
    net = MultiLayerNet(5, [6], 3, weight_decay_lambda=0.3, seed=0)
    twin = MultiLayerNet(5, [6], 3, weight_decay_lambda=0.3, seed=0)
    trainer = Trainer(net, x, t, x, t, epochs=1, mini_batch_size=40, optimizer_param={"lr": 0.5}, verbose=False)
    loss = trainer.train_step(np.arange(40))
    assert loss == pytest.approx(twin.loss(x, t, train_flg=True), rel=1e-12)
    assert net.loss(x, t) < loss


def test_optimizer_by_name_or_instance(digits):
    (x, t), (xt, tt) = digits
    net = TwoLayerNet(64, 10, 10, seed=0)
    for name, cls in (
        ("SGD", "SGD"),
        ("momentum", "Momentum"),
        ("NESTEROV", "Nesterov"),
        ("AdaGrad", "AdaGrad"),
        ("rmsprop", "RMSprop"),
        ("adam", "Adam"),
    ):
        trainer = Trainer(net, x, t, xt, tt, optimizer=name, optimizer_param={"lr": 0.001}, verbose=False)
        assert type(trainer.optimizer).__name__ == cls and trainer.optimizer.lr == 0.001
    assert Trainer(net, x, t, xt, tt, verbose=False).optimizer.lr == 0.01  # the book's default
    mine = Momentum(lr=0.2, momentum=0.5)
    assert Trainer(net, x, t, xt, tt, optimizer=mine, verbose=False).optimizer is mine
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        Trainer(net, x, t, xt, tt, optimizer="adamw")
    with pytest.raises(ValueError, match="bad optimizer_param"):
        Trainer(net, x, t, xt, tt, optimizer="adam", optimizer_param={"learning_rate": 0.1})
    with pytest.raises(ValueError, match="already has its settings"):
        Trainer(net, x, t, xt, tt, optimizer=mine, optimizer_param={"lr": 0.1})
    with pytest.raises(ValueError, match="optimizer must be"):
        Trainer(net, x, t, xt, tt, optimizer=3)


def test_bad_arguments(digits):
    (x, t), (xt, tt) = digits
    net = TwoLayerNet(64, 10, 10, seed=0)
    cases = [
        (dict(t_train=t[:-1]), "1438 training inputs but 1437 training targets"),
        (dict(x_test=xt[:0], t_test=tt[:0]), "test data are empty"),
        (dict(mini_batch_size=0), "mini_batch_size"),
        (dict(epochs=-1), "epochs"),
        (dict(patience=2), "needs validation_split"),
        (dict(patience=0, validation_split=0.2), "patience must be"),
        (dict(evaluate_sample_num_per_epoch=0), "evaluate_sample_num_per_epoch"),
        (dict(callback="print"), "callback must be callable"),
        (dict(network=object()), "must have `params`"),
    ]
    base = dict(network=net, x_train=x, t_train=t, x_test=xt, t_test=tt, verbose=False)
    for change, message in cases:
        with pytest.raises(ValueError, match=message):
            Trainer(**{**base, **change})


class ScriptedNet:
    """A stand-in network: one parameter that SGD with lr=1 raises by 1 per iteration, and validation accuracies
    read from a script (the validation set is recognised by its size)."""

    def __init__(self, val_accs, val_size):
        self.params = {"w": np.zeros(1)}
        self.val_accs, self.val_size, self.calls = list(val_accs), val_size, []

    def gradient(self, x, t):
        return {"w": -np.ones(1)}

    def loss(self, x, t):
        return float(-self.params["w"][0])

    def accuracy(self, x, t):
        self.calls.append(len(x))
        return self.val_accs.pop(0) if len(x) == self.val_size else 0.5


def test_early_stopping_restores_the_best_epoch():
    x, t = np.zeros((100, 2)), np.repeat(np.arange(2), 50)
    net = ScriptedNet([0.5, 0.7, 0.6, 0.65, 0.7, 0.9], val_size=20)
    epochs = []
    trainer = Trainer(
        net,
        x,
        t,
        x[:7],
        t[:7],
        epochs=10,
        mini_batch_size=10,
        optimizer="sgd",
        optimizer_param={"lr": 1.0},
        validation_split=0.2,
        patience=3,
        seed=0,
        callback=lambda e: e["event"] == "epoch" and epochs.append(e),
    )
    assert len(trainer.x_train) == 80 and len(trainer.x_val) == 20
    np.testing.assert_array_equal([np.sum(trainer.t_val == c) for c in (0, 1)], [10, 10])  # stratified
    trainer.train()
    assert trainer.stopped_early and trainer.best_epoch == 2
    assert trainer.val_acc_list == [0.5, 0.7, 0.6, 0.65, 0.7]  # three epochs without beating 0.7, then stop
    assert [e["val_acc"] for e in epochs] == trainer.val_acc_list
    assert net.params["w"][0] == 2 * 8  # 8 iterations per epoch, back to the end of epoch 2
    assert len(trainer.train_loss_list) == 5 * 8

    net = ScriptedNet([0.5, 0.7, 0.6, 0.65, 0.7], val_size=20)
    trainer = Trainer(
        net,
        x,
        t,
        x[:7],
        t[:7],
        epochs=10,
        mini_batch_size=10,
        optimizer_param={"lr": 1.0},
        validation_split=0.2,
        patience=3,
        seed=0,
        restore_best=False,
        verbose=False,
    )
    trainer.train()
    assert net.params["w"][0] == 5 * 8


def test_evaluate_sample_num_limits_per_epoch_evaluation():
    x, t = np.zeros((100, 2)), np.repeat(np.arange(2), 50)
    net = ScriptedNet([], val_size=-1)
    Trainer(
        net,
        x,
        t,
        x[:30],
        t[:30],
        epochs=2,
        mini_batch_size=50,
        optimizer_param={"lr": 1.0},
        evaluate_sample_num_per_epoch=10,
        verbose=False,
    ).train()
    assert net.calls == [10, 10, 10, 10, 30]  # per epoch train and test limited, the final test on all of it


def test_stop_from_a_callback(digits):
    (x, t), (xt, tt) = digits
    net = TwoLayerNet(64, 10, 10, seed=0)
    seen = []

    def callback(info):
        seen.append(info["event"])
        if info["event"] == "iteration" and info["iteration"] == 5:
            trainer.stop()

    trainer = Trainer(net, x, t, xt, tt, epochs=3, mini_batch_size=10, callback=callback)
    trainer.train()
    assert seen == ["start"] + ["iteration"] * 5 + ["epoch", "end"]
    assert trainer.stopped_early and len(trainer.train_loss_list) == 5 and trainer.final_test_acc is not None


# --------------------------------------------------------------------------------------------------- console display


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def quick_run(digits, **kwargs):
    (x, t), (xt, tt) = digits
    net = TwoLayerNet(64, 10, 10, weight_init_std="he", seed=0)
    trainer = Trainer(
        net,
        x[:200],
        t[:200],
        xt[:50],
        tt[:50],
        epochs=2,
        mini_batch_size=20,
        optimizer="adam",
        optimizer_param={"lr": 0.01},
        seed=0,
        **kwargs,
    )
    trainer.train()
    return trainer


def test_console_lines_when_not_a_terminal(digits):
    out = io.StringIO()
    trainer = quick_run(digits, callback=ConsoleProgress(stream=out))
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1/2: loss ") and f"test acc {trainer.test_acc_list[0]:.4f}" in lines[0]
    assert lines[2].startswith(f"final test accuracy {trainer.final_test_acc:.4f} after 2 epochs, 20 iterations")


def test_builtin_bar_on_a_terminal(digits):
    out = FakeTerminal()
    quick_run(digits, callback=ConsoleProgress(stream=out, use_tqdm=False, min_interval=0.0))
    text = out.getvalue()
    assert "\r" in text and "[####################] 100% 20/20" in text and "epoch 2/2 [" in text
    assert "<" in text  # elapsed<ETA
    final = text.split("\r")[-1]
    assert final.lstrip().startswith("final test accuracy")


def test_tqdm_is_used_when_installed(digits, monkeypatch):
    made = []

    class FakeTqdm:
        def __init__(self, total, file, **kwargs):
            self.total, self.n, self.file, self.closed, self.lines = total, 0, file, False, []
            made.append(self)

        def update(self, k):
            self.n += k

        def set_postfix_str(self, s, refresh=True):
            self.postfix = s

        def write(self, s, file=None):
            self.lines.append(s)

        def close(self):
            self.closed = True

    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=FakeTqdm))
    out = FakeTerminal()
    quick_run(digits, callback=ConsoleProgress(stream=out, min_interval=0.0))
    (bar,) = made
    assert bar.total == 20 and bar.n == 20 and bar.closed and bar.file is out
    assert len(bar.lines) == 2 and bar.lines[1].startswith("epoch 2/2: loss")
    assert re.fullmatch(r"epoch 2/2 loss \d\.\d{4} acc \d\.\d{4}", bar.postfix)
    assert "final test accuracy" in out.getvalue()
    # Not a terminal: no tqdm even though it is installed.
    made.clear()
    quick_run(digits, callback=ConsoleProgress(stream=io.StringIO()))
    assert made == []


def test_verbose_default_writes_to_stderr_and_quiet_writes_nothing(digits, capsys):
    quick_run(digits)
    captured = capsys.readouterr()
    assert captured.out == "" and "final test accuracy" in captured.err
    quick_run(digits, verbose=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_augment_is_applied_to_training_batches_only(digits):
    (x, t), (xt, tt) = digits
    seen = []

    def augment(batch, rng):
        assert isinstance(rng, np.random.Generator)
        seen.append(len(batch))
        return batch * 0  # blank images: the net can only learn the class frequencies

    net = TwoLayerNet(64, 10, 10, weight_init_std="he", seed=0)
    trainer = Trainer(
        net,
        x,
        t,
        xt,
        tt,
        epochs=2,
        mini_batch_size=100,
        optimizer="adam",
        augment=augment,
        optimizer_param={"lr": 0.01},
        seed=0,
        verbose=False,
    )
    acc = trainer.train()
    assert seen == [100] * 14 + [38] + [100] * 14 + [38]
    assert acc < 0.2  # evaluation saw the real images, but training never did
    with pytest.raises(ValueError, match="augment must be callable"):
        Trainer(net, x, t, xt, tt, augment=1)


def test_train_again_continues_from_the_current_parameters(digits):
    (x, t), (xt, tt) = digits
    net = TwoLayerNet(64, 20, 10, weight_init_std="he", seed=0)
    trainer = Trainer(
        net,
        x,
        t,
        xt,
        tt,
        epochs=2,
        mini_batch_size=50,
        optimizer="adam",
        optimizer_param={"lr": 0.005},
        seed=0,
        verbose=False,
    )
    trainer.train()
    first = list(trainer.train_loss_list)
    trainer.train()
    assert len(trainer.train_loss_list) == len(first) == trainer.max_iter and len(trainer.test_acc_list) == 2
    assert np.mean(trainer.train_loss_list) < np.mean(first)  # it went on from where it stopped


@pytest.mark.native_only  # runs a script of the repository on the full MNIST files
def test_train_mnist_script_smoke_run(mnist_dir, capsys, tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "train_mnist.py"
    spec = importlib.util.spec_from_file_location("train_mnist", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    save = tmp_path / "mlp.npz"
    status = module.main(
        ["--model", "mlp", "--data-dir", str(mnist_dir), "--epochs", "1", "--limit", "3000", "--save", str(save)]
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["epochs"] == 1 and result["training_images"] == 3000 and result["target"] == 0.98
    assert 0.8 < result["test_accuracy"] < 0.98 and status == 1  # far too little training to reach the target
    assert "MultiLayerNet" in result["model"] and save.is_file()
