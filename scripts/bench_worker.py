"""One benchmark contender in its own process, driven by scripts/bench_run.py over a line-based JSON protocol.

Protocol (one JSON object per line; stdin from the parent, replies on the original stdout):
  parent -> {"workload": "mlp", "contender": "nnlib", "threads": 2, "seed": 0, "n_train": 50000}
  worker -> {"ok": true, "info": {...}}            ready: model built, data made, nothing timed yet
            {"ok": false, "skip": "reason"}         this contender cannot run here (e.g. torch not installed)
            {"ok": false, "error": "traceback"}     it should run but failed
  parent -> {"cmd": "run", "warmup": 3, "min_units": 5, "max_units": 2000, "budget_s": 1.5}
  worker -> {"times": [seconds, ...]}               one entry per timed unit (a step, an epoch, an evaluation)
  parent -> {"cmd": "quit"}

Anything a contender prints goes to stderr, so it cannot corrupt the protocol.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
import traceback
from typing import Callable


def _set_threads(n: int) -> dict:
    """Pin every thread pool this process may use to n threads and report what is loaded."""
    info: dict = {"threads": n}
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        info["threadpoolctl"] = None
        return info
    threadpool_limits(limits=n)
    info["threadpoolctl"] = [
        {k: p.get(k) for k in ("user_api", "internal_api", "prefix", "version", "architecture", "num_threads",
                               "threading_layer")}
        for p in threadpool_info()
    ]
    return info


def _make(workload: str, contender: str, seed: int, n_train: int) -> Callable[[], None]:
    """The unit of work (a callable) for this workload and contender; imports only what that contender needs."""
    if contender == "torch":
        try:
            import torch  # noqa: F401
        except ImportError as exc:
            raise _Skip(f"PyTorch is not installed ({exc}); install the bench extra: pip install -e '.[bench]'")
        import bench_torch
        return {"mlp": bench_torch.mlp, "cnn": bench_torch.cnn}[workload](seed)
    if contender == "nnlib32":
        import bench_nnlib
        import numpy as np
        return bench_nnlib.network_epoch(seed, n_train, dtype=np.float32)
    if contender == "nnlib":
        import bench_nnlib
        if workload == "network":
            return bench_nnlib.network_epoch(seed, n_train)
        return {"mlp": bench_nnlib.mlp, "cnn": bench_nnlib.cnn, "eval_mlp": bench_nnlib.eval_mlp,
                "eval_cnn": bench_nnlib.eval_cnn, "eval_network": bench_nnlib.eval_network}[workload](seed)
    if contender == "book":
        return _book(workload, seed)
    if contender == "floor":
        import bench_floor
        return {"mlp": bench_floor.mlp, "cnn": bench_floor.cnn}[workload](seed)
    if contender == "loop":
        return _nielsen_epoch(seed, n_train)
    raise ValueError(f"unknown contender {contender!r} for workload {workload!r}")


def _book(workload: str, seed: int) -> Callable[[], None]:
    import bench_book
    import bench_data
    if workload == "eval_cnn":
        net = bench_book.SimpleConvNet(seed=seed)
        x, t = bench_data.images(10_000, seed, flat=False), bench_data.labels(10_000, seed)
        return lambda: net.accuracy(x, t)
    net = bench_book.TwoLayerNet(784, 50, 10, seed=seed) if workload == "mlp" else bench_book.SimpleConvNet(seed=seed)
    return bench_data.training_step(net, bench_book.Adam(lr=1e-3), seed, flat=(workload == "mlp"))


def _nielsen_epoch(seed: int, n_train: int) -> Callable[[], None]:
    import bench_data
    import bench_nielsen
    data = bench_nielsen.as_nielsen_data(bench_data.images(n_train, seed, flat=True), bench_data.labels(n_train, seed))
    net = bench_nielsen.Network([784, 30, 10], seed=seed)
    return lambda: net.SGD(data, 1, 10, 3.0)


class _Skip(Exception):
    pass


def _run(unit: Callable[[], None], cmd: dict) -> list[float]:
    for _ in range(cmd.get("warmup", 0)):
        unit()
    gc.collect()
    times: list[float] = []
    clock = time.perf_counter
    start = clock()
    while len(times) < cmd["max_units"]:
        t0 = clock()
        unit()
        times.append(clock() - t0)
        if len(times) >= cmd["min_units"] and clock() - start >= cmd["budget_s"]:
            break
    return times


def main() -> None:
    proto = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr  # contenders' prints must not reach the protocol stream

    def reply(obj: dict) -> None:
        proto.write(json.dumps(obj) + "\n")

    cfg = json.loads(sys.stdin.readline())
    try:
        import numpy  # noqa: F401  (loaded first, so that threadpoolctl sees and limits its BLAS)
        info = _set_threads(cfg["threads"])
        unit = _make(cfg["workload"], cfg["contender"], cfg.get("seed", 0), cfg.get("n_train", 50_000))
        if cfg["contender"] == "torch":
            import bench_torch
            import torch
            torch.set_num_threads(cfg["threads"])
            info.update(bench_torch.info())
            info = {**info, **_set_threads(cfg["threads"])}  # torch loads its own OpenMP/MKL: report them too
    except _Skip as exc:
        reply({"ok": False, "skip": str(exc)})
        return
    except Exception:
        reply({"ok": False, "error": traceback.format_exc()})
        return
    reply({"ok": True, "info": info})
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            return
        try:
            reply({"times": _run(unit, cmd)})
        except Exception:
            reply({"error": traceback.format_exc()})
            return


if __name__ == "__main__":
    main()
