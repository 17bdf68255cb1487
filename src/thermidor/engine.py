"""The run loop: initialise, step week by week, observe, stop at an absorbing outcome.

    model = thermidor.Model("tiny", seed=1)     # a stepping model, as Mesa's
    model.step(); model.run_for(51)
    model.date, model.state.macro.pi, model.dataframe()
    result = model.result()                     # what `simulate` returns

`simulate` is `Model(...).run_for(horizon)` with a progress callback: one loop for both.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from thermidor import __version__
from thermidor.model.calendar import date_of
from thermidor.model.init import initial_state
from thermidor.model.jit import run_threads
from thermidor.model.observe import CELL_LABELS, cells_columns, cells_snapshot, observe
from thermidor.model.schedule import week
from thermidor.model.state import OPEN, OUTCOMES, State
from thermidor.scenario.load import load_scenario, scenario_hash
from thermidor.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

Progress = Callable[[int, int, State], None]
SPILL_BYTES = 64 * 2**20  # a run's cell snapshots beyond this size wait on disk (`Snapshots`)


@dataclass(repr=False)
class Result:
    """One run: the weekly time series, the cell snapshots and the outcome."""

    scenario: Scenario
    seed: int | np.random.SeedSequence
    timeseries: pa.Table
    cells: pa.Table
    outcome: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        o = self.outcome
        when = f" in week {o['week']} ({o['date']})" if o.get("week") is not None else ""
        return (
            f"<Result {self.scenario.name!r}, seed {seed_label(self.seed)}: {o.get('outcome')}"
            f"{when}; {o.get('weeks_run')} weeks, {o.get('persons', 0):,} persons>"
        )

    def to_pandas(self, table: str = "timeseries") -> pd.DataFrame:
        """The weekly time series (or `table="cells"`: the cell snapshots) as a DataFrame, with
        the calendar date of each row as datetime64, as an experiment's tables have it."""
        return _frame(self.timeseries if table == "timeseries" else _cells_table(self, table))

    def answers(self) -> dict:
        """The seven answers for this run (see `thermidor answer`): per question its measures'
        course and breakdown; `thermidor.analysis.seven.one_line(answers, "Q3")` reads one."""
        from thermidor.analysis.seven import run_answers

        return run_answers(self)

    def plot(self) -> Figure:
        """A matplotlib figure of the run: pi and beta, the line with its campaigns, the nuclei
        by degeneration, and expelled, exiled and capitulated in real persons."""
        from thermidor.plots import run_figure

        return run_figure(self.to_pandas(), self.scenario)


def _cells_table(result: Result, table: str) -> pa.Table:
    if table != "cells":
        raise ValueError(f"table must be 'timeseries' or 'cells', not {table!r}")
    weeks = result.cells.column("week").to_numpy()
    dates = [date_of(result.scenario.start, int(w)) for w in weeks]
    return result.cells.append_column("date", pa.array(dates, pa.date32()))


def _frame(table: pa.Table) -> pd.DataFrame:
    import pandas as pd

    df = table.to_pandas()
    if "date" in df:
        df["date"] = pd.to_datetime(df["date"]).astype("datetime64[us]")  # as DuckDB gives it
    return df


class Model:
    """The fast engine, one week at a time: `step()`, `run_for(n)`, `state`, `week`, `date`.

    `scenario` is a loaded `Scenario`, a built-in name or a TOML path; `seed` and `weeks` (the
    horizon) default to the scenario's. `running` turns false at an absorbing outcome (S13) or
    at the horizon; `step()` then does nothing. The weekly rows are kept: `dataframe()`.
    """

    def __init__(
        self,
        scenario: Scenario | str,
        seed: int | np.random.SeedSequence | None = None,
        weeks: int | None = None,
    ) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(str(scenario))
        self.scenario: Scenario = scenario
        self.seed: int | np.random.SeedSequence = scenario.seed if seed is None else seed
        self.weeks: int = scenario.weeks if weeks is None else int(weeks)
        self.state: State = initial_state(scenario, self.seed)
        with run_threads(self.state.n_persons):
            self.rows: list[dict[str, Any]] = [observe(self.state, scenario)]
            first = cells_columns(self.state, scenario)
        self._snaps = Snapshots(first, self.weeks // scenario.observe.snapshot_every + 2)

    def __repr__(self) -> str:
        return (
            f"<Model {self.scenario.name!r}, seed {seed_label(self.seed)}: week {self.week} of "
            f"{self.weeks} ({self.date}), {self.outcome_name}>"
        )

    @property
    def week(self) -> int:
        """Weeks done (0 before the first step)."""
        return int(self.state.macro.week)

    @property
    def date(self) -> dt.date:
        """The calendar date the state stands at: the end of the last week done."""
        return date_of(self.scenario.start, self.week)

    @property
    def outcome_name(self) -> str:
        """'duality open' until an absorbing outcome: 'Thermidor', 'reform', ..."""
        return OUTCOMES[self.state.macro.outcome]

    @property
    def running(self) -> bool:
        """False once an outcome is reached or the horizon is run."""
        return self.state.macro.outcome == OPEN and self.week < self.weeks

    @property
    def observation(self) -> dict[str, Any]:
        """This week's row of the time series."""
        return self.rows[-1]

    def step(self) -> bool:
        """Run one week (S1-S14); False, doing nothing, when no longer running."""
        if not self.running:
            return False
        state, sc = self.state, self.scenario
        w = self.week + 1
        state.macro.week = w
        with run_threads(state.n_persons):  # the same bytes on any number of threads
            week(state, sc)
            self.rows.append(observe(state, sc))
            if w % sc.observe.snapshot_every == 0 or not self.running:
                self._snaps.add(cells_columns(state, sc))
        return True

    def run_for(self, n: int, progress: Progress | None = None) -> int:
        """Run up to `n` weeks (fewer if the run ends); returns the weeks run.
        `progress(week_done, horizon, state)` is called after each week."""
        done = 0
        while done < n and self.step():
            done += 1
            if progress is not None:
                progress(self.week, self.weeks, self.state)
        return done

    def cells(self) -> pd.DataFrame:
        """Every cell now: kind, region, size, mean d, active share, mean x and y, Q1 class."""
        import pandas as pd

        return pd.DataFrame(cells_snapshot(self.state, self.scenario))

    def dataframe(self) -> pd.DataFrame:
        """The weekly rows so far (week 0 to now), the date as datetime64."""
        return _frame(pa.Table.from_pylist(self.rows))

    def result(self, release: bool = False) -> Result:
        """The run so far as a `Result` (as `simulate` returns it). `release=True` lets the state
        go before the cell snapshots are assembled (`simulate` does, to keep the peak memory of
        a full-scale run down); the model cannot be used after that."""
        m, sc = self.state.macro, self.scenario
        ended = m.outcome != OPEN
        last = None
        if self._snaps.last_week != m.week:  # stopped between snapshots: the last state too
            last = cells_columns(self.state, sc)
        outcome = {
            "outcome": OUTCOMES[m.outcome],
            "week": m.outcome_week if ended else None,
            "date": date_of(sc.start, m.outcome_week).isoformat() if ended else None,
            "weeks_run": int(m.week),
            "final": {k: _plain(v) for k, v in self.rows[-1].items() if k not in ("week", "date")},
            "seed": seed_record(self.seed),
            "scenario": sc.name,
            "scenario_hash": scenario_hash(sc),
            "persons": self.state.n_persons,
            "cells": self.state.n_cells,
            "version": __version__,
        }
        timeseries = pa.Table.from_pylist(self.rows)
        if release:
            del self.state
        return Result(sc, self.seed, timeseries, self._snaps.table(last), outcome)


class Snapshots:
    """A run's cell snapshots, column by column, appended to one growing file a column as they
    are taken: in memory, or, when the horizon's snapshots would take more than `SPILL_BYTES`,
    in temporary files on disk. `kind` and `q1_class` are kept as one-byte codes, strings only in
    `table()`.

    A full-scale ten-year run takes 41 snapshots of 55,809 cells, 73 bytes a row (159 MB; with
    the codes as NumPy strings it was 347 MB, then a second copy at the end): on disk they do not
    add to the half gigabyte of the persons during the run, and `simulate` lets the persons go
    before it reads them back (`Model.result(release=True)`): the run's peak memory is then its
    initial state's (docs/performance.md)."""

    def __init__(self, first: dict[str, np.ndarray], capacity: int) -> None:
        row = sum(v.itemsize for v in first.values())
        spill = capacity * first["week"].size * row > SPILL_BYTES
        self.dtypes = {k: v.dtype for k, v in first.items()}
        # the files live as long as the run's snapshots (closed, and gone, when collected)
        self.files = {k: tempfile.TemporaryFile() if spill else io.BytesIO() for k in first}  # noqa: SIM115
        self.last_week = -1
        self.add(first)

    @property
    def spilled(self) -> bool:
        return not isinstance(self.files["week"], io.BytesIO)

    def add(self, snap: dict[str, np.ndarray]) -> None:
        """Append one snapshot (columns of one row a cell)."""
        for k, v in snap.items():
            f = self.files[k]
            f.seek(0, io.SEEK_END)
            f.write(np.ascontiguousarray(v, self.dtypes[k]).data)
        self.last_week = int(snap["week"][0])

    def table(self, last: dict[str, np.ndarray] | None = None) -> pa.Table:
        """The snapshots taken, and `last` (a snapshot not kept) after them, as one table."""
        cols = {}
        for k, f in self.files.items():
            f.seek(0)
            v = np.frombuffer(f.read(), self.dtypes[k])
            cols[k] = _column(k, v if last is None else np.concatenate([v, last[k]]))
        return pa.table(cols)


def _column(name: str, values: np.ndarray) -> pa.Array:
    if name in CELL_LABELS:
        return pa.array(CELL_LABELS[name], pa.string()).take(pa.array(values))
    return pa.array(values)


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
    model = Model(scenario, seed, weeks)
    model.run_for(model.weeks, progress)
    return model.result(release=True)


def seed_record(seed: int | np.random.SeedSequence) -> int | dict:
    """A seed as JSON: the integer, or a SeedSequence's entropy and spawn key."""
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return seed


def seed_label(seed: int | np.random.SeedSequence) -> str:
    """A seed in a few characters: the integer, or a SeedSequence's spawn key."""
    if isinstance(seed, np.random.SeedSequence):
        return f"SeedSequence(spawn_key={tuple(seed.spawn_key)})"
    return str(seed)


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v
