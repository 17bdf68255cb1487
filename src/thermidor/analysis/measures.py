"""The measures behind the seven answers, computed from the time series of one or many runs.

Input: a time-series DataFrame with a `run` column (one row a run-week, as the store keeps them)
and an outcomes DataFrame (one row a run: `run`, `outcome`, `week`, `weeks_run`). A run that
ended in an absorbing outcome keeps its last state: a value "at week t" is the last row at or
before t (the outcomes are absorbing: docs/design.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKS_PER_YEAR = 52.1775
DRIVERS = ("mass", "threat", "drift")


def at_week(ts: pd.DataFrame, week: int, columns: list[str]) -> pd.DataFrame:
    """Each run's row at `week`, or its last row before it (the absorbed state); a column the
    time series lacks (a model without that measure) is NaN."""
    rows = ts[ts["week"] <= week].sort_values(["run", "week"]).groupby("run").tail(1)
    return rows.set_index("run").reindex(columns=columns)


def time_points(horizon: int) -> dict[str, int]:
    """The answer's course: at start, after one year, three years, and at the horizon."""
    points = {"start": 0, "1 year": 52, "3 years": 156, "horizon": horizon}
    return {k: w for k, w in points.items() if w <= horizon}


def zigzags(ts: pd.DataFrame) -> pd.DataFrame:
    """Every campaign of the Centre in every run: direction, start, length, size, driver.

    Q4: "I spoke of a 'shift' and a 'Left zig-zag', contrasting this conception to a consistent
    proletarian line." A zig-zag is a run of weeks with a campaign against the Right (a left
    turn) or against the Left (a right turn); its size is the line's move over it; its driver is
    the largest of the three pressures of S3 (mass, threat, drift) in the week it started.
    """
    out = []
    needed = {"line", "campaign_against_right", "campaign_against_left"}
    needed |= {f"driver_{k}" for k in DRIVERS}
    groups = ts.sort_values(["run", "week"]).groupby("run") if needed <= set(ts.columns) else []
    for run, g in groups:
        for direction, col in (
            ("left", "campaign_against_right"),
            ("right", "campaign_against_left"),
        ):
            on = g[col].to_numpy(dtype=bool)
            starts = np.flatnonzero(on & ~np.r_[False, on[:-1]])
            ends = np.flatnonzero(on & ~np.r_[on[1:], False])
            line = g["line"].to_numpy()
            weeks = g["week"].to_numpy()
            for a, b in zip(starts, ends, strict=True):
                before = line[a - 1] if a > 0 else line[a]
                pressures = {k: g[f"driver_{k}"].iloc[a] for k in DRIVERS}
                driver = max(pressures, key=lambda k: abs(pressures[k]))
                out.append(
                    {
                        "run": run,
                        "direction": direction,
                        "start": int(weeks[a]),
                        "weeks": int(weeks[b] - weeks[a] + 1),
                        "size": float(line[b] - before),
                        "driver": driver,
                    }
                )
    cols = ["run", "direction", "start", "weeks", "size", "driver"]
    return pd.DataFrame(out, columns=cols)


def blocs(ts: pd.DataFrame) -> pd.DataFrame:
    """Bloc survival per run and organisation pair: formed, alive at the end, weeks united."""
    cols = [c for c in ts.columns if c.endswith("_bloc")]
    rows = []
    for run, g in ts.sort_values(["run", "week"]).groupby("run"):
        for c in cols:
            alive = g[c].to_numpy(dtype=bool)
            if alive.any():
                first = int(g["week"].iloc[int(np.argmax(alive))])
                rows.append(
                    {
                        "run": run,
                        "organisation": c.removesuffix("_bloc"),
                        "formed": first,
                        "alive_at_end": bool(alive[-1]),
                        "weeks_united": int(alive.sum()),
                    }
                )
    return pd.DataFrame(
        rows, columns=["run", "organisation", "formed", "alive_at_end", "weeks_united"]
    )
