"""The work of one run, on a worker: simulate, then write the run's data parts.

`run_task` runs wherever the executor puts it (a local process, a Dask worker, an MPI rank), so
the experiment directory must be visible there (on a cluster: a shared filesystem). It returns a
few numbers only; the tables go straight to disk, never through the parent process.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from thermidor.engine import Result, simulate
from thermidor.experiments.plan import Task, run_seed
from thermidor.experiments.store import MANIFEST, part_path, write_table
from thermidor.model.jit import set_threads


def run_task(task: Task) -> dict[str, Any]:
    """Simulate `task`'s run and write its timeseries, outcomes and cells parts, on one thread
    (the pool's workers share the cores; the bytes do not depend on it)."""
    set_threads(1)
    root = Path(task.out)
    if not (root / MANIFEST).is_file():
        raise FileNotFoundError(
            f"{root} is not visible on {socket.gethostname()}: the experiment directory must be "
            "on a filesystem shared with the workers"
        )
    t0 = time.perf_counter()
    result = simulate(task.scenario, seed=run_seed(task.root_seed, task.run))
    seconds = time.perf_counter() - t0
    for table, data in tables(result, task.run).items():
        write_table(part_path(root, table, task.run), data)
    return {
        "run": task.run,
        "seconds": seconds,
        "outcome": result.outcome["outcome"],
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


def _with_run(table: pa.Table, run: int) -> pa.Table:
    return table.add_column(0, "run", pa.array([run] * table.num_rows, pa.int64()))


def tables(result: Result, run: int) -> dict[str, pa.Table]:
    """The three data tables of one run, each with a leading `run` column.

    `outcomes` has one row: the outcome, its week and date (null while open), weeks run, persons
    and cells, then every time-series column at the last week, with the time series' types.
    """
    o = result.outcome
    ts = result.timeseries
    last = ts.slice(ts.num_rows - 1).drop_columns([c for c in ("week", "date") if c in ts.schema])
    head = pa.table(
        {
            "run": pa.array([run], pa.int64()),
            "outcome": pa.array([o["outcome"]], pa.string()),
            "outcome_week": pa.array([o["week"]], pa.int64()),
            "outcome_date": pa.array([o["date"]], pa.string()).cast(pa.date32()),
            "weeks_run": pa.array([o["weeks_run"]], pa.int64()),
            "persons": pa.array([o["persons"]], pa.int64()),
            "cells": pa.array([o["cells"]], pa.int64()),
        }
    )
    outcomes = pa.Table.from_arrays(
        head.columns + last.columns, names=head.column_names + last.column_names
    )
    return {
        "timeseries": _with_run(ts, run),
        "outcomes": outcomes,
        "cells": _with_run(result.cells, run),
    }
