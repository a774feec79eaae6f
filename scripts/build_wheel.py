#!/usr/bin/env python3
"""Build nnlib's pure-Python wheel for pip and for Pyodide, and optionally a Pyodide lock file that lists it.

Usage::

    python scripts/build_wheel.py [--out DIR] [--lock PYODIDE_LOCK_JSON] [--wheel-url URL] [--no-compile] [--no-kernels]

What it does, in order:

1. ``pip wheel --no-deps`` on a clean copy of the project (``pyproject.toml``, ``README.md``, ``LICENSE``, ``nnlib/``),
   so a stale ``build/lib`` or ``__pycache__`` can never leak into the wheel. Into that copy's ``nnlib/`` it first
   assembles the browser's WebAssembly SIMD kernels (scripts/simd_kernels.py: ``simd-relaxed.wasm``, ``simd.wasm``,
   with ``wat2wasm`` from the npm package wabt; ``--no-kernels`` leaves them out). They are built here rather than
   committed: no binary in git that could drift from its source, and the only consumers, the site and the in-Pyodide
   tests, need npm anyway. ``pip install .`` does without them: natively NumPy's BLAS does the products. The result,
   ``DIR/nnlib-<version>-py3-none-any.whl``, is the wheel readers download and ``pip install``; the script checks that
   every module and every file of ``nnlib/data/`` is inside it.
2. Where a Python 3.12 is available, compiles a copy with pyodide-build's ``pyodide py-compile`` into
   ``DIR/nnlib-<version>-cp312-none-any.whl`` (``.pyc`` only: Pyodide 0.27 runs CPython 3.12, and skipping the
   compile step makes imports in the browser faster). pyodide-build needs Python >= 3.12, so it lives in its own
   virtual environment, ``.venv-py312/`` (created on first use from ``$NNLIB_PY312``, ``python3.12`` on PATH or a
   pyenv 3.12). Without a Python 3.12, or with ``--no-compile``, this step is skipped and said so; the pure wheel
   is then the one Pyodide loads.
3. With ``--lock``, writes ``DIR/pyodide-lock.json``: the given lock plus an ``nnlib`` entry made by
   ``pyodide-lock``'s ``add-wheels`` (the code behind ``pyodide lockfile add-wheels``), with its dependencies
   resolved against the lock, so ``pyodide.loadPackage("nnlib")`` also loads numpy. The entry's ``file_name`` is
   ``<wheel-url><wheel name>``: by default the bare name, i.e. the wheel must sit beside the lock (in indexURL).

Import :func:`build_wheel` to do the same from Python (the MkDocs hook does).
"""

from __future__ import annotations

import argparse
import fcntl
import glob
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import simd_kernels
finally:
    sys.path.remove(str(ROOT / "scripts"))
PY312_VENV = ROOT / ".venv-py312"
# pyodide-build versions whose `py-compile` was checked with Pyodide 0.27.7 (0.39.2 on 2026-11-23).
PYODIDE_BUILD_REQ = "pyodide-build>=0.29,<0.40"
# The files of the project a wheel is built from; everything else (tests, site, notebooks) stays out.
SOURCE_ITEMS = ("pyproject.toml", "README.md", "LICENSE", "nnlib")


class BuildError(RuntimeError):
    """A step of the wheel build failed; the message says which and shows the tool's output."""


@dataclass
class BuildResult:
    """What :func:`build_wheel` produced.

    ``wheel`` is the pure ``py3-none-any`` wheel (for pip); ``pyodide_wheel`` is the one Pyodide should load (the
    compiled ``cp312`` wheel when compiling worked, else the same as ``wheel``); ``lock`` is the written lock file or
    None; ``compiled`` says whether ``pyodide py-compile`` ran, and ``compile_note`` why not when it did not.
    """

    wheel: Path
    pyodide_wheel: Path
    lock: Path | None
    compiled: bool
    compile_note: str


def _run(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if proc.returncode != 0:
        raise BuildError(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout}")
    return proc


def _copy_sources(dest: Path) -> None:
    for item in SOURCE_ITEMS:
        src = ROOT / item
        if not src.exists():
            raise BuildError(f"cannot build the wheel: {src} is missing")
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            shutil.copy2(src, dest / item)


def _isolation_flags() -> list[str]:
    """``--no-build-isolation`` when this interpreter already has a setuptools that builds wheels by itself
    (>= 77: bdist_wheel built in, and the SPDX `license = "MIT"` of pyproject.toml): saves pip from installing one into a throw-away environment (seconds, and
    network). Otherwise pip's default isolated build, which fetches setuptools as pyproject.toml asks."""
    try:
        version = importlib.metadata.version("setuptools")
        major, minor = (int(part) for part in version.split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return []
    return ["--no-build-isolation"] if (major, minor) >= (77, 0) else []


def _check_wheel_contents(wheel: Path, kernels: bool) -> None:
    """Fail unless the wheel holds every module of nnlib/ and every file of nnlib/data/ (package-data is easy to
    get wrong: a glob that misses a subfolder would ship a library that fails only when a reader loads data), and
    the kernels when they were built."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    pkg = ROOT / "nnlib"
    expected = sorted(
        p.relative_to(ROOT).as_posix()
        for p in pkg.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        and (p.suffix == ".py" or "data" in p.relative_to(pkg).parts[:1])
    )
    if kernels:
        expected += [f"nnlib/{name}" for name in simd_kernels.FILES.values()]
    missing = [name for name in expected if name not in names]
    if missing:
        raise BuildError(f"{wheel.name} lacks {len(missing)} file(s) of the source tree: {', '.join(missing[:10])}"
                         " (check [tool.setuptools] packages/package-data in pyproject.toml)")


def _entry_point_problems(wheel: Path) -> list[str]:
    """Console scripts whose module is not in the wheel (``nnlib = nnlib.cli:main`` without nnlib/cli.py)."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        eps = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        text = zf.read(eps[0]).decode() if eps else ""
    problems = []
    for line in text.splitlines():
        if "=" not in line or line.lstrip().startswith(("[", "#")):
            continue
        script, target = (part.strip() for part in line.split("=", 1))
        module = target.split(":")[0].strip()
        path = module.replace(".", "/")
        if f"{path}.py" not in names and f"{path}/__init__.py" not in names:
            problems.append(f"console script {script!r} points at {module}, which is not in the wheel")
    return problems


def _find_python312() -> Path | None:
    """A CPython 3.12 interpreter for pyodide-build: $NNLIB_PY312, python3.12 on PATH, or a pyenv 3.12."""
    candidates: list[str] = []
    if os.environ.get("NNLIB_PY312"):
        candidates.append(os.environ["NNLIB_PY312"])
    if shutil.which("python3.12"):
        candidates.append(shutil.which("python3.12"))  # type: ignore[arg-type]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.12*/bin/python3.12"), reverse=True)
    for cand in candidates:
        try:
            out = subprocess.run([cand, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
                                 capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out == "True":
            return Path(cand)
    return None


def _pyodide_cli(log: Callable[[str], None]) -> tuple[Path | None, str]:
    """The `pyodide` command of .venv-py312, creating that venv and installing pyodide-build on first use.
    Returns (path, "") or (None, reason it is unavailable)."""
    # The site builds both languages in parallel, each calling build_wheel: only one may create the venv.
    lock_path = Path(tempfile.gettempdir()) / f"nnlib-venv-py312-{hashlib.sha256(bytes(ROOT)).hexdigest()[:12]}.lock"
    with open(lock_path, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            return _pyodide_cli_locked(log)
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _pyodide_cli_locked(log: Callable[[str], None]) -> tuple[Path | None, str]:
    exe = PY312_VENV / "bin" / "pyodide"
    if exe.exists():
        return exe, ""
    py312 = _find_python312()
    if py312 is None:
        return None, "no Python 3.12 found (set NNLIB_PY312, or put python3.12 on PATH)"
    log(f"creating {PY312_VENV.relative_to(ROOT)} with {py312} and installing {PYODIDE_BUILD_REQ} ...")
    try:
        _run([str(py312), "-m", "venv", str(PY312_VENV)], "creating the Python 3.12 venv")
        _run([str(PY312_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", PYODIDE_BUILD_REQ],
             f"pip install {PYODIDE_BUILD_REQ}")
    except BuildError as exc:
        shutil.rmtree(PY312_VENV, ignore_errors=True)  # a half-made venv would be taken as ready next time
        return None, f"could not install pyodide-build: {str(exc).splitlines()[0]}"
    return (exe, "") if exe.exists() else (None, f"pyodide-build installed no `pyodide` command in {PY312_VENV}")


def _py_compile(wheel: Path, out_dir: Path, log: Callable[[str], None]) -> tuple[Path | None, str]:
    exe, reason = _pyodide_cli(log)
    if exe is None:
        return None, reason
    with tempfile.TemporaryDirectory(prefix="nnlib-pyc-") as tmp:
        src = Path(tmp) / wheel.name
        shutil.copy2(wheel, src)
        # --no-keep: py-compile writes nnlib-<v>-cp312-none-any.whl beside the input and deletes the input copy.
        _run([str(exe), "py-compile", "--silent", "--no-keep", str(src)], "pyodide py-compile")
        made = [p for p in Path(tmp).glob("*.whl") if p.name != wheel.name]
        if len(made) != 1:
            raise BuildError(f"pyodide py-compile left {sorted(p.name for p in Path(tmp).iterdir())} in {tmp}; "
                             "expected exactly one compiled wheel")
        dest = out_dir / made[0].name
        shutil.move(str(made[0]), dest)
    with zipfile.ZipFile(dest) as zf:
        if any(n.endswith(".py") for n in zf.namelist()) or not any(n.endswith(".pyc") for n in zf.namelist()):
            raise BuildError(f"{dest.name} does not look compiled (expected .pyc files and no .py)")
    return dest, ""


def write_lock(base_lock: Path, wheel: Path, pure_wheel: Path, out: Path, wheel_url: str = "") -> Path:
    """Write ``out`` = ``base_lock`` plus an ``nnlib`` package entry for ``wheel``, dependencies resolved.

    pyodide-lock 0.1 refuses ``cp312-none-any`` tags (it only accepts ``py3*`` for ``none-any``), so the entry is
    made from the pure wheel (same metadata and files) and then pointed at the compiled one with its own sha256.
    """
    try:
        from pyodide_lock import PyodideLockSpec
        from pyodide_lock.utils import add_wheels_to_spec, update_package_sha256
    except ImportError as exc:
        raise BuildError("writing a Pyodide lock needs the package pyodide-lock[cli,wheel] "
                         "(pip install -e '.[docs]')") from exc
    if not base_lock.is_file():
        raise BuildError(f"--lock {base_lock}: no such file (expected a pyodide-lock.json)")
    spec = PyodideLockSpec.from_json(base_lock)
    if "nnlib" in spec.packages:  # re-running on our own output: replace, never duplicate
        del spec.packages["nnlib"]
    try:
        spec = add_wheels_to_spec(spec, [pure_wheel.resolve()], base_path=pure_wheel.resolve().parent,
                                  base_url=wheel_url)
    except RuntimeError as exc:
        raise BuildError(f"adding {pure_wheel.name} to {base_lock}: {exc}") from exc
    entry = spec.packages["nnlib"]
    entry.file_name = wheel_url + wheel.name
    update_package_sha256(entry, wheel)
    out.parent.mkdir(parents=True, exist_ok=True)
    spec.to_json(out)
    return out


def build_wheel(out_dir: Path | str = ROOT / "dist", lock: Path | str | None = None, *, compile: bool = True,
                kernels: bool = True, wheel_url: str = "", log: Callable[[str], None] = print) -> BuildResult:
    """Build the nnlib wheel(s) into ``out_dir`` and, given ``lock``, ``out_dir/pyodide-lock.json``; with
    ``kernels``, the WebAssembly SIMD kernels are assembled into the wheel (needs Node.js and ``npm ci``).

    Old ``nnlib-*.whl`` files in ``out_dir`` are removed first so the folder never offers two versions.
    Raises :class:`BuildError` with the failing tool's output when a step fails; a missing Python 3.12 is not a
    failure (the pure wheel is used and ``compile_note`` says why).
    """
    t0 = time.perf_counter()
    if lock is not None and not Path(lock).is_file():  # fail before the slow part
        raise BuildError(f"--lock {lock}: no such file (expected a pyodide-lock.json)")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("nnlib-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="nnlib-wheel-") as tmp:
        src, wheelhouse = Path(tmp) / "src", Path(tmp) / "wheelhouse"
        src.mkdir()
        _copy_sources(src)
        if kernels:
            try:
                built_kernels = simd_kernels.build(src / "nnlib")
            except simd_kernels.KernelBuildError as exc:
                raise BuildError(f"{exc} (or build without them: --no-kernels)") from exc
            log("assembled " + ", ".join(f"{p.name} ({p.stat().st_size} bytes)" for p in built_kernels))
        # An absolute path: a bare name would make pip look the project up on PyPI.
        _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", *_isolation_flags(),
              "--wheel-dir", str(wheelhouse), str(src)], "pip wheel")
        built = list(wheelhouse.glob("nnlib-*-py3-none-any.whl"))
        if len(built) != 1:
            raise BuildError(f"pip wheel produced {[p.name for p in wheelhouse.iterdir()]}, "
                             "expected one nnlib-*-py3-none-any.whl")
        wheel = out_dir / built[0].name
        shutil.move(str(built[0]), wheel)
    _check_wheel_contents(wheel, kernels)
    log(f"built {_show(wheel)} ({wheel.stat().st_size / 1024:.0f} KiB, pure Python)")
    for problem in _entry_point_problems(wheel):  # a warning: the library itself still imports and works
        log(f"warning: {problem}")

    compiled, note = None, "skipped (--no-compile)"
    if compile:
        try:
            compiled, note = _py_compile(wheel, out_dir, log)
        except BuildError as exc:  # the pure wheel works in Pyodide too, only imports are slower: say so, go on
            note = f"pyodide py-compile failed: {exc}"
    if compiled is not None:
        log(f"compiled {_show(compiled)} with pyodide py-compile ({compiled.stat().st_size / 1024:.0f} KiB)")
    else:
        log(f"not compiled for Pyodide: {note}; Pyodide will load the pure wheel")
    pyodide_wheel = compiled or wheel

    lock_out = None
    if lock is not None:
        lock_out = write_lock(Path(lock), pyodide_wheel, wheel, out_dir / "pyodide-lock.json", wheel_url)
        entry = json.loads(lock_out.read_text())["packages"]["nnlib"]
        log(f"wrote {_show(lock_out)}: {Path(lock).name} + nnlib -> {entry['file_name']} "
            f"(depends on {', '.join(entry['depends']) or 'nothing'})")
    log(f"done in {time.perf_counter() - t0:.1f} s")
    return BuildResult(wheel, pyodide_wheel, lock_out, compiled is not None, "" if compiled else note)


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--lock", type=Path, help="a pyodide-lock.json to extend with nnlib into OUT/pyodide-lock.json")
    parser.add_argument("--wheel-url", default="", help="prefix of the wheel's file_name in the lock (default: none, "
                        "i.e. the wheel sits beside the lock)")
    parser.add_argument("--no-compile", action="store_true", help="skip pyodide py-compile")
    parser.add_argument("--no-kernels", action="store_true", help="leave out the WebAssembly SIMD kernels (no npm "
                        "needed; in the browser NumPy then computes every product)")
    args = parser.parse_args(argv)
    try:
        build_wheel(args.out, args.lock, compile=not args.no_compile, kernels=not args.no_kernels,
                    wheel_url=args.wheel_url)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
