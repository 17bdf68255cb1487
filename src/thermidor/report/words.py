"""Plain numbers, real persons and calendar dates for the report (no 1.72e+03, no "week 156").

A count of agents is a count of real persons divided by the scenario's `scale` (at scale 1:1,000
one agent stands for 1,000 persons): the report shows persons, agents / scale, rounded to three
significant figures, and says so.
"""

from __future__ import annotations

import datetime as dt
import math

DAYS_PER_YEAR = 365.2425


def plain(value: float | int | None, digits: int = 2) -> str:
    """A number as a person reads it: thousands separated, never in scientific notation."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    if v == 0:
        return "0"
    if abs(v) >= 100 or v == round(v):
        return f"{v:,.0f}"
    if abs(v) < 10 ** (-digits - 1):
        return f"{'-' if v < 0 else ''}< {10 ** (-digits - 1):.{digits + 1}f}"
    return f"{v:.{digits}f}" if abs(v) >= 10**-digits else f"{v:.{digits + 1}f}"


def persons(agents: float, scale: float) -> float:
    """Real persons for a count of agents at `scale`, to three significant figures."""
    if math.isnan(agents) or agents == 0:
        return agents
    p = agents / scale
    return float(round(p, 2 - int(math.floor(math.log10(abs(p))))))


def share(p: float) -> str:
    """A share as a whole per cent: '27 %'."""
    return "–" if math.isnan(p) else f"{p:.0%}".replace("%", " %")


def one_in(scale: float) -> str:
    """The scale as a person reads it: '1:2,000 (one agent for 2,000 persons)'."""
    n = 1 / scale
    return "1:1 (one agent a person)" if n <= 1 else f"1:{n:,.0f} (one agent for {n:,.0f} persons)"


def date_at(start: dt.date, week: int) -> dt.date:
    """The date at the end of `week` (row w of a time series is the state at start + 7w)."""
    return start + dt.timedelta(weeks=int(week))


def day(d: dt.date) -> str:
    """'1 October 1928'."""
    return f"{d.day} {d:%B %Y}"


def year_of(start: dt.date, weeks: float) -> float:
    """A week count as a decimal calendar year (1929.0 is 1 January 1929), for plot axes."""
    first = dt.date(start.year, 1, 1)
    return start.year + ((start - first).days + 7 * weeks) / DAYS_PER_YEAR
