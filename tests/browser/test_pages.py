"""The site's pages in Chromium (issue 10): the language switch keeps the reader's place, and punctuation stays with
the inline formula before it. Uses the session's offline build (conftest.py); Python is not started."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_helpers import RequestLog, new_context

pytestmark = [pytest.mark.native_only, pytest.mark.slow]


@pytest.fixture(scope="module")
def page(browser, site_url: str) -> Iterator[object]:
    context = new_context(browser, RequestLog(), viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script("window.NNLIB_RUNTIME_AUTOSTART = false")
    yield page
    context.close()


def switch_to(page, lang: str) -> None:
    """Click the language switch's link to `lang` (it sits in a hover menu: a script click is what a tap does)."""
    with page.expect_navigation():
        page.evaluate("(lang) => document.querySelector(`a[data-nnlib-lang-switch='${lang}']`).click()", lang)
    page.wait_for_load_state("networkidle")  # the service worker may reload a lesson once for isolation


@pytest.mark.parametrize(
    ("start", "lang", "expected"),
    [
        # A lesson's headings have other ids in Chinese: the section is found by its position.
        ("/en/lessons/06-computational-graphs/#a-multiplication-node", "zh", "#_1"),
        ("/zh/lessons/06-computational-graphs/#_1", "en", "#a-multiplication-node"),
        # The API reference's anchors are the objects' names in both languages.
        ("/en/reference/layers/#nnlib.layers.Affine", "zh", "#nnlib.layers.Affine"),
        # An anchor the other page does not have is dropped, not carried to a page where it leads nowhere.
        ("/en/lessons/06-computational-graphs/#no-such-place", "zh", ""),
    ],
)
def test_language_switch_keeps_the_place(page, site_url: str, start: str, lang: str, expected: str) -> None:
    page.goto(site_url + start, wait_until="networkidle")
    switch_to(page, lang)
    assert page.evaluate("location.pathname") == start.split("#")[0].replace(start.split("/")[1], lang, 1)
    assert page.evaluate("location.hash") == expected
    if expected:
        assert page.evaluate("(id) => !!document.getElementById(id)", expected[1:])


def test_no_line_starts_with_the_punctuation_after_a_formula(page, site_url: str) -> None:
    """math.js wraps an inline formula and the punctuation touching it in a nowrap span; on a phone-width column no
    line of the Chinese lessons then starts with "，" or "。"."""
    page.set_viewport_size({"width": 390, "height": 844})
    for lesson in ("02-activation-functions", "06-computational-graphs", "09-digits-network"):
        page.goto(f"{site_url}/zh/lessons/{lesson}/")
        page.wait_for_function("document.querySelector('.katex') !== null")
        report = page.evaluate(r"""() => {
            const spans = [...document.querySelectorAll('.nnlib-nowrap')];
            const bad = [];
            // A text node that starts with punctuation right after an inline formula must not exist any more.
            for (const formula of document.querySelectorAll('.katex')) {
                if (formula.closest('.katex-display')) continue;
                const next = formula.parentElement.classList.contains('nnlib-nowrap')
                    ? formula.parentElement.nextSibling : formula.nextSibling;
                if (next && next.nodeType === 3 && /^[，。、；：]/.test(next.data)) bad.push(next.data.slice(0, 10));
            }
            return { spans: spans.length, bad, nowrap: spans.every((s) => getComputedStyle(s).whiteSpace === 'nowrap') };
        }""")
        assert not report["bad"], f"{lesson}: punctuation left after a formula: {report['bad']}"
        assert report["nowrap"], f"{lesson}: .nnlib-nowrap is not white-space: nowrap"
        if lesson == "06-computational-graphs":
            assert report["spans"] >= 5, report
