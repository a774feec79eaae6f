"""nnlib's performance benchmark (issue 6): nnlib against PyTorch CPU eager, the book-style reference, Nielsen's
per-sample loop and the GEMM floor, in one run.

Method, because this machine is shared and timings drift by 1.3-1.7x between runs:
- every contender runs in its own worker process (scripts/bench_worker.py), started once per workload;
- the contenders take turns: in each round every one of them runs for a short time budget, and the order rotates from
  round to round, so a burst of load from elsewhere hits all of them alike;
- a ratio is computed inside each round (median unit time of A / median unit time of B) and the reported ratio is the
  median of these per-round ratios; the absolute ms figures are pooled over all rounds;
- all contenders use the same number of threads: numpy's BLAS pool (threadpoolctl), PyTorch's intra-op pool
  (torch.set_num_threads) and OMP/OPENBLAS/MKL_NUM_THREADS are all set to --threads, 1 by default. One thread:
  the same resources for every contender, and on a machine shared with other work a multi-threaded BLAS waits for
  descheduled threads (measured here under load, a 100x784x50 float32 product took 2.7 ms with two OpenBLAS
  threads instead of 0.05 ms). With --threads 2, PyTorch gains more than nnlib: it spreads its elementwise work over
  both threads, NumPy only its matrix products (see the README).

Run it through ./scripts/bench (which sets up .venv with the bench extra); `--help` lists the options.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MNIST_TRAIN = 60_000   # images per epoch for the MLP and the CNN (the MNIST training set, 600 steps of 100)
NIELSEN_TRAIN = 50_000  # Nielsen's training split


@dataclass
class Contender:
    key: str     # what the worker calls it
    label: str   # what the table calls it
    dtype: str


@dataclass
class Workload:
    key: str
    title: str
    unit: str
    examples: int                      # examples processed by one unit (for examples/s)
    contenders: list[Contender]
    warmup: int
    min_units: int
    max_units: int
    budget_s: float
    max_rounds: int = 99  # evaluations are slow and compared with nothing timed: 3 rounds are enough there
    rounds_run: int = 0
    results: dict = field(default_factory=dict)


def workloads(n_train: int, budget_scale: float) -> dict[str, Workload]:
    nn = Contender("nnlib", "nnlib", "float32")
    floor = Contender("floor", "GEMM floor (NumPy matmul only)", "float32")
    torch = Contender("torch", "PyTorch CPU eager", "float32")
    book = Contender("book", "book-style reference", "float64")
    b = budget_scale
    return {w.key: w for w in [
        Workload("mlp", "TwoLayerNet(784, 50, 10), batch 100, Adam(lr=1e-3): one training step", "step", 100,
                 [nn, torch, book, floor], warmup=20, min_units=30, max_units=5000, budget_s=0.6 * b),
        Workload("cnn", "SimpleConvNet (conv 30x5x5, ReLU, pool 2, affine 100, ReLU, affine 10), batch 100, "
                 "Adam(lr=1e-3): one training step", "step", 100,
                 [nn, torch, book, floor], warmup=2, min_units=4, max_units=500, budget_s=1.0 * b),
        Workload("network", f"Network([784, 30, 10]), sigmoid, quadratic cost: one epoch of {n_train:,} images at "
                 "mini-batch 10, eta 3.0", "epoch", n_train,
                 [Contender("nnlib", "nnlib Network (vectorised)", "float64"),
                  Contender("nnlib32", "nnlib Network (vectorised)", "float32"),
                  Contender("loop", "Nielsen's per-sample loop", "float64")],
                 warmup=0, min_units=1, max_units=50, budget_s=1.0 * b),
        Workload("eval_mlp", "TwoLayerNet.accuracy on 10,000 images", "evaluation", 10_000,
                 [nn], warmup=1, min_units=3, max_units=200, budget_s=0.5 * b, max_rounds=3),
        Workload("eval_cnn", "SimpleConvNet.accuracy on 10,000 images", "evaluation", 10_000,
                 [nn, Contender("book", "book-style reference (batches of 100)", "float64")],
                 warmup=1, min_units=1, max_units=100, budget_s=1.0 * b, max_rounds=3),
        Workload("eval_network", "Network.evaluate on 10,000 images", "evaluation", 10_000,
                 [Contender("nnlib", "nnlib Network", "float64")], warmup=1, min_units=3, max_units=200,
                 budget_s=0.5 * b, max_rounds=3),
    ]}


class Worker:
    """A contender's process; speaks the JSON-lines protocol described in bench_worker.py."""

    def __init__(self, cfg: dict, env: dict[str, str]) -> None:
        self.errfile = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "bench_worker.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.errfile, text=True, env=env, cwd=HERE)
        self.ready = self.ask(cfg)

    def ask(self, obj: dict) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.errfile.seek(0)
            return {"ok": False, "error": "worker exited without answering:\n" + self.errfile.read()[-3000:]}
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")  # type: ignore[union-attr]
                self.proc.stdin.flush()  # type: ignore[union-attr]
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.errfile.close()


def run_workload(w: Workload, rounds: int, threads: int, env: dict[str, str], n_train: int, log) -> None:
    """Start one worker per contender, alternate them over `rounds` rounds, store times in w.results."""
    workers: dict[str, Worker] = {}
    for c in w.contenders:
        worker = Worker({"workload": w.key, "contender": c.key, "threads": threads, "seed": 0, "n_train": n_train},
                        env)
        if worker.ready.get("ok"):
            workers[c.key] = worker
            w.results[c.key] = {"info": worker.ready["info"], "rounds": []}
        else:
            worker.close()
            reason = worker.ready.get("skip") or worker.ready.get("error", "?")
            kind = "skipped" if "skip" in worker.ready else "FAILED"
            w.results[c.key] = {"skipped" if kind == "skipped" else "error": reason}
            log(f"  {c.label}: {kind}: {reason.strip()}")
    keys = [c.key for c in w.contenders if c.key in workers]
    w.rounds_run = rounds
    try:
        for r in range(rounds):
            order = keys[r % len(keys):] + keys[:r % len(keys)] if keys else []
            for key in order:
                ans = workers[key].ask({"cmd": "run", "warmup": w.warmup if r == 0 else min(w.warmup, 2),
                                        "min_units": w.min_units, "max_units": w.max_units, "budget_s": w.budget_s})
                if "times" not in ans:
                    raise RuntimeError(f"{w.key}/{key} failed:\n{ans.get('error')}")
                w.results[key]["rounds"].append(ans["times"])
            meds = ", ".join(f"{k} {statistics.median(w.results[k]['rounds'][-1]) * 1e3:.3g} ms" for k in keys)
            log(f"  round {r + 1}/{rounds} done ({meds})")
    finally:
        for worker in workers.values():
            worker.close()


def per_round_ratio(w: Workload, a: str, b: str) -> float | None:
    """Median over rounds of median(time of a) / median(time of b) in that round."""
    ra, rb = w.results.get(a, {}).get("rounds"), w.results.get(b, {}).get("rounds")
    if not ra or not rb:
        return None
    return statistics.median(statistics.median(x) / statistics.median(y) for x, y in zip(ra, rb))


def unit_stats(times_by_round: list[list[float]]) -> dict:
    pooled = [t for rnd in times_by_round for t in rnd]
    return {"median": statistics.median(pooled), "min": min(pooled), "max": max(pooled), "n": len(pooled),
            "round_medians": [statistics.median(r) for r in times_by_round]}


def fmt_time(seconds: float, unit: str) -> str:
    return f"{seconds * 1e3:,.3g}" if unit == "step" else f"{seconds:,.3g}"


def print_table(w: Workload, out) -> None:
    time_unit = "ms" if w.unit == "step" else "s"
    out(f"\n### {w.title}")
    out(f"time per {w.unit} in {time_unit}; {w.rounds_run} rounds; ratios are medians of per-round ratios\n")
    has_floor = "floor" in w.results and "rounds" in w.results["floor"]
    head = ["contender", "dtype", f"median {time_unit}", f"min {time_unit}", f"max {time_unit}", "examples/s",
            "time / nnlib"] + (["x floor"] if has_floor else [])
    rows = []
    for c in w.contenders:
        res = w.results.get(c.key, {})
        if "rounds" not in res:
            rows.append([c.label, c.dtype, "skipped" if "skipped" in res else "FAILED"] + [""] * (len(head) - 3))
            continue
        s = res["stats"] = unit_stats(res["rounds"])
        vs = per_round_ratio(w, c.key, "nnlib")
        row = [c.label, c.dtype, fmt_time(s["median"], w.unit), fmt_time(s["min"], w.unit),
               fmt_time(s["max"], w.unit), f"{w.examples / s['median']:,.0f}", f"{vs:.2f}" if vs else "-"]
        if has_floor:
            xf = per_round_ratio(w, c.key, "floor")
            row.append(f"{xf:.2f}" if xf else "-")
        rows.append(row)
    out("| " + " | ".join(head) + " |")
    out("|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|")
    for row in rows:
        out("| " + " | ".join(row) + " |")


def targets(ws: dict[str, Workload], n_train: int) -> list[tuple[str, float | None, str, bool | None]]:
    """(description, measured value, target, met?) for each target of issue 6 that this run measured."""
    out = []

    def add(desc: str, value: float | None, op: str, limit: float) -> None:
        met = None if value is None else (value <= limit if op == "<=" else value >= limit)
        out.append((desc, value, f"{op} {limit:g}", met))

    if "mlp" in ws:
        add("MLP step: nnlib time / PyTorch time", per_round_ratio(ws["mlp"], "nnlib", "torch"), "<=", 0.5)
        add("MLP step: nnlib time / GEMM floor", per_round_ratio(ws["mlp"], "nnlib", "floor"), "<=", 2.5)
    if "cnn" in ws:
        add("SimpleConvNet step: nnlib time / PyTorch time", per_round_ratio(ws["cnn"], "nnlib", "torch"), "<=", 0.7)
        add("SimpleConvNet step: book reference time / nnlib time (speed-up)",
            per_round_ratio(ws["cnn"], "book", "nnlib"), ">=", 8)
    if "network" in ws:
        add("Network epoch at mini-batch 10: per-sample loop / nnlib float64 (speed-up)",
            per_round_ratio(ws["network"], "loop", "nnlib"), ">=", 8)
        add("Network epoch at mini-batch 10: per-sample loop / nnlib float32 (speed-up)",
            per_round_ratio(ws["network"], "loop", "nnlib32"), ">=", 8)
    for ev, train, per_epoch in [("eval_mlp", "mlp", MNIST_TRAIN // 100), ("eval_cnn", "cnn", MNIST_TRAIN // 100)]:
        if ev in ws and train in ws and "stats" in ws[ev].results.get("nnlib", {}) \
                and "stats" in ws[train].results.get("nnlib", {}):
            frac = ws[ev].results["nnlib"]["stats"]["median"] / (per_epoch * ws[train].results["nnlib"]["stats"]["median"])
            add(f"{train.upper()} accuracy on 10k images / one training epoch of 60k", frac, "<=", 0.25)
    if "eval_network" in ws and "network" in ws and "stats" in ws["eval_network"].results.get("nnlib", {}) \
            and "stats" in ws["network"].results.get("nnlib", {}):
        epoch = ws["network"].results["nnlib"]["stats"]["median"] * NIELSEN_TRAIN / n_train
        add("Network.evaluate on 10k images / one training epoch of 50k",
            ws["eval_network"].results["nnlib"]["stats"]["median"] / epoch, "<=", 0.25)
    return out


def machine_info() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    info = {"cpu": cpu, "logical_cpus": os.cpu_count(), "python": platform.python_version(),
            "numpy": numpy.__version__, "platform": platform.platform()}
    try:
        import torch
        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    return info


def default_threads() -> int:
    """numpy's BLAS pool size as threadpoolctl sees it (what numpy would use anyway), else the CPU count."""
    try:
        from threadpoolctl import threadpool_info
        blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        if blas:
            return blas[0]
    except ImportError:
        pass
    return os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default="mlp,cnn,network,eval_mlp,eval_cnn,eval_network",
                   help="comma-separated workloads to run (default: all): mlp, cnn, network, eval_mlp, eval_cnn, "
                        "eval_network")
    p.add_argument("--rounds", type=int, default=7, help="rounds that alternate the contenders (>= 3; default 7)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads for every contender's BLAS / OpenMP / PyTorch pool (default 1; 0 = numpy's default)")
    p.add_argument("--quick", action="store_true",
                   help="a fast smoke run: 3 rounds, shorter time budgets, Network epochs of 10,000 images")
    p.add_argument("--json", type=Path, help="also write every measurement to this JSON file")
    p.add_argument("--check", action="store_true", help="exit with status 1 if a measured target is not met")
    args = p.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    if rounds < 3:
        p.error("--rounds must be at least 3 (ratios are medians over rounds)")
    n_train = 10_000 if args.quick else NIELSEN_TRAIN
    if args.threads < 0:
        p.error("--threads must be >= 0")
    threads = args.threads or default_threads()
    all_w = workloads(n_train, 0.4 if args.quick else 1.0)
    chosen = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in chosen if k not in all_w]
    if unknown:
        p.error(f"unknown workload(s) {unknown}; expected some of {list(all_w)}")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), PYTHONPATH=os.pathsep.join(
                   [str(HERE.parent)] + [x for x in [os.environ.get("PYTHONPATH")] if x]))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    machine = machine_info()
    machine["loadavg_start"] = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    ws = {k: all_w[k] for k in chosen}
    t0 = time.perf_counter()
    for w in ws.values():
        log(f"{w.key}: {', '.join(c.label for c in w.contenders)}")
        run_workload(w, min(rounds, w.max_rounds), threads, env, n_train, log)
    machine["loadavg_end"] = os.getloadavg()
    blas = next((r["info"].get("threadpoolctl") for w in ws.values() for k, r in w.results.items()
                 if k == "nnlib" and "info" in r), None)
    torch_info = next((r["info"] for w in ws.values() for k, r in w.results.items() if k == "torch" and "info" in r),
                      None)

    out = print
    out(f"nnlib benchmark, {started}, {rounds} rounds, {time.perf_counter() - t0:.0f} s")
    out(f"machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs, load average "
        f"{machine['loadavg_start'][0]:.1f} at start, {machine['loadavg_end'][0]:.1f} at end; "
        f"Python {machine['python']}, NumPy {machine['numpy']}, PyTorch {machine['torch'] or 'not installed'}")
    if blas:
        for lib in blas:
            if lib["user_api"] == "blas":
                out(f"numpy BLAS: {lib['internal_api']} {lib['version']} ({lib['prefix']}), kernel "
                    f"{lib.get('architecture')}, {lib['num_threads']} threads, {lib.get('threading_layer')} threading")
    else:
        out("numpy BLAS: unknown (threadpoolctl not installed)")
    out(f"threads: {threads} for every contender (numpy BLAS via threadpoolctl, OMP/OPENBLAS/MKL_NUM_THREADS"
        + (f", torch.set_num_threads({torch_info['torch_threads']})" if torch_info else "") + ")")
    out("data: synthetic MNIST-shaped float32 images in [0, 1] (80 % zeros) and int64 labels, same in every process")
    for w in ws.values():
        print_table(w, out)
    tg = targets(ws, n_train)
    if tg:
        out("\n### Targets (issue 6)\n")
        for desc, value, limit, met in tg:
            status = "n/a (contender missing)" if met is None else ("met" if met else "NOT MET")
            out(f"- {desc}: {'-' if value is None else f'{value:.3g}'} (target {limit}): {status}")
    if args.json:
        args.json.write_text(json.dumps({
            "started": started, "rounds": rounds, "threads": threads, "machine": machine, "blas": blas,
            "torch": torch_info, "targets": [dict(zip(("target", "value", "limit", "met"), t)) for t in tg],
            "workloads": {k: {"title": w.title, "unit": w.unit, "examples": w.examples, "results": w.results}
                          for k, w in ws.items()},
        }, indent=1))
        log(f"wrote {args.json}")
    return 1 if args.check and any(met is False for *_, met in tg) else 0


if __name__ == "__main__":
    sys.exit(main())
