"""The compact store: an experiment's runs packed into a few files per table.

Every test compares against an uncompacted reference ensemble of the same experiment (`tiny`, 20
weeks, 6 runs): after compaction, resuming, recomputing a damaged pack, a crash half-way through
a compaction, or merging compacted shards, the tables are identical, each run is there once, and
the store holds one pack file per table instead of one part per run and table.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import thermidor.experiments as tx
import thermidor.experiments.runner as runner
from thermidor.experiments.compact import compact, footprint, pack
from thermidor.experiments.store import PACKS, TABLES, Store, part_path, read_packs

RUNS, WEEKS = 6, 20


def same_tables(a: Path, b: Path) -> None:
    """The four tables of experiments `a` and `b` are equal (ordered by run, week, cell), each
    run present once; `runs` compared on the columns a run's computation fixes."""
    ea, eb = tx.open_experiment(a), tx.open_experiment(b)
    for name in ("outcomes", "timeseries", "cells"):
        x, y = getattr(ea, name)(), getattr(eb, name)()
        assert len(x) > 0
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    q = "SELECT run, point, replicate, root_seed FROM runs ORDER BY run"
    pd.testing.assert_frame_equal(ea.query(q), eb.query(q))
    n, distinct = ea.query("SELECT count(*), count(DISTINCT run) FROM outcomes").iloc[0]
    assert n == distinct == RUNS


def loose_parts(root: Path) -> list[str]:
    return sorted(f"{t}/{p.name}" for t in TABLES for p in (root / t).glob("run-*.parquet"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "ens"
    tx.ensemble("tiny", RUNS, weeks=WEEKS, out=out, workers=1, progress=False)
    assert len(loose_parts(out)) == 4 * RUNS  # below AUTO_RUNS: not compacted
    return out


@pytest.fixture
def copy(reference: Path, tmp_path: Path) -> Path:
    out = tmp_path / "ens"
    shutil.copytree(reference, out)
    return out


def test_compact_packs_every_run_into_one_file_per_table(reference: Path, copy: Path) -> None:
    report = compact(copy)
    assert report.packed == RUNS
    assert (report.files_before, report.files_after) == (4 * RUNS, 4)
    assert report.files_after == footprint(copy)[0]
    assert loose_parts(copy) == []
    (p,) = read_packs(copy)
    assert p["runs"] == list(range(RUNS))
    assert {t: r["rows"] for t, r in p["files"].items()}["outcomes"] == RUNS
    same_tables(copy, reference)
    assert Store.of(copy).damaged() == {}
    assert compact(copy).packed == 0  # nothing left to pack


def test_resume_after_compaction_computes_only_the_missing_run(reference: Path, copy: Path):
    for table in TABLES:
        part_path(copy, table, 4).unlink()
    assert compact(copy).packed == RUNS - 1
    exp = tx.ensemble("tiny", RUNS, weeks=WEEKS, out=copy, workers=1, progress=False)
    assert (exp.report.before, exp.report.now) == (RUNS - 1, 1)
    assert loose_parts(copy) == [f"{t}/run-0000004.parquet" for t in sorted(TABLES)]
    same_tables(copy, reference)
    assert compact(copy).packed == 1
    assert [p["runs"] for p in read_packs(copy)] == [[0, 1, 2, 3, 5], [4]]
    same_tables(copy, reference)


def test_a_damaged_pack_is_dropped_and_its_runs_computed_again(reference: Path, copy: Path):
    compact(copy)
    path = copy / "cells" / "pack-0000001.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    damaged = Store.of(copy).damaged()
    assert sorted(damaged) == list(range(RUNS))
    assert "checksum recorded when it was compacted" in damaged[0][1]
    exp = tx.ensemble("tiny", RUNS, weeks=WEEKS, out=copy, workers=1, progress=False)
    assert (exp.report.before, exp.report.now) == (0, RUNS)
    assert read_packs(copy) == [] and not path.exists()
    same_tables(copy, reference)


def test_a_compaction_cut_short_loses_nothing(reference: Path, copy: Path) -> None:
    """Killed after the pack's files (no index yet): the files are removed, the parts count.
    Killed after the index (parts not yet removed): the pack counts, the parts are removed."""
    store = Store.of(copy)
    pack(store)
    index = (copy / PACKS).read_text()
    (copy / PACKS).unlink()  # as if killed before the index was written
    for table in TABLES:  # ... with the runs' parts still there
        for r in range(RUNS):
            shutil.copyfile(part_path(reference, table, r), part_path(copy, table, r))
    same_tables(copy, reference)
    exp = tx.ensemble("tiny", RUNS, weeks=WEEKS, out=copy, workers=1, progress=False)
    assert exp.report.now == 0
    assert not list((copy / "cells").glob("pack-*"))
    pack(Store.of(copy))
    (copy / PACKS).write_text(index)
    for table in TABLES:  # killed after the index: pack and parts both there
        for r in range(RUNS):
            shutil.copyfile(part_path(reference, table, r), part_path(copy, table, r))
    same_tables(copy, reference)  # each run once
    exp = tx.ensemble("tiny", RUNS, weeks=WEEKS, out=copy, workers=1, progress=False)
    assert exp.report.now == 0 and loose_parts(copy) == []
    same_tables(copy, reference)


def test_merging_compacted_shards(reference: Path, tmp_path: Path) -> None:
    shards = []
    for k in range(2):
        d = tmp_path / f"shard-{k}"
        tx.ensemble("tiny", RUNS, weeks=WEEKS, out=d, workers=1, shard=f"{k}/2", progress=False)
        shards.append(d)
    compact(shards[0])  # one shard packed, the other not
    merged = tmp_path / "all"
    tx.merge(shards, out=merged)
    same_tables(merged, reference)
    assert [p["runs"] for p in read_packs(merged)] == [[0, 2, 4]]
    # a pack some of whose runs the target has already: its other runs come as parts
    compact(merged)
    again = tmp_path / "again"
    tx.merge([shards[1]], out=again)
    tx.merge([merged], out=again)
    same_tables(again, reference)
    assert Store.of(again).damaged() == {}


def test_an_experiment_is_compacted_when_it_completes(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(runner, "AUTO_RUNS", 4)
    out = tmp_path / "ens"
    tx.ensemble("tiny", 4, weeks=WEEKS, out=out, workers=1, progress=False)
    assert loose_parts(out) == []
    assert [p["runs"] for p in read_packs(out)] == [[0, 1, 2, 3]]
    s = tx.open_experiment(out).status()
    assert (s.done, s.left) == (4, 0)


def test_compact_command(copy: Path, tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "thermidor", "compact"]
    done = subprocess.run([*cmd, str(copy)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{RUNS} runs packed: {4 * RUNS} files" in done.stdout and "-> 4 files" in done.stdout
    bad = subprocess.run([*cmd, str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "experiment" in bad.stderr


def test_a_pack_holds_row_groups_of_bounded_size(monkeypatch, reference: Path, copy: Path):
    """A row group is cut once the rows held reach GROUP_BYTES (here set to a run's time series,
    so each run's rows start a new group after the first): the memory a compaction holds does not
    grow with the runs, and the tables are the same."""
    import importlib

    import pyarrow.parquet as pq

    compact_module = importlib.import_module("thermidor.experiments.compact")
    one = pq.read_table(part_path(copy, "timeseries", 0)).nbytes
    monkeypatch.setattr(compact_module, "GROUP_BYTES", one)
    compact(copy)
    (p,) = read_packs(copy)
    groups = pq.ParquetFile(copy / "timeseries" / f"{p['name']}.parquet").metadata
    assert groups.num_row_groups == RUNS
    assert all(groups.row_group(g).num_rows == WEEKS + 1 for g in range(RUNS))
    same_tables(copy, reference)
