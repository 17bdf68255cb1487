"""Throughput of `thermidor.simulate` on the `1928` scenario at several scales and threads.

    .venv/bin/python benchmarks/throughput.py                      # 1:1000 .. 1:1, 52 weeks
    .venv/bin/python benchmarks/throughput.py --scales 1:10 --weeks 104 --repeats 5
    .venv/bin/python benchmarks/throughput.py --scales 1 --weeks 520 --repeats 1   # full scale
    .venv/bin/python benchmarks/throughput.py --outcome            # keep S13 (may stop early)
    .venv/bin/python benchmarks/throughput.py --scales 1:10 --threads 1,2  # thread scaling

Each scale runs in a fresh subprocess (so the peak memory of one scale does not contaminate the
next), with every thread pool limited to one thread (OpenMP, BLAS) and numba's to `--threads` (one
by default; `--threads 1,2` measures each scale at 1 and then 2 threads, alternating over
`--rounds`, so that the ratio is taken under the same load), and, with `--cpu N`, pinned to CPU N.
The child first warms up (a short run at 1:1000 that compiles or loads the numba cache), then times
`initial_state` and `simulate` `--repeats` times and reports medians.

By default the outcome submodel (S13) is switched off (`--set outcome.enabled=false`) so that
every run covers the full horizon: an absorbing outcome would end the run early. `--outcome`
keeps it on; person-weeks are always computed from the weeks actually run.

Columns: persons, cells, weeks run, init seconds (`initial_state`), wall seconds of `simulate`
(init, weekly loop, observe, result tables), CPU seconds of the same, million person-weeks per
second over the whole `simulate` call (wall), over the weekly loop alone (wall minus init), and
per CPU second (steadier than wall time on a shared machine), the bytes held by the state's arrays,
the child's peak resident set (VmHWM), and the 1-minute load average before and after the scale.
All times are medians over repeats. The load matters: on a shared machine the wall time includes
the time the process waited for a core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from typing import Any

DEFAULT_SCALES = "1:1000,1:100,1:10,1"
NO_OUTCOME = "outcome.enabled=false"
ONE_THREAD = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def parse_scale(text: str) -> float:
    """'1:10', '1/10', '0.1' -> 0.1."""
    text = text.strip()
    if ":" in text:
        a, b = text.split(":")
        return float(Fraction(int(a), int(b)))
    return float(Fraction(text))


def scale_label(scale: float) -> str:
    inv = 1.0 / scale
    return f"1:{round(inv)}" if abs(inv - round(inv)) < 1e-9 else f"{scale:g}"


def machine() -> dict[str, Any]:
    """CPU model, cores, Python and library versions."""
    import numba
    import numpy

    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "platform": platform.platform(),
        "revision": revision(),
    }


def load() -> str:
    """The load averages (1, 5, 15 minutes)."""
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def _output(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def revision() -> str:
    """The git commit of the tree measured, '+dirty' when it has uncommitted changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    git = ["git", "-C", root]
    try:
        head = _output([*git, "rev-parse", "--short", "HEAD"])
        dirty = _output([*git, "status", "--porcelain", "--", "src"])
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + ("+dirty" if dirty else "")


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM) in MB."""
    try:
        with open("/proc/self/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the child: one scale ---------------------------------------------------------------------


def child(scale: float, weeks: int, repeats: int, seed: int, overrides: list[str]) -> dict:
    import resource

    import numpy as np

    import thermidor
    from thermidor.model.init import initial_state
    from thermidor.model.jit import max_threads, set_threads

    set_threads(max_threads())  # exactly NUMBA_NUM_THREADS, not fewer for a small run

    # warm-up: compile or load every kernel on a small population (types do not depend on scale)
    t = time.perf_counter()
    warm = thermidor.load_scenario("1928", overrides, scale=0.001)
    thermidor.simulate(warm, seed=seed, weeks=min(weeks, 30))
    warmup_s = time.perf_counter() - t
    rss_warm = peak_rss_mb()

    sc = thermidor.load_scenario("1928", overrides, scale=scale)
    inits, walls, cpus, weeks_run, faults = [], [], [], [], []
    persons = cells = state_mb = 0
    for _ in range(repeats):
        t = time.perf_counter()
        state = initial_state(sc, seed)
        inits.append(time.perf_counter() - t)
        persons, cells = state.n_persons, state.n_cells
        state_mb = (
            sum(a.nbytes for a in state.persons) + sum(a.nbytes for a in state.cells)
        ) / 2**20
        del state
        f = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t, c = time.perf_counter(), time.process_time()
        result = thermidor.simulate(sc, seed=seed, weeks=weeks)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f)
        weeks_run.append(result.outcome["weeks_run"])
        outcome = result.outcome["outcome"]
        del result
    init, wall, cpu = (statistics.median(v) for v in (inits, walls, cpus))
    pw = [persons * w / t for w, t in zip(weeks_run, walls, strict=True)]
    pw_cpu = [persons * w / t for w, t in zip(weeks_run, cpus, strict=True)]
    loop = [persons * w / (t - i) for w, t, i in zip(weeks_run, walls, inits, strict=True)]
    return {
        "scale": scale,
        "persons": persons,
        "cells": cells,
        "weeks": int(np.median(weeks_run)),
        "weeks_asked": weeks,
        "weeks_run_all": weeks_run,
        "outcome": outcome,
        "init_s": init,
        "wall_s": wall,
        "cpu_s": cpu,
        "walls_s": walls,
        "pw_per_s": statistics.median(pw),
        "pw_per_cpu_s": statistics.median(pw_cpu),
        "loop_pw_per_s": statistics.median(loop),
        "state_mb": state_mb,
        "warmup_s": warmup_s,
        "rss_warmup_mb": rss_warm,
        "peak_rss_mb": peak_rss_mb(),
        "minor_faults": statistics.median(faults),
        "load": load(),
    }


# --- the parent: one subprocess a scale -------------------------------------------------------


def run_scale(
    args: argparse.Namespace, scale: float, overrides: list[str], threads: int = 1
) -> dict:
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        str(scale),
        "--weeks",
        str(args.weeks),
        "--repeats",
        str(args.repeats),
        "--seed",
        str(args.seed),
    ]
    for o in overrides:
        cmd += ["--set", o]
    env = {**os.environ, **ONE_THREAD, "NUMBA_NUM_THREADS": str(threads)}
    if args.cpu is not None:
        cmd = ["taskset", "-c", str(args.cpu), *cmd]
    load_before = load()
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    row = json.loads(out.strip().splitlines()[-1])
    row["load_before"] = load_before
    row["threads"] = threads
    return row


HEADER = (
    f"{'thr':>3} {'scale':>7} {'persons':>10} {'cells':>7} {'weeks':>5} {'init s':>7} "
    f"{'wall s':>8} "
    f"{'CPU s':>8} {'Mpw/s':>6} {'loop':>6} {'CPU':>6} {'state MB':>8} {'peak MB':>8}  load"
)


def fmt(r: dict) -> str:
    load_1 = f"{r['load_before'].split()[0]} -> {r['load'].split()[0]}"
    return (
        f"{r.get('threads', 1):>3} {scale_label(r['scale']):>7} {r['persons']:>10,} "
        f"{r['cells']:>7,} {r['weeks']:>5} "
        f"{r['init_s']:>7.2f} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} "
        f"{r['pw_per_s'] / 1e6:>6.1f} {r['loop_pw_per_s'] / 1e6:>6.1f} "
        f"{r['pw_per_cpu_s'] / 1e6:>6.1f} {r['state_mb']:>8.0f} {r['peak_rss_mb']:>8.0f}  {load_1}"
        + (f"  (stopped: {r['outcome']})" if r["weeks"] < r["weeks_asked"] else "")
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default=DEFAULT_SCALES, help=f"comma list ({DEFAULT_SCALES})")
    ap.add_argument("--weeks", type=int, default=52, help="weeks per run (52)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per scale (3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="scenario override, as `thermidor run --set` (repeatable)")  # fmt: skip
    ap.add_argument("--outcome", action="store_true",
                    help=f"keep S13 on (default: --set {NO_OUTCOME}, full horizon)")  # fmt: skip
    ap.add_argument("--threads", default="1", help="numba threads, a comma list (1)")
    ap.add_argument("--rounds", type=int, default=1, help="times to go over the threads (1)")
    ap.add_argument("--cpu", type=int, default=None, help="pin each child to this CPU (taskset)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    ap.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    overrides = list(args.set)
    if args.child is not None:
        print(json.dumps(child(args.child, args.weeks, args.repeats, args.seed, overrides)))
        return 0
    if not args.outcome and NO_OUTCOME not in overrides:
        overrides.insert(0, NO_OUTCOME)

    m = machine()
    print(
        f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, numpy {m['numpy']}, "
        f"numba {m['numba']} ({m['platform']}); thermidor at {m['revision']}"
    )
    print(
        f"scenario 1928, seed {args.seed}, {args.weeks} weeks, median of {args.repeats}, "
        f"overrides {overrides or 'none'}, threads {args.threads}"
        + (f", pinned to CPU {args.cpu}" if args.cpu is not None else "")
        + f"; {dt.datetime.now().isoformat(timespec='seconds')}"
    )
    print(
        "Mpw/s: million person-weeks per wall second of simulate(); loop: the same without "
        "init; CPU: per CPU second of simulate(); load: 1-minute load average before -> after"
    )
    print(HEADER)
    rows = []
    for text in args.scales.split(","):
        for _ in range(args.rounds):
            for threads in (int(t) for t in args.threads.split(",")):
                row = run_scale(args, parse_scale(text), overrides, threads)
                rows.append(row)
                print(fmt(row), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": m, "args": vars(args), "overrides": overrides, "rows": rows},
                      f, indent=2)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
