"""MkDocs hooks of the nnlib course site, loaded by both language builds (``hooks:`` in mkdocs.yml).

What they add to a plain MkDocs Material + mkdocs-jupyter build:

* the files both languages share (``docs/assets/``: logo, favicon, stylesheet, scripts), so each language's
  ``docs/<lang>/`` holds only its own pages;
* KaTeX from ``node_modules/katex`` (installed by ``npm ci``), served by the site itself, never from a CDN;
* the nnlib wheel built from this repository (``dist/nnlib-<version>-py3-none-any.whl``, rebuilt when nnlib's sources
  are newer) as ``downloads/<wheel>``, and each lesson's notebook as ``lessons/<name>.ipynb`` next to its page;
* per-page template data (``nnlib`` in the page context): the translated UI strings and the download links;
* removal of the MathJax and Mermaid loaders that nbconvert's template puts in every notebook page (they point to a
  CDN; the site renders math with KaTeX), and a build error if any page still loads a script from another host;
* the notebook stylesheet that mkdocs-jupyter inlines in every lesson (about 590 KB) served once, as a cached file;
* a search index of the lessons without notebook chrome ("In [2]:", "Copied!") and with each code cell once;
* the repository link in the header (NNLIB_REPO_URL) and no per-language 404 page (see on_post_build);
* the old addresses of renumbered lessons (``extra.moved_lessons``): a page that sends the reader to the lesson's new
  address, and its notebook under the old name too.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import logging
import os
import re
import shutil
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
from mkdocs.utils import get_relative_url

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
        "minutes": "{n} min",
        "minutes_label": "Time to read and run: about {n} minutes",
        "lesson": "Lesson {n}",
        "moved_title": "Moved: Lesson {n}. {title}",
        "moved": "This lesson has moved to a new address: {link}.",
    },
    "zh": {
        "download_notebook": "下载本课的 notebook（.ipynb）",
        "download_wheel": "下载 nnlib 的 wheel 安装包",
        "downloads_label": "本课的下载",
        "run_locally_title": "在自己的电脑上运行",
        "run_locally": "想在自己的电脑上运行：先用 wheel 安装 nnlib，再用 Jupyter 打开 notebook：",
        "minutes": "{n} 分钟",
        "minutes_label": "阅读并运行约需 {n} 分钟",
        "lesson": "第 {n} 课",
        "moved_title": "已移动：第 {n} 课 {title}",
        "moved": "本课已移到新的地址：{link}。",
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


FONTS = SHARED_ASSETS / "fonts"  # the CJK font of the figures and nnlib_fonts.py, which registers it


def _register_fonts_in_kernels(lang: str) -> None:
    """Make the kernels that run the lessons at build time register the course's CJK font with matplotlib, as the
    browser's runtime does (web/runner.py): an IPython start-up file in an IPYTHONDIR of this build (under build/),
    which the kernels nbconvert starts inherit. It leaves no name behind in the lesson's namespace."""
    ipython_dir = ROOT / "build" / f"ipython-{lang}"
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-nnlib-fonts.py").write_text(
        "# Written by site_hooks/nnlib_site.py: the course's CJK font for Chinese labels in figures.\n"
        "def _nnlib_register_font():\n"
        "    import importlib.util\n"
        f"    spec = importlib.util.spec_from_file_location('nnlib_fonts', {str(FONTS / 'nnlib_fonts.py')!r})\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(module)\n"
        f"    module.register({str(FONTS)!r} + '/' + module.FILE)\n"
        "_nnlib_register_font()\n"
        "del _nnlib_register_font\n", encoding="utf-8")
    os.environ["IPYTHONDIR"] = str(ipython_dir)


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
    # NNLIB_REPO_URL: the repository's public address (e.g. https://github.com/<owner>/nnlib), shown in the header.
    repo = os.environ.get("NNLIB_REPO_URL", "").strip()
    if repo:
        if not re.match(r"^https?://[^/]+/.", repo):
            raise PluginError(f"NNLIB_REPO_URL={repo!r}: expected the repository's http(s) address")
        config.repo_url = repo.rstrip("/")
        config.repo_name = "/".join(config.repo_url.split("/")[-2:])
        config.edit_uri = ""  # no "edit this page" links: docs/<lang>/ is not where MkDocs would guess
    if lang != "zh":
        # Material's search segments any Chinese characters with jieba when it is installed, which costs seconds
        # and prints "Building prefix dict..." in the English build for a handful of characters nobody searches.
        import material.plugins.search.plugin as search_plugin
        search_plugin.jieba = None
    else:
        import jieba
        jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict ... Loading model cost" lines are noise
    _register_fonts_in_kernels(lang)
    if not (KATEX_DIST / "katex.min.js").exists():
        raise PluginError(f"KaTeX is missing ({KATEX_DIST}): run `npm ci` in {ROOT} (scripts/build_site does it)")
    return config


_files: Files | None = None  # this build's files (on_files), for the home page's lesson cards


def on_files(files: Files, config: MkDocsConfig) -> Files:
    global _files
    _files = files
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
    add_moved_lessons(files, config)
    return files


# --------------------------------------------------------------------------------------------- renumbered lessons

MOVED_HTML = """<!doctype html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <title>{title}</title>
  <meta name="robots" content="noindex">
  <link rel="canonical" href="{canonical}">
  <meta http-equiv="refresh" content="0; url={href}">
  <script>location.replace({href_js} + location.search + location.hash);</script>
  <style>body {{ font-family: system-ui, sans-serif; max-width: 34rem; margin: 15vh auto; padding: 0 1rem; }}</style>
</head>
<body>
  <p>{message}</p>
</body>
</html>
"""


def moved_lesson_page(lang: str, old_url: str, new_url: str, number: int, title: str, site_url: str | None) -> str:
    """The page left at a renumbered lesson's old address (``old_url``, a directory URL such as
    ``lessons/01-activation-functions/``): it sends the reader on at once (meta refresh, or script keeping the
    #anchor), names the new page as canonical, and shows a link to it in the page's language."""
    href = get_relative_url(new_url, old_url)
    label = html_lib.escape(f"{UI[lang]['lesson'].format(n=number)} · {title}")
    link = f'<a href="{html_lib.escape(href)}">{label}</a>'
    return MOVED_HTML.format(
        lang=lang, href=html_lib.escape(href), href_js=json.dumps(href).replace("</", "<\\/"),  # script text: no entities
        canonical=html_lib.escape((site_url or "") + new_url if site_url else href),
        title=html_lib.escape(UI[lang]["moved_title"].format(n=number, title=title)),
        message=UI[lang]["moved"].format(link=link))


#: (old, new) notebook paths of this build's moved lessons, copied by on_post_build once the notebooks are final
#: (site_hooks/exercises.py still edits them after on_files).
_moved_notebooks: list[tuple[str, str]] = []


def add_moved_lessons(files: Files, config: MkDocsConfig) -> None:
    """For each ``old: new`` slug of ``extra.moved_lessons``, the old address's page (see :func:`moved_lesson_page`)
    and, after the build, the new lesson's notebook under the old name (a download link to it may have been shared)."""
    lang = _language(config)
    _moved_notebooks.clear()
    for old, new in (config.extra.get("moved_lessons") or {}).items():
        lesson = files.get_file_from_path(f"lessons/{new}.py")
        if lesson is None:
            raise PluginError(f"extra.moved_lessons: {old!r} moved to {new!r}, which is not a lesson of docs_dir")
        if files.get_file_from_path(f"lessons/{old}.py") is not None:
            raise PluginError(f"extra.moved_lessons: {old!r} is still a lesson of docs_dir; its address is in use")
        info = lesson_summary(Path(lesson.abs_src_path))
        old_url = f"lessons/{old}/"
        page = moved_lesson_page(lang, old_url, lesson.url, info["number"], info["title"], config.site_url)
        _add(files, File.generated(config, old_url + "index.html", content=page))
        _moved_notebooks.append((f"lessons/{old}.ipynb", f"lessons/{new}.ipynb"))


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
# become a space, nor one next to full-width punctuation (a "（" or "，" carries its own space). Closing tags before
# the break and opening tags after it (a link, <strong>) do not matter. Code, outputs, scripts and the notebook's
# copy of each cell's source (div.clipboard-copy-txt) are left exactly as they are.
_PROTECTED_RE = re.compile(r'(<(pre|code|script|style|textarea)\b.*?</\2>|<div class="clipboard-copy-txt"[^>]*>.*?</div>)',
                           re.S)
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_FULLWIDTH_PUNCT = "\u3001\u3002\u3008-\u3011\u201c\u201d\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f"
_CLOSING_TAGS = r"((?:</[a-zA-Z]+>)*)"
_OPENING_TAGS = r"(?:<[a-zA-Z][^>]*>)*"
_BREAK = r"[ \t]*\n[ \t]*"
_CJK_BREAK_RES = (
    re.compile(f"(?<=[{_CJK}]){_CLOSING_TAGS}{_BREAK}(?={_OPENING_TAGS}[{_CJK}])"),
    re.compile(f"(?<=[{_FULLWIDTH_PUNCT}]){_CLOSING_TAGS}{_BREAK}"),
    re.compile(f"(){_BREAK}(?={_OPENING_TAGS}[{_FULLWIDTH_PUNCT}])"),
)


def join_cjk_lines(html: str) -> str:
    parts = _PROTECTED_RE.split(html)
    # split() with two groups yields: text, whole protected block, tag name, text, ...
    out = []
    for i, part in enumerate(parts):
        kind = i % 3
        if kind == 0:
            for pattern in _CJK_BREAK_RES:
                part = pattern.sub(r"\1", part)
            out.append(part)
        elif kind == 1:
            out.append(part)
    return "".join(out)


# ----------------------------------------------------------------------------------------- notebook stylesheet

_NOTEBOOK_START = '<div class="jupyter-wrapper">'
_STYLE_RE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.S)
_MERMAID_STYLE = ".jp-Mermaid"  # the Mermaid loader is removed above, so are its styles
#: The notebook stylesheet of this build: {site path: css}; written by on_post_build.
_notebook_css: dict[str, str] = {}


def share_notebook_styles(html: str, page: Page) -> str:
    """Replace the ``<style>`` blocks nbconvert puts before every notebook (Pygments, JupyterLab's theme, about
    590 KB) by one link to the same rules in a shared file, named by their hash so that browsers may cache it."""
    start = html.find(_NOTEBOOK_START)
    if start < 0:
        raise PluginError(f"{page.file.src_uri}: no notebook in the page (mkdocs-jupyter's markup changed?)")
    head = html[:start]
    css = "\n".join(block for block in _STYLE_RE.findall(head) if _MERMAID_STYLE not in block)
    if not css:
        return html
    path = f"assets/stylesheets/notebook-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    _notebook_css[path] = css
    link = f'<link rel="stylesheet" href="{get_relative_url(path, page.url)}">\n'
    return _STYLE_RE.sub("", head) + link + html[start:]


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    html = _MERMAID_RE.sub("", _MATHJAX_RE.sub("", html))
    if config.theme["language"] == "zh":
        html = join_cjk_lines(html)
    if LESSON_RE.match(page.file.src_uri):
        # Tracebacks name nnlib's files by the build machine's path; show them relative to the repository.
        html = html.replace(str(ROOT) + "/", "")
        html = _align_notebook_headings(html, page, config.plugins["mkdocs-jupyter"].config["toc_depth"])
        html = share_notebook_styles(html, page)
    match = _REMOTE_RESOURCE_RE.search(html)
    if match:
        context = html[max(0, match.start() - 80): match.end() + 120]
        raise PluginError(f"{page.file.src_uri} loads a resource from another host (the site must work offline): {context}")
    return html


# ------------------------------------------------------------------------------------------------ home page cards

#: Reading speeds for the time a lesson takes: prose words (English) or Han characters (Chinese) per minute, and
#: seconds per line of code (read, run, look at the output).
WORDS_PER_MINUTE = 180
HAN_PER_MINUTE = 300
SECONDS_PER_CODE_LINE = 6


def lesson_summary(path: Path) -> dict[str, Any]:
    """The title (the notebook's first heading), number and minutes to read of a lesson source."""
    notebook = jupytext.read(path)
    title, prose, code_lines = "", "", 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            if not title:
                match = re.search(r"^#\s+(.+)$", cell.source, re.M)
                title = match.group(1).strip() if match else ""
            prose += "\n" + re.sub(r"\$\$?[^$]*\$\$?|`[^`]*`|\(\.\./[^)]*\)", " ", cell.source)
        elif cell.cell_type == "code":
            code_lines += sum(1 for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#"))
    han = sum(len(run) for run in _HAN_RE.findall(prose))
    words = len(re.findall(r"[A-Za-z0-9][\w'-]*", _HAN_RE.sub(" ", prose)))
    minutes = words / WORDS_PER_MINUTE + han / HAN_PER_MINUTE + code_lines * SECONDS_PER_CODE_LINE / 60
    number, _, name = title.partition(". ")
    if not title or not number.isdigit():
        raise PluginError(f"{path}: the first heading must read '# <number>. <title>', found {title!r}")
    return {"number": int(number), "title": name, "minutes": max(5, 5 * round(minutes / 5))}


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file (its IHDR chunk), for the <img> tag's layout before the image arrives."""
    if not path.is_file():
        raise PluginError(f"{path} is missing (scripts/make_home_screenshot.py makes the home page's pictures)")
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise PluginError(f"{path} is not a PNG file")
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def home_parts(page: Page, files: Files, lang: str) -> list[dict[str, Any]]:
    """The lesson cards of the home page, grouped by part, from the page's front matter (``parts``: title and
    lessons, each a slug and a summary) and the lessons themselves (title, number, time to read)."""
    parts = []
    listed = set()
    for part in page.meta.get("parts", []):
        lessons = []
        for item in part["lessons"]:
            file = files.get_file_from_path(f"lessons/{item['slug']}.py")
            if file is None:
                raise PluginError(f"{page.file.src_uri}: no lesson {item['slug']!r} (front matter 'parts')")
            info = lesson_summary(Path(file.abs_src_path))
            lessons.append({**info, "slug": item["slug"], "summary": item["summary"], "url": file.url,
                            "label": UI[lang]["lesson"].format(n=info["number"]),
                            "minutes_text": UI[lang]["minutes"].format(n=info["minutes"]),
                            "minutes_label": UI[lang]["minutes_label"].format(n=info["minutes"])})
            listed.add(file.src_uri)
        parts.append({"title": part["title"], "lessons": lessons})
    missing = sorted(f.src_uri for f in files if LESSON_RE.match(f.src_uri) and f.src_uri not in listed)
    if parts and missing:
        raise PluginError(f"{page.file.src_uri}: lessons missing from the home page's front matter 'parts': {missing}")
    return parts


def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    lang = _language(config)
    data: dict[str, Any] = {"ui": UI[lang], "wheel": f"downloads/{wheel_path().name}", "wheel_name": wheel_path().name}
    if page.is_homepage:
        assert _files is not None
        data["parts"] = home_parts(page, _files, lang)
        image = page.meta.get("hero", {}).get("image")
        if image:
            data["hero_size"] = png_size(SHARED_ASSETS.parent / image)
    if LESSON_RE.match(page.file.src_uri):
        data["notebook"] = page.file.src_uri[:-3] + ".ipynb"
        data["notebook_name"] = os.path.basename(data["notebook"])
    context["nnlib"] = data
    return context


# ---------------------------------------------------------------------------------------------------- search index

#: Tags Material's search keeps in an entry's text (plugins/search/plugin.py, Parser.keep); others keep their text only.
_SEARCH_KEEP = {"p", "code", "pre", "li", "ol", "ul", "sub", "sup"}
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _search_html(element) -> str:
    """An element's content as Material's search index stores it: text, with only the tags it keeps, no attributes."""
    from bs4 import NavigableString, Tag

    out: list[str] = []
    for child in element.children:
        if isinstance(child, Tag):
            if child.name in ("script", "style", "svg", "nav") or "anchor-link" in child.get("class", []):
                continue
            inner = _search_html(child)
            out.append(f"<{child.name}>{inner}</{child.name}>" if child.name in _SEARCH_KEEP else inner)
        elif isinstance(child, NavigableString) and type(child) is NavigableString:
            out.append(html_lib.escape(str(child), quote=False))
    return "".join(out)


def lesson_search_entries(html: str, url: str) -> list[dict[str, str]]:
    """The search entries of a built lesson page: the page (its title and introduction), then one per heading of the
    table of contents, each with its prose and code cells in order. Code appears once, as it reads in the editor;
    prompts ("In [2]:"), copy buttons and outputs are left out."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    notebook = soup.select_one(".jupyter-wrapper .jp-Notebook")
    if notebook is None:
        raise PluginError(f"{url}: no notebook to index")
    entries: list[dict[str, str]] = []
    current: dict[str, Any] | None = None

    def start(title: str, location: str) -> None:
        nonlocal current
        current = {"location": location, "title": title, "parts": []}
        entries.append(current)

    for cell in notebook.find_all(class_="jp-Cell", recursive=False):
        if "jp-CodeCell" in cell.get("class", []):
            source = cell.select_one(".clipboard-copy-txt")
            if source is not None and current is not None and source.get_text().strip():
                current["parts"].append(f"<pre><code>{html_lib.escape(source.get_text(), quote=False)}</code></pre>")
            continue
        markdown = cell.select_one(".jp-RenderedMarkdown")
        if markdown is None:
            continue
        for element in markdown.children:
            if not getattr(element, "name", None):
                if str(element).strip() and current is not None:
                    current["parts"].append(html_lib.escape(str(element).strip(), quote=False))
                continue
            if element.name in ("h1", "h2", "h3") and element.get("id"):
                title = "".join(_search_html(element)).strip()
                # The H1 is the page's own entry (no anchor), as Material indexes a Markdown page.
                start(title, url if element.name == "h1" and not entries else f"{url}#{element['id']}")
                continue
            if current is None or element.name == "nav":
                continue
            text = _search_html(element).strip()
            if text:
                current["parts"].append(f"<{element.name}>{text}</{element.name}>" if element.name in _SEARCH_KEEP
                                        else text)
    return [{"location": e["location"], "title": e["title"], "text": " ".join(e["parts"])} for e in entries]


def _segment_chinese(text: str) -> str:
    """Material's segmentation (plugins/search/plugin.py): jieba's words of each run of Han characters, joined and
    surrounded by U+200B, which the zh build's search separator splits on."""
    import jieba

    return _HAN_RE.sub(lambda m: "\u200b" + "\u200b".join(jieba.cut(m.group(0))) + "\u200b", text).strip("\u200b")


def rewrite_search_index(site_dir: Path, lessons: list[str], segment: bool) -> None:
    """Replace the lessons' entries of Material's search index by :func:`lesson_search_entries`."""
    index_path = site_dir / "search" / "search_index.json"
    if not index_path.exists():
        return
    index = json.loads(index_path.read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = []
    done: set[str] = set()
    for doc in index["docs"]:
        page_url = doc["location"].split("#", 1)[0]
        if page_url not in lessons:
            docs.append(doc)
            continue
        if page_url in done:
            continue
        done.add(page_url)
        page_html = (site_dir / page_url / "index.html").read_text(encoding="utf-8")
        for entry in lesson_search_entries(page_html, page_url):
            if segment:
                entry = {**entry, "title": _segment_chinese(entry["title"]), "text": _segment_chinese(entry["text"])}
            docs.append(entry)
    index["docs"] = docs
    index_path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def on_post_build(config: MkDocsConfig) -> None:
    site_dir = Path(config.site_dir)
    for path, css in _notebook_css.items():
        (site_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / path).write_text(css, encoding="utf-8")
    _notebook_css.clear()
    for old, new in _moved_notebooks:
        shutil.copyfile(site_dir / new, site_dir / old)
    lessons = sorted(p.parent.relative_to(site_dir).as_posix() + "/" for p in (site_dir / "lessons").glob("*/index.html"))
    rewrite_search_index(site_dir, lessons, segment=config.theme["language"] == "zh")
    # Material renders a 404 page per language with links from the host's root (/assets/..., /lessons/...), which
    # do not exist in this layout (site/<lang>/...). Static hosts serve the site root's 404.html, which
    # scripts/build_site.py writes for both languages; a per-language copy would only ever show broken links.
    (site_dir / "404.html").unlink(missing_ok=True)
