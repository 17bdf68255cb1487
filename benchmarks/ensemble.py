"""Ensembles at scale: wall time, throughput, peak memory and store size against the run count.

    .venv/bin/python benchmarks/ensemble.py                              # 1,000 runs, 520 weeks
    .venv/bin/python benchmarks/ensemble.py --runs 100,10000 --weeks 26  # memory flatness
    .venv/bin/python benchmarks/ensemble.py --runs 20 --weeks 52         # a quick check
    .venv/bin/python benchmarks/ensemble.py --executor dask --workers 2 --json out.json

Each run count is measured in a fresh child process (so one count's peak memory does not carry
over to the next) that runs `thermidor.experiments.ensemble` of the `1928` scenario (scale 1:100
by default, the outcome submodel on, so a run may end early at an absorbing outcome; person-weeks
count the weeks actually run) into a fresh directory, while a thread samples, every 0.2 s, the
resident memory of the child (the process that schedules runs and commits them) and of each of
its worker processes. Reported: wall seconds, CPU seconds of the child and its workers (the runs'
cost whatever the load: each worker's CPU time as last sampled, so at most 0.2 s a worker short),
runs per second, person-weeks per second, the 1-minute load average sampled during the count, the
child's peak RSS (VmHWM, the number that must stay flat as runs grow: results stream to disk),
the largest peak RSS of one worker, the largest sampled total of the whole process tree, and the
store's size on disk. The store is deleted afterwards unless `--keep`.

The memory check (`--runs 100,10000`) may use fewer weeks (e.g. 26): the per-run memory of a
worker does not depend on the number of runs, only the scheduling process could grow with it, and
that is what is compared. Say so when quoting the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

DEFAULT_RUNS = "1000"


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _hwm_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


_TICK = os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> dict[int, float]:
    """All live descendants of `pid` (from /proc), each with its CPU seconds so far."""
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            p = int(stat.parent.name)
            parent[p], cpu[p] = int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK
        except (OSError, ValueError, IndexError):
            continue
    out: dict[int, float] = {}
    frontier = [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out.update((c, cpu[c]) for c in kids)
        frontier += kids
    return out


def _load1() -> float:
    with open("/proc/loadavg", encoding="utf-8") as f:
        return float(f.read().split()[0])


class Sampler(threading.Thread):
    """Samples the RSS of this process's descendants (the workers) and of the whole tree."""

    def __init__(self, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.every, self.stop = every, threading.Event()
        self.worker_peak = self.tree_peak = 0.0
        self.loads: list[float] = []  # the 1-minute load average, every 5 s
        self.cpu: dict[int, float] = {}  # CPU seconds of each descendant, as last seen

    def run(self) -> None:
        me = os.getpid()
        n = 0
        while not self.stop.is_set():
            if n % round(5 / self.every) == 0:
                self.loads.append(_load1())
            n += 1
            tree = _descendants(me)
            self.cpu.update(tree)
            kids = [_rss_mb(p) for p in tree]
            self.worker_peak = max([self.worker_peak, *kids])
            self.tree_peak = max(self.tree_peak, _rss_mb(me) + sum(kids))
            self.stop.wait(self.every)


def child(args: argparse.Namespace, runs: int) -> dict[str, Any]:
    """One measurement, in this (child) process."""
    import thermidor.experiments as tx

    root = Path(args.dir or tempfile.mkdtemp(prefix="thermidor-bench-"))
    out = root / f"ensemble-{runs}"
    sampler = Sampler()
    sampler.start()
    t0 = time.perf_counter()
    exp = tx.ensemble(
        args.scenario,
        runs,
        weeks=args.weeks,
        seed=args.seed,
        overrides=[f"scale={args.scale}", *args.set],
        out=out,
        executor=args.executor,
        workers=args.workers,
        progress=args.progress,
    )
    wall = time.perf_counter() - t0
    cpu = sum(os.times()[:2]) + sum(sampler.cpu.values())
    parent_peak = _hwm_mb()  # before the queries below, which read every part
    sampler.stop.set()
    sampler.join()
    pw = exp.query("SELECT sum(persons * weeks_run) AS pw, avg(weeks_run) AS w FROM outcomes")
    disk = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    result = {
        "runs": runs,
        "done": exp.status().done,
        "weeks": args.weeks,
        "mean_weeks_run": float(pw.w.iloc[0]),
        "wall_s": wall,
        "cpu_s": cpu,
        "runs_per_s": runs / wall,
        "person_weeks_per_s": float(pw.pw.iloc[0]) / wall,
        "parent_peak_mb": parent_peak,
        "worker_peak_mb": sampler.worker_peak,
        "tree_peak_mb": sampler.tree_peak,
        "store_mb": disk / 2**20,
        "load_min": min(sampler.loads),
        "load_median": sorted(sampler.loads)[len(sampler.loads) // 2],
        "load_max": max(sampler.loads),
    }
    if not args.keep:
        shutil.rmtree(out)
        if not args.dir:
            shutil.rmtree(root, ignore_errors=True)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", default=DEFAULT_RUNS, help="run counts, comma-separated")
    p.add_argument("--scenario", default="1928")
    p.add_argument("--scale", type=float, default=0.01, help="agents per person (1:100)")
    p.add_argument("--weeks", type=int, default=520, help="horizon (ten years)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--set", action="append", default=[], help="scenario overrides")
    p.add_argument("--executor", default="process", choices=["process", "dask"])
    p.add_argument("--workers", type=int, default=os.cpu_count())
    p.add_argument("--dir", help="where to write the stores (default: a temporary directory)")
    p.add_argument("--keep", action="store_true", help="keep the stores")
    p.add_argument("--progress", action="store_true", help="show the progress bar")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child is not None:
        print(json.dumps(child(args, args.child)))
        return

    counts = [int(x) for x in args.runs.split(",")]
    with open("/proc/loadavg", encoding="utf-8") as f:
        load = " ".join(f.read().split()[:3])
    print(
        f"# ensemble of {args.scenario} at scale {args.scale:g}, {args.weeks} weeks, "
        f"{args.executor} with {args.workers} workers, {os.cpu_count()} cores, load {load}"
    )
    head = (
        f"{'runs':>6} {'wall s':>8} {'CPU s':>8} {'runs/s':>7} {'person-wk/s':>12} {'mean wk':>8} "
        f"{'parent MB':>9} {'worker MB':>9} {'tree MB':>8} {'store MB':>9}  load (1 min: "
        "min / median / max, sampled every 5 s)"
    )
    print(head)
    results = []
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    for n in counts:
        cmd = [sys.executable, os.path.abspath(__file__), *sys.argv[1:], "--child", str(n)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            sys.exit(f"run count {n} failed:\n{proc.stderr}")
        if args.progress:
            sys.stderr.write(proc.stderr)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(r)
        print(
            f"{r['runs']:>6} {r['wall_s']:>8.1f} {r['cpu_s']:>8.1f} {r['runs_per_s']:>7.2f} "
            f"{r['person_weeks_per_s']:>12,.0f} {r['mean_weeks_run']:>8.1f} "
            f"{r['parent_peak_mb']:>9.0f} {r['worker_peak_mb']:>9.0f} {r['tree_peak_mb']:>8.0f} "
            f"{r['store_mb']:>9.1f}  {r['load_min']:.1f} / {r['load_median']:.1f} / "
            f"{r['load_max']:.1f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "results": results}, indent=2))


if __name__ == "__main__":
    main()
