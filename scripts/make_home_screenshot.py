#!/usr/bin/env python3
"""Make the home page's pictures: lesson 9's training cell, run in the page, one per language.

    docs/assets/images/home-cell-en.png, docs/assets/images/home-cell-zh.png

A real screenshot: the built site (offline build with Pyodide vendored) is served on 127.0.0.1 with
scripts/serve_site.py, Debian's Chromium opens lesson 9 (09-digits-network) in each language, runs the cell that
trains the network with nnlib's Trainer (the runtime runs the cells before it first) and photographs that cell with
its output. The PNG is reduced to a 64-colour palette (Pillow, a dependency of matplotlib) to stay small. Run it
again when the lesson or the cells' look changes:

    NNLIB_PYODIDE_MIRROR=/path/to/pyodide/0.27.7 ./scripts/build_site
    python scripts/make_home_screenshot.py [--site site]

Needs Python Playwright (test extra) and Chromium at /usr/bin/chromium (never `playwright install`).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from serve_site import start_server  # noqa: E402

IMAGES = ROOT / "docs" / "assets" / "images"
LESSON = "lessons/09-digits-network/"
#: The cell to show: the one that trains with the Trainer (its code holds this text).
CELL_MARKER = "trainer.train()"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTH = 1100  # CSS pixels of the page; the side bars are hidden, so the lesson's lines fit the cell
SCALE = 1  # the home page shows the picture at about this size
#: Only for the photograph: the cell gets the whole width of the window instead of the reading column.
WIDE_CELLS = ".md-sidebar { display: none !important; } .md-main__inner.md-grid { max-width: none; }"
COLOURS = 64


def shoot(page, url: str) -> bytes:
    page.goto(url)
    page.wait_for_function("self.crossOriginIsolated === true", timeout=30_000)
    page.add_style_tag(content=WIDE_CELLS)
    page.wait_for_function("window.nnlibRuntime && window.nnlibRuntime.notebook", timeout=30_000)
    number = page.evaluate("""(marker) => {
        const cells = window.nnlibRuntime.notebook.cells;
        const index = cells.findIndex((cell) => cell.editor.getCode().includes(marker));
        return index + 1;
    }""", CELL_MARKER)
    if number < 1:
        raise SystemExit(f"error: no cell of {url} contains {CELL_MARKER!r}")
    cell = page.locator(f'[data-nnrt-cell="{number}"]')
    cell.scroll_into_view_if_needed()
    cell.locator(".nnrt-run").click()
    page.wait_for_function(
        "(n) => ['done', 'error'].includes(document.querySelector(`[data-nnrt-cell=\"${n}\"]`).dataset.nnrtState)",
        arg=number, timeout=300_000)
    if cell.get_attribute("data-nnrt-state") != "done":
        raise SystemExit(f"error: the cell failed in the browser:\n{cell.inner_text()}")
    page.mouse.move(0, 0)  # no hover effects
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(500)
    return cell.screenshot()


def quantize(png: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Photograph lesson 9's training cell for the home page.")
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--lang", action="append", choices=["en", "zh"], help="only this language (repeatable)")
    args = parser.parse_args(argv)
    if not (args.site / "pyodide" / "pyodide.asm.wasm").is_file():
        raise SystemExit(f"error: {args.site} has no self-hosted Pyodide: build it with NNLIB_PYODIDE_MIRROR set")
    from playwright.sync_api import sync_playwright

    server, url = start_server(args.site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            for lang in args.lang or ["en", "zh"]:
                context = browser.new_context(viewport={"width": WIDTH, "height": 1000}, device_scale_factor=SCALE,
                                              color_scheme="light", locale="zh-CN" if lang == "zh" else "en-US")
                png = quantize(shoot(context.new_page(), f"{url}{lang}/{LESSON}"))
                IMAGES.mkdir(parents=True, exist_ok=True)
                target = IMAGES / f"home-cell-{lang}.png"
                target.write_bytes(png)
                print(f"{target.relative_to(ROOT)}: {len(png) / 1024:.0f} KiB")
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
