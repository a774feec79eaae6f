"""scripts/build_wheel.py: the wheel readers download and the browser loads, and the Pyodide lock that lists it."""

from __future__ import annotations

import email.parser
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, require

sys.path.insert(0, str(ROOT / "scripts"))
try:
    import build_wheel as bw
    import simd_kernels
finally:
    sys.path.remove(str(ROOT / "scripts"))

pytestmark = pytest.mark.native_only  # runs pip and Python 3.12 in subprocesses

# The "info" block of Pyodide 0.27.7's pyodide-lock.json and a numpy entry like its own: enough for add-wheels.
INFO = {"abi_version": "2024_0", "arch": "wasm32", "platform": "emscripten_3_1_58", "python": "3.12.7",
        "version": "0.27.7"}
NUMPY = {"name": "numpy", "version": "2.0.2", "file_name": "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl",
         "install_dir": "site", "sha256": "0" * 64, "package_type": "package", "imports": ["numpy"], "depends": [],
         "unvendored_tests": True}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _base_lock(tmp_path: Path, packages: dict) -> Path:
    path = tmp_path / "base-lock.json"
    path.write_text(json.dumps({"info": INFO, "packages": packages}))
    return path


def _require_wabt() -> None:
    require(shutil.which("node") is not None and simd_kernels.WAT2WASM.is_file(),
            "Node.js and `npm ci` (wabt) are needed to assemble the WebAssembly kernels")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> bw.BuildResult:
    _require_wabt()
    out = tmp_path_factory.mktemp("dist")
    (out / "nnlib-0.0.1-py3-none-any.whl").write_bytes(b"stale")  # an old build must not survive
    return bw.build_wheel(out, compile=False, log=lambda _: None)


def test_wheel_holds_every_module_and_data_file(built):
    assert built.wheel.name.endswith("-py3-none-any.whl") and built.pyodide_wheel == built.wheel
    assert not built.compiled and "--no-compile" in built.compile_note
    assert sorted(p.name for p in built.wheel.parent.glob("nnlib-*.whl")) == [built.wheel.name]
    with zipfile.ZipFile(built.wheel) as zf:
        names = set(zf.namelist())
        meta = email.parser.Parser().parsestr(zf.read(next(n for n in names if n.endswith("/METADATA"))).decode())
    modules = {f"nnlib/{p.name}" for p in (ROOT / "nnlib").glob("*.py")}
    data = {f"nnlib/data/{p.name}" for p in (ROOT / "nnlib" / "data").glob("*") if p.is_file()}
    assert "nnlib/__init__.py" in modules and data, "expected nnlib's modules and bundled data in the source tree"
    assert modules | data | {"nnlib/simd.wasm", "nnlib/simd-relaxed.wasm"} <= names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert any(req.startswith("numpy") for req in meta.get_all("Requires-Dist"))
    assert bw._entry_point_problems(built.wheel) == []


def test_lock_lists_nnlib_depending_on_numpy(built, tmp_path):
    base = _base_lock(tmp_path, {"numpy": NUMPY})
    out = bw.write_lock(base, built.wheel, built.wheel, tmp_path / "out" / "pyodide-lock.json")
    lock = json.loads(out.read_text())
    assert lock["info"] == INFO and lock["packages"]["numpy"] == NUMPY
    entry = lock["packages"]["nnlib"]
    assert entry["file_name"] == built.wheel.name  # bare name: the wheel sits beside the lock (indexURL)
    assert entry["depends"] == ["numpy"] and entry["imports"] == ["nnlib"]
    assert entry["sha256"] == _sha256(built.wheel)

    # Extending its own output replaces the entry; a URL prefix is honoured.
    again = bw.write_lock(out, built.wheel, built.wheel, tmp_path / "again.json", wheel_url="https://example.org/w/")
    packages = json.loads(again.read_text())["packages"]
    assert sorted(packages) == ["nnlib", "numpy"]
    assert packages["nnlib"]["file_name"] == f"https://example.org/w/{built.wheel.name}"


def test_lock_without_numpy_is_refused(built, tmp_path):
    base = _base_lock(tmp_path, {})
    with pytest.raises(bw.BuildError, match="numpy"):
        bw.write_lock(base, built.wheel, built.wheel, tmp_path / "out.json")


def test_missing_lock_is_a_clear_error(built, tmp_path):
    with pytest.raises(bw.BuildError, match=r"no such file .*pyodide-lock\.json"):
        bw.write_lock(tmp_path / "nope.json", built.wheel, built.wheel, tmp_path / "out.json")


def test_compiled_wheel_and_its_lock_entry(tmp_path):
    """Where a Python 3.12 exists, the browser wheel holds only .pyc and the lock points at it, with its sha256."""
    if not (bw.PY312_VENV / "bin" / "pyodide").exists() and bw._find_python312() is None:
        pytest.skip("no Python 3.12 here: build_wheel ships the pure wheel to Pyodide (tested above)")
    result = bw.build_wheel(tmp_path, _base_lock(tmp_path, {"numpy": NUMPY}), log=lambda _: None)
    assert result.compiled, result.compile_note
    assert result.pyodide_wheel.name.endswith("-cp312-none-any.whl") and result.wheel.exists()
    with zipfile.ZipFile(result.pyodide_wheel) as zf:
        names = zf.namelist()
    assert "nnlib/__init__.pyc" in names and not [n for n in names if n.endswith(".py")]
    entry = json.loads(result.lock.read_text())["packages"]["nnlib"]
    assert entry["file_name"] == result.pyodide_wheel.name and entry["sha256"] == _sha256(result.pyodide_wheel)
    assert entry["depends"] == ["numpy"]


def test_command_line(tmp_path, capsys):
    assert bw.main(["--out", str(tmp_path), "--no-compile", "--lock", str(tmp_path / "missing.json")]) == 1
    assert "missing.json: no such file" in capsys.readouterr().err


def test_kernels_assemble_reproducibly(built, tmp_path):
    """The wheel's kernels are exactly what a fresh assembly of scripts/simd_kernels.py's source gives (twice the
    same bytes: wabt is pinned in package-lock.json); each is a side module (dylink.0 first, no memory of its own,
    Pyodide's imported); the plain one uses no relaxed instruction, so Node 20 (relaxed SIMD only behind a flag) accepts it."""
    fresh = {variant: simd_kernels.assemble(variant) for variant in simd_kernels.VARIANTS}
    assert fresh == {variant: simd_kernels.assemble(variant) for variant in simd_kernels.VARIANTS}
    with zipfile.ZipFile(built.wheel) as zf:
        for variant, name in simd_kernels.FILES.items():
            assert zf.read(f"nnlib/{name}") == fresh[variant], f"{name} in the wheel differs from a fresh assembly"
    dylink = b"\0asm\1\0\0\0" + b"\0\x0f\x08dylink.0\x01\x04\0\0\0\0"
    for variant, data in fresh.items():
        assert data.startswith(dylink), variant
        assert b"\x03env\x06memory\x02\x00\x00" in data  # imports Pyodide's memory (limits: min 0, no max)
        assert b"nnlib_sgemm" in data
    assert "relaxed" not in simd_kernels.wat("plain").split("\n", 1)[1]
    (tmp_path / "plain.wasm").write_bytes(fresh["plain"])
    check = subprocess.run(["node", "-e", "const b = require('fs').readFileSync(process.argv[1]); "
                            "process.exit(WebAssembly.validate(b) ? 0 : 1)", str(tmp_path / "plain.wasm")])
    assert check.returncode == 0, "Node does not accept the plain-SIMD kernel"


def test_wheel_without_kernels(tmp_path):
    """`--no-kernels` (and so `pip install .`, which never runs npm) gives a wheel without them: natively they are
    unused, and in Pyodide nnlib then says so and uses NumPy."""
    result = bw.build_wheel(tmp_path, compile=False, kernels=False, log=lambda _: None)
    with zipfile.ZipFile(result.wheel) as zf:
        names = zf.namelist()
    assert "nnlib/simd.py" in names and not [n for n in names if n.endswith(".wasm")]
