"""The experiment handle: an experiment directory, its tables as pandas DataFrames.

    exp = thermidor.experiments.open_experiment("out/ens")
    exp.outcomes()                      # one row per run
    exp.timeseries(columns=["pi"])      # run, week, date, pi
    exp.query("SELECT outcome, count(*) AS n FROM outcomes GROUP BY ALL")
    exp.status().done

Tables are read from disk on each call (nothing is cached), ordered by run (and week, cell).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from thermidor.experiments import manifest
from thermidor.experiments.query import frame
from thermidor.experiments.status import Status, status
from thermidor.experiments.store import Store
from thermidor.scenario.schema import Scenario

_ORDER = {
    "runs": "run",
    "outcomes": "run",
    "timeseries": "run, week",
    "cells": "run, week, cell",
    "design": "point",
}


class Experiment:
    """An experiment directory: its manifest, its status and its tables."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.manifest: dict[str, Any] = manifest.require(self.path)
        self.report: Any = None  # what the session that returned this handle did (a Report)

    def __repr__(self) -> str:
        s = self.status()
        return f"Experiment({str(self.path)!r}: {s.kind}, {s.done}/{s.runs} runs done)"

    @property
    def kind(self) -> str:
        """'ensemble' or 'sweep'."""
        return str(self.manifest["experiment"]["kind"])

    @property
    def id(self) -> str:
        """The experiment's identity (a SHA-256)."""
        return str(self.manifest["experiment"]["id"])

    @property
    def scenario(self) -> Scenario:
        """The resolved base scenario."""
        return manifest.scenario_of(self.manifest, self.path)

    def status(self) -> Status:
        """Runs done, left, failed; who is writing; the time the rest should take."""
        return status(self.path)

    def sessions(self) -> list[dict[str, Any]]:
        """The session log: one record per start, end and merge, oldest first."""
        return Store(self.path).sessions()

    def query(self, sql: str) -> pd.DataFrame:
        """DuckDB SQL over the views runs, timeseries, outcomes, cells (and design)."""
        return frame(self.path, sql)

    def _table(self, name: str, columns: list[str] | None) -> pd.DataFrame:
        keys = [k.strip() for k in _ORDER[name].split(",")]
        cols = (
            "*"
            if columns is None
            else ", ".join(
                _quote(c)
                for c in dict.fromkeys(
                    [*keys, *(["date"] if name == "timeseries" else []), *columns]
                )
            )
        )
        return self.query(f"SELECT {cols} FROM {name} ORDER BY {_ORDER[name]}")

    def runs(self, columns: list[str] | None = None) -> pd.DataFrame:
        """One row per finished run: point, replicate, parameters, outcome, timing."""
        return self._table("runs", columns)

    def outcomes(self, columns: list[str] | None = None) -> pd.DataFrame:
        """One row per finished run: the outcome and every metric at the last week."""
        return self._table("outcomes", columns)

    def timeseries(self, columns: list[str] | None = None) -> pd.DataFrame:
        """One row per run and week."""
        return self._table("timeseries", columns)

    def cells(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The cell snapshots of every run."""
        return self._table("cells", columns)

    def design(self) -> pd.DataFrame | None:
        """A sweep's points (point and one column per varied key); None for an ensemble."""
        if "design" not in self.manifest:
            return None
        return self._table("design", None)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_experiment(path: str | Path) -> Experiment:
    """The experiment at `path` (InputError if it is not an experiment directory)."""
    return Experiment(path)
