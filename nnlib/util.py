"""Helpers the layers and networks share: im2col/col2im, one-hot labels, label checks, random generators; and the
book's ``smooth_curve`` and ``shuffle_dataset`` for its chapter-6 scripts.

Shape conventions: images are ``(N, C, H, W)`` (batch, channels, height, width); a batch of vectors is ``(N, D)``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SeedLike = int | np.random.Generator | None


def as_float(x: np.typing.ArrayLike) -> np.ndarray:
    """``x`` as an array: floating dtypes are kept (float32 stays float32), anything else becomes float64."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def in_memory_order_of(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``a`` stored in the memory order of ``like`` (an array of the same shape): ``a`` itself if it already is,
    else one copy. Elementwise passes over arrays of one memory order run several times faster than over mixed ones,
    so layers hand back gradients stored like the arrays they were given (a convolution's output is batch-last)."""
    if a.strides == tuple(st // like.itemsize * a.itemsize for st in like.strides):
        return a
    same_order = np.empty_like(like, dtype=a.dtype)
    same_order[...] = a
    return same_order


def as_rng(seed: SeedLike = None) -> np.random.Generator:
    """Return a ``numpy.random.Generator``: the one given, a new one seeded with ``seed``, or a fresh unseeded one.

    Everything random in nnlib goes through such a generator, so a run is reproducible and no global state changes.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def float_dtype(dtype: np.typing.DTypeLike) -> np.dtype:
    """Check that ``dtype`` is a floating dtype (float32 or float64) and return it as ``np.dtype``."""
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """Output length of a convolution or pooling along one axis: ``floor((input + 2*pad - filter) / stride) + 1``.

    As in the book and in PyTorch, a last partial window that the stride cannot reach is dropped.
    Raises ValueError when the filter does not fit in the padded input.
    """
    if stride < 1 or pad < 0:
        raise ValueError(f"stride must be >= 1 and pad >= 0, got stride={stride}, pad={pad}")
    span = input_size + 2 * pad - filter_size
    if span < 0:
        raise ValueError(f"filter of size {filter_size} does not fit input of size {input_size} with pad {pad}")
    return span // stride + 1


def im2col(
    input_data: np.ndarray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """Unfold image patches into rows, so that a convolution becomes one matrix product.

    Args:
        input_data: images, shape ``(N, C, H, W)``.
        filter_h, filter_w: patch size.
        stride, pad: step between patches and zero padding on every side.

    Returns:
        ``(N * out_h * out_w, C * filter_h * filter_w)``: one row per output position (ordered n, y, x), the
        columns of a row being the patch's values ordered (channel, row, column), as in "Deep Learning from Scratch".
        See :func:`unfold` for the same numbers in the order the convolution layer uses.
    """
    if input_data.ndim != 4:
        raise ValueError(f"im2col expects images of shape (N, C, H, W), got shape {input_data.shape}")
    N, C, H, W = input_data.shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    img = np.pad(input_data, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else input_data
    # A strided view (no copy) of every patch: (N, C, out_h, out_w, filter_h, filter_w).
    patches = sliding_window_view(img, (filter_h, filter_w), axis=(2, 3))[:, :, ::stride, ::stride]
    # One copy, straight into the row layout the matrix product wants.
    return patches.transpose(0, 2, 3, 1, 4, 5).reshape(N * out_h * out_w, C * filter_h * filter_w)


def unfold(
    input_data: np.ndarray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0, out: np.ndarray | None = None
) -> np.ndarray:
    """im2col's patches, transposed and with the batch as the fastest axis: what :class:`~nnlib.layers.Convolution`
    uses, because it is several times faster to build and to compute with than im2col's matrix.

    Returns ``(C * filter_h * filter_w, out_h * out_w * N)``: row ``(c, dy, dx)`` (ordered like im2col's columns),
    column ``(y, x, n)``: the pixel at offset ``(dy, dx)`` in channel ``c`` of the patch of output position ``(y, x)``
    of image ``n``. So ``unfold(x).reshape(-1, out_h, out_w, N).transpose(3, 1, 2, 0)`` flattened to 2-D is
    ``im2col(x)``. With the batch last, every copy here and every elementwise pass over the convolution's output
    runs along long contiguous stretches of memory instead of rows of a few pixels.

    ``out``, if given, is a C-contiguous array of that shape to fill instead of a new one (reusing memory saves the
    operating system's work of handing out fresh pages, which costs as much as the copy itself here).
    """
    if input_data.ndim != 4:
        raise ValueError(f"unfold expects images of shape (N, C, H, W), got shape {input_data.shape}")
    N, C, H, W = input_data.shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    img = np.ascontiguousarray(input_data.transpose(1, 2, 3, 0))  # (C, H, W, N): a copy of the input, which is small
    if pad:
        img = np.pad(img, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    # A strided view (no copy) of every patch, (C, out_h, out_w, N, filter_h, filter_w), then one copy into place.
    patches = sliding_window_view(img, (filter_h, filter_w), axis=(1, 2))[:, ::stride, ::stride]
    patches = patches.transpose(0, 4, 5, 1, 2, 3)  # (C, filter_h, filter_w, out_h, out_w, N)
    shape = (C * filter_h * filter_w, out_h * out_w * N)
    if out is None:
        return patches.reshape(shape)
    if out.shape != shape or not out.flags.c_contiguous:
        raise ValueError(f"unfold: out must be a C-contiguous array of shape {shape}, got shape {out.shape}")
    out.reshape(patches.shape)[...] = patches
    return out


def fold(
    cols: np.ndarray,
    input_shape: tuple[int, int, int, int],
    filter_h: int,
    filter_w: int,
    stride: int = 1,
    pad: int = 0,
) -> np.ndarray:
    """The adjoint of :func:`unfold` (as :func:`col2im` is of :func:`im2col`): add every patch value back onto an
    image of ``input_shape`` ``(N, C, H, W)``. Returned as a view of an array stored batch-last, like unfold's."""
    N, C, H, W = input_shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    expected = (C * filter_h * filter_w, out_h * out_w * N)
    if cols.shape != expected:
        raise ValueError(f"fold expects cols of shape {expected} for input shape {tuple(input_shape)}, got {cols.shape}")
    cols = cols.reshape(C, filter_h, filter_w, out_h, out_w, N)
    img = np.zeros((C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1, N), dtype=cols.dtype)
    for y in range(filter_h):  # one vectorised add per filter offset, as in col2im
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, y:y_max:stride, x:x_max:stride] += cols[:, y, x]
    return img[:, pad : H + pad, pad : W + pad].transpose(3, 0, 1, 2)


def col2im(
    col: np.ndarray,
    input_shape: tuple[int, int, int, int],
    filter_h: int,
    filter_w: int,
    stride: int = 1,
    pad: int = 0,
) -> np.ndarray:
    """The adjoint of :func:`im2col`: add every row's patch values back onto an image of ``input_shape``.

    Overlapping patches add up, which is exactly what the backward pass of a convolution needs.
    ``col`` has shape ``(N * out_h * out_w, C * filter_h * filter_w)``; the result has shape ``input_shape``.
    """
    N, C, H, W = input_shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    expected = (N * out_h * out_w, C * filter_h * filter_w)
    if col.shape != expected:
        raise ValueError(f"col2im expects col of shape {expected} for input shape {tuple(input_shape)}, got {col.shape}")
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1), dtype=col.dtype)
    # One vectorised add per filter offset (filter_h * filter_w of them), never a loop over pixels.
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x]
    return img[:, :, pad : H + pad, pad : W + pad]


def one_hot(labels: np.ndarray, num_classes: int | None = None, dtype: np.typing.DTypeLike = np.float32) -> np.ndarray:
    """Integer labels of shape ``(N,)`` to one-hot rows of shape ``(N, num_classes)``.

    ``num_classes`` defaults to ``labels.max() + 1``. Labels must be integers in ``[0, num_classes)``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"one_hot expects a 1-D array of integer labels, got shape {labels.shape}")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        if not np.all(np.mod(labels, 1) == 0):
            raise ValueError(f"one_hot expects integer labels, got dtype {labels.dtype} with fractional values")
        labels = labels.astype(np.int64)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    check_labels(labels, num_classes, "one_hot")
    out = np.zeros((labels.shape[0], num_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def check_labels(labels: np.ndarray, num_classes: int, where: str) -> None:
    """Raise ValueError (naming ``where``) unless every label is an integer in ``[0, num_classes)``."""
    if labels.size == 0:
        return
    low, high = labels.min(), labels.max()
    if low < 0 or high >= num_classes:
        raise ValueError(
            f"{where}: labels must lie in [0, {num_classes}) for {num_classes} classes, got values from {low} to {high}"
        )


def class_labels(t: np.ndarray) -> np.ndarray:
    """The class of each sample from targets ``t``: integer labels ``(N,)`` or a column of them ``(N, 1)`` as they
    are, one-hot (or probability) rows ``(N, C)`` by their largest entry. Returns shape ``(N,)``."""
    t = np.asarray(t)
    if t.ndim > 2:
        raise ValueError(
            f"targets must be labels (N,), a column of labels (N, 1) or one-hot rows (N, C), got shape {t.shape}"
        )
    if t.ndim == 2 and t.shape[1] > 1:
        return t.argmax(axis=1)
    return t.reshape(-1)


def labels_from_target(t: np.ndarray, y_shape: tuple[int, ...], where: str) -> np.ndarray | None:
    """Interpret targets ``t`` against predictions of shape ``y_shape`` (``(N, C)`` or ``(C,)``).

    Returns integer labels of shape ``(N,)`` when ``t`` holds labels: shape ``(N,)``, a scalar for one sample, or a
    column ``(N, 1)`` when there is more than one class (the book's convolution gradient check passes ``t`` that way).
    Returns None when ``t`` is one-hot (or any probability rows) with exactly ``y_shape``. Anything else raises
    ValueError naming ``where`` and both shapes.
    """
    t = np.asarray(t)
    if t.shape == tuple(y_shape):
        return None
    n = y_shape[0] if len(y_shape) == 2 else 1
    labels = t.reshape(-1) if t.ndim <= 1 or t.shape == (n, 1) else None
    if labels is None or labels.shape[0] != n:
        raise ValueError(
            f"{where}: targets of shape {t.shape} do not match predictions of shape {tuple(y_shape)} "
            f"(expected one-hot targets of shape {tuple(y_shape)} or {n} integer labels, shape ({n},) or ({n}, 1))"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        if labels.size and not np.all(np.mod(labels, 1) == 0):
            raise ValueError(f"{where}: labels must be integers, got dtype {labels.dtype} with fractional values")
        labels = labels.astype(np.int64)
    check_labels(labels, y_shape[-1], where)
    return labels


def smooth_curve(x: np.typing.ArrayLike) -> np.ndarray:
    """A noisy curve (such as a loss per iteration) smoothed for plotting, as the book's ``smooth_curve`` does it.

    Each point becomes the weighted mean of the 11 points around it, with the weights of a Kaiser window
    (``np.kaiser(11, 2)``, normalised to sum 1); near the ends the curve is mirrored to fill the window. The book
    mirrors the start about its first point and the end including its last point; so does this function, so that for
    curves of 11 points or more it gives the book's numbers. Returns a float64 array of the length of ``x``.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"smooth_curve expects a non-empty 1-D sequence of numbers, got shape {x.shape}")
    half = 5
    w = np.kaiser(2 * half + 1, 2)
    padded = np.pad(np.pad(x, (half, 0), mode="reflect"), (0, half), mode="symmetric")
    return np.convolve(padded, w / w.sum(), mode="valid")


def shuffle_dataset(x: np.ndarray, t: np.ndarray, seed: SeedLike = None) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``t`` in one random order (the same permutation of the first axis for both), as the book's
    ``shuffle_dataset``; ``seed`` (an int or a Generator) makes it reproducible without touching NumPy's global state.

    Args:
        x: samples, shape ``(N, ...)`` (vectors ``(N, D)``, images ``(N, C, H, W)``, ...).
        t: their targets, shape ``(N,)``, ``(N, 1)`` or ``(N, C)``.
        seed: seed or generator for the permutation (see :func:`as_rng`).

    Returns:
        The shuffled copies ``(x, t)``.
    """
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or len(x) != len(t):
        raise ValueError(
            f"shuffle_dataset: x and t must hold the same number of samples, got shapes {x.shape} and {t.shape}"
        )
    order = as_rng(seed).permutation(len(x))
    return x[order], t[order]
