"""Every fast path of nnlib against a plain version of the same computation (issue 6).

Speed must never cost a wrong gradient: here, in float64, the outputs and gradients of each optimised code path
agree with a slow, obviously correct version written in this file (plain loops, the book's formulas, Nielsen's
per-sample backpropagation) to a relative error of 1e-10, on random shapes and on inputs with ties.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import numpy as np
import pytest

from nnlib import functions, layers, nets, optimizers
from nnlib.util import col2im, fold, im2col, unfold

TOL = 1e-10


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    """Largest difference relative to the larger magnitude of the two arrays (0 when both are all zeros)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)


# --- plain references -------------------------------------------------------------------------------------------


def im2col_loops(x, fh, fw, stride, pad):
    """One row per output position, filled pixel by pixel."""
    n, c, h, w = x.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    col = np.empty((n * oh * ow, c * fh * fw), dtype=x.dtype)
    row = 0
    for i in range(n):
        for y in range(oh):
            for xx in range(ow):
                col[row] = img[i, :, y * stride : y * stride + fh, xx * stride : xx * stride + fw].reshape(-1)
                row += 1
    return col


def col2im_loops(col, shape, fh, fw, stride, pad):
    """Add every row back onto its patch, one patch at a time."""
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    row = 0
    for i in range(n):
        for y in range(oh):
            for xx in range(ow):
                img[i, :, y * stride : y * stride + fh, xx * stride : xx * stride + fw] += col[row].reshape(c, fh, fw)
                row += 1
    return img[:, :, pad : pad + h, pad : pad + w]


def conv_loops(x, W, b, stride, pad):
    """Direct convolution (cross-correlation) and its three gradients for an upstream gradient dout."""
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.empty((n, fn, oh, ow))
    for y in range(oh):
        for xx in range(ow):
            patch = img[:, :, y * stride : y * stride + fh, xx * stride : xx * stride + fw]
            out[:, :, y, xx] = np.tensordot(patch, W, axes=([1, 2, 3], [1, 2, 3])) + b

    def grads(dout):
        dimg, dW = np.zeros_like(img), np.zeros_like(W)
        for y in range(oh):
            for xx in range(ow):
                ys, xs = slice(y * stride, y * stride + fh), slice(xx * stride, xx * stride + fw)
                dW += np.tensordot(dout[:, :, y, xx], img[:, :, ys, xs], axes=([0], [0]))
                dimg[:, :, ys, xs] += np.tensordot(dout[:, :, y, xx], W, axes=([1], [0]))
        return dimg[:, :, pad : pad + h, pad : pad + w], dW, dout.sum(axis=(0, 2, 3))

    return out, grads


def max_pool_loops(x, ph, pw, stride):
    """Max pooling window by window; the gradient goes to the first maximum of each window (row-major order)."""
    n, c, h, w = x.shape
    oh, ow = (h - ph) // stride + 1, (w - pw) // stride + 1
    out = np.empty((n, c, oh, ow), dtype=x.dtype)
    where = {}
    for i in range(n):
        for ch in range(c):
            for y in range(oh):
                for xx in range(ow):
                    win = x[i, ch, y * stride : y * stride + ph, xx * stride : xx * stride + pw]
                    k = int(np.argmax(win))  # first maximum in row-major order
                    out[i, ch, y, xx] = win.flat[k]
                    where[i, ch, y, xx] = (y * stride + k // pw, xx * stride + k % pw)

    def grad(dout):
        dx = np.zeros_like(x)
        for (i, ch, y, xx), (r, s) in where.items():
            dx[i, ch, r, s] += dout[i, ch, y, xx]
        return dx

    return out, grad


# --- im2col / unfold / col2im -----------------------------------------------------------------------------------

SHAPES = [  # (n, c, h, w, fh, fw, stride, pad)
    (2, 1, 28, 28, 5, 5, 1, 0),
    (3, 2, 7, 9, 3, 2, 2, 1),
    (1, 3, 6, 6, 3, 3, 3, 0),
    (2, 2, 5, 8, 2, 3, 1, 2),
    (4, 1, 4, 4, 4, 4, 1, 0),
]


@pytest.mark.parametrize("n, c, h, w, fh, fw, stride, pad", SHAPES)
def test_im2col_and_unfold_match_the_loop_version(n, c, h, w, fh, fw, stride, pad):
    x = np.random.default_rng(0).standard_normal((n, c, h, w))
    expected = im2col_loops(x, fh, fw, stride, pad)
    np.testing.assert_array_equal(im2col(x, fh, fw, stride, pad), expected)
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    cols = unfold(x, fh, fw, stride, pad)  # the same numbers, transposed, columns ordered (y, x, n)
    assert cols.shape == (c * fh * fw, oh * ow * n)
    as_im2col = cols.reshape(-1, oh, ow, n).transpose(3, 1, 2, 0).reshape(n * oh * ow, -1)
    np.testing.assert_array_equal(as_im2col, expected)


@pytest.mark.parametrize("n, c, h, w, fh, fw, stride, pad", SHAPES)
def test_col2im_and_fold_match_the_loop_version(n, c, h, w, fh, fw, stride, pad):
    rng = np.random.default_rng(1)
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = rng.standard_normal((n * oh * ow, c * fh * fw))
    expected = col2im_loops(col, (n, c, h, w), fh, fw, stride, pad)
    assert rel_err(col2im(col, (n, c, h, w), fh, fw, stride, pad), expected) < TOL
    cols = col.reshape(n, oh, ow, -1).transpose(3, 1, 2, 0).reshape(-1, oh * ow * n)  # unfold's order
    folded = fold(cols, (n, c, h, w), fh, fw, stride, pad)
    assert folded.shape == (n, c, h, w) and rel_err(folded, expected) < TOL


# --- Convolution ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, c, h, w, fh, fw, stride, pad", SHAPES)
def test_convolution_matches_direct_loops_in_output_and_gradients(n, c, h, w, fh, fw, stride, pad):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, c, h, w))
    W, b = rng.standard_normal((3, c, fh, fw)), rng.standard_normal(3)
    conv = layers.Convolution(W, b, stride=stride, pad=pad)
    out = conv.forward(x)
    ref_out, ref_grads = conv_loops(x, W, b, stride, pad)
    assert rel_err(out, ref_out) < TOL
    dout = rng.standard_normal(out.shape)
    dx = conv.backward(dout)
    ref_dx, ref_dW, ref_db = ref_grads(dout)
    assert dx.shape == x.shape and conv.dW.shape == W.shape
    assert rel_err(dx, ref_dx) < TOL
    assert rel_err(conv.dW, ref_dW) < TOL
    assert rel_err(conv.db, ref_db) < TOL
    # The parameter-only backward (used for a network's first layer) gives the same dW and db.
    dW, db = conv.dW.copy(), conv.db.copy()
    conv.forward(x)
    conv.backward_params(dout)
    assert rel_err(conv.dW, dW) < TOL and rel_err(conv.db, db) < TOL


def test_convolution_keeps_float32():
    rng = np.random.default_rng(3)
    conv = layers.Convolution(rng.standard_normal((4, 2, 3, 3)).astype(np.float32), np.zeros(4, np.float32))
    out = conv.forward(rng.standard_normal((2, 2, 6, 6)).astype(np.float32))
    dx = conv.backward(np.ones_like(out))
    assert out.dtype == dx.dtype == conv.dW.dtype == conv.db.dtype == np.float32


# --- max pooling: tiling windows (index-free) against the general im2col path and plain loops -------------------


def _layouts(x):
    """x itself and copies stored in other orders, among them the one Convolution's output has, (H, W, N, C)."""
    nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    cnhw = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    hwnc = np.ascontiguousarray(x.transpose(2, 3, 0, 1)).transpose(2, 3, 0, 1)
    return [x, nhwc, cnhw, hwnc]


@pytest.mark.parametrize("shape, pool", [((2, 3, 8, 8), 2), ((3, 2, 7, 9), 2), ((1, 4, 9, 9), 3), ((2, 1, 5, 6), 1)])
@pytest.mark.parametrize("ties", [False, True])
def test_tiling_max_pool_matches_general_path_and_loops(shape, pool, ties):
    rng = np.random.default_rng(4)
    # With ties, many windows hold their maximum more than once (like the zeros after a ReLU): the gradient must
    # still go to the first one only.
    base = rng.integers(0, 3, size=shape).astype(np.float64) if ties else rng.standard_normal(shape)
    ref_out, ref_grad = max_pool_loops(base, pool, pool, pool)
    dout = rng.standard_normal(ref_out.shape)
    for x in _layouts(base):
        fast = layers.Pooling(pool, pool, stride=pool)
        out = fast.forward(x)
        assert fast.winner is not None  # the tiling path was taken
        general = layers.Pooling(pool, pool, stride=pool)
        general_out = general._forward_im2col(x)
        assert rel_err(out, ref_out) < TOL and rel_err(general_out, ref_out) < TOL
        dx = fast.backward(dout)
        assert rel_err(dx, ref_grad(dout)) < TOL
        assert rel_err(dx, general._backward_im2col(dout)) < TOL


def test_affine_gives_dx_the_memory_order_of_its_input():
    """Images stored in any order (a pooled convolution output is stored (H, W, N, C)) flatten to the same
    features; dx equals the plain dout @ W^T and comes back stored like the input, the layout its producer expects."""
    rng = np.random.default_rng(15)
    base = rng.standard_normal((4, 3, 2, 2))
    W, b = rng.standard_normal((12, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    flat = base.reshape(4, 12)
    for x in _layouts(base):
        affine = layers.Affine(W, b)
        assert rel_err(affine.forward(x), flat @ W + b) < TOL
        dx = affine.backward(dout)
        assert rel_err(dx, (dout @ W.T).reshape(base.shape)) < TOL
        assert rel_err(affine.dW, flat.T @ dout) < TOL
        assert np.argsort(dx.strides).tolist() == np.argsort(x.strides).tolist()


@pytest.mark.parametrize("ph, pw, stride, pad", [(2, 2, 1, 0), (3, 3, 2, 0), (2, 3, 2, 0), (2, 2, 2, 1)])
def test_general_max_pool_matches_loops(ph, pw, stride, pad):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 8))
    pool = layers.Pooling(ph, pw, stride=stride, pad=pad)
    out = pool.forward(x)
    assert pool.winner is None  # overlapping or padded windows take the general path
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    ref_out, ref_grad = max_pool_loops(padded, ph, pw, stride)
    dout = rng.standard_normal(out.shape)
    assert rel_err(out, ref_out) < TOL
    assert rel_err(pool.backward(dout), ref_grad(dout)[:, :, pad : pad + 7, pad : pad + 8]) < TOL


def test_tiling_max_pool_keeps_float32_and_rejects_early_backward():
    x = np.random.default_rng(6).standard_normal((2, 3, 4, 4)).astype(np.float32)
    pool = layers.Pooling(2, 2, stride=2)
    with pytest.raises(ValueError, match="Pooling.backward called before forward"):
        pool.backward(np.ones((2, 3, 2, 2), np.float32))
    out = pool.forward(x)
    assert out.dtype == pool.backward(np.ones_like(out)).dtype == np.float32


# --- softmax with cross-entropy, fused against separate ----------------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_fused_softmax_cross_entropy_matches_separate_functions(scale):
    rng = np.random.default_rng(7)
    x = scale * rng.standard_normal((6, 5))
    labels = rng.integers(0, 5, size=6)
    one_hot = np.eye(5)[labels]
    for t in (labels, one_hot):
        layer = layers.SoftmaxWithLoss()
        loss = layer.forward(x, t)
        y = functions.softmax(x)
        expected_loss = functions.cross_entropy_error(y, t)
        assert abs(loss - expected_loss) <= TOL * abs(expected_loss)
        assert rel_err(layer.backward(1.0), (y - one_hot) / 6) < TOL


# --- Affine, ReLU and a whole network's backward pass that skips the input gradient -----------------------------


@pytest.mark.parametrize("order", ["C", "F"])
def test_affine_backward_params_matches_full_backward(order):
    rng = np.random.default_rng(8)
    affine = layers.Affine(rng.standard_normal((12, 4)), rng.standard_normal(4))
    x = rng.standard_normal((5, 3, 2, 2))
    if order == "F":  # stored batch-last, as a convolution's pooled output: flattening it gives an F-ordered matrix
        x = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    out = affine.forward(x)
    assert rel_err(out, x.reshape(5, 12) @ affine.W + affine.b) < TOL
    dout = rng.standard_normal(out.shape)
    dx = affine.backward(dout)
    assert rel_err(dx, (dout @ affine.W.T).reshape(x.shape)) < TOL
    dW, db = affine.dW.copy(), affine.db.copy()
    assert rel_err(dW, x.reshape(5, 12).T @ dout) < TOL and rel_err(db, dout.sum(axis=0)) < TOL
    affine.backward_params(dout)
    assert rel_err(affine.dW, dW) < TOL and rel_err(affine.db, db) < TOL


def test_relu_matches_mask_formula():
    x = np.random.default_rng(9).standard_normal((4, 7))
    relu = layers.Relu()
    np.testing.assert_array_equal(relu.forward(x), x * (x > 0))
    np.testing.assert_array_equal(relu.backward(np.ones_like(x)), (x > 0).astype(np.float64))


def test_inplace_relu_equals_relu_and_overwrites_its_arguments():
    rng = np.random.default_rng(12)
    x, dout = rng.standard_normal((3, 4, 5, 5)), rng.standard_normal((3, 4, 5, 5))
    plain, inplace = layers.Relu(), layers.Relu(inplace=True)
    x_in, dout_in = x.copy(), dout.copy()
    out, dx = plain.forward(x), plain.backward(dout)
    out_in, dx_in = inplace.forward(x_in), inplace.backward(dout_in)
    np.testing.assert_array_equal(out_in, out)
    np.testing.assert_array_equal(dx_in, dx)
    assert out_in is x_in and dx_in is dout_in  # written over the arguments, as documented
    assert not np.shares_memory(out, x) and not np.shares_memory(dx, dout)  # the default leaves them alone
    assert (x < 0).any() and (dx != dout).any()
    assert repr(inplace) == "Relu(inplace=True)" and repr(plain) == "Relu()"


@pytest.mark.parametrize("shape", [(2, 3, 6, 6), (2, 3, 7, 5)])  # windows that tile the image; then a cropped edge
def test_inplace_pooling_equals_pooling_and_writes_dx_over_its_input(shape):
    rng = np.random.default_rng(16)
    x = rng.integers(-2, 3, size=shape).astype(np.float64)  # with ties
    plain, inplace = layers.Pooling(2, 2, stride=2), layers.Pooling(2, 2, stride=2, inplace=True)
    x_in = x.copy()
    out, out_in = plain.forward(x), inplace.forward(x_in)
    dout = rng.standard_normal(out.shape)
    dx, dx_in = plain.backward(dout), inplace.backward(dout)
    np.testing.assert_array_equal(out_in, out)
    np.testing.assert_array_equal(dx_in, dx)
    assert dx_in is x_in and not np.shares_memory(dx, x)  # written over forward's input, as documented
    assert repr(inplace) == "Pooling(2x2, stride=2, pad=0, inplace=True)"
    # A gradient of another dtype cannot go into the input's memory: a new array, still the same numbers.
    x_in = x.copy()
    inplace.forward(x_in)
    dx32 = inplace.backward(dout.astype(np.float32))
    assert dx32.dtype == np.float32 and dx32 is not x_in and np.allclose(dx32, dx)


def _plain_layer(layer: layers.Layer) -> layers.Layer:
    """The same layer, on the same arrays, without in-place work."""
    if isinstance(layer, layers.Relu):
        return layers.Relu()
    if isinstance(layer, layers.Pooling):
        return layers.Pooling(layer.pool_h, layer.pool_w, layer.stride, layer.pad)
    return layer


@pytest.mark.parametrize("make", [
    lambda: nets.TwoLayerNet(20, 8, 4, weight_init_std=0.5, seed=0),
    lambda: nets.MultiLayerNet(20, [8, 8], 4, use_batchnorm=True, use_dropout=True, seed=0),
    lambda: nets.SimpleConvNet((2, 8, 8), {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}, 6, 4,
                               weight_init_std=0.3, seed=0),
    lambda: nets.DeepConvNet((1, 8, 8), (2, 2, 2, 2, 2, 2), 6, 4, seed=0),
])  # fmt: skip
def test_ready_nets_with_inplace_layers_equal_the_same_layers_without(make):
    """The ready nets' in-place ReLUs and poolings change no number: loss, scores and every gradient equal those of
    a copy of the net whose layers allocate new arrays, and the input data stay untouched."""
    net, plain = make(), make()
    plain.layers = {name: _plain_layer(layer) for name, layer in plain.layers.items()}
    assert any(getattr(layer, "inplace", False) for layer in net.layers.values())
    rng = np.random.default_rng(13)
    shape = (5, 20) if net.params["W1"].ndim == 2 else (5, *net.config["input_dim"])
    x, t = rng.standard_normal(shape), rng.integers(0, 4, size=5)
    x_before = x.copy()
    grads = net.gradient(x, t)  # (both nets draw the same dropout masks: same seed, same sequence of draws)
    expected = plain.gradient(x, t)
    np.testing.assert_array_equal(x, x_before)
    assert net.last_layer.loss == plain.last_layer.loss
    for name in expected:
        np.testing.assert_array_equal(grads[name], expected[name], err_msg=name)
    np.testing.assert_array_equal(net.predict(x), plain.predict(x))


def _relu_before_pooling(net: nets.Sequential) -> nets.Sequential:
    """The book's order, Conv -> ReLU -> Pool, with plain ReLUs, on the same parameter arrays as ``net``."""
    order = list(net.layers.values())
    for i in range(1, len(order)):
        if isinstance(order[i - 1], layers.Pooling) and isinstance(order[i], layers.Relu):
            order[i - 1], order[i] = order[i], order[i - 1]
    fresh = [_plain_layer(layer) for layer in order]
    return nets.Sequential(fresh, input_shape=net.input_shape)


@pytest.mark.parametrize("make", [
    lambda: nets.SimpleConvNet((2, 8, 8), {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}, 6, 4,
                               weight_init_std=0.3, seed=0),
    lambda: nets.DeepConvNet((1, 8, 8), (2, 2, 2, 2, 2, 2), 6, 4, dropout_ratio=0.0, seed=0),
])  # fmt: skip
@pytest.mark.parametrize("ties", [False, True])
def test_conv_nets_pooling_before_relu_equal_the_books_relu_before_pooling(make, ties):
    """The ready conv nets pool before their ReLU. Scores and every gradient equal those of the book's order,
    also when windows hold equal values (inputs of small integers, so many windows tie or hold no positive value)."""
    net = make()
    book = _relu_before_pooling(make())
    kinds = lambda n: [type(layer).__name__ for layer in n.layers.values()]  # noqa: E731
    assert "PoolingRelu" in "".join(kinds(net)) and "ReluPooling" in "".join(kinds(book))
    rng = np.random.default_rng(14)
    shape = (6, *net.config["input_dim"])
    x = rng.integers(-2, 3, size=shape).astype(float) if ties else rng.standard_normal(shape)
    if ties:
        for p in net.params.values():
            p[...] = np.round(p * 4)  # integer weights: equal sums, and exact zeros after the convolution
        book.set_params(net.params)
    t = rng.integers(0, 4, size=6)
    grads, expected = net.gradient(x, t), book.gradient(x, t)
    assert net.last_loss == pytest.approx(book.last_loss, rel=TOL)
    for name in expected:
        assert rel_err(grads[name], expected[name]) < TOL, name
    assert rel_err(net.predict(x), book.predict(x)) < TOL


def test_network_gradient_does_not_backpropagate_a_first_layer_without_parameters():
    """A pooling that comes first works on the data: its backward would be wasted work, and an in-place one would
    write over the caller's images. The gradients equal those of a full backward pass."""
    rng = np.random.default_rng(17)
    pool = layers.Pooling(2, 2, stride=2, inplace=True)
    net = nets.Sequential([pool, layers.Affine(rng.standard_normal((2 * 3 * 3, 4)), np.zeros(4))])
    x, t = rng.standard_normal((5, 2, 6, 6)), rng.integers(0, 4, size=5)
    x_before = x.copy()
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    np.testing.assert_array_equal(x, x_before)
    net.loss(x, t, train_flg=True)
    net.layers["Affine1"].backward(net.last_layer.backward(1))
    assert rel_err(grads["W1"], net.layers["Affine1"].dW) < TOL and rel_err(grads["b1"], net.layers["Affine1"].db) < TOL


@pytest.mark.parametrize("make", [
    lambda: nets.TwoLayerNet(20, 8, 4, weight_init_std=0.5, seed=0),
    lambda: nets.SimpleConvNet((2, 8, 8), {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}, 6, 4,
                               weight_init_std=0.3, seed=0),
    lambda: nets.MultiLayerNet(20, [8, 8], 4, use_batchnorm=True, seed=0),
])  # fmt: skip
def test_network_gradient_matches_a_full_backward_pass(make):
    """Sequential.gradient skips the first layer's input gradient; the plain loop here computes everything."""
    net = make()
    rng = np.random.default_rng(10)
    shape = (5, 20) if "W1" in net.params and net.params["W1"].ndim == 2 else (5, 2, 8, 8)
    x, t = rng.standard_normal(shape), rng.integers(0, 4, size=5)
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    net.loss(x, t, train_flg=True)
    dout = net.last_layer.backward(1)
    for layer in reversed(list(net.layers.values())):
        dout = layer.backward(dout)
    for name, (layer, attr) in net._slots.items():
        assert rel_err(grads[name], getattr(layer, "d" + attr)) < TOL, name


# --- Adam in place against the book's formulas ------------------------------------------------------------------


def test_adam_in_place_matches_the_textbook_formulas():
    rng = np.random.default_rng(11)
    params = {"W": rng.standard_normal((5, 3)), "b": rng.standard_normal(3)}
    ref = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    opt = optimizers.Adam(lr=0.01)
    for step in range(1, 6):
        grads = {k: rng.standard_normal(p.shape) for k, p in params.items()}
        opt.update(params, grads)
        lr_t = 0.01 * np.sqrt(1 - 0.999**step) / (1 - 0.9**step)
        for k in ref:
            m[k] = 0.9 * m[k] + 0.1 * grads[k]
            v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
            ref[k] = ref[k] - lr_t * m[k] / (np.sqrt(v[k]) + 1e-7)
    for k in ref:
        assert rel_err(params[k], ref[k]) < TOL
        assert rel_err(opt.m[k], m[k]) < TOL and rel_err(opt.v[k], v[k]) < TOL


def test_adam_keeps_float32():
    p = {"W": np.ones((3, 2), np.float32)}
    optimizers.Adam().update(p, {"W": np.full((3, 2), 0.5, np.float32)})
    assert p["W"].dtype == np.float32


# --- Nielsen's Network: one vectorised mini-batch step against the per-sample loop ---------------------------------


def nielsen_step(weights, biases, mini_batch, eta):
    """Nielsen's update_mini_batch: back-propagate sample by sample, sum, then w -= eta/m * sum."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    nabla_w = [np.zeros_like(w) for w in weights]
    nabla_b = [np.zeros_like(b) for b in biases]
    for x, y in mini_batch:
        acts, zs = [x], []
        for w, b in zip(weights, biases):
            zs.append(w @ acts[-1] + b)
            acts.append(sig(zs[-1]))
        delta = (acts[-1] - y) * sig(zs[-1]) * (1 - sig(zs[-1]))
        for layer in range(1, len(weights) + 1):
            if layer > 1:
                z = zs[-layer]
                delta = (weights[-layer + 1].T @ delta) * sig(z) * (1 - sig(z))
            nabla_b[-layer] += delta
            nabla_w[-layer] += delta @ acts[-layer - 1].T
    m = len(mini_batch)
    return ([w - eta / m * nw for w, nw in zip(weights, nabla_w)],
            [b - eta / m * nb for b, nb in zip(biases, nabla_b)])  # fmt: skip


def test_vectorised_network_step_matches_nielsens_per_sample_loop():
    rng = np.random.default_rng(12)
    net = nets.Network([6, 5, 4, 3], seed=0)
    x, labels = rng.standard_normal((10, 6)), rng.integers(0, 3, size=10)
    pairs = [(xi.reshape(-1, 1), np.eye(3)[li].reshape(-1, 1)) for xi, li in zip(x, labels)]
    ref_w, ref_b = nielsen_step([w.copy() for w in net.weights], [b.copy() for b in net.biases], pairs, 3.0)
    net.update_mini_batch((x, labels), 3.0)
    for w, b, rw, rb in zip(net.weights, net.biases, ref_w, ref_b):
        assert rel_err(w, rw) < TOL and rel_err(b, rb) < TOL
    # Nielsen's own data format gives the same step.
    net2 = nets.Network([6, 5, 4, 3], seed=0)
    net2.update_mini_batch(pairs, 3.0)
    for w, rw in zip(net2.weights, ref_w):
        assert rel_err(w, rw) < TOL


@pytest.mark.parametrize("targets", ["labels", "one-hot"])
def test_vectorised_network_step_matches_the_layer_by_layer_gradient(targets):
    """Network's direct backpropagation against Sequential.gradient through its Affine and Sigmoid layers."""
    rng = np.random.default_rng(15)
    x, labels = rng.standard_normal((7, 6)), rng.integers(0, 3, size=7)
    t = labels if targets == "labels" else np.eye(3)[labels]
    fast, plain = nets.Network([6, 5, 4, 3], seed=2), nets.Network([6, 5, 4, 3], seed=2)
    fast.update_mini_batch((x, t), 0.7)
    for name, g in nets.Sequential.gradient(plain, x, t).items():
        plain.params[name] -= 0.7 * g
    for name in fast.params:
        assert rel_err(fast.params[name], plain.params[name]) < TOL, name


def test_network_sgd_epoch_equals_its_mini_batch_steps():
    """SGD's fast epoch loop gives exactly the steps of update_mini_batch on the shuffled order."""
    rng = np.random.default_rng(13)
    x, t = rng.standard_normal((25, 6)), rng.integers(0, 3, size=25)
    a, b = nets.Network([6, 4, 3], seed=1), nets.Network([6, 4, 3], seed=1)
    with redirect_stdout(io.StringIO()):
        a.SGD((x, t), 1, 10, 0.5)
    perm = b.rng.permutation(25)  # b's generator is where a's was when its epoch began
    for start in range(0, 25, 10):
        idx = perm[start : start + 10]
        b.update_mini_batch((x[idx], t[idx]), 0.5)
    for name in a.params:
        assert rel_err(a.params[name], b.params[name]) < TOL, name


# --- batched accuracy -------------------------------------------------------------------------------------------


def test_accuracy_in_batches_equals_one_batch():
    rng = np.random.default_rng(14)
    net = nets.TwoLayerNet(10, 6, 3, weight_init_std=1.0, seed=0)
    x, t = rng.standard_normal((103, 10)), rng.integers(0, 3, size=103)
    whole = float(np.mean(net.predict(x).argmax(axis=1) == t))
    assert net.accuracy(x, t, batch_size=7) == pytest.approx(whole, abs=0) == net.accuracy(x, t)
