"""Reading what the analysis needs from a run directory or an experiment directory."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from thermidor.analysis.claims import Ensemble
from thermidor.analysis.seven import BREAKDOWN_METRICS, MEASURES
from thermidor.errors import InputError
from thermidor.experiments.handle import open_experiment
from thermidor.experiments.store import MANIFEST, Store
from thermidor.model.observe import slug
from thermidor.model.state import KINDS, STRATA
from thermidor.scenario.load import load_scenario
from thermidor.scenario.schema import Scenario

RUN_FILES = ("timeseries.parquet", "outcome.json", "scenario.resolved.toml")


def columns(scenario: Scenario) -> list[str]:
    """The time-series columns the seven answers, the comparison and the claims read."""
    orgs = [slug(o.name) for o in scenario.organisations]
    return list(
        dict.fromkeys(
            [
                "week",
                *(c for _, c, _ in MEASURES),
                *(f"{g}_{m}" for g in (*KINDS, *STRATA) for m in BREAKDOWN_METRICS),
                "cc_holder",
                "campaign_against_right",
                "campaign_against_left",
                "driver_mass",
                "driver_threat",
                "driver_drift",
                "worker_active",
                *(f"{o}_{k}" for o in orgs for k in ("credibility", "in_party", "bloc")),
            ]
        )
    )


def kind_of(path: Path) -> str:
    """'run' or 'experiment'; InputError for anything else."""
    if (path / MANIFEST).is_file():
        return "experiment"
    if all((path / f).is_file() for f in RUN_FILES):
        return "run"
    raise InputError(
        str(path),
        "is not a run directory (timeseries.parquet, outcome.json, scenario.resolved.toml) "
        f"nor an experiment directory ({MANIFEST})",
    )


def _damaged(path: Path, err: BaseException, what: str) -> InputError:
    return InputError(str(path), f"{what} ({' '.join(str(err).split())[:160]})")


def read_indices(path: Path) -> pd.DataFrame:
    """A `thermidor sensitivity` indices table; InputError naming the file if it is not one."""
    need = {"target", "parameter", "index", "conf", "method"}
    try:
        table = pd.read_parquet(path)
    except (OSError, pa.ArrowException, ValueError) as err:
        raise _damaged(path, err, "is not a readable Parquet file") from None
    missing = need - set(table.columns)
    if missing:
        raise InputError(
            str(path),
            f"is not a sensitivity indices table (missing columns: {', '.join(sorted(missing))})",
        )
    return table


def _run_table(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    try:
        if columns is not None:  # a model without a measure: that answer is NaN
            have = set(pq.read_schema(path).names)
            columns = [c for c in columns if c in have]
        return pq.read_table(path, columns=columns).to_pandas()
    except (OSError, pa.ArrowException, ValueError) as err:
        raise _damaged(path, err, "is not a readable Parquet file of a run") from None


def _outcome(path: Path) -> dict:
    try:
        o = json.loads(path.read_text(encoding="utf-8"))
        return {k: o[k] for k in ("outcome", "week", "weeks_run")}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
        raise _damaged(path, err, "is not a run's outcome (outcome, week, weeks_run)") from None


def scenario_of(path: Path) -> Scenario:
    """The resolved scenario a run or an experiment ran."""
    if kind_of(path) == "run":
        return load_scenario(path / "scenario.resolved.toml")
    return open_experiment(path).scenario


def load(path: str | Path, with_cells: bool = False) -> Ensemble:
    """The runs in `path` (a `thermidor run` directory or an experiment) for the analysis;
    `with_cells` adds the cell snapshots of its first run."""
    path = Path(path)
    scenario = scenario_of(path)
    cols = columns(scenario)
    if kind_of(path) == "run":
        ts = _run_table(path / "timeseries.parquet", cols).assign(run=0)
        o = _outcome(path / "outcome.json")
        outcomes = pd.DataFrame([{"run": 0, **o}])
        cells = _run_table(path / "cells.parquet").assign(run=0) if with_cells else None
    else:
        exp = open_experiment(path)
        store = Store.of(path)
        if not store.committed():
            raise InputError(
                str(path), "no run has finished yet: run the experiment's command to compute them"
            )
        damaged = store.damaged()  # the answers never rest on a damaged part
        if damaged:
            part, why = next(iter(damaged.values()))
            more = f" ({len(damaged)} damaged runs)" if len(damaged) > 1 else ""
            raise InputError(
                str(part), f"{why}{more}; run the experiment's command again to recompute it"
            )
        outcomes = exp.outcomes(["outcome", "outcome_week", "weeks_run"])
        outcomes = outcomes.rename(columns={"outcome_week": "week"})[
            ["run", "outcome", "week", "weeks_run"]
        ]
        have = set(exp.query("SELECT * FROM timeseries LIMIT 0").columns)
        ts = exp.timeseries([c for c in cols if c in have])
        cells = (
            exp.query(
                "SELECT * FROM cells WHERE run = (SELECT min(run) FROM cells) ORDER BY week, cell"
            )
            if with_cells
            else None
        )  # one run's snapshots: the heat map shows one run; all runs could fill the memory
    return Ensemble(
        name=scenario.name,
        timeseries=ts,
        outcomes=outcomes,
        horizon=scenario.weeks,
        organisations=[o.name for o in scenario.organisations],
        cells=cells,
        scenario=scenario,
    )


def passive_of(path: str | Path) -> pd.DataFrame | None:
    """The time series of an ensemble's matched passive runs (`ensemble --matched` stores them
    beside it, in `OUT.passive`), or None when it has none."""
    from thermidor.experiments.api import passive_dir

    folder = passive_dir(Path(path).absolute())
    if not (folder / MANIFEST).is_file():
        return None
    return load(folder).timeseries
