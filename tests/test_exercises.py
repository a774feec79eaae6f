"""Self-checking exercises: the checks of nnlib.exercises (natively and inside Pyodide, where the page runs them),
and every exercise of the lessons run natively.

Each lesson exercise's checks must pass on its solution and fail on its starter and on two typical wrong answers
(an unstable exp, a missing transpose, a sum over the wrong axis); the build hook (site_hooks/exercises.py) refuses
an exercise whose checks cannot fail, and its cell versions are the same in both languages.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from nnlib import exercises as ex
from nnlib import functions as F

LANGS = ("en", "zh")
LESSONS = sorted(p.name for p in (ROOT / "docs" / "en" / "lessons").glob("*.py"))


@pytest.fixture(scope="module")
def hook():
    """site_hooks/exercises.py (native only: it runs lessons in subprocesses and needs jupytext)."""
    spec = importlib.util.spec_from_file_location("nnlib_exercises_hook", ROOT / "site_hooks" / "exercises.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------------------ nnlib.exercises


def stable_sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def test_same_function_passes_a_correct_function_on_shapes_dtypes_and_edge_cases() -> None:
    check = ex.same_function("sigmoid", stable_sigmoid, F.sigmoid, shapes=[(3,), (2, 4), (2, 2, 3)],
                             dtypes=["float64", "float32"], cases=[(np.array([-1e4, 1e4]),)])  # fmt: skip
    assert check.passed, check.message()


def test_same_function_reports_overflow_dtype_shape_values_and_errors() -> None:
    textbook = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    check = ex.same_function("edge", textbook, F.sigmoid, cases=[(np.array([-1e4, 1e4]),)], hint="use exp(-|a|)")
    assert not check.passed and "overflow" in check.message() and check.hint == "use exp(-|a|)"
    as64 = lambda a: stable_sigmoid(a).astype(np.float64)  # noqa: E731
    check = ex.same_function("dtype", as64, F.sigmoid, shapes=[(3,)], dtypes=["float32"])
    assert not check.passed and "dtype float64, expected float32" in check.message()
    check = ex.same_function("shape", lambda a: stable_sigmoid(a).ravel(), F.sigmoid, shapes=[(2, 3)])
    assert not check.passed and "shape (6,), expected (2, 3)" in check.message()
    check = ex.same_function("values", lambda a: stable_sigmoid(a) + 1e-3, F.sigmoid, shapes=[(4,)])
    assert not check.passed and "off by up to 1.00e-03" in check.message()
    check = ex.same_function("nan", lambda a: a * np.nan, F.sigmoid, shapes=[(4,)])
    assert not check.passed
    check = ex.same_function("raises", lambda a: a @ a.T @ np.ones(7), F.sigmoid, shapes=[(2, 3)])
    assert not check.passed and "ValueError" in check.message()


def test_checked_exp_catches_an_overflow_that_numpy_does_not_report() -> None:
    """In WebAssembly numpy sees no floating-point flags; the checked np.exp finds the inf itself."""
    checked = ex._CheckedExp(np.exp)
    with np.errstate(all="ignore"):  # as in the browser: numpy reports nothing
        with pytest.raises(FloatingPointError, match=r"np\.exp\(1000\) = inf"):
            checked(np.array([0.0, 1000.0]))
        assert checked(np.array([-1000.0, np.inf]))[1] == np.inf  # inf in, inf out: not an overflow
    assert np.exp is not checked


def test_same_function_compares_in_place_updates_of_the_arguments() -> None:
    def step(params, lr):
        params["w"] -= lr * 2 * params["w"]

    def wrong_step(params, lr):
        params["w"] -= lr * params["w"]

    start = {"w": np.array([1.0, -2.0])}
    assert ex.same_function("ok", step, step, cases=[(start, 0.1)]).passed
    check = ex.same_function("in place", wrong_step, step, cases=[(start, 0.1)])
    assert not check.passed and "params['w'] after the call" in check.message() and check.name == "in place"
    assert start["w"].tolist() == [1.0, -2.0], "the caller's arguments are copied, never changed"


def test_messages_name_functions_and_objects_without_addresses() -> None:
    """A failing case shows its call as the reader would write it: functions by name, arrays by shape and dtype,
    never ``<function f2 at 0x7f...>``; in both languages."""

    def f2(x):
        return np.sum(x**2)

    def gradient(f, x):
        return 2 * x + 1  # wrong

    reference = lambda f, x: 2 * x  # noqa: E731
    cases = [(f2, np.ones((3, 4))), (lambda x: np.sum(x), np.zeros(2))]
    check = ex.same_function("gradient", gradient, reference, cases=cases[:1])
    for lang in LANGS:
        message = check.message(lang)
        assert message.startswith("gradient(f2, (3, 4) float64)"), message
        assert "0x" not in message and "<function" not in message, message
    check = ex.same_function("lambda", reference, gradient, cases=cases[1:2])
    assert check.message("zh").startswith("lambda(lambda, [0, 0] float64)："), check.message("zh")
    assert ex._describe(F.sigmoid) == "sigmoid" and ex._describe(np.exp) == "exp"
    assert ex._describe(GoodAffine(1.0, 0.0).forward) == "GoodAffine.forward"
    assert ex._describe(GoodAffine(1.0, 0.0)) == "<GoodAffine>" and ex._describe(GoodAffine) == "GoodAffine"
    assert ex._describe([np.zeros((2, 3)), 0.5]) == "[(2, 3) float64, 0.5]"
    assert ex._describe((np.float32(0.25),)) == "(0.25,)"
    assert ex._describe(list(range(100))) == "[0, 1, 2, 3, …]"
    assert len(ex._describe("x" * 500)) == ex.DESCRIBE_CHARS


class GoodAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.shape, self.x = x.shape, x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW, self.db = self.x.T @ dout, dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


class NoReshapeAffine(GoodAffine):
    def backward(self, dout):
        super().backward(dout)
        return dout @ self.W.T


class NoBackwardParams(GoodAffine):
    def backward(self, dout):
        return (dout @ self.W.T).reshape(self.shape)


def test_layer_gradients_passes_a_correct_layer_and_names_what_is_wrong() -> None:
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(6, 3)), rng.normal(size=3)
    for shape in [(4, 6), (1, 6), (2, 3, 2)]:
        assert ex.layer_gradients("ok", lambda: GoodAffine(W.copy(), b.copy()), shape).passed
    check = ex.layer_gradients("n-D", lambda: NoReshapeAffine(W.copy(), b.copy()), (2, 3, 2))
    assert not check.passed and "dx has shape (2, 6), expected (2, 3, 2)" in check.message()
    check = ex.layer_gradients("missing", lambda: NoBackwardParams(W.copy(), b.copy()), (4, 6))
    assert not check.passed and "backward did not set dW" in check.message()


def test_close_and_the_report_in_both_languages() -> None:
    checks = [ex.close("a number", 0.1 + 0.2, 0.3), ex.close("an array", np.ones(3), np.zeros(3), hint="zeros!")]
    en, zh = ex.report(*checks, lang="en"), ex.report(*checks, lang="zh")
    assert not en.passed and en.first_failure is checks[1]
    assert str(en).splitlines() == ["✓ a number", "✗ an array: the result is off by up to 1.00e+00 (allowed: 1e-07)",
                                    "1 of 2 checks passed", "Hint: zeros!"]  # fmt: skip
    assert "✗ an array：结果的误差最大为 1.00e+00" in str(zh) and "2 项检查中通过了 1 项" in str(zh) and "提示：zeros!" in str(zh)
    data = zh.to_dict()
    assert data["passed"] is False and data["hint"] == "zeros!" and data["hint_label"] == "提示："
    assert [c["passed"] for c in data["checks"]] == [True, False]
    assert ex.report(checks[0], lang="zh").summary() == "全部 1 项检查通过，做得好！"
    assert "<li>" in en._repr_html_()
    with pytest.raises(ValueError, match="unknown language"):
        ex.report(checks[0], lang="fr")
    with pytest.raises(TypeError, match="Check objects"):
        ex.report(True)


def test_page_report_runs_a_check_cell_and_turns_its_failure_into_a_failed_check() -> None:
    namespace = {"f": stable_sigmoid}
    source = "from nnlib import exercises as ex\nex.report(ex.close('f(0)', f(np.array(0.0)), 0.5), lang='en')"
    data = json.loads(repr(ex.page_report("import numpy as np\n" + source, namespace)))
    assert data["passed"] and data["checks"][0]["name"] == "f(0)"
    broken = json.loads(ex.page_report(source.replace("f(", "g("), {}, lang="zh"))
    assert not broken["passed"] and "检查本身无法运行" in broken["checks"][0]["name"] and "NameError" in broken["checks"][0]["name"]


# ------------------------------------------------------------------------------------------------ the lessons


# Two typical wrong answers per exercise: the full starter cell as a reader might write it.
WRONG_ANSWERS = {
    "idx-parser": {
        "sizes read in the machine's byte order (little-endian)": """
def parse_idx_bytes(data):
    dtype = np.dtype(IDX_DTYPES[data[2]])
    ndim = data[3]
    shape = tuple(np.frombuffer(data, dtype=np.uint32, count=ndim, offset=4))
    start = 4 + 4 * ndim
    values = np.frombuffer(data, dtype=dtype, offset=start)
    return values.reshape(shape).astype(dtype.newbyteorder("="))
""",
        "a fixed 16-byte header with three sizes": """
def parse_idx_bytes(data):
    dtype = np.dtype(IDX_DTYPES[data[2]])
    shape = tuple(np.frombuffer(data, dtype=">u4", count=3, offset=4))
    values = np.frombuffer(data, dtype=dtype, offset=16)
    return values.reshape(shape).astype(dtype.newbyteorder("="))
""",
    },
    "stable-sigmoid": {
        "unstable exp (textbook formula kept)": """
def stable_sigmoid(a):
    a = np.asarray(a)
    return 1 / (1 + np.exp(-a))
""",
        "unstable exp (np.where computes both branches)": """
def stable_sigmoid(a):
    a = np.asarray(a)
    return np.where(a >= 0, 1 / (1 + np.exp(-a)), np.exp(a) / (1 + np.exp(a)))
""",
    },
    "div-backward": {
        "the sign of dy lost": """
class DivLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y
    def backward(self, dout):
        return dout / self.y, dout * self.x / self.y**2
""",
        "the multiplication node's swap rule copied": """
class DivLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y
    def backward(self, dout):
        return dout * self.y, dout * self.x
""",
    },
    "affine-backward": {
        "missing transpose": """
class MyAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
    def forward(self, x):
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b
    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W).reshape(self.x_shape)
""",
        "sum over the wrong axis": """
class MyAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
    def forward(self, x):
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b
    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=1)
        return (dout @ self.W.T).reshape(self.x_shape)
""",
    },
    "relu-train-step": {
        "missing transpose": """
def relu_train_step(params, X, T, lr):
    A1 = X @ params["W1"] + params["b1"]
    H = np.maximum(0, A1)
    Y = softmax(H @ params["W2"] + params["b2"])
    delta2 = (Y - T) / X.shape[0]
    delta1 = (delta2 @ params["W2"]) * (A1 > 0)
    grads = {"W1": X.T @ delta1, "b1": delta1.sum(axis=0), "W2": H.T @ delta2, "b2": delta2.sum(axis=0)}
    for name in params:
        params[name] -= lr * grads[name]
    return cross_entropy_error(Y, T)
""",
        "sum over the wrong axis": """
def relu_train_step(params, X, T, lr):
    A1 = X @ params["W1"] + params["b1"]
    H = np.maximum(0, A1)
    Y = softmax(H @ params["W2"] + params["b2"])
    delta2 = (Y - T) / X.shape[0]
    delta1 = (delta2 @ params["W2"].T) * (A1 > 0)
    grads = {"W1": X.T @ delta1, "b1": delta1.sum(axis=1), "W2": H.T @ delta2, "b2": delta2.sum(axis=1)}
    for name in params:
        params[name] -= lr * grads[name]
    return cross_entropy_error(Y, T)
""",
    },
    "cross-entropy-delta": {
        "the quadratic cost's sigma' kept": """
def cross_entropy_delta(a, z, y):
    return (a - y) * sigmoid_prime(z)
""",
        "the fraction not simplified (0/0 at saturation)": """
def cross_entropy_delta(a, z, y):
    return (a - y) / (a * (1 - a)) * sigmoid_prime(z)
""",
    },
    "nor-and-not": {
        "NOR with OR's numbers (signs not flipped)": """
def NOR(X):
    return perceptron(X, np.array([0.5, 0.5]), -0.2)


def X1_BUT_NOT_X2(X):
    return perceptron(X, np.array([0.5, -0.5]), -0.2)
""",
        "x1 but not x2 with a bias that lets (0, 0) fire": """
def NOR(X):
    return perceptron(X, np.array([-0.5, -0.5]), 0.2)


def X1_BUT_NOT_X2(X):
    return perceptron(X, np.array([0.5, -0.5]), 0.2)
""",
    },
    "batch-accuracy": {
        "the last, smaller batch dropped": """
def accuracy(params, x, t, batch_size=100):
    correct = 0
    for i in range(0, len(x) - len(x) % batch_size, batch_size):
        y = forward(params, x[i:i + batch_size], output=softmax)
        correct += np.sum(y.argmax(axis=1) == t[i:i + batch_size])
    return correct / len(x)
""",
        "divided by batches times batch size": """
def accuracy(params, x, t, batch_size=100):
    correct, batches = 0, 0
    for i in range(0, len(x), batch_size):
        y = forward(params, x[i:i + batch_size], output=softmax)
        correct += np.sum(y.argmax(axis=1) == t[i:i + batch_size])
        batches += 1
    return correct / (batches * batch_size)
""",
    },
    "epoch-batches": {
        "drawn with replacement (the book's np.random.choice)": """
def epoch_batches(rng, n, batch_size):
    return [rng.choice(n, batch_size) for _ in range(n // batch_size)]
""",
        "not shuffled": """
def epoch_batches(rng, n, batch_size):
    order = np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
""",
        "the last, shorter batch dropped": """
def epoch_batches(rng, n, batch_size):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]
""",
    },
    "cross-entropy-labels": {
        "sum instead of the mean": """
def cross_entropy_batch_labels(Y, labels):
    return -np.sum(np.log(np.maximum(Y[np.arange(len(Y)), labels], TINY)))
""",
        "log(0) not guarded": """
def cross_entropy_batch_labels(Y, labels):
    return -np.mean(np.log(Y[np.arange(len(Y)), labels]))
""",
    },
    "check-gradients": {
        "0/0 where both gradients are 0 (no 1e-8 floor)": """
def check_gradients(loss, params, grads):
    errors = {}
    for name, p in params.items():
        n = numerical_gradient(lambda _: loss(params), p)
        a = grads[name]
        errors[name] = np.max(np.abs(a - n) / (np.abs(a) + np.abs(n)))
    return errors
""",
        "the mean of the entries instead of the largest": """
def check_gradients(loss, params, grads):
    errors = {}
    for name, p in params.items():
        n = numerical_gradient(lambda _: loss(params), p)
        a = grads[name]
        errors[name] = np.mean(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n)))
    return errors
""",
        "the book's mean absolute difference": """
def check_gradients(loss, params, grads):
    errors = {}
    for name, p in params.items():
        n = numerical_gradient(lambda _: loss(params), p)
        errors[name] = np.mean(np.abs(grads[name] - n))
    return errors
""",
    },
    "numerical-gradient": {
        "x not restored": """
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        original = x[i]
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad
""",
        "forward difference": """
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        original = x[i]
        f_0 = f(x)
        x[i] = original + h
        grad[i] = (f(x) - f_0) / h
        x[i] = original
        it.iternext()
    return grad
""",
    },
}


def lesson_exercises(hook, lang: str, lesson: str) -> dict:
    import jupytext

    return hook.exercises_of(jupytext.read(ROOT / "docs" / lang / "lessons" / lesson), lesson)


@pytest.mark.native_only
def test_every_lesson_has_an_exercise_in_both_languages_and_every_exercise_has_wrong_answers(hook) -> None:
    ids = set()
    for lesson in LESSONS:
        en, zh = lesson_exercises(hook, "en", lesson), lesson_exercises(hook, "zh", lesson)
        assert en, f"{lesson} has no exercise"
        assert list(en) == list(zh), f"{lesson}: exercises {list(en)} in English, {list(zh)} in Chinese"
        ids |= set(en)
    assert ids == set(WRONG_ANSWERS), "every exercise needs its typical wrong answers in WRONG_ANSWERS"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson", LESSONS)
@pytest.mark.native_only
def test_checks_pass_on_the_solution_and_fail_on_the_starter(hook, lang: str, lesson: str) -> None:
    results = hook.verify(ROOT / "docs" / lang / "lessons" / lesson)  # raises unless so
    for ident, result in results.items():
        assert result["solution"]["passed"] and not result["starter"]["passed"], ident
        assert result["starter"]["hint"], f"{ident}: a failing starter shows a hint"
        if lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", result["starter"]["summary"] + result["starter"]["hint"])


@pytest.mark.parametrize("lesson", LESSONS)
@pytest.mark.native_only
def test_checks_fail_on_typical_wrong_answers(hook, lesson: str) -> None:
    path = ROOT / "docs" / "en" / "lessons" / lesson
    for ident in lesson_exercises(hook, "en", lesson):
        for what, code in WRONG_ANSWERS[ident].items():
            report = hook.run_fresh(path, {ident: code})[ident]["starter"]
            assert not report["passed"], f"{ident}: the checks accept a wrong answer ({what})"


def write_lesson(tmp_path: Path, starter: str, solution: str) -> Path:
    path = tmp_path / "lesson.py"
    path.write_text(f"""# %%
import numpy as np

# %% tags=["exercise"] exercise="double"
{starter}

# %% tags=["check"] exercise="double"
from nnlib import exercises as ex
ex.report(ex.same_function("doubles", double, lambda a: 2 * a, shapes=[(3,)]), lang="en")

# %% tags=["solution"] exercise="double"
{solution}
""", encoding="utf-8")
    return path


@pytest.mark.native_only
def test_the_build_refuses_checks_that_cannot_fail_and_wrong_solutions(hook, tmp_path: Path) -> None:
    good, wrong = "def double(a):\n    return 2 * a", "def double(a):\n    return a + 1"
    assert hook.verify(write_lesson(tmp_path, wrong, good))["double"]["solution"]["passed"]
    with pytest.raises(hook.ExerciseError, match="its starter passes its checks"):
        hook.verify(write_lesson(tmp_path, good, good))
    with pytest.raises(hook.ExerciseError, match="its solution fails its checks"):
        hook.verify(write_lesson(tmp_path, wrong, wrong))


@pytest.mark.native_only
def test_malformed_exercises_are_refused(hook) -> None:
    import jupytext

    cells = ['# %% tags=["exercise"] exercise="x"\na = 1\n', '# %% tags=["check"] exercise="x"\nb = 1\n',
             '# %% tags=["solution"] exercise="x"\na = 2\n']  # fmt: skip
    assert set(hook.exercises_of(jupytext.reads("".join(cells), fmt="py:percent"))) == {"x"}
    for broken, message in [(cells[:2], "lacks"), ([cells[0], cells[2], cells[1]], "in this order"),
                            ([cells[0].replace('exercise="x"', "")], "no exercise=")]:  # fmt: skip
        with pytest.raises(hook.ExerciseError, match=message):
            hook.exercises_of(jupytext.reads("".join(broken), fmt="py:percent"))


@pytest.mark.parametrize("lesson", LESSONS)
@pytest.mark.native_only
def test_cell_ids_and_versions_are_the_same_in_both_languages(hook, lesson: str) -> None:
    """The reader's saved code follows them to the other language only if both pages give a cell the same id and
    version."""
    import jupytext

    en, zh = (jupytext.read(ROOT / "docs" / lang / "lessons" / lesson) for lang in LANGS)
    assert hook.cell_ids(en) == hook.cell_ids(zh)
    assert [hook.code_version(c.source) for c in hook.code_cells(en)] == \
           [hook.code_version(c.source) for c in hook.code_cells(zh)]  # fmt: skip
    assert hook.code_version("x = 1  # one") == hook.code_version("x = 1  # 一")
    assert hook.code_version("x = 1") != hook.code_version("x = 2")


@pytest.mark.native_only
def test_the_downloaded_notebook_keeps_the_check_and_collapses_the_solution(hook, tmp_path: Path, monkeypatch) -> None:
    """on_files rewrites the notebook nnlib_site.py generated: the check is the cell after the starter (the reader
    runs it), the solution is collapsed (JupyterLab opens it on request)."""
    import jupytext
    import nbformat
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.plugins import PluginCollection
    from mkdocs.structure.files import File, Files

    config = MkDocsConfig()
    config.load_dict({"docs_dir": str(ROOT / "docs" / "en"), "site_dir": str(tmp_path), "use_directory_urls": True})
    config.plugins = PluginCollection()
    config.plugins._current_plugin = None  # as outside any plugin event
    lesson = "lessons/02-activation-functions.py"
    source = File(lesson, str(ROOT / "docs" / "en"), str(tmp_path), True)
    notebook = jupytext.read(ROOT / "docs" / "en" / lesson)
    generated = File.generated(config, lesson[:-3] + ".ipynb", content=jupytext.writes(notebook, fmt="ipynb"))
    monkeypatch.setattr(hook, "verify", lambda path: {})  # verified by the tests above
    hook.on_files(Files([source, generated]), config)
    cells = [c for c in nbformat.reads(generated.content_string, as_version=4).cells if c.cell_type == "code"]
    roles = [(hook.role_of(c), c.metadata.get("jupyter", {}).get("source_hidden", False)) for c in cells]
    start = roles.index(("exercise", False))
    assert roles[start:start + 3] == [("exercise", False), ("check", False), ("solution", True)]
    assert "ex.report(" in cells[start + 1].source


@pytest.mark.native_only
def test_lesson_pages_get_cell_ids_a_hidden_check_and_a_folded_solution(hook) -> None:
    import jupytext
    from bs4 import BeautifulSoup

    source = ('# %%\nimport numpy as np\n\n# %% tags=["exercise"] exercise="x"\na = 1\n\n'
              '# %% tags=["check"] exercise="x"\nb = 1\n\n# %% tags=["solution"] exercise="x"\na = 2\n')  # fmt: skip
    notebook = jupytext.reads(source, fmt="py:percent")
    cell = ('<div class="jp-Cell jp-CodeCell jp-Notebook-cell{tag}">\n<div class="jp-Cell jp-CodeCell jp-Notebook-cell'
            '{tag}" id="cell-id={n}">\n<div class="jp-Cell-inputWrapper"><div>code</div></div>\n</div>\n</div>')  # fmt: skip
    tags = ["", " celltag_exercise", " celltag_check", " celltag_solution"]
    html = "<p>text</p>" + "".join(cell.format(tag=tag, n=n) for n, tag in enumerate(tags)) + "<p>end</p>"
    soup = BeautifulSoup(hook.annotate(html, notebook, "zh", "lesson.py"), "html.parser")
    inner = soup.select("[data-nnlib-cell]")
    assert [c["data-nnlib-cell"] for c in inner] == ["cell-1", "x", "x-check", "x-solution"]
    assert [c.get("data-nnlib-role") for c in inner] == [None, "exercise", "check", "solution"]
    assert all(c["data-nnlib-version"] == hook.code_version(nc.source) for c, nc in zip(inner, hook.code_cells(notebook)))
    assert [("celltag_nnrt-skip" in c["class"]) for c in inner] == [False, False, True, True]
    exercise_outer, check_outer = inner[1].parent, inner[2].parent
    assert "nnlib-exercise" in exercise_outer["class"] and "jp-CodeCell" in exercise_outer["class"]
    assert exercise_outer["data-nnlib-label"] == "练习"
    assert check_outer.has_attr("hidden") and "jp-CodeCell" in check_outer["class"]
    details = inner[3].parent.parent
    assert details.name == "details" and details.summary.get_text() == "查看参考答案"
    assert soup.get_text().strip().endswith("end")
