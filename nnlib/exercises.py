"""Self-checking exercises of the course: small checks of a reader's code, each passed or failed with a hint.

A lesson's exercise is a starter cell the reader edits, then a check cell such as::

    from nnlib import exercises as ex

    ex.report(
        ex.same_function("values", stable_sigmoid, F.sigmoid, shapes=[(5,), (4, 3)], dtypes=["float64", "float32"],
                         hint="Use exp(-|a|)."),
        ex.same_function("inputs of +-1e4", stable_sigmoid, F.sigmoid, cases=[(np.array([-1e4, 1e4]),)]),
        lang="en",
    )

Each helper runs the reader's code, catches what it raises (including floating-point overflow, turned into an error
so that an unstable ``exp`` fails instead of printing a warning) and returns a :class:`Check`. :func:`report`
collects them into a :class:`Report`, which Jupyter displays as a list of ticks and crosses with the hint of the
first failure. Messages exist in English and Chinese (``lang``); the check names and hints are written in the
lesson's language. In the course's web pages, the Check button runs the same check cell through :func:`page_report`.
"""

from __future__ import annotations

import ast
import copy
import functools
import html
import inspect
import json
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .gradient import numerical_gradient, relative_error

#: The generic messages of the checks; the names and hints come from the lesson, in its language.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "case": "{call}: {problem}",
        "raised": "{call} raised {error}",
        "raised_plain": "raised {error}",
        "result": "the result",
        "argument": "{name} after the call",
        "shape": "{what}{path} has shape {got}, expected {expected}",
        "dtype": "{what}{path} has dtype {got}, expected {expected} (keep the input's dtype)",
        "type": "{what}{path} is {got}, expected {expected}",
        "keys": "{what}{path} has the keys {got}, expected {expected}",
        "values": "{what}{path} is off by up to {diff:.2e} (allowed: {tol:.0e})",
        "not_finite": "{what}{path} contains inf or NaN",
        "grad_shape": "{grad} has shape {got}, expected {expected} (the shape of {of})",
        "grad_missing": "backward did not set {grad}",
        "grad_error": "{grad}: relative error {err:.1e} against the numerical gradient (should be below {tol:.0e})",
        "passed": "{passed} of {total} checks passed",
        "all_passed": "All {total} checks passed: well done!",
        "hint": "Hint: ",
        "hint_line": "Hint: {hint}",
        "check_line": "{name}: {message}",
        "check_failed": "The check itself could not run: {error}",
    },
    "zh": {
        "case": "{call}：{problem}",
        "raised": "{call} 出错：{error}",
        "raised_plain": "出错：{error}",
        "result": "结果",
        "argument": "调用后的 {name}",
        "shape": "{what}{path}的形状是 {got}，应为 {expected}",
        "dtype": "{what}{path}的 dtype 是 {got}，应为 {expected}（请保持输入的 dtype）",
        "type": "{what}{path}是 {got}，应为 {expected}",
        "keys": "{what}{path}的键是 {got}，应为 {expected}",
        "values": "{what}{path}的误差最大为 {diff:.2e}（允许 {tol:.0e}）",
        "not_finite": "{what}{path}含有 inf 或 NaN",
        "grad_shape": "{grad} 的形状是 {got}，应为 {expected}（与 {of} 的形状相同）",
        "grad_missing": "backward 没有设置 {grad}",
        "grad_error": "{grad}：与数值梯度的相对误差为 {err:.1e}（应小于 {tol:.0e}）",
        "passed": "{total} 项检查中通过了 {passed} 项",
        "all_passed": "全部 {total} 项检查通过，做得好！",
        "hint": "提示：",
        "hint_line": "提示：{hint}",
        "check_line": "{name}：{message}",
        "check_failed": "检查本身无法运行：{error}",
    },
}


@dataclass
class Check:
    """The outcome of one check: its name (in the lesson's language), whether it passed, what went wrong as a
    message key of :data:`MESSAGES` with its arguments, and a hint for the reader."""

    name: str
    passed: bool
    problem: tuple[str, dict[str, Any]] | None = None
    hint: str = ""

    def message(self, lang: str = "en") -> str:
        if self.problem is None:
            return ""
        return _render(self.problem, _lang(lang))


@dataclass
class Report:
    """The checks of one exercise. ``str()`` and Jupyter's display list them; :meth:`to_dict` is what the web page
    shows. ``passed`` is True when every check passed."""

    checks: list[Check]
    lang: str = "en"
    text: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.lang = _lang(self.lang)
        self.text = MESSAGES[self.lang]

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((check for check in self.checks if not check.passed), None)

    def summary(self) -> str:
        total = len(self.checks)
        if self.passed:
            return self.text["all_passed"].format(total=total)
        return self.text["passed"].format(passed=sum(c.passed for c in self.checks), total=total)

    def to_dict(self) -> dict[str, Any]:
        failure = self.first_failure
        return {
            "passed": self.passed,
            "summary": self.summary(),
            "hint_label": self.text["hint"],
            "hint": failure.hint if failure else "",
            "checks": [{"name": c.name, "passed": c.passed, "message": c.message(self.lang)} for c in self.checks],
        }

    def __str__(self) -> str:
        lines = []
        for check in self.checks:
            line = f"{'✓' if check.passed else '✗'} {check.name}"
            message = check.message(self.lang)
            lines.append(self.text["check_line"].format(name=line, message=message) if message else line)
        lines.append(self.summary())
        failure = self.first_failure
        if failure and failure.hint:
            lines.append(self.text["hint_line"].format(hint=failure.hint))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        items = []
        for c in self.checks:
            mark = '<span style="color:#2e7d32">✓</span>' if c.passed else '<span style="color:#c62828">✗</span>'
            message = c.message(self.lang)
            items.append(f"<li>{mark} {html.escape(c.name)}{': ' + html.escape(message) if message else ''}</li>")
        failure = self.first_failure
        hint = f"<p><b>{self.text['hint']}</b>{html.escape(failure.hint)}</p>" if failure and failure.hint else ""
        return (f'<ul style="list-style:none;padding-left:0">{"".join(items)}</ul>'
                f"<p><b>{html.escape(self.summary())}</b></p>{hint}")  # fmt: skip


def report(*checks: Check, lang: str = "en") -> Report:
    """Collect checks into a :class:`Report` whose messages are in ``lang`` ("en" or "zh")."""
    for check in checks:
        if not isinstance(check, Check):
            raise TypeError(f"report() takes Check objects (from same_function, close, layer_gradients), got {check!r}")
    return Report(list(checks), lang)


# ------------------------------------------------------------------------------------------------------ helpers


def _render(problem: tuple[str, dict[str, Any]], lang: str) -> str:
    """The message of a problem in ``lang``; an argument that is itself a problem is rendered first."""
    key, args = problem
    args = {k: _render(v, lang) if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], dict) else v
            for k, v in args.items()}  # fmt: skip
    return MESSAGES[lang][key].format(**args)


def _lang(lang: str) -> str:
    if lang not in MESSAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {sorted(MESSAGES)}")
    return lang


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class _CheckedExp:
    """``np.exp`` that raises FloatingPointError when a finite input overflows to inf.

    numpy's own overflow detection (``np.errstate(over="raise")``) reads the CPU's floating-point flags, which
    WebAssembly does not have: in the browser, an overflowing ``exp`` is silent. Putting this in place of ``np.exp``
    while the reader's code runs catches an unstable exponential the same way natively and in the browser.
    """

    def __init__(self, exp: np.ufunc) -> None:
        self.exp = exp

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        out = self.exp(x, *args, **kwargs)
        with np.errstate(all="ignore"):
            overflow = np.isinf(out) & np.isfinite(x)
        if np.any(overflow):
            first = np.asarray(x)[overflow] if np.ndim(x) else x
            raise FloatingPointError(f"overflow encountered in exp (np.exp({float(np.ravel(first)[0]):g}) = inf)")
        return out

    def __getattr__(self, name: str) -> Any:  # np.exp.reduce, .outer, ...
        return getattr(self.exp, name)


def _call(f: Callable[..., Any], *args: Any) -> Any:
    """Call the reader's ``f`` with floating-point overflow, invalid operations and division by zero raised as errors
    (numpy would only warn, and return inf or NaN); ``np.exp`` is checked for overflow explicitly (see _CheckedExp)."""
    exp = np.exp
    np.exp = _CheckedExp(exp)
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            return f(*args)
    finally:
        np.exp = exp


def _name(f: Callable[..., Any]) -> str:
    """How messages name a callable: its name (a method with its class, ``f2`` for a function defined in another
    function), ``lambda`` for an anonymous function, the class name for a callable object."""
    if isinstance(f, functools.partial):
        return _name(f.func)
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None)
    if not isinstance(name, str):
        return type(f).__name__
    name = name.rpartition("<locals>.")[2]
    return "lambda" if name.endswith("<lambda>") else name


#: Longest description of a single argument; longer text (a long string, a big list) is cut with an ellipsis.
DESCRIBE_CHARS = 60


def _describe(value: Any) -> str:
    """A short description of an argument for messages, the same in every language (it reads as code): small arrays
    by value, others by shape and dtype, dicts by keys, functions by name, other objects by their type, never by an
    address such as ``<function f2 at 0x7f...>``."""
    if isinstance(value, np.ndarray):
        if value.size <= 5 and value.dtype.kind in "biuf":
            return "[" + ", ".join(f"{v:g}" for v in value.ravel()) + f"] {value.dtype}"
        return f"{value.shape} {value.dtype}"
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, dict):
        text = "{" + ", ".join(map(str, value)) + "}"
    elif isinstance(value, (tuple, list)):
        items = [_describe(v) for v in value[:4]] + (["…"] if len(value) > 4 else [])
        text = ", ".join(items)
        text = f"[{text}]" if isinstance(value, list) else f"({text}{',' if len(value) == 1 else ''})"
    elif callable(value):
        return _name(value)
    else:
        text = repr(value)
        if type(value).__repr__ is object.__repr__:  # <Affine object at 0x7f...>
            return f"<{type(value).__name__}>"
    return text if len(text) <= DESCRIBE_CHARS else text[:DESCRIBE_CHARS - 1] + "…"


def _parameter_name(f: Callable[..., Any], i: int) -> str:
    """The name of ``f``'s ``i``-th parameter, else ``#<i+1>``."""
    try:
        return list(inspect.signature(f).parameters)[i]
    except (TypeError, ValueError, IndexError):
        return f"#{i + 1}"


def _call_text(f: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """``name(arguments)`` as messages show a call."""
    return f"{_name(f)}({', '.join(_describe(a) for a in args)})"


def _compare(got: Any, expected: Any, what: Any, rtol: float, atol: float, path: str = "") -> tuple[str, dict[str, Any]] | None:
    """None when ``got`` matches ``expected`` (arrays by shape, dtype and values within tolerance; dicts, tuples and
    lists item by item; numbers within tolerance), else the message key and arguments of the first difference."""
    if expected is None or got is None:
        return None if got is expected else ("type", {"got": _describe(got), "expected": _describe(expected),
                                                      "what": what, "path": path})  # fmt: skip
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return "type", {"got": type(got).__name__, "expected": "dict", "what": what, "path": path}
        if sorted(got) != sorted(expected):
            return "keys", {"got": sorted(got), "expected": sorted(expected), "what": what, "path": path}
        for key in expected:
            problem = _compare(got[key], expected[key], what, rtol, atol, f"{path}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return "type", {"got": _describe(got), "expected": f"{len(expected)} values", "what": what, "path": path}
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = _compare(g, e, what, rtol, atol, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            return "type", {"got": type(got).__name__, "expected": "numpy array", "what": what, "path": path}
        if got.shape != expected.shape:
            return "shape", {"got": got.shape, "expected": expected.shape, "what": what, "path": path}
        if got.dtype != expected.dtype:
            return "dtype", {"got": got.dtype, "expected": expected.dtype, "what": what, "path": path}
    try:
        g = np.asarray(got, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return "type", {"got": type(got).__name__, "expected": type(expected).__name__, "what": what, "path": path}
    if g.shape != e.shape:
        return "shape", {"got": g.shape, "expected": e.shape, "what": what, "path": path}
    if not np.all(np.isfinite(g)):
        return "not_finite", {"what": what, "path": path}
    if not np.allclose(g, e, rtol=rtol, atol=atol):
        return "values", {"diff": float(np.max(np.abs(g - e))), "tol": max(rtol, atol), "what": what, "path": path}
    return None


def _tolerance(cases: Iterable[tuple[Any, ...]]) -> float:
    """Relative tolerance for outputs computed from these inputs: looser when any of them is float32."""
    def has_float32(value: Any) -> bool:
        if isinstance(value, np.ndarray):
            return value.dtype == np.float32
        if isinstance(value, dict):
            return any(has_float32(v) for v in value.values())
        if isinstance(value, (tuple, list)):
            return any(has_float32(v) for v in value)
        return False

    return 1e-4 if any(has_float32(args) for args in cases) else 1e-7


# ------------------------------------------------------------------------------------------------------ checks


def close(name: str, value: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 1e-10, hint: str = "") -> Check:
    """Check that ``value`` equals ``expected`` within ``rtol``/``atol`` (arrays: same shape and dtype too)."""
    problem = _compare(value, expected, ("result", {}), rtol, atol)
    return Check(name, problem is None, problem, hint)


def same_function(
    name: str,
    f: Callable[..., Any],
    reference: Callable[..., Any],
    *,
    shapes: Sequence[tuple[int, ...]] = (),
    dtypes: Sequence[Any] = ("float64",),
    scale: float = 3.0,
    cases: Sequence[tuple[Any, ...]] = (),
    seed: int = 0,
    rtol: float | None = None,
    atol: float = 1e-12,
    hint: str = "",
) -> Check:
    """Check that the reader's ``f`` gives what ``reference`` gives, on random and chosen inputs.

    Random inputs: one normal array of each shape in ``shapes`` and each dtype in ``dtypes``, times ``scale``. Chosen
    inputs: ``cases``, tuples of arguments (edge cases such as ``(np.array([-1e4, 1e4]),)``). Each function gets its
    own deep copy of the arguments; the return values must match (shape, dtype, values within ``rtol``, by default
    1e-7, or 1e-4 when an input is float32), and so must the arguments afterwards, so in-place updates are compared
    too. Overflow and invalid operations in ``f`` count as failures.
    """
    rng = np.random.default_rng(seed)
    inputs = [(scale * rng.standard_normal(shape)).astype(dtype) for dtype in dtypes for shape in shapes]
    all_cases = [(x,) for x in inputs] + [tuple(c) for c in cases]
    if not all_cases:
        raise ValueError(f"same_function({name!r}): give shapes or cases to test on")
    tol = rtol if rtol is not None else _tolerance(all_cases)
    for args in all_cases:
        call = _call_text(f, args)
        mine, theirs = copy.deepcopy(args), copy.deepcopy(args)
        with np.errstate(over="ignore", under="ignore"):
            expected = reference(*theirs)
        try:
            got = _call(f, *mine)
        except Exception as exc:  # noqa: BLE001 - the reader's mistake, reported as a failed check
            return Check(name, False, ("raised", {"error": _error(exc), "call": call}), hint)
        problem = _compare(got, expected, ("result", {}), tol, atol)
        for i, (a, b) in enumerate(zip(mine, theirs)):
            if problem is None and isinstance(b, (np.ndarray, dict)):  # in-place changes of the arguments
                problem = _compare(a, b, ("argument", {}), tol, atol)
                if problem:  # name the argument with its path: params['W1'] after the call
                    key, details = problem
                    label = _parameter_name(f, i) + details["path"]
                    problem = (key, {**details, "what": ("argument", {"name": label}), "path": ""})
        if problem:
            return Check(name, False, ("case", {"call": call, "problem": problem}), hint)
    return Check(name, True, None, hint)


def layer_gradients(
    name: str,
    make_layer: Callable[[], Any],
    x_shape: tuple[int, ...],
    *,
    params: Sequence[str] = ("W", "b"),
    seed: int = 0,
    tol: float = 1e-6,
    hint: str = "",
) -> Check:
    """Gradient check of a reader's layer: ``backward`` against numerical gradients, for one input shape.

    ``make_layer()`` returns a fresh layer with ``forward(x)`` and ``backward(dout)`` (returning dx) whose
    parameters (attributes named in ``params``, float64) get their gradients in ``d<name>``. The loss is
    ``sum(forward(x) * dout)`` for a fixed random ``dout``, so ``backward(dout)`` is its exact gradient. Passes when
    dx and every ``d<name>`` have the right shape and a relative error below ``tol``.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    try:
        layer = make_layer()
        out = _call(layer.forward, x.copy())
        dout = rng.standard_normal(np.shape(out))
        dx = _call(layer.backward, dout.copy())
        analytic = {"dx": dx} | {f"d{p}": getattr(layer, f"d{p}", None) for p in params}
        for p in params:
            if analytic[f"d{p}"] is None:
                return Check(name, False, ("grad_missing", {"grad": f"d{p}"}), hint)
        loss = lambda _: float(np.sum(layer.forward(x) * dout))  # noqa: E731 - reads x and the parameters in place
        targets = {"dx": (x, "x")} | {f"d{p}": (getattr(layer, p), p) for p in params}
        for grad, (array, of) in targets.items():
            got = np.asarray(analytic[grad])
            if got.shape != array.shape:
                return Check(name, False, ("grad_shape", {"grad": grad, "got": got.shape, "expected": array.shape,
                                                          "of": of}), hint)  # fmt: skip
            err = relative_error(got, numerical_gradient(loss, array))
            if not err < tol:
                return Check(name, False, ("grad_error", {"grad": grad, "err": err, "tol": tol}), hint)
    except Exception as exc:  # noqa: BLE001 - the reader's mistake, reported as a failed check
        return Check(name, False, ("raised_plain", {"error": _error(exc)}), hint)
    return Check(name, True, None, hint)


# ------------------------------------------------------------------------------------------------------ web page


class PageJSON(str):
    """JSON text whose ``repr()`` is the text itself: the browser runtime shows a cell's last value with ``repr()``,
    and the page's Check button reads the report from it."""

    def __repr__(self) -> str:
        return str(self)


def page_report(source: str, namespace: dict[str, Any], lang: str = "en") -> PageJSON:
    """Run a check cell's ``source`` in the page's ``namespace`` (where the reader's code ran) and return its report
    as JSON (see :meth:`Report.to_dict`). The cell's last expression must be the report; if the check itself fails
    (say the reader renamed the function), the error becomes one failed check in ``lang``."""
    try:
        tree = ast.parse(source, "<check>", "exec")
        if not tree.body or not isinstance(tree.body[-1], ast.Expr):
            raise ValueError("the check cell must end with report(...)")
        last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, "<check>", "exec"), namespace)  # noqa: S102 - the lesson's own check code
        result = eval(compile(last, "<check>", "eval"), namespace)  # noqa: S307
        if not isinstance(result, Report):
            raise TypeError(f"the check cell must end with report(...), not {type(result).__name__}")
    except Exception as exc:  # noqa: BLE001 - shown to the reader as a failed check
        message = MESSAGES[_lang(lang)]["check_failed"].format(error=_error(exc))
        result = Report([Check(message, False)], lang)
    return PageJSON(json.dumps(result.to_dict(), ensure_ascii=False))
