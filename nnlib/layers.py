"""Computational-graph layers: each has ``forward`` (compute and remember what the backward pass needs) and
``backward`` (take the gradient of the loss with respect to the output, return it with respect to the input).

Shapes: a batch of vectors is ``(N, D)``; images are ``(N, C, H, W)``. Layers with parameters keep them as
attributes (``W``, ``b``, ``gamma``, ``beta``) and their gradients, after ``backward``, as ``dW``, ``db``, ...;
``params`` and ``grads`` collect them by name. Every layer keeps the dtype of its input and parameters.
"""

from __future__ import annotations

import numpy as np

from .functions import log_softmax, sigmoid
from .simd import matmul, max_pool_tiles, max_pool_tiles_backward, relu_backward, relu_forward
from .util import (
    SeedLike,
    as_rng,
    col2im,
    conv_output_size,
    fold,
    im2col,
    in_memory_order_of,
    labels_from_target,
    unfold,
)


def _weights(layer: str, W: object, ndim: int, expected: str) -> np.ndarray:
    """A layer's weight array: ``W`` itself when it is a floating array (the layer trains the caller's array, as in
    the book), integers or nested lists as a new float64 array."""
    arr = W if isinstance(W, np.ndarray) else np.asarray(W)
    if arr.dtype.kind not in "fiu" or arr.ndim != ndim:
        raise ValueError(f"{layer} needs W of shape {expected}, got {_describe(W)}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def _parameter(layer: str, name: str, value: object, shape: tuple[int, ...], dtype: np.dtype, what: str) -> np.ndarray:
    """A layer's parameter of ``shape``: ``value`` itself when it is a floating array of that shape, else a new array
    of ``dtype`` holding ``value`` broadcast to ``shape``, so a number or a sequence works as in the book, whose
    ``Convolution(W, 0)`` relies on NumPy adding a scalar bias. ``what`` says what ``shape`` follows from."""
    if isinstance(value, np.ndarray) and value.shape == shape and value.dtype.kind == "f":
        return value
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "fiu":
            raise ValueError
        return np.broadcast_to(arr.astype(dtype), shape).copy()
    except ValueError:
        raise ValueError(
            f"{layer} needs {name} of shape {shape} ({what}) or a number, got {_describe(value)}"
        ) from None


def _describe(value: object) -> str:
    """How an argument shows in an error message: an array by its shape and dtype, anything else by its repr."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Layer:
    """Base class. Subclasses list their parameters in ``param_names`` (gradient of ``W`` is ``dW``) and their
    non-trained state (such as batch-norm running statistics) in ``buffer_names``."""

    param_names: tuple[str, ...] = ()
    buffer_names: tuple[str, ...] = ()
    takes_train_flag = False  # True for layers whose forward(x, train_flg) differs between training and testing

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.param_names}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, "d" + name) for name in self.param_names}

    @property
    def buffers(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.buffer_names}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _need_forward(self, value: object) -> None:
        if value is None:
            raise ValueError(f"{type(self).__name__}.backward called before forward")


class MulLayer(Layer):
    """``out = x * y``; backward swaps the inputs: ``dx = dout * y``, ``dy = dout * x``."""

    def __init__(self) -> None:
        self.x = self.y = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        self._need_forward(self.x)
        return dout * self.y, dout * self.x


class AddLayer(Layer):
    """``out = x + y``; backward passes the gradient unchanged to both inputs."""

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


class Relu(Layer):
    """``out = max(0, x)``; the gradient flows only where the input was positive.

    ``inplace=True`` (as in PyTorch) writes the output over the input in forward, and ``dx`` over ``dout`` in
    backward: no new arrays, so a convolution's large activations take half the memory traffic. Use it only where
    nothing else needs those arrays afterwards, such as after a layer that does not keep its output: the ready
    networks of :mod:`nnlib.nets` do.

    Args:
        inplace: overwrite the input in forward and ``dout`` in backward instead of returning new arrays.
    """

    def __init__(self, inplace: bool = False) -> None:
        self.inplace = inplace
        self.mask: np.ndarray | None = None

    def __repr__(self) -> str:
        return "Relu(inplace=True)" if self.inplace else "Relu()"

    def forward(self, x: np.ndarray) -> np.ndarray:
        fused = relu_forward(x, self.inplace)  # the browser's SIMD kernel, where it applies
        if fused is not None:
            self.mask, out = fused
            return out
        self.mask = x > 0
        # Same as x * self.mask, but one pass instead of a multiplication by booleans.
        return np.maximum(x, 0, out=x if self.inplace else None)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self._need_forward(self.mask)
        fused = relu_backward(dout, self.mask, self.inplace)  # the browser's SIMD kernel, where it applies
        if fused is not None:
            return fused
        return np.multiply(dout, self.mask, out=dout if self.inplace else None)


class Sigmoid(Layer):
    """``out = 1 / (1 + exp(-x))``; backward ``dx = dout * out * (1 - out)``."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self._need_forward(self.out)
        return dout * self.out * (1 - self.out)


class Tanh(Layer):
    """``out = tanh(x)``; backward ``dx = dout * (1 - out^2)``."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self._need_forward(self.out)
        return dout * (1 - self.out**2)


class Affine(Layer):
    """Fully connected layer ``out = x W + b``.

    Input ``(N, D)``, or ``(N, d1, d2, ...)`` with ``d1*d2*... = D`` (flattened, e.g. images), or one sample ``(D,)``.
    Output ``(N, M)`` (``(M,)`` for one sample). Backward: ``dW = x^T dout``, ``db = sum_n dout``, ``dx = dout W^T``
    reshaped to the input's shape.

    Args:
        W: weights, shape ``(D, M)`` for D inputs and M outputs. A floating array is used as it is (the layer trains
            the caller's array); integers or nested lists become a new float64 array.
        b: biases, shape ``(M,)``, or a number or sequence broadcast to ``(M,)`` in ``W``'s dtype (the book's
            ``Affine(W, 0)``).
    """

    param_names = ("W", "b")

    def __init__(self, W: np.ndarray, b: np.ndarray | float) -> None:
        self.W = _weights("Affine", W, 2, "(D, M)")
        self.b = _parameter("Affine", "b", b, (self.W.shape[1],), self.W.dtype, f"M = {self.W.shape[1]} outputs")
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        # The input itself when it was not stored row by row (a pooled convolution output is stored batch-last):
        # backward gives dx the same memory order, so the layers before get back the layout they produced.
        self.x_layout: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"Affine({self.W.shape[0]} -> {self.W.shape[1]})"

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        features = self.W.shape[0]
        if x.ndim == 0 or (x.ndim == 1 and x.shape[0] != features) or (x.ndim > 1 and x[0].size != features):
            raise ValueError(f"Affine expects inputs with {features} features, got shape {x.shape}")
        self.original_x_shape = x.shape
        self.x_layout = None if x.flags.c_contiguous else x
        self.x = x.reshape(-1, features)
        out = matmul(self.x, self.W)
        out += self.b  # in place: no second (N, M) array
        return out[0] if x.ndim == 1 else out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = self.backward_params(dout)
        if self.x.flags.f_contiguous and not self.x.flags.c_contiguous:
            # x came stored column by column (flattened batch-last images from a convolution): computing the
            # transpose gives dx that memory order without a copy.
            return matmul(self.W, dout.T).T.reshape(self.original_x_shape)
        dx = matmul(dout, self.W.T).reshape(self.original_x_shape)
        # One copy here saves the layers before from passes that mix two memory orders, which are several times
        # slower (measured: an in-place ReLU backward on SimpleConvNet's pooled gradients, 0.6 ms instead of 0.1 ms).
        return dx if self.x_layout is None else in_memory_order_of(dx, self.x_layout)

    def backward_params(self, dout: np.ndarray) -> np.ndarray:
        """The parameter gradients ``dW``, ``db`` alone (what the first layer of a network needs: the gradient
        with respect to its input, the data, is never used). Returns ``dout`` as ``(N, M)``."""
        self._need_forward(self.x)
        dout = dout.reshape(-1, self.W.shape[1])
        self.dW = matmul(self.x.T, dout)
        self.db = dout.sum(axis=0)
        return dout


class SoftmaxWithLoss(Layer):
    """Softmax followed by cross-entropy, fused: ``loss = mean_n(-sum_k t_nk log softmax(x_n)_k)``.

    ``forward(x, t)``: scores ``x`` of shape ``(N, C)`` (or ``(C,)``) and targets ``t``, one-hot of the same shape
    or integer labels ``(N,)``; returns the scalar loss. The log-softmax is computed from shifted scores, so the loss
    and its gradient stay finite for scores of any size. ``backward(dout=1)`` returns ``(softmax(x) - t) * dout / N``.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None  # softmax output
        self.t: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        x = np.asarray(x)
        if x.ndim not in (1, 2):
            raise ValueError(f"SoftmaxWithLoss expects scores of shape (C,) or (N, C), got {x.shape}")
        labels = labels_from_target(t, x.shape, "SoftmaxWithLoss")
        log_y = log_softmax(x)
        self.y = np.exp(log_y)
        log_y2 = log_y.reshape(-1, x.shape[-1])
        n = log_y2.shape[0]
        if labels is None:
            self.t = np.asarray(t, dtype=log_y.dtype)
            self.loss = float(-np.sum(self.t.reshape(log_y2.shape) * log_y2) / n)
        else:
            self.t = labels
            self.loss = float(-log_y2[np.arange(n), labels].sum() / n)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        self._need_forward(self.y)
        y2 = self.y.reshape(-1, self.y.shape[-1])
        n = y2.shape[0]
        if self.t.shape == self.y.shape:  # one-hot (or soft) targets
            dx = self.y - self.t
        else:
            dx = y2.copy()
            dx[np.arange(n), self.t] -= 1
        return (dx * (dout / n)).reshape(self.y.shape)


class MeanSquaredLoss(Layer):
    """Quadratic cost ``loss = mean_n 0.5 * ||y_n - t_n||^2`` (Michael Nielsen's cost).

    ``forward(y, t)``: outputs ``(N, C)`` and targets, one-hot/real of the same shape or integer labels ``(N,)``
    (turned into one-hot rows). ``backward(dout=1)`` returns ``(y - t) * dout / N``.
    """

    def __init__(self) -> None:
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        y = np.asarray(y)
        labels = labels_from_target(t, y.shape, "MeanSquaredLoss")
        if labels is not None:
            t = np.zeros(y.shape, dtype=y.dtype).reshape(-1, y.shape[-1])
            t[np.arange(t.shape[0]), labels] = 1
            t = t.reshape(y.shape)
        self.y, self.t = y, np.asarray(t, dtype=y.dtype)
        n = y.shape[0] if y.ndim == 2 else 1
        return float(0.5 * np.sum((y - self.t) ** 2) / n)

    def backward(self, dout: float = 1) -> np.ndarray:
        self._need_forward(self.y)
        n = self.y.shape[0] if self.y.ndim == 2 else 1
        return (self.y - self.t) * (dout / n)


class Dropout(Layer):
    """Randomly silence units while training (Srivastava et al. 2014), as in "Deep Learning from Scratch".

    Training: each element is kept with probability ``1 - dropout_ratio`` (a fresh mask per forward, drawn from
    the layer's ``rng``); testing: every element is scaled by ``1 - dropout_ratio`` so expected activations match.
    Backward lets the gradient through the same mask. Input and output: any shape.

    Args:
        dropout_ratio: the probability of silencing each element while training, in ``[0, 1)``.
        seed: an int or ``numpy.random.Generator`` for the masks (None: fresh randomness).
    """

    takes_train_flag = True

    def __init__(self, dropout_ratio: float = 0.5, seed: SeedLike = None) -> None:
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"Dropout ratio must lie in [0, 1), got {dropout_ratio}")
        self.dropout_ratio = dropout_ratio
        self.rng = as_rng(seed)
        self.mask: np.ndarray | None = None
        self.train_flg: bool | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        self.train_flg = train_flg
        if train_flg:
            self.mask = self.rng.random(x.shape) >= self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self._need_forward(self.train_flg)
        return dout * self.mask if self.train_flg else dout * (1.0 - self.dropout_ratio)


class BatchNormalization(Layer):
    """Batch normalisation (Ioffe and Szegedy 2015): ``out = gamma * (x - mean) / sqrt(var + eps) + beta``.

    ``gamma``, ``beta``: ``(D,)``. Input ``(N, D)``, or ``(N, C, H, W)`` with ``C*H*W = D`` (each position
    normalised on its own, as in the book). Training uses the batch's mean and variance and updates the running
    statistics ``running = momentum * running + (1 - momentum) * batch``; testing uses the running statistics.

    Args:
        gamma: scale, shape ``(D,)``, or a number (or sequence) broadcast to it. Floating arrays of shape ``(D,)``
            are used as they are; given numbers alone, D is taken from the first input (until then ``gamma``,
            ``beta`` and the running statistics are None, so such a layer cannot go into a network).
        beta: shift, shape ``(D,)``, or a number (or sequence), like ``gamma``.
        momentum: weight of the old value in the running statistics' update.
        running_mean: starting running mean, shape ``(D,)`` (default zeros).
        running_var: starting running variance, shape ``(D,)`` (default zeros).
        eps: added to the variance before the square root, so a constant feature does not divide by zero.
    """

    param_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var")
    takes_train_flag = True

    def __init__(
        self,
        gamma: np.ndarray | float,
        beta: np.ndarray | float,
        momentum: float = 0.9,
        running_mean: np.ndarray | None = None,
        running_var: np.ndarray | None = None,
        eps: float = 1e-6,
    ) -> None:
        given = {"gamma": gamma, "beta": beta, "running_mean": running_mean, "running_var": running_var}
        for name, value in given.items():
            try:
                kind, ndim = (None, 0) if value is None else (np.asarray(value).dtype.kind, np.ndim(value))
            except ValueError:  # a ragged sequence
                kind, ndim = "O", 1
            if kind not in (None, "f", "i", "u") or ndim > 1:
                raise ValueError(f"BatchNormalization needs {name} of shape (D,) or a number, got {_describe(value)}")
        self.momentum, self.eps = momentum, eps
        self.gamma = self.beta = self.running_mean = self.running_var = None
        self._given: dict[str, object] | None = given
        # D, the number of features, from the first argument that is a 1-D array or sequence. Given numbers alone
        # (the book's BatchNormalization(1.0, 0.0)), the layer learns D at its first forward, as the book's layer
        # learns the size of its running statistics; until then its parameters are None.
        sizes = [len(v) for v in given.values() if v is not None and np.ndim(v) == 1]
        if sizes:
            floats = [v.dtype for v in given.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
            self._build(sizes[0], floats[0] if floats else np.dtype(np.float64))
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None
        self.input_shape: tuple[int, ...] | None = None
        self.train_flg: bool | None = None
        self.xc = self.xn = self.std = None

    def _build(self, d: int, dtype: np.dtype) -> None:
        """The parameters and running statistics of D = ``d`` features, from the constructor's arguments."""
        given, what = self._given, f"D = {d} features"
        self.gamma = _parameter("BatchNormalization", "gamma", given["gamma"], (d,), dtype, what)
        self.beta = _parameter("BatchNormalization", "beta", given["beta"], (d,), dtype, what)
        for name in ("running_mean", "running_var"):
            value = given[name]
            if value is not None:
                value = _parameter("BatchNormalization", name, value, (d,), dtype, what)
            setattr(self, name, np.zeros(d, dtype) if value is None else value)
        self._given = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        if self.gamma is None and x.ndim >= 2:
            self._build(x[0].size, x.dtype if x.dtype.kind == "f" else np.dtype(np.float64))
        d = self.gamma.shape[0]
        if x.ndim < 2 or x[0].size != d:
            raise ValueError(f"BatchNormalization expects inputs with {d} features per sample, got shape {x.shape}")
        self.input_shape, self.train_flg = x.shape, train_flg
        x = x.reshape(x.shape[0], -1)
        if train_flg:
            mu = x.mean(axis=0)
            self.xc = x - mu
            var = np.mean(self.xc**2, axis=0)
            self.std = np.sqrt(var + self.eps)
            self.xn = self.xc / self.std
            # In place, so that the arrays a network exposes as buffers stay the ones that are updated.
            self.running_mean *= self.momentum
            self.running_mean += (1 - self.momentum) * mu
            self.running_var *= self.momentum
            self.running_var += (1 - self.momentum) * var
        else:
            self.std = np.sqrt(self.running_var + self.eps)
            self.xn = (x - self.running_mean) / self.std
        return (self.gamma * self.xn + self.beta).reshape(self.input_shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self._need_forward(self.train_flg)
        dout = dout.reshape(dout.shape[0], -1)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        if not self.train_flg:  # the statistics are constants at test time
            return (dxn / self.std).reshape(self.input_shape)
        # Through xn = xc / std and std = sqrt(mean(xc^2) + eps), xc = x - mean(x), in closed form:
        # dx = (dxn - mean(dxn) - xn * mean(dxn * xn)) / std
        dx = (dxn - dxn.mean(axis=0) - self.xn * np.mean(dxn * self.xn, axis=0)) / self.std
        return dx.reshape(self.input_shape)


class Convolution(Layer):
    """2-D convolution (cross-correlation, as in every deep-learning library) by unfolding patches and one matrix
    product.

    ``W``: ``(FN, C, FH, FW)`` filters, ``b``: ``(FN,)``. Input ``(N, C, H, W)``; output ``(N, FN, OH, OW)`` with
    ``OH = (H + 2*pad - FH) / stride + 1`` (likewise OW).

    The book builds im2col's matrix, one row per output position; this layer builds the same numbers transposed
    and with the batch as the fastest-varying index (:func:`~nnlib.util.unfold`), which is several times faster.
    Its output is then a view of an array stored ``(OH, OW, N, FN)``: shape and values are the usual ones, only the
    memory order differs, and the next layers (ReLU, pooling) keep it, so their passes run along whole blocks of
    N * FN numbers at a time.
    tests/test_fast_paths.py checks this layer against a convolution written with plain loops.

    Args:
        W: filters, shape ``(FN, C, FH, FW)``: FN filters of C channels, FH x FW each. A floating array is used as it
            is (the layer trains the caller's array).
        b: one bias per filter, shape ``(FN,)``, or a number or sequence broadcast to it in ``W``'s dtype (the book's
            ``Convolution(W, 0)``).
        stride: step between two filter positions, >= 1.
        pad: zero padding added on every side of the image, >= 0.
    """

    param_names = ("W", "b")

    def __init__(self, W: np.ndarray, b: np.ndarray | float, stride: int = 1, pad: int = 0) -> None:
        self.W = _weights("Convolution", W, 4, "(FN, C, FH, FW)")
        fn = self.W.shape[0]
        self.b = _parameter("Convolution", "b", b, (fn,), self.W.dtype, f"FN = {fn} filters")
        integers = isinstance(stride, (int, np.integer)) and isinstance(pad, (int, np.integer))
        if not (integers and stride >= 1 and pad >= 0):
            raise ValueError(
                f"Convolution needs an integer stride >= 1 and pad >= 0, got stride={stride!r}, pad={pad!r}"
            )
        self.stride, self.pad = int(stride), int(pad)
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.x_shape: tuple[int, ...] | None = None
        # unfold(x) with a last row of ones, (C*FH*FW + 1, OH*OW*N): with b as one more column of the weights, one
        # matrix product then adds the bias, and in backward one product gives db along with dW. Kept from call to
        # call and refilled while the shapes stay the same.
        self.cols: np.ndarray | None = None

    def __repr__(self) -> str:
        fn, c, fh, fw = self.W.shape
        return f"Convolution({c} -> {fn}, {fh}x{fw}, stride={self.stride}, pad={self.pad})"

    def forward(self, x: np.ndarray) -> np.ndarray:
        FN, C, FH, FW = self.W.shape
        if x.ndim != 4 or x.shape[1] != C:
            raise ValueError(
                f"Convolution expects inputs of shape (N, {C}, H, W) ({C} channels, as W has shape {self.W.shape}), "
                f"got shape {x.shape}"
            )
        N, _, H, W = x.shape
        out_h = conv_output_size(H, FH, self.stride, self.pad)
        out_w = conv_output_size(W, FW, self.stride, self.pad)
        self.x_shape = x.shape
        shape = (C * FH * FW + 1, out_h * out_w * N)
        if self.cols is None or self.cols.shape != shape or self.cols.dtype != x.dtype:
            self.cols = np.empty(shape, dtype=x.dtype)
            self.cols[-1] = 1
        unfold(x, FH, FW, self.stride, self.pad, out=self.cols[:-1])
        W_b = np.concatenate([self.W.reshape(FN, -1), self.b[:, None]], axis=1)  # (FN, C*FH*FW + 1)
        # Every filter applied to every patch, bias included: (OH*OW*N, FN), computed as cols^T @ W_b^T because
        # BLAS is faster with the long dimension first. Stored (OH, OW, N, FN), returned as an (N, FN, OH, OW) view.
        out = matmul(self.cols.T, W_b.T)
        return out.reshape(out_h, out_w, N, FN).transpose(2, 3, 0, 1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = self.backward_params(dout)  # (OH*OW*N, FN)
        FN, C, FH, FW = self.W.shape
        dcols = matmul(self.W.reshape(FN, -1).T, dout.T)  # (C*FH*FW, OH*OW*N)
        return fold(dcols, self.x_shape, FH, FW, self.stride, self.pad)

    def backward_params(self, dout: np.ndarray) -> np.ndarray:
        """The parameter gradients ``dW``, ``db`` alone (what the first layer of a network needs: the gradient
        with respect to its input, the data, is never used). Returns ``dout`` as ``(OH*OW*N, FN)``."""
        self._need_forward(self.cols)
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(2, 3, 0, 1).reshape(-1, FN)  # free when dout is stored like forward's output
        dW_b = matmul(self.cols, dout)  # (C*FH*FW + 1, FN); the last row, from the row of ones, is db
        self.dW = np.ascontiguousarray(dW_b[:-1].T).reshape(FN, C, FH, FW)
        self.db = np.ascontiguousarray(dW_b[-1])
        return dout


class Pooling(Layer):
    """Max pooling over ``pool_h x pool_w`` windows. Input ``(N, C, H, W)``, output ``(N, C, OH, OW)``.

    Padding counts as minus infinity, so it is never the maximum. Backward sends each output's gradient to the
    position that held the window's maximum (the first one, if several tie).

    Two ways to compute the same thing: the general one (any stride and padding) unfolds the windows with im2col
    and keeps the argmax of each; the common case of windows that tile the image (``stride == pool_h == pool_w``,
    no padding, as in every network of the course) takes the maximum of ``pool_h * pool_w`` strided views instead,
    with no copy of the windows and no index arrays. tests/test_fast_paths.py checks that both agree.

    ``inplace=True`` lets backward write ``dx`` over the input of forward (in that common case): no new array as
    large as the input, whose memory the system would otherwise hand out afresh at every step. As with
    ``Relu(inplace=True)``, use it only where nothing else needs that input afterwards, such as after a layer that
    does not keep its output: the ready networks of :mod:`nnlib.nets` do.

    Args:
        pool_h: window height.
        pool_w: window width.
        stride: step between two windows. The default, 1, is the book's: windows overlap. The usual non-overlapping
            2x2 pooling is ``Pooling(2, 2, stride=2)``.
        pad: padding on every side (never chosen as a maximum).
        inplace: let backward write ``dx`` over forward's input (see above).
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0, inplace: bool = False) -> None:
        self.pool_h, self.pool_w, self.stride, self.pad, self.inplace = pool_h, pool_w, stride, pad, inplace
        self.x_shape: tuple[int, ...] | None = None
        self.arg_max: np.ndarray | None = None  # general case: index of each window's maximum
        self.winner: np.ndarray | None = None  # tiling case: which offset in its window each maximum came from
        self.x: np.ndarray | None = None

    def __repr__(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"Pooling({self.pool_h}x{self.pool_w}, stride={self.stride}, pad={self.pad}{inplace})"

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 4:
            raise ValueError(f"Pooling expects inputs of shape (N, C, H, W), got shape {x.shape}")
        if self.stride == self.pool_h == self.pool_w and not self.pad:
            return self._forward_tiles(x)
        return self._forward_im2col(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.winner is not None:
            return self._backward_tiles(dout)
        return self._backward_im2col(dout)

    def _forward_im2col(self, x: np.ndarray) -> np.ndarray:
        self.winner = None
        N, C, H, W = x.shape
        p = self.pad
        if p:
            x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf)
        out_h = conv_output_size(H + 2 * p, self.pool_h, self.stride)
        out_w = conv_output_size(W + 2 * p, self.pool_w, self.stride)
        col = im2col(x, self.pool_h, self.pool_w, self.stride).reshape(-1, self.pool_h * self.pool_w)
        self.x_shape = (N, C, H, W)
        self.arg_max = np.argmax(col, axis=1)
        out = col[np.arange(col.shape[0]), self.arg_max]
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def _forward_tiles(self, x: np.ndarray) -> np.ndarray:
        N, C, H, W = x.shape
        ph, pw = self.pool_h, self.pool_w
        out_h, out_w = H // ph, W // pw  # a last partial window is dropped, as in the general case
        pooled = max_pool_tiles(x, ph, pw)  # the browser's SIMD kernel, where it applies
        if pooled is not None:
            self.x_shape, self.x, (out, self.winner), self.arg_max = x.shape, x, pooled, None
            return out
        # tiles[:, :, i, dy, j, dx] is pixel (i*ph + dy, j*pw + dx): for a fixed offset (dy, dx) in the window, a
        # strided view of shape (N, C, OH, OW). No copy.
        tiles = x[:, :, : out_h * ph, : out_w * pw].reshape(N, C, out_h, ph, out_w, pw)
        out = np.array(tiles[:, :, :, 0, :, 0], order="K")  # start from offset (0, 0); "K" keeps x's memory layout
        winner = np.zeros_like(out, dtype=np.min_scalar_type(ph * pw))
        for k in range(1, ph * pw):  # offsets in row-major order
            candidate = tiles[:, :, :, k // pw, :, k % pw]
            better = candidate > out  # strictly: on a tie the earlier offset keeps it, like argmax
            np.maximum(out, candidate, out=out)
            # k only grows, so max(winner, k * better) is k where this offset beats all earlier ones. (Arithmetic
            # instead of winner[better] = k: boolean-mask assignment is several times slower in NumPy.)
            np.maximum(winner, better * winner.dtype.type(k), out=winner)
        self.x_shape, self.x, self.winner, self.arg_max = x.shape, x, winner, None
        return out

    def _backward_tiles(self, dout: np.ndarray) -> np.ndarray:
        N, C, H, W = self.x_shape
        ph, pw = self.pool_h, self.pool_w
        out_h, out_w = self.winner.shape[2:]
        cropped = H != out_h * ph or W != out_w * pw
        dout = in_memory_order_of(dout, self.winner)  # the passes below are much faster without mixing orders
        # Same memory layout as the input, so that the layers before get back what they gave.
        if self.inplace and self.x.dtype == dout.dtype and self.x.flags.writeable:
            dx = self.x
            if cropped:  # pixels of no window get no gradient
                dx[:, :, out_h * ph :] = 0
                dx[:, :, :, out_w * pw :] = 0
        else:
            dx = np.zeros_like(self.x, dtype=dout.dtype) if cropped else np.empty_like(self.x, dtype=dout.dtype)
        if max_pool_tiles_backward(dout, self.winner, dx, ph, pw):  # the browser's SIMD kernel, where it applies
            return dx
        dtiles = dx[:, :, : out_h * ph, : out_w * pw].reshape(N, C, out_h, ph, out_w, pw)
        for k in range(ph * pw):  # every pixel gets dout where it was its window's maximum, else 0
            np.multiply(dout, self.winner == k, out=dtiles[:, :, :, k // pw, :, k % pw])
        return dx

    def _backward_im2col(self, dout: np.ndarray) -> np.ndarray:
        self._need_forward(self.arg_max)
        N, C, H, W = self.x_shape
        p = self.pad
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=dout.dtype)
        dmax[np.arange(dout.size), self.arg_max] = dout.transpose(0, 2, 3, 1).reshape(-1)
        dcol = dmax.reshape(-1, C * pool_size)
        dx = col2im(dcol, (N, C, H + 2 * p, W + 2 * p), self.pool_h, self.pool_w, self.stride)
        return dx[:, :, p : p + H, p : p + W]
