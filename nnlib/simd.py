"""The browser build's accelerator: WebAssembly SIMD kernels for float32 matrix products, used only inside Pyodide.

Pyodide's NumPy has no BLAS and no SIMD, so there a matrix product runs 15-25x slower than natively. The layers'
products go through :func:`matmul`, which is ``a @ b`` everywhere except in Pyodide, where float32 2-D products
large enough to pay for the call (about 10 microseconds) run in a kernel written in WebAssembly text
(scripts/simd_kernels.py) and shipped in the wheel: a blocked product on 128-bit vectors, working directly on
NumPy's buffers. Natively nothing changes: NumPy's BLAS stays.

Which variant runs is detected once: ``relaxed`` (fused multiply-add, in current Chrome, Edge and Firefox) if the
engine accepts it, else ``plain`` (128-bit SIMD, every current browser and Node >= 16), else none (NumPy's own
path). Switch it off with the environment variable ``NNLIB_KERNEL=0`` (read at import) or ``nnlib.use_kernel(False)``:
to time NumPy's path against it, or to rule it out when debugging. The kernel computes the same sums as NumPy in
another order, so results agree to float32 rounding (tests/test_simd.py checks every routed product).
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from pathlib import Path

import numpy as np

FILES = {"relaxed": "simd-relaxed.wasm", "plain": "simd.wasm"}  # scripts/simd_kernels.py writes them here
# Products with fewer multiply-adds than this stay with NumPy: below it the call costs more than it saves (measured
# in Pyodide 0.27.7 under Node: a call through simd.matmul takes 5-7 microseconds whatever the size, NumPy's float32
# `@` about 3 for a few multiply-adds and about one more per thousand; both take 9-11 for 8,000 to 10,000).
MIN_MACS = 10_000

_enabled = os.environ.get("NNLIB_KERNEL", "1").strip().lower() not in ("0", "false", "off", "no")
_active: Kernel | None = None
_loaded = False  # whether the kernel was looked for (once, on first use)
_why_not = ""


class KernelUnusable(RuntimeError):
    """A kernel file that loaded but cannot be used with this runtime; the message says why."""


class Kernel:
    """One loaded variant of the kernels (a shared library on Pyodide's memory), with its own work area.

    The kernels take each array as its object (``id(a)``, the object's address in CPython) and read the data
    address from NumPy's array struct, integers as C ``int`` and floats packed as bytes: called that way, without
    ``argtypes``, a call costs Pyodide's ctypes about 2 microseconds, against about 8 with ``argtypes`` plus 5 for
    each ``a.__array_interface__`` (measured in Pyodide 0.27.7 under Node; most of a small net's step is such
    overhead). Any int fits: wasm32's ``int`` takes addresses above 2 GiB by their bits."""

    def __init__(self, path: Path, variant: str) -> None:
        self.variant = variant
        lib = ctypes.CDLL(str(path))
        self._array_data = lib.nnlib_array_data  # the data address the kernels read from an array's object
        self._array_data.restype = ctypes.c_uint32
        for probe in (np.zeros(3, np.float32), np.zeros((4, 6), np.float32)[1:, 2:]):
            if self._array_data(id(probe)) != probe.__array_interface__["data"][0]:
                raise KernelUnusable("this NumPy's arrays do not hold their data address where the kernels read it")
        self._sgemm = lib.nnlib_sgemm
        lib.nnlib_sgemm_work_bytes.restype = ctypes.c_int32
        self._work = np.empty(lib.nnlib_sgemm_work_bytes() // 4, dtype=np.float32)  # packed A and B, edge tile
        self._work_ptr = self._work.__array_interface__["data"][0]
        self._maxpool, self._maxpool_backward = lib.nnlib_maxpool, lib.nnlib_maxpool_backward
        self._adam = lib.nnlib_adam
        self._relu, self._relu_backward = lib.nnlib_relu, lib.nnlib_relu_backward
        for function in (self._sgemm, self._maxpool, self._maxpool_backward, self._adam, self._relu,
                         self._relu_backward):
            function.restype = None  # void: ctypes would otherwise call it as returning an int

    def __repr__(self) -> str:
        return f"Kernel({self.variant!r})"

    def matmul(self, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``a @ b`` for float32 matrices ``a`` ``(M, K)`` and ``b`` ``(K, N)`` of any strides, M, N, K >= 1, in a
        new C-contiguous ``(M, N)`` array, or in ``out`` (float32 ``(M, N)``, consecutive columns, rows any
        positive distance apart). No checks: :func:`matmul` decides what may come here."""
        (m, k), n = a.shape, b.shape[1]
        if out is None:
            out = np.empty((m, n), dtype=np.float32)
        self._sgemm(m, n, k, id(a), *a.strides, id(b), *b.strides, id(out), out.strides[0], self._work_ptr)
        return out


def load(variant: str) -> Kernel | None:
    """The kernels of ``variant`` ('relaxed' or 'plain') if this runtime can run them (inside Pyodide, the file is in
    the package, the engine validates it), else None."""
    return _load(variant)[0]


def _load(variant: str) -> tuple[Kernel | None, str]:
    if sys.platform != "emscripten":
        return None, "not running in Pyodide (natively NumPy's BLAS computes the products)"
    path = Path(__file__).with_name(FILES[variant])
    if not path.is_file():
        return None, f"{path.name} is not in this nnlib (a wheel built without the kernels)"
    from js import WebAssembly  # Pyodide's bridge to the JavaScript engine
    from pyodide.ffi import to_js

    if not WebAssembly.validate(to_js(path.read_bytes())):
        return None, f"this engine does not support {path.name}'s instructions"
    try:
        return Kernel(path, variant), ""
    except KernelUnusable as error:
        return None, str(error)


def active() -> Kernel | None:
    """The kernel :func:`matmul` uses now, or None (switched off, not in Pyodide, or no SIMD in this engine)."""
    global _active, _loaded, _why_not
    if not _enabled:
        return None
    if not _loaded:
        _loaded = True
        reasons = []
        for variant in FILES:
            _active, why = _load(variant)
            if _active is not None:
                break
            reasons.append(why)
        _why_not = "; ".join(dict.fromkeys(reasons))
    return _active


def status() -> str:
    """One line saying which kernel runs the products, or why none does."""
    kernel = active()
    if kernel is not None:
        return f"WebAssembly SIMD kernel ({kernel.variant}) for float32 products of {MIN_MACS}+ multiply-adds"
    if not _enabled:
        return "kernel switched off (nnlib.use_kernel(False) or NNLIB_KERNEL=0): NumPy computes every product"
    return f"no kernel: {_why_not}"


def use_kernel(enabled: bool = True) -> bool:
    """Switch the WebAssembly kernel on or off (it only ever runs inside Pyodide); returns the previous setting.

    ``nnlib.use_kernel(False)`` makes every product NumPy's own ``@`` again, e.g. to time one against the other."""
    global _enabled
    previous, _enabled = _enabled, bool(enabled)
    return previous


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``. In Pyodide, float32 matrices (2-D, any strides) whose product has at least ``MIN_MACS``
    multiply-adds go to the WebAssembly kernel; everything else (and everything natively) is NumPy's ``@``."""
    kernel = _active if _loaded else active()
    if (
        kernel is None
        or not _enabled
        or type(a) is not np.ndarray
        or type(b) is not np.ndarray
        or a.dtype != np.float32
        or b.dtype != np.float32
        or a.ndim != 2
        or b.ndim != 2
        or a.shape[1] != b.shape[0]
        or a.shape[0] * a.shape[1] * b.shape[1] < MIN_MACS  # also every product with a zero-size side
    ):
        return a @ b
    return kernel.matmul(a, b)


def _pixel_runs(a: np.ndarray) -> int | None:
    """For images ``(N, C, H, W)`` stored with N and C innermost (nnlib's convolution output, and what pooling and
    ReLU keep), the length of the contiguous float32 run at each pixel, ``N * C``; None for any other layout."""
    n, c = a.shape[:2]
    sn, sc = a.strides[:2]
    item = a.itemsize
    contiguous_run = (sc == item and (sn == c * item or n == 1)) or (sn == item and (sc == n * item or c == 1))
    if not contiguous_run or min(abs(a.strides[2]), abs(a.strides[3])) < n * c * item:
        return None
    return n * c


def max_pool_tiles(x: np.ndarray, ph: int, pw: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Max pooling over ``ph x pw`` windows tiling ``x`` ``(N, C, H, W)`` in the kernel: ``(out, winner)`` as
    :class:`~nnlib.layers.Pooling` computes them (out in x's memory order, winner the offset ``dy * pw + dx`` of each
    maximum as uint8), or None where the kernel does not apply (natively, float64, other layouts): then the layer
    uses NumPy."""
    kernel = _active if _loaded else active()
    if kernel is None or not _enabled or type(x) is not np.ndarray or x.dtype != np.float32 or x.ndim != 4:
        return None
    run = _pixel_runs(x)
    oh, ow = x.shape[2] // ph, x.shape[3] // pw
    if run is None or run % 4 or ph * pw > 255 or oh * ow == 0:
        return None
    out = np.empty_like(x[:, :, :oh, :ow])  # x's memory order ("K")
    winner = np.empty_like(out, dtype=np.uint8)
    if _pixel_runs(out) != run or out.strides[2:] != (ow * run * 4, run * 4) or not out.flags.writeable:
        return None
    kernel._maxpool(id(x), x.strides[2], x.strides[3], oh, ow, ph, pw, run, id(out), id(winner))
    return out, winner


def max_pool_tiles_backward(dout: np.ndarray, winner: np.ndarray, dx: np.ndarray, ph: int, pw: int) -> bool:
    """The backward pass of :func:`max_pool_tiles` into ``dx`` (the input's shape and memory order): every pixel of
    a window gets ``dout`` where it held the maximum, else 0. ``dout`` must be stored like ``winner``. Returns False,
    writing nothing, where the kernel does not apply."""
    kernel = _active if _loaded else active()
    if (kernel is None or not _enabled or not all(type(a) is np.ndarray for a in (dout, winner, dx))
            or dout.dtype != np.float32 or dx.dtype != np.float32 or winner.dtype != np.uint8):
        return False
    run = _pixel_runs(dx)
    oh, ow = winner.shape[2:]
    if (run is None or run % 4 or _pixel_runs(dout) != run or dout.strides[2:] != (ow * run * 4, run * 4)
            or winner.strides[2:] != (ow * run, run) or not dx.flags.writeable):
        return False
    kernel._maxpool_backward(id(dout), id(winner), oh, ow, ph, pw, run, id(dx), dx.strides[2], dx.strides[3])
    return True


def adam_update(p: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, beta1: float, beta2: float, scale: float,
                eps: float) -> bool:
    """Adam's step as :class:`~nnlib.optimizers.Adam` writes it, ``m = beta1 m + g; v = beta2 v + g^2;
    p -= scale m / (sqrt(v) + eps)``, in one pass of the kernel instead of ten NumPy passes, with the same float32
    operations in the same order (the same result to the bit). Returns False, changing nothing, where the kernel does
    not apply (natively, float64, arrays that are not C-contiguous float32 of one shape)."""
    kernel = _active if _loaded else active()
    if kernel is None or not _enabled:
        return False
    for a in (p, m, v, g):
        if type(a) is not np.ndarray or a.dtype != np.float32 or not a.flags.c_contiguous or a.shape != p.shape:
            return False
    if not (p.flags.writeable and m.flags.writeable and v.flags.writeable):
        return False
    kernel._adam(id(p), id(m), id(v), id(g), p.size, struct.pack("4d", beta1, beta2, scale, eps))
    return True


MIN_ELEMENTWISE = 4_096  # elements; below this NumPy's own pass costs less than the call


def _dense(a: np.ndarray) -> bool:
    """Whether ``a`` fills one block of memory with no gaps, in any order of its axes (C, Fortran, or nnlib's
    batch-last convolution outputs), all strides positive: then an elementwise pass can run over the block."""
    expected = a.itemsize
    for stride, size in sorted((st, n) for st, n in zip(a.strides, a.shape) if n > 1):
        if stride != expected:
            return False
        expected *= size
    return True


def relu_forward(x: np.ndarray, inplace: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """``(x > 0, max(x, 0))`` as :class:`~nnlib.layers.Relu` computes them (the output over ``x`` if ``inplace``), in
    one pass of the kernel; None where it does not apply (natively, float64, small or gapped arrays)."""
    kernel = _active if _loaded else active()
    if (kernel is None or not _enabled or type(x) is not np.ndarray or x.dtype != np.float32
            or x.size < MIN_ELEMENTWISE or x.size % 4 or not _dense(x) or (inplace and not x.flags.writeable)):
        return None
    out = x if inplace else np.empty_like(x)
    mask = np.empty_like(x, dtype=bool)
    if out.strides != x.strides or mask.strides != tuple(st // 4 for st in x.strides):
        return None
    kernel._relu(id(x), id(out), id(mask), x.size)
    return mask, out


def relu_backward(dout: np.ndarray, mask: np.ndarray, inplace: bool) -> np.ndarray | None:
    """``dout * mask`` (into ``dout`` if ``inplace``) in one pass of the kernel, where ``dout`` is stored like
    ``mask``; else None."""
    kernel = _active if _loaded else active()
    if (kernel is None or not _enabled or type(dout) is not np.ndarray or dout.dtype != np.float32
            or dout.shape != mask.shape or dout.size < MIN_ELEMENTWISE or dout.size % 4 or not _dense(dout)
            or dout.strides != tuple(4 * st for st in mask.strides) or (inplace and not dout.flags.writeable)):
        return None
    dx = dout if inplace else np.empty_like(dout)
    if dx.strides != dout.strides:
        return None
    kernel._relu_backward(id(dout), id(mask), id(dx), dout.size)
    return dx
