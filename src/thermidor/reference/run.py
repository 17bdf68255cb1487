"""The twin's run loop: the same contract as `thermidor.engine.simulate`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from thermidor import __version__
from thermidor.engine import Result, seed_record
from thermidor.model.calendar import date_of
from thermidor.reference.model import ReferenceModel
from thermidor.reference.observe import cells_snapshot, observe
from thermidor.scenario.load import load_scenario, scenario_hash
from thermidor.scenario.schema import Scenario

Progress = Callable[[int, int, ReferenceModel], None]


def simulate(
    scenario: Scenario | str,
    seed: int | np.random.SeedSequence | None = None,
    weeks: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Run `scenario` on the Mesa twin (seed and horizon from the scenario unless given).

    The same arguments and the same `Result` as `thermidor.engine.simulate`: the time series
    with the same columns, the cell snapshots at the same weeks, the same outcome record.
    `progress(week_done, weeks, model)` is called after each week. The run stops at the first
    absorbing outcome (S13). Same scenario and seed give identical results.
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    seed = scenario.seed if seed is None else seed
    weeks = scenario.weeks if weeks is None else weeks
    model = ReferenceModel(scenario, seed)
    rows = [observe(model)]
    snaps = [cells_snapshot(model)]
    every = scenario.observe.snapshot_every
    for w in range(1, weeks + 1):
        model.step()
        rows.append(observe(model))
        if w % every == 0 or not model.running or w == weeks:
            snaps.append(cells_snapshot(model))
        if progress is not None:
            progress(w, weeks, model)
        if not model.running:
            break
    open_ = model.running
    outcome = {
        "outcome": model.outcome,
        "week": None if open_ else model.outcome_week,
        "date": None if open_ else date_of(scenario.start, model.outcome_week).isoformat(),
        "weeks_run": model.week,
        "final": {k: v for k, v in rows[-1].items() if k not in ("week", "date")},
        "seed": seed_record(seed),
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "persons": len(model.persons),
        "cells": len(model.cells),
        "version": __version__,
    }
    timeseries = pa.Table.from_pylist(rows)
    cells = pa.Table.from_pydict({k: np.concatenate([s[k] for s in snaps]) for k in snaps[0]})
    return Result(scenario, seed, timeseries, cells, outcome)
