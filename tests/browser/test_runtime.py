"""End-to-end tests of the in-browser runtime: the offline site build in headless Chromium, nothing but 127.0.0.1.

The tests of this module share one browser context and, mostly, one lesson page (Python starts once); they run in
file order and build on each other's state where that is the point (Stop keeps variables, Restart clears them).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from browser_helpers import new_context

pytestmark = [pytest.mark.slow, pytest.mark.native_only]  # Chromium and an HTTP server: processes, sockets

LESSON = "/{lang}/lessons/02-activation-functions/"
DIGITS = "/en/lessons/09-digits-network/"
LOAD_TIMEOUT = 90_000  # ms: cold Pyodide + numpy + nnlib on a busy 2-core machine
RUN_TIMEOUT = 60_000


# --------------------------------------------------------------------------------------------------------- helpers


def open_lesson(page, url: str, isolated: bool = True) -> None:
    """Open a lesson page and wait until its cells are runnable (after the service worker's one-time reload)."""
    page.goto(url)
    if isolated:
        page.wait_for_function("self.crossOriginIsolated === true", timeout=20_000)
    page.wait_for_function("window.nnlibRuntime && window.nnlibRuntime.notebook", timeout=20_000)


def cell(page, n: int):
    return page.locator(f'[data-nnrt-cell="{n}"]')


def cell_count(page) -> int:
    return page.locator("[data-nnrt-cell]").count()


def state(page, n: int) -> str:
    return cell(page, n).get_attribute("data-nnrt-state")


def wait_state(page, n: int, states: tuple[str, ...] = ("done", "error", "stopped"), timeout: float = RUN_TIMEOUT) -> str:
    page.wait_for_function(
        "([n, states]) => states.includes(document.querySelector(`[data-nnrt-cell=\"${n}\"]`).dataset.nnrtState)",
        arg=[n, list(states)],
        timeout=timeout,
    )
    return state(page, n)


def set_code(page, n: int, code: str) -> None:
    """Replace the code of cell n by typing into its editor (select all, then insert the text)."""
    cell(page, n).locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)
    assert editor_code(page, n) == code


def editor_code(page, n: int) -> str:
    return page.evaluate("(n) => window.nnlibRuntime.notebook.cells[n - 1].editor.getCode()", n)


def run(page, n: int, timeout: float = RUN_TIMEOUT) -> str:
    cell(page, n).get_by_role("button", name=re.compile(rf"^Run cell {n}\b")).click()
    return wait_state(page, n, timeout=timeout)


def output(page, n: int) -> str:
    return cell(page, n).locator(".nnrt-output").inner_text()


def wait_ready(page, timeout: float = LOAD_TIMEOUT) -> None:
    page.wait_for_function("window.nnlibRuntime.kernel.state === 'ready'", timeout=timeout)


def stop(page, n: int) -> str:
    cell(page, n).get_by_role("button", name=re.compile(rf"^Stop cell {n}\b")).click()
    return wait_state(page, n, timeout=15_000)


def assert_neutral_stop(page, n: int) -> str:
    """A Stop the reader asked for: a neutral note, no traceback, no error status, no progress bar left behind."""
    out = output(page, n)
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
    assert cell(page, n).locator(".nnrt-traceback, [role=alert]").count() == 0
    assert cell(page, n).locator(".nnrt-note-error").count() == 0
    assert cell(page, n).locator(".nnrt-cellstatus").inner_text() == "Stopped"
    assert cell(page, n).locator(".nnrt-progress").count() == 0
    return out


def record_toolbar_rows(page) -> None:
    """From now on, record the toolbar row's height and its items' vertical centres at every runtime state."""
    page.evaluate(
        """() => {
            const bar = document.querySelector(".nnrt-toolbar");
            const row = bar.querySelector(".nnrt-toolbar-row");
            window.__toolbarRows = [];
            const sample = () => window.__toolbarRows.push({
                state: bar.dataset.nnrtRuntime || "idle",
                height: row.getBoundingClientRect().height,
                centres: [...row.children].filter((c) => c.offsetParent).map((c) => {
                    const r = c.getBoundingClientRect();
                    return r.top + r.height / 2;
                }),
            });
            sample();
            new MutationObserver(sample).observe(bar, {subtree: true, childList: true, characterData: true,
                                                       attributes: true, attributeFilter: ["data-nnrt-runtime"]});
        }"""
    )


# --------------------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lesson(context, site_url: str) -> Iterator[object]:
    """The English first lesson, isolated by the site's service worker; Python starts on the first Run."""
    page = context.new_page()
    page.add_init_script("window.NNLIB_RUNTIME_AUTOSTART = false")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_lesson(page, site_url + LESSON.format(lang="en"))
    assert cell_count(page) >= 3, "the first lesson should have at least three code cells"
    yield page
    page.close()
    assert not errors, f"uncaught errors on the page: {errors}"


# --------------------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize(
    ("lang", "run_label", "run_all", "restart", "reset", "idle"),
    [
        ("en", "Run cell 1 (Shift+Enter)", "Run all", "Restart", "Reset cell 1", "Python starts when you run a cell"),
        ("zh", "运行第 1 个单元格（Shift+Enter）", "全部运行", "重启", "重置第 1 个单元格", "运行任一单元格时启动 Python"),
    ],
)
def test_labels_in_the_page_language(context, site_url, lang, run_label, run_all, restart, reset, idle) -> None:
    page = context.new_page()
    page.add_init_script("window.NNLIB_RUNTIME_AUTOSTART = false")
    try:
        open_lesson(page, site_url + LESSON.format(lang=lang))
        assert page.get_attribute("html", "lang").startswith(lang)
        run_button = page.get_by_role("button", name=run_label, exact=True)
        assert run_button.count() == 1
        assert run_button.evaluate("b => b.tagName") == "BUTTON"
        assert page.get_by_role("button", name=re.compile(run_all)).count() == 1
        assert page.get_by_role("button", name=re.compile(restart)).count() == 1
        assert page.get_by_role("button", name=re.compile("^" + re.escape(reset) + r"(?!\d)")).count() == 1
        assert page.locator(".nnrt-toolbar .nnrt-state").inner_text() == idle
        editor = cell(page, 1).locator(".cm-content")
        assert editor.get_attribute("aria-label") == ("Code of cell 1" if lang == "en" else "第 1 个单元格的代码")
    finally:
        page.close()


def test_python_starts_in_the_background_and_the_toolbar_says_so(context, site_url) -> None:
    """Without a Run, Python starts once the page is idle; the idle text announces that (not "when you run a cell")."""
    page = context.new_page()
    try:
        open_lesson(page, site_url + LESSON.format(lang="zh"))
        text = page.locator(".nnrt-toolbar .nnrt-state").inner_text()
        assert text == "Python 稍后会在后台启动" or text.startswith("正在"), text
        page.wait_for_function("['loading', 'ready'].includes(window.nnlibRuntime.kernel.state)", timeout=20_000)
        assert "运行任一单元格时" not in page.locator(".nnrt-toolbar .nnrt-state").inner_text()
        wait_ready(page)
        text = page.locator(".nnrt-toolbar .nnrt-state").inner_text()
        assert re.fullmatch(r"Python 已就绪（加载用时 \d+\.\d 秒）", text), text  # full-width brackets, "ready" once
        assert page.locator(".nnrt-toolbar .nnrt-state").evaluate("(el) => el.scrollWidth <= el.clientWidth")
    finally:
        page.close()


def test_running_a_later_cell_first_runs_the_earlier_ones(lesson) -> None:
    page = lesson
    last = cell_count(page)
    record_toolbar_rows(page)
    t0 = time.monotonic()
    cell(page, last).get_by_role("button", name=re.compile(rf"^Run cell {last}\b")).click()
    # Visibly: the earlier cells are queued on behalf of the clicked one before Python is even loaded.
    assert state(page, 1) in ("queued", "running")
    assert f"cell {last}" in cell(page, 1).locator(".nnrt-cellstatus").inner_text()
    page.wait_for_selector(".nnrt-toolbar[data-nnrt-runtime=loading] progress.nnrt-loading", timeout=10_000)
    assert wait_state(page, last, timeout=LOAD_TIMEOUT) == "done", output(page, last)
    for n in range(1, last + 1):
        expected = "error" if "celltag_raises-exception" in (cell(page, n).get_attribute("class") or "") else "done"
        assert state(page, n) == expected, f"cell {n}: {output(page, n)}"
        assert re.fullmatch(r"In \[\d+\]:", cell(page, n).locator(".jp-InputPrompt").inner_text()), n
        # Cell 1 imports pyplot before any warm-up could: matplotlib builds its font cache then, silently.
        assert "font cache" not in output(page, n), output(page, n)
    print(f"first Run to last cell done: {time.monotonic() - t0:.1f} s (includes loading Python)")
    # The toolbar kept one row of the same height through idle, loading, ready and running.
    rows = page.evaluate("window.__toolbarRows")
    assert {"idle", "loading", "ready", "running"} <= {row["state"] for row in rows}, rows
    assert max(row["height"] for row in rows) - min(row["height"] for row in rows) < 1, rows
    for row in rows:
        assert max(row["centres"]) - min(row["centres"]) < 4, f"toolbar items not on one line: {row}"


def test_run_all_runs_every_cell_in_order(lesson) -> None:
    page = lesson
    page.get_by_role("button", name=re.compile("Run all")).click()
    last = cell_count(page)
    assert state(page, last) == "queued"
    wait_state(page, last, timeout=RUN_TIMEOUT * 2)
    counts = [int(re.search(r"\d+", cell(page, n).locator(".jp-InputPrompt").inner_text()).group()) for n in range(1, last + 1)]
    assert counts == sorted(counts) and len(set(counts)) == last, counts
    assert all(state(page, n) in ("done", "error") for n in range(1, last + 1))


def test_edited_code_runs_and_a_traceback_points_at_the_cell(lesson) -> None:
    page = lesson
    set_code(page, 1, "def inverse(v):\n    return 1 / v\n\nvalue = 21\ninverse(0)")
    assert run(page, 1) == "error"
    traceback = cell(page, 1).locator(".nnrt-traceback").inner_text()
    assert 'File "<cell 1>", line 5, in <module>' in traceback
    assert 'File "<cell 1>", line 2, in inverse' in traceback
    assert "return 1 / v" in traceback and "ZeroDivisionError: division by zero" in traceback
    assert "_nnlib_runner" not in traceback  # the runner's own frames are hidden
    # The next cell still runs, in the same namespace; printed text is text, not HTML.
    set_code(page, 2, 'print("<b>not bold</b>", value * 2)\nvalue')
    assert run(page, 2) == "done"
    assert "<b>not bold</b> 42" in output(page, 2)
    assert cell(page, 2).locator(".nnrt-output b").count() == 0
    assert cell(page, 2).locator(".nnrt-result").inner_text() == "21"


def test_a_matplotlib_figure_appears(lesson) -> None:
    page = lesson
    set_code(page, 3, "import matplotlib.pyplot as plt\nplt.plot([0, 1, 2], [2, 0, 1])\nplt.title('e2e')\nplt.show()")
    assert run(page, 3) == "done", output(page, 3)
    figure = cell(page, 3).locator("img.nnrt-figure")
    assert figure.count() == 1
    figure.wait_for()
    assert page.wait_for_function("(img) => img.complete && img.naturalWidth > 100", arg=figure.element_handle())


def test_keyboard_runs_cells(lesson) -> None:
    page = lesson
    set_code(page, 3, "print('shift', 6 * 7)")
    page.keyboard.press("Shift+Enter")  # the editor has the focus after typing
    wait_state(page, 3)
    assert "shift 42" in output(page, 3)
    set_code(page, 3, "print('button', 7 * 6)")
    cell(page, 3).locator("button.nnrt-run").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-nnrt-cell=\"3\"]').dataset.nnrtState === 'running'"
                           " || document.querySelector('[data-nnrt-cell=\"3\"] .nnrt-output').innerText.includes('button 42')")
    wait_state(page, 3)
    assert "button 42" in output(page, 3)


def test_stop_interrupts_an_infinite_loop_and_keeps_the_state(lesson) -> None:
    page = lesson
    assert page.evaluate("crossOriginIsolated"), "the service worker should have isolated the page"
    original = cell(page, 1).locator(".clipboard-copy-txt").text_content().rstrip("\n")
    set_code(page, 1, "print('looping')\ncounter = 0\nwhile True:\n    counter += 1")
    cellbar_height = "(el) => el.getBoundingClientRect().height"
    idle_height = cell(page, 1).locator(".nnrt-cellbar").evaluate(cellbar_height)
    cell(page, 1).get_by_role("button", name=re.compile(r"^Run cell 1\b")).click()
    wait_state(page, 1, ("running",))
    assert cell(page, 1).locator(".nnrt-cellbar").evaluate(cellbar_height) == idle_height  # Stop takes Run's place
    page.wait_for_timeout(1000)
    # The tab stays responsive while Python loops: the page answers and other cells can be edited and reset.
    t0 = time.monotonic()
    assert page.evaluate("1 + 1") == 2
    cell(page, 2).get_by_role("button", name=re.compile(r"^Reset cell 2")).click()
    assert time.monotonic() - t0 < 5
    # Reset of the running cell restores its code; the run keeps its output area in view.
    cell(page, 1).get_by_role("button", name=re.compile(r"^Reset cell 1")).click()
    assert editor_code(page, 1) == original
    assert state(page, 1) == "running" and cell(page, 1).locator(".nnrt-output").is_visible()
    assert "looping" in output(page, 1)
    assert stop(page, 1) == "stopped"
    assert cell(page, 1).locator(".nnrt-output").is_visible()
    out = assert_neutral_stop(page, 1)
    assert "looping" in out and "Stopped. Variables are kept." in out
    set_code(page, 2, "print('still counting:', counter > 0)")
    assert run(page, 2) == "done"
    assert "still counting: True" in output(page, 2)


def test_stop_during_training_leaves_a_stopped_note_and_no_progress_bar(lesson) -> None:
    page = lesson
    set_code(
        page,
        3,
        "import numpy as np\n"
        "from nnlib.nets import TwoLayerNet\n"
        "from nnlib.trainer import Trainer\n"
        "rng = np.random.default_rng(0)\n"
        "x, t = rng.normal(size=(2000, 64)), rng.integers(0, 10, size=2000)\n"
        "net = TwoLayerNet(input_size=64, hidden_size=50, output_size=10, seed=0)\n"
        "Trainer(net, x, t, x[:100], t[:100], epochs=10_000, mini_batch_size=10, seed=0).train()",
    )
    cell(page, 3).get_by_role("button", name=re.compile(r"^Run cell 3\b")).click()
    cell(page, 3).locator(".nnrt-progress").wait_for(timeout=RUN_TIMEOUT)
    page.wait_for_timeout(500)
    assert stop(page, 3) == "stopped"
    assert "Stopped. Variables are kept." in assert_neutral_stop(page, 3)
    assert page.locator(".nnrt-toolbar .nnrt-state").inner_text().startswith("Python ready")


def test_reset_restores_code_and_build_time_output(lesson) -> None:
    page = lesson
    original = cell(page, 2).locator(".clipboard-copy-txt").text_content().rstrip("\n")
    cell(page, 2).get_by_role("button", name=re.compile(r"^Reset cell 2")).click()
    assert editor_code(page, 2) == original
    assert cell(page, 2).locator(".nnrt-output").is_hidden()
    static = cell(page, 2).locator(".jp-Cell-outputWrapper:not(.nnrt-output)")
    if static.count():
        assert static.is_visible()


def test_live_output_sits_where_the_build_time_output_was(lesson) -> None:
    """Same left edge, width, font and wrapping as the build-time output it replaces; columns are never broken."""
    page = lesson
    static = cell(page, 2).locator(".jp-Cell-outputWrapper:not(.nnrt-output) pre")
    assert static.is_visible()
    style = "(el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect(); " \
            "return {left: r.left, width: r.width, font: s.font, whiteSpace: s.whiteSpace, wordBreak: s.wordBreak}; }"
    before = static.evaluate(style)
    assert before["whiteSpace"] == "pre" and before["wordBreak"] == "normal", before
    assert run(page, 2) == "done"
    live = cell(page, 2).locator(".nnrt-output pre").first.evaluate(style)
    assert abs(live["left"] - before["left"]) < 1 and abs(live["width"] - before["width"]) < 1, (before, live)
    assert live["font"] == before["font"] and live["whiteSpace"] == "pre", (before, live)
    assert re.fullmatch(r"In \[\d+\]:", cell(page, 2).locator(".jp-InputPrompt").inner_text())


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_line_numbers_are_opaque_and_the_active_line_shows_only_with_focus(lesson, scheme) -> None:
    page = lesson
    page.evaluate("(scheme) => document.body.setAttribute('data-md-color-scheme', scheme)", scheme)
    page.locator("h1").first.click()  # no editor has the focus
    try:
        colours = cell(page, 2).evaluate(
            """(root) => {
                const bg = (sel) => getComputedStyle(root.querySelector(sel)).backgroundColor;
                return {gutter: bg(".cm-gutters"), editor: bg(".cm-editor"), active: bg(".cm-activeLine")};
            }"""
        )
    finally:
        page.evaluate("() => document.body.setAttribute('data-md-color-scheme', 'default')")
    alpha = lambda colour: float(re.findall(r"[\d.]+", colour)[3]) if colour.startswith("rgba") else 1.0  # noqa: E731
    assert alpha(colours["gutter"]) == 1.0 and colours["gutter"] == colours["editor"], colours
    assert alpha(colours["active"]) == 0.0, colours


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_buttons_meet_wcag_aa_contrast(lesson, scheme) -> None:
    """Outline buttons (text and border in one colour on the page's background) reach 4.5:1 in both schemes."""
    page = lesson
    page.evaluate("(scheme) => document.body.setAttribute('data-md-color-scheme', scheme)", scheme)
    page.mouse.move(0, 0)  # no hover fill
    try:
        ratios = page.evaluate(
            """() => {
                const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
                const lum = (c) => {
                    const [r, g, b] = rgb(c).map((v) => {
                        v /= 255;
                        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                    });
                    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                };
                const page = getComputedStyle(document.body).backgroundColor;
                const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
                return [...document.querySelectorAll(".nnrt-button")].filter((b) => b.offsetParent).map((b) =>
                    [b.className, ratio(getComputedStyle(b).color, page)]);
            }"""
        )
    finally:
        page.evaluate("() => document.body.setAttribute('data-md-color-scheme', 'default')")
    assert ratios and all(ratio >= 4.5 for _, ratio in ratios), ratios


def test_restart_clears_the_state(lesson) -> None:
    page = lesson
    cell(page, 1).get_by_role("button", name=re.compile(r"^Reset cell 1")).click()  # no infinite loop on re-run
    page.get_by_role("button", name=re.compile("Restart")).click()
    wait_ready(page)
    set_code(page, 2, "print(counter)")
    assert run(page, 2) == "error"
    assert state(page, 1) == "done"  # cell 1 ran again first, after the restart
    assert "NameError: name 'counter' is not defined" in output(page, 2)


def test_code_that_ignores_stop_is_ended_by_a_restart_that_says_so(lesson) -> None:
    page = lesson
    set_code(page, 3, "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass")
    cell(page, 3).get_by_role("button", name=re.compile(r"^Run cell 3\b")).click()
    wait_state(page, 3, ("running",))
    page.wait_for_timeout(300)
    assert stop(page, 3) == "stopped"  # after the grace period, Python is restarted
    out = assert_neutral_stop(page, 3)
    assert "did not respond" in out and "all variables were cleared" in out, out
    assert "cross-origin" not in out  # the page is isolated: that is not the reason
    assert "did not respond" in page.locator(".nnrt-toolbar .nnrt-message").inner_text()
    assert state(page, 1) == "idle"  # Python lost its state: no cell counts as run
    wait_ready(page)


def test_stop_without_isolation_restarts_python(browser, site_url, requests_log) -> None:
    ctx = new_context(browser, requests_log, service_workers="block")
    page = ctx.new_page()
    try:
        page.add_init_script("window.NNLIB_RUNTIME_AUTOSTART = false")
        open_lesson(page, site_url + LESSON.format(lang="en"), isolated=False)
        assert page.evaluate("crossOriginIsolated") is False
        original = cell(page, 1).locator(".clipboard-copy-txt").text_content().rstrip("\n")
        set_code(page, 1, original + "\nmarker = 'before'")  # the later cells need cell 1's imports
        assert run(page, 1, timeout=LOAD_TIMEOUT) == "done"
        set_code(page, 2, "while True:\n    pass")
        cell(page, 2).get_by_role("button", name=re.compile(r"^Run cell 2\b")).click()
        wait_state(page, 2, ("running",))
        page.wait_for_timeout(500)
        assert page.evaluate("1 + 1") == 2
        assert stop(page, 2) == "stopped"
        assert_neutral_stop(page, 2)
        assert "not cross-origin isolated" in output(page, 2)
        assert "not cross-origin isolated" in page.locator(".nnrt-toolbar .nnrt-message").inner_text()
        assert state(page, 1) == "idle"  # Python was restarted: no cell counts as run any more
        wait_ready(page)
        cell(page, 2).get_by_role("button", name=re.compile(r"^Reset cell 2")).click()
        set_code(page, 3, "print(marker)")
        assert run(page, 3) == "done"  # cells 1 and 2 ran again first
        assert output(page, 3).strip() == "before"
    finally:
        page.close()
        ctx.close()


def test_digits_lesson_trains_with_a_live_progress_bar(context, site_url) -> None:
    page = context.new_page()
    try:
        page.add_init_script("window.NNLIB_RUNTIME_AUTOSTART = false")
        open_lesson(page, site_url + DIGITS)
        codes = page.locator("[data-nnrt-cell] .clipboard-copy-txt").all_text_contents()  # runnable cells only
        training = [i + 1 for i, code in enumerate(codes) if "Trainer(" in code]
        assert training, "the digits lesson should train with nnlib's Trainer"
        n = training[0]
        # Record every update of the progress bar as it happens, and whether the cell was still running then.
        page.evaluate(
            """(n) => {
                const root = document.querySelector(`[data-nnrt-cell="${n}"]`);
                window.__progress = [];
                new MutationObserver(() => {
                    const bar = root.querySelector(".nnrt-progress progress");
                    if (bar) window.__progress.push([bar.value, root.dataset.nnrtState]);
                }).observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
            }""",
            n,
        )
        cell(page, n).get_by_role("button", name=re.compile(rf"^Run cell {n}\b")).click()
        wait_state(page, n, ("running",), timeout=LOAD_TIMEOUT)
        t0 = time.monotonic()
        assert wait_state(page, n, timeout=RUN_TIMEOUT * 3) == "done", output(page, n)
        elapsed = time.monotonic() - t0
        live = {round(value, 4) for value, st in page.evaluate("window.__progress") if st == "running" and value < 1}
        assert len(live) >= 2, "the progress bar should move while the cell runs"
        assert cell(page, n).locator(".nnrt-progress").get_attribute("data-event") == "end"
        assert float(cell(page, n).locator(".nnrt-progress progress").evaluate("b => b.value")) == 1.0
        print(f"training cell: {elapsed:.1f} s in the browser; {len(live)} progress updates while it ran")
        text = output(page, n)
        accuracies = [
            float(m.group(1)) / (100 if m.group(2) else 1)
            for m in re.finditer(r"test[^\n\d]*?(\d+(?:\.\d+)?)\s*(%?)", text, re.IGNORECASE)
        ]
        assert accuracies and accuracies[-1] > 0.9, f"no test accuracy above 90% in:\n{text}"
    finally:
        page.close()


def test_a_loading_error_is_shown(browser, site_url, requests_log) -> None:
    """If the nnlib wheel cannot be fetched, the toolbar and the cell say so (with the reason); nothing hangs."""
    ctx = new_context(browser, requests_log)
    ctx.route("**/nnlib-*.whl", lambda route: route.fulfill(status=404, body="gone"))  # context: sees the worker
    page = ctx.new_page()
    try:
        page.add_init_script("window.NNLIB_RUNTIME_AUTOSTART = false")
        open_lesson(page, site_url + LESSON.format(lang="en"))
        cell(page, 1).get_by_role("button", name=re.compile(r"^Run cell 1\b")).click()
        page.wait_for_selector(".nnrt-toolbar[data-nnrt-runtime=error]", timeout=LOAD_TIMEOUT)
        message = page.locator(".nnrt-toolbar .nnrt-message").inner_text()
        assert "Python could not be loaded" in message and "nnlib" in message, message
        assert page.get_by_role("button", name="Try again").count() == 1
        assert wait_state(page, 1) == "error"
        assert "Python could not be loaded" in output(page, 1)
    finally:
        page.close()
        ctx.close()


def test_no_request_left_localhost(site_url, requests_log) -> None:
    """Runs last in this module: everything above happened without a single request off 127.0.0.1."""
    assert any(url.endswith("/pyodide.asm.wasm") for url in requests_log.urls), "Pyodide was not loaded from the site"
    assert any("/nnlib-" in url and url.endswith(".whl") for url in requests_log.urls)
    assert requests_log.foreign == [], f"requests off 127.0.0.1: {sorted(set(requests_log.foreign))}"
