"""The cell snapshots a run keeps (`thermidor.engine.Snapshots`): in memory or spilled to disk,
they must give the table that concatenating every `cells_snapshot` gives, to the byte of the
Parquet file a run writes, so that bounding a full-scale run's memory changes no result."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import thermidor.engine as engine
from conftest import same_table
from thermidor.engine import Model, simulate
from thermidor.model.observe import cells_snapshot

WEEKS = 30  # snapshots at weeks 0, 13, 26 and the horizon (30)


def parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def assembled() -> pa.Table:
    """The snapshots taken by hand, a week at a time, concatenated column by column."""
    model = Model("tiny", seed=3, weeks=WEEKS)
    snaps = [cells_snapshot(model.state, model.scenario)]
    while model.step():
        if model.week % model.scenario.observe.snapshot_every == 0 or not model.running:
            snaps.append(cells_snapshot(model.state, model.scenario))
    return pa.Table.from_pydict({k: np.concatenate([s[k] for s in snaps]) for k in snaps[0]})


def test_the_kept_snapshots_are_the_snapshots_assembled(assembled):
    result = simulate("tiny", seed=3, weeks=WEEKS)
    assert sorted(set(result.cells.column("week").to_pylist())) == [0, 13, 26, 30]
    assert result.cells.schema == assembled.schema
    assert parquet_bytes(result.cells) == parquet_bytes(assembled)


def test_snapshots_spilled_to_disk_give_the_same_bytes(assembled, monkeypatch):
    kept = Model("tiny", seed=3, weeks=WEEKS)
    assert not kept._snaps.spilled  # a small run keeps them in memory
    monkeypatch.setattr(engine, "SPILL_BYTES", 0)
    model = Model("tiny", seed=3, weeks=WEEKS)
    assert model._snaps.spilled
    model.run_for(WEEKS)
    assert parquet_bytes(model.result().cells) == parquet_bytes(assembled)
    assert parquet_bytes(simulate("tiny", seed=3, weeks=WEEKS).cells) == parquet_bytes(assembled)


@pytest.mark.parametrize("spill", [False, True])
def test_a_result_taken_between_snapshots_leaves_the_run_unchanged(assembled, monkeypatch, spill):
    if spill:
        monkeypatch.setattr(engine, "SPILL_BYTES", 0)
    model = Model("tiny", seed=3, weeks=WEEKS)
    model.run_for(20)
    part = model.result()  # weeks 0, 13 and the state at week 20, which is not kept
    weeks = part.cells.column("week").to_numpy()
    assert sorted(set(weeks)) == [0, 13, 20]
    n_cells = model.state.n_cells
    assert part.cells.slice(0, 2 * n_cells).equals(assembled.slice(0, 2 * n_cells))
    model.run_for(WEEKS)
    assert model.result().cells.equals(assembled)
    assert part.cells.num_rows == 3 * n_cells  # the earlier result is untouched


def test_release_lets_the_state_go_and_keeps_the_result(assembled):
    model = Model("tiny", seed=3, weeks=WEEKS)
    model.run_for(WEEKS)
    kept = model.result()
    released = model.result(release=True)
    assert not hasattr(model, "state")
    assert released.cells.equals(assembled) and same_table(released.timeseries, kept.timeseries)
    assert released.outcome == kept.outcome
