"""MkDocs hook: the in-browser Python runtime of the lesson pages.

At build time it
  * bundles web/ (CodeMirror editor, cell UI, Pyodide worker) with esbuild from node_modules into
    `<site>/assets/nnlib-runtime/` and puts the cross-origin-isolation service worker at the site root;
  * builds the nnlib wheel and a Pyodide lock file that lists nnlib (depending on numpy), so that
    `loadPackage("nnlib")` brings numpy too;
  * chooses where Pyodide comes from:
      - default: the public CDN https://cdn.jsdelivr.net/pyodide/v0.27.7/full/ (pinned), only nnlib is served by the site;
      - NNLIB_PYODIDE_MIRROR=<folder or URL>: the runtime files the site needs (core files, numpy, matplotlib and
        their dependencies) are copied into `<site>/assets/nnlib-runtime/pyodide/`, each checked against a sha256 (the
        wheels against pyodide-lock.json, the core files against site_hooks/pyodide-0.27.7.sha256, taken from the npm
        package pyodide@0.27.7); the site then works with no network at all;
      - both, plus NNLIB_PYODIDE_SHARED=<URL relative to the site folder>: scripts/build_site.py has already copied
        and checked those files once for all languages (`vendor_pyodide`) at that URL; the build only points there.

Also usable from the command line (for the benchmark and ad-hoc test pages):
    python site_hooks/runtime.py OUTPUT_DIR [--mirror FOLDER_OR_URL]
writes the same `assets/nnlib-runtime/` tree and `coi-sw.js` into OUTPUT_DIR.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
PYODIDE_VERSION = "0.27.7"
#: Set by scripts/build_site.py when it has vendored Pyodide once for all languages: where, relative to the site folder
#: of a language (site/en/ -> ../pyodide/).
SHARED_ENV = "NNLIB_PYODIDE_SHARED"
CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
CORE_SHA256 = Path(__file__).resolve().parent / f"pyodide-{PYODIDE_VERSION}.sha256"
#: Core files the browser loads (pyodide-lock.json is replaced by the site's own lock, but checked as the base).
CORE_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
#: Packages a lesson may import in the browser; they and their dependencies are vendored in the offline build.
VENDORED_PACKAGES = ("numpy", "matplotlib")
ASSETS = "assets/nnlib-runtime"  # relative to the site root
SERVICE_WORKER = "coi-sw.js"  # at the site root, so that its scope covers every page
STYLESHEETS = ("style.css", "exercises.css")  # web/ style sheets, concatenated into runtime.css

log = logging.getLogger("mkdocs.hooks.runtime")


class RuntimeBuildError(RuntimeError):
    """A problem that must stop the site build (missing tool, checksum mismatch, missing file)."""


# ----------------------------------------------------------------------------------------------------------- sources


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def resolve_mirror(mirror: str | None) -> str | None:
    """NNLIB_PYODIDE_MIRROR as given: a URL as it is, a folder as an absolute path, empty as None."""
    if not mirror:
        return None
    return mirror if _is_url(mirror) else str(Path(mirror).resolve())


def _read(source: str, name: str) -> bytes:
    """The bytes of `name` in a Pyodide distribution given as a folder or a URL."""
    if _is_url(source):
        url = source.rstrip("/") + "/" + name
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - URL given by the site builder
                return response.read()
        except OSError as exc:
            raise RuntimeBuildError(f"cannot download {url}: {exc}") from exc
    path = Path(source) / name
    if not path.is_file():
        raise RuntimeBuildError(f"{path} is missing (NNLIB_PYODIDE_MIRROR must hold the Pyodide {PYODIDE_VERSION} runtime)")
    return path.read_bytes()


def core_checksums() -> dict[str, str]:
    """The committed sha256 of each core file: {file name: hex digest}."""
    sums: dict[str, str] = {}
    for line in CORE_SHA256.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name] = digest
    return sums


def read_core_file(source: str, name: str) -> bytes:
    """A core file of `source`, verified against the committed checksum list."""
    data = _read(source, name)
    expected = core_checksums().get(name)
    if expected is None:
        raise RuntimeBuildError(f"{name} is not in {CORE_SHA256.name}")
    if _sha256(data) != expected:
        raise RuntimeBuildError(f"{source}/{name}: sha256 {_sha256(data)} differs from {expected} ({CORE_SHA256.name})")
    return data


def package_closure(lock: dict[str, Any], roots: tuple[str, ...]) -> list[str]:
    """Names of `roots` and everything they depend on in the lock file, sorted."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in lock["packages"]:
            raise RuntimeBuildError(f"package {name!r} is not in pyodide-lock.json")
        seen.add(name)
        todo.extend(lock["packages"][name]["depends"])
    return sorted(seen)


# ----------------------------------------------------------------------------------------------------------- nnlib


def build_wheel_and_lock(work: Path, base_lock: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    """Build the nnlib wheel into `work` with scripts/build_wheel.py and add it to `base_lock`.

    Returns the wheel Pyodide should load (py-compiled where a Python 3.12 exists) and the lock with an "nnlib"
    entry whose file_name is the bare wheel name (the wheel sits beside the lock).
    """
    spec = importlib.util.spec_from_file_location("nnlib_build_wheel", ROOT / "scripts" / "build_wheel.py")
    if spec is None or spec.loader is None:
        raise RuntimeBuildError("scripts/build_wheel.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    base = work / "base-lock.json"
    base.write_text(json.dumps(base_lock))
    try:
        result = module.build_wheel(work / "dist", base, log=lambda message: log.info("nnlib runtime: %s", message))
    except module.BuildError as exc:
        raise RuntimeBuildError(str(exc)) from exc
    return result.pyodide_wheel, json.loads(result.lock.read_text())


# ----------------------------------------------------------------------------------------------------------- output


def bundle(out: Path, config: dict[str, Any]) -> None:
    """Bundle web/ with esbuild into `out` (main.js + chunks, worker.js, runtime.css)."""
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise RuntimeBuildError("node_modules is missing: run `npm ci` in the repository (scripts/env.sh does it)")
    common = ["--bundle", "--minify", "--target=es2020", "--log-level=warning", "--legal-comments=none"]
    subprocess.run(
        [str(esbuild), str(WEB / "main.js"), "--format=esm", "--splitting", f"--outdir={out}",
         f"--define:NNLIB_RUNTIME_CONFIG={json.dumps(config)}", "--chunk-names=chunk-[hash]", *common],
        check=True, cwd=ROOT,
    )  # fmt: skip
    subprocess.run(
        [str(esbuild), str(WEB / "worker.js"), "--format=iife", "--loader:.py=text", f"--outfile={out / 'worker.js'}",
         *common],
        check=True, cwd=ROOT,
    )  # fmt: skip
    (out / "runtime.css").write_text("\n".join((WEB / name).read_text(encoding="utf-8") for name in STYLESHEETS),
                                     encoding="utf-8")  # fmt: skip


def vendored_lock(mirror: str) -> dict[str, Any]:
    """The mirror's pyodide-lock.json (checked), trimmed to the packages the site vendors and their dependencies."""
    lock = json.loads(read_core_file(mirror, "pyodide-lock.json"))
    names = package_closure(lock, VENDORED_PACKAGES)
    lock["packages"] = {name: lock["packages"][name] for name in names}
    return lock


def vendor_pyodide(mirror: str, dest: Path) -> dict[str, Any]:
    """Copy the runtime files the site needs from `mirror` into `dest`, each checked against its sha256 (core files
    against the committed list, wheels against pyodide-lock.json). Returns the trimmed lock (not written)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in CORE_FILES:
        if name != "pyodide-lock.json":
            (dest / name).write_bytes(read_core_file(mirror, name))
    lock = vendored_lock(mirror)
    for entry in lock["packages"].values():
        data = _read(mirror, entry["file_name"])
        if _sha256(data) != entry["sha256"]:
            raise RuntimeBuildError(f"{entry['file_name']}: sha256 differs from pyodide-lock.json")
        (dest / entry["file_name"]).write_bytes(data)
    return lock


def build_runtime(site_dir: Path, mirror: str | None, shared: str | None = None) -> dict[str, Any]:
    """Write `<site_dir>/assets/nnlib-runtime/` and `<site_dir>/coi-sw.js`. Returns a summary for the build log.

    `shared` (with `mirror`): the URL, relative to `site_dir`, where `vendor_pyodide` has put the runtime files for
    every language; they are then not copied again.
    """
    out = site_dir / ASSETS
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        if mirror and shared:
            # Self-hosted, the runtime files shared by the languages; the lock (with nnlib) lives here, as with the CDN.
            base_lock = vendored_lock(mirror)
            lock_dir = out
            config = {"indexURL": _relative_root() + shared.rstrip("/") + "/", "lockFileURL": "pyodide-lock.json"}
        elif mirror:
            # Self-hosted: everything under assets/nnlib-runtime/pyodide/, the lock trimmed to what is there.
            lock_dir = out / "pyodide"
            base_lock = vendor_pyodide(mirror, lock_dir)
            config = {"indexURL": "pyodide/", "lockFileURL": "pyodide/pyodide-lock.json"}
        else:
            # CDN: the lock is the npm package's (identical to the CDN's), plus nnlib served by the site.
            base_lock = json.loads(read_core_file(str(ROOT / "node_modules" / "pyodide"), "pyodide-lock.json"))
            lock_dir = out
            config = {"indexURL": CDN_URL, "lockFileURL": "pyodide-lock.json"}
        wheel, lock = build_wheel_and_lock(Path(tmp), base_lock)
        shutil.copyfile(wheel, lock_dir / wheel.name)
        (lock_dir / "pyodide-lock.json").write_text(json.dumps(lock))
    config |= {"localPackages": ["nnlib"], "serviceWorker": _relative_root() + SERVICE_WORKER}
    bundle(out, config)
    shutil.copyfile(WEB / SERVICE_WORKER, site_dir / SERVICE_WORKER)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"mode": "offline" if mirror else "cdn", "pyodide": config["indexURL"], "wheel": wheel.name, "bytes": size}


def _relative_root() -> str:
    """Path from the runtime's folder back to the site root."""
    return "../" * len(ASSETS.split("/"))


# ----------------------------------------------------------------------------------------------------------- hooks


def on_config(config: Any) -> Any:
    """Load the runtime's script (an ES module) and style sheet on every page."""
    from mkdocs.config.config_options import ExtraScriptValue

    script = ExtraScriptValue(f"{ASSETS}/main.js")
    script.type = "module"
    config.extra_javascript.append(script)
    config.extra_css.append(f"{ASSETS}/runtime.css")
    return config


def on_post_build(config: Any) -> None:
    mirror = resolve_mirror(os.environ.get("NNLIB_PYODIDE_MIRROR"))
    try:
        summary = build_runtime(Path(config.site_dir), mirror, os.environ.get(SHARED_ENV) or None)
    except (RuntimeBuildError, subprocess.CalledProcessError) as exc:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"nnlib runtime: {exc}") from exc
    log.info("nnlib runtime: %s mode, Pyodide from %s, %s, %.1f MB", summary["mode"], summary["pyodide"],
             summary["wheel"], summary["bytes"] / 1e6)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="site folder to write assets/nnlib-runtime/ and coi-sw.js into")
    parser.add_argument("--mirror", default=os.environ.get("NNLIB_PYODIDE_MIRROR") or None,
                        help="Pyodide folder or URL to self-host from (default: $NNLIB_PYODIDE_MIRROR, else the CDN)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        summary = build_runtime(args.output.resolve(), resolve_mirror(args.mirror))
    except RuntimeBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
