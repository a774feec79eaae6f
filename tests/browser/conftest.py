"""Fixtures of the end-to-end browser tests: one offline build of the whole site (both languages, Pyodide vendored
from NNLIB_PYODIDE_MIRROR), served on 127.0.0.1, driven by Python Playwright with Debian's Chromium.

Every request the browser makes is recorded; requests to anything but the local server are aborted (and, as a
second line of defence, Chromium resolves no host name except 127.0.0.1), so a test that needs the network fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_helpers import RequestLog, new_context

ROOT = Path(__file__).resolve().parents[2]


def require(condition: bool, reason: str) -> None:
    """tests/conftest.py's rule (its module cannot be imported from here: both files are named conftest):
    skip unless `condition`, but fail in CI (NNLIB_REQUIRE_ALL=1)."""
    if condition:
        return
    if os.environ.get("NNLIB_REQUIRE_ALL") == "1":
        pytest.fail(f"required resource missing in CI: {reason}")
    pytest.skip(reason)

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, pyodide_mirror: Path) -> Path:
    """The whole site built once for the session, self-hosted from the Pyodide mirror (no CDN).

    NNLIB_TEST_SITE=<folder> uses a site already built there (`NNLIB_PYODIDE_MIRROR=... python scripts/build_site.py
    --out <folder>`) instead, to iterate on browser tests without rebuilding."""
    import importlib.util

    prebuilt = os.environ.get("NNLIB_TEST_SITE")
    if prebuilt:
        require((Path(prebuilt) / "pyodide" / "pyodide.asm.wasm").is_file(),
                f"NNLIB_TEST_SITE={prebuilt} is not a self-hosted build of the site")
        return Path(prebuilt)

    spec = importlib.util.spec_from_file_location("nnlib_build_site", ROOT / "scripts" / "build_site.py")
    require(spec is not None and spec.loader is not None, "scripts/build_site.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("site")
    old = os.environ.get("NNLIB_PYODIDE_MIRROR")
    os.environ["NNLIB_PYODIDE_MIRROR"] = str(pyodide_mirror)
    try:
        module.build_site(out)
    finally:
        if old is None:
            os.environ.pop("NNLIB_PYODIDE_MIRROR", None)
        else:
            os.environ["NNLIB_PYODIDE_MIRROR"] = old
    assert (out / "pyodide" / "pyodide.asm.wasm").is_file()
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A plain static host: no COOP/COEP headers (isolation must come from the site's service worker)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".mjs": "text/javascript", ".js": "text/javascript"}  # fmt: skip

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def requests_log() -> RequestLog:
    """Every request of a test module's browser context (see browser_helpers.RequestLog)."""
    return RequestLog()


@pytest.fixture(scope="module")
def context(browser, requests_log: RequestLog) -> Iterator[object]:
    """One browser context per test module, its requests recorded in ``requests_log``."""
    ctx = new_context(browser, requests_log)
    yield ctx
    ctx.close()
