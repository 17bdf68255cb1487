"""Each outcome's probability as a curve over its threshold, from the stored runs (no rerun).

Principle 7: "a threshold is stated against the model's own quantities, and the outcome's
probability is reported as a curve over it." S13 only ends a run: nothing else reads the
outcome, so up to the week a run ended its stored weekly rows are what any threshold would have
seen. For a threshold value, S13's three rules are replayed on those rows (the other outcomes'
thresholds kept at the scenario's values):

    Thermidor     while pi < thermidor_pi, when u_w < 1 - exp(-thermidor_hazard (1 - pi /
                  thermidor_pi) K (1 + right_weight right_share)); u_w is the week's draw,
                  recomputed from the run's seed (streams.uniform(key, w, THERMIDOR, 0, 0))
    reform        cc_holder = Left, pi >= reform_pi, functionary_d <= reform_d
    consolidation beta >= beta_star0 + consolidation_margin (beta_star at week 1) for
                  consolidation_weeks weeks running (or >= consolidation_beta if given)

The first rule to fire (in that order within a week) is the run's outcome. Censoring: a run that
ended in week w_end < horizon by its own outcome, and in which no rule fires by w_end at the new
threshold, is censored (its rows after w_end were never computed): `p` counts it as not reaching
the outcome, `p_high` as reaching it, and `censored` gives their share. At the scenario's own
thresholds the replay gives back every stored outcome (tests/test_thresholds.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from thermidor.analysis.load import kind_of, scenario_of
from thermidor.experiments.handle import open_experiment
from thermidor.experiments.plan import run_seed
from thermidor.model import streams
from thermidor.scenario.schema import Scenario

COLUMNS = ("run", "week", "pi", "beta", "beta_star", "K", "right_share", "cc_holder",
           "functionary_d")  # fmt: skip
RULES = ("Thermidor", "reform", "bureaucratic consolidation")
# the threshold each curve varies, and its grid
GRIDS = {
    "Thermidor": ("outcome.thermidor_pi", np.round(np.arange(0.0, 0.5001, 0.05), 3)),
    "reform": ("outcome.reform_pi", np.round(np.arange(0.5, 1.0001, 0.05), 3)),
    "bureaucratic consolidation": (
        "outcome.consolidation_margin",
        np.round(np.arange(-0.05, 0.2001, 0.025), 3),
    ),
}
NEVER = np.iinfo(np.int64).max


def _first(mask: np.ndarray, weeks: np.ndarray) -> int:
    hits = np.flatnonzero(mask)
    return int(weeks[hits[0]]) if hits.size else NEVER


def _first_run(mask: np.ndarray, length: int, weeks: np.ndarray) -> int:
    """The first week ending `length` weeks running with the mask true (S13's
    beta_high_weeks reaching `length`)."""
    c = np.concatenate([[0], np.cumsum(mask)])
    if length > mask.size:
        return NEVER
    window = c[length:] - c[:-length]  # window[i]: trues in weeks i .. i + length - 1
    return _first(window == length, weeks[length - 1 :])


class Run:
    """One run's weeks (>= 1) as S13 read them, with its Thermidor draws."""

    def __init__(self, rows: pd.DataFrame, key: int) -> None:
        r = rows[rows.week >= 1].sort_values("week")
        self.week = r.week.to_numpy()
        self.last = int(rows.week.max())
        self.pi, self.K, self.right = r.pi.to_numpy(), r.K.to_numpy(), r.right_share.to_numpy()
        self.beta, self.d = r.beta.to_numpy(), r.functionary_d.to_numpy()
        self.left_cc = r.cc_holder.to_numpy() == "Left"
        self.beta_star0 = float(r.beta_star.iloc[0]) if len(r) else np.nan
        self.u = np.array(
            [streams.uniform(np.uint64(key), int(x), streams.THERMIDOR, 0, 0) for x in self.week]
        )


def fire_weeks(run: Run, sc: Scenario, values: dict[str, float]) -> list[int]:
    """The first week each of S13's rules fires along the run, with the outcome parameters of
    `sc` replaced by `values` (e.g. {"thermidor_pi": 0.3})."""
    o = sc.outcome.model_copy(update=values)
    w, pi = run.week, run.pi
    fires = [NEVER]
    if o.thermidor_pi > 0.0:
        rate = (
            o.thermidor_hazard
            * (1 - pi / o.thermidor_pi)
            * run.K
            * (1 + o.right_weight * run.right)
        )
        fires[0] = _first((pi < o.thermidor_pi) & (run.u < 1.0 - np.exp(-rate)), w)
    fires.append(_first(run.left_cc & (pi >= o.reform_pi) & (run.d <= o.reform_d), w))
    if o.consolidation_beta is not None:
        level = o.consolidation_beta
    elif sc.power.enabled:
        level = run.beta_star0 + o.consolidation_margin
    else:
        level = np.nan  # S12 off: no passive equilibrium, no consolidation (as in S13)
    fires.append(_first_run(run.beta >= level, o.consolidation_weeks, w))
    return fires


def replay(run: Run, sc: Scenario, values: dict[str, float]) -> str | None:
    """The run's outcome at these thresholds: an outcome, "duality open", or None if censored."""
    fires = fire_weeks(run, sc, values)
    first = min(fires)
    if first != NEVER:
        return RULES[fires.index(first)]
    return "duality open" if run.last >= sc.weeks else None


def stream_keys(path: Path) -> dict[int, int]:
    """Each run's stream key, from its seed (a run's outcome.json, or root seed and run)."""
    if kind_of(path) == "run":
        seed = json.loads((path / "outcome.json").read_text())["seed"]
        if isinstance(seed, dict):
            seed = np.random.SeedSequence(seed["entropy"], spawn_key=tuple(seed["spawn_key"]))
        return {0: int(streams.stream_key(seed))}
    runs = open_experiment(path).runs(["run", "root_seed"])
    return {
        int(r.run): int(streams.stream_key(run_seed(int(r.root_seed), int(r.run))))
        for r in runs.itertuples()
    }


def rows(path: Path) -> pd.DataFrame:
    """The weekly rows S13 reads, every run of a run or experiment directory."""
    if kind_of(path) == "run":
        return pd.read_parquet(path / "timeseries.parquet", columns=list(COLUMNS[1:])).assign(run=0)
    return open_experiment(path).timeseries(list(COLUMNS))


def curves(path: str | Path, grids: dict | None = None) -> pd.DataFrame:
    """Tidy: one row per (outcome, threshold value): outcome, parameter, threshold, default
    (the scenario's value), runs, p (censored runs counted as not reaching it), p_high (as
    reaching it), censored (share of runs). `grids`: {outcome: (parameter, values)}, by
    default `GRIDS` (with an absolute `consolidation_beta` in the scenario, its grid instead)."""
    path = Path(path)
    sc = scenario_of(path)
    keys = stream_keys(path)
    ts = rows(path)
    runs = [Run(g, keys[int(r)]) for r, g in ts.groupby("run")]
    given, grids = grids is not None, dict(grids or GRIDS)
    if sc.outcome.consolidation_beta is not None and not given:  # an absolute level
        grids["bureaucratic consolidation"] = (
            "outcome.consolidation_beta",
            np.round(np.arange(0.5, 1.0001, 0.05), 3),
        )
    out = []
    for outcome, (parameter, grid) in grids.items():
        name = parameter.split(".")[1]
        default = getattr(sc.outcome, name)
        for t in grid:
            got = [replay(run, sc, {name: float(t)}) for run in runs]
            n = len(got)
            hit = sum(g == outcome for g in got)
            censored = sum(g is None for g in got)
            out.append(
                {
                    "outcome": outcome,
                    "parameter": parameter,
                    "threshold": float(t),
                    "default": default,
                    "runs": n,
                    "p": hit / n if n else np.nan,
                    "p_high": (hit + censored) / n if n else np.nan,
                    "censored": censored / n if n else np.nan,
                }
            )
    return pd.DataFrame(out)


def table_lines(df: pd.DataFrame) -> list[str]:
    """Plain lines for the terminal: per outcome, P over its threshold (p_high if censored)."""
    lines = []
    for (outcome, parameter), g in df.groupby(["outcome", "parameter"], sort=False):
        default = g["default"].iloc[0]
        cells = [
            f"{t:g}: {p:.2f}" + (f"-{ph:.2f}" if ph > p else "")
            for t, p, ph in zip(g.threshold, g.p, g.p_high, strict=True)
        ]
        lines.append(f"P({outcome}) over {parameter} (default {default}): " + ", ".join(cells))
    return lines
