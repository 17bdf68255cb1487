"""Retrodiction: the posterior predictive through 1932 beside the record the calibration never saw.

One run per posterior draw (drawn by weight), at the calibration's scale, from the start to the
last hold-out date; for each hold-out row of the record (1930-1932 by default: `targets.HOLDOUT`)
the record, the predictive median, its 50 % and 90 % intervals and whether the record falls
inside them. Coverage is reported as it comes out: no hold-out row is ever a target.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from thermidor.calibration import targets as tg
from thermidor.calibration.abc import weeks_for, weighted_quantile
from thermidor.calibration.observables import OBSERVABLES, frame
from thermidor.calibration.posterior import load_posterior
from thermidor.errors import InputError


def predictive(
    posterior: str | Path | None,
    targets: list[tg.Target],
    draws: int = 50,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """The posterior predictive of `targets`: one row per draw, one column per target id."""
    from thermidor.engine import simulate
    from thermidor.scenario.load import load_scenario

    post = load_posterior(posterior)
    s = post.settings
    base = load_scenario(s["scenario"], s.get("overrides") or None, scale=s["scale"])
    weeks = weeks_for(targets, base.start)
    rows = []
    for i, (_, row) in enumerate(post.draws(draws, seed).iterrows()):
        sets = [*(s.get("overrides") or []), *(f"{k}={float(row[k])!r}" for k in post.keys)]
        sc = load_scenario(s["scenario"], sets, scale=s["scale"], weeks=weeks)
        ts = frame(simulate(sc, seed=seed * 100_003 + i + 1).timeseries)
        rows.append(
            {t.id: OBSERVABLES[t.observable].read(ts, sc.scale, t.first, t.date) for t in targets}
        )
        if progress is not None:
            progress(i + 1, draws)
    return pd.DataFrame(rows)


def holdout(targets: str | Path | None = None) -> list[tg.Target]:
    """The hold-out rows: the record's 1930-32 rows (None) or a target table."""
    if targets is None:
        return tg.parse(tg.builtin("holdout"), "built-in hold-out rows")
    return tg.load(targets)


def from_experiment(path: str | Path, targets: list[tg.Target]) -> pd.DataFrame:
    """The `targets` read from each stored run of an experiment (one row per run): the
    posterior predictive when the experiment is a sweep over a posterior's draws (e.g. the
    demo's, `posterior_plan`), at the experiment's own scale, without running anything."""
    from thermidor.analysis.load import scenario_of
    from thermidor.experiments.handle import open_experiment

    path = Path(path)
    sc = scenario_of(path)
    last = max(t.date for t in targets)
    if sc.start + dt.timedelta(weeks=sc.weeks) < last:
        raise InputError(str(path), f"its runs end before {last}, the last hold-out date")
    needed = ["members", "exiled", "capitulated", "expelled", "arrests", "exiles_new",
              "capitulations", "purged", "purge_rate"]  # fmt: skip
    ts = open_experiment(path).timeseries(needed)
    rows = []
    for _, one in ts.groupby("run", sort=True):
        f = frame(one)
        rows.append({t.id: OBSERVABLES[t.observable].read(f, sc.scale, t.first, t.date)
                     for t in targets})  # fmt: skip
    return pd.DataFrame(rows)


def compare(pred: pd.DataFrame, targets: list[tg.Target]) -> pd.DataFrame:
    """Per target: record, predictive median, 50 % and 90 % intervals, inside or not."""
    out = []
    for t in targets:
        v = pred[t.id].to_numpy(np.float64)
        w = np.ones_like(v)
        q05, q25, q50, q75, q95 = weighted_quantile(v, w, [0.05, 0.25, 0.5, 0.75, 0.95])
        out.append(
            {
                "id": t.id, "quantity": t.quantity, "date": str(t.date), "record": t.value,
                "median": q50, "q25": q25, "q75": q75, "q05": q05, "q95": q95,
                "in_50": bool(q25 <= t.value <= q75), "in_90": bool(q05 <= t.value <= q95),
            }
        )  # fmt: skip
    return pd.DataFrame(out)


def markdown(table: pd.DataFrame) -> str:
    """The comparison as a markdown table, with the coverage on its last line."""
    lines = [
        "| rows | quantity | date | record | median | 50 % interval | 90 % interval | in 50 % "
        "| in 90 % |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        f = ".3g" if abs(r.record) < 100 else ",.0f"
        lines.append(
            f"| {r.id} | {r.quantity} | {r.date} | {r.record:{f}} | {r.median:{f}} | "
            f"[{r.q25:{f}}, {r.q75:{f}}] | [{r.q05:{f}}, {r.q95:{f}}] | "
            f"{'yes' if r.in_50 else 'no'} | {'yes' if r.in_90 else 'no'} |"
        )
    n = len(table)
    lines.append("")
    lines.append(
        f"Coverage: {int(table['in_50'].sum())} of {n} rows inside the 50 % interval, "
        f"{int(table['in_90'].sum())} of {n} inside the 90 % interval."
    )
    return "\n".join(lines)


def retrodict(
    posterior: str | Path | None,
    *,
    targets: str | Path | None = None,
    draws: int = 50,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """The comparison table, the predictive draws and the seconds taken."""
    held = holdout(targets)
    if draws < 1:
        raise InputError("--draws", f"needs at least 1 (got {draws})")
    t0 = time.perf_counter()
    pred = predictive(posterior, held, draws, seed, progress)
    return compare(pred, held), pred, time.perf_counter() - t0
