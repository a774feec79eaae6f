"""One library, two runtimes, one test suite: nnlib's own tests run again inside Pyodide 0.27.7.

The browser runs nnlib on Pyodide's CPython 3.12 + NumPy 2.0 (WebAssembly, no BLAS, 32-bit pointers), the native
suite on whatever this machine has. This test makes any difference between the two fail CI:

1. builds the nnlib wheel (scripts/build_wheel.py: py-compiled where Python 3.12 exists, as the site ships it) and
   a runtime folder = the local Pyodide runtime (NNLIB_PYODIDE_MIRROR, symlinked) + a lock that lists nnlib;
2. downloads pure-Python wheels of pytest and the other third-party modules the tests import (pinned to the native
   versions where such a wheel exists) with ``pip download --platform any``, and serves them from 127.0.0.1;
3. runs scripts/pyodide_tests.mjs under Node (npm package pyodide@0.27.7): ``loadPackage("nnlib")`` (brings numpy,
   like the site), micropip installs the served wheels, tests/ and pyproject.toml are copied into Pyodide's in-memory
   file system, and pytest runs there with ``-m "not native_only"``;
4. asserts zero failures, errors and skips, and that Pyodide ran exactly the tests a native collection selects.

Run it alone with ``NNLIB_PYODIDE_MIRROR=../shared/pyodide/0.27.7 ./scripts/test tests/test_pyodide_suite.py``
(needs Node >= 18 with npm, which installs pyodide@0.27.7 from package-lock.json when node_modules is stale, and PyPI
reachable for the test dependencies' wheels).
Test modules marked native_only as a whole (module-level ``pytestmark``) are not even collected inside Pyodide, so
they may import things Pyodide lacks (Playwright, ...). Extra pytest arguments for the inner run, for debugging:
``NNLIB_PYODIDE_PYTEST_ARGS="-k layers -x"``. On failure the inner pytest output is shown.
"""

from __future__ import annotations

import ast
import functools
import http.server
import importlib
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, require

pytestmark = [pytest.mark.native_only, pytest.mark.slow]

TESTS = ROOT / "tests"
RUNNER = ROOT / "scripts" / "pyodide_tests.mjs"
PYODIDE_NPM = ROOT / "node_modules" / "pyodide" / "package.json"
TIMEOUT = float(os.environ.get("NNLIB_PYODIDE_SUITE_TIMEOUT", "1800"))  # seconds for the whole inner run
MARKER = "not native_only"


# ----------------------------------------------------------------------------------------------- what to install


def _module_is_native_only(tree: ast.Module) -> bool:
    """True when a module-level ``pytestmark`` mentions native_only (then nothing in it runs in Pyodide)."""
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets) and node.value is not None:
                if "native_only" in ast.unparse(node.value):
                    return True
    return False


def _imports(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement of a module, with whether it runs when the module is imported (not inside a def)."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, at_import_time: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, at_import_time))
            lazy = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, at_import_time and not lazy)

    visit(tree, True)
    return found


def _plan(lock_imports: dict[str, str]) -> tuple[list[str], set[str], set[str]]:
    """Scan tests/**/*.py: (files to --ignore, Pyodide lock packages to load, third-party modules to download).

    Every top-level module a test file imports is either the standard library, local (tests/, nnlib), provided by
    the Pyodide lock (numpy, matplotlib, ...), or must be downloaded as a pure-Python wheel (pytest, hypothesis).
    """
    local = {p.stem for p in TESTS.rglob("*.py")} | {"nnlib"}
    ignore, from_lock, download = [], set(), {"pytest"}
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if _module_is_native_only(tree):
            ignore.append(path.relative_to(ROOT).as_posix())
            continue
        for node, at_import_time in _imports(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for top in (name.split(".")[0] for name in names):
                if top in sys.stdlib_module_names or top in local or top == "__future__":
                    continue
                if top in lock_imports:
                    from_lock.add(lock_imports[top])
                elif at_import_time:  # a lazy import in a fixture (playwright) belongs to tests that skip here
                    download.add(top)
    return ignore, from_lock, download


def _distribution(module: str) -> tuple[str, str]:
    """(distribution name, native version) of an importable top-level module, e.g. 'pytest' -> ('pytest', '9.2.0')."""
    dists = importlib.metadata.packages_distributions().get(module)
    if not dists:
        pytest.fail(f"the tests import {module!r}, which is neither in the standard library, the Pyodide lock nor "
                    "installed natively; add its distribution to the `test` extra")
    return dists[0], importlib.metadata.version(dists[0])


def _download(modules: set[str], dest: Path) -> list[str]:
    """pip-download pure-Python wheels for `modules` and their requirements into `dest`; returns notes to print.

    One pip call, each distribution capped at its native version (``pytest<=9.2.0``): both runtimes then run the same
    pytest, and where that version has no pure wheel (hypothesis ships compiled wheels since 6.156) the newest pure
    one below it is taken, and said so.
    """
    natives = dict(_distribution(module) for module in sorted(modules))
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
           "--python-version", "3.12", "--platform", "any", "--dest", str(dest),
           *(f"{dist}<={version}" for dist, version in natives.items())]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"pip could not download pure-Python wheels for Pyodide ({' '.join(cmd[4:])}):\n"
                    f"{proc.stderr[-3000:]}", pytrace=False)
    got = {_wheel_name(w): w.name.split("-")[1] for w in dest.glob("*.whl")}
    return [f"{dist} {got.get(_canonical(dist))} in Pyodide (native {version}: no pure-Python wheel)"
            for dist, version in natives.items() if got.get(_canonical(dist)) != version]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wheel_name(path: Path) -> str:
    return _canonical(path.name.split("-")[0])


# ----------------------------------------------------------------------------------------------- plumbing


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def wheel_server(tmp_path):
    """(folder, base URL) of an HTTP server on 127.0.0.1 serving that folder."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _node() -> list[str]:
    """The command that starts Node, with relaxed SIMD switched on where it is still behind a flag (Node < 21), so
    the suite tests both variants of nnlib's kernel, the relaxed one being what current browsers run."""
    node = shutil.which("node")
    require(node is not None, "Node.js is not installed (needed to run Pyodide outside a browser)")
    major = int(subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip().lstrip("v")
                .split(".")[0])
    require(major >= 18, f"Node.js {major} is too old for Pyodide 0.27 (need >= 18)")
    return [node, "--experimental-wasm-relaxed-simd"] if major < 21 else [node]  # type: ignore[list-item]


def _native_selection(ignore: list[str]) -> int:
    """How many tests a native pytest selects with the same marker expression and ignores."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", MARKER,
         *(f"--ignore={path}" for path in ignore), "tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    found = re.search(r"(\d+)(?:/\d+)? tests? (?:collected|selected)", proc.stdout)
    if proc.returncode != 0 or not found:
        pytest.fail(f"native collection failed (exit {proc.returncode}):\n{proc.stdout[-5000:]}\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def _script(name: str):
    """Import scripts/<name>.py as a module."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def _ensure_node_modules() -> None:
    """`npm ci` when node_modules is missing or older than package-lock.json (scripts/build_site.py's rule), so this
    test also works when it runs before or without the site build."""
    try:
        _script("build_site").ensure_node_modules()
    except SystemExit as exc:  # its way of saying npm or package-lock.json is missing
        require(False, str(exc))
    require(PYODIDE_NPM.is_file(), f"{PYODIDE_NPM.parent} is missing after npm ci: add pyodide@0.27.7 to package.json")


def _build_runtime(mirror: Path, dest: Path) -> str:
    """dest = the runtime folder (symlinks to `mirror`'s files) + nnlib wheel + a lock listing nnlib.
    Returns build_wheel's log."""
    build_wheel = _script("build_wheel")
    dest.mkdir()
    for item in mirror.iterdir():
        if item.name != "pyodide-lock.json":
            (dest / item.name).symlink_to(item.resolve())
    lines: list[str] = []
    build_wheel.build_wheel(dest, mirror / "pyodide-lock.json", log=lines.append)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- the test


def test_nnlib_suite_passes_inside_pyodide(pyodide_mirror, wheel_server, tmp_path):
    node = _node()
    _ensure_node_modules()
    npm_version = json.loads(PYODIDE_NPM.read_text())["version"]
    lock = json.loads((pyodide_mirror / "pyodide-lock.json").read_text())
    assert npm_version == lock["info"]["version"], (
        f"node_modules has pyodide {npm_version} but {pyodide_mirror} holds {lock['info']['version']}")

    t0 = time.perf_counter()
    runtime = tmp_path / "runtime"
    build_log = _build_runtime(pyodide_mirror, runtime)
    t_build = time.perf_counter() - t0

    # The lock lists ~350 packages; the runtime folder holds the wheels of only some (numpy, matplotlib, ...).
    local = {name: pkg for name, pkg in lock["packages"].items() if (pyodide_mirror / pkg["file_name"]).is_file()}
    lock_imports = {imp: name for name, pkg in local.items() for imp in pkg.get("imports", [])}
    ignore, packages, modules = _plan(lock_imports)
    wheels_dir, base_url = wheel_server
    notes = _download(modules, wheels_dir)
    urls = []
    for wheel in sorted(wheels_dir.glob("*.whl")):
        if _wheel_name(wheel) in local:  # e.g. packaging: take Pyodide's own build, as micropip would
            packages.add(_wheel_name(wheel))
        else:
            urls.append(base_url + wheel.name)
    t_download = time.perf_counter() - t0 - t_build

    # Load numpy only as nnlib's dependency from the lock (not by name), so a lock that forgets it fails here.
    built_lock = json.loads((runtime / "pyodide-lock.json").read_text())["packages"]
    todo = ["nnlib"]
    while todo:
        name = todo.pop()
        packages.discard(name)
        todo.extend(built_lock[name]["depends"])

    project = tmp_path / "project"
    shutil.copytree(TESTS, project / "tests", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):  # pytest's config; test_readme reads the README
        shutil.copy2(ROOT / name, project / name)

    inner_args = ["-m", MARKER, "-rfEs", *(f"--ignore={path}" for path in ignore),
                  *shlex.split(os.environ.get("NNLIB_PYODIDE_PYTEST_ARGS", ""))]
    result_file = tmp_path / "result.json"
    cmd = [*node, str(RUNNER), "--index-url", str(runtime), "--packages", ",".join(sorted({"nnlib", *packages})),
           "--wheels", ",".join(urls), "--project", str(project), "--result", str(result_file), "--", *inner_args]
    print(build_log, *notes, "$ " + shlex.join(cmd), sep="\n")
    t1 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        pytest.fail(f"the Pyodide suite did not finish in {TIMEOUT:.0f} s; its output so far:\n{out}")
    t_run = time.perf_counter() - t1
    print(proc.stdout)
    print(f"timings: build {t_build:.1f} s, download {t_download:.1f} s, Pyodide run {t_run:.1f} s")

    # The whole inner output is printed above (pytest shows it as "Captured stdout call"); messages carry its end.
    tail = ("[...]\n" if len(proc.stdout) > 6000 else "") + proc.stdout[-6000:]
    if not result_file.exists():
        pytest.fail(f"the Pyodide runner stopped before pytest finished (exit {proc.returncode}):\n{tail}",
                    pytrace=False)
    summary = json.loads(result_file.read_text())
    counts = summary["counts"]
    ran = sum(v for k, v in counts.items() if k != "deselected")
    if proc.returncode != 0 or counts.get("failed", 0) or counts.get("error", 0):
        pytest.fail(f"nnlib's tests fail inside Pyodide (pytest exit {summary['exitcode']}, {counts}):\n{tail}",
                    pytrace=False)
    if not os.environ.get("NNLIB_PYODIDE_PYTEST_ARGS"):  # a -k/-x of one's own changes the count
        expected = _native_selection(ignore)
        if ran != expected:
            pytest.fail(f"Pyodide ran {ran} tests ({counts}) but a native collection with -m '{MARKER}' selects "
                        f"{expected}:\n{tail}", pytrace=False)
    if counts.get("skipped", 0) or not counts.get("passed"):
        # In CI nothing skips natively (NNLIB_REQUIRE_ALL=1), so a skip here is a test that runs in one runtime only.
        pytest.fail(f"{counts.get('skipped', 0)} test(s) skipped inside Pyodide ({counts}): a skip there hides a "
                    "difference; mark a test that needs something outside Pyodide native_only (see -rs above):\n"
                    f"{tail}", pytrace=False)
