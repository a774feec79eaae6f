#!/usr/bin/env python3
"""Build the whole site into ``site/``: one strict MkDocs build per language, then the files of the site root.

    site/index.html   sends the reader to /en/ or /zh/ by the browser's language (links for both without JS)
    site/404.html     not-found page of static hosts (GitHub Pages), pointing to the home page of each language
    site/en/, site/zh/  the two MkDocs builds (mkdocs.yml and mkdocs.zh.yml, which INHERITs it)
    data-nnlib-anchors  on each page's language switch: where its headings are in the other language (link_anchors)
    site/pyodide/     with NNLIB_PYODIDE_MIRROR set: the self-hosted Pyodide runtime, one copy for both languages

Steps: ``npm ci`` when node_modules is missing or older than package-lock.json (KaTeX and the runtime's JS come
from npm), the nnlib wheel (site_hooks/nnlib_site.py: ensure_wheel), then both ``mkdocs build --strict`` side by
side (2 processes: the lessons are executed at build time, so the builds are CPU bound). Any warning fails.
With NNLIB_PYODIDE_MIRROR set, the runtime files are copied (and checked) once into site/pyodide/, and the builds
are told so (NNLIB_PYODIDE_SHARED): a reader switching language does not download Pyodide again, and an offline site
holds one copy of it.

Usage: ``python scripts/build_site.py [--lang en|zh ...] [--serial] [--out DIR]`` (normally through
``scripts/build_site``). Tests import :func:`build_site` to build into a temporary folder.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
CONFIGS = {"en": ROOT / "mkdocs.yml", "zh": ROOT / "mkdocs.zh.yml"}

INDEX_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <title>nnlib: neural networks from scratch · 从零开始的神经网络</title>
  <link rel="icon" href="en/assets/favicon.svg">
  <link rel="alternate" hreflang="en" href="en/">
  <link rel="alternate" hreflang="zh" href="zh/">
  <script>
    // The language the reader last chose with the switcher, else the first one their browser asks for among
    // English and Chinese (English by default).
    (function () {
      var saved = null;
      try { saved = localStorage.getItem("nnlib-lang"); } catch (e) {}
      if (saved === "en" || saved === "zh") { location.replace(saved + "/" + location.search + location.hash); return; }
      var langs = navigator.languages || [navigator.language || "en"];
      var target = "en/";
      for (var i = 0; i < langs.length; i++) {
        var l = String(langs[i]).toLowerCase();
        if (l.indexOf("zh") === 0) { target = "zh/"; break; }
        if (l.indexOf("en") === 0) { break; }
      }
      location.replace(target + location.search + location.hash);
    })();
  </script>
  <style>
    body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, "PingFang SC", "Hiragino Sans GB",
           "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
           max-width: 34rem; margin: 15vh auto; padding: 0 1rem; line-height: 1.6; color: #222; }
    a { color: #3f51b5; font-size: 1.25rem; margin-right: 1.5rem; }
  </style>
</head>
<body>
  <h1>nnlib</h1>
  <p>Neural networks from scratch with NumPy · 用 NumPy 从零构建神经网络</p>
  <p><a href="en/" hreflang="en" lang="en">English</a> <a href="zh/" hreflang="zh" lang="zh">中文</a></p>
</body>
</html>
"""

NOT_FOUND_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <title>Page not found · 页面不存在 — nnlib</title>
  <style>
    body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, "PingFang SC", "Hiragino Sans GB",
           "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
           max-width: 34rem; margin: 15vh auto; padding: 0 1rem; line-height: 1.6; color: #222; }
    a { color: #3f51b5; }
  </style>
</head>
<body>
  <h1>404</h1>
  <p lang="en">This page does not exist. <a id="home-en" href="/en/">Go to the course's home page</a>.</p>
  <p lang="zh">页面不存在。<a id="home-zh" href="/zh/">返回课程首页</a>。</p>
  <script>
    // Static hosts serve this file for any missing path, at any depth: point the links at the folder that holds
    // en/ and zh/ (the part of the path before /en/ or /zh/), so the site also works from a sub-folder.
    (function () {
      var m = location.pathname.match(/^(.*?\\/)(en|zh)(\\/|$)/);
      var base = m ? m[1] : "/";
      document.getElementById("home-en").href = base + "en/";
      document.getElementById("home-zh").href = base + "zh/";
    })();
  </script>
</body>
</html>
"""


def ensure_node_modules(project: Path = ROOT, needed_for: str = "the site's JavaScript (KaTeX, the runtime)") -> None:
    """Run ``npm ci`` in ``project`` (the repository, or a folder with its own package.json and lock, such as
    scripts/tfjs) when its node_modules is missing or older than its package-lock.json."""
    lock = project / "package-lock.json"
    marker = project / "node_modules" / ".package-lock.json"  # npm writes it on every install
    if not lock.exists():
        raise SystemExit(f"error: {lock} is missing; {needed_for} comes from npm")
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"error: npm not found: {needed_for} needs Node.js >= 18 with npm")
    print(f"npm ci --prefix {project} ...", flush=True)
    subprocess.run([npm, "ci", "--prefix", str(project), "--no-audit", "--no-fund", "--loglevel=error"], check=True)


def _pump(proc: subprocess.Popen, prefix: str, sink: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        sink.append(line)
        # The kernel's notice about TCP transport is noise: the kernel is local and lives for one notebook.
        if "Kernel is running over TCP without encryption" in line:
            continue
        sys.stdout.write(f"[{prefix}] {line}")
        sys.stdout.flush()


def build_languages(langs: list[str], out: Path = SITE, serial: bool = False, env: dict[str, str] | None = None) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
    procs: list[tuple[str, subprocess.Popen, threading.Thread, list[str]]] = []
    failed: list[str] = []
    for lang in langs:
        cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(CONFIGS[lang]),
               "--site-dir", str(out / lang)]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        thread = threading.Thread(target=_pump, args=(proc, lang, lines), daemon=True)
        thread.start()
        procs.append((lang, proc, thread, lines))
        if serial:
            proc.wait()
            thread.join()
    for lang, proc, thread, _ in procs:
        proc.wait()
        thread.join()
        if proc.returncode != 0:
            failed.append(lang)
    if failed:
        raise SystemExit(f"error: the {', '.join(failed)} build failed (see the lines prefixed with the language)")


_ARTICLE_RE = re.compile(r"<article\b.*?</article>", re.S)
_HEADING_ID_RE = re.compile(r"<h([1-6])\b[^>]*\bid=\"([^\"]+)\"")


def heading_ids(page_html: str) -> list[tuple[int, str]]:
    """(level, id) of the headings of a built page's article, in order (lesson sections, API objects)."""
    article = _ARTICLE_RE.search(page_html)
    return [(int(level), anchor) for level, anchor in _HEADING_ID_RE.findall(article.group(0) if article else "")]


def anchor_map(here: list[tuple[int, str]], there: list[tuple[int, str]]) -> dict[str, str]:
    """Which heading of the other language's page each heading here corresponds to: the same id when the other page
    has it (API reference, English slugs), else the heading at the same position when both pages have the same
    outline (same number and levels of headings: a lesson and its translation, whose Chinese ids differ)."""
    ids_there = {anchor for _, anchor in there}
    same_outline = [level for level, _ in here] == [level for level, _ in there]
    pairs = {}
    for i, (_, anchor) in enumerate(here):
        if anchor in ids_there:
            pairs[anchor] = anchor
        elif same_outline:
            pairs[anchor] = there[i][1]
    return pairs


def link_anchors(out: Path, langs: list[str]) -> None:
    """Give each language switch link the map of this page's anchors to the other page's (data-nnlib-anchors), which
    docs/assets/javascripts/language-switch.js uses to keep the reader's place (#anchor) when switching."""
    for lang in langs:
        for page in sorted((out / lang).rglob("*.html")):
            rel = page.relative_to(out / lang)
            page_html = page.read_text(encoding="utf-8")
            here = heading_ids(page_html)
            for other in langs:
                target = out / other / rel
                if other == lang or not here or not target.is_file():
                    continue
                pairs = anchor_map(here, heading_ids(target.read_text(encoding="utf-8")))
                attribute = f'data-nnlib-lang-switch="{other}"'
                if pairs and attribute in page_html:
                    value = html.escape(json.dumps(pairs, ensure_ascii=False, separators=(",", ":")), quote=True)
                    page_html = page_html.replace(attribute, f'{attribute} data-nnlib-anchors="{value}"', 1)
            page.write_text(page_html, encoding="utf-8")


def write_root(out: Path = SITE) -> None:
    (out / "index.html").write_text(INDEX_HTML, encoding="utf-8")
    (out / "404.html").write_text(NOT_FOUND_HTML, encoding="utf-8")
    (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve folders as they are


def build_site(out: Path = SITE, langs: list[str] | None = None, serial: bool = False) -> None:
    """Build the given languages (default: all) into ``out/<lang>/`` plus the root files; raise SystemExit on failure."""
    ensure_node_modules()
    sys.path.insert(0, str(ROOT / "site_hooks"))
    import runtime  # the runtime hook: vendoring Pyodide
    from nnlib_site import ensure_wheel  # the hook module: same wheel, same staleness rule

    print(f"wheel: {ensure_wheel().relative_to(ROOT)}", flush=True)
    # On a fresh machine the first matplotlib import builds a font cache and says so on stderr, which would land in
    # a lesson's output; build it here, once, before the lessons run.
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot"], cwd=ROOT, check=True, capture_output=True)
    out.mkdir(parents=True, exist_ok=True)
    env = {}
    shutil.rmtree(out / "pyodide", ignore_errors=True)  # from an earlier self-hosted build
    mirror = runtime.resolve_mirror(os.environ.get("NNLIB_PYODIDE_MIRROR"))
    if mirror:
        try:
            runtime.vendor_pyodide(mirror, out / "pyodide")
        except runtime.RuntimeBuildError as exc:
            raise SystemExit(f"error: {exc}") from exc
        env[runtime.SHARED_ENV] = "../pyodide/"
    langs = langs or list(CONFIGS)
    build_languages(langs, out, serial=serial, env=env)
    link_anchors(out, [lang for lang in CONFIGS if (out / lang / "index.html").is_file()])
    write_root(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the bilingual nnlib site into site/.")
    parser.add_argument("--lang", action="append", choices=sorted(CONFIGS), help="build only this language (repeatable)")
    parser.add_argument("--serial", action="store_true", help="build the languages one after the other")
    parser.add_argument("--out", type=Path, default=SITE, help="output folder (default: site/)")
    args = parser.parse_args(argv)
    langs = args.lang or list(CONFIGS)
    start = time.monotonic()
    build_site(args.out.resolve(), langs, serial=args.serial)
    print(f"Built {', '.join(f'{args.out}/{lang}/' for lang in langs)} and the site root in "
          f"{time.monotonic() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
