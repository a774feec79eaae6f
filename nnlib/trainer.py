"""Mini-batch training with progress reports: the ``Trainer`` of "Deep Learning from Scratch", plus shuffled epochs,
a validation split with early stopping, seeding, and a progress callback that any display can plug into.

Progress events
---------------
``Trainer(..., callback=f)`` calls ``f(info)`` with a dict of plain Python values (so it can be handed to JavaScript)::

    {"event": "start" | "iteration" | "epoch" | "end",
     "epoch": 1-based epoch in progress (0 at "start"), "epochs": planned epochs,
     "iteration": iterations done so far, "iterations": planned iterations (epochs * iterations per epoch),
     "loss": last mini-batch loss or None, "train_acc", "test_acc", "val_acc": latest per-epoch accuracies or None,
     "elapsed": seconds since "start", "stopped_early": bool}

At "end", ``test_acc`` is the accuracy on the whole test set. Without a callback and with ``verbose=True`` the
trainer reports through :class:`ConsoleProgress`: a progress bar (tqdm when installed, else a compact built-in one)
when its stream is a terminal, one line per epoch otherwise (logs, notebooks, the browser).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

import numpy as np

from .datasets import train_validation_split
from .optimizers import Optimizer, get_optimizer

__all__ = ["Trainer", "ConsoleProgress"]

Callback = Callable[[dict[str, Any]], Any]


def _fmt_time(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _plural(count: int, noun: str) -> str:
    """``1 epoch``, ``2 epochs``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _fmt_acc(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


class ConsoleProgress:
    """The default progress display, usable as a ``Trainer`` callback.

    On a terminal it draws one bar over all iterations (epoch, loss, accuracy, elapsed time and ETA): tqdm's when
    tqdm is installed (and ``use_tqdm`` is not False), else a compact built-in one redrawn at most every
    ``min_interval`` seconds. Elsewhere it writes one line per epoch and never uses carriage returns.
    Either way each finished epoch leaves a line, and the end a summary line (unless ``summary=False``).

    Args:
        stream: where to write (default: ``sys.stderr`` at the time of writing).
        use_tqdm: True to require tqdm's bar, False to never use it, None to use it when it is installed.
        min_interval: the least time in seconds between two redraws of the built-in bar.
        summary: write the closing line ``final test accuracy ... after N epochs, ...`` (a program that reports the
            result itself, like ``nnlib train``, turns it off).
    """

    def __init__(
        self,
        stream: IO[str] | None = None,
        use_tqdm: bool | None = None,
        min_interval: float = 0.1,
        summary: bool = True,
    ) -> None:
        self.stream = stream
        self.use_tqdm = use_tqdm
        self.min_interval = min_interval
        self.summary = summary
        self._bar: Any = None
        self._last_draw = 0.0
        self._tty = False
        self._width = 0

    @property
    def _out(self) -> IO[str]:
        return self.stream if self.stream is not None else sys.stderr

    def _write_line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self._out)
            return
        if self._tty and self._width:
            self._out.write("\r" + " " * self._width + "\r")  # clear the bar, print the line, redraw below
        self._out.write(text + "\n")
        self._out.flush()
        self._width = 0

    def _draw(self, info: Mapping[str, Any]) -> None:
        done, total = info["iteration"], max(info["iterations"], 1)
        frac = min(done / total, 1.0)
        cells = 20
        filled = int(frac * cells)
        bar = "#" * filled + "." * (cells - filled)
        eta = info["elapsed"] / done * (total - done) if done else 0.0
        loss = "-" if info["loss"] is None else f"{info['loss']:.4f}"
        text = (
            f"epoch {info['epoch']}/{info['epochs']} [{bar}] {frac * 100:3.0f}% {done}/{total} "
            f"loss {loss} acc {_fmt_acc(info['train_acc'])} {_fmt_time(info['elapsed'])}<{_fmt_time(eta)}"
        )
        pad = max(self._width - len(text), 0)
        self._out.write("\r" + text + " " * pad)
        self._out.flush()
        self._width = len(text)

    def __call__(self, info: Mapping[str, Any]) -> None:
        event = info["event"]
        if event == "start":
            isatty = getattr(self._out, "isatty", None)
            self._tty = bool(isatty and isatty())
            self._bar = None
            if self._tty and self.use_tqdm is not False:
                try:
                    from tqdm import tqdm
                except ImportError:
                    if self.use_tqdm:
                        raise
                else:
                    self._bar = tqdm(total=info["iterations"], file=self._out, unit="it", dynamic_ncols=True)
        elif event == "iteration":
            if self._bar is not None:
                self._bar.update(info["iteration"] - self._bar.n)
                now = time.perf_counter()
                if now - self._last_draw >= self.min_interval:
                    self._last_draw = now
                    self._bar.set_postfix_str(
                        f"epoch {info['epoch']}/{info['epochs']} loss {info['loss']:.4f} "
                        f"acc {_fmt_acc(info['train_acc'])}",
                        refresh=False,
                    )
            elif self._tty:
                now = time.perf_counter()
                if now - self._last_draw >= self.min_interval or info["iteration"] == info["iterations"]:
                    self._last_draw = now
                    self._draw(info)
        elif event == "epoch":
            loss = "-" if info["loss"] is None else f"{info['loss']:.4f}"
            val = "" if info["val_acc"] is None else f", val acc {_fmt_acc(info['val_acc'])}"
            self._write_line(
                f"epoch {info['epoch']}/{info['epochs']}: loss {loss}, train acc {_fmt_acc(info['train_acc'])}, "
                f"test acc {_fmt_acc(info['test_acc'])}{val} ({_fmt_time(info['elapsed'])})"
            )
            if self._bar is None and self._tty:
                self._draw(info)
        elif event == "end":
            if self._bar is not None:
                self._bar.close()
                self._bar = None
            elif self._tty and self._width:
                self._out.write("\r" + " " * self._width + "\r")
                self._width = 0
            if self.summary:
                early = " (stopped early)" if info["stopped_early"] else ""
                self._out.write(
                    f"final test accuracy {_fmt_acc(info['test_acc'])} after {_plural(info['epoch'], 'epoch')}, "
                    f"{_plural(info['iteration'], 'iteration')}, {_fmt_time(info['elapsed'])}{early}\n"
                )
            self._out.flush()


class Trainer:
    """Train ``network`` with mini-batch gradient descent and record its progress.

    Each epoch visits the training data once in a new random order (``seed`` makes it reproducible), in
    ``ceil(N / mini_batch_size)`` mini-batches; each mini-batch does ``optimizer.update(network.params,
    network.gradient(x, t))``. After each epoch the accuracy on the training data, the test data (each limited to their
    first ``evaluate_sample_num_per_epoch`` samples when given, as in the book) and the validation data is recorded.

    Recorded: ``train_loss_list`` (per iteration), ``train_acc_list``, ``test_acc_list``, ``val_acc_list`` (per
    epoch), ``final_test_acc``, ``best_epoch``, ``stopped_early``, ``elapsed``. The per-iteration loss is the loss of
    the mini-batch as computed by the gradient's own forward pass (before the update; no extra forward pass) when the
    network keeps it in ``last_loss`` (every net of :mod:`nnlib.nets` does), else ``network.loss`` after the update,
    as in the book. Unlike the book's Trainer, :meth:`train` returns the final test accuracy, and progress goes to
    stderr as one line per epoch (or a bar on a terminal) instead of a printed loss per iteration.

    Args:
        network: anything with ``params``, ``gradient(x, t)`` and ``accuracy(x, t)`` (every net of :mod:`nnlib.nets`).
        x_train: training inputs, shape ``(N, ...)`` as the network takes them (e.g. ``(N, 784)`` or
            ``(N, 1, 28, 28)``).
        t_train: training targets: labels ``(N,)``, a column of labels ``(N, 1)`` or one-hot rows ``(N, C)``.
        x_test: test inputs, shaped like ``x_train``, used only to measure accuracy (the book's scripts pass
            validation data here).
        t_test: test targets, like ``t_train``.
        epochs: passes over the training data (0 only evaluates).
        mini_batch_size: samples per update; the last mini-batch of an epoch may be smaller.
        optimizer: a name ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'; any case) built with
            ``optimizer_param``, or an optimizer instance.
        optimizer_param: keyword arguments for the optimizer given by name (default ``{"lr": 0.01}``).
        evaluate_sample_num_per_epoch: measure the per-epoch train and test accuracies on only the first this many
            samples (faster; the final test accuracy always uses the whole test set).
        verbose: without a callback, report through :class:`ConsoleProgress` on stderr.
        callback: called with a progress dict (see the module docstring) at start, after every iteration, after every
            epoch and at the end. It replaces the console display. It may call :meth:`stop` to end training early.
        validation_split: fraction of the training data held out (stratified by class) to measure ``val_acc``.
        patience: stop when the validation accuracy has not improved for this many epochs. Needs
            ``validation_split``.
        seed: an int or ``numpy.random.Generator`` for the shuffling, the validation split and ``augment``.
        restore_best: with ``patience``, put back the parameters (and batch-norm statistics) of the epoch with the
            best validation accuracy when training ends.
        augment: ``f(x_batch, rng) -> x_batch`` applied to every training mini-batch, e.g.
            ``nnlib.datasets.random_shift`` (data augmentation; evaluation uses the data as they are).
    """

    def __init__(
        self,
        network: Any,
        x_train: np.ndarray,
        t_train: np.ndarray,
        x_test: np.ndarray,
        t_test: np.ndarray,
        epochs: int = 20,
        mini_batch_size: int = 100,
        optimizer: str | Optimizer = "SGD",
        optimizer_param: Mapping[str, Any] | None = None,
        evaluate_sample_num_per_epoch: int | None = None,
        verbose: bool = True,
        callback: Callback | None = None,
        validation_split: float | None = None,
        patience: int | None = None,
        seed: int | np.random.Generator | None = None,
        restore_best: bool = True,
        augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
    ) -> None:
        for name in ("params", "gradient", "accuracy"):
            if not hasattr(network, name):
                raise ValueError(f"Trainer: the network must have `{name}`; {type(network).__name__} has not")
        x_train, t_train, x_test, t_test = (np.asarray(a) for a in (x_train, t_train, x_test, t_test))
        for part, x, t in (("training", x_train, t_train), ("test", x_test, t_test)):
            if len(x) == 0:
                raise ValueError(f"Trainer: the {part} data are empty")
            if len(x) != len(t):
                raise ValueError(f"Trainer: {len(x)} {part} inputs but {len(t)} {part} targets")
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"Trainer: epochs must be an integer >= 0, got {epochs!r}")
        if not isinstance(mini_batch_size, (int, np.integer)) or mini_batch_size < 1:
            raise ValueError(f"Trainer: mini_batch_size must be an integer >= 1, got {mini_batch_size!r}")
        if evaluate_sample_num_per_epoch is not None and evaluate_sample_num_per_epoch < 1:
            raise ValueError(
                f"Trainer: evaluate_sample_num_per_epoch must be >= 1, got {evaluate_sample_num_per_epoch}"
            )
        if patience is not None and (not isinstance(patience, (int, np.integer)) or patience < 1):
            raise ValueError(f"Trainer: patience must be an integer >= 1, got {patience!r}")
        if patience is not None and not validation_split:
            raise ValueError(
                "Trainer: early stopping (patience) watches the validation accuracy, so it needs validation_split "
                "(watching the test set would let it leak into training)"
            )
        if augment is not None and not callable(augment):
            raise ValueError(f"Trainer: augment must be callable, got {type(augment).__name__}")
        if callback is not None and not callable(callback):
            raise ValueError(f"Trainer: callback must be callable, got {type(callback).__name__}")

        self.network = network
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.x_val: np.ndarray | None = None
        self.t_val: np.ndarray | None = None
        if validation_split:
            (x_train, t_train), (self.x_val, self.t_val) = train_validation_split(
                x_train, t_train, validation_split, seed=self.rng
            )
        self.x_train, self.t_train, self.x_test, self.t_test = x_train, t_train, x_test, t_test
        self.epochs = int(epochs)
        self.batch_size = int(mini_batch_size)
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        if isinstance(optimizer, str):
            params = {"lr": 0.01} if optimizer_param is None else dict(optimizer_param)
            try:
                self.optimizer = get_optimizer(optimizer, **params)
            except TypeError as exc:
                raise ValueError(f"Trainer: bad optimizer_param {params} for {optimizer!r}: {exc}") from None
        elif hasattr(optimizer, "update"):
            if optimizer_param is not None:
                raise ValueError(
                    "Trainer: optimizer_param is for an optimizer given by name; this instance already has its settings"
                )
            self.optimizer = optimizer
        else:
            raise ValueError(f"Trainer: optimizer must be a name or an object with update(), got {optimizer!r}")
        self.augment = augment
        self.patience = patience
        self.restore_best = restore_best
        self.callback = callback if callback is not None else (ConsoleProgress() if verbose else None)

        self.train_size = len(self.x_train)
        self.iter_per_epoch = math.ceil(self.train_size / self.batch_size)
        self.max_iter = self.epochs * self.iter_per_epoch
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list: list[float] = []
        self.train_acc_list: list[float] = []
        self.test_acc_list: list[float] = []
        self.val_acc_list: list[float] = []
        self.final_test_acc: float | None = None
        self.best_epoch: int | None = None
        self.stopped_early = False
        self.elapsed = 0.0
        self._stop_requested = False
        self._start = 0.0

    # ----------------------------------------------------------------------------------------------- running

    def stop(self) -> None:
        """Ask the trainer to finish after the current iteration (e.g. from a callback behind a Stop button)."""
        self._stop_requested = True

    def _info(self, event: str, loss: float | None = None) -> dict[str, Any]:
        return {
            "event": event,
            "epoch": self.current_epoch,
            "epochs": self.epochs,
            "iteration": self.current_iter,
            "iterations": self.max_iter,
            "loss": loss,
            "train_acc": self.train_acc_list[-1] if self.train_acc_list else None,
            "test_acc": self.test_acc_list[-1] if self.test_acc_list else None,
            "val_acc": self.val_acc_list[-1] if self.val_acc_list else None,
            "elapsed": time.perf_counter() - self._start,
            "stopped_early": self.stopped_early,
        }

    def _emit(self, event: str, loss: float | None = None, **override: Any) -> None:
        if self.callback is not None:
            info = self._info(event, loss)
            info.update(override)
            self.callback(info)

    def _accuracy(self, x: np.ndarray, t: np.ndarray, limit: int | None) -> float:
        if limit is not None:
            x, t = x[:limit], t[:limit]
        return float(self.network.accuracy(x, t))

    def _snapshot(self) -> dict[str, dict[str, np.ndarray]]:
        buffers = getattr(self.network, "buffers", None) or {}
        return {
            "params": {k: v.copy() for k, v in self.network.params.items()},
            "buffers": {k: np.copy(v) for k, v in buffers.items()},
        }

    def _restore(self, snap: dict[str, dict[str, np.ndarray]]) -> None:
        for k, v in snap["params"].items():
            self.network.params[k][...] = v  # in place: the layers hold these very arrays
        for k, v in snap["buffers"].items():
            self.network.buffers[k][...] = v

    def train_step(self, batch: np.ndarray) -> float:
        """One update on the training samples at indices ``batch``; returns the mini-batch loss."""
        x, t = self.x_train[batch], self.t_train[batch]
        if self.augment is not None:
            x = self.augment(x, self.rng)
        if hasattr(self.network, "last_loss"):
            self.network.last_loss = None  # so that a stale value is never reported
        grads = self.network.gradient(x, t)
        loss = getattr(self.network, "last_loss", None)  # the loss of the gradient's own forward pass
        self.optimizer.update(self.network.params, grads)
        if loss is None:
            loss = float(self.network.loss(x, t))
        self.train_loss_list.append(loss)
        self.current_iter += 1
        return loss

    def train(self) -> float:
        """Run the training; returns (and stores in ``final_test_acc``) the accuracy on the whole test set.

        Calling it again trains ``epochs`` more epochs from the current parameters (and optimizer state), with
        fresh histories.
        """
        self._start = time.perf_counter()
        self._stop_requested = False
        self.current_iter = self.current_epoch = 0
        self.train_loss_list, self.train_acc_list, self.test_acc_list, self.val_acc_list = [], [], [], []
        self.best_epoch, self.stopped_early = None, False
        best_acc, best_snap, waited = -1.0, None, 0
        loss: float | None = None
        self._emit("start")
        for epoch in range(1, self.epochs + 1):
            self.current_epoch = epoch
            order = self.rng.permutation(self.train_size)
            for start in range(0, self.train_size, self.batch_size):
                loss = self.train_step(order[start : start + self.batch_size])
                self._emit("iteration", loss)
                if self._stop_requested:
                    break
            n = self.evaluate_sample_num_per_epoch
            self.train_acc_list.append(self._accuracy(self.x_train, self.t_train, n))
            self.test_acc_list.append(self._accuracy(self.x_test, self.t_test, n))
            if self.x_val is not None:
                self.val_acc_list.append(self._accuracy(self.x_val, self.t_val, None))
            self._emit("epoch", loss)
            if self._stop_requested:
                self.stopped_early = True
                break
            if self.patience is not None:
                if self.val_acc_list[-1] > best_acc:
                    best_acc, waited, self.best_epoch = self.val_acc_list[-1], 0, epoch
                    if self.restore_best:
                        best_snap = self._snapshot()
                else:
                    waited += 1
                    if waited >= self.patience:
                        self.stopped_early = True
                        break
        if best_snap is not None and self.best_epoch != self.current_epoch:
            self._restore(best_snap)
        self.final_test_acc = float(self.network.accuracy(self.x_test, self.t_test))
        self.elapsed = time.perf_counter() - self._start
        self._emit("end", loss, test_acc=self.final_test_acc, elapsed=self.elapsed)
        return self.final_test_acc
