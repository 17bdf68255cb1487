"""How far an experiment is: runs done, left and failed, who is writing it, how long the rest takes.

The estimate of the time left uses the session running now if there is one (runs finished since
it started, per second of wall time), else the mean compute time of a finished run divided by the
workers of the last session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from thermidor.experiments import manifest
from thermidor.experiments.query import connect, translated
from thermidor.experiments.store import Store, holder


@dataclass
class Status:
    """The state of an experiment directory."""

    path: Path
    kind: str
    scenario: str
    shard: str
    runs: int
    done: int
    failed: int
    left: int
    running_pid: int | None
    seconds_per_run: float | None
    eta_seconds: float | None
    failures: dict[int, str] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)
    damaged: dict[int, str] | None = None  # None: not verified (`status --verify` does)

    def lines(self) -> list[str]:
        """The status as a few lines of text."""
        head = f"{self.path}: {self.kind} of {self.scenario}"
        if self.shard != "0/1":
            head += f", shard {self.shard}"
        out = [
            head,
            f"  runs: {self.runs}, done {self.done}, left {self.left}, failed {self.failed}",
        ]
        if self.running_pid is not None:
            out.append(f"  running now (pid {self.running_pid})")
        elif self.left:
            out.append("  not running: run the same command again to finish it")
        if self.seconds_per_run is not None:
            out.append(f"  {self.seconds_per_run:.2f} s of compute per run")
        if self.left and self.eta_seconds is not None:
            out.append(f"  the rest should take about {_duration(self.eta_seconds)}")
        for run, first in list(self.failures.items())[:5]:
            out.append(f"  failed run {run}: {first}")
        if len(self.failures) > 5:
            out.append(f"  ... and {len(self.failures) - 5} more failures (see failed/)")
        if self.foreign:
            shown = ", ".join(self.foreign[:3]) + (", ..." if len(self.foreign) > 3 else "")
            out.append(
                f"  {len(self.foreign)} foreign files, not of this experiment, are ignored: {shown}"
            )
        if self.damaged is not None:
            if not self.damaged:
                out.append(f"  verified: the parts of all {self.done} done runs are sound")
            for run, what in list(self.damaged.items())[:5]:
                out.append(f"  damaged run {run}: {what}")
            if len(self.damaged) > 5:
                out.append(f"  ... and {len(self.damaged) - 5} more damaged runs")
            if self.damaged:
                out.append("  run the same command again to recompute the damaged runs")
        return out


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {s:02d} s" if m else f"{s} s"


def status(root: Path, verify: bool = False) -> Status:
    """The status of the experiment at `root` (InputError if it is not one).

    `verify` checks every done run's parts against the checksums recorded at commit (reads
    them all); damaged runs then count as left.
    """
    root = Path(root)
    data = manifest.require(root)
    exp = data["experiment"]
    shard = manifest.shard_of(data)
    runs = int(exp["runs"])
    store = Store(root, lambda r: r < runs and shard.holds(r))
    mine = len(range(shard.index, runs, shard.count))
    done_set = store.committed()
    damaged = None
    if verify:
        bad = store.damaged()
        damaged = {r: f"{p}: {why}" for r, (p, why) in bad.items()}
        done_set -= set(bad)
    failures = dict(sorted(store.failed().items()))
    left = mine - len(done_set)
    pid = holder(root)
    per_run = eta = None
    if done_set:
        con = connect(root, ["runs"])
        with translated(root):
            mean, finished = con.sql(
                "SELECT avg(seconds), list(epoch(finished)) FROM runs"
            ).fetchall()[0]
        per_run = float(mean) if mean is not None else None
        starts = [s for s in store.sessions() if s.get("event") == "start"]
        last = starts[-1] if starts else {}
        workers = max(int(last.get("workers", 1)), 1)
        since = [t for t in (finished or []) if t >= last.get("time", float("inf"))]
        if pid is not None and len(since) >= 2:
            rate = len(since) / max(time.time() - last["time"], 1e-9)
            eta = left / rate
        elif per_run is not None:
            eta = left * per_run / workers
    return Status(
        path=root,
        kind=str(exp.get("kind")),
        scenario=str(exp.get("scenario")),
        shard=str(shard),
        runs=mine,
        done=len(done_set),
        failed=len(failures),
        left=left,
        running_pid=pid,
        seconds_per_run=per_run,
        eta_seconds=eta,
        failures=failures,
        foreign=store.foreign(),
        damaged=damaged,
    )
