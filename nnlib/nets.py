"""Networks built from layers: the ``Sequential`` container and the ready networks of the course.

Every network has ``params`` (name -> array: ``W1``, ``b1``, ``W2``, ..., ``gamma1``, ``beta1``), ``predict(x)``,
``loss(x, t)``, ``accuracy(x, t)``, ``gradient(x, t)`` (backpropagation, a dict with the names of ``params``) and
``numerical_gradient(x, t)``, so ``optimizer.update(net.params, net.gradient(x, t))`` trains any of them.
Targets ``t`` are integer labels ``(N,)`` (or a column ``(N, 1)``) or one-hot rows ``(N, C)``.

Every network computes in one dtype, that of its parameters: float64 by default, as in the book, or float32 with
``dtype=np.float32``; inputs are converted to it. ``MultiLayerNetExtend`` is the book's name for ``MultiLayerNet``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from . import gradient as _gradient
from .init import scale_for
from .layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Layer,
    MeanSquaredLoss,
    Pooling,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)
from .util import SeedLike, as_rng, class_labels, conv_output_size, float_dtype, labels_from_target

ACTIVATIONS: dict[str, type[Layer]] = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}


class Sequential:
    """Layers applied one after the other, then a loss layer.

    Args:
        layers: a list of layers (named ``Affine1``, ``Relu1``, ``Affine2``, ... by class and count) or a
            mapping name -> layer.
        loss_layer: the last layer, ``forward(y, t) -> loss`` (default: ``SoftmaxWithLoss()``).
        weight_decay_lambda: L2 penalty ``0.5 * lambda * sum ||W||^2`` added to the loss (and ``lambda * W`` to
            every weight gradient).
        input_shape: if given (e.g. ``(1, 28, 28)``), flat inputs ``(N, prod(input_shape))`` are reshaped to
            ``(N, *input_shape)`` first, so flattened images work with convolutional nets.

    Parameter names follow "Deep Learning from Scratch": the k-th layer with a weight ``W`` (Affine or Convolution)
    contributes ``Wk`` and ``bk``, and a batch norm after it ``gammak`` and ``betak`` (running statistics in
    ``buffers`` as ``running_meank``, ``running_vark``). The arrays in ``params`` are the layers' own arrays, so
    updating them in place (as the optimizers do) updates the network. The dtype is the one of the parameters;
    inputs are cast to it.
    """

    def __init__(
        self,
        layers: Iterable[Layer] | Mapping[str, Layer],
        loss_layer: Layer | None = None,
        weight_decay_lambda: float = 0.0,
        input_shape: tuple[int, ...] | None = None,
    ) -> None:
        if isinstance(layers, Mapping):
            self.layers: dict[str, Layer] = dict(layers)
        else:
            self.layers, counts = {}, {}
            for layer in layers:
                kind = type(layer).__name__
                counts[kind] = counts.get(kind, 0) + 1
                self.layers[f"{kind}{counts[kind]}"] = layer
        self.last_layer = SoftmaxWithLoss() if loss_layer is None else loss_layer
        self.weight_decay_lambda = weight_decay_lambda
        self.last_loss: float | None = None  # set by gradient()
        self.input_shape = input_shape
        self._slots: dict[str, tuple[Layer, str]] = {}  # param name -> (layer, attribute)
        self.buffers: dict[str, np.ndarray] = {}
        k = 0
        for layer in self.layers.values():
            if "W" in layer.param_names:
                k += 1
            for attr in layer.param_names:
                self._add_slot(f"{attr}{max(k, 1)}", layer, attr)
            for attr in layer.buffer_names:
                self.buffers[f"{attr}{max(k, 1)}"] = getattr(layer, attr)
        self.params: dict[str, np.ndarray] = {name: getattr(layer, attr) for name, (layer, attr) in self._slots.items()}
        dtypes = {p.dtype for p in self.params.values()}
        if len(dtypes) > 1:
            raise ValueError(f"Sequential: all parameters must share one dtype, got {sorted(map(str, dtypes))}")
        self.dtype = dtypes.pop() if dtypes else np.dtype(np.float64)

    def _add_slot(self, name: str, layer: Layer, attr: str) -> None:
        if name in self._slots:
            raise ValueError(f"Sequential: two layers would both own parameter {name!r}")
        if getattr(layer, attr) is None:
            raise ValueError(
                f"Sequential: the {type(layer).__name__} layer that owns {name} does not know its shape yet (it was "
                f"given numbers, not arrays); give it arrays of the parameters' shape to use it in a network"
            )
        self._slots[name] = (layer, attr)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        lines += [f"  {name}: {layer!r}" for name, layer in self.layers.items()]
        lines.append(f"  loss: {type(self.last_layer).__name__}")
        return "\n".join(lines) + "\n)"

    def _cast(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        if self.input_shape is not None and x.ndim == 2 and x.shape[1] == int(np.prod(self.input_shape)):
            x = x.reshape(x.shape[0], *self.input_shape)
        return x

    def predict(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores before the loss layer (for a softmax net, the logits), shape ``(N, C)``."""
        x = self._cast(x)
        for layer in self.layers.values():
            x = layer.forward(x, train_flg) if layer.takes_train_flag else layer.forward(x)
        return x

    def loss(self, x: np.ndarray, t: np.ndarray, train_flg: bool = False) -> float:
        """Loss of the batch plus the weight-decay penalty."""
        y = self.predict(x, train_flg)
        loss = self.last_layer.forward(y, t)
        if self.weight_decay_lambda:
            loss += 0.5 * self.weight_decay_lambda * sum(float(np.sum(p * p)) for p in self._weights())
        return loss

    def _weights(self) -> list[np.ndarray]:
        return [self.params[name] for name, (_, attr) in self._slots.items() if attr == "W"]

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int = 100) -> float:
        """Fraction of samples whose highest score is the target class, evaluated ``batch_size`` at a time.

        Batches of 100 (the book's choice) keep a convolutional net's activations small enough for the CPU caches:
        10,000 MNIST images through SimpleConvNet take about half the time they take in batches of 1000."""
        t = np.asarray(t)
        labels = class_labels(t)
        if labels.shape[0] != len(x):
            raise ValueError(f"accuracy: {len(x)} inputs but targets of shape {t.shape}")
        correct = 0
        for start in range(0, len(x), batch_size):
            y = self.predict(x[start : start + batch_size])
            correct += int(np.sum(y.argmax(axis=1) == labels[start : start + batch_size]))
        return correct / max(len(x), 1)

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients of the training-mode loss by backpropagation, keyed like ``params``. The loss of that forward
        pass (penalty included) is kept in ``last_loss``: a training loop can report it without another pass."""
        self.last_loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1)
        first, *rest = self.layers.values()
        for layer in reversed(rest):
            dout = layer.backward(dout)
        # The first layer's input is the data, whose gradient nobody uses: layers that can skip it do, and a first
        # layer without parameters is not back-propagated at all.
        if hasattr(first, "backward_params"):
            first.backward_params(dout)
        elif first.param_names:
            first.backward(dout)
        grads = {}
        for name, (layer, attr) in self._slots.items():
            g = getattr(layer, "d" + attr)
            if attr == "W" and self.weight_decay_lambda:
                g = g + self.weight_decay_lambda * layer.W
            grads[name] = g
        return grads

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients by central differences (slow: two forward passes per parameter; for checking only)."""
        loss = lambda _: self.loss(x, t, train_flg=True)  # noqa: E731
        return {name: _gradient.numerical_gradient(loss, p) for name, p in self.params.items()}

    def set_params(self, params: Mapping[str, np.ndarray], buffers: Mapping[str, np.ndarray] | None = None) -> None:
        """Copy ``params`` (and ``buffers``) into the network's own arrays, after checking names and shapes."""
        for what, mine, given in (("parameters", self.params, params), ("buffers", self.buffers, buffers or {})):
            if buffers is None and what == "buffers":
                continue
            if set(given) != set(mine):
                raise ValueError(
                    f"{type(self).__name__}: {what} {sorted(given)} do not match the network's {sorted(mine)}"
                )
            for name, value in given.items():
                if np.shape(value) != mine[name].shape:
                    raise ValueError(
                        f"{type(self).__name__}: {name} has shape {np.shape(value)}, the network expects {mine[name].shape}"
                    )
        for name, value in params.items():
            self.params[name][...] = value
        for name, value in (buffers or {}).items():
            self.buffers[name][...] = value


class ReadyNet(Sequential):
    """A Sequential built by a constructor with keyword arguments; ``config`` holds them (JSON-friendly), so
    ``type(net)(**net.config)`` rebuilds the same architecture (nnlib.io uses this to save and load networks).

    The ready networks' ReLU and pooling layers work in place (``Relu(inplace=True)``, ``Pooling(inplace=True)``):
    each follows an Affine, Convolution, Pooling or BatchNormalization layer, which does not keep its output, so
    overwriting it is safe, and saves time.

    Inputs are checked against ``input_dim`` before the first layer sees them, so a wrong shape is reported as the
    network's input shape, not as a mismatch deep inside.

    Args:
        config: the subclass's constructor arguments (``dtype`` and an integer ``seed`` are added).
        dtype: float32 or float64, the dtype of every parameter (inputs are cast to it).
        seed: the seed the weights were drawn with (stored in ``config`` when it is an int).
        input_dim: the shape of one input: ``(D,)`` for fully connected nets (which also take ``(N, d1, d2, ...)``
            with ``d1*d2*... = D``, flattened as in the book), ``(C, H, W)`` for convolutional nets (which also take
            images flattened to ``(N, C*H*W)``).
        **kwargs: passed to :class:`Sequential` (``layers``, ``loss_layer``, ``weight_decay_lambda``, ...).
    """

    def __init__(self, config: dict[str, Any], dtype, seed: SeedLike, input_dim: tuple[int, ...], **kwargs) -> None:
        self.config = {**config, "dtype": float_dtype(dtype).name}
        if isinstance(seed, (int, np.integer)):
            self.config["seed"] = int(seed)
        self.input_dim = tuple(input_dim)
        self._input_size = math.prod(self.input_dim)
        if len(self.input_dim) > 1:
            kwargs["input_shape"] = self.input_dim
        super().__init__(**kwargs)

    def _cast(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        dims, size = self.input_dim, self._input_size  # (math.prod: np.prod of a tuple costs more than a small step)
        if len(dims) == 1:
            ok = x.shape == dims or (x.ndim >= 2 and math.prod(x.shape[1:]) == size)
            expected = f"inputs of shape (N, {size})"
        else:
            ok = x.shape[1:] == dims or (x.ndim == 2 and x.shape[1] == size)
            expected = f"inputs of shape (N, {', '.join(map(str, dims))}) or flattened (N, {size})"
        if not ok:
            raise ValueError(f"{type(self).__name__} expects {expected} (input_dim={dims}), got shape {x.shape}")
        return super()._cast(x)


def _positive(net: str, name: str, value: object) -> int:
    """``value`` as an int, after checking it is a positive integer (ValueError naming the network otherwise)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{net}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _sizes(net: str, name: str, values: object, count: int | None = None) -> list[int]:
    """A list of positive integers (layer widths, filter counts, image dimensions), checked."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(f"{net}: {name} must be a list of positive integers, got {values!r}")
    values = list(values)
    if count is not None and len(values) != count:
        raise ValueError(f"{net}: {name} must hold {count} positive integers, got {values!r}")
    return [_positive(net, f"every entry of {name}", v) for v in values]


def _ratio(net: str, value: object) -> float:
    if not isinstance(value, (int, float, np.floating, np.integer)) or not 0 <= value < 1:
        raise ValueError(f"{net}: dropout_ratio must be a number in [0, 1), got {value!r}")
    return float(value)


def _dense(fan_in: int, fan_out: int, std: float | str, rng: np.random.Generator, dtype) -> Affine:
    W = (scale_for(std, fan_in) * rng.standard_normal((fan_in, fan_out))).astype(dtype)
    return Affine(W, np.zeros(fan_out, dtype=dtype))


def _conv(fan_c: int, fn: int, size: int, std: float | str, rng, dtype, stride: int = 1, pad: int = 0) -> Convolution:
    W = (scale_for(std, fan_c * size * size) * rng.standard_normal((fn, fan_c, size, size))).astype(dtype)
    return Convolution(W, np.zeros(fn, dtype=dtype), stride=stride, pad=pad)


class TwoLayerNet(ReadyNet):
    """Affine -> ReLU -> Affine -> softmax with cross-entropy: the first network of "Deep Learning from Scratch".

    ``W1``: ``(input_size, hidden_size)``, ``W2``: ``(hidden_size, output_size)``; weights ``~ N(0, std^2)`` with
    ``std = weight_init_std`` (or 'he'/'xavier'), biases zero. Inputs ``(N, input_size)``.

    Args:
        input_size: D, the number of input features (784 for flattened 28x28 MNIST images).
        hidden_size: width of the hidden layer.
        output_size: number of classes C; scores have shape ``(N, C)``.
        weight_init_std: standard deviation of the initial weights: a number, or 'relu'/'he' (``sqrt(2/fan_in)``),
            'sigmoid'/'xavier' (``sqrt(1/fan_in)``).
        dtype: float64 (the book's precision, needed by gradient checks) or float32 (half the memory, often faster).
        seed: an int or ``numpy.random.Generator`` for the initial weights (None: a fresh random start).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float | str = 0.01,
        dtype=np.float64,
        seed: SeedLike = None,
    ) -> None:
        name = type(self).__name__
        input_size, hidden_size, output_size = (
            _positive(name, k, v)
            for k, v in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size))
        )
        rng, dt = as_rng(seed), float_dtype(dtype)
        config = dict(input_size=input_size, hidden_size=hidden_size, output_size=output_size,
                      weight_init_std=weight_init_std)  # fmt: skip
        layers = [
            _dense(input_size, hidden_size, weight_init_std, rng, dt),
            Relu(inplace=True),
            _dense(hidden_size, output_size, weight_init_std, rng, dt),
        ]
        super().__init__(config, dt, seed, (input_size,), layers=layers)


class MultiLayerNet(ReadyNet):
    """A fully connected net of any depth: ``(Affine -> [BatchNorm] -> activation -> [Dropout])`` per hidden layer,
    then Affine -> softmax with cross-entropy: the book's MultiLayerNet and, with its options, MultiLayerNetExtend
    (also available under that name). Parameters ``W1, b1, ..., W{L+1}, b{L+1}`` for L hidden layers, and
    ``gamma1, beta1, ...`` with batch norm. Inputs ``(N, input_size)``.

    Args:
        input_size: D, the number of input features (784 for flattened 28x28 MNIST images).
        hidden_size_list: widths of the hidden layers, e.g. ``[100, 100]`` (empty: a single Affine layer).
        output_size: number of classes C; scores have shape ``(N, C)``.
        activation: 'relu', 'sigmoid' or 'tanh'.
        weight_init_std: a number, 'relu'/'he' (``sqrt(2/fan_in)``) or 'sigmoid'/'xavier' (``sqrt(1/fan_in)``).
        weight_decay_lambda: L2 weight decay: ``0.5 * lambda * sum ||W||^2`` added to the loss.
        use_dropout: a Dropout layer after every hidden activation.
        dropout_ratio: the fraction of units each Dropout silences while training, in [0, 1).
        use_batchnorm: a BatchNormalization layer after every hidden Affine layer.
        dtype: float64 (the book's precision, needed by gradient checks) or float32 (half the memory, often faster).
        seed: an int or ``numpy.random.Generator`` for the initial weights and the dropout masks.
        dropout_ration: the book's MultiLayerNetExtend spells ``dropout_ratio`` this way; either name works.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: list[int],
        output_size: int,
        activation: str = "relu",
        weight_init_std: float | str = "relu",
        weight_decay_lambda: float = 0.0,
        use_dropout: bool = False,
        dropout_ratio: float = 0.5,
        use_batchnorm: bool = False,
        dtype=np.float64,
        seed: SeedLike = None,
        dropout_ration: float | None = None,
    ) -> None:
        name = type(self).__name__
        if dropout_ration is not None:
            if dropout_ratio not in (0.5, dropout_ration):
                raise ValueError(
                    f"{name}: dropout_ratio={dropout_ratio} and dropout_ration={dropout_ration} disagree "
                    "(dropout_ration is the book's spelling of dropout_ratio: give one of them)"
                )
            dropout_ratio = dropout_ration
        if activation not in ACTIVATIONS:
            raise ValueError(f"{name}: activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
        if not isinstance(weight_decay_lambda, (int, float, np.integer, np.floating)) or not weight_decay_lambda >= 0:
            raise ValueError(f"{name}: weight_decay_lambda must be a number >= 0, got {weight_decay_lambda!r}")
        input_size, output_size = _positive(name, "input_size", input_size), _positive(name, "output_size", output_size)
        hidden_size_list = _sizes(name, "hidden_size_list", hidden_size_list)
        dropout_ratio = _ratio(name, dropout_ratio)
        rng, dt = as_rng(seed), float_dtype(dtype)
        config = dict(
            input_size=input_size, hidden_size_list=hidden_size_list, output_size=output_size,
            activation=activation, weight_init_std=weight_init_std, weight_decay_lambda=weight_decay_lambda,
            use_dropout=use_dropout, dropout_ratio=dropout_ratio, use_batchnorm=use_batchnorm,
        )  # fmt: skip
        sizes = [input_size, *hidden_size_list]
        layers: list[Layer] = []
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            layers.append(_dense(fan_in, fan_out, weight_init_std, rng, dt))
            if use_batchnorm:
                layers.append(BatchNormalization(np.ones(fan_out, dtype=dt), np.zeros(fan_out, dtype=dt)))
            layers.append(Relu(inplace=True) if activation == "relu" else ACTIVATIONS[activation]())
            if use_dropout:
                layers.append(Dropout(dropout_ratio, seed=rng))
        layers.append(_dense(sizes[-1], output_size, weight_init_std, rng, dt))
        super().__init__(config, dt, seed, (input_size,), layers=layers, weight_decay_lambda=weight_decay_lambda)


#: The book's name for the multi-layer net with batch norm and dropout (``common/multi_layer_net_extend.py``): the
#: same class as :class:`MultiLayerNet`, which takes the book's keyword ``dropout_ration=`` too.
MultiLayerNetExtend = MultiLayerNet


class SimpleConvNet(ReadyNet):
    """Conv -> ReLU -> max-pool 2x2 -> Affine -> ReLU -> Affine -> softmax with cross-entropy.

    The layers run the first ReLU after the pooling instead of before it: ReLU and max-pooling commute
    (``max(relu(a), relu(b)) = relu(max(a, b))``, as ReLU never reverses an order), so scores and gradients are the
    same, and the ReLU works on a quarter of the numbers. (On a tie the gradient does not change either: it goes to
    the first maximum either way, or to nobody if the maximum is not positive.)

    ``W1``: ``(filter_num, C, filter_size, filter_size)``; ``W2``: ``(filter_num * pooled_h * pooled_w, hidden_size)``;
    ``W3``: ``(hidden_size, output_size)``. Inputs ``(N, *input_dim)``, or flattened ``(N, prod(input_dim))``.

    Args:
        input_dim: the shape ``(C, H, W)`` of one image: channels, height, width.
        conv_param: the convolution's ``filter_num`` (number of filters, default 30), ``filter_size`` (side of the
            square filters, 5), ``pad`` (zero padding, 0) and ``stride`` (1); keys left out keep their defaults.
        hidden_size: width of the hidden Affine layer.
        output_size: number of classes C; scores have shape ``(N, C)``.
        weight_init_std: standard deviation of the initial weights: a number, or 'relu'/'he', 'sigmoid'/'xavier'.
        dtype: float64 (the book's precision, needed by gradient checks) or float32 (half the memory, often faster).
        seed: an int or ``numpy.random.Generator`` for the initial weights.
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (1, 28, 28),
        conv_param: Mapping[str, int] | None = None,
        hidden_size: int = 100,
        output_size: int = 10,
        weight_init_std: float | str = 0.01,
        dtype=np.float64,
        seed: SeedLike = None,
    ) -> None:
        name = type(self).__name__
        defaults = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
        unknown = sorted(set(conv_param or {}) - set(defaults))
        if unknown:
            raise ValueError(f"{name}: unknown conv_param {', '.join(unknown)} (known: {', '.join(defaults)})")
        conv = {**defaults, **(conv_param or {})}
        for key in ("filter_num", "filter_size", "stride"):
            conv[key] = _positive(name, f"conv_param['{key}']", conv[key])
        if isinstance(conv["pad"], bool) or not isinstance(conv["pad"], (int, np.integer)) or conv["pad"] < 0:
            raise ValueError(f"{name}: conv_param['pad'] must be an integer >= 0, got {conv['pad']!r}")
        conv["pad"] = int(conv["pad"])
        C, H, W = _sizes(name, "input_dim", input_dim, 3)
        hidden_size = _positive(name, "hidden_size", hidden_size)
        output_size = _positive(name, "output_size", output_size)
        rng, dt = as_rng(seed), float_dtype(dtype)
        fn, fs = conv["filter_num"], conv["filter_size"]
        try:
            conv_h = conv_output_size(H, fs, conv["stride"], conv["pad"])
            conv_w = conv_output_size(W, fs, conv["stride"], conv["pad"])
            pooled = fn * conv_output_size(conv_h, 2, 2) * conv_output_size(conv_w, 2, 2)
        except ValueError:
            raise ValueError(
                f"{name}: images of {H}x{W} are too small for {fs}x{fs} filters (pad {conv['pad']}, stride "
                f"{conv['stride']}) followed by 2x2 pooling: the convolution's output must be at least 2x2"
            ) from None
        config = dict(input_dim=[C, H, W], conv_param=conv, hidden_size=hidden_size, output_size=output_size,
                      weight_init_std=weight_init_std)  # fmt: skip
        layers = [
            _conv(C, fn, fs, weight_init_std, rng, dt, conv["stride"], conv["pad"]),
            Pooling(2, 2, stride=2, inplace=True),
            Relu(inplace=True),  # after the pooling: see above
            _dense(pooled, hidden_size, weight_init_std, rng, dt),
            Relu(inplace=True),
            _dense(hidden_size, output_size, weight_init_std, rng, dt),
        ]
        super().__init__(config, dt, seed, (C, H, W), layers=layers)


class DeepConvNet(ReadyNet):
    """The book's deep convolutional net (about 99.4% on MNIST): three blocks of two 3x3 convolutions with ReLU and a
    2x2 max-pool, then Affine -> ReLU -> Dropout -> Affine -> Dropout -> softmax with cross-entropy.
    As in :class:`SimpleConvNet`, a ReLU followed by a max-pool runs after it instead, on a quarter of the numbers.
    He initialisation. Inputs ``(N, *input_dim)``, or flattened ``(N, prod(input_dim))``.

    Args:
        input_dim: the shape ``(C, H, W)`` of one image; H and W must survive three 2x2 poolings (at least 4).
        channels: the six convolutions' filter counts (the fourth pads by 2, the others by 1, as in the book).
        hidden_size: width of the hidden Affine layer.
        output_size: number of classes C; scores have shape ``(N, C)``.
        dropout_ratio: the fraction of units each of the two Dropout layers silences while training, in [0, 1).
        dtype: float64 (the book's precision, needed by gradient checks) or float32 (half the memory, often faster).
        seed: an int or ``numpy.random.Generator`` for the initial weights and the dropout masks.
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (1, 28, 28),
        channels: tuple[int, ...] = (16, 16, 32, 32, 64, 64),
        hidden_size: int = 50,
        output_size: int = 10,
        dropout_ratio: float = 0.5,
        dtype=np.float64,
        seed: SeedLike = None,
    ) -> None:
        name = type(self).__name__
        channels = _sizes(name, "channels", channels, 6)
        c, h, w = input_dim = _sizes(name, "input_dim", input_dim, 3)
        hidden_size = _positive(name, "hidden_size", hidden_size)
        output_size = _positive(name, "output_size", output_size)
        dropout_ratio = _ratio(name, dropout_ratio)
        rng, dt = as_rng(seed), float_dtype(dtype)
        config = dict(input_dim=input_dim, channels=channels, hidden_size=hidden_size,
                      output_size=output_size, dropout_ratio=dropout_ratio)  # fmt: skip
        layers: list[Layer] = []
        for i, fn in enumerate(channels):
            pad = 2 if i == 3 else 1
            layers.append(_conv(c, fn, 3, "he", rng, dt, 1, pad))
            c, h, w = fn, conv_output_size(h, 3, 1, pad), conv_output_size(w, 3, 1, pad)
            if i % 2 == 1:
                if h < 2 or w < 2:
                    size = f"{input_dim[1]}x{input_dim[2]}"
                    raise ValueError(f"{name}: images of {size} are too small for three 2x2 poolings")
                layers.append(Pooling(2, 2, stride=2, inplace=True))
                h, w = conv_output_size(h, 2, 2), conv_output_size(w, 2, 2)
            layers.append(Relu(inplace=True))
        layers += [
            _dense(c * h * w, hidden_size, "he", rng, dt),
            Relu(inplace=True),
            Dropout(dropout_ratio, seed=rng),
            _dense(hidden_size, output_size, "he", rng, dt),
            Dropout(dropout_ratio, seed=rng),
        ]
        super().__init__(config, dt, seed, tuple(input_dim), layers=layers)


class Network(ReadyNet):
    """Michael Nielsen's network ("Neural Networks and Deep Learning", chapter 1), vectorised over mini-batches.

    Sigmoid neurons in every layer and the quadratic cost ``C = mean_n 0.5 * ||a_n - y_n||^2``; weights and biases
    ``~ N(0, 1)``. ``sizes`` lists the layer widths, e.g. ``[784, 30, 10]``. ``weights[i]`` (shape ``(out, in)``)
    and ``biases[i]`` (shape ``(out, 1)``) are views of ``params['W{i+1}']`` and ``params['b{i+1}']`` in Nielsen's
    column-vector orientation.

    Data: a pair of arrays ``(x, t)`` with ``x`` of shape ``(N, sizes[0])`` and ``t`` integer labels or one-hot rows,
    or Nielsen's list of ``(x, y)`` pairs of column vectors ``(sizes[0], 1)`` with ``y`` a one-hot column or a label.

    Args:
        sizes: the number of neurons in each layer, input first, e.g. ``[784, 30, 10]``.
        dtype: float64 (Nielsen's precision) or float32.
        seed: an int or ``numpy.random.Generator`` for the initial weights and the shuffling of ``SGD``.
    """

    def __init__(self, sizes: list[int], dtype=np.float64, seed: SeedLike = None) -> None:
        sizes = _sizes("Network", "sizes", sizes)
        if len(sizes) < 2:
            raise ValueError(f"Network needs at least an input and an output size, got sizes={sizes}")
        self.rng, dt = as_rng(seed), float_dtype(dtype)
        self.sizes, self.num_layers = list(sizes), len(sizes)
        layers: list[Layer] = []
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            # Stored as Nielsen's (out, in) matrix; W is its transpose, a view. Both products of a step run
            # faster with that memory order than with W's own (tests/test_fast_paths.py checks the step).
            W = np.asfortranarray(self.rng.standard_normal((fan_in, fan_out)).astype(dt))
            layers += [Affine(W, self.rng.standard_normal(fan_out).astype(dt)), Sigmoid()]
        super().__init__({"sizes": list(sizes)}, dt, seed, (sizes[0],), layers=layers, loss_layer=MeanSquaredLoss())
        self._Ws = [self.params[f"W{i}"] for i in range(1, self.num_layers)]
        self._bs = [self.params[f"b{i}"] for i in range(1, self.num_layers)]

    @property
    def weights(self) -> list[np.ndarray]:
        return [self.params[f"W{i}"].T for i in range(1, self.num_layers)]

    @property
    def biases(self) -> list[np.ndarray]:
        return [self.params[f"b{i}"].reshape(-1, 1) for i in range(1, self.num_layers)]

    def feedforward(self, a: np.ndarray) -> np.ndarray:
        """Output activations: ``(sizes[-1], 1)`` for a column vector ``(sizes[0], 1)``, else ``(N, sizes[-1])``."""
        a = np.asarray(a)
        if a.shape == (self.sizes[0], 1):
            return self.predict(a.T).T
        return self.predict(a)

    def _as_arrays(self, data) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(data, tuple) and len(data) == 2 and all(isinstance(d, np.ndarray) for d in data):
            x, t = data
        else:
            pairs = list(data)
            if not pairs:
                raise ValueError("Network: the data set is empty")
            x = np.stack([np.asarray(p[0]).reshape(-1) for p in pairs])
            ys = [np.asarray(p[1]) for p in pairs]
            t = np.stack([y.reshape(-1) for y in ys]) if ys[0].size > 1 else np.array([int(y) for y in ys])
        if x.ndim != 2 or x.shape[1] != self.sizes[0] or len(t) != len(x):
            raise ValueError(
                f"Network expects inputs of shape (N, {self.sizes[0]}) with N targets, got x {x.shape} and t {np.shape(t)}"
            )
        return x, t

    def _one_hot(self, t: np.ndarray, n: int) -> np.ndarray:
        """Targets as one-hot rows ``(n, sizes[-1])`` in the network's dtype (integer labels are checked)."""
        labels = labels_from_target(t, (n, self.sizes[-1]), "Network")
        if labels is None:
            return np.asarray(t, dtype=self.dtype)
        return np.eye(self.sizes[-1], dtype=self.dtype)[labels]

    def update_mini_batch(self, mini_batch, eta: float) -> None:
        """One gradient-descent step on the whole mini-batch at once: ``p -= eta * mean gradient``.

        (Nielsen's ``w - (eta/m) * sum of per-sample gradients`` is the same step, computed sample by sample.)
        """
        x, t = self._as_arrays(mini_batch)
        with np.errstate(over="ignore"):  # see _step
            self._step(x, self._one_hot(t, len(x)), eta)

    def _step(self, x: np.ndarray, y: np.ndarray, eta: float) -> None:
        """Nielsen's backpropagation with a matrix of m samples (one per row) in place of one column vector.

        It computes what ``self.gradient`` computes through the layers (tests/test_fast_paths.py checks that), with
        the fewest NumPy calls, because at mini-batch 10 the time goes to calls, not to arithmetic.
        Callers run it under ``np.errstate(over="ignore")``: exp(-z) overflows to inf for z < -709, and
        1 / (1 + inf) = 0 is the right sigmoid (entering that context once per epoch, not per step, saves time).
        """
        Ws, bs = self._Ws, self._bs  # (in, out) and (out,): the arrays of params, updated in place
        # Forward pass, keeping every layer's activation a = sigmoid(z): the derivative sigmoid'(z) is a * (1 - a).
        activations = [np.asarray(x, dtype=self.dtype)]
        for W, b in zip(Ws, bs):
            a = activations[-1] @ W
            a += b
            np.negative(a, out=a)  # a = sigmoid(a) = 1 / (1 + exp(-a)), in place: no new arrays
            np.exp(a, out=a)
            a += 1
            np.reciprocal(a, out=a)
            activations.append(a)
        # Output error delta = dC/dz for C = mean 0.5 ||a - y||^2, scaled by eta once here, so that every gradient
        # below comes out already multiplied by the learning rate.
        a = activations[-1]
        delta = (a - y) * (a * (1 - a)) * (eta / len(y))
        for layer in range(len(Ws) - 1, -1, -1):
            a_prev = activations[layer]
            if layer:  # the error of the layer below, computed before this layer's weights change
                delta_below = (delta @ Ws[layer].T) * (a_prev * (1 - a_prev))
            W_t = Ws[layer].T  # Nielsen's (out, in) matrix, contiguous: the gradient is computed in that order
            W_t -= delta.T @ a_prev
            bs[layer] -= np.add.reduce(delta, axis=0)  # delta.sum(axis=0), without the method's Python wrapper
            if layer:
                delta = delta_below

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float, test_data=None) -> list[int]:
        """Mini-batch stochastic gradient descent, shuffling the training data each epoch with the network's rng.

        Prints ``Epoch j: correct / total`` when ``test_data`` is given (else ``Epoch j complete``) and returns the
        per-epoch counts of correct test predictions (empty without test data).
        """
        x, t = self._as_arrays(training_data)
        y = self._one_hot(t, len(x))  # once, not per mini-batch
        test = self._as_arrays(test_data) if test_data is not None else None
        history = []
        # Shuffled samples are gathered (and cast to the network's dtype) a chunk of whole mini-batches at a time,
        # not ten by ten: the mini-batches are the same, with fewer NumPy calls per step.
        if mini_batch_size < 1:
            raise ValueError(f"Network.SGD: mini_batch_size must be at least 1, got {mini_batch_size}")
        chunk = mini_batch_size * max(1, 100 // mini_batch_size)
        for epoch in range(epochs):
            order = self.rng.permutation(len(x))
            with np.errstate(over="ignore"):  # see _step
                for chunk_start in range(0, len(x), chunk):
                    idx = order[chunk_start : chunk_start + chunk]
                    xs, ys = np.asarray(x[idx], dtype=self.dtype), y[idx]
                    for start in range(0, len(idx), mini_batch_size):
                        self._step(xs[start : start + mini_batch_size], ys[start : start + mini_batch_size], eta)
            if test is not None:
                history.append(self.evaluate(test))
                print(f"Epoch {epoch}: {history[-1]} / {len(test[0])}")
            else:
                print(f"Epoch {epoch} complete")
        return history

    def evaluate(self, test_data) -> int:
        """Number of test inputs whose most active output neuron is the right digit."""
        x, t = self._as_arrays(test_data)
        return round(self.accuracy(x, t) * len(x))
