"""Target tables: the record's quantities a calibration fits (or a retrodiction checks).

A target table is a CSV with the columns

    id           the row id(s) of the history table it comes from (M16+M17: their sum)
    quantity     what it is, in words
    from         the window's first day (flows, shares); empty for a stock
    date         the day of a stock, the window's last day for a flow (YYYY-MM-DD)
    value        the record's number
    sd           its standard deviation, or empty: then from `reliability`
    reliability  the history table's grade (A, A/B, B, C): sd = RELATIVE_SD[grade] x value
    observable   a name of `thermidor.calibration.observables.OBSERVABLES`

The built-in table (`builtin("fit")`) takes the history table's rows dated up to 1929-12-31
only; `builtin("holdout")` takes those of 1930-1932, which only the retrodiction reads. A range
in the record ("3000-8000") is its midpoint with sd a quarter of its width (the range as about
+-2 sd); "~150" is 150.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from thermidor.calibration.observables import OBSERVABLES
from thermidor.errors import InputError

CUTOFF = dt.date(1929, 12, 31)  # the last day a fitted row may be dated
START = dt.date(1928, 10, 1)  # the first day the model runs (scenario 1928)
RELATIVE_SD = {"A": 0.05, "A/B": 0.075, "B": 0.10, "B/C": 0.175, "C": 0.25}
COLUMNS = ("id", "quantity", "from", "date", "value", "sd", "reliability", "observable")

# (row ids, observable, from, date): the record's rows the model has an observable for
FIT = (
    ("R1929", "members", None, "1929-01-01"),
    ("P03", "purge_share", "1929-01-01", "1929-12-31"),
    ("O10", "arrests", "1929-01-01", "1929-01-31"),
    ("O11", "exiled_total", "1928-10-01", "1929-12-31"),
    ("O12", "capitulations", "1929-07-01", "1929-08-31"),
)
HOLDOUT = (
    ("R1930", "members", None, "1930-01-01"),
    ("M16+M17", "members", None, "1930-06-30"),
    ("R1931", "members", None, "1931-01-01"),
    ("R1932", "members", None, "1932-01-01"),
    ("M18+M19", "members", None, "1932-12-31"),
    ("P04", "purged", "1928-10-01", "1930-12-31"),
)


@dataclass(frozen=True)
class Target:
    """One quantity of the record, its uncertainty and the model observable it is."""

    id: str
    quantity: str
    first: dt.date
    date: dt.date
    value: float
    sd: float
    observable: str


def history() -> pd.DataFrame:
    """The project's history table (rows by id)."""
    path = resources.files("thermidor.data") / "history_1923_1935.csv"
    with path.open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str).set_index("id")


def _number(text: str) -> tuple[float, float | None]:
    """A record's value and, for a range, its sd (a quarter of the width)."""
    t = text.replace(",", "").replace("~", "").strip()
    if "-" in t[1:]:
        lo, hi = (float(x) for x in t.split("-"))
        return (lo + hi) / 2, (hi - lo) / 4
    return float(t.lstrip("><")), None


def _row_date(text: str) -> dt.date:
    """The last day a history row's date can mean (1929 -> 1929-12-31, 1929-07 -> 1929-07-31,
    1929-1930 -> 1930-12-31)."""
    t = text.split("/")[-1].split("-")[-1] if len(text) == 9 and text[4] == "-" else text
    parts = [int(x) for x in t.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        y, m = parts
        return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(*parts)


def builtin(which: str = "fit") -> pd.DataFrame:
    """The built-in target table: "fit" (rows dated up to 1929-12-31) or "holdout" (1930-32)."""
    rows = history()
    out = []
    for ids, observable, first, date in FIT if which == "fit" else HOLDOUT:
        parts = ids.split("+")
        values = [_number(rows.loc[i, "value"]) for i in parts]
        latest = max(_row_date(rows.loc[i, "date"]) for i in parts)
        if which == "fit" and latest > CUTOFF:
            raise AssertionError(f"{ids} is dated after {CUTOFF}: it cannot be a target")
        grade = rows.loc[parts[0], "reliability"]
        range_sd = values[0][1] if len(values) == 1 else None
        out.append(
            {
                "id": ids,
                "quantity": rows.loc[parts[0], "quantity"] if len(parts) == 1 else ids,
                "from": first or "",
                "date": date,
                "value": sum(v for v, _ in values),
                "sd": range_sd if range_sd is not None else math.nan,
                "reliability": grade,
                "observable": observable,
            }
        )
    return pd.DataFrame(out, columns=list(COLUMNS))


def _day(value: object, path: str, row: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(path, f"{column} must be a date YYYY-MM-DD (got {value!r})", row) from None


def parse(table: pd.DataFrame, path: str = "targets") -> list[Target]:
    """The targets of a table (as `builtin` returns or a CSV holds); InputError naming the
    file, the row and what is allowed for anything wrong."""
    missing = [c for c in ("id", "date", "value", "observable") if c not in table.columns]
    if missing:
        raise InputError(path, f"is not a target table (missing columns: {', '.join(missing)})")
    if "sd" not in table.columns and "reliability" not in table.columns:
        raise InputError(path, "needs a column sd or reliability (A, A/B, B, C)")
    if table.empty:
        raise InputError(path, "has no targets")
    out = []
    for n, r in table.reset_index(drop=True).iterrows():
        row = f"row {n + 1} ({r['id']})"
        obs = str(r["observable"]).strip()
        if obs not in OBSERVABLES:
            raise InputError(
                path, f"unknown observable {obs!r} (allowed: {', '.join(OBSERVABLES)})", row
            )
        date = _day(r["date"], path, row, "date")
        first_text = r.get("from", "")
        blank = first_text is None or (isinstance(first_text, float) and math.isnan(first_text))
        first = (
            START if blank or not str(first_text).strip() else _day(first_text, path, row, "from")
        )
        if first > date:
            raise InputError(path, f"from ({first}) is after date ({date})", row)
        try:
            value = float(r["value"])
        except (TypeError, ValueError):
            raise InputError(path, f"value must be a number (got {r['value']!r})", row) from None
        sd = float(r["sd"]) if "sd" in table.columns and pd.notna(r["sd"]) else math.nan
        if math.isnan(sd):
            grade = str(r.get("reliability", "")).strip()
            if grade not in RELATIVE_SD:
                raise InputError(
                    path,
                    f"needs an sd or a reliability grade (allowed: {', '.join(RELATIVE_SD)}; "
                    f"got {grade!r})",
                    row,
                )
            sd = RELATIVE_SD[grade] * abs(value)
        if not (math.isfinite(value) and math.isfinite(sd) and sd > 0):
            raise InputError(path, f"value and sd must be finite, sd > 0 (got {value}, {sd})", row)
        quantity = str(r.get("quantity", "") or obs)
        out.append(Target(str(r["id"]), quantity, first, date, value, sd, obs))
    return out


def load(path: str | Path | None) -> list[Target]:
    """The targets in CSV file `path`, or the built-in fit table for None."""
    if path is None:
        return parse(builtin("fit"), "built-in targets")
    try:
        table = pd.read_csv(path, dtype={"id": str, "from": str, "date": str})
    except FileNotFoundError:
        raise InputError(str(path), "no such target table") from None
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise InputError(str(path), f"is not a readable CSV ({err})") from None
    return parse(table, str(path))
