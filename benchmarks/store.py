"""The experiment store before and after compaction: files, bytes, and a grouped count's time.

    .venv/bin/python benchmarks/store.py                       # 10,000 runs of 4 weeks
    .venv/bin/python benchmarks/store.py --runs 1000 --weeks 26 --keep out/store-bench

Runs `thermidor.experiments.ensemble` of `1928` at 1:100 (`--weeks` weeks a run; the store's
file count does not depend on the horizon) with automatic compaction held back, then measures on
the same directory: the files and bytes of the tables, and the wall time of
`SELECT outcome, count(*) FROM outcomes GROUP BY ALL` through `thermidor.experiments.query`
(median of `--repeats`, views built each time as `thermidor query` does); then `compact`s it
(timed) and measures again. Prints one Markdown table and the 1-minute load average.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import thermidor.experiments.runner as runner
from thermidor.experiments import api
from thermidor.experiments.compact import compact, footprint
from thermidor.experiments.query import frame

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
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--keep", metavar="DIR", help="build the store here and keep it")
    args = ap.parse_args(argv)

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="store-bench-"))
    target = root / "exp"
    load0 = _load()
    runner.AUTO_RUNS = sys.maxsize  # hold automatic compaction back: measure the parts first
    t = time.perf_counter()
    api.ensemble("1928", args.runs, out=target, weeks=args.weeks, scale=args.scale,
                 workers=args.workers, progress=False)  # fmt: skip
    built = time.perf_counter() - t
    files0, bytes0 = footprint(target)
    q0, res0 = timed_query(target, args.repeats)
    t = time.perf_counter()
    compact(target)
    compact_s = time.perf_counter() - t
    files1, bytes1 = footprint(target)
    q1, res1 = timed_query(target, args.repeats)
    assert res0 == res1, (res0, res1)
    print(f"{args.runs:,} runs of 1928 at scale {args.scale}, {args.weeks} weeks, built in "
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
