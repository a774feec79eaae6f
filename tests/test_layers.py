import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layercheck import assert_layer_gradients

from nnlib.layers import (
    Affine,
    AddLayer,
    BatchNormalization,
    Convolution,
    Dropout,
    MeanSquaredLoss,
    MulLayer,
    Pooling,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)
from nnlib.util import col2im, im2col


def test_apple_example():
    """Two apples at 100 each, 10% tax: price 220; and the gradients of the book's figure."""
    apple, apple_num, tax = 100, 2, 1.1
    mul_apple, mul_tax = MulLayer(), MulLayer()
    price = mul_tax.forward(mul_apple.forward(apple, apple_num), tax)
    assert price == pytest.approx(220)
    dapple_price, dtax = mul_tax.backward(1)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert (dapple, dapple_num, dtax) == pytest.approx((2.2, 110, 200))


def test_apple_and_orange_example():
    apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    total = add.forward(mul_apple.forward(apple, apple_num), mul_orange.forward(orange, orange_num))
    price = mul_tax.forward(total, tax)
    assert price == pytest.approx(715)
    dtotal, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dtotal)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert (dapple_num, dapple, dorange, dorange_num, dtax) == pytest.approx((110, 2.2, 3.3, 165, 650))


@pytest.mark.parametrize("layer_cls", [Relu, Sigmoid, Tanh])
@pytest.mark.parametrize("shape", [(1, 5), (4, 3), (2, 3, 4, 4)])
def test_activation_gradients(layer_cls, shape, rng):
    x = rng.standard_normal(shape)
    x[np.abs(x) < 1e-3] = 0.5  # keep away from ReLU's kink, where the derivative is undefined
    assert_layer_gradients(layer_cls(), x, rng)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), extra=st.lists(st.integers(1, 3), min_size=0, max_size=3), m=st.integers(1, 5),
       seed=st.integers(0, 2**16))  # fmt: skip
def test_affine_gradients_any_input_rank(n, extra, m, seed):
    rng = np.random.default_rng(seed)
    shape = (n, *extra) if extra else (n, 3)
    d = int(np.prod(shape[1:]))
    layer = Affine(rng.standard_normal((d, m)), rng.standard_normal(m))
    x = rng.standard_normal(shape)
    out = layer.forward(x)
    assert out.shape == (n, m)
    assert_layer_gradients(layer, x, rng)
    assert layer.backward(np.ones((n, m))).shape == shape


def test_affine_single_sample(rng):
    layer = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
    x = rng.standard_normal(3)
    assert layer.forward(x).shape == (2,)
    assert_layer_gradients(layer, x, rng)


def test_affine_rejects_wrong_width(rng):
    layer = Affine(rng.standard_normal((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"Affine expects inputs with 3 features, got shape \(5, 7\)"):
        layer.forward(np.zeros((5, 7)))
    with pytest.raises(ValueError, match=r"Affine needs b of shape \(2,\) \(M = 2 outputs\) or a number, got an array of shape \(3,\)"):
        Affine(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"Affine needs W of shape \(D, M\), got an array of shape \(3,\)"):
        Affine(np.zeros(3), 0)


@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_gradients(n, one_hot, rng):
    x = rng.standard_normal((n, 4))
    labels = rng.integers(0, 4, n)
    t = np.eye(4)[labels] if one_hot else labels
    layer = SoftmaxWithLoss()
    from nnlib.gradient import numerical_gradient, relative_error

    layer.forward(x, t)
    dx = layer.backward()
    assert relative_error(dx, numerical_gradient(lambda _: layer.forward(x, t), x)) < 1e-7


def test_softmax_with_loss_is_finite_for_huge_scores():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, np.array([1, 1]))
    dx = layer.backward()
    assert loss == pytest.approx(1e4)  # first sample: true class scored 2e4 below the best
    assert np.all(np.isfinite(dx))
    np.testing.assert_allclose(dx[0], [0.5, -0.5, 0.0], atol=1e-12)


def test_softmax_with_loss_rejects_bad_targets():
    layer = SoftmaxWithLoss()
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss: labels must lie in \[0, 3\)"):
        layer.forward(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss: targets of shape \(2, 4\) do not match"):
        layer.forward(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="-1"):
        layer.forward(np.zeros((2, 3)), np.array([-1, 0]))


def test_mean_squared_loss(rng):
    y, labels = rng.random((3, 4)), np.array([0, 2, 3])
    layer = MeanSquaredLoss()
    loss = layer.forward(y, labels)
    t = np.eye(4)[labels]
    assert loss == pytest.approx(0.5 * np.sum((y - t) ** 2) / 3)
    np.testing.assert_allclose(layer.backward(), (y - t) / 3)


@pytest.mark.parametrize(
    "layer",
    [Relu(), Sigmoid(), Tanh(), MulLayer(), SoftmaxWithLoss(), MeanSquaredLoss(), Dropout(0.3),
     BatchNormalization(np.ones(3), np.zeros(3)), Pooling(2, 2, 2),
     Affine(np.zeros((3, 2)), np.zeros(2)), Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2))],
    ids=lambda layer: type(layer).__name__,
)  # fmt: skip
def test_backward_before_forward_is_an_error(layer):
    with pytest.raises(ValueError, match=f"{type(layer).__name__}.backward called before forward"):
        layer.backward(np.ones((2, 3)))


def test_dropout_mask_and_gradient(rng):
    layer = Dropout(0.4, seed=7)
    x = rng.standard_normal((50, 40))
    out = layer.forward(x, train_flg=True)
    kept = layer.mask
    assert 0.5 < kept.mean() < 0.7  # about 60% kept
    np.testing.assert_array_equal(out, x * kept)
    dout = rng.standard_normal(x.shape)
    np.testing.assert_array_equal(layer.backward(dout), dout * kept)  # the same mask
    np.testing.assert_allclose(layer.forward(x, train_flg=False), x * 0.6)
    # Seeded: the same seed draws the same masks, without touching numpy's global state.
    state = np.random.get_state()[1].copy()
    a, b = Dropout(0.5, seed=3), Dropout(0.5, seed=3)
    a.forward(x)
    b.forward(x)
    np.testing.assert_array_equal(a.mask, b.mask)
    assert np.array_equal(np.random.get_state()[1], state)


def test_dropout_gradient_check_with_fixed_mask(rng):
    layer = Dropout(0.5)
    x = rng.standard_normal((4, 6))

    def forward(v):
        layer.rng = np.random.default_rng(11)  # the same mask on every call
        return layer.forward(v, train_flg=True)

    assert_layer_gradients(layer, x, rng, forward=forward)


@pytest.mark.parametrize("shape", [(6, 5), (4, 2, 3, 3)])
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_gradients(shape, train, rng):
    d = int(np.prod(shape[1:]))
    layer = BatchNormalization(rng.random(d) + 0.5, rng.standard_normal(d), running_var=rng.random(d) + 0.5)
    x = rng.standard_normal(shape) * 3 + 1
    assert_layer_gradients(layer, x, rng, forward=lambda v: layer.forward(v, train_flg=train))


def test_batchnorm_normalises_and_tracks_running_statistics(rng):
    layer = BatchNormalization(np.ones(3), np.zeros(3), momentum=0.5)
    x = rng.standard_normal((200, 3)) * [1.0, 2.0, 3.0] + [5.0, -1.0, 0.0]
    out = layer.forward(x, train_flg=True)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(layer.running_mean, 0.5 * x.mean(axis=0))
    with pytest.raises(ValueError, match=r"BatchNormalization expects inputs with 3 features per sample, got shape \(2, 4\)"):
        layer.forward(np.zeros((2, 4)))


def im2col_loops(x, fh, fw, stride, pad):
    """The definition, one patch at a time (reference for the vectorised version)."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    rows = [xp[i, :, y * stride : y * stride + fh, x_ * stride : x_ * stride + fw].reshape(-1)
            for i in range(n) for y in range(oh) for x_ in range(ow)]  # fmt: skip
    return np.array(rows)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 3), size=st.integers(3, 7), f=st.integers(1, 3),
       stride=st.integers(1, 2), pad=st.integers(0, 2), seed=st.integers(0, 2**16))  # fmt: skip
def test_im2col_and_col2im(n, c, size, f, stride, pad, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, size, size))
    col = im2col(x, f, f, stride, pad)
    np.testing.assert_array_equal(col, im2col_loops(x, f, f, stride, pad))
    # col2im is the adjoint of im2col: <im2col(x), c> == <x, col2im(c)>.
    c_ = rng.standard_normal(col.shape)
    assert np.sum(col * c_) == pytest.approx(np.sum(x * col2im(c_, x.shape, f, f, stride, pad)), rel=1e-12)


def test_im2col_drops_a_partial_last_window_and_rejects_oversized_filters(rng):
    x = rng.standard_normal((1, 1, 6, 6))
    assert im2col(x, 3, 3, stride=2).shape == (4, 9)  # windows start at 0 and 2; one at 4 would stick out
    np.testing.assert_array_equal(im2col(x, 3, 3, stride=2), im2col_loops(x, 3, 3, 2, 0))
    with pytest.raises(ValueError, match="filter of size 7 does not fit input of size 6 with pad 0"):
        im2col(x, 7, 7)


@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1), (1, 2), (3, 1)])
@pytest.mark.parametrize("n", [1, 2])
def test_convolution_gradients(stride, pad, n, rng):
    layer = Convolution(rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3), stride=stride, pad=pad)
    x = rng.standard_normal((n, 2, 7, 7))
    assert_layer_gradients(layer, x, rng)


def test_convolution_output_matches_definition(rng):
    W, b = rng.standard_normal((2, 3, 2, 2)), rng.standard_normal(2)
    x = rng.standard_normal((1, 3, 4, 4))
    out = Convolution(W, b, stride=2, pad=1).forward(x)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = np.array([[[[np.sum(xp[0, :, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2] * W[k]) + b[k]
                            for j in range(3)] for i in range(3)] for k in range(2)]])  # fmt: skip
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_convolution_rejects_channel_mismatch():
    layer = Convolution(np.zeros((30, 3, 5, 5)), np.zeros(30))
    with pytest.raises(ValueError, match=r"Convolution expects inputs of shape \(N, 3, H, W\).*got shape \(2, 1, 28, 28\)"):
        layer.forward(np.zeros((2, 1, 28, 28)))


@pytest.mark.parametrize("pool,stride,pad", [(2, 2, 0), (3, 1, 0), (3, 2, 1), (2, 1, 1)])
def test_pooling_gradients(pool, stride, pad, rng):
    x = rng.standard_normal((2, 3, 7, 6))  # odd height: with stride 2 the last row is dropped
    layer = Pooling(pool, pool, stride=stride, pad=pad)
    assert_layer_gradients(layer, x, rng)


def test_pooling_takes_the_maximum_and_ignores_padding():
    x = -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)  # all negative: zero padding would wrongly win
    out = Pooling(2, 2, stride=2, pad=1).forward(x)
    assert out.shape == (1, 1, 3, 3)
    assert out.max() < 0
    assert out[0, 0, 0, 0] == -1.0
    np.testing.assert_array_equal(Pooling(2, 2, stride=2).forward(-x)[0, 0], [[6, 8], [14, 16]])


@pytest.mark.parametrize(
    "make",
    [lambda r: Affine(r.standard_normal((12, 3)).astype(np.float32), np.zeros(3, np.float32)),
     lambda r: Convolution(r.standard_normal((2, 3, 2, 2)).astype(np.float32), np.zeros(2, np.float32), pad=1),
     lambda r: Pooling(2, 2, 2), lambda r: Relu(), lambda r: Sigmoid(), lambda r: Tanh(), lambda r: Dropout(0.5),
     lambda r: BatchNormalization(np.ones(12, np.float32), np.zeros(12, np.float32))],
)  # fmt: skip
def test_float32_stays_float32(make, rng):
    layer = make(rng)
    x = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    dx = layer.backward(np.ones_like(out))
    assert dx.dtype == np.float32 and dx.shape == x.shape
    assert all(g.dtype == np.float32 for g in layer.grads.values())
