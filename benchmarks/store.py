"""The experiment store before and after compaction: files, bytes, and a grouped count's time.

    .venv/bin/python benchmarks/store.py                       # 10,000 runs of 4 weeks
    .venv/bin/python benchmarks/store.py --runs 1000 --weeks 26 --keep out/store-bench

Builds an ensemble of `1928` at 1:100 (`--weeks` weeks a run) through
`thermidor.experiments.run`, with automatic compaction held back and, so that 10,000 runs take
minutes on a shared machine, a task that writes the parts of one of `--distinct` real runs
(simulated once, up front) under each run's index: the files are what a real run writes, the
runner commits them as usual (checksums, `runs` rows). Then it measures on the directory: the
files and bytes of the tables, and the wall time of
`SELECT outcome, count(*) FROM outcomes GROUP BY ALL` through `thermidor.experiments.query`
(median of `--repeats`, views built each time as `thermidor query` does); then `compact`s it
(timed) and measures again. Prints one Markdown table and the 1-minute load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import thermidor
import thermidor.experiments.runner as runner
from thermidor.experiments import api
from thermidor.experiments.compact import compact, footprint
from thermidor.experiments.plan import Task, run_seed
from thermidor.experiments.query import frame
from thermidor.experiments.store import part_path, write_table
from thermidor.experiments.task import tables

TEMPLATES: list = []


def replay(task: Task) -> dict:
    """Write the parts of template run `task.run % len(TEMPLATES)` as run `task.run`'s."""
    result = TEMPLATES[task.run % len(TEMPLATES)]
    for table, data in tables(result, task.run).items():
        write_table(part_path(Path(task.out), table, task.run), data)
    return {"run": task.run, "seconds": 0.0, "outcome": result.outcome["outcome"],
            "host": socket.gethostname(), "pid": os.getpid()}  # fmt: skip


SQL = "SELECT outcome, count(*) AS n FROM outcomes GROUP BY ALL ORDER BY 1"


def _load() -> str:
    with open("/proc/loadavg", encoding="utf-8") as f:
        return f.read().split()[0]


def timed_query(root: Path, repeats: int) -> tuple[float, list]:
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = frame(root, SQL).values.tolist()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--distinct", type=int, default=8, help="real runs replayed (8)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--keep", metavar="DIR", help="build the store here and keep it")
    args = ap.parse_args(argv)

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="store-bench-"))
    target = root / "exp"
    load0 = _load()
    runner.AUTO_RUNS = sys.maxsize  # hold automatic compaction back: measure the parts first
    t = time.perf_counter()
    plan = api.ensemble_plan("1928", args.runs, weeks=args.weeks, scale=args.scale)
    TEMPLATES.extend(
        thermidor.simulate(plan.scenario, seed=run_seed(plan.root_seed, r))
        for r in range(args.distinct)
    )
    with ThreadPoolExecutor(args.workers) as pool:
        api.run(plan, target, executor=pool, workers=args.workers, progress=False,
                task_fn=replay)  # fmt: skip
    built = time.perf_counter() - t
    files0, bytes0 = footprint(target)
    q0, res0 = timed_query(target, args.repeats)
    t = time.perf_counter()
    compact(target)
    compact_s = time.perf_counter() - t
    files1, bytes1 = footprint(target)
    q1, res1 = timed_query(target, args.repeats)
    assert res0 == res1, (res0, res1)
    print(f"{args.runs:,} runs of 1928 at scale {args.scale}, {args.weeks} weeks "
          f"({args.distinct} distinct), built in "
          f"{built:.0f} s with {args.workers} workers; compaction {compact_s:.1f} s; "
          f"load {load0} -> {_load()}")  # fmt: skip
    print("| store | files | MB | grouped count, s (median) |")
    print("|---|---:|---:|---:|")
    print(f"| one part per run and table | {files0:,} | {bytes0 / 2**20:,.1f} | {q0:.3f} |")
    print(f"| compacted | {files1:,} | {bytes1 / 2**20:,.1f} | {q1:.3f} |")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
