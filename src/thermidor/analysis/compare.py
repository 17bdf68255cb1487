"""Comparing strategies: each outcome's probability per experiment, differences, incidence.

docs/design.md: "for each outcome, its probability under `reform`, `corpse` and `manifesto`,
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


# what a comparison of strategies may differ in: what the organisations do and which unite
STRATEGY_KEYS = ("strategy", "active")
IGNORED = ("name", "description", "seed")


def _flat(value: object, path: str, out: dict[str, object]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(v, f"{path}.{k}" if path else str(k), out)
    elif (
        isinstance(value, list)
        and value
        and all(isinstance(v, dict) and "name" in v for v in value)
    ):
        for v in value:  # arrays of named things, by name: organisations[Left Opposition]
            _flat({k: x for k, x in v.items() if k != "name"}, f"{path}[{v['name']}]", out)
    else:
        out[path] = value


def differences(a: dict, b: dict) -> dict[str, tuple[object, object]]:
    """Key paths where two resolved scenarios (model_dump(mode='json')) differ, with both values;
    names, descriptions and seeds aside."""
    fa, fb = {}, {}
    _flat({k: v for k, v in a.items() if k not in IGNORED}, "", fa)
    _flat({k: v for k, v in b.items() if k not in IGNORED}, "", fb)
    return {
        k: (fa.get(k), fb.get(k)) for k in sorted(fa.keys() | fb.keys()) if fa.get(k) != fb.get(k)
    }


def is_strategy(key: str) -> bool:
    """Whether a differing key path is a strategy: what an organisation does, or a bloc."""
    last = key.rsplit(".", 1)[-1]
    return key.startswith(("blocs", "strategies")) or (
        key.startswith("organisations") and last in STRATEGY_KEYS
    )
