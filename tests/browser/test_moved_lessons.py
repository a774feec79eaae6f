"""End-to-end tests of renumbered lessons (mkdocs.yml: extra.moved_lessons) on the offline build in headless Chromium:
an old address, shared before the course was renumbered, still opens the lesson at its new address (keeping the
#anchor), and the work a reader saved under the old slug is there when the lesson opens under the new one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser_helpers import RequestLog, new_context

pytestmark = [pytest.mark.slow, pytest.mark.native_only]

ROOT = Path(__file__).resolve().parents[2]


def moved_lessons() -> dict[str, str]:
    """extra.moved_lessons of mkdocs.yml (read as text: the file holds !!python tags that safe_load refuses)."""
    block = re.search(r"^  moved_lessons:\n((?:    \S+: \S+\n)+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    assert block, "mkdocs.yml has no extra.moved_lessons"
    return dict(line.strip().split(": ") for line in block.group(1).splitlines())


MOVED = moved_lessons()


def test_storage_js_carries_over_the_same_renames() -> None:
    source = (ROOT / "web" / "storage.js").read_text(encoding="utf-8")
    block = re.search(r"export const MOVED = \{(.*?)\};", source, re.S)
    assert block, "web/storage.js has no MOVED map"
    assert dict(re.findall(r'"([^"]+)": "([^"]+)"', block.group(1))) == MOVED


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_address_opens_the_lesson_at_its_new_one(browser, site_url, old: str, lang: str) -> None:
    ctx = new_context(browser, RequestLog())
    page = ctx.new_page()
    new = MOVED[old]
    page.goto(f"{site_url}/{lang}/lessons/{old}/#section")
    page.wait_for_url(f"{site_url}/{lang}/lessons/{new}/#section", timeout=20_000)
    page.wait_for_selector("article h1")
    assert page.evaluate("document.documentElement.lang").startswith(lang)
    number = int(new.split("-")[0])
    assert page.locator("article h1").first.inner_text().startswith(f"{number}. ")
    ctx.close()


def test_the_old_notebook_name_still_downloads(browser, site_url) -> None:
    ctx = new_context(browser, RequestLog())
    for old, new in MOVED.items():
        response = ctx.request.get(f"{site_url}/en/lessons/{old}.ipynb")
        assert response.ok, f"{old}.ipynb: HTTP {response.status}"
        assert response.body() == ctx.request.get(f"{site_url}/en/lessons/{new}.ipynb").body()
    ctx.close()


def test_work_saved_under_the_old_slug_follows_the_lesson(browser, site_url) -> None:
    old, new = "01-activation-functions", MOVED["01-activation-functions"]
    record = {"cells": {}, "solved": {"stable-sigmoid": {"version": "x", "at": "2026-01-01T00:00:00Z"}},
              "exercises": ["stable-sigmoid"]}  # fmt: skip
    ctx = new_context(browser, RequestLog())
    page = ctx.new_page()
    # An origin to write to, as a reader who used the site before the renumbering; once the service worker controls
    # the page (its first visit may reload the page once for isolation).
    page.goto(f"{site_url}/en/", wait_until="networkidle")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.evaluate(f"localStorage.setItem('nnlib:v1:lesson:{old}', {json.dumps(json.dumps(record))})")
    page.goto(f"{site_url}/en/lessons/{new}/")
    page.wait_for_function("self.crossOriginIsolated === true", timeout=20_000)  # after the service worker's reload
    page.wait_for_function("window.nnlibRuntime && window.nnlibRuntime.exercises", timeout=30_000)
    page.wait_for_selector(".md-nav--secondary a.nnex-toc-solved", state="attached", timeout=20_000)
    stored = page.evaluate(f"[localStorage.getItem('nnlib:v1:lesson:{old}'), localStorage.getItem('nnlib:v1:lesson:{new}')]")
    assert stored[0] is None, "the old key was left behind"
    assert json.loads(stored[1])["solved"] == record["solved"]
    ctx.close()
