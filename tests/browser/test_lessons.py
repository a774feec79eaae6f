"""End-to-end: every lesson of the course in headless Chromium on the offline build, in both languages.

For each lesson page: the editors hold exactly the lesson's code (nothing on the page, such as math typesetting,
altered it), "Run all" runs every cell in order without an error, the figures appear, and the outputs the reader
sees carry the lesson's results. The time each cell took in Python (the runtime's ``data-nnrt-elapsed``) is printed,
with the slowest cell of each page: run with ``-s`` to read them. They are recorded, not asserted (timings belong to
benchmarks); the lessons are sized so that every cell takes a few seconds at most in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_helpers import RequestLog, new_context

pytestmark = [pytest.mark.slow, pytest.mark.native_only]

ROOT = Path(__file__).resolve().parents[2]
LOAD_TIMEOUT = 120_000  # ms: cold Pyodide + numpy + matplotlib + nnlib on a busy 2-core machine
RUN_ALL_TIMEOUT = 300_000

# What the outputs must show once every cell has run (the same numbers in both languages): a lesson's key results.
EXPECTED = {
    "01-perceptrons": [r"nnlib\S* \[0 1 1 0\]"],
    "02-activation-functions": [r"0\.19661193", r"9\.99954600e-01"],
    "03-forward-pass": [r"0\.912", r"45360"],
    "04-loss-functions": [r"0\.5108256237659907", r"2\.3025850929940455", r"\b400\b"],
    "05-numerical-gradients": [r"\[0 1 1 0 1 0 0 1\]\s+\S+\s+\[0 1 1 0 1 0 0 1\]", r"39760"],
    "06-computational-graphs": [r"\b715\b", r"\[\s*2\.2\s+110\.\s+3\.3\s+165\.\s+650\.\s*\]"],
    "07-layers": [r"\[\[-0\.341\s+0\.2424\s+0\.0986\]\]", r"\[0\. 1\. 0\. 1\.\]", r"\[nan nan nan nan nan\]",
                  r"\[-1\.\s+0\.\s+1\.\s+0\.\s+0\.\]"],
    "08-gradient-check": [r"b2\s+1\.00e\+00", r"2\.50e-01", r"0\.600"],
    "09-digits-network": [r"\(\d+, 64\)", r"\b4520\b"],
    "10-two-layer-mnist": [r"\b39760\b", r"0\.6336", r"\b5000\b"],
    "11-nielsen-network": [r"0\.33333", r"1\.0e\+00"],
    "12-multilayer-network": [r"00 00 08 03 00 00 13 88 00 00 00 1c 00 00 00 1c", r"\(2051, 5000, 28, 28\)",
                              r"\[100 100 100 100 100 100 100 100 100 100\]", r"\b3920016\b"],
}
LESSONS = sorted(EXPECTED)


def test_every_lesson_is_covered() -> None:
    on_disk = sorted(p.stem for p in (ROOT / "docs" / "en" / "lessons").glob("*.py"))
    assert LESSONS == on_disk, "give every lesson its expected outputs in EXPECTED"


def lesson_code(lang: str, lesson: str) -> list[str]:
    """The code of the cells the page makes runnable: all but the exercises' checks and solutions."""
    import jupytext

    cells = jupytext.read(ROOT / "docs" / lang / "lessons" / f"{lesson}.py").cells
    return [c.source for c in cells
            if c.cell_type == "code" and not {"check", "solution"} & set(c.metadata.get("tags", []))]


@pytest.fixture(scope="module")
def context(browser) -> Iterator[object]:
    log = RequestLog()
    ctx = new_context(browser, log)
    yield ctx
    ctx.close()
    assert log.foreign == [], f"requests off 127.0.0.1: {sorted(set(log.foreign))}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson", LESSONS)
def test_every_cell_runs_in_order(context, site_url: str, lang: str, lesson: str) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.add_init_script("window.NNLIB_RUNTIME_AUTOSTART = false")
        page.goto(f"{site_url}/{lang}/lessons/{lesson}/")
        page.wait_for_function("self.crossOriginIsolated === true", timeout=20_000)
        page.wait_for_function("window.nnlibRuntime && window.nnlibRuntime.notebook", timeout=20_000)

        expected_code = lesson_code(lang, lesson)
        codes = page.evaluate("window.nnlibRuntime.notebook.cells.map((c) => c.editor.getCode())")
        assert len(codes) == len(expected_code), f"{len(codes)} runnable cells, the lesson has {len(expected_code)}"
        for n, (got, want) in enumerate(zip(codes, expected_code), start=1):
            assert got == want.rstrip("\n"), f"cell {n}: the editor holds\n{got}\ninstead of\n{want}"

        # The build's figures, counted before the live outputs (in the same markup) take their place.
        static_figures = page.locator(".jp-OutputArea-output img").count()
        page.get_by_role("button", name=re.compile("Run all|全部运行")).click()
        last = len(codes)
        page.wait_for_function(
            "(n) => ['done', 'error'].includes(document.querySelector(`[data-nnrt-cell=\"${n}\"]`).dataset.nnrtState)",
            arg=last, timeout=LOAD_TIMEOUT + RUN_ALL_TIMEOUT)
        cells = page.evaluate("""() => [...document.querySelectorAll('[data-nnrt-cell]')].map((c) => ({
            n: Number(c.dataset.nnrtCell), state: c.dataset.nnrtState, ms: Number(c.dataset.nnrtElapsed || 0),
            expectsError: c.classList.contains('celltag_raises-exception'),
            output: (c.querySelector('.nnrt-output') || {innerText: ''}).innerText,
            figures: c.querySelectorAll('img.nnrt-figure').length}))""")
        # A cell tagged raises-exception shows its error on purpose (and Run all goes on after it); any other must not.
        failed = [f"cell {c['n']}: {c['state']}\n{c['output'][-1500:]}" for c in cells
                  if c["state"] != ("error" if c["expectsError"] else "done")]
        assert not failed, "cells that did not run cleanly:\n" + "\n".join(failed)

        assert sum(c["figures"] for c in cells) >= static_figures > 0, "a figure of the build is missing in the browser"
        text = "\n".join(c["output"] for c in cells)
        for pattern in EXPECTED[lesson]:
            assert re.search(pattern, text), f"no output matches {pattern!r}"
        assert not errors, f"uncaught errors on the page: {errors}"

        slowest = max(cells, key=lambda c: c["ms"])
        timings = " ".join(f"{c['n']}:{c['ms'] / 1000:.2f}" for c in cells)
        print(f"\n{lang}/{lesson}: slowest cell {slowest['n']} {slowest['ms'] / 1000:.2f} s; all (cell:s) {timings}")
    finally:
        page.close()
