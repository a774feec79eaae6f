"""nnlib: neural networks from scratch with NumPy.

Modules follow "Deep Learning from Scratch" (its ``common/`` package), so each idea of the course has a home:
``functions`` (activations, losses), ``gradient`` (numerical gradients, gradient check), ``layers`` (forward/backward
layers), ``util`` (im2col, one-hot), ``optimizers``, ``init`` (weight initialisation), ``nets`` (Sequential and the
ready networks), ``datasets``, ``trainer`` and ``io``.

In the browser (Pyodide) the layers' float32 matrix products run in a WebAssembly SIMD kernel (:mod:`nnlib.simd`);
``nnlib.use_kernel(False)`` switches it off. Natively NumPy computes everything.
"""

from importlib import import_module

__version__ = "0.1.0"
__all__ = ["functions", "gradient", "layers", "util", "optimizers", "init", "nets", "datasets", "trainer", "io"]


def __getattr__(name: str):
    # Submodules load on first use, so `import nnlib` stays fast (it matters in the browser).
    if name in __all__ or name == "simd":
        return import_module(f".{name}", __name__)
    if name == "use_kernel":
        return import_module(".simd", __name__).use_kernel
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")
