"""The seven answers (docs/design.md): each question measured, graded and uncertain.

For one run or many: every measure is given across runs as the median and the 90 % interval,
at the start, after one and three years and at the horizon, with its breakdown by cell kind and
stratum. The letter refuses yes or no; so do these answers: quantities, never verdicts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thermidor.analysis.measures import (
    DRIVERS,
    WEEKS_PER_YEAR,
    at_week,
    blocs,
    time_points,
    zigzags,
)
from thermidor.analysis.stats import band, cumulative_incidence, hazard_by_year, wilson
from thermidor.engine import Result
from thermidor.model.state import KINDS, OUTCOMES, STRATA

QUESTIONS = {
    "Q1": "Has the party degenerated? That is the first question.",
    "Q2": "Is the degeneration of the apparatus and of the Soviet power a fact? That is the "
    "second question.",
    "Q3": "Do we still have a dictatorship of the working class? And who possesses the hegemony "
    "in the party and in the country? That is the third question.",
    "Q4": "Are you thus putting entirely within quotation marks 'the Left course' and the "
    "'shift' that you once proposed to support with all forces and all means?",
    "Q5": "Is it still possible to entertain illusions about the ability to defend the interests "
    "of the revolution and of the working class? That is the fifth question.",
    "Q6": "Is not all this the Thermidor with the dry guillotine? That is the sixth question.",
    "Q7": "Is it not time to terminate the petty quarrel? Is it not time to ponder the "
    "consolidation of the forces of the Bolshevik guard? That is the seventh and last question.",
}

# (question, column, what it measures)
MEASURES = (
    ("Q1", "cells_degenerated", "share of cells entirely degenerated"),
    ("Q1", "cells_amorphous", "share of cells still healthy but amorphous"),
    ("Q1", "cells_healthy", "share of cells hardly affected"),
    ("Q1", "gap", "hidden-versus-public gap |x - y| of members"),
    ("Q2", "institution_d", "degeneration of the Soviet apparatus (members in institutions)"),
    ("Q2", "functionary_d", "degeneration of the party apparatus (functionaries)"),
    ("Q3", "pi", "the proletariat's share of power, pi"),
    ("Q3", "beta", "the bureaucracy's autonomy, beta"),
    ("Q3", "left_top", "Left delegates one level below the Central Committee"),
    ("Q4", "line", "the Centre's line (-1 proprietor, +1 proletarian)"),
    ("Q4", "regime", "the regime of repression"),
    ("Q5", "q5_moved_left", "worker members trusting the Centre at the start who moved left"),
    ("Q5", "q5_left", "worker members trusting the Centre at the start, privately on the Left"),
    ("Q5", "kernel_left_active", "worker members active and privately on the Left"),
    ("Q6", "expelled", "persons expelled"),
    ("Q6", "exiled", "persons in exile"),
    ("Q6", "capitulated", "capitulators back in the party"),
)
BREAKDOWN_METRICS = ("d", "active", "gap")


def _course(ts: pd.DataFrame, column: str, points: dict[str, int]) -> dict[str, list[float]]:
    return {
        name: list(band(at_week(ts, w, [column])[column].to_numpy())) for name, w in points.items()
    }


def _breakdown(ts: pd.DataFrame, horizon: int) -> dict[str, dict[str, list[float]]]:
    last = at_week(ts, horizon, [f"{g}_{m}" for g in (*KINDS, *STRATA) for m in BREAKDOWN_METRICS])
    return {
        f"{g}": {m: list(band(last[f"{g}_{m}"].to_numpy())) for m in BREAKDOWN_METRICS}
        for g in (*KINDS, *STRATA)
    }


def seven_answers(
    ts: pd.DataFrame, outcomes: pd.DataFrame, horizon: int, passive: pd.DataFrame | None = None
) -> dict:
    """The seven answers across the runs of `ts` (time series) and `outcomes` (one row a run).
    `passive`: the time series of the matched passive runs (`ensemble --matched`), which makes
    Q5 a counterfactual difference paired by run (`q5_matched`)."""
    points = time_points(horizon)
    runs = len(outcomes)
    out: dict = {
        q: {"question": text, "measures": [], "runs": runs} for q, text in QUESTIONS.items()
    }
    for q, column, label in MEASURES:
        out[q]["measures"].append(
            {"column": column, "label": label, "course": _course(ts, column, points)}
        )
    breakdown = _breakdown(ts, horizon)
    out["Q1"]["breakdown"] = breakdown
    out["Q2"]["breakdown"] = {k: breakdown[k] for k in ("institution", "functionary")}

    counts = outcomes["outcome"].value_counts()
    shares = {o: list(wilson(int(counts.get(o, 0)), runs)) for o in OUTCOMES}
    out["Q3"]["outcomes"] = shares
    holders = at_week(ts, horizon, ["cc_holder"])["cc_holder"].value_counts()
    out["Q3"]["cc_holder"] = {
        h: list(wilson(int(holders.get(h, 0)), runs)) for h in ("Left", "Centre", "Right")
    }
    out["Q2"]["kernel_prevails"] = shares["reform"]
    if passive is not None and "q5_left" in ts and "q5_left" in passive:
        out["Q5"]["matched"] = q5_matched(ts, passive, horizon)

    z = zigzags(ts)
    years_run = outcomes.set_index("run")["weeks_run"].clip(lower=1) / WEEKS_PER_YEAR
    out["Q4"]["zigzags"] = {}
    for d in ("left", "right"):
        zd = z[z.direction == d]
        counts = zd.groupby("run").size().reindex(years_run.index, fill_value=0)
        out["Q4"]["zigzags"][d] = {
            "per_year": list(band((counts / years_run).to_numpy())),  # by each run's own length
            "weeks": list(band(zd["weeks"].to_numpy())),
            "size": list(band(zd["size"].to_numpy())),
            "drivers": {
                k: float((zd["driver"] == k).mean()) if len(zd) else float("nan") for k in DRIVERS
            },
        }

    week = outcomes["week"].fillna(-1).to_numpy(dtype=int)
    thermidor = (outcomes["outcome"] == "Thermidor").to_numpy()
    weeks_run = outcomes["weeks_run"].to_numpy(dtype=int)
    n_years = max(1, int(np.ceil(horizon / WEEKS_PER_YEAR)))
    ci = cumulative_incidence(week, thermidor, weeks_run, horizon)
    out["Q6"]["thermidor"] = {
        "probability": shares["Thermidor"],
        "hazard_by_year": [float(h) for h in hazard_by_year(week, thermidor, weeks_run, n_years)],
        "cumulative_by_year": [
            float(ci[min(horizon, round((y + 1) * WEEKS_PER_YEAR))]) for y in range(n_years)
        ],
    }

    b = blocs(ts)
    out["Q7"]["blocs"] = (
        {
            "formed_in_runs": int(b["run"].nunique()),
            "alive_at_end": list(
                wilson(int(b.groupby("run")["alive_at_end"].all().sum()), int(b["run"].nunique()))
            ),
            "weeks_united": list(band(b["weeks_united"].to_numpy())),
        }
        if len(b)
        else None
    )
    return out


def q5_matched(ts: pd.DataFrame, passive: pd.DataFrame, horizon: int) -> dict:
    """Q5 against the counterfactual (principle 10): for each run, the cohort's share
    privately on the Left (`q5_left`) at the horizon minus the same share in its matched passive
    run (same seed, every organisation `active = false`; runs paired by their `run` index), with
    the mean over runs and its standard error."""
    run = at_week(ts, horizon, ["q5_left"])["q5_left"]
    base = at_week(passive, horizon, ["q5_left"])["q5_left"]
    common = run.index.intersection(base.index)
    d = (run[common] - base[common]).to_numpy(dtype=float)
    se = float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")
    return {
        "q5": float(d.mean()) if d.size else float("nan"),
        "se": se,
        "runs": int(d.size),
        "per_run": [float(v) for v in d],
    }


def one_line(answers: dict, q: str, scale: float | None = None) -> str:
    """A graded one-line answer: the value at the horizon (over several runs: the median and the
    90 % interval, and shares of runs with their 95 % Wilson intervals). With the scenario's
    `scale`, counts of agents are given as real persons (agents / scale, three figures)."""
    a = answers[q]
    single = a["runs"] == 1
    ms = {m["column"]: m for m in a["measures"]}

    def val(column: str, point: str = "horizon", digits: int = 2) -> str:
        mid, lo, hi = ms[column]["course"][point]
        return (
            f"{mid:.{digits}f}"
            if single
            else f"{mid:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
        )

    def share(p: list[float]) -> str:
        if single:
            return "yes" if p[0] == 1 else "no"
        return f"{p[0]:.0%} [{p[1]:.0%}, {p[2]:.0%}]"

    runs = "" if single else " of runs"

    def val_band(v: list[float]) -> str:
        return f"{v[0]:.0f} [{v[1]:.0f}, {v[2]:.0f}]"

    if q == "Q1":
        return (
            f"cells entirely degenerated {val('cells_degenerated')}, healthy but amorphous "
            f"{val('cells_amorphous')}, hardly affected {val('cells_healthy')}; "
            f"hidden-versus-public gap {val('gap', digits=3)}"
        )
    if q == "Q2":
        return (
            f"d of the Soviet apparatus {val('institution_d')} against the party apparatus "
            f"{val('functionary_d')} (start {val('institution_d', 'start')} / "
            f"{val('functionary_d', 'start')}); the kernel prevailed (reform): "
            f"{share(a['kernel_prevails'])}{runs}"
        )
    if q == "Q3":
        cc = max(a["cc_holder"], key=lambda h: a["cc_holder"][h][0])
        held = "" if single else f" in {share(a['cc_holder'][cc])} of runs"
        return (
            f"pi {val('pi')} (start {val('pi', 'start')}), beta {val('beta')}; "
            f"the Central Committee is held by the {cc}{held}"
        )
    if q == "Q4":
        z = a["zigzags"]
        return (
            f"line {val('line', 'start')} -> {val('line')}; {z['left']['per_year'][0]:.2f} left "
            f"and {z['right']['per_year'][0]:.2f} right zig-zags a year (median)"
        )
    if q == "Q5":
        if "matched" in a:
            m = a["matched"]
            return (
                f"against the same runs with the opposition passive, {m['q5']:+.4f} "
                f"(SE {m['se']:.4f}, {m['runs']} paired runs) of the worker members who trusted "
                "the Centre are privately on the Left"
            )
        return (
            f"{val('q5_left')} of the worker members who trusted the Centre are privately on the "
            "Left (Q5 as an effect needs the matched passive runs: `ensemble --matched`)"
        )

    def count(column: str) -> str:
        if scale is None:
            return val(column, digits=0)
        mid, lo, hi = (_persons(v, scale) for v in ms[column]["course"]["horizon"])
        return f"{mid} persons" if single else f"{mid} [{lo}, {hi}] persons"

    if q == "Q6":
        outcomes = answers["Q3"]["outcomes"]
        thermidor = (
            f"outcome: {max(outcomes, key=lambda o: outcomes[o][0])}"
            if single
            else f"Thermidor in {share(a['thermidor']['probability'])} of runs"
        )
        return (
            f"{thermidor}; expelled {count('expelled')}, exiled {count('exiled')}, "
            f"capitulated {count('capitulated')}"
        )
    b = a["blocs"]
    if b is None:
        return "no bloc formed (a scenario with [[blocs]] measures their durability)"
    if single:
        return (
            f"a bloc formed; united at the end: {share(b['alive_at_end'])}; "
            f"weeks united {b['weeks_united'][0]:.0f}"
        )
    return (
        f"a bloc formed in {b['formed_in_runs']} runs; still united at the end in "
        f"{share(b['alive_at_end'])}; weeks united {val_band(b['weeks_united'])}"
    )


def _persons(agents: float, scale: float) -> str:
    """Agents as real persons, three significant figures, thousands separated."""
    if np.isnan(agents):
        return "-"
    p = agents / scale
    if p == 0:
        return "0"
    return f"{round(p, 2 - int(np.floor(np.log10(abs(p))))):,.0f}"


def run_answers(result: Result) -> dict:
    """The seven answers for one run (a `Result` of `simulate`)."""
    ts = result.timeseries.to_pandas().assign(run=0)
    o = result.outcome
    outcomes = pd.DataFrame(
        [{"run": 0, "outcome": o["outcome"], "week": o["week"], "weeks_run": o["weeks_run"]}]
    )
    return seven_answers(ts, outcomes, int(ts["week"].max()))


def blocs_line(named: dict[str, pd.DataFrame]) -> str | None:
    """Q7 across experiments: each one's share of blocs united at the end (95 % Wilson)."""
    parts = []
    for name, ts in named.items():
        b = blocs(ts)
        if len(b):
            n = int(b["run"].nunique())
            p = wilson(int(b.groupby("run")["alive_at_end"].all().sum()), n)
            parts.append(f"{name}: united at the end in {p[0]:.0%} [{p[1]:.0%}, {p[2]:.0%}] of {n}")
    return "; ".join(parts) or None
