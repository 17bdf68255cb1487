"""What the analysis reads (analysis/load.py), on a run directory and a small matched ensemble of
`tiny` (a few weeks, a few seconds), each expected table read off the Parquet files by hand
(pyarrow on the run's files and the experiment's parts), and on damaged or foreign inputs: one
clear error naming the file.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import thermidor.experiments as tx
from thermidor.analysis import load as ld
from thermidor.engine import simulate
from thermidor.errors import InputError
from thermidor.experiments.plan import Task
from thermidor.runstore import write_run
from thermidor.scenario import load_scenario

WEEKS = 6
RUNS = 3
ORGS = ["Left Opposition", "Democratic Centralists"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`thermidor run tiny --weeks 6 --seed 5`, written as the command writes it."""
    result = simulate(load_scenario("tiny", weeks=WEEKS), seed=5)
    return write_run(result, tmp_path_factory.mktemp("r") / "run")


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 runs of `tiny`, 6 weeks, with their matched passive runs (in `ens.passive`)."""
    out = tmp_path_factory.mktemp("e") / "ens"
    with ThreadPoolExecutor(2) as pool:
        tx.ensemble("tiny", RUNS, weeks=WEEKS, out=out, matched=True, executor=pool,
                    progress=False)  # fmt: skip
    return out


def _parts(root: Path, table: str) -> pd.DataFrame:
    """Every run's part of `table`, read by hand, in run order."""
    files = sorted((root / table).glob("run-*.parquet"))
    assert len(files) == RUNS
    return pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)


def test_columns_read_by_the_answers() -> None:
    """The week, the measures, every kind's and stratum's breakdown, the drivers and each
    organisation's credibility, place in the party and bloc (by its name's slug), once each."""
    cols = ld.columns(load_scenario("tiny"))
    assert cols[0] == "week" and len(cols) == len(set(cols))
    for c in ("pi", "beta", "worker_active", "factory_active", "cc_holder", "driver_mass",
              "driver_threat", "driver_drift", "campaign_against_right", "campaign_against_left",
              "left_opposition_credibility", "left_opposition_in_party", "left_opposition_bloc",
              "democratic_centralists_credibility", "democratic_centralists_bloc"):  # fmt: skip
        assert c in cols, c
    assert cols[-6:] == [
        "left_opposition_credibility", "left_opposition_in_party", "left_opposition_bloc",
        "democratic_centralists_credibility", "democratic_centralists_in_party",
        "democratic_centralists_bloc",
    ]  # fmt: skip
    assert "left_opposition_expelled" not in cols and "date" not in cols


def test_a_run_directory_by_hand(run_dir: Path) -> None:
    ens = ld.load(run_dir)
    scenario = load_scenario(run_dir / "scenario.resolved.toml")
    cols = ld.columns(scenario)
    table = pq.read_table(run_dir / "timeseries.parquet").to_pandas()
    expected = table[[c for c in cols if c in table.columns]].assign(run=0)
    pd.testing.assert_frame_equal(ens.timeseries, expected)
    assert "date" not in ens.timeseries and len(ens.timeseries) == WEEKS + 1
    o = json.loads((run_dir / "outcome.json").read_text())
    assert ens.outcomes.to_dict("records") == [
        {"run": 0, "outcome": o["outcome"], "week": o["week"], "weeks_run": o["weeks_run"]}
    ]
    assert (ens.name, ens.horizon, ens.organisations) == ("tiny", WEEKS, ORGS)
    assert ens.cells is None and ens.scenario == scenario
    cells = ld.load(run_dir, with_cells=True).cells
    pd.testing.assert_frame_equal(
        cells, pq.read_table(run_dir / "cells.parquet").to_pandas().assign(run=0)
    )
    assert ld.kind_of(run_dir) == "run" and ld.scenario_of(run_dir) == scenario
    assert ld.passive_of(run_dir) is None


def test_an_experiment_by_hand(ensemble: Path) -> None:
    ens = ld.load(ensemble)
    outcomes = _parts(ensemble, "outcomes")
    expected = outcomes[["run", "outcome", "outcome_week", "weeks_run"]].rename(
        columns={"outcome_week": "week"}
    )
    got = ens.outcomes.sort_values("run", ignore_index=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    ts = _parts(ensemble, "timeseries")
    cols = ["run", *(c for c in ld.columns(ens.scenario) if c in ts.columns)]
    got = ens.timeseries.sort_values(["run", "week"], ignore_index=True)
    pd.testing.assert_frame_equal(got[cols], ts[cols], check_dtype=False)
    assert set(got.columns) == {*cols, "date"} and len(got) == RUNS * (WEEKS + 1)  # the handle's
    assert (ens.name, ens.horizon, ens.organisations) == ("tiny", WEEKS, ORGS)
    assert ens.cells is None and ld.kind_of(ensemble) == "experiment"
    assert ld.scenario_of(ensemble) == ens.scenario and ens.scenario.weeks == WEEKS


def test_an_experiments_cells_are_its_first_runs_in_order(ensemble: Path) -> None:
    cells = ld.load(ensemble, with_cells=True).cells
    first = pq.read_table(ensemble / "cells" / "run-0000000.parquet").to_pandas()
    first = first.sort_values(["week", "cell"], ignore_index=True)
    pd.testing.assert_frame_equal(cells, first, check_dtype=False)
    assert set(cells["week"]) == {0, WEEKS} and cells["run"].eq(0).all()


def test_the_passive_runs_of_a_matched_ensemble(ensemble: Path) -> None:
    passive = ld.passive_of(ensemble)
    folder = ensemble.with_name("ens.passive")
    ts = _parts(folder, "timeseries")
    got = passive.sort_values(["run", "week"], ignore_index=True)
    assert len(got) == RUNS * (WEEKS + 1) and "pi" in got
    same = [c for c in got.columns if c != "date"]  # a date here, a datetime there
    pd.testing.assert_frame_equal(got[same], ts[same], check_dtype=False)
    assert ld.passive_of(folder) is None  # the passive runs have none of their own


def test_neither_a_run_nor_an_experiment(run_dir: Path, tmp_path: Path) -> None:
    for missing in ("timeseries.parquet", "outcome.json", "scenario.resolved.toml"):
        partial = tmp_path / missing
        shutil.copytree(run_dir, partial)
        (partial / missing).unlink()
        with pytest.raises(InputError) as e:
            ld.kind_of(partial)
        assert "is not a run directory" in str(e.value) and "experiment.toml" in str(e.value)


def test_damaged_files_of_a_run_are_named(run_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(run_dir, bad)
    (bad / "timeseries.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError) as e:
        ld.load(bad)
    assert str(bad / "timeseries.parquet") in str(e.value)
    assert "is not a readable Parquet file of a run" in str(e.value)
    shutil.copyfile(run_dir / "timeseries.parquet", bad / "timeseries.parquet")
    o = json.loads((run_dir / "outcome.json").read_text())
    for text in ("{", json.dumps({k: v for k, v in o.items() if k != "weeks_run"}), "[1]"):
        (bad / "outcome.json").write_text(text)
        with pytest.raises(InputError) as e:
            ld.load(bad)
        assert str(bad / "outcome.json") in str(e.value), text
        assert "is not a run's outcome (outcome, week, weeks_run)" in str(e.value), text


def test_a_run_without_a_measure_reads_what_it_has(run_dir: Path, tmp_path: Path) -> None:
    """A time series without `pi` (a model without the measure): the other columns, no error."""
    other = tmp_path / "other"
    shutil.copytree(run_dir, other)
    table = pq.read_table(run_dir / "timeseries.parquet")
    pq.write_table(table.drop_columns(["pi"]), other / "timeseries.parquet")
    ts = ld.load(other).timeseries
    assert "pi" not in ts and "beta" in ts and len(ts) == WEEKS + 1


def test_the_indices_table(tmp_path: Path) -> None:
    good = pd.DataFrame(
        {
            "target": ["P(reform)"],
            "parameter": ["power.pi0"],
            "index": [0.5],
            "conf": [0.1],
            "method": ["morris"],
            "runs": [72],  # `thermidor sensitivity` states these too
            "scale": [0.0005],
        }
    )
    good.to_parquet(tmp_path / "good.parquet")
    pd.testing.assert_frame_equal(ld.read_indices(tmp_path / "good.parquet"), good)
    good.drop(columns=["conf", "index"]).to_parquet(tmp_path / "short.parquet")
    with pytest.raises(InputError) as e:
        ld.read_indices(tmp_path / "short.parquet")
    assert "is not a sensitivity indices table (missing columns: conf, index)" in str(e.value)
    (tmp_path / "text.parquet").write_text("target,parameter\n")
    with pytest.raises(InputError) as e:
        ld.read_indices(tmp_path / "text.parquet")
    assert str(tmp_path / "text.parquet") in str(e.value)
    assert "is not a readable Parquet file (" in str(e.value)


def test_the_error_quotes_the_cause_on_one_line_of_160_characters(tmp_path: Path) -> None:
    err = OSError("line one\n   line two " + "x" * 300)
    e = ld._damaged(tmp_path / "f", err, "is broken")
    assert (e.source, e.key) == (str(tmp_path / "f"), "")
    text = str(e)
    assert text.startswith(f"{tmp_path / 'f'}: is broken (")
    cause = text[text.index("(") + 1 : text.rindex(")")]
    assert cause == ("line one line two " + "x" * 300)[:160]


def nothing_done(task: Task) -> dict:
    raise RuntimeError("not this time")


def test_an_experiment_with_no_run_finished(tmp_path: Path) -> None:
    out = tmp_path / "none"
    with ThreadPoolExecutor(1) as pool:
        tx.ensemble("tiny", 2, weeks=WEEKS, out=out, executor=pool, task_fn=nothing_done,
                    progress=False)  # fmt: skip
    with pytest.raises(InputError) as e:
        ld.load(out)
    assert "no run has finished yet" in str(e.value)


def test_damaged_parts_of_an_experiment_are_named(ensemble: Path, tmp_path: Path) -> None:
    """One damaged part: named, with its fault; two: the first named, and how many."""
    out = tmp_path / "copy"
    shutil.copytree(ensemble, out)
    part = out / "timeseries" / "run-0000001.parquet"
    part.write_bytes(part.read_bytes()[:-20])
    with pytest.raises(InputError) as e:
        ld.load(out)
    assert str(part) in str(e.value) and "damaged runs" not in str(e.value)
    assert "run the experiment's command again" in str(e.value)
    other = out / "outcomes" / "run-0000002.parquet"
    other.write_bytes(b"")
    with pytest.raises(InputError) as e:
        ld.load(out)
    assert "(2 damaged runs)" in str(e.value)
