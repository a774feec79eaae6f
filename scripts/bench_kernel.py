#!/usr/bin/env python3
"""Benchmark of nnlib's WebAssembly SIMD kernel inside Pyodide under Node (not a test; no site, no browser).

    python scripts/bench_kernel.py [--baseline REF] [--rounds N] [--only TEXT]  # the products: this tree against REF
    python scripts/bench_kernel.py --profile [--net NET] [--steps N]             # where a training step goes

Products (the default): one training step of SimpleConvNet and of TwoLayerNet(784, 50, 10) (float32, batch 100,
scripts/bench_data.py's batches) runs once with the kernel, recording every product it sends there with its operands
as the layers pass them (transposed and batch-last views included). Each product is then timed with the kernel of
this working tree and with the kernel of git revision REF (default HEAD: the last commit), in ROUNDS rounds that
alternate the two; printed are GFLOP/s (medians, and the best round) and the median of the per-round speed ratios,
for the plain variant and, where Node has it (``--experimental-wasm-relaxed-simd``, passed here), the relaxed one.
Both kernels' results are checked against a float64 product first (to float32 rounding).

Times are the Node process's processor time (``process.cpuUsage()``), not wall time: on a machine shared with other
work, wall time counts the time slices other processes take, processor time only the kernel's own (two identical
kernels compared this way come out equal within 1-3 % at a load average of 19 on 2 cores; by wall time, 0.25x-4x).

Profile: SimpleConvNet (or --net TwoLayerNet) steps with this tree's kernel, each layer's forward and backward timed (medians over the
steps) apart from the kernel's products inside it, plus the loss and Adam's update; then cProfile's top entries by
own time over as many more steps.

Needs Node.js >= 20, `npm ci` (pyodide, wabt) and NNLIB_PYODIDE_MIRROR (or --mirror), the local Pyodide 0.27.7
runtime with numpy.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import simd_kernels  # noqa: E402

# Loads Pyodide and numpy from the local runtime, copies host files into its file system and runs one Python
# program; what that program prints is printed. argv: the runtime folder, then a JSON {destination: host path}.
RUNNER = """
import fs from "node:fs";
import path from "node:path";
import { loadPyodide } from "pyodide";
const [indexURL, filesJson, program] = process.argv.slice(1);
const py = await loadPyodide({ indexURL: indexURL + "/", packageCacheDir: indexURL + "/",
                               stdout: (s) => console.log(s), stderr: (s) => console.error(s) });
await py.loadPackage("numpy", { messageCallback: () => {} });
for (const [dest, src] of Object.entries(JSON.parse(filesJson))) {
  py.FS.mkdirTree(path.posix.dirname(dest));
  py.FS.writeFile(dest, fs.readFileSync(src));
}
await py.runPythonAsync(fs.readFileSync(program, "utf8"));
"""

# Inside Pyodide, both modes: nnlib from this tree at /work/nnlib, bench_data's batches and training step.
COMMON = """
import json, sys, time
sys.path.insert(0, "/work")
import numpy as np
import nnlib
from nnlib import layers, nets, optimizers, simd
exec(open("/work/bench_data.py").read())

try:  # the Node process's processor time: what a loaded machine's other work does not add to (wall time would)
    from js import process
    def clock():
        used = process.cpuUsage()
        return (used.user + used.system) / 1e6
except ImportError:
    clock = time.perf_counter
_start = clock()
for _ in range(200):
    clock()
CLOCK_COST = (clock() - _start) / 200  # one reading (tens of microseconds): taken out of each timing

def median(values):
    values = sorted(values)
    return values[len(values) // 2]

NETS = {"SimpleConvNet": (lambda: nets.SimpleConvNet(dtype=np.float32, seed=0), False),
        "TwoLayerNet": (lambda: nets.TwoLayerNet(784, 50, 10, dtype=np.float32, seed=0), True)}
"""

PRODUCTS = COMMON + """
kernels = {}  # variant -> {"old": Kernel, "new": Kernel}
for variant, name in simd.FILES.items():
    pair = {}
    for which, folder in (("old", "/work/baseline"), ("new", "/work/nnlib")):
        from js import WebAssembly
        from pyodide.ffi import to_js
        path = f"{folder}/{name}"
        if WebAssembly.validate(to_js(open(path, "rb").read())):
            pair[which] = simd.Kernel(__import__("pathlib").Path(path), variant)
    if len(pair) == 2:
        kernels[variant] = pair
assert simd.active() is not None, simd.status()

# One step of each net with the kernel, recording each product's operands and who asked for it.
captured = []
real = simd.active()
def recording(a, b, out=None, _matmul=real.matmul):
    frame = sys._getframe(2)  # the layer's method (simd.matmul is in between)
    caller = frame.f_locals.get("self")
    captured.append((net_name, f"{type(caller).__name__}.{frame.f_code.co_name}", a, b))
    return _matmul(a, b, out)
real.matmul = recording
for net_name, (make, flat) in NETS.items():
    net = make()
    training_step(net, optimizers.Adam(lr=1e-3), 0, flat)()
del real.matmul

def layout(a):
    s = a.strides
    if a.flags.c_contiguous: return "C"
    if a.flags.f_contiguous: return "T"
    return f"{s[0]},{s[1]}"

def per_call(kernel, a, b, out, reps):
    start = clock()
    for _ in range(reps):
        kernel.matmul(a, b, out)
    return (clock() - start - CLOCK_COST) / reps

rows = []
for net_name, who, a, b in captured:
    (m, k), n = a.shape, b.shape[1]
    if ONLY not in f"{net_name} {who} {m}x{k}x{n}":
        continue
    flop = 2 * m * n * k
    row = {"net": net_name, "product": who, "M": m, "K": k, "N": n, "A": layout(a), "B": layout(b)}
    for variant, pair in kernels.items():
        out = {w: np.empty((m, n), np.float32) for w in pair}
        for w, kern in pair.items():
            kern.matmul(a, b, out[w])
        exact = a.astype(np.float64) @ b.astype(np.float64)
        scale = np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)
        for w in pair:
            assert np.all(np.abs(out[w] - exact) <= 1e-6 * k * scale + 1e-30), (w, variant, row)
        reps = max(1, int(4e7 / flop))  # about 1 ms of work per timing at 40 GFLOP/s
        times = {w: [] for w in pair}
        ratios = []
        for r in range(ROUNDS):
            order = ("old", "new") if r % 2 == 0 else ("new", "old")
            t = {w: per_call(pair[w], a, b, out[w], reps) for w in order}
            for w in pair:
                times[w].append(t[w])
            ratios.append(t["old"] / t["new"])
        row[variant] = {**{f"{w}_ms": 1e3 * median(times[w]) for w in pair},
                        **{f"{w}_gflops": flop / median(times[w]) / 1e9 for w in pair},
                        **{f"{w}_best_gflops": flop / min(times[w]) / 1e9 for w in pair},
                        "speedup": median(ratios)}
    rows.append(row)
print("RESULT " + json.dumps(rows))
"""

PROFILE = COMMON + """
import cProfile, pstats, io
kernel = simd.active()
assert kernel is not None, simd.status()
spent = {}
nested = [0.0]  # processor time of the timed calls inside the current one, which its own time leaves out
def timed(key, fn):
    def wrapper(*args, **kwargs):
        outer, nested[0] = nested[0], 0.0
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            elapsed = clock() - start
            spent[key] = spent.get(key, 0.0) + elapsed - nested[0]
            nested[0] = outer + elapsed
    return wrapper

make, flat = NETS[PROFILED_NET]
net = make()
opt = optimizers.Adam(lr=1e-3)
step = training_step(net, opt, 0, flat)
for _ in range(3):
    step()
bare = []
for _ in range(STEPS):
    start = clock()
    step()
    bare.append(clock() - start)
for name, layer in [*net.layers.items(), ("loss", net.last_layer)]:
    for method in ("forward", "backward", "backward_params"):
        if hasattr(layer, method):
            setattr(layer, method, timed(f"{name}.{method}", getattr(layer, method)))
opt.update = timed("Adam.update", opt.update)
kernel_matmul = kernel.matmul
layer_names = {id(layer): name for name, layer in net.layers.items()}
def matmul(a, b, out=None):
    frame = sys._getframe(1).f_back  # the layer's method (simd.matmul is in between)
    key = f"{layer_names[id(frame.f_locals['self'])]}.{frame.f_code.co_name}: products"
    return timed(key, kernel_matmul)(a, b, out)
kernel.matmul = matmul
samples = []
for _ in range(STEPS):
    spent.clear()
    start = clock()
    step()
    spent["step"] = clock() - start
    samples.append(dict(spent))
kernel.matmul = kernel_matmul
for layer in [*net.layers.values(), net.last_layer]:
    for method in ("forward", "backward", "backward_params"):
        layer.__dict__.pop(method, None)
del opt.update
result = {key: median([s.get(key, 0.0) for s in samples]) * 1e3 for key in samples[0]}
result["bare"], result["clock"] = median(bare) * 1e3, CLOCK_COST * 1e3
print("RESULT " + json.dumps(result))
profiler = cProfile.Profile(clock)
profiler.enable()
for _ in range(STEPS):
    step()
profiler.disable()
buf = io.StringIO()
pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(25)
print(buf.getvalue())
"""


def _baseline_kernels(ref: str, out: Path) -> None:
    """Assemble the kernels of git revision ``ref``'s scripts/simd_kernels.py into ``out``."""
    source = subprocess.run(["git", "show", f"{ref}:scripts/simd_kernels.py"], cwd=ROOT, capture_output=True,
                            text=True)
    if source.returncode != 0:
        raise SystemExit(f"error: cannot read scripts/simd_kernels.py at {ref}: {source.stderr.strip()}")
    path = out / "simd_kernels_baseline.py"
    path.write_text(source.stdout, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("simd_kernels_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.WAT2WASM = simd_kernels.WAT2WASM  # its ROOT is the temporary folder
    module.build(out)
    if b"nnlib_array_data" not in (out / simd_kernels.FILES["plain"]).read_bytes():
        raise SystemExit(f"error: the kernel of {ref} takes data addresses, not array objects as nnlib/simd.py now "
                         "passes them (since commit 3a95849); compare with a later revision")


def run_in_pyodide(mirror: str, program: str, files: dict[str, Path]) -> str:
    """Run ``program`` in Pyodide under Node with ``files`` copied in; returns what it printed."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("error: Node.js is not on PATH")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(program)
    try:
        proc = subprocess.run(
            [node, "--experimental-wasm-relaxed-simd", "--input-type=module", "-e", RUNNER, mirror,
             json.dumps({dest: str(src) for dest, src in files.items()}), f.name],
            cwd=ROOT, capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        raise SystemExit(f"error: the benchmark failed inside Pyodide:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="HEAD", help="git revision whose kernel to compare with (HEAD)")
    parser.add_argument("--rounds", type=int, default=41, help="alternating rounds per product (41)")
    parser.add_argument("--only", default="", help="time only the products whose 'net product MxKxN' contains this")
    parser.add_argument("--profile", action="store_true", help="profile a training step instead")
    parser.add_argument("--net", choices=("SimpleConvNet", "TwoLayerNet"), default="SimpleConvNet",
                        help="the network whose step --profile splits (SimpleConvNet)")
    parser.add_argument("--steps", type=int, default=15, help="steps for --profile (15)")
    parser.add_argument("--mirror", default=os.environ.get("NNLIB_PYODIDE_MIRROR"), help="local Pyodide runtime")
    args = parser.parse_args(argv)
    if not args.mirror:
        parser.error("give --mirror or set NNLIB_PYODIDE_MIRROR (the local Pyodide 0.27.7 runtime)")
    with tempfile.TemporaryDirectory(prefix="nnlib-bench-kernel-") as tmp:
        new, old = Path(tmp) / "new", Path(tmp) / "old"
        simd_kernels.build(new)
        files = {f"/work/nnlib/{p.relative_to(ROOT / 'nnlib')}": p for p in (ROOT / "nnlib").rglob("*.py")}
        files |= {f"/work/nnlib/{name}": new / name for name in simd_kernels.FILES.values()}
        files["/work/bench_data.py"] = ROOT / "scripts" / "bench_data.py"
        if args.profile:
            program = PROFILE.replace("STEPS", str(args.steps)).replace("PROFILED_NET", repr(args.net))
            out = run_in_pyodide(args.mirror, program, files)
            return report_profile(out, args.net)
        old.mkdir()
        _baseline_kernels(args.baseline, old)
        files |= {f"/work/baseline/{name}": old / name for name in simd_kernels.FILES.values()}
        program = PRODUCTS.replace("ROUNDS", str(args.rounds)).replace("ONLY", repr(args.only))
        out = run_in_pyodide(args.mirror, program, files)
    return report_products(out, args)


def _result(out: str):
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def report_products(out: str, args: argparse.Namespace) -> int:
    rows = _result(out)
    variants = [v for v in simd_kernels.VARIANTS if v in rows[0]]
    print(f"GFLOP/s of each product of one training step (float32, batch 100) in Pyodide under Node {_node()}, "
          f"kernel of {args.baseline} (old) and of this tree (new), {args.rounds} alternating rounds: medians (best) "
          f"and the median of the rounds' speed ratios; load average {os.getloadavg()[0]:.1f}")
    print("A, B: how the operands are stored (C: C-contiguous, T: a transposed C-contiguous array, else byte strides)")
    head = f"{'net':<14}{'product':<27}{'M':>6}{'K':>6}{'N':>5}  {'A':<9}{'B':<9}"
    for v in variants:
        head += f"{v + ' old':>18}{'new':>14}{'new/old':>8}"
    print(head)
    totals: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        line = f"{r['net']:<14}{r['product']:<27}{r['M']:>6}{r['K']:>6}{r['N']:>5}  {r['A']:<9}{r['B']:<9}"
        for v in variants:
            x = r[v]
            line += "".join(f"{x[w + '_gflops']:>8.1f} ({x[w + '_best_gflops']:4.1f})" for w in ("old", "new"))
            line += f"{x['speedup']:>7.2f}x"
            t = totals.setdefault((r["net"], v), [0.0, 0.0])
            t[0] += x["old_ms"]
            t[1] += x["new_ms"]
        print(line)
    for (net, v), (o, n) in totals.items():
        print(f"{net}, {v}: the step's products take {o:.2f} ms (old) and {n:.2f} ms (new), {o / n:.2f}x")
    return 0


def report_profile(out: str, net: str) -> int:
    result = _result(out)
    step = result.pop("step")
    bare, clock = result.pop("bare"), result.pop("clock")
    products = sum(ms for key, ms in result.items() if key.endswith(": products"))
    print(f"{net} step (float32, batch 100, Adam) in Pyodide under Node {_node()} with the kernel: processor "
          f"time, medians over the steps; load average {os.getloadavg()[0]:.1f}")
    print(f"{'one step, not timed inside':<40}{bare:>9.2f} ms")
    print(f"{'one step, timed as below':<40}{step:>9.2f} ms  (one reading of the clock: {1000 * clock:.1f} us)")
    print(f"{'  all products (in the kernel)':<40}{products:>9.2f} ms  {100 * products / step:5.1f} %")
    rest = {key: ms for key, ms in result.items() if not key.endswith(": products")}
    rest["the rest of the step (gradient(), ...)"] = step - sum(result.values())
    for key, ms in sorted(rest.items(), key=lambda kv: -kv[1]):
        prod = result.get(key + ": products", 0.0)
        also = f"  (+ its products {prod:.2f} ms)" if prod else ""
        print(f"{'  ' + key:<40}{ms:>9.2f} ms  {100 * ms / step:5.1f} %{also}")
    print("cProfile over as many more steps, by own processor time:")
    print(out.split("RESULT ", 1)[1].split("\n", 1)[1])
    return 0


def _node() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
