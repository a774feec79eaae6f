"""MkDocs hooks of the nnlib course site, loaded by both language builds (``hooks:`` in mkdocs.yml).

What they add to a plain MkDocs Material + mkdocs-jupyter build:

* the files both languages share (``docs/assets/``: logo, favicon, stylesheet, scripts), so each language's
  ``docs/<lang>/`` holds only its own pages;
* KaTeX from ``node_modules/katex`` (installed by ``npm ci``), served by the site itself, never from a CDN;
* the nnlib wheel built from this repository (``dist/nnlib-<version>-py3-none-any.whl``, rebuilt when nnlib's sources
  are newer) as ``downloads/<wheel>``, and each lesson's notebook as ``lessons/<name>.ipynb`` next to its page;
* per-page template data (``nnlib`` in the page context): the translated UI strings and the download links;
* removal of the MathJax and Mermaid loaders that nbconvert's template puts in every notebook page (they point to a
  CDN; the site renders math with KaTeX), and a build error if any page still loads a script from another host.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jupytext
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.nnlib_site")

ROOT = Path(__file__).resolve().parent.parent
SHARED_ASSETS = ROOT / "docs" / "assets"
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
DIST = ROOT / "dist"
LESSON_RE = re.compile(r"^lessons/[^/]+\.py$")

# Strings the templates show, per language (theme.language of the build).
UI: dict[str, dict[str, str]] = {
    "en": {
        "download_notebook": "Download this notebook (.ipynb)",
        "download_wheel": "Download the nnlib wheel",
        "downloads_label": "Downloads for this lesson",
        "run_locally_title": "Run it on your computer",
        "run_locally": "To run it on your computer, install nnlib from the wheel, then open the notebook in Jupyter:",
    },
    "zh": {
        "download_notebook": "下载本课的 notebook（.ipynb）",
        "download_wheel": "下载 nnlib 的 wheel 安装包",
        "downloads_label": "本课的下载",
        "run_locally_title": "在自己的电脑上运行",
        "run_locally": "想在自己的电脑上运行：先用 wheel 安装 nnlib，再用 Jupyter 打开 notebook：",
    },
}

# nbconvert's lab template loads MathJax and Mermaid from cdnjs in every notebook page; the site uses KaTeX.
_MATHJAX_RE = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
_MERMAID_RE = re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{\s*'
                         r'const diagrams = document\.querySelectorAll\("\.jp-Mermaid.*?</script>', re.S)
_REMOTE_RESOURCE_RE = re.compile(r'<(?:script|img|iframe)\b[^>]*\bsrc="(?:https?:)?//|<link\b[^>]*\bhref="(?:https?:)?//'
                                 r'|@import\s+url\(\s*["\']?(?:https?:)?//')


def nnlib_version() -> str:
    """The version in pyproject.toml (the wheel's file name depends on it)."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def wheel_path() -> Path:
    return DIST / f"nnlib-{nnlib_version()}-py3-none-any.whl"


def _newest_source_mtime() -> float:
    paths = [ROOT / "pyproject.toml", *(p for p in (ROOT / "nnlib").rglob("*") if p.is_file() and "__pycache__" not in p.parts)]
    return max(p.stat().st_mtime for p in paths)


def ensure_wheel() -> Path:
    """Return the wheel of this repository's nnlib, building it first if it is missing or older than the sources.

    Uses scripts/build_wheel.py when the repository has it (it checks the wheel's contents; the pure wheel is the one
    readers download, so no Pyodide compile step here), else ``pip wheel --no-deps``.
    """
    wheel = wheel_path()
    if wheel.exists() and wheel.stat().st_mtime >= _newest_source_mtime():
        return wheel
    log.info("Building %s", wheel.name)
    DIST.mkdir(exist_ok=True)
    builder = ROOT / "scripts" / "build_wheel.py"
    cmd = ([sys.executable, str(builder), "--no-compile", "--out", str(DIST)] if builder.exists()
           else [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(DIST), str(ROOT)])
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0 or not wheel.exists():
        raise PluginError(f"could not build {wheel.name} with {' '.join(cmd)}:\n{result.stdout}\n{result.stderr}")
    return wheel


def _language(config: MkDocsConfig) -> str:
    lang = config.theme["language"]
    known = [alt["lang"] for alt in config.extra.get("languages", [])]
    if lang not in UI or lang not in known:
        raise PluginError(f"theme.language is {lang!r}; expected one of {sorted(UI)} listed in extra.languages")
    return lang


def _add(files: Files, file: File) -> None:
    if files.get_file_from_path(file.src_uri) is not None:
        raise PluginError(f"{file.src_uri} exists both in the shared files and in this language's docs_dir")
    files.append(file)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    lang = _language(config)
    # NNLIB_SITE_URL: where the site root will be published (e.g. https://example.org/nnlib/). Each language then
    # gets its canonical URLs and a filled sitemap; without it, links stay relative and the sitemap empty.
    base = os.environ.get("NNLIB_SITE_URL", "").strip()
    if base:
        if not re.match(r"^https?://[^/]+", base):
            raise PluginError(f"NNLIB_SITE_URL={base!r}: expected an absolute http(s) URL such as https://example.org/nnlib/")
        directory = next(alt["dir"] for alt in config.extra["languages"] if alt["lang"] == lang)
        config.site_url = base.rstrip("/") + f"/{directory}/"
    if not (KATEX_DIST / "katex.min.js").exists():
        raise PluginError(f"KaTeX is missing ({KATEX_DIST}): run `npm ci` in {ROOT} (scripts/build_site does it)")
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    # Files both languages share.
    for path in sorted(SHARED_ASSETS.rglob("*")):
        if path.is_file():
            rel = path.relative_to(SHARED_ASSETS.parent).as_posix()
            _add(files, File(rel, str(SHARED_ASSETS.parent), config.site_dir, config.use_directory_urls))
    # KaTeX: script, auto-render, stylesheet and its woff2 fonts (every browser KaTeX supports reads woff2).
    katex = [KATEX_DIST / "katex.min.js", KATEX_DIST / "katex.min.css", KATEX_DIST / "contrib" / "auto-render.min.js",
             *sorted((KATEX_DIST / "fonts").glob("*.woff2"))]
    for path in katex:
        rel = "assets/katex/" + path.relative_to(KATEX_DIST).as_posix()
        _add(files, File.generated(config, rel, abs_src_path=str(path)))
    # The wheel and each lesson's notebook.
    wheel = ensure_wheel()
    _add(files, File.generated(config, f"downloads/{wheel.name}", abs_src_path=str(wheel)))
    for file in list(files):
        if LESSON_RE.match(file.src_uri):
            notebook = jupytext.read(file.abs_src_path)
            notebook.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
            notebook.metadata.pop("jupytext", None)  # a plain notebook for the reader, not a jupytext pairing
            _add(files, File.generated(config, file.src_uri[:-3] + ".ipynb", content=jupytext.writes(notebook, fmt="ipynb")))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    # Markdown pages may name the wheel and version; the names depend on pyproject.toml, so they are filled in here.
    markdown = markdown.replace("%%NNLIB_WHEEL%%", wheel_path().name).replace("%%NNLIB_VERSION%%", nnlib_version())
    if "%%NNLIB_" in markdown:
        raise PluginError(f"{page.file.src_uri}: unknown %%NNLIB_...%% placeholder")
    return markdown


_HEADING_RE = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)<a class="anchor-link" href="#[^"]*">', re.S)


def _align_notebook_headings(html: str, page: Page, toc_depth: int) -> str:
    """Give the notebook's headings the ids of the page's table of contents.

    mkdocs-jupyter builds the TOC with Python-Markdown's slugs ("_1", "_2" for headings without ASCII letters) but the
    HTML with nbconvert's, which leaves Chinese headings with an empty id: TOC links and permalinks would go nowhere.
    Both come from the same markdown headings in the same order, so they are paired by position.
    """
    toc_ids: list[str] = []

    def walk(items) -> None:
        for item in items:
            toc_ids.append(item.id)
            walk(item.children)

    walk(page.toc)
    depth = toc_depth
    listed = [m for m in _HEADING_RE.finditer(html) if int(m.group(1)) <= depth]
    if len(listed) != len(toc_ids):
        raise PluginError(f"{page.file.src_uri}: {len(toc_ids)} headings in the TOC but {len(listed)} in the page")
    ids = iter(toc_ids)

    def fix(m: re.Match) -> str:
        if int(m.group(1)) > depth:  # not in the TOC: keep nbconvert's id
            return m.group(0)
        new_id = next(ids)
        return f'<h{m.group(1)} id="{new_id}">{m.group(3)}<a class="anchor-link" href="#{new_id}">'

    return _HEADING_RE.sub(fix, html)


# Chinese sources wrap long paragraphs like English ones, but a line break between two Chinese characters must not
# become a space. Code, outputs and scripts are left exactly as they are, and so is each notebook cell's raw code
# (.clipboard-copy-txt), which the copy button and the in-browser editor read.
_PROTECTED_RE = re.compile(r'(<(pre|code|script|style|textarea)\b.*?</\2>|<div class="clipboard-copy-txt"[^>]*>.*?</div>)',
                           re.S)
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_BREAK_RE = re.compile(f"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")


def join_cjk_lines(html: str) -> str:
    parts = _PROTECTED_RE.split(html)
    # split() with two groups yields: text, whole protected block, tag name, text, ...
    out = []
    for i, part in enumerate(parts):
        kind = i % 3
        if kind == 0:
            out.append(_CJK_BREAK_RE.sub("", part))
        elif kind == 1:
            out.append(part)
    return "".join(out)


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    html = _MERMAID_RE.sub("", _MATHJAX_RE.sub("", html))
    if config.theme["language"] == "zh":
        html = join_cjk_lines(html)
    if LESSON_RE.match(page.file.src_uri):
        # Tracebacks name nnlib's files by the build machine's path; show them relative to the repository.
        html = html.replace(str(ROOT) + "/", "")
        html = _align_notebook_headings(html, page, config.plugins["mkdocs-jupyter"].config["toc_depth"])
    match = _REMOTE_RESOURCE_RE.search(html)
    if match:
        context = html[max(0, match.start() - 80): match.end() + 120]
        raise PluginError(f"{page.file.src_uri} loads a resource from another host (the site must work offline): {context}")
    return html


def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    lang = _language(config)
    data: dict[str, Any] = {"ui": UI[lang], "wheel": f"downloads/{wheel_path().name}", "wheel_name": wheel_path().name}
    if LESSON_RE.match(page.file.src_uri):
        data["notebook"] = page.file.src_uri[:-3] + ".ipynb"
        data["notebook_name"] = os.path.basename(data["notebook"])
    context["nnlib"] = data
    return context
