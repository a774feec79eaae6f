"""End-to-end tests of the exercises and of the reader's saved work, on the offline site build in headless Chromium.

The tests of the first part share one browser context (so one localStorage) and run in file order, like a reader:
an exercise fails, the solution is revealed, the fix typed in the editor passes; the edit and the solved exercise
survive a reload and a switch to Chinese (whose checks answer in Chinese); the home page marks the lesson; Reset
cell and Reset lesson forget them. Then: a cell changed since it was saved is not overwritten, and a browser without
storage still runs and checks exercises and says that progress is not saved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from browser_helpers import new_context

pytestmark = [pytest.mark.slow, pytest.mark.native_only]

LESSON = "/{lang}/lessons/02-activation-functions/"
SLUG = "02-activation-functions"
LOAD_TIMEOUT = 90_000
RUN_TIMEOUT = 60_000

TEXTBOOK = "def stable_sigmoid(a):\n    a = np.asarray(a)\n    return 1 / (1 + np.exp(-a))\n"
FIX = ("def stable_sigmoid(a):\n    a = np.asarray(a)\n    e = np.exp(-np.abs(a))   # typed by the test\n"
       "    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))\n")  # fmt: skip


def open_lesson(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("self.crossOriginIsolated === true", timeout=20_000)
    page.wait_for_function("window.nnlibRuntime && window.nnlibRuntime.exercises", timeout=20_000)


def exercise(page):
    return page.locator('[data-nnlib-role="exercise"]')


def editor_code(page) -> str:
    return page.evaluate("window.nnlibRuntime.exercises.exercises[0].cell.editor.getCode()")


def original_code(page) -> str:
    return page.evaluate("window.nnlibRuntime.exercises.exercises[0].cell.originalCode")


def type_code(page, code: str) -> None:
    """Replace the exercise's code the way a reader does: click, select all, type."""
    exercise(page).locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)
    assert editor_code(page) == code


def check(page) -> dict:
    """Press Check and wait for the verdict; returns the panel's state, text and checks."""
    exercise(page).get_by_role("button", name=re.compile(r"^✓ (Check|检查)$")).click()
    page.wait_for_function(
        "['passed', 'failed', 'error'].includes(document.querySelector('.nnex-result').dataset.state)",
        timeout=LOAD_TIMEOUT + RUN_TIMEOUT,
    )
    panel = page.locator(".nnex-result")
    return {
        "state": panel.get_attribute("data-state"),
        "text": panel.inner_text(),
        "marks": [li.get_attribute("class") for li in panel.locator("li").all()],
    }


def saved(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('nnlib:v1:lesson:{SLUG}')") or "{}")


@pytest.fixture(scope="module")
def page(context, site_url: str) -> Iterator[object]:
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # Reset lesson asks for confirmation
    open_lesson(page, site_url + LESSON.format(lang="en"))
    yield page
    page.close()


# ------------------------------------------------------------------------------------------------ a reader's way


def test_the_exercise_is_framed_with_its_checks_hidden_and_its_solution_folded(page) -> None:
    assert page.locator(".nnlib-exercise").first.get_attribute("data-nnlib-label") == "Exercise"
    assert not page.locator('[data-nnlib-role="check"]').is_visible()
    solution = page.locator("details.nnlib-solution")
    assert solution.locator("summary").inner_text() == "Show solution"
    assert not solution.locator(".jp-InputArea").is_visible()
    assert editor_code(page) == original_code(page) and "1 / (1 + np.exp(-a))" in editor_code(page)


def test_the_starter_fails_with_a_cross_and_a_hint_then_the_solution_can_be_revealed(page) -> None:
    result = check(page)
    assert result["state"] == "failed"
    assert result["marks"] == ["nnex-pass", "nnex-fail"], result
    assert "1 of 2 checks passed" in result["text"]
    assert "overflow encountered in exp" in result["text"]  # found in WebAssembly, which has no FP flags
    assert "Hint: np.where(a >= 0, x, y) computes both" in result["text"]
    assert not exercise(page).locator(".nnex-badge").is_visible()
    page.get_by_role("button", name="Show solution").click()
    solution = page.locator("details.nnlib-solution")
    assert solution.get_attribute("open") is not None
    assert "np.exp(-np.abs(a))" in solution.locator(".jp-InputArea").inner_text()


def test_typing_the_fix_passes_and_marks_the_exercise_solved(page) -> None:
    type_code(page, TEXTBOOK.replace("1 / (1 + np.exp(-a))", "np.where(a >= 0, 1 / (1 + np.exp(-a)), np.exp(a) / (1 + np.exp(a)))"))
    assert check(page)["state"] == "failed", "np.where still computes the overflowing branch"
    type_code(page, FIX)
    result = check(page)
    assert result["state"] == "passed", result
    assert result["marks"] == ["nnex-pass", "nnex-pass"]
    assert "All 2 checks passed" in result["text"]
    assert exercise(page).locator(".nnex-badge").inner_text() == "✓ Solved"
    toc = page.locator(".md-nav--secondary a.nnex-toc-solved")
    assert toc.count() >= 1 and "Exercise: a sigmoid that never overflows" in toc.first.inner_text()
    page.wait_for_timeout(600)  # the debounced save
    stored = saved(page)
    assert stored["cells"]["stable-sigmoid"]["code"] == FIX
    assert stored["solved"]["stable-sigmoid"] and stored["exercises"] == ["stable-sigmoid"]


def test_edits_and_solved_exercises_survive_a_reload(page, site_url) -> None:
    other = "cell-2"  # an ordinary cell is kept too
    page.evaluate("""() => { const c = window.nnlibRuntime.notebook.cells.find(c => c.root.dataset.nnlibCell === 'cell-2');
                             c.editor.setCode(c.originalCode + '\\nprint("edited")'); }""")
    page.wait_for_timeout(600)
    page.reload()
    open_lesson(page, page.url)
    assert editor_code(page) == FIX
    assert exercise(page).locator(".nnex-restored").is_visible()
    assert exercise(page).locator(".nnex-badge").is_visible()
    assert page.locator(".md-nav--secondary a.nnex-toc-solved").count() >= 1
    code = page.evaluate(f"window.nnlibRuntime.notebook.cells.find(c => c.root.dataset.nnlibCell === '{other}').editor.getCode()")
    assert code.endswith('print("edited")')


def test_switching_to_chinese_keeps_the_code_and_checks_in_chinese(page, site_url) -> None:
    page.locator('a[data-nnlib-lang-switch="zh"]').first.evaluate("a => a.click()")
    page.wait_for_url(re.compile(r"/zh/lessons/02-activation-functions/"))
    # Load the page afresh (the switch's URL may carry an #anchor, and going to the same URL would only scroll),
    # now that the Chinese folder's service worker is installed.
    open_lesson(page, page.url.split("#")[0])
    assert editor_code(page) == FIX, "the reader's code follows them to the other language"
    assert exercise(page).locator(".nnex-badge").inner_text() == "✓ 已完成"
    type_code(page, TEXTBOOK)
    result = check(page)
    assert result["state"] == "failed"
    assert "2 项检查中通过了 1 项" in result["text"] and "输入为 ±1e4 时不溢出" in result["text"]
    assert "出错：FloatingPointError" in result["text"] and "提示：np.where" in result["text"]
    type_code(page, FIX)
    assert "全部 2 项检查通过" in check(page)["text"]


def test_the_home_page_marks_the_solved_lesson(browser, context, site_url, requests_log) -> None:
    # The same saved work, in a context without the service worker in between.
    ctx = new_context(browser, requests_log, service_workers="block", storage_state=context.storage_state())
    home = ctx.new_page()
    home.goto(site_url + "/en/")
    card = home.locator('li.nnlib-card[data-lesson="02-activation-functions"]')
    card.locator(".nnex-lesson-mark").wait_for(state="attached", timeout=20_000)
    assert card.get_attribute("data-nnlib-solved") == "all"
    assert home.locator('[data-lesson="06-computational-graphs"] .nnex-lesson-mark').count() == 0
    marks = home.locator("[data-lesson] .nnex-lesson-mark")
    assert marks.count() == 1 and marks.first.inner_text() == "✓ exercise solved"
    nav = home.locator('.md-nav--primary a[data-nnlib-solved="all"]')
    assert nav.count() == 1 and "Activation functions" in nav.first.inner_text()
    ctx.close()


def test_reset_cell_and_reset_lesson_forget_the_work(page, site_url) -> None:
    open_lesson(page, site_url + LESSON.format(lang="en"))
    assert editor_code(page) == FIX
    exercise(page).get_by_role("button", name=re.compile(r"^Reset cell")).click()
    assert editor_code(page) == original_code(page)
    page.wait_for_timeout(600)
    assert "stable-sigmoid" not in saved(page)["cells"]
    assert "cell-2" in saved(page)["cells"]
    page.get_by_role("button", name="↺ Reset lesson").click()
    stored = saved(page)
    assert stored["cells"] == {} and stored["solved"] == {}
    assert not exercise(page).locator(".nnex-badge").is_visible()
    assert page.locator(".md-nav--secondary a.nnex-toc-solved").count() == 0
    page.reload()
    open_lesson(page, page.url)
    codes = page.evaluate("window.nnlibRuntime.notebook.cells.map(c => c.editor.getCode() === c.originalCode)")
    assert all(codes)
    assert page.locator(".nnex-cellnote").count() == 0


# ------------------------------------------------------------------------------------------------ stale code, no storage


def test_saved_code_of_a_changed_cell_is_not_restored_silently(browser, site_url, requests_log) -> None:
    ctx = new_context(browser, requests_log)
    stale = {"cells": {"stable-sigmoid": {"code": "# my old attempt", "version": "000000000000"}},
             "solved": {}, "exercises": ["stable-sigmoid"]}  # fmt: skip
    ctx.add_init_script(f"localStorage.setItem('nnlib:v1:lesson:{SLUG}', {json.dumps(json.dumps(stale))})")
    page = ctx.new_page()
    open_lesson(page, site_url + LESSON.format(lang="en"))
    assert editor_code(page) == original_code(page)
    note = exercise(page).locator(".nnex-stale")
    assert "has changed since you edited it" in note.inner_text()
    note.get_by_role("button", name="Use my saved code").click()
    assert editor_code(page) == "# my old attempt"
    ctx.close()


@pytest.mark.parametrize("how", ["blocked", "full"])
def test_without_storage_the_page_works_and_says_progress_is_not_saved(browser, site_url, requests_log, how) -> None:
    ctx = new_context(browser, requests_log)
    if how == "blocked":  # private modes and disabled site data: reading localStorage throws
        ctx.add_init_script("Object.defineProperty(window, 'localStorage', "
                            "{get() { throw new DOMException('The operation is insecure.', 'SecurityError'); }})")
    else:  # quota exceeded: every write to localStorage throws (sessionStorage, which main.js uses, still works)
        ctx.add_init_script("const setItem = Storage.prototype.setItem; Storage.prototype.setItem = function (k, v) {"
                            " if (this === window.localStorage) throw new DOMException('quota', 'QuotaExceededError');"
                            " return setItem.call(this, k, v); }")
    page = ctx.new_page()
    open_lesson(page, site_url + LESSON.format(lang="en"))
    note = page.locator(".nnrt-toolbar .nnex-not-saved")
    assert note.is_visible() and "cannot be saved in this browser" in note.inner_text()
    type_code(page, FIX)
    assert check(page)["state"] == "passed"
    assert exercise(page).locator(".nnex-badge").is_visible()
    ctx.close()


def test_no_request_left_localhost(requests_log) -> None:
    assert requests_log.urls and not requests_log.foreign, requests_log.foreign
