"""The experiment directory on disk: its layout, atomic parts, the lock, what is done.

    DIR/experiment.toml           the manifest (see `manifest.py`), written once
    DIR/design.parquet            a sweep's points (point, one column per key)
    DIR/runs/run-0000012.parquet  one row per run: point, replicate, parameters, timing
    DIR/timeseries/run-....parquet, DIR/outcomes/..., DIR/cells/...   the run's tables
    DIR/timeseries/pack-0000001.parquet, ...  compacted runs: many runs' rows, one file a table
    DIR/packs.json                the packs: their runs and each file's SHA-256 and rows
    DIR/failed/run-0000012.txt    why a run failed (removed when it later succeeds)
    DIR/log.jsonl                 one line per session (start, executor, workers)
    DIR/.lock                     held (flock) by the one process writing the experiment

Every file is written to a hidden temporary name beside its target, fsynced and renamed, so it is
either absent or complete. The worker writes a run's three data parts; the writing process then
commits the run by writing its `runs` part last, which records the SHA-256 of each data part
(`sha256_timeseries`, `sha256_outcomes`, `sha256_cells`). A run is done only when its `runs` part
holds exactly its own row and each data part still has the checksum recorded at commit; anything
else belonging to an unfinished or damaged run is removed before the run is computed again.

Compaction (`compact.py`) moves done runs into packs: one file per table holding many runs'
rows, written atomically, recorded with their SHA-256 in DIR/packs.json (written atomically
after the files), and only then are the runs' own parts removed. A run is in a pack or has its
own parts (after a crash between the two, both: the pack counts, the parts are removed by the
next session). A pack whose file no longer has its recorded checksum is damaged: it is dropped
and its runs computed again.

Only the runs of the experiment's plan count (index below its number of runs, in its shard, under
the canonical name `run-NNNNNNN.parquet`): any other file in the store is *foreign*, reported and
never read into the tables, nor deleted.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import tomllib
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
_PART = re.compile(r"^run-(\d{7,})\.(parquet|txt)$")
_PACK = re.compile(r"^pack-\d{7}\.parquet$")
PACKS = "packs.json"
DIGESTS = {t: f"sha256_{t}" for t in DATA_TABLES}  # the `runs` columns holding the checksums


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


def sha256(path: Path) -> str:
    """The SHA-256 of the file at `path` (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _run_of(name: str) -> int | None:
    """The run index of a canonical part name (`run-0000012.parquet`), else None."""
    m = _PART.match(name)
    if m is None or name != part_name(int(m.group(1)), m.group(2)):
        return None
    return int(m.group(1))


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        return list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []


def listed(root: Path, table: str) -> set[int]:
    """The run indexes that have a part (a regular file under its canonical name) in `table`."""
    suffix = "txt" if table == FAILED else "parquet"
    out = set()
    for e in _entries(root / table):
        r = _run_of(e.name)
        if r is not None and e.name.endswith(suffix) and e.is_file(follow_symlinks=False):
            out.add(r)
    return out


def members(root: Path) -> Callable[[int], bool] | None:
    """Which run indexes belong to the experiment at `root` (from its manifest; None if none)."""
    try:
        data = tomllib.loads((root / MANIFEST).read_text(encoding="utf-8"))
        runs = int(data["experiment"]["runs"])
        shard = data.get("shard") or {"index": 0, "count": 1}
        index, count = int(shard["index"]), int(shard["count"])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
        return None
    if count < 1:
        return None
    return lambda r: r < runs and r % count == index


def read_packs(root: Path) -> list[dict]:
    """The packs recorded in DIR/packs.json, oldest first: each {"name", "runs", "files":
    {table: {"sha256", "rows"}}}. No index: no pack."""
    try:
        data = json.loads((root / PACKS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(
            str(root / PACKS), f"is not a readable pack index ({_first(err)})"
        ) from None
    return list(data.get("packs", []))


def write_packs(root: Path, packs: list[dict]) -> None:
    """Replace DIR/packs.json atomically."""
    write_text(root / PACKS, json.dumps({"packs": packs}, separators=(",", ":")) + "\n")


def pack_path(root: Path, table: str, name: str) -> Path:
    return root / table / f"{name}.parquet"


class Store:
    """The parts of one experiment directory.

    `member(run)` says whether a run index belongs to the experiment (its plan and shard); the
    parts of any other run are foreign. Without it every run counts.
    """

    def __init__(self, root: Path, member: Callable[[int], bool] | None = None) -> None:
        self.root = Path(root)
        self.member = member or (lambda r: True)
        self._checked: dict[str, tuple[Path, str] | None] = {}  # pack -> verdict
        self._index: tuple[tuple, list[dict], dict[int, str]] = ((), [], {})

    def _read_index(self) -> tuple[list[dict], dict[int, str]]:
        """The packs and the member runs they hold, read again only when packs.json changed."""
        try:
            st = (self.root / PACKS).stat()
            stamp: tuple = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = (None,)
        if stamp != self._index[0]:
            packs = read_packs(self.root) if stamp != (None,) else []
            runs = {r: p["name"] for p in packs for r in p["runs"] if self.member(r)}
            self._index = (stamp, packs, runs)
        return self._index[1], self._index[2]

    def packs(self) -> list[dict]:
        """The recorded packs (see `read_packs`)."""
        return self._read_index()[0]

    def packed(self) -> dict[int, str]:
        """Member runs held in a pack: run -> the pack's name."""
        return self._read_index()[1]

    def pack_verdict(self, pack: dict) -> tuple[Path, str] | None:
        """None if each of `pack`'s files has its recorded SHA-256, else (the file, what is
        wrong); hashed once per store object."""
        name = pack["name"]
        if name not in self._checked:
            verdict = None
            for table, rec in pack["files"].items():
                path = pack_path(self.root, table, name)
                try:
                    actual = sha256(path)
                except OSError as err:
                    verdict = (path, f"cannot be read ({_first(err)})")
                    break
                if actual != rec["sha256"]:
                    verdict = (path, "does not have the checksum recorded when it was compacted")
                    break
            self._checked[name] = verdict
        return self._checked[name]

    def files(self, table: str) -> list[Path]:
        """The files holding `table`'s rows of the committed runs: the packs', then the parts of
        the runs not packed."""
        packs = self.packs()
        loose = sorted(self.committed() - set(self.packed()))
        return [pack_path(self.root, table, p["name"]) for p in packs] + [
            part_path(self.root, table, r) for r in loose
        ]

    @classmethod
    def of(cls, root: Path) -> Store:
        """The store of the experiment at `root`, its runs known from its manifest."""
        return cls(root, members(Path(root)))

    def _listed(self, table: str) -> set[int]:
        return {r for r in listed(self.root, table) if self.member(r)}

    def prepare(self) -> None:
        """Create the tables' folders (the writing process does, before any worker writes)."""
        for table in (*TABLES, FAILED):
            folder = self.root / table
            if folder.exists() and not folder.is_dir():
                raise InputError(
                    str(folder), "is not a folder but sits where the store's folder belongs"
                )
        for table in TABLES:
            (self.root / table).mkdir(exist_ok=True)

    def has_data(self, run: int) -> bool:
        """True if run `run`'s three data parts are present (a worker wrote them here)."""
        return all(part_path(self.root, t, run).is_file() for t in DATA_TABLES)

    def committed(self) -> set[int]:
        """Runs in a pack, or with a `runs` part and all data parts present (by name; fast, not
        verified)."""
        done = self._listed("runs")
        for table in DATA_TABLES:
            done &= self._listed(table)
        return done | set(self.packed())

    def verify(self, run: int) -> tuple[Path, str] | None:
        """None if run `run`'s parts are sound, else (the first bad part, what is wrong).

        The `runs` part must hold one row, of this run; each data part must have the SHA-256
        recorded at commit (parts committed before checksums were recorded: a readable footer
        and the run's own index).
        """
        name = self.packed().get(run)
        if name is not None:
            return self.pack_verdict(next(p for p in self.packs() if p["name"] == name))
        path = part_path(self.root, "runs", run)
        try:
            row = pq.read_table(path).to_pylist()
        except (OSError, pa.ArrowException) as err:
            return path, f"is not a readable Parquet file ({_first(err)})"
        if len(row) != 1 or row[0].get("run") != run:
            held = sorted({r.get("run") for r in row}, key=str)
            return path, f"does not hold run {run} alone (it holds {held})"
        for table, column in DIGESTS.items():
            part = part_path(self.root, table, run)
            recorded = row[0].get(column)
            if recorded is not None:
                try:
                    actual = sha256(part)
                except OSError as err:
                    return part, f"cannot be read ({_first(err)})"
                if actual != recorded:
                    return part, "does not have the checksum recorded when its run was committed"
            elif not _holds(part, run):
                return part, f"is not a readable Parquet file holding run {run}"
        return None

    def done(self) -> set[int]:
        """Runs whose four parts are all present and sound (verified: see `verify`)."""
        return self.committed() - set(self.damaged())

    def damaged(self) -> dict[int, tuple[Path, str]]:
        """The committed runs whose parts fail `verify`: run -> (part, what is wrong)."""
        out = {}
        packed = self.packed()
        for pack in self.packs():
            bad = self.pack_verdict(pack)
            if bad is not None:
                out |= {r: bad for r in pack["runs"] if self.member(r)}
        for r in sorted(self.committed() - set(packed)):
            bad = self.verify(r)
            if bad is not None:
                out[r] = bad
        return out

    def failed(self) -> dict[int, str]:
        """Runs whose last attempt failed and that are not done: run -> first line of the error."""
        folder = self.root / FAILED
        out = {}
        for r in self._listed(FAILED) - self.committed():
            try:
                text = (folder / part_name(r, "txt")).read_text(encoding="utf-8", errors="replace")
            except OSError as err:
                text = f"(the failure record cannot be read: {_first(err)})"
            out[r] = text.splitlines()[0] if text else ""
        return out

    def foreign(self) -> list[str]:
        """Files and folders in the store's folders that are no part of this experiment."""
        out = []
        for table in (*TABLES, FAILED):
            suffix = "txt" if table == FAILED else "parquet"
            for e in sorted(_entries(self.root / table), key=lambda e: e.name):
                if e.name.endswith(".tmp") or (table != FAILED and _PACK.match(e.name)):
                    continue
                r = _run_of(e.name)
                ok = r is not None and e.name.endswith(suffix) and self.member(r)
                if not ok or not e.is_file(follow_symlinks=False):
                    out.append(f"{table}/{e.name}")
        return out

    def clean(self, done: set[int]) -> int:
        """Remove temporary files and every part of a member run not in `done`; return how many.

        Foreign files are left alone. InputError, before anything is removed, if something other
        than a file sits where a part of a run to compute belongs.
        """
        for table in (*TABLES, FAILED):
            for e in _entries(self.root / table):
                r = _run_of(e.name)
                wanted = r is not None and self.member(r) and r not in done
                if wanted and not e.is_file(follow_symlinks=False):
                    raise InputError(
                        str(Path(e.path)),
                        "is not a regular file but sits where a run's part belongs; move it "
                        "away and run the command again",
                    )
        removed = self._clean_packs(done)
        packed = set(self.packed())
        for table in (*TABLES, FAILED):  # `runs` first: a run stops looking done at once
            folder = self.root / table
            for e in _entries(folder):
                name = e.name
                r = _run_of(name)
                if name.endswith(".tmp") and name.startswith("."):
                    stale = e.is_file(follow_symlinks=False)
                elif r is None or not self.member(r):
                    stale = False
                elif table == FAILED:  # failure records of runs since done
                    stale = r in done
                else:  # a run's own parts: not done, or already in a pack
                    stale = r not in done or r in packed
                if stale:
                    (folder / name).unlink(missing_ok=True)
                    removed += 1
        return removed

    def _clean_packs(self, done: set[int]) -> int:
        """Drop the packs holding a member run not in `done` (damaged: their runs are computed
        again) from the index, then remove their files and any pack file the index does not
        list (left by a compaction that did not finish); return how many files went."""
        packs = self.packs()
        keep = [p for p in packs if all(r in done for r in p["runs"] if self.member(r))]
        if len(keep) != len(packs):
            write_packs(self.root, keep)
        names = {p["name"] for p in keep}
        removed = 0
        for table in TABLES:
            for e in _entries(self.root / table):
                unlisted = _PACK.match(e.name) and e.name[: -len(".parquet")] not in names
                if unlisted and e.is_file(follow_symlinks=False):
                    (self.root / table / e.name).unlink(missing_ok=True)
                    removed += 1
        return removed

    def commit(self, run: int, row: pa.Table) -> None:
        """Mark run `run` done by writing its `runs` part, with the SHA-256 of each data part;
        drop any record of an earlier failure."""
        for table, column in DIGESTS.items():
            digest = sha256(part_path(self.root, table, run))
            row = row.append_column(column, pa.array([digest], pa.string()))
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


def _first(err: BaseException) -> str:
    return " ".join(str(err).split())[:200]


def _holds(path: Path, run: int) -> bool:
    """True if `path` is a readable Parquet file whose `run` column is `run` throughout."""
    try:
        col = pq.read_table(path, columns=["run"]).column("run")
    except (OSError, pa.ArrowException, KeyError):
        return False
    return len(col) > 0 and col.to_pylist() == [run] * len(col)


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
