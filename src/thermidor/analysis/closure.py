"""What closes an outcome: each of S13's conditions for it, and how near the runs came to it.

Letter Q3: the proletariat "can regain full power, renovate the bureaucracy and put it under its
control by the road of reform of the party and the Soviets"; the bourgeoisie only "by the road of
counter-revolutionary upheaval". S13 (docs/ODD.md) makes each outcome a conjunction of conditions
on quantities other submodels produce; when no run reaches an outcome, which condition failed, and
by how much, is a measurement on the stored time series, not a guess:

    reform         the Left holds the CC (S11)  and  pi >= reform_pi (S12)
                   and  the apparatus's mean degeneration d_app <= reform_d (S8)
    Thermidor      pi < thermidor_pi (S12), then a weekly hazard
    consolidation  beta >= beta*0 + consolidation_margin (S12) for consolidation_weeks running

For each condition: the share of runs in which it ever held, the share of run-weeks it held, and
the value nearest to it that any run reached (and the median run's nearest); for reform also the
weeks in which all but one held.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from thermidor.scenario.schema import Scenario

COLUMNS = ["run", "week", "cc_holder", "left_top", "pi", "beta", "beta_star", "functionary_d"]


def _stretches(held: pd.Series, run: pd.Series) -> pd.Series:
    """Each week's count of consecutive weeks of its run, up to and including it, in which
    `held` is true (0 where it is false)."""
    stretch = (held != held.groupby(run).shift()).groupby(run).cumsum()
    return held.astype(int).groupby([run, stretch]).cumsum()


def _plain(v: float) -> str:
    """Three significant digits; 0 for what is zero to six decimals (a Galam share of 1e-38)."""
    return "0" if abs(v) < 5e-7 else f"{float(v):.3g}"


def conditions(ts: pd.DataFrame, sc: Scenario) -> dict[str, list[dict]]:
    """Per outcome, its conditions: what each needs, the submodel behind it, the runs and
    run-weeks where it held, the nearest value reached (best run and median run)."""
    p = sc.outcome
    ts = ts.sort_values(["run", "week"])
    run = ts["run"]
    left = ts["cc_holder"] == "Left"
    d_app = ts["functionary_d"]
    first = ts[ts["week"] >= 1].groupby("run")["beta_star"].first()  # S12's first week: beta*0
    level = run.map(first) + p.consolidation_margin
    above = f"beta >= beta*0 + {p.consolidation_margin:g}"
    if p.consolidation_beta is not None:
        level = pd.Series(p.consolidation_beta, index=ts.index)
        above = f"beta >= consolidation_beta = {p.consolidation_beta:g}"
    gap = ts["beta"] - level  # at or above 0: a week counting toward consolidation
    running = _stretches(gap >= 0, run)

    def row(what, submodel, held, nearest, best, unit=""):
        per_run = held.groupby(run).any()
        return {
            "condition": what,
            "submodel": submodel,
            "runs": f"{int(per_run.sum())} of {per_run.size}",
            "share of run-weeks": float(held.mean()),
            "nearest (best run)": f"{_plain(best(nearest))}{unit}",
            "nearest (median run)": f"{_plain(np.median(nearest))}{unit}",
        }

    pi_max = ts.groupby("run")["pi"].max()
    pi_min = ts.groupby("run")["pi"].min()
    d_min = d_app.groupby(run).min()
    reform = [
        row("the Left holds the CC", "S11 hierarchy", left, ts.groupby("run")["left_top"].max(),
            max, " (highest Left share of the posts below the CC)"),
        row(f"pi >= reform_pi = {p.reform_pi:g}", "S12 power", ts["pi"] >= p.reform_pi,
            pi_max, max, " (highest pi)"),
        row(f"d_app <= reform_d = {p.reform_d:g}", "S8 degeneration", d_app <= p.reform_d,
            d_min, min, " (lowest d_app)"),
    ]  # fmt: skip
    two = left.astype(int) + (ts["pi"] >= p.reform_pi) + (d_app <= p.reform_d)
    reform.append(
        row("all but one of the three at once", "S13", two >= 2, two.groupby(run).max(), max,
            " conditions")
    )  # fmt: skip
    thermidor = [
        row(f"pi < thermidor_pi = {p.thermidor_pi:g}", "S12 power", ts["pi"] < p.thermidor_pi,
            pi_min, min, " (lowest pi)"),
    ]  # fmt: skip
    consolidation = [
        row(above, "S12 power", gap >= 0,
            gap.groupby(run).max(), max, " (highest beta - level)"),
        row(f"... for {p.consolidation_weeks} weeks running", "S12 power",
            running >= p.consolidation_weeks, running.groupby(run).max(), max,
            " weeks (longest stretch)"),
    ]  # fmt: skip
    return {"reform": reform, "thermidor": thermidor, "consolidation": consolidation}


def closing(ts: pd.DataFrame, sc: Scenario, outcome: str) -> pd.DataFrame:
    """The conditions of `outcome` (reform, thermidor, consolidation) as a table, the ones no
    run met first."""
    table = pd.DataFrame(conditions(ts, sc)[outcome])
    never = table["runs"].str.startswith("0 of")
    return pd.concat([table[never], table[~never]], ignore_index=True)


def closures(paths: list[Path], outcomes: list[str]) -> dict[str, pd.DataFrame]:
    """`closing` for each of `outcomes` (reform, thermidor, consolidation) over the runs of the
    experiments at `paths` together, at the thresholds of the first one's scenario."""
    from thermidor.analysis.load import scenario_of
    from thermidor.experiments.handle import open_experiment

    frames, offset = [], 0
    for p in paths:
        ts = open_experiment(p).timeseries(COLUMNS)
        frames.append(ts.assign(run=ts["run"] + offset))
        offset += int(ts["run"].max()) + 1
    ts = pd.concat(frames, ignore_index=True)
    sc = scenario_of(Path(paths[0]))
    return {
        o: closing(ts, sc, o) for o in outcomes if o in ("reform", "thermidor", "consolidation")
    }
