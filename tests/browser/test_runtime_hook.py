"""The build side of the in-browser runtime (site_hooks/runtime.py), without a browser: checksums, vendoring, lock."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.native_only  # reads site_hooks/ and node_modules/, which only the repository has

ROOT = Path(__file__).resolve().parents[2]


def _hook():
    spec = importlib.util.spec_from_file_location("nnlib_runtime_hook", ROOT / "site_hooks" / "runtime.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _hook()


def test_committed_checksums_match_the_npm_package() -> None:
    """site_hooks/pyodide-0.27.7.sha256 is the npm package pyodide@0.27.7 (package-lock.json pins that version)."""
    package = ROOT / "node_modules" / "pyodide"
    if not package.is_dir():
        pytest.skip("node_modules is missing (npm ci)")
    assert json.loads((package / "package.json").read_text())["version"] == hook.PYODIDE_VERSION
    sums = hook.core_checksums()
    assert set(hook.CORE_FILES) <= set(sums)
    for name in sums:
        hook.read_core_file(str(package), name)  # raises on a mismatch


def test_package_closure_follows_dependencies() -> None:
    lock = {"packages": {"a": {"depends": ["b"]}, "b": {"depends": ["c"]}, "c": {"depends": []}, "d": {"depends": []}}}
    assert hook.package_closure(lock, ("a",)) == ["a", "b", "c"]
    with pytest.raises(hook.RuntimeBuildError, match="'zzz' is not in pyodide-lock.json"):
        hook.package_closure(lock, ("zzz",))


def _mirror_copy(mirror: Path, dest: Path, tamper: str) -> Path:
    """`mirror` as symlinks, except `tamper`, which is copied with one byte changed."""
    dest.mkdir()
    for item in mirror.iterdir():
        if item.name == tamper:
            data = bytearray(item.read_bytes())
            data[len(data) // 2] ^= 0xFF
            (dest / item.name).write_bytes(bytes(data))
        else:
            (dest / item.name).symlink_to(item)
    return dest


@pytest.mark.parametrize("tamper", ["pyodide.asm.wasm", "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"])
def test_a_tampered_runtime_file_stops_the_build(pyodide_mirror: Path, tmp_path: Path, tamper: str) -> None:
    if not (pyodide_mirror / tamper).exists():
        pytest.skip(f"{tamper} is not in the mirror")
    bad = _mirror_copy(pyodide_mirror, tmp_path / "mirror", tamper)
    with pytest.raises(hook.RuntimeBuildError, match=f"{tamper.replace('.', '[.]')}.*sha256"):
        hook.build_runtime(tmp_path / "site", str(bad))


def test_a_missing_runtime_file_is_named(pyodide_mirror: Path, tmp_path: Path) -> None:
    bad = tmp_path / "mirror"
    bad.mkdir()
    for item in pyodide_mirror.iterdir():
        if not item.name.startswith("matplotlib-3"):
            (bad / item.name).symlink_to(item)
    with pytest.raises(hook.RuntimeBuildError, match="matplotlib-3.*is missing"):
        hook.build_runtime(tmp_path / "site", str(bad))


def test_offline_runtime_is_complete_and_its_lock_lists_nnlib(pyodide_mirror: Path, tmp_path: Path) -> None:
    if not (ROOT / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("node_modules is missing (npm ci)")
    summary = hook.build_runtime(tmp_path, str(pyodide_mirror))
    assert summary["mode"] == "offline"
    folder = tmp_path / hook.ASSETS / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    nnlib = lock["packages"]["nnlib"]
    assert nnlib["depends"] == ["numpy"] and nnlib["imports"] == ["nnlib"]
    for name, entry in lock["packages"].items():  # everything the lock names is there, with the right checksum
        assert hook._sha256((folder / entry["file_name"]).read_bytes()) == entry["sha256"], name
    assert {"numpy", "matplotlib", "nnlib"} <= set(lock["packages"])
    for name in ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"):
        assert (folder / name).is_file()
    for name in ("main.js", "worker.js", "runtime.css"):
        assert (tmp_path / hook.ASSETS / name).is_file()
    assert (tmp_path / "coi-sw.js").is_file()
    main = (tmp_path / hook.ASSETS / "main.js").read_text() + "".join(
        p.read_text() for p in (tmp_path / hook.ASSETS).glob("chunk-*.js")
    )
    assert "cdn.jsdelivr.net" not in main and "pyodide/pyodide-lock.json" in main


def test_cdn_runtime_serves_only_nnlib(tmp_path: Path) -> None:
    if not (ROOT / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("node_modules is missing (npm ci)")
    summary = hook.build_runtime(tmp_path, None)
    assert summary["mode"] == "cdn"
    folder = tmp_path / hook.ASSETS
    assert not (folder / "pyodide").exists()
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    assert (folder / lock["packages"]["nnlib"]["file_name"]).is_file()
    assert "numpy" in lock["packages"]
    code = "".join(p.read_text() for p in folder.glob("*.js"))
    assert f"https://cdn.jsdelivr.net/pyodide/v{hook.PYODIDE_VERSION}/full/" in code


def test_the_offline_site_holds_one_copy_of_pyodide_for_both_languages(built_site: Path) -> None:
    """scripts/build_site.py vendors the runtime once, into site/pyodide/, and each language's runtime points there:
    an offline site carries Pyodide once, and a reader who switches language does not download it again."""
    shared = built_site / "pyodide"
    for name in ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"):
        assert (shared / name).is_file()
    for lang in ("en", "zh"):
        assets = built_site / lang / hook.ASSETS
        assert not (assets / "pyodide").exists(), f"{lang} has its own copy of Pyodide"
        lock = json.loads((assets / "pyodide-lock.json").read_text())
        assert (assets / lock["packages"]["nnlib"]["file_name"]).is_file()
        for name, entry in lock["packages"].items():  # every other package the lock names is in the shared folder
            if name != "nnlib":
                assert hook._sha256((shared / entry["file_name"]).read_bytes()) == entry["sha256"], name
        code = "".join(p.read_text() for p in assets.glob("*.js"))
        assert '"../../../pyodide/"' in code and "cdn.jsdelivr.net" not in code
