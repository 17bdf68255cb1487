"""Joining the shards of one experiment into one directory.

A Slurm job array runs `thermidor ensemble ... --shard $SLURM_ARRAY_TASK_ID/N --out
DIR/shard-$SLURM_ARRAY_TASK_ID`; `thermidor merge DIR/shard-* --out DIR/all` then joins them.
Every source must hold the same experiment (same identity); a source of another experiment is
refused before anything is written. Each finished, readable run of each source is hard-linked
(or copied) into the target, data parts first and its `runs` part last, each atomically; runs
already in the target are kept. A compacted source's pack is linked whole when none of its runs
is in the target yet (its files first, then the target's pack index); otherwise its missing runs'
rows are written out as parts of their own and committed with their new checksums. Merging again
after more shards finished adds the new runs; a merged directory missing runs is completed by
running the experiment's command on it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from thermidor.errors import InputError
from thermidor.experiments import manifest
from thermidor.experiments.handle import Experiment
from thermidor.experiments.store import (
    DATA_TABLES,
    DESIGN,
    DIGESTS,
    LOCK,
    LOG,
    Store,
    locked,
    pack_path,
    part_path,
    write_atomic,
    write_packs,
    write_table,
)
from thermidor.outputs import check_dir


@dataclass
class MergeReport:
    """What a merge did."""

    sources: int
    added: int
    done: int
    runs: int


def _link_or_copy(src: Path, tmp: Path) -> None:
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)


def merge(sources: Sequence[str | Path], out: str | Path) -> Experiment:
    """Join the shard directories `sources` into `out` and return the merged experiment."""
    if not sources:
        raise InputError("merge", "give at least one shard directory")
    srcs = [Path(s).absolute() for s in sources]
    datas = [manifest.require(s) for s in srcs]
    real = Path(os.path.realpath(out))
    for s in srcs:
        r = Path(os.path.realpath(s))
        if real == r or r in real.parents or real in r.parents:
            raise InputError(
                str(out), f"is, holds or lies in the shard {s}; merge into a new directory (--out)"
            )
    root = check_dir(Path(out), "--out", experiment=True)
    first = datas[0]
    for src, data in zip(srcs[1:], datas[1:], strict=True):
        diff = manifest.compare(data, first)
        if diff:
            raise InputError(
                str(src),
                f"is a shard of another experiment than {srcs[0]} ({'; '.join(diff)}); "
                "refusing to merge",
            )
    wanted = _target(root, first)
    with locked(root):
        if manifest.read(root) is None:
            if (srcs[0] / DESIGN).is_file():
                write_atomic(root / DESIGN, lambda tmp: _link_or_copy(srcs[0] / DESIGN, tmp))
            manifest.write(root, wanted)
        store = Store.of(root)
        store.prepare()
        have = store.done()
        store.clean(have)
        added = 0
        for src in srcs:
            source = Store.of(src)
            done = source.done()
            added += _link_packs(source, store, done, have)
            packed = source.packed()
            for run in sorted(done - have):
                if run in packed:
                    _unpack(source, packed[run], run, store)
                else:
                    for table in (*DATA_TABLES, "runs"):
                        part = part_path(src, table, run)
                        dest = part_path(root, table, run)
                        write_atomic(dest, lambda tmp, s=part: _link_or_copy(s, tmp))
                have.add(run)
                added += 1
        store.log({"event": "merge", "sources": [str(s) for s in srcs], "added": added})
    exp = Experiment(root)
    runs = int(first["experiment"]["runs"])
    exp.report = MergeReport(len(srcs), added, len(have), runs)
    return exp


def _link_packs(source: Store, target: Store, done: set[int], have: set[int]) -> int:
    """Link each sound pack of `source` none of whose runs the target has into the target,
    under a fresh name; add its runs to `have` and return how many."""
    packs = list(target.packs())
    number = max((int(p["name"].split("-")[1]) for p in packs), default=0)
    added = 0
    for p in source.packs():
        runs = [r for r in p["runs"] if source.member(r)]
        if not runs or any(r in have or r not in done for r in runs):
            continue
        number += 1
        name = f"pack-{number:07d}"
        for table in p["files"]:
            src = pack_path(source.root, table, p["name"])
            write_atomic(
                pack_path(target.root, table, name), lambda tmp, s=src: _link_or_copy(s, tmp)
            )
        packs.append({**p, "name": name, "runs": runs})
        write_packs(target.root, packs)
        have.update(runs)
        added += len(runs)
    return added


def _unpack(source: Store, name: str, run: int, target: Store) -> None:
    """Write run `run`'s rows of pack `name` of `source` as the run's own parts in `target`,
    data first, then its `runs` row, committed with the new parts' checksums."""
    for table in DATA_TABLES:
        rows = pq.read_table(pack_path(source.root, table, name), filters=[("run", "=", run)])
        write_table(part_path(target.root, table, run), rows)
    row = pq.read_table(pack_path(source.root, "runs", name), filters=[("run", "=", run)])
    target.commit(run, row.drop_columns([c for c in DIGESTS.values() if c in row.column_names]))


def _target(root: Path, first: dict) -> dict:
    """The manifest the target must have (the shards' without [shard]); refuse a wrong target."""
    target = {k: v for k, v in first.items() if k != "shard"}
    if root.exists() and not root.is_dir():
        raise InputError(str(root), "exists and is not a directory")
    data = manifest.read(root) if root.is_dir() else None
    if data is None:
        if root.is_dir() and any(p.name not in (LOCK, LOG) for p in root.iterdir()):
            raise InputError(str(root), "exists, is not empty and holds no experiment")
        return target
    diff = manifest.compare(data, first)
    if diff:
        raise InputError(str(root), f"holds another experiment ({'; '.join(diff)})")
    if "shard" in data:
        raise InputError(str(root), "is itself a shard; merge into a new directory (--out)")
    return data
