#!/usr/bin/env python3
"""Benchmark of the in-browser runtime (not a test): the offline site in headless Chromium on 127.0.0.1.

Prints, from one run:
  * page load -> runtime ready: navigation start of a lesson page to "Python ready" (idle start, warm HTTP cache);
  * first output after the first Run: the reader clicks Run on the first cell of the digits lesson as soon as the page
    is there (Python not started yet), with a cold and with a warm HTTP cache, and the same for a numpy-only cell; also Python's own load phases
    (runtime, numpy+nnlib, Python setup) as the worker measured them;
  * the digits lesson's training cell (the one that uses nnlib's Trainer): its time in the browser and the same
    cells run natively with this Python, and the ratio. Targets: first output <= 3 s (warm cache), training <= 5 s;
  * one training step of TwoLayerNet(784, 50, 10) and of SimpleConvNet (float32, batch 100, Adam), as in
    scripts/bench, in the browser (with nnlib's WebAssembly SIMD kernel, and once without it) and natively (one
    thread, like Pyodide), and TensorFlow.js 4.22 on its wasm backend (SIMD) training the same networks on the same
    batch size in the same browser (scripts/bench_tfjs.js, served from scripts/tfjs/node_modules): ROUNDS
    alternating rounds of the three, medians. Targets: SimpleConvNet <= 2x native, TwoLayerNet <= 3x, nnlib faster
    than tfjs-wasm on both;
  * one epoch of SimpleConvNet on the bundled 5,000-image MNIST subset (batch 100, Adam) in the browser and natively.

Usage: python scripts/bench_browser.py [--site BUILT_SITE_DIR] [--chromium PATH] [--mirror PYODIDE_DIR]
TensorFlow.js (about 290 MB) is not part of the project's own npm install: it has its own small npm project in
scripts/tfjs (package.json and lock), which this script installs there on first use (`npm ci --prefix scripts/tfjs`,
from the npm registry) and serves from scripts/tfjs/node_modules.
Without --site it builds the English site into a temporary folder, self-hosted from --mirror (default
$NNLIB_PYODIDE_MIRROR).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSON = "/en/lessons/09-digits-network/"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]  # fmt: skip

# Installed before the page's scripts: records when the first output of a cell appears (performance.now(), ms since
# the navigation started) and lets the benchmark switch the idle start off.
RECORDER = """
window.NNLIB_RUNTIME_AUTOSTART = %s;
window.__bench = {firstOutput: {}};
new MutationObserver(() => {
  for (const out of document.querySelectorAll("[data-nnrt-cell] .nnrt-output")) {
    const n = out.closest("[data-nnrt-cell]").dataset.nnrtCell;
    if (!(n in window.__bench.firstOutput) && out.querySelector(".nnrt-out, img, .nnrt-progress")) {
      window.__bench.firstOutput[n] = performance.now();
    }
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def end_headers(self) -> None:
        # What a static host typically sends; lets the second visit use the HTTP cache.
        self.send_header("Cache-Control", "public, max-age=600")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def build(mirror: str, out: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    os.environ["NNLIB_PYODIDE_MIRROR"] = mirror
    from build_site import build_site

    build_site(out, ["en"])


def open_page(context, url: str, autostart: bool):
    page = context.new_page()
    page.add_init_script(RECORDER % ("true" if autostart else "false"))
    page.goto(url)
    page.wait_for_function("window.nnlibRuntime && window.nnlibRuntime.notebook", timeout=30_000)
    if not page.evaluate("crossOriginIsolated"):  # first visit: the service worker reloads the page once
        try:
            page.wait_for_function("crossOriginIsolated === true", timeout=5_000)
            page.wait_for_function("window.nnlibRuntime && window.nnlibRuntime.notebook", timeout=30_000)
        except Exception:  # noqa: BLE001 - a browser without isolation: measure anyway
            pass
    return page


def wait_cell(page, n: int, timeout: float = 180_000) -> str:
    page.wait_for_function(
        "(n) => ['done', 'error'].includes(document.querySelector(`[data-nnrt-cell=\"${n}\"]`).dataset.nnrtState)",
        arg=n, timeout=timeout,
    )  # fmt: skip
    return page.get_attribute(f'[data-nnrt-cell="{n}"]', "data-nnrt-state")


def first_run(context, url: str, code: str | None = None) -> dict:
    """Click Run on cell 1 right away (with `code` instead of the lesson's); time from the click to its first output."""
    page = open_page(context, url, autostart=False)
    page.wait_for_load_state("load")
    if code is not None:
        page.evaluate("(code) => window.nnlibRuntime.notebook.cells[0].editor.setCode(code)", code)
    clicked = page.evaluate("() => { document.querySelector('[data-nnrt-cell=\"1\"] .nnrt-run').click(); "
                            "return performance.now(); }")
    state = wait_cell(page, 1)
    first = page.evaluate("window.__bench.firstOutput['1']")
    timings = page.evaluate("window.nnlibRuntime.kernel.timings")
    # The page keeps a reader's edited code (localStorage): forget the replaced cell, or later pages of this browser
    # context would run it instead of the lesson's first cell.
    page.evaluate("localStorage.clear()")
    page.close()
    return {"state": state, "first_output_s": (first - clicked) / 1000, "timings": timings}


def training(context, url: str) -> dict:
    """Idle start (as a reader who reads first), then run the Trainer cell (its earlier cells run first)."""
    page = open_page(context, url, autostart=True)
    page.wait_for_function("window.nnlibRuntime.kernel.state === 'ready'", timeout=120_000)
    ready = page.evaluate("performance.now()")  # polled: a slight overestimate of page load -> ready
    page.wait_for_function("window.nnlibRuntime.kernel.warm === true", timeout=120_000)  # the page's imports
    warmup = page.evaluate("window.nnlibRuntime.kernel.timings.warmup")
    # The page's runnable cells (an exercise's check and solution are not among them), numbered as data-nnrt-cell.
    codes = page.evaluate("window.nnlibRuntime.notebook.cells.map((c) => c.editor.getCode())")
    n = next(i + 1 for i, code in enumerate(codes) if "Trainer(" in code)
    clicked = page.evaluate(f"() => {{ document.querySelector('[data-nnrt-cell=\"{n}\"] .nnrt-run').click(); "
                            "return performance.now(); }")
    state = wait_cell(page, n)
    first = page.evaluate("window.__bench.firstOutput['1']")
    elapsed = float(page.get_attribute(f'[data-nnrt-cell="{n}"]', "data-nnrt-elapsed")) / 1000
    page.close()
    return {"ready_s": ready / 1000, "cell": n, "state": state, "browser_s": elapsed, "codes": codes[:n],
            "first_output_after_ready_s": (first - clicked) / 1000, "warmup_s": warmup / 1000}


# The step benchmark run in the page and natively: scripts/bench_data.py itself (the same synthetic MNIST-shaped
# batches and training step as ./scripts/bench; the page cannot import it, so its source is sent along), then the
# timing, which prints the median milliseconds per step after a short warm-up as JSON.
STEPS = (ROOT / "scripts" / "bench_data.py").read_text(encoding="utf-8") + """
import json, time
from nnlib import nets, optimizers

def median_step_ms(net, flat, steps):
    step = training_step(net, optimizers.Adam(lr=1e-3), 0, flat)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    times = sorted(times[3:])
    return 1000 * times[len(times) // 2]

import nnlib
nnlib.use_kernel(KERNEL)
print(json.dumps({
    "mlp_ms": median_step_ms(nets.TwoLayerNet(784, 50, 10, dtype=np.float32, seed=0), True, 63),
    "cnn_ms": median_step_ms(nets.SimpleConvNet(dtype=np.float32, seed=0), False, 14),
    "kernel": nnlib.simd.status(),
}))
"""
ROUNDS = 3

# One epoch of SimpleConvNet on the bundled MNIST subset (5,000 images, batch 100, Adam), then its test accuracy.
EPOCH = """
import json, time
import numpy as np
import nnlib
from nnlib import datasets, nets, optimizers
nnlib.use_kernel(True)
(x, t), (x_test, t_test) = datasets.load_mnist(subset=True, flatten=False)
x, x_test = x.astype(np.float32), x_test.astype(np.float32)
net, optimizer = nets.SimpleConvNet(dtype=np.float32, seed=0), optimizers.Adam(lr=1e-3)
order = np.random.default_rng(0).permutation(len(x))
start = time.perf_counter()
for i in range(0, len(x), 100):
    batch = order[i : i + 100]
    optimizer.update(net.params, net.gradient(x[batch], t[batch]))
seconds = time.perf_counter() - start
print(json.dumps({"epoch_s": seconds, "test_accuracy": net.accuracy(x_test, t_test)}))
"""


def in_page(page, code: str) -> dict:
    """Run `code` in the page's first cell (Python ready); returns the JSON its last line printed."""
    page.evaluate("(code) => window.nnlibRuntime.notebook.cells[0].editor.setCode(code)", code)
    page.click('[data-nnrt-cell="1"] .nnrt-run')
    state = wait_cell(page, 1, timeout=600_000)
    text = page.inner_text('[data-nnrt-cell="1"] .nnrt-output')
    if state != "done":
        raise RuntimeError(f"the benchmark failed in the browser:\n{text}")
    return json.loads(text.strip().splitlines()[-1])


def ready_page(context, url: str):
    page = open_page(context, url, autostart=True)
    page.wait_for_function("window.nnlibRuntime.kernel.state === 'ready'", timeout=120_000)
    return page


def native(code: str) -> dict:
    """`code` run natively in a fresh process, NumPy's BLAS on one thread (Pyodide has one: and on a busy machine
    a BLAS with more threads than free cores collapses); the JSON its last line printed."""
    one = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **one}, capture_output=True, text=True,
                          cwd=ROOT, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"the native benchmark failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


TFJS_FILES = {"tfjs/dist/tf.min.js": "tf.min.js", "tfjs-backend-wasm/dist/tf-backend-wasm.min.js": "tf-backend-wasm.min.js",
              **{f"tfjs-backend-wasm/dist/{name}": name for name in
                 ("tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm")}}
TFJS_PAGE = """<!doctype html><meta charset="utf-8"><title>TensorFlow.js contender</title>
<script src="tf.min.js"></script><script src="tf-backend-wasm.min.js"></script><script src="bench_tfjs.js"></script>
"""


TFJS_PROJECT = ROOT / "scripts" / "tfjs"  # the benchmark's own npm project: TensorFlow.js, pinned by its lock


def tfjs_folder(dest: Path) -> Path:
    """A folder with the TensorFlow.js contender's page, script and library files (installed into scripts/tfjs on
    first use)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from build_site import ensure_node_modules

    ensure_node_modules(TFJS_PROJECT, "the benchmark's TensorFlow.js contender")
    modules = TFJS_PROJECT / "node_modules" / "@tensorflow"
    dest.mkdir()
    for src, name in TFJS_FILES.items():
        if not (modules / src).is_file():
            raise SystemExit(f"{modules / src} is missing: run `npm ci --prefix {TFJS_PROJECT}`")
        shutil.copyfile(modules / src, dest / name)
    shutil.copyfile(ROOT / "scripts" / "bench_tfjs.js", dest / "bench_tfjs.js")
    (dest / "index.html").write_text(TFJS_PAGE, encoding="utf-8")
    return dest


def tfjs_steps(context, url: str) -> dict:
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("typeof window.benchTfjs === 'function'", timeout=30_000)
    result = page.evaluate("() => window.benchTfjs('wasm')")
    page.close()
    return result


def median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def native_cells(codes: list[str]) -> float:
    """Run the same cells natively (matplotlib without a display); returns the last cell's seconds."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": "__main__"}
    elapsed = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            for i, code in enumerate(codes, 1):
                start = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    exec(compile(code, f"<cell {i}>", "exec"), namespace)  # noqa: S102 - the lesson's own code
                elapsed = time.perf_counter() - start
        finally:
            os.chdir(cwd)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an already built site (folder holding en/)")
    parser.add_argument("--mirror", default=os.environ.get("NNLIB_PYODIDE_MIRROR"), help="Pyodide folder to self-host")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    # Native NumPy on one thread, like Pyodide, before anything here loads it (the lesson cells run in this process).
    os.environ.update({name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            if not args.mirror:
                parser.error("give --site, or --mirror / NNLIB_PYODIDE_MIRROR to build the offline site")
            site = Path(tmp) / "site"
            t0 = time.perf_counter()
            build(args.mirror, site)
            print(f"built the English site in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        server, base = serve(site)
        tfjs_server, tfjs_base = serve(tfjs_folder(Path(tmp) / "tfjs"))
        url = base + LESSON
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=FLAGS)
            context = browser.new_context()
            cold = first_run(context, url)
            warm = first_run(context, url)
            plain = first_run(context, url, "import numpy as np\nprint(np.arange(10).sum())")
            train = training(context, url)
            page = ready_page(context, url)
            rounds: dict[str, list[dict]] = {"browser": [], "tfjs": [], "native": []}
            for _ in range(ROUNDS):  # alternating, so that a busy spell of the shared machine hits all three
                rounds["browser"].append(in_page(page, STEPS.replace("KERNEL", "True")))
                rounds["tfjs"].append(tfjs_steps(context, tfjs_base + "/index.html"))
                rounds["native"].append(native(STEPS.replace("KERNEL", "True")))
            epoch = in_page(page, EPOCH)
            no_kernel = in_page(page, STEPS.replace("KERNEL", "False"))
            page.close()
            browser.close()
        server.shutdown()
        tfjs_server.shutdown()
    native_s = native_cells(train.pop("codes"))
    epoch_native = native(EPOCH)
    t = warm["timings"]
    steps = {key: {net: median([r[net] for r in runs]) for net in ("mlp_ms", "cnn_ms")} for key, runs in rounds.items()}
    b_, n_, f_ = steps["browser"], steps["native"], steps["tfjs"]
    rows = [
        ("page load -> runtime ready (idle start, warm cache)", f"{train['ready_s']:.2f} s"),
        ("first output after the first Run, cold cache", f"{cold['first_output_s']:.2f} s"),
        ("first output after the first Run, warm cache (cell 1 imports matplotlib)", f"{warm['first_output_s']:.2f} s"),
        ("  the same for a cell that needs only numpy (target <= 3 s)", f"{plain['first_output_s']:.2f} s"),
        ("first output after Run once the idle start and warm-up finished", f"{train['first_output_after_ready_s']:.2f} s"),
        ("  of which Pyodide runtime (warm)", f"{t['runtime'] / 1000:.2f} s"),
        ("  of which numpy + nnlib load (warm)", f"{t['packages'] / 1000:.2f} s"),
        ("  of which Python setup + imports (warm)", f"{t['python'] / 1000:.2f} s"),
        ("then, in the background, the warm-up import of matplotlib.pyplot", f"{train['warmup_s']:.2f} s"),
        (f"training cell {train['cell']} in the browser (target <= 5 s)", f"{train['browser_s']:.2f} s"),
        (f"training cell {train['cell']} natively", f"{native_s:.2f} s"),
        ("browser / native", f"{train['browser_s'] / native_s:.1f}x"),
        (f"step, float32, batch 100, Adam: medians of {ROUNDS} alternating rounds", ""),
        (f"  in the browser: {rounds['browser'][0]['kernel']}", ""),
        ("TwoLayerNet(784, 50, 10): nnlib in the browser", f"{b_['mlp_ms']:.2f} ms"),
        ("  nnlib natively (one thread)", f"{n_['mlp_ms']:.2f} ms"),
        ("  browser / native (target <= 3x)", f"{b_['mlp_ms'] / n_['mlp_ms']:.1f}x"),
        (f"  TensorFlow.js {rounds['tfjs'][0]['backend']} (SIMD: {rounds['tfjs'][0]['simd']}) in the browser",
         f"{f_['mlp_ms']:.2f} ms"),
        ("  TensorFlow.js / nnlib in the browser (target > 1)", f"{f_['mlp_ms'] / b_['mlp_ms']:.1f}x"),
        ("  nnlib in the browser without the kernel (use_kernel(False))", f"{no_kernel['mlp_ms']:.2f} ms"),
        ("SimpleConvNet: nnlib in the browser", f"{b_['cnn_ms']:.1f} ms"),
        ("  nnlib natively (one thread)", f"{n_['cnn_ms']:.1f} ms"),
        ("  browser / native (target <= 2x)", f"{b_['cnn_ms'] / n_['cnn_ms']:.1f}x"),
        ("  TensorFlow.js wasm in the browser", f"{f_['cnn_ms']:.1f} ms"),
        ("  TensorFlow.js / nnlib in the browser (target > 1)", f"{f_['cnn_ms'] / b_['cnn_ms']:.1f}x"),
        ("  nnlib in the browser without the kernel (use_kernel(False))", f"{no_kernel['cnn_ms']:.1f} ms"),
        ("SimpleConvNet, one epoch of the 5,000-image MNIST subset: in the browser", f"{epoch['epoch_s']:.2f} s"),
        ("  natively (one thread)", f"{epoch_native['epoch_s']:.2f} s"),
        ("  test accuracy after it (browser, native)",
         f"{epoch['test_accuracy']:.3f}, {epoch_native['test_accuracy']:.3f}"),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(json.dumps({"cold": cold, "warm": warm, "plain": plain, "training": train, "native_s": native_s,
                      "rounds": rounds, "no_kernel": no_kernel, "epoch": epoch, "epoch_native": epoch_native}),
          file=sys.stderr)
    ok = (plain["first_output_s"] <= 3 and train["browser_s"] <= 5 and train["state"] == "done"
          and b_["cnn_ms"] <= 2 * n_["cnn_ms"] and b_["mlp_ms"] <= 3 * n_["mlp_ms"]
          and b_["cnn_ms"] < f_["cnn_ms"] and b_["mlp_ms"] < f_["mlp_ms"])
    print("targets met" if ok else "targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
