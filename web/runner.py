"""Python half of the in-browser runtime, executed once in the Pyodide worker after nnlib is loaded.

It runs lesson cells in one shared namespace (like a notebook), reports results, tracebacks, matplotlib figures and
nnlib training progress to the page through the `_nnlib_bridge` JavaScript module the worker registers:
`post(kind, text)` with kind one of "result", "error", "image", "progress".
"""

from __future__ import annotations

import ast
import base64
import functools
import io
import json
import linecache
import logging
import math
import os
import sys
import sysconfig
import time
import traceback
from typing import Any, Callable

from _nnlib_bridge import post  # type: ignore[import-not-found]  # registered by worker.js

# Figures are rendered by our own backend (below): each plt.show() and the end of every cell sends PNGs to the page.
os.environ["MPLBACKEND"] = "module://_nnlib_mpl_backend"


class _NoFontCacheNotice(logging.Filter):
    """Drop matplotlib's "Matplotlib is building the font cache; this may take a moment." (every new worker builds the
    cache on its first pyplot import): a detail of the runtime, not output of the reader's code."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Matplotlib is building the font cache")


logging.getLogger("matplotlib.font_manager").addFilter(_NoFontCacheNotice())


#: The namespace all cells of the page share.
NAMESPACE: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}

#: Minimum seconds between two "iteration" progress messages (start, epoch and end events are always sent).
PROGRESS_INTERVAL = 0.1


def _emit_figures() -> None:
    """Send every open matplotlib figure to the page as a PNG and close it (nothing to do if pyplot is not loaded)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    for number in plt.get_fignums():
        figure = plt.figure(number)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
        post("image", base64.b64encode(buffer.getvalue()).decode("ascii"))
    plt.close("all")


_BACKEND_SOURCE = """\
# matplotlib backend of the nnlib course's browser runtime: Agg rendering; show() sends the figures to the page.
from matplotlib.backend_bases import _Backend
from matplotlib.backends.backend_agg import _BackendAgg

from _nnlib_runner import _emit_figures, _register_course_font

_register_course_font()


@_Backend.export
class _BackendNnlib(_BackendAgg):
    @classmethod
    def show(cls, *args, **kwargs):
        _emit_figures()
"""


def _register_course_font() -> None:
    """Chinese labels in figures, as in the site build: fetch the site's CJK font and the helper that registers it
    (docs/assets/fonts/, beside this runtime's assets/nnlib-runtime/) and call it. Failing only costs the glyphs."""
    from js import URL, XMLHttpRequest, console, location  # type: ignore[import-not-found]

    def get(name: str) -> bytes:
        request = XMLHttpRequest.new()
        request.open("GET", URL.new(f"../fonts/{name}", location.href).href, False)
        request.responseType = "arraybuffer"  # allowed for synchronous requests in a worker
        request.send()
        if request.status != 200:
            raise OSError(f"{name}: HTTP {request.status}")
        return request.response.to_bytes()

    try:
        folder = sysconfig.get_paths()["purelib"]
        with open(os.path.join(folder, "nnlib_fonts.py"), "wb") as file:
            file.write(get("nnlib_fonts.py"))
        import nnlib_fonts  # type: ignore[import-not-found]

        font = os.path.join(folder, nnlib_fonts.FILE)
        with open(font, "wb") as file:
            file.write(get(nnlib_fonts.FILE))
        nnlib_fonts.register(font)
    except Exception as exc:  # noqa: BLE001 - figures still work, without Chinese glyphs
        console.warn(f"nnlib runtime: the CJK font for figures could not be loaded: {exc}")


def _install_matplotlib_backend() -> None:
    """Write the module `_nnlib_mpl_backend` into site-packages (matplotlib imports it only when pyplot is used)."""
    path = os.path.join(sysconfig.get_paths()["purelib"], "_nnlib_mpl_backend.py")
    with open(path, "w", encoding="utf-8") as file:
        file.write(_BACKEND_SOURCE)


_install_matplotlib_backend()


def _finite(value: Any) -> Any:
    """JSON-safe number: numpy scalars become floats/ints, NaN and infinities become None."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if isinstance(value, int) else number


class ProgressReporter:
    """Trainer callback that forwards training progress to the page's progress bar, throttled to PROGRESS_INTERVAL."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, info: dict[str, Any]) -> None:
        event = info.get("event")
        now = time.monotonic()
        if event == "iteration" and now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        post("progress", json.dumps({key: _finite(value) for key, value in info.items()}, allow_nan=False))


def _install_trainer_progress() -> None:
    """Make every nnlib Trainer report its progress to the page, alongside any callback the cell passes itself."""
    try:
        from nnlib import trainer as trainer_module
    except ImportError:  # an nnlib without a trainer: nothing to hook
        return
    trainer_class = getattr(trainer_module, "Trainer", None)
    if trainer_class is None or getattr(trainer_class, "_nnlib_browser_progress", False):
        return
    original_init: Callable[..., None] = trainer_class.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        # The trainer calls self.callback (the cell's callback, its console display, or None): report first.
        reporter = ProgressReporter()
        inner = getattr(self, "callback", None)
        if inner is None:
            self.callback = reporter
        else:
            def both(info: dict[str, Any]) -> Any:
                reporter(info)
                return inner(info)

            self.callback = both

    functools.update_wrapper(__init__, original_init)  # keeps the docstring and signature for help()
    trainer_class.__init__ = __init__
    trainer_class._nnlib_browser_progress = True


def _ends_with_semicolon(code: str, node: ast.stmt) -> bool:
    """True when the statement's last line ends with ';' (Jupyter's convention to hide a cell's value)."""
    lines = code.splitlines()
    end = getattr(node, "end_lineno", None)
    return bool(end) and lines[end - 1].split("#", 1)[0].rstrip().endswith(";")


def format_exception(exc: BaseException) -> str:
    """The traceback as Python prints it, without the runner's own frames (it starts at the first cell frame)."""
    te = traceback.TracebackException.from_exception(exc)
    stack = list(te.stack)
    first = next((i for i, frame in enumerate(stack) if frame.filename.startswith("<cell")), len(stack))
    te.stack = traceback.StackSummary.from_list(stack[first:])
    return "".join(te.format())


def run_cell(code: str, filename: str) -> bool:
    """Execute one cell in NAMESPACE; report the last expression's repr, figures and any traceback.

    The source is registered in linecache under `filename` (e.g. "<cell 3>") so tracebacks quote the cell's lines.
    Returns True when the cell finished without an exception.
    """
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        tree = ast.parse(code, filename, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not _ends_with_semicolon(code, tree.body[-1]):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), NAMESPACE)
        if last is not None:
            value = eval(compile(last, filename, "eval"), NAMESPACE)
            if value is not None:
                NAMESPACE["_"] = value
                post("result", repr(value))
        _emit_figures()
        return True
    except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt and SystemExit are reported like any error
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            _emit_figures()
        except Exception:  # noqa: BLE001 - a broken figure must not hide the original error
            pass
        post("error", json.dumps({"name": type(exc).__name__, "text": format_exception(exc)}))
        return False
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


_install_trainer_progress()
