"""Compaction: an experiment's done runs moved from one file per run and table into packs.

A 10,000-run experiment holds 40,000 small Parquet parts; a pack holds up to `PACK_RUNS` runs'
rows of one table in one file (row groups of about `GROUP_BYTES` of rows in memory, sorted by run),
so the store is a few files per table and a query opens a few footers instead of 40,000. A
compaction holds one row group at a time: the rows it holds do not grow with the runs.

Durability is the store's (store.py): each pack file is written to a temporary name, fsynced and
renamed; the index DIR/packs.json, recording each file's SHA-256 and rows and the pack's runs, is
written the same way after the files; only then are the runs' own parts removed. A crash leaves
either the parts alone (an unlisted pack file, removed by the next session), or the pack and the
parts (the pack counts; the parts are removed), never a run without its rows. Resume, merge,
status and query read packs and parts alike.

An experiment of at least `AUTO_RUNS` runs is compacted when its last run is committed;
`thermidor compact DIR` compacts any experiment, at any time (runs still missing stay to be
computed, and a later compaction packs them too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from thermidor.experiments import manifest
from thermidor.experiments.store import (
    TABLES,
    Store,
    locked,
    pack_path,
    part_path,
    sha256,
    write_atomic,
    write_packs,
)

PACK_RUNS = 4096  # runs per pack at most
GROUP_BYTES = 64 << 20  # bytes (in memory) of the rows of a row group, about: a time series
# row is about 800 bytes, a cell's about 100 (counted in rows, a 1,000-run pack's time series was
# one group of 400,000 rows held whole: the parent's peak went from 200 MB to 837)
AUTO_RUNS = 100  # an experiment this large is compacted when it completes


@dataclass
class CompactReport:
    """What a compaction did: runs packed, files and bytes of the tables before and after."""

    packed: int
    files_before: int
    files_after: int
    bytes_before: int
    bytes_after: int

    def line(self) -> str:
        return (
            f"{self.packed:,} runs packed: {self.files_before:,} files ({_mb(self.bytes_before)})"
            f" -> {self.files_after:,} files ({_mb(self.bytes_after)})"
        )


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


def footprint(root: Path) -> tuple[int, int]:
    """(files, bytes) in the experiment's table folders."""
    files = size = 0
    for table in TABLES:
        folder = root / table
        if folder.is_dir():
            for f in folder.iterdir():
                if f.is_file() and f.suffix == ".parquet":
                    files += 1
                    size += f.stat().st_size
    return files, size


def _schema(paths: list[Path]) -> pa.Schema:
    """The one schema of the parts (unified, in the first part's column order)."""
    return pa.unify_schemas([pq.read_schema(p) for p in paths], promote_options="permissive")


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with `schema`'s columns and types (a missing column all null)."""
    if table.schema.equals(schema):
        return table
    cols = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(cols, schema=schema)


def _write_pack(path: Path, parts: list[Path]) -> dict:
    """Concatenate `parts` (in order) into the Parquet file `path`, atomically; its record."""
    schema = _schema(parts)
    rows = 0

    def write(tmp: Path) -> None:
        nonlocal rows
        with pq.ParquetWriter(str(tmp), schema) as writer:
            batch: list[pa.Table] = []
            held = size = 0
            for part in parts:
                t = _conform(pq.ParquetFile(part).read(), schema)
                batch.append(t)
                held += t.num_rows
                size += t.nbytes
                if size >= GROUP_BYTES:
                    writer.write_table(pa.concat_tables(batch), row_group_size=held)
                    rows += held
                    batch, held, size = [], 0, 0
            if batch:
                writer.write_table(pa.concat_tables(batch), row_group_size=max(held, 1))
                rows += held

    write_atomic(path, write)
    return {"sha256": sha256(path), "rows": rows}


def pack(store: Store, done: set[int] | None = None) -> int:
    """Move the store's done runs (`done`, else verified here) that have their own parts into
    new packs (the caller holds the lock); return how many runs were packed."""
    packs = list(store.packs())
    done = store.done() if done is None else done
    loose = sorted(done - set(store.packed()))
    number = max((int(p["name"].split("-")[1]) for p in packs), default=0)
    for i in range(0, len(loose), PACK_RUNS):
        runs = loose[i : i + PACK_RUNS]
        number += 1
        name = f"pack-{number:07d}"
        files = {}
        for table in TABLES:
            parts = [part_path(store.root, table, r) for r in runs]
            files[table] = _write_pack(pack_path(store.root, table, name), parts)
        packs.append({"name": name, "runs": runs, "files": files})
        write_packs(store.root, packs)  # the runs are in the pack from here on
        for table in TABLES:  # `runs` first: a run never looks done with parts missing
            for r in runs:
                part_path(store.root, table, r).unlink(missing_ok=True)
    return len(loose)


def compact(root: str | Path) -> CompactReport:
    """Compact the experiment at `root` (locked while it runs); InputError if it is none or is
    being written."""
    root = Path(root)
    manifest.require(root)
    with locked(root):
        store = Store.of(root)
        done = store.committed() - set(store.damaged())
        store.clean(done)
        files, size = footprint(root)
        n = pack(store, done)
        after = footprint(root)
        store.log({"event": "compact", "packed": n, "files": [files, after[0]]})
    return CompactReport(n, files, after[0], size, after[1])
