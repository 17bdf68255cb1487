"""Comparing strategies: each outcome's probability per experiment, differences, incidence.

DESIGN.md section 3: "for each outcome, its probability under `reform`, `corpse` and `manifesto`,
with confidence intervals". Probabilities carry Wilson 95 % intervals; differences against the
first experiment carry Newcombe's interval; the cumulative incidence of each outcome over time
is the Aalen-Johansen estimate (outcomes compete and are absorbing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thermidor.analysis.measures import WEEKS_PER_YEAR
from thermidor.analysis.stats import cumulative_incidence, newcombe, wilson
from thermidor.model.state import OUTCOMES


def outcome_table(outcomes: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (experiment, outcome): runs, count, probability and its 95 % interval, and the
    difference from the first experiment with its 95 % interval."""
    names = list(outcomes)
    base = outcomes[names[0]]
    rows = []
    for name in names:
        o = outcomes[name]
        n = len(o)
        for outcome in OUTCOMES:
            k = int((o["outcome"] == outcome).sum())
            p, lo, hi = wilson(k, n)
            kb = int((base["outcome"] == outcome).sum())
            d, dlo, dhi = newcombe(k, n, kb, len(base))
            rows.append(
                {
                    "experiment": name,
                    "outcome": outcome,
                    "runs": n,
                    "count": k,
                    "p": p,
                    "p_low": lo,
                    "p_high": hi,
                    "diff": d,
                    "diff_low": dlo,
                    "diff_high": dhi,
                }
            )
    return pd.DataFrame(rows)


def incidence(outcomes: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Cumulative incidence of each outcome, week 0..horizon (columns: week and one per outcome)."""
    week = outcomes["week"].fillna(-1).to_numpy(dtype=int)
    weeks_run = outcomes["weeks_run"].to_numpy(dtype=int)
    data = {"week": np.arange(horizon + 1)}
    for outcome in OUTCOMES[1:]:
        event = (outcomes["outcome"] == outcome).to_numpy()
        data[outcome] = cumulative_incidence(week, event, weeks_run, horizon)
    return pd.DataFrame(data)


def yearly(curves: pd.DataFrame) -> pd.DataFrame:
    """The incidence curves read at the start, at the end of each year, and at the horizon."""
    horizon = int(curves["week"].iloc[-1])
    years = int(np.ceil(horizon / WEEKS_PER_YEAR))
    weeks = sorted({min(horizon, round(y * WEEKS_PER_YEAR)) for y in range(years + 1)})
    return curves.set_index("week").loc[weeks].reset_index()
