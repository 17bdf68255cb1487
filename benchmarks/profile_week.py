"""Where a week's time goes: each submodel's `step` timed separately, plus observe.

    .venv/bin/python benchmarks/profile_week.py                     # 1:10, 30 weeks after 10
    .venv/bin/python benchmarks/profile_week.py --scale 1:100 --weeks 60 --json prof.json

Steps the `1928` scenario exactly as `thermidor.model.schedule.week` and `thermidor.simulate` do
(the week's bookkeeping, every enabled submodel of SCHEDULE in order, then `observe`, and
`cells_snapshot` every `snapshot_every` weeks), timing each call. The first `--warmup` weeks
compile or load the numba cache and are not counted; the next `--weeks` weeks are. One thread
unless `--threads N` (NUMBA_NUM_THREADS and friends are set before numba loads).
`schedule.SCHEDULE` is read at call time, so a script can swap a variant step in and call
`main()` to profile it. With several threads the CPU columns count the calling thread only:
read the wall columns.

Each call is timed twice: wall clock (`perf_counter_ns`) and this thread's CPU time
(`thread_time_ns`). On a shared, loaded machine the wall time includes the time the process was
descheduled; the CPU time does not, and is the steadier measure of the code's own cost.

Prints per step: the median wall and CPU milliseconds a week, the mean CPU milliseconds,
nanoseconds of CPU per person (mean), and the share of the mean week (CPU). Some steps do not run
every week (S11 hierarchy every `every` weeks, the snapshot every `snapshot_every`), so the mean
is the column that adds up to the week.
"""

from __future__ import annotations

import os
import sys

_THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
os.environ.setdefault("NUMBA_NUM_THREADS", _THREADS)
for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_k, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import thermidor  # noqa: E402
from thermidor.model import schedule  # noqa: E402
from thermidor.model.init import initial_state  # noqa: E402
from thermidor.model.jit import set_threads  # noqa: E402
from thermidor.model.observe import cells_snapshot, observe  # noqa: E402
from thermidor.model.state import OPEN  # noqa: E402
from throughput import load, machine, parse_scale, scale_label  # noqa: E402


class Timer:
    """Wall and CPU nanoseconds of the steps of each counted week."""

    def __init__(self, names: list[str]) -> None:
        self.wall: dict[str, list[int]] = {n: [] for n in names}
        self.cpu: dict[str, list[int]] = {n: [] for n in names}

    def add(self, name: str, wall: int, cpu: int) -> None:
        self.wall[name].append(wall)
        self.cpu[name].append(cpu)


def profile(scale: float, warmup: int, weeks: int, seed: int, overrides: list[str]) -> dict:
    """Per-step nanoseconds (wall and CPU) for each counted week."""
    sc = thermidor.load_scenario("1928", overrides, scale=scale)
    state = initial_state(sc, seed)
    steps = [n for n, _, _ in schedule.SCHEDULE]
    names = ["bookkeeping", *steps, "S14 observe", "S14 cells_snapshot"]
    timer = Timer(names)
    every = sc.observe.snapshot_every
    outcome_week = None
    wall, cpu = time.perf_counter_ns, time.thread_time_ns

    def run(name: str, counted: bool, f, *args) -> None:
        w0, c0 = wall(), cpu()
        f(*args)
        w1, c1 = wall(), cpu()
        if counted:
            timer.add(name, w1 - w0, c1 - c0)

    def bookkeeping(w: int) -> None:
        m = state.macro
        m.week = w
        m.line_start, m.regime_start, m.clash = m.line, m.regime, False

    def step_if(step, enabled) -> None:
        if enabled(sc):
            step(state, sc)

    def snapshot(w: int) -> None:
        if w % every == 0 or w == warmup:  # once in the warm-up: its kernel loaded, not counted
            cells_snapshot(state, sc)

    for w in range(1, warmup + weeks + 1):
        counted = w > warmup
        run("bookkeeping", counted, bookkeeping, w)
        for name, step, enabled in schedule.SCHEDULE:  # read at call time: patchable
            run(name, counted, step_if, step, enabled)
        run("S14 observe", counted, observe, state, sc)
        run("S14 cells_snapshot", counted, snapshot, w)
        if outcome_week is None and state.macro.outcome != OPEN:
            outcome_week = w  # simulate() would stop here; the profile goes on
    return {
        "persons": state.n_persons,
        "cells": state.n_cells,
        "outcome_week": outcome_week,
        "wall_ns": timer.wall,
        "cpu_ns": timer.cpu,
    }


def table(res: dict) -> list[dict]:
    n = res["persons"]
    wall, cpu = res["wall_ns"], res["cpu_ns"]
    total = sum(statistics.fmean(v) for v in cpu.values())
    rows = []
    for name in cpu:
        mean = statistics.fmean(cpu[name])
        rows.append(
            {
                "step": name,
                "wall_median_ms": statistics.median(wall[name]) / 1e6,
                "cpu_median_ms": statistics.median(cpu[name]) / 1e6,
                "cpu_mean_ms": mean / 1e6,
                "ns_per_person": mean / n,
                "share": mean / total,
            }
        )
    weekly_wall = [sum(t) for t in zip(*wall.values(), strict=True)]
    weekly_cpu = [sum(t) for t in zip(*cpu.values(), strict=True)]
    rows.append(
        {
            "step": "week total",
            "wall_median_ms": statistics.median(weekly_wall) / 1e6,
            "cpu_median_ms": statistics.median(weekly_cpu) / 1e6,
            "cpu_mean_ms": total / 1e6,
            "ns_per_person": total / n,
            "share": 1.0,
        }
    )
    return rows


COLUMNS = ("wall_median_ms", "cpu_median_ms", "cpu_mean_ms", "ns_per_person")
TITLES = ("wall median ms", "CPU median ms", "CPU mean ms", "CPU ns/person")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="1:10")
    ap.add_argument("--warmup", type=int, default=10, help="weeks not counted (10)")
    ap.add_argument("--weeks", type=int, default=30, help="weeks counted (30)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="threads of the kernels (1)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)

    scale = parse_scale(args.scale)
    set_threads(args.threads)
    load_before = load()
    res = profile(scale, args.warmup, args.weeks, args.seed, args.set)
    rows = table(res)
    m = machine()
    print(
        f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, numpy {m['numpy']}, "
        f"numba {m['numba']}; load {load_before} -> {load()}"
    )
    print(
        f"1928 at {scale_label(scale)}: {res['persons']:,} persons, {res['cells']:,} cells; "
        f"weeks {args.warmup + 1}-{args.warmup + args.weeks} counted; overrides {args.set}; "
        f"outcome reached in week {res['outcome_week']}; {args.threads} thread(s)"
    )
    if args.markdown:
        print("| step | " + " | ".join(TITLES) + " | share |")
        print("|---|" + "---:|" * (len(TITLES) + 1))
        for r in rows:
            cells = " | ".join(f"{r[c]:.2f}" for c in COLUMNS)
            print(f"| {r['step']} | {cells} | {100 * r['share']:.1f} % |")
    else:
        print(f"{'step':<20}" + "".join(f"{t:>16}" for t in TITLES) + f"{'share':>8}")
        for r in rows:
            cells = "".join(f"{r[c]:>16.2f}" for c in COLUMNS)
            print(f"{r['step']:<20}{cells}{100 * r['share']:>7.1f}%")
        mpw = res["persons"] / (rows[-1]["cpu_mean_ms"] / 1e3) / 1e6
        print(f"=> {mpw:.1f} million person-weeks per CPU second (mean week, CPU time)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": m, "args": vars(args), **res, "rows": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
