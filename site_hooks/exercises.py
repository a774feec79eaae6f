"""MkDocs hook: the self-checking exercises of the lessons, and the cell ids the page keeps the reader's work under.

An exercise in a lesson source (docs/<lang>/lessons/*.py, jupytext percent format) is three code cells that share the
metadata ``exercise="<id>"``, in this order:

* ``tags=["exercise"]``: the starter the reader edits (the page adds a Check button to it);
* ``tags=["check"]``: the checks, ending with ``ex.report(...)`` (:mod:`nnlib.exercises`); hidden on the page,
  where the Check button runs them; in the notebook, the cell the reader runs after editing the starter;
* ``tags=["solution"]``: the solution, folded under "Show solution" on the page and collapsed in the notebook.

At build time (``on_files``) every lesson runs natively, cell by cell: each exercise's checks must fail on its starter
(unless the starter is tagged ``starter-passes``) and pass on its solution, else the build fails: an exercise whose
checks cannot fail, or whose solution is wrong, never reaches a reader. ``on_page_content`` gives every code cell of
a lesson page ``data-nnlib-cell`` (a stable id: the exercise id, else ``cell-<n>``) and ``data-nnlib-version`` (a hash
of its code without comments and string text, so it is the same in both languages and changes when the code does):
web/storage.js keys the reader's edits by lesson and cell id, and does not restore them over a changed cell.

``python site_hooks/exercises.py LESSON.py [--replace ID=FILE ...]`` runs the same verification and prints JSON
(tests use it to feed wrong answers in place of a starter).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tokenize
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LESSON_RE = re.compile(r"^lessons/[^/]+\.py$")
ROLES = ("exercise", "check", "solution")
UI = {
    "en": {"show_solution": "Show solution", "exercise": "Exercise"},
    "zh": {"show_solution": "查看参考答案", "exercise": "练习"},
}


class ExerciseError(Exception):
    """A malformed exercise, or checks that do not tell its starter from its solution."""


# ----------------------------------------------------------------------------------------------------- the source


def role_of(cell: Any) -> str | None:
    roles = [tag for tag in cell.metadata.get("tags", []) if tag in ROLES]
    if len(roles) > 1:
        raise ExerciseError(f"a cell has several exercise tags {roles}:\n{cell.source[:200]}")
    if roles and not cell.metadata.get("exercise"):
        raise ExerciseError(f'a cell tagged {roles[0]!r} has no exercise="<id>" metadata:\n{cell.source[:200]}')
    return roles[0] if roles else None


def code_cells(notebook: Any) -> list[Any]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def exercises_of(notebook: Any, where: str = "lesson") -> dict[str, dict[str, Any]]:
    """``{id: {"exercise": cell, "check": cell, "solution": cell}}``; checks the three cells follow each other."""
    found: dict[str, dict[str, Any]] = {}
    expected = iter(())
    cells = code_cells(notebook)
    for i, cell in enumerate(cells):
        role = role_of(cell)
        if role is None:
            continue
        ident = cell.metadata["exercise"]
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", ident):
            raise ExerciseError(f"{where}: exercise id {ident!r}: use lower-case letters, digits and hyphens")
        if role == "exercise":
            if ident in found:
                raise ExerciseError(f"{where}: two exercises have the id {ident!r}")
            found[ident] = {"exercise": cell}
            expected = iter(["check", "solution"])
            continue
        want = next(expected, None)
        if role != want or ident not in found or role in found[ident]:
            raise ExerciseError(f"{where}: exercise {ident!r}: cell {i + 1} is its {role!r} cell, but an exercise is "
                                f"the code cells 'exercise', 'check', 'solution' in this order")  # fmt: skip
        found[ident][role] = cell
    for ident, parts in found.items():
        if set(parts) != set(ROLES):
            raise ExerciseError(f"{where}: exercise {ident!r} lacks its {sorted(set(ROLES) - set(parts))} cell")
    return found


def code_version(source: str) -> str:
    """A hash of the code without comments and with string text masked: equal in both languages of a lesson
    (tests/test_site.py checks the code is), different as soon as names, numbers or structure change."""
    tokens = []
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER}
    fstring_middle = getattr(tokenize, "FSTRING_MIDDLE", None)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in skip:
                continue
            text = "<text>" if tok.type == tokenize.STRING or tok.type == fstring_middle else tok.string
            tokens.append(f"{tok.type}:{text}")
    except (tokenize.TokenError, SyntaxError):
        tokens = [source]
    return hashlib.sha256("\n".join(tokens).encode()).hexdigest()[:12]


def cell_ids(notebook: Any) -> list[str]:
    """The stable id of each code cell: the exercise id for a starter, ``<id>-check``/``<id>-solution`` for its other
    cells, ``cell-<n>`` (1-based among code cells) for the others."""
    ids = []
    for n, cell in enumerate(code_cells(notebook), start=1):
        role = role_of(cell)
        ident = cell.metadata.get("exercise")
        ids.append(ident if role == "exercise" else f"{ident}-{role}" if role else f"cell-{n}")
    return ids


# ----------------------------------------------------------------------------------------------------- verification


def run_lesson(path: Path, replacements: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a lesson's code cells natively in one namespace; evaluate each exercise's checks after its starter (or
    the code given for its id in ``replacements``) and after its solution.

    Returns ``{id: {"starter": report dict, "solution": report dict, "starter_passes": bool}}`` (see
    :meth:`nnlib.exercises.Report.to_dict`). Raises ExerciseError for a malformed exercise; an exception in a cell
    not tagged ``raises-exception`` propagates.
    """
    import jupytext
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib import exercises

    notebook = jupytext.read(path)
    found = exercises_of(notebook, str(path))
    unknown = set(replacements or {}) - set(found)
    if unknown:
        raise ExerciseError(f"{path}: no exercise {sorted(unknown)}")
    results: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__name__": "__main__"}
    old_show, plt.show = plt.show, lambda *a, **k: plt.close("all")
    cwd = os.getcwd()
    os.chdir(path.parent)
    cells = code_cells(notebook)
    last = max((n for n, cell in enumerate(cells, start=1) if role_of(cell) == "solution"), default=0)
    try:
        for n, cell in enumerate(cells[:last], start=1):  # the cells after the last exercise change nothing here
            role = role_of(cell)
            ident = cell.metadata.get("exercise")
            source = cell.source
            if role == "exercise" and replacements and ident in replacements:
                source = replacements[ident]
            if role == "check":
                report = json.loads(exercises.page_report(source, namespace))
                results[ident] = {"starter": report, "check_source": source,
                                  "starter_passes": "starter-passes" in found[ident]["exercise"].metadata.get("tags", [])}  # fmt: skip
                continue
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(source, f"{path.name} code cell {n}", "exec"), namespace)  # noqa: S102
            except Exception:
                if "raises-exception" not in cell.metadata.get("tags", []) and role != "exercise":
                    raise
            if role == "solution":
                results[ident]["solution"] = json.loads(exercises.page_report(results[ident].pop("check_source"),
                                                                              namespace))  # fmt: skip
            plt.close("all")
    finally:
        plt.show = old_show
        os.chdir(cwd)
    return results


def run_fresh(path: Path, replacements: dict[str, str] | None = None) -> dict[str, Any]:
    """:func:`run_lesson` in a fresh Python process (a lesson changes matplotlib's and numpy's global state)."""
    args = [sys.executable, __file__, str(path)]
    with tempfile.TemporaryDirectory() as tmp:
        for ident, code in (replacements or {}).items():
            (Path(tmp) / ident).write_text(code, encoding="utf-8")
            args += ["--replace", f"{ident}={Path(tmp) / ident}"]
        proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)})  # fmt: skip
    if proc.returncode != 0:
        raise ExerciseError(f"{path}: running the lesson's exercises failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def verify(path: Path) -> dict[str, Any]:
    """Run ``path``'s exercises in a fresh Python (see :func:`run_lesson`); raise ExerciseError unless every
    solution passes its checks and every starter fails them (unless tagged ``starter-passes``)."""
    results = run_fresh(path)
    problems = []
    for ident, result in results.items():
        if not result["solution"]["passed"]:
            failed = [c for c in result["solution"]["checks"] if not c["passed"]]
            problems.append(f"exercise {ident!r}: its solution fails its checks: {failed}")
        if result["starter"]["passed"] and not result["starter_passes"]:
            problems.append(f"exercise {ident!r}: its starter passes its checks, so the checks cannot fail (tag the "
                            f"starter 'starter-passes' if it is meant to pass)")  # fmt: skip
    if problems:
        raise ExerciseError(f"{path}:\n" + "\n".join(problems))
    return results


# ----------------------------------------------------------------------------------------------------- HTML


_INNER_CELL_RE = re.compile(r'<div class="jp-Cell jp-CodeCell jp-Notebook-cell([^"]*)"( id="cell-id=[^"]*")')
_DIV_RE = re.compile(r"<div\b|</div>")


def _outer_bounds(html: str, inner_start: int) -> tuple[int, int]:
    """Start and end of the outer cell div that nbconvert wraps around the inner one starting at ``inner_start``."""
    start = html.rfind('<div class="jp-Cell jp-CodeCell', 0, inner_start)
    depth = 0
    for m in _DIV_RE.finditer(html, start):
        depth += 1 if m.group(0) == "<div" else -1
        if depth == 0:
            return start, m.end()
    raise ExerciseError("unbalanced <div> in a notebook cell")


def annotate(html: str, notebook: Any, lang: str, where: str) -> str:
    """Add the cell ids, versions and exercise roles to a lesson page; hide check cells; fold solutions."""
    cells = code_cells(notebook)
    ids = cell_ids(notebook)
    matches = list(_INNER_CELL_RE.finditer(html))
    if len(matches) != len(cells):
        raise ExerciseError(f"{where}: {len(cells)} code cells in the source but {len(matches)} in the page")
    # From the end, so that earlier offsets stay valid.
    for m, cell, ident in reversed(list(zip(matches, cells, ids))):
        role = role_of(cell)
        attrs = f' data-nnlib-cell="{ident}" data-nnlib-version="{code_version(cell.source)}"'
        extra_class = ""
        if role:
            attrs += f' data-nnlib-exercise="{cell.metadata["exercise"]}" data-nnlib-role="{role}"'
            if role != "exercise":
                extra_class = " celltag_nnrt-skip"  # not a runnable cell of the page (web/app.js: findCells)
        start = m.start()
        tag = f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell{m.group(1)}{extra_class}"{attrs}{m.group(2)}'
        html = html[:start] + tag + html[m.end():]
        if role == "check":
            outer_start, _ = _outer_bounds(html, start)
            html = html[:outer_start] + '<div hidden class="nnlib-check ' + html[outer_start + len('<div class="'):]
        elif role == "solution":
            outer_start, outer_end = _outer_bounds(html, start)
            html = (f'{html[:outer_start]}<details class="nnlib-solution" data-nnlib-exercise="{cell.metadata["exercise"]}">'
                    f'<summary>{UI[lang]["show_solution"]}</summary>{html[outer_start:outer_end]}</details>'
                    f"{html[outer_end:]}")  # fmt: skip
        elif role == "exercise":
            outer_start, _ = _outer_bounds(html, start)
            label = f'<div data-nnlib-label="{UI[lang]["exercise"]}" class="nnlib-exercise '
            html = html[:outer_start] + label + html[outer_start + len('<div class="'):]
    return html


# ----------------------------------------------------------------------------------------------------- hooks


def on_files(files: Any, config: Any) -> Any:
    import nbformat
    from mkdocs.exceptions import PluginError

    lessons = [file for file in files if LESSON_RE.match(file.src_uri)]
    # One Python per lesson, side by side: they mostly wait for their lesson's imports and training cells.
    with ThreadPoolExecutor(max_workers=3) as pool:
        checked = [pool.submit(verify, Path(file.abs_src_path)) for file in lessons]
        try:
            for future in checked:
                future.result()
        except ExerciseError as exc:
            raise PluginError(str(exc)) from exc
    for file in lessons:
        # The reader's notebook (written by nnlib_site.py): solutions collapsed, for JupyterLab to open on request.
        notebook_file = files.get_file_from_path(file.src_uri[:-3] + ".ipynb")
        if notebook_file is None:
            continue
        notebook = nbformat.reads(notebook_file.content_string, as_version=4)
        for cell in code_cells(notebook):
            if role_of(cell) == "solution":
                cell.metadata["jupyter"] = {"source_hidden": True}
        notebook_file.content_string = nbformat.writes(notebook)
    return files


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if not LESSON_RE.match(page.file.src_uri):
        return html
    import jupytext
    from mkdocs.exceptions import PluginError

    try:
        return annotate(html, jupytext.read(page.file.abs_src_path), config.theme["language"], page.file.src_uri)
    except ExerciseError as exc:
        raise PluginError(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a lesson's exercises; print their reports as JSON.")
    parser.add_argument("lesson", type=Path)
    parser.add_argument("--replace", action="append", default=[], metavar="ID=FILE",
                        help="run the code in FILE instead of exercise ID's starter")  # fmt: skip
    args = parser.parse_args(argv)
    replacements = {}
    for item in args.replace:
        ident, _, name = item.partition("=")
        replacements[ident] = Path(name).read_text(encoding="utf-8")
    results = run_lesson(args.lesson.resolve(), replacements)
    for result in results.values():
        result.pop("check_source", None)
    json.dump(results, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
