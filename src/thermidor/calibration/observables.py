"""Model observables: what the record counts, read from a run's weekly time series in real persons.

The mapping from the record's rows (docs/history.md, docs/calibration.md) to the model: a stock
(members, exiled, capitulated, expelled: agents, divided by the scale) at the last week on or
before a date, a flow (arrests, exiles, capitulations, purged: already real persons) summed over
a window, or a derived quantity (the exiled over 1928-29, a purge's share of the members). Each
reader takes the time series (a pandas frame with a `date` column of `datetime.date`), the scale
and the window's first and last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

STOCKS = ("members", "exiled", "capitulated", "expelled")  # agents: divided by the scale
FLOWS = ("arrests", "exiles_new", "capitulations", "purged")  # already real persons


def frame(timeseries: object) -> pd.DataFrame:
    """A run's time series (a pyarrow table or a frame) with `date` as `datetime.date`."""
    ts = timeseries.to_pandas() if hasattr(timeseries, "to_pandas") else timeseries.copy()
    ts["date"] = pd.to_datetime(ts["date"]).dt.date
    return ts.reset_index(drop=True)


def at(ts: pd.DataFrame, col: str, day: dt.date, scale: float) -> float:
    """Column `col` at the last week on or before `day` (stocks in real persons)."""
    rows = ts[ts["date"] <= day]
    row = rows.iloc[-1] if len(rows) else ts.iloc[0]
    return float(row[col]) / (scale if col in STOCKS else 1.0)


def total(ts: pd.DataFrame, col: str, first: dt.date, last: dt.date) -> float:
    """Flow column `col` summed over the weeks dated in [first, last] (real persons)."""
    return float(ts[(ts["date"] >= first) & (ts["date"] <= last)][col].sum())


def exiled_since(ts: pd.DataFrame, scale: float, first: dt.date, last: dt.date) -> float:
    """The exiled on `first` plus the new exiles to `last` (O11 counts both)."""
    return at(ts, "exiled", first, scale) + total(ts, "exiles_new", first, last)


def purge_share(ts: pd.DataFrame, scale: float, first: dt.date, last: dt.date) -> float:
    """The persons purged in [first, last] over the members on `first`, in %."""
    return 100.0 * total(ts, "purged", first, last) / at(ts, "members", first, scale)


def first_purge_share(ts: pd.DataFrame, scale: float) -> float:
    """The first purge's expulsions over the members when it was declared, in %."""
    running = ts.index[ts["purge_rate"] > 0]
    if running.empty:
        return 0.0
    first = running[0]
    gaps = np.flatnonzero(np.diff(running) > 1)
    last = running[gaps[0]] if gaps.size else running[-1]
    purged = ts.loc[first : last + 1, "purged"].sum()
    return 100.0 * purged / (ts.loc[max(first - 1, 0), "members"] / scale)


def capitulation_peak(ts: pd.DataFrame, last: dt.date) -> float:
    """The month (as a year with decimals) with most capitulations up to `last`."""
    t = ts[ts["date"] <= last]
    month = pd.to_datetime(t["date"]).dt.to_period("M")
    p = t.groupby(month)["capitulations"].sum().idxmax()
    return p.year + (p.month - 1) / 12


@dataclass(frozen=True)
class Observable:
    """A quantity of the record the model produces: how to read it and its resolution."""

    meaning: str
    read: Callable[[pd.DataFrame, float, dt.date, dt.date], float]
    persons: bool  # counted in persons: one agent stands for 1/scale of them


def _stock(col: str) -> Callable[[pd.DataFrame, float, dt.date, dt.date], float]:
    return lambda ts, scale, first, last: at(ts, col, last, scale)


def _flow(col: str) -> Callable[[pd.DataFrame, float, dt.date, dt.date], float]:
    return lambda ts, scale, first, last: total(ts, col, first, last)


OBSERVABLES: dict[str, Observable] = {
    "members": Observable("party members and candidates on the date", _stock("members"), True),
    "exiled": Observable("oppositionists in exile on the date", _stock("exiled"), True),
    "capitulated": Observable(
        "capitulated oppositionists on the date", _stock("capitulated"), True
    ),
    "expelled": Observable("expelled persons on the date", _stock("expelled"), True),
    "arrests": Observable("arrests from `from` to the date", _flow("arrests"), True),
    "exiles": Observable("new exiles from `from` to the date", _flow("exiles_new"), True),
    "capitulations": Observable(
        "capitulations from `from` to the date", _flow("capitulations"), True
    ),
    "purged": Observable("persons purged from `from` to the date", _flow("purged"), True),
    "exiled_total": Observable("exiled on `from` plus new exiles to the date", exiled_since, True),
    "purge_share": Observable(
        "% of the members on `from` purged from `from` to the date", purge_share, False
    ),
}
