"""nnlib.simd: the browser's WebAssembly SIMD matrix product against NumPy's, and the routing of the layers' products.

This file runs in both runtimes. Inside Pyodide (tests/test_pyodide_suite.py) it compares each variant of the kernel
this engine runs with NumPy on awkward operands (transposed, sliced, reversed, non-contiguous views; sizes that are
not multiples of the register blocks, 6x8 relaxed and 5x8 plain, or of the 256-wide packed blocks) and checks that
the kernel writes nothing outside its output: both variants, since the suite starts Node with relaxed SIMD switched on
(the variant Chromium runs: scripts/bench_browser.py reports which). Natively it checks that nothing changes:
no kernel loads and every product is NumPy's own. The routing tests use a recording stand-in for the kernel, so they
check the same thing in both runtimes: which of the layers' products go to the kernel.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from nnlib import layers, nets, simd

IN_PYODIDE = sys.platform == "emscripten"
# A 44-byte module whose one function is f32x4.relaxed_madd: whether this engine has relaxed SIMD, asked
# independently of the kernel files.
RELAXED_PROBE = bytes.fromhex("0061736d0100000001080160037b7b7b017b03020100070501016600000a0d010b00200020012002fd85020b")


def engine_has_relaxed_simd() -> bool:
    from js import WebAssembly
    from pyodide.ffi import to_js

    return bool(WebAssembly.validate(to_js(RELAXED_PROBE)))


@pytest.fixture(scope="module")
def kernels() -> list[simd.Kernel]:
    """Every variant this runtime runs: plain and, where the engine has it, relaxed inside Pyodide; none natively."""
    loaded = [k for k in (simd.load("plain"), simd.load("relaxed")) if k is not None]
    if IN_PYODIDE:
        assert loaded and loaded[0].variant == "plain", "every engine Pyodide runs on has 128-bit SIMD"
        assert len(loaded) == 1 + engine_has_relaxed_simd()
    else:
        assert loaded == []
    return loaded


@pytest.fixture
def fresh_state(monkeypatch):
    """Let the test change simd's module state (what was loaded, the switch); restored afterwards."""
    for name in ("_active", "_loaded", "_why_not", "_enabled"):
        monkeypatch.setattr(simd, name, getattr(simd, name))
    monkeypatch.setattr(simd, "_loaded", False)
    monkeypatch.setattr(simd, "_enabled", True)


def _operand(rng, shape, layout):
    """A float32 matrix of `shape` stored in one of several ways NumPy views can be."""
    m, n = shape
    if layout == "C":
        return rng.standard_normal(shape).astype(np.float32)
    if layout == "F":  # a transposed view of a C-contiguous array
        return rng.standard_normal((n, m)).astype(np.float32).T
    if layout == "sliced":  # every other row, every third column of a larger array
        return rng.standard_normal((2 * m + 1, 3 * n + 2)).astype(np.float32)[1::2, 2::3]
    if layout == "reversed":  # negative strides
        return rng.standard_normal(shape).astype(np.float32)[::-1, ::-1]
    if layout == "column-of-3d":  # a non-contiguous 2-D slice of a 3-D array
        return rng.standard_normal((m, 2, n)).astype(np.float32)[:, 1, :]
    raise ValueError(layout)


LAYOUTS = ["C", "F", "sliced", "reversed", "column-of-3d"]
# (M, K, N): single elements; every remainder of M by the register blocks' 6 and 5 rows and of N by their 8 columns
# (the right-edge tile), also after a first 256-row block of K (the edge then adds to C's partial rows); sizes just
# past the 256-row/column packed blocks; and the shapes of SimpleConvNet's and TwoLayerNet's products.
SHAPES = [(1, 1, 1), (4, 3, 7), (5, 8, 8), (6, 9, 9), (7, 10, 12), (11, 257, 3), (3, 2, 263), (17, 600, 529),
          (1, 300, 1), (8, 300, 4), (9, 513, 13), (10, 270, 14), (2, 260, 5), (4, 300, 15), (12, 7, 6), (100, 784, 50),
          (784, 100, 50), (100, 50, 10), (576, 26, 30), (26, 576, 30)]  # fmt: skip


def test_which_kernel_runs(kernels, fresh_state):
    kernel = simd.active()
    if IN_PYODIDE:  # the most capable variant the engine validates
        assert kernel is not None and kernel.variant == ("relaxed" if engine_has_relaxed_simd() else "plain")
        assert kernel.variant in simd.status()
    else:
        assert kernel is None
        assert "not running in Pyodide" in simd.status()


@pytest.mark.parametrize("layout_b", LAYOUTS)
@pytest.mark.parametrize("layout_a", LAYOUTS)
def test_kernel_products_match_numpy(kernels, layout_a, layout_b):
    rng = np.random.default_rng(LAYOUTS.index(layout_a) * 10 + LAYOUTS.index(layout_b))
    for m, k, n in SHAPES:
        a, b = _operand(rng, (m, k), layout_a), _operand(rng, (k, n), layout_b)
        a_before, b_before = a.copy(), b.copy()
        exact = a.astype(np.float64) @ b.astype(np.float64)
        scale = np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)  # bounds the rounding error
        for kernel in kernels:
            c = kernel.matmul(a, b)
            assert c.shape == (m, n) and c.dtype == np.float32 and c.flags.c_contiguous
            assert np.all(np.abs(c - exact) <= 1e-6 * k * scale + 1e-30), (kernel, m, k, n, layout_a, layout_b)
        assert np.array_equal(a, a_before) and np.array_equal(b, b_before)  # operands untouched
        np.testing.assert_allclose(simd.matmul(a, b), a @ b, rtol=1e-5 * k, atol=1e-5 * k)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_kernel_reads_each_arrays_data_address(kernels, layout):
    # The kernels take arrays as their objects and read the data address from NumPy's array struct: it must be the
    # address NumPy itself reports, for views too.
    rng = np.random.default_rng(0)
    for kernel in kernels:
        for a in (_operand(rng, (5, 7), layout), _operand(rng, (5, 7), layout)[2:, 3:], np.full((), 1.0, np.float32)):
            assert kernel._array_data(id(a)) == a.__array_interface__["data"][0]


def test_kernel_writes_only_its_output(kernels):
    """The output as a window of a larger array filled with NaN: everything outside the window stays NaN (edge
    blocks of fewer than 8 columns go through the kernel's own tile), everything inside is the product."""
    rng = np.random.default_rng(7)
    edges = [(7, 300, n) for n in range(1, 8)]  # every width of the right-edge tile, after a first block of K
    for m, k, n in [(7, 5, 3), (13, 300, 21), (6, 2, 270), *edges]:
        a, b = _operand(rng, (m, k), "sliced"), _operand(rng, (k, n), "F")
        for kernel in kernels:
            big = np.full((m + 3, n + 5), np.nan, dtype=np.float32)
            window = big[1 : 1 + m, 2 : 2 + n]
            assert kernel.matmul(a, b, out=window) is window
            np.testing.assert_allclose(window, a @ b, rtol=1e-4, atol=1e-4)
            window[...] = np.nan
            assert np.isnan(big).all()


def test_special_values_propagate(kernels):
    a = np.ones((6, 300), dtype=np.float32)
    a[1, 7], a[2, 299], a[4, 0] = np.inf, np.nan, -np.inf
    b = np.ones((300, 9), dtype=np.float32)
    for kernel in kernels:
        c = kernel.matmul(a, b)
        np.testing.assert_array_equal(c, a @ b)  # inf, nan, -inf rows as NumPy's; 300 elsewhere (exact in float32)


def test_fallback_when_relaxed_simd_is_missing(kernels, fresh_state, monkeypatch):
    """An engine without relaxed SIMD gets the plain variant; one without SIMD (or a wheel without the kernels)
    gets NumPy's own product, and says why."""
    monkeypatch.setitem(simd.FILES, "relaxed", "no-such-kernel.wasm")
    kernel = simd.active()
    assert (kernel.variant if kernel else None) == ("plain" if IN_PYODIDE else None)

    monkeypatch.setattr(simd, "_loaded", False)
    monkeypatch.setitem(simd.FILES, "plain", "no-such-kernel-either.wasm")
    assert simd.active() is None
    assert simd.status().startswith("no kernel: ")
    assert ("no-such-kernel.wasm is not in this nnlib" in simd.status()) == IN_PYODIDE
    a, b = np.ones((50, 60), np.float32), np.ones((60, 70), np.float32)
    np.testing.assert_array_equal(simd.matmul(a, b), a @ b)


def test_switch(fresh_state):
    assert simd.use_kernel(False) is True
    assert simd.active() is None and "switched off" in simd.status()
    assert simd.use_kernel(True) is False
    assert (simd.active() is not None) == IN_PYODIDE
    import nnlib

    assert nnlib.use_kernel is simd.use_kernel


# ---------------------------------------------------------------------------------------------- routing


class Recorder:
    """Stands in for the kernel: records the (M, K, N) of each product sent to it and computes it in float64."""

    variant = "recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int]] = []

    def matmul(self, a, b, out=None):
        self.calls.append((a.shape[0], a.shape[1], b.shape[1]))
        return (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)


@pytest.fixture
def recorder(fresh_state, monkeypatch) -> Recorder:
    rec = Recorder()
    monkeypatch.setattr(simd, "_active", rec)
    monkeypatch.setattr(simd, "_loaded", True)
    monkeypatch.setattr(layers, "max_pool_tiles", lambda *args: None)  # the stand-in does products only
    monkeypatch.setattr(layers, "max_pool_tiles_backward", lambda *args: False)
    monkeypatch.setattr(layers, "relu_forward", lambda *args: None)
    monkeypatch.setattr(layers, "relu_backward", lambda *args: None)
    return rec


def test_routing_rules(recorder):
    rng = np.random.default_rng(0)
    big = rng.standard_normal((40, 30)).astype(np.float32), rng.standard_normal((30, 30)).astype(np.float32)
    simd.matmul(*big)
    assert recorder.calls == [(40, 30, 30)]
    small = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((3, 5)).astype(np.float32)
    for a, b in [
        small,  # too small to pay for the call
        (big[0].astype(np.float64), big[1].astype(np.float64)),  # float64: NumPy
        (big[0], big[1].astype(np.float64)),  # mixed dtypes: NumPy's promotion
        (big[0][None], big[1]),  # 3-D: NumPy's broadcasting
        (np.ones((0, 300), np.float32), np.ones((300, 300), np.float32)),  # zero-size
        (np.ones((300, 0), np.float32), np.ones((0, 300), np.float32)),
    ]:
        np.testing.assert_array_equal(simd.matmul(a, b), a @ b)
    assert len(recorder.calls) == 1
    with pytest.raises(ValueError):  # NumPy's own message for mismatched shapes
        simd.matmul(big[0], big[0])
    simd.use_kernel(False)
    simd.matmul(*big)
    assert len(recorder.calls) == 1


def _gradients(net, x, t):
    grads = net.gradient(x, t)
    return {k: v.copy() for k, v in grads.items()}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nets_send_their_products_to_the_kernel(recorder, dtype):
    """SimpleConvNet's and TwoLayerNet's float32 training steps send every product of Convolution and Affine (forward
    and backward) to the kernel and get the same gradients as NumPy's path; float64 sends none."""
    rng = np.random.default_rng(1)
    x = rng.random((50, 1, 12, 12)).astype(dtype)
    t = rng.integers(0, 10, 50)
    cases = [(nets.SimpleConvNet((1, 12, 12), {"filter_num": 6, "filter_size": 3}, hidden_size=60, dtype=dtype,
                                 seed=0), x, 8),  # forward 3, backward: Affine 2 x (dW, dx), Convolution dW
             (nets.TwoLayerNet(144, 60, 10, dtype=dtype, seed=0), x.reshape(50, -1), 5)]  # fmt: skip
    for net, inputs, products in cases:
        recorder.calls.clear()
        routed = _gradients(net, inputs, t)
        assert len(recorder.calls) == (products if dtype == np.float32 else 0), recorder.calls
        simd.use_kernel(False)
        plain = _gradients(net, inputs, t)
        simd.use_kernel(True)
        for key in plain:
            assert routed[key].dtype == plain[key].dtype == dtype
            np.testing.assert_allclose(routed[key], plain[key], rtol=2e-4, atol=1e-6, err_msg=key)


def test_layers_with_the_real_kernel_match_numpy(kernels, fresh_state):
    """Affine and Convolution forward and backward, float32, with the kernel this runtime runs against NumPy's path,
    on inputs stored in the memory orders the layers meet (a convolution's batch-last output, flattened images)."""
    rng = np.random.default_rng(3)

    def run(layer, x, dout_seed):
        out = layer.forward(x)
        dout = np.random.default_rng(dout_seed).standard_normal(out.shape).astype(np.float32)
        dx = layer.backward(dout)
        return out, dx, layer.dW.copy(), layer.db.copy()

    conv_x = rng.standard_normal((7, 3, 11, 10)).astype(np.float32)
    affine_x = rng.standard_normal((60, 3, 12)).astype(np.float32)  # flattened to 36 features
    batch_last = np.ascontiguousarray(affine_x.transpose(1, 2, 0)).transpose(2, 0, 1)  # same values, F-like order
    cases = [
        (lambda: layers.Convolution(rng.standard_normal((5, 3, 3, 3)).astype(np.float32),
                                    rng.standard_normal(5).astype(np.float32), stride=2, pad=1), conv_x),
        (lambda: layers.Convolution(rng.standard_normal((4, 3, 5, 4)).astype(np.float32),
                                    rng.standard_normal(4).astype(np.float32)), conv_x),
        (lambda: layers.Affine(rng.standard_normal((36, 13)).astype(np.float32),
                               rng.standard_normal(13).astype(np.float32)), affine_x),
        (lambda: layers.Affine(rng.standard_normal((36, 13)).astype(np.float32),
                               rng.standard_normal(13).astype(np.float32)), batch_last),
    ]  # fmt: skip
    for make, x in cases:
        layer = make()
        simd.use_kernel(False)
        expected = run(layer, x, 5)
        simd.use_kernel(True)
        assert (simd.active() is not None) == IN_PYODIDE
        got = run(layer, x, 5)
        for e, g in zip(expected, got):
            assert e.shape == g.shape and e.dtype == g.dtype == np.float32
            assert e.strides == g.strides  # the same memory order as NumPy's path gives
            np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------------------------- max pooling


def _batch_last(rng, n, c, h, w, dtype=np.float32):
    """Images (N, C, H, W) stored (H, W, N, C), as nnlib's convolution returns them; values with many ties."""
    x = rng.integers(-3, 4, size=(h, w, n, c)).astype(dtype)
    return x.transpose(2, 3, 0, 1)


@pytest.mark.parametrize("inplace", [False, True])
def test_pooling_kernel_matches_numpy(kernels, fresh_state, inplace):
    """Pooling forward (maxima and which offset won, first on ties) and backward, through the kernel where it
    applies (float32, batch and channels innermost, N*C a multiple of 4) and NumPy otherwise: the same numbers in
    the same memory order. Sizes that do not divide by the window crop the last row/column, as NumPy's path does."""
    rng = np.random.default_rng(11)
    cases = [((4, 3, 8, 8), 2), ((2, 6, 9, 7), 2), ((4, 1, 9, 9), 3), ((3, 4, 6, 6), 2), ((4, 2, 3, 2), 1)]
    for (n, c, h, w), size in cases:
        x = _batch_last(rng, n, c, h, w)
        x[0, 0, 0, 0] = np.nan  # NaN wins its window, as with np.maximum
        results = {}
        for on in (False, True):
            simd.use_kernel(on)
            layer = layers.Pooling(size, size, stride=size, inplace=inplace)
            x_in = x.copy(order="K")
            out = layer.forward(x_in)
            dout = np.random.default_rng(5).standard_normal(out.shape).astype(np.float32)
            results[on] = (out.copy(order="K"), layer.winner.copy(order="K"), layer.backward(dout))
        used = simd.max_pool_tiles(x, size, size) is not None
        assert used == (IN_PYODIDE and (n * c) % 4 == 0), (n, c)
        for numpy_path, kernel_path in zip(results[False], results[True]):
            assert numpy_path.dtype == kernel_path.dtype
            # The same memory order (the stride of an axis of length 1 means nothing).
            assert [st for st, size in zip(numpy_path.strides, numpy_path.shape) if size > 1] == [
                st for st, size in zip(kernel_path.strides, kernel_path.shape) if size > 1]
            np.testing.assert_array_equal(kernel_path, numpy_path)


def test_pooling_kernel_leaves_other_layouts_to_numpy(kernels, fresh_state):
    rng = np.random.default_rng(2)
    c_order = np.ascontiguousarray(_batch_last(rng, 4, 4, 6, 6))  # the usual (N, C, H, W) order
    assert simd.max_pool_tiles(c_order, 2, 2) is None
    assert simd.max_pool_tiles(_batch_last(rng, 4, 4, 6, 6, np.float64), 2, 2) is None
    assert simd.max_pool_tiles(_batch_last(rng, 4, 4, 6, 6)[:, :, ::2], 2, 2) is not None or not IN_PYODIDE
    simd.use_kernel(False)
    assert simd.max_pool_tiles(_batch_last(rng, 4, 4, 6, 6), 2, 2) is None


# ---------------------------------------------------------------------------------------------- Adam


def test_adam_kernel_gives_numpys_result_to_the_bit(kernels, fresh_state):
    """Adam's update through the kernel (float32, inside Pyodide) and through NumPy's passes: the same parameters
    and moments, bit for bit, over several steps; sizes not multiples of 4 take its scalar tail. float64 and
    non-contiguous parameters stay with NumPy."""
    from nnlib import optimizers

    rng = np.random.default_rng(4)
    shapes = {"W": (37, 13), "b": (13,), "c": (3,), "k": (4, 2, 5, 5)}
    for dtype in (np.float32, np.float64):
        start = {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}
        grads = [{k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()} for _ in range(4)]
        results = []
        for on in (True, False):
            simd.use_kernel(on)
            params, opt = {k: v.copy() for k, v in start.items()}, optimizers.Adam(lr=0.01)
            for g in grads:
                opt.update(params, g)
            results.append((params, opt.m, opt.v))
        for got, expected in zip(*results):
            for key in shapes:
                assert got[key].dtype == dtype
                np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
    simd.use_kernel(True)
    p = np.zeros((4, 6), np.float32)[:, ::2]
    assert not simd.adam_update(p, np.zeros_like(p), np.zeros_like(p), np.ones_like(p), 0.9, 0.999, 0.1, 1e-7)
    contiguous = np.zeros(8, np.float32)
    used = simd.adam_update(contiguous, np.zeros(8, np.float32), np.zeros(8, np.float32), np.ones(8, np.float32),
                            0.9, 0.999, 0.1, 1e-7)
    assert used == IN_PYODIDE


# ---------------------------------------------------------------------------------------------- ReLU


@pytest.mark.parametrize("inplace", [False, True])
def test_relu_kernel_gives_numpys_result_to_the_bit(kernels, fresh_state, inplace):
    """Relu forward (output and mask) and backward through the kernel and through NumPy: equal to the bit, NaN and
    -0.0 included, in the same memory order, for C-ordered and batch-last inputs; sliced (gapped) inputs and float64
    stay with NumPy."""
    rng = np.random.default_rng(8)
    batch_last = _batch_last(rng, 16, 8, 6, 6) + rng.standard_normal((16, 8, 6, 6)).astype(np.float32)
    gapped = rng.standard_normal((64, 100)).astype(np.float32)
    inputs = [rng.standard_normal((64, 100)).astype(np.float32), batch_last.copy(order="K"), gapped[:, :90]]
    for x in inputs:
        x[(0,) * (x.ndim - 1) + (slice(0, 3),)] = [np.nan, -0.0, 0.0]
        results = {}
        for on in (False, True):
            simd.use_kernel(on)
            layer = layers.Relu(inplace=inplace)
            out = layer.forward(x.copy(order="K") if simd._dense(x) else gapped.copy()[:, :90])
            dout = np.empty_like(x)  # stored like x, as the layer after gives it back
            dout[...] = np.random.default_rng(1).standard_normal(x.shape)
            dout.flat[:3] = [np.inf, 1.0, -1.0]
            with np.errstate(invalid="ignore"):  # inf * 0 where the mask is 0: NaN, in both paths
                results[on] = (out.copy(order="K"), layer.mask.copy(order="K"), layer.backward(dout))
        simd.use_kernel(True)
        used = simd.relu_forward(x, False) is not None
        assert used == (IN_PYODIDE and x is not inputs[-1])
        for numpy_path, kernel_path in zip(results[False], results[True]):
            assert numpy_path.dtype == kernel_path.dtype and numpy_path.strides == kernel_path.strides
            assert numpy_path.tobytes(order="A") == kernel_path.tobytes(order="A")  # bits: -0.0 and NaN too
    assert simd.relu_forward(rng.standard_normal((64, 100)), False) is None  # float64
