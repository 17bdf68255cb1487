"""Running a plan's unfinished runs on a pool, committing each as it completes.

At most a small window of runs (twice the pool's workers) is in flight, and each finished run is
on disk before the next is submitted, so the parent's memory does not grow with the number of
runs. A run that raises is recorded in DIR/failed/ and retried by the next session; a process
pool whose worker died is replaced and its runs resubmitted (three attempts per run). An
experiment of at least `compact.AUTO_RUNS` runs is compacted into packs once complete.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from thermidor import __version__
from thermidor.experiments.compact import AUTO_RUNS, pack
from thermidor.experiments.executors import Pool
from thermidor.experiments.manifest import git_revision
from thermidor.experiments.plan import Plan, Task
from thermidor.experiments.store import Store
from thermidor.experiments.task import run_task

TaskFn = Callable[[Task], dict[str, Any]]
ATTEMPTS = 3
MISSING = (
    "the worker reported the run done but its parts are not in the experiment directory (is it "
    "on a filesystem shared with the workers?)"
)


@dataclass
class Report:
    """What one session did."""

    before: int
    now: int
    failed: int
    left: int
    seconds: float
    foreign: list[str] = field(default_factory=list)
    recomputed: dict[int, str] = field(default_factory=dict)


def run_row(task: Task, summary: dict[str, Any], params: list[str]) -> pa.Table:
    """The `runs` row of a finished run: indexes, seed, parameters, where and how long.

    Its only column shared with `outcomes` is `run`, so the two join with `USING (run)`.
    """
    cols: dict[str, pa.Array] = {
        "run": pa.array([task.run], pa.int64()),
        "point": pa.array([task.point], pa.int64()),
        "replicate": pa.array([task.replicate], pa.int64()),
        "root_seed": pa.array([task.root_seed], pa.uint64()),
    }
    for key in params:
        value = task.params[key]
        kind = pa.string() if isinstance(value, str) else None  # a categorical factor's level
        kind = kind or (pa.int64() if isinstance(value, int) else pa.float64())
        cols[key] = pa.array([value], kind)
    cols |= {
        "seconds": pa.array([float(summary["seconds"])], pa.float64()),
        "host": pa.array([str(summary["host"])], pa.string()),
        "pid": pa.array([int(summary["pid"])], pa.int64()),
        "finished": pa.array([dt.datetime.now(dt.UTC)], pa.timestamp("ms", tz="UTC")),
        "version": pa.array([__version__], pa.string()),
        "git": pa.array([git_revision()], pa.string()),
    }
    return pa.table(cols)


def _error_text(err: BaseException) -> str:
    lines = traceback.format_exception(err)
    cause = err.__cause__
    remote = f"\n{cause}" if cause is not None and "Traceback" in str(cause) else ""
    return f"{type(err).__name__}: {err}\n\n" + "".join(lines) + remote


def _settle(fut: Future, task: Task, store: Store, keys: list[str], retry: bool) -> str:
    """Commit or record a finished future: 'done', 'failed', or 'retry' (its pool broke)."""
    try:
        summary = fut.result()
    except BrokenProcessPool as err:
        if retry:
            return "retry"
        store.fail(task.run, _error_text(err))
        return "failed"
    except Exception as err:  # the run raised, or its worker was lost for good
        store.fail(task.run, _error_text(err))
        return "failed"
    if not store.has_data(task.run):
        store.fail(task.run, f"{MISSING} (worker {summary.get('host', '?')})")
        return "failed"
    store.commit(task.run, run_row(task, summary, keys))
    return "done"


def execute(
    plan: Plan,
    store: Store,
    pool: Pool,
    *,
    task_fn: TaskFn = run_task,
    progress: bool = True,
    console: Console | None = None,
) -> Report:
    """Run every unfinished run of `plan`'s shard on `pool`; return what was done."""
    t0 = time.perf_counter()
    out = str(Path(store.root).resolve())
    store.prepare()
    damaged = store.damaged()
    done = store.committed() - set(damaged)
    store.clean(done)
    foreign = store.foreign()
    todo = (r for r in plan.runs() if r not in done)  # lazy: a plan may hold millions of runs
    before = len(done)
    n_todo = plan.shard_size() - before
    keys = [] if plan.design is None else plan.design.keys
    store.log(
        {
            "event": "start",
            "time": time.time(),
            "pid": os.getpid(),
            "executor": pool.label,
            "workers": pool.workers,
            "done": before,
            "todo": n_todo,
            **({"recomputed": sorted(damaged)} if damaged else {}),
            **({"foreign": foreign[:20]} if foreign else {}),
        }
    )
    window = max(2 * pool.workers, 2)
    executor = pool.executor
    pending = todo
    inflight: dict[Future, Task] = {}
    attempts: dict[int, int] = {}
    now = failed = 0

    def submit(task: Task) -> None:
        attempts[task.run] = attempts.get(task.run, 0) + 1
        try:
            fut = executor.submit(task_fn, task)
        except BrokenProcessPool as err:  # broke before this run could start
            fut = Future()
            fut.set_exception(err)
        inflight[fut] = task

    def fill() -> None:
        while len(inflight) < window:
            run = next(pending, None)
            if run is None:
                return
            submit(plan.task(run, out))

    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs, {task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    bar = Progress(*columns, console=console or Console(stderr=True), disable=not progress)
    label = f"{plan.kind} {plan.scenario.name}"
    with bar:
        tid = bar.add_task(label, total=plan.shard_size(), completed=before, failed=0)
        streak = 0  # pool breakdowns since the last finished run
        try:
            fill()
            while inflight:
                finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                broken: list[Task] = []
                for fut in finished:
                    task = inflight.pop(fut)
                    retry = pool.restart is not None and attempts[task.run] < ATTEMPTS
                    state = _settle(fut, task, store, keys, retry)
                    if state == "retry":
                        broken.append(task)
                    elif state == "done":
                        now += 1
                        done.add(task.run)
                        streak = 0
                    else:
                        failed += 1
                    bar.update(tid, completed=before + now, failed=failed)
                if broken and pool.restart is not None:
                    # a dead worker breaks the whole pool: every run in flight goes again
                    streak += 1
                    if streak > ATTEMPTS:
                        raise RuntimeError(
                            "the worker processes keep dying before any run finishes (out of "
                            "memory? in a script: is the `if __name__ == '__main__':` guard "
                            "missing?)"
                        )
                    executor = pool.restart()
                    redo = [*broken, *inflight.values()]
                    inflight.clear()
                    for task in redo:
                        submit(task)
                fill()
        except BaseException:
            for fut in inflight:
                fut.cancel()
            raise
        finally:
            store.log({"event": "end", "time": time.time(), "pid": os.getpid(), "done": now})
    left = plan.shard_size() - before - now
    if left == 0 and plan.shard_size() >= AUTO_RUNS:  # complete: a few files per table
        packed = pack(store, done)  # verified at the start or committed since
        if packed:
            store.log({"event": "compact", "time": time.time(), "packed": packed})
    recomputed = {r: f"{p}: {why}" for r, (p, why) in damaged.items()}
    return Report(before, now, failed, left, time.perf_counter() - t0, foreign, recomputed)
