"""The run loop: initialise, step week by week, observe, stop at an absorbing outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from thermidor import __version__
from thermidor.model.calendar import date_of
from thermidor.model.init import initial_state
from thermidor.model.observe import cells_snapshot, observe
from thermidor.model.schedule import week
from thermidor.model.state import OPEN, OUTCOMES, State
from thermidor.scenario.load import load_scenario, scenario_hash
from thermidor.scenario.schema import Scenario

Progress = Callable[[int, int, State], None]


@dataclass
class Result:
    """One run: the weekly time series, the cell snapshots and the outcome."""

    scenario: Scenario
    seed: int | np.random.SeedSequence
    timeseries: pa.Table
    cells: pa.Table
    outcome: dict = field(default_factory=dict)


def simulate(
    scenario: Scenario | str,
    seed: int | np.random.SeedSequence | None = None,
    weeks: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Run `scenario` (seed and horizon from the scenario unless given) and return the result.

    `scenario` is a loaded `Scenario` or a built-in name or path. `progress(week_done, weeks,
    state)` is called after each week. Same scenario and seed give identical results.
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    seed = scenario.seed if seed is None else seed
    weeks = scenario.weeks if weeks is None else weeks
    state = initial_state(scenario, seed)
    rows: list[dict] = [observe(state, scenario)]
    snaps: list[dict] = [cells_snapshot(state, scenario)]
    every = scenario.observe.snapshot_every
    for w in range(1, weeks + 1):
        state.macro.week = w
        week(state, scenario)
        rows.append(observe(state, scenario))
        if w % every == 0 or state.macro.outcome != OPEN or w == weeks:
            snaps.append(cells_snapshot(state, scenario))
        if progress is not None:
            progress(w, weeks, state)
        if state.macro.outcome != OPEN:
            break
    m = state.macro
    last = rows[-1]
    outcome = {
        "outcome": OUTCOMES[m.outcome],
        "week": m.outcome_week if m.outcome != OPEN else None,
        "date": date_of(scenario.start, m.outcome_week).isoformat() if m.outcome != OPEN else None,
        "weeks_run": int(m.week),
        "final": {k: _plain(v) for k, v in last.items() if k not in ("week", "date")},
        "seed": seed_record(seed),
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "persons": state.n_persons,
        "cells": state.n_cells,
        "version": __version__,
    }
    timeseries = pa.Table.from_pylist(rows)
    cells = pa.Table.from_pydict({k: np.concatenate([s[k] for s in snaps]) for k in snaps[0]})
    return Result(scenario, seed, timeseries, cells, outcome)


def seed_record(seed: int | np.random.SeedSequence) -> int | dict:
    """A seed as JSON: the integer, or a SeedSequence's entropy and spawn key."""
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return seed


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v
