"""The letter against the model: nine claims, each held against what the ensembles show.

Each claim is measured by a documented quantity with its interval, and graded:
  supported      the interval lies on the side the letter claims;
  reversed       the interval lies on the other side;
  not supported  the interval includes no effect (at this ensemble size and these parameters).
The verdicts hold for the model's assumptions only; the sensitivity analysis says which
parameters decide each. The model is not tuned to make any claim come out true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from thermidor.analysis.measures import at_week
from thermidor.analysis.stats import band, newcombe, wilson
from thermidor.model.observe import slug
from thermidor.scenario.schema import Scenario


@dataclass
class Ensemble:
    """The runs of one experiment as the analysis sees them."""

    name: str
    timeseries: pd.DataFrame  # one row a run-week, with a `run` column
    outcomes: pd.DataFrame  # one row a run: run, outcome, week, weeks_run
    horizon: int
    organisations: list[str]
    cells: pd.DataFrame | None = None
    scenario: Scenario | None = None  # the resolved scenario (its start, scale, what it sets)


@dataclass
class Claim:
    number: int
    quote: str
    measure: str
    needs: tuple[str, ...]  # the scenarios it compares
    evaluate: Callable[[dict[str, Ensemble]], tuple[float, float, float, str]]
    persons: bool = False  # its estimate counts agents: the report gives persons (agents / scale)


def _grade(low: float, high: float, claimed_positive: bool = True) -> str:
    if low > 0:
        return "supported" if claimed_positive else "reversed"
    if high < 0:
        return "reversed" if claimed_positive else "supported"
    return "not supported"


def _p_diff(a: Ensemble, b: Ensemble, outcome: str) -> tuple[float, float, float]:
    ka = int((a.outcomes["outcome"] == outcome).sum())
    kb = int((b.outcomes["outcome"] == outcome).sum())
    return newcombe(ka, len(a.outcomes), kb, len(b.outcomes))


def _bootstrap_diff(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Difference of means with a 95 % percentile bootstrap interval (2,000 resamples)."""
    rng = np.random.default_rng(seed)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if x.size == 0 or y.size == 0:
        return float("nan"), float("nan"), float("nan")
    boots = [rng.choice(x, x.size).mean() - rng.choice(y, y.size).mean() for _ in range(2000)]
    lo, hi = np.quantile(boots, [0.025, 0.975])
    return float(x.mean() - y.mean()), float(lo), float(hi)


def _open_outcome(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    o = e["1928"].outcomes["outcome"]
    top = o.value_counts().idxmax()
    p, lo, hi = wilson(int((o == top).sum()), len(o))
    # supported when even the likeliest outcome is clearly short of near-certainty (0.9)
    return p, lo, hi, _grade(0.9 - hi, 0.9 - lo)


def _participation(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    d, lo, hi = _p_diff(e["1928-all-reform"], e["1928-no-opposition"], "reform")
    return d, lo, hi, _grade(lo, hi)


def _sectarianism(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    d, lo, hi = _p_diff(e["1928-all-corpse"], e["1928-all-reform"], "Thermidor")
    return d, lo, hi, _grade(lo, hi)


def _soviet_ahead(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    ens = e["1928"]
    last = at_week(ens.timeseries, ens.horizon, ["institution_d", "functionary_d"])
    mid, lo, hi = band((last["institution_d"] - last["functionary_d"]).to_numpy())
    return mid, lo, hi, _grade(lo, hi)


def _duality_unstable(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    o = e["1928"].outcomes["outcome"]
    p, lo, hi = wilson(int((o != "duality open").sum()), len(o))
    # "sooner or later it must go one way or the other": most runs leave duality by the horizon
    return p, lo, hi, _grade(lo - 0.5, hi - 0.5)


def _organisation_strength(ens: Ensemble, org: str) -> np.ndarray:
    s = slug(org)
    last = at_week(ens.timeseries, ens.horizon, [f"{s}_credibility", f"{s}_in_party"])
    return last[f"{s}_credibility"].to_numpy()


def _manifesto_harm(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    a, b = e["1928-manifesto"], e["1928"]
    x = np.mean([_organisation_strength(a, o) for o in a.organisations], axis=0)
    y = np.mean([_organisation_strength(b, o) for o in b.organisations], axis=0)
    d, lo, hi = _bootstrap_diff(x, y)
    return d, lo, hi, _grade(lo, hi, claimed_positive=False)


def _campaign_mobilisation(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    ts = e["1928"].timeseries
    right = ts[ts["campaign_against_right"]].groupby("run")["worker_active"].mean()
    left = ts[ts["campaign_against_left"]].groupby("run")["worker_active"].mean()
    d, lo, hi = _bootstrap_diff(right.to_numpy(), left.to_numpy())
    return d, lo, hi, _grade(lo, hi)


def _bloc_alive(ens: Ensemble) -> tuple[int, int]:
    cols = [c for c in ens.timeseries.columns if c.endswith("_bloc")]
    last = at_week(ens.timeseries, ens.horizon, cols)
    formed = ens.timeseries.groupby("run")[cols].any().any(axis=1)
    alive = last.all(axis=1) & formed
    return int(alive.sum()), int(formed.sum())


def _delimitation(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    k1, n1 = _bloc_alive(e["1928-bloc-delimited"])
    k2, n2 = _bloc_alive(e["1928-bloc"])
    d, lo, hi = newcombe(k1, n1, k2, n2)
    return d, lo, hi, _grade(lo, hi)


def _shlyapnikov(e: dict[str, Ensemble]) -> tuple[float, float, float, str]:
    a, b = e["1928-all-corpse"], e["1928-all-reform"]
    x = at_week(a.timeseries, a.horizon, ["capitulated"])["capitulated"].to_numpy(dtype=float)
    y = at_week(b.timeseries, b.horizon, ["capitulated"])["capitulated"].to_numpy(dtype=float)
    d, lo, hi = _bootstrap_diff(x, y)
    return d, lo, hi, _grade(lo, hi)


CLAIMS = (
    Claim(1, "a developing, contradictory process, which can be concluded in any way or the "
          "other by virtue of the struggle of living forces",
          "probability of the likeliest outcome under 1928 (claim: clearly below 0.9)",
          ("1928",), _open_outcome),
    Claim(2, "Our participation in this struggle will have no small importance in determining "
          "its outcome",
          "P(reform) under 1928-all-reform minus under 1928-no-opposition",
          ("1928-all-reform", "1928-no-opposition"), _participation),
    Claim(3, "it would render the best service to the Right-Centrist tendencies, that is, in the "
          "long run, to bourgeois restoration",
          "P(Thermidor) under 1928-all-corpse minus under 1928-all-reform",
          ("1928-all-corpse", "1928-all-reform"), _sectarianism),
    Claim(4, "the degeneration of the Soviet apparatus is considerably more advanced, than the "
          "same process in the party apparatus",
          "d of the Soviet apparatus minus d of the party apparatus at the horizon (1928)",
          ("1928",), _soviet_ahead),
    Claim(5, "A state of duality of power is unstable, by its very essence. Sooner or later, it "
          "must go one way or the other",
          "share of 1928 runs that left duality by the horizon (claim: above one half)",
          ("1928",), _duality_unstable),
    Claim(6, "This manifesto, false in essence, has done the greatest harm to the Opposition",
          "the organisations' mean credibility at the horizon, 1928-manifesto minus 1928 "
          "(claim: negative)",
          ("1928-manifesto", "1928"), _manifesto_harm),
    Claim(7, "These workers who support the Centrists will enter the struggle against the Right "
          "much more readily than they did in the struggle against the Opposition",
          "worker members' active share in campaigns against the Right minus against the Left",
          ("1928",), _campaign_mobilisation),
    Claim(8, "If, however, the Democratic-Centralist group split away from us at the first "
          "clash, we ought not rush into new corridor-fusions",
          "P(bloc united at the horizon) with delimitation minus without",
          ("1928-bloc-delimited", "1928-bloc"), _delimitation),
    Claim(9, "The position of the Fifteen cannot but be passive ... and this will lead "
          "inevitably to the position of Shlyapnikov",
          "capitulators at the horizon, 1928-all-corpse minus 1928-all-reform",
          ("1928-all-corpse", "1928-all-reform"), _shlyapnikov, persons=True),
)  # fmt: skip


def hold_claims(experiments: dict[str, Ensemble]) -> pd.DataFrame:
    """Each claim with its estimate, 95 % (or 90 % band) interval and verdict; a claim whose
    scenarios were not run is listed as not evaluated."""
    rows = []
    for c in CLAIMS:
        missing = [n for n in c.needs if n not in experiments]
        if missing:
            est, lo, hi, verdict = float("nan"), float("nan"), float("nan"), "not evaluated"
        else:
            est, lo, hi, verdict = c.evaluate(experiments)
        rows.append(
            {
                "claim": c.number,
                "quote": c.quote,
                "measure": c.measure,
                "estimate": est,
                "low": lo,
                "high": hi,
                "verdict": verdict,
                "scenarios": ", ".join(c.needs),
                "persons": c.persons,
            }
        )
    return pd.DataFrame(rows)
