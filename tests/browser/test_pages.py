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
    # The first visit of a language's folder installs its service worker (web/main.js, which may reload the page
    # once for isolation); done here, so that the tests see the switch itself.
    for lang in ("en", "zh"):
        page.goto(f"{site_url}/{lang}/lessons/06-computational-graphs/", wait_until="networkidle")
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
    yield page
    context.close()


def switch_link_after_pointerdown(page, lang: str) -> str:
    """The switch link's href once the reader presses it (language-switch.js updates it on pointerdown and click)."""
    return page.evaluate("""(lang) => {
        const link = document.querySelector(`a[data-nnlib-lang-switch='${lang}']`);
        link.dispatchEvent(new PointerEvent("pointerdown", { bubbles: true }));
        return link.href;
    }""", lang)


@pytest.mark.parametrize(
    ("start", "lang", "expected"),
    [
        # A lesson's headings have other ids in Chinese: the section is found by its position.
        ("/en/lessons/06-computational-graphs/#the-same-numbers-numerically", "zh", "_3"),
        ("/zh/lessons/06-computational-graphs/#_3", "en", "the-same-numbers-numerically"),
        # The API reference's anchors are the objects' names in both languages.
        ("/en/reference/layers/#nnlib.layers.Affine", "zh", "nnlib.layers.Affine"),
        # An anchor the other page does not have is dropped, not carried to a page where it leads nowhere.
        ("/en/lessons/06-computational-graphs/#no-such-place", "zh", ""),
    ],
)
def test_language_switch_keeps_the_place(page, site_url: str, start: str, lang: str, expected: str) -> None:
    page.goto(site_url + start, wait_until="networkidle")
    path = start.split("#")[0].replace(start.split("/")[1], lang, 1)
    # The reader is at that anchor (a first visit's one-time reload for isolation, or Material's toc tracking near
    # the top of the page, may have rewritten the address meanwhile).
    page.evaluate("(hash) => history.replaceState(null, '', hash)", "#" + start.split("#")[1])
    href = switch_link_after_pointerdown(page, lang)
    assert href == site_url + path + (f"#{expected}" if expected else ""), href
    with page.expect_navigation():
        page.evaluate("(lang) => document.querySelector(`a[data-nnlib-lang-switch='${lang}']`).click()", lang)
    page.wait_for_load_state("networkidle")  # the service worker may reload a lesson once for isolation
    assert page.evaluate("location.pathname") == path
    if expected:
        # The reader sees that section at the top of the window (Material's toc tracking may rewrite the hash).
        top = page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top", expected)
        assert 0 <= top < 250, f"#{expected} is at {top}px, not at the top of the window"


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
            for (const katex of document.querySelectorAll('.katex')) {
                if (katex.closest('.katex-display')) continue;
                let formula = katex.closest('.nnlib-nowrap') || katex;
                while (formula.parentNode.tagName === 'SPAN' && formula.parentNode.childNodes.length === 1) {
                    formula = formula.parentNode;
                }
                const next = formula.nextSibling;
                if (next && next.nodeType === 3 && /^[，。、；：]/.test(next.data)) bad.push(next.data.slice(0, 10));
            }
            return { spans: spans.length, bad, nowrap: spans.every((s) => getComputedStyle(s).whiteSpace === 'nowrap') };
        }""")
        assert not report["bad"], f"{lesson}: punctuation left after a formula: {report['bad']}"
        assert report["nowrap"], f"{lesson}: .nnlib-nowrap is not white-space: nowrap"
        if lesson == "06-computational-graphs":
            assert report["spans"] >= 5, report
