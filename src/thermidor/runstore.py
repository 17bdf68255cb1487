"""Writing one run to a directory: time series, cell snapshots, outcome, resolved scenario.

Files are written into a fresh temporary directory beside the target, then moved into place, so
a failed or interrupted run leaves nothing half-written, and an existing non-empty directory is
never touched unless `force` is given.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from thermidor.engine import Result
from thermidor.errors import InputError
from thermidor.scenario.load import resolved_toml

FILES = ("timeseries.parquet", "cells.parquet", "outcome.json", "scenario.resolved.toml")


def check_target(out: Path, force: bool) -> None:
    """Refuse, before any work, a target that exists and holds something, unless forced."""
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(str(out), "exists and is not empty (use --force to replace its results)")


def write_run(result: Result, out: Path, force: bool = False) -> Path:
    """Write `result` to directory `out` (created); returns `out`."""
    check_target(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o777 & ~mask)  # mkdtemp's 0700 would stay on the renamed directory
    try:
        pq.write_table(result.timeseries, tmp / "timeseries.parquet")
        pq.write_table(result.cells, tmp / "cells.parquet")
        (tmp / "outcome.json").write_text(json.dumps(result.outcome, indent=2) + "\n")
        (tmp / "scenario.resolved.toml").write_text(resolved_toml(result.scenario))
        for f in FILES:
            with open(tmp / f, "rb") as fh:
                os.fsync(fh.fileno())
        if out.exists():
            for f in FILES:
                os.replace(tmp / f, out / f)
            tmp.rmdir()
        else:
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out
