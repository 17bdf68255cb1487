"""The experiment directory on disk: its layout, atomic parts, the lock, what is done.

    DIR/experiment.toml           the manifest (see `manifest.py`), written once
    DIR/design.parquet            a sweep's points (point, one column per key)
    DIR/runs/run-0000012.parquet  one row per run: point, replicate, parameters, timing
    DIR/timeseries/run-....parquet, DIR/outcomes/..., DIR/cells/...   the run's tables
    DIR/failed/run-0000012.txt    why a run failed (removed when it later succeeds)
    DIR/log.jsonl                 one line per session (start, executor, workers)
    DIR/.lock                     held (flock) by the one process writing the experiment

Every file is written to a hidden temporary name beside its target, fsynced and renamed, so it is
either absent or complete. The worker writes a run's three data parts; the writing process then
commits the run by writing its `runs` part last. A run is done only when all four parts are
present and readable (a Parquet footer that parses, at least one row); anything else belonging to
an unfinished run is removed before the run is computed again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from thermidor.errors import InputError

TABLES = ("runs", "timeseries", "outcomes", "cells")
DATA_TABLES = ("timeseries", "outcomes", "cells")
MANIFEST = "experiment.toml"
DESIGN = "design.parquet"
LOCK = ".lock"
LOG = "log.jsonl"
FAILED = "failed"
_PART = re.compile(r"^run-(\d+)\.(parquet|txt)$")


def part_name(run: int, suffix: str = "parquet") -> str:
    """The file name of run `run`'s part."""
    return f"run-{run:07d}.{suffix}"


def part_path(root: Path, table: str, run: int) -> Path:
    """Where run `run`'s part of `table` lives."""
    return root / table / part_name(run)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write `path` through `write(tmp)`: a temporary file, fsync, rename.

    The directory is not fsynced: after a power cut a rename may be lost, never half a file, and
    a run missing any part is simply computed again.
    """
    path.parent.mkdir(exist_ok=True)  # never the experiment directory itself (see run_task)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet file atomically."""
    write_atomic(path, lambda tmp: pq.write_table(table, tmp))


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def readable(path: Path) -> bool:
    """True if `path` is a complete Parquet file with at least one row."""
    try:
        return pq.read_metadata(path).num_rows > 0
    except (OSError, pa.ArrowException):
        return False


def listed(root: Path, table: str) -> set[int]:
    """The run indexes that have a part (of any state) in `table`."""
    folder = root / table
    if not folder.is_dir():
        return set()
    return {int(m.group(1)) for f in os.listdir(folder) if (m := _PART.match(f))}


class Store:
    """The parts of one experiment directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def prepare(self) -> None:
        """Create the tables' folders (the writing process does, before any worker writes)."""
        for table in TABLES:
            (self.root / table).mkdir(exist_ok=True)

    def has_data(self, run: int) -> bool:
        """True if run `run`'s three data parts are present (a worker wrote them here)."""
        return all(part_path(self.root, t, run).is_file() for t in DATA_TABLES)

    def committed(self) -> set[int]:
        """Runs with a `runs` part and all data parts present (by name; fast, not verified)."""
        done = listed(self.root, "runs")
        for table in DATA_TABLES:
            done &= listed(self.root, table)
        return done

    def done(self) -> set[int]:
        """Runs whose four parts are all present and readable (verified)."""
        return {
            r for r in self.committed() if all(readable(part_path(self.root, t, r)) for t in TABLES)
        }

    def failed(self) -> dict[int, str]:
        """Runs whose last attempt failed and that are not done: run -> first line of the error."""
        folder = self.root / FAILED
        out = {}
        for r in listed(self.root, FAILED) - self.committed():
            text = (folder / part_name(r, "txt")).read_text(encoding="utf-8", errors="replace")
            out[r] = text.splitlines()[0] if text else ""
        return out

    def clean(self, done: set[int]) -> int:
        """Remove temporary files and every part of a run not in `done`; return how many."""
        removed = 0
        for table in (*TABLES, FAILED):  # `runs` first: a run stops looking done at once
            folder = self.root / table
            if not folder.is_dir():
                continue
            for name in os.listdir(folder):
                m = _PART.match(name)
                if name.endswith(".tmp"):
                    stale = True
                elif m is None:
                    stale = False
                elif table == FAILED:  # failure records of runs since done
                    stale = int(m.group(1)) in done
                else:
                    stale = int(m.group(1)) not in done
                if stale:
                    (folder / name).unlink(missing_ok=True)
                    removed += 1
        return removed

    def commit(self, run: int, row: pa.Table) -> None:
        """Mark run `run` done by writing its `runs` part; drop any record of an earlier failure."""
        write_table(part_path(self.root, "runs", run), row)
        (self.root / FAILED / part_name(run, "txt")).unlink(missing_ok=True)

    def fail(self, run: int, text: str) -> None:
        """Record why run `run` failed."""
        write_text(self.root / FAILED / part_name(run, "txt"), text)

    def log(self, record: dict) -> None:
        """Append one line to the experiment's session log."""
        with open(self.root / LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def sessions(self) -> list[dict]:
        """The session log's records, oldest first (unreadable lines skipped)."""
        path = self.root / LOG
        if not path.is_file():
            return []
        out = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                out.append(json.loads(line))
        return out


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold DIR/.lock for the duration (the OS releases it if the process dies).

    Creates DIR if needed. A second process gets an InputError naming the holder's pid.
    """
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise InputError(
                str(root),
                f"is being written by another process (pid {pid}); wait for it to finish or stop "
                "it, then run the command again",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def holder(root: Path) -> int | None:
    """The pid of the process writing the experiment now, or None if nobody holds the lock."""
    path = root / LOCK
    if not path.is_file():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
