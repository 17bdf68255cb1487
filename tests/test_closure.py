"""What closes an outcome: S13's conditions counted on a hand-made time series."""

from __future__ import annotations

import pandas as pd

import thermidor
from thermidor.analysis.closure import closing, conditions
from thermidor.experiments.plan import with_values


def _series() -> pd.DataFrame:
    """Two runs of four weeks (week 0 is the initial state, before S12 sets beta*)."""
    return pd.DataFrame(
        {
            "run": [0] * 4 + [1] * 4,
            "week": [0, 1, 2, 3] * 2,
            "cc_holder": [
                "Centre",
                "Centre",
                "Left",
                "Left",
                "Centre",
                "Centre",
                "Centre",
                "Centre",
            ],
            "left_top": [0.0, 0.2, 0.7, 0.8, 0.0, 0.1, 0.3, 1e-30],
            "pi": [0.5, 0.8, 0.7, 0.9, 0.5, 0.2, 0.3, 0.1],
            "beta": [0.5, 0.60, 0.66, 0.66, 0.5, 0.70, 0.71, 0.5],
            "beta_star": [0.0, 0.60, 0.9, 0.9, 0.0, 0.64, 0.1, 0.1],
            "functionary_d": [0.4, 0.35, 0.25, 0.31, 0.4, 0.5, 0.45, 0.6],
        }
    )


def test_each_condition_counted_by_hand() -> None:
    sc = thermidor.load_scenario("tiny")
    values = {
        "outcome.reform_pi": 0.75,
        "outcome.reform_d": 0.3,
        "outcome.thermidor_pi": 0.25,
        "outcome.consolidation_margin": 0.05,
        "outcome.consolidation_weeks": 2,
        "outcome.consolidation_beta": None,
    }
    sc = with_values(sc, values)
    c = conditions(_series(), sc)
    left, pi, d, two = c["reform"]
    # the Left holds the CC in run 0's weeks 2 and 3 only: 1 run, 2 of 8 run-weeks
    assert left["runs"] == "1 of 2" and left["share of run-weeks"] == 2 / 8
    assert left["nearest (best run)"].startswith("0.8 ")
    assert left["nearest (median run)"].startswith("0.55 ")  # median of 0.8 and 0.3
    # pi >= 0.75: run 0's weeks 1 and 3
    assert pi["runs"] == "1 of 2" and pi["share of run-weeks"] == 2 / 8
    assert pi["nearest (best run)"].startswith("0.9 ")
    # d_app <= 0.3: run 0's week 2 only; lowest d_app 0.25 (run 0), 0.4 (run 1)
    assert d["runs"] == "1 of 2" and d["share of run-weeks"] == 1 / 8
    assert d["nearest (best run)"].startswith("0.25 ")
    # two of three at once: run 0's week 2 (Left, d) and week 3 (Left, pi); never all three
    assert two["runs"] == "1 of 2" and two["share of run-weeks"] == 2 / 8
    assert two["nearest (best run)"].startswith("2 ")
    (low,) = c["thermidor"]  # pi < 0.25: run 1's weeks 1 and 3
    assert low["runs"] == "1 of 2" and low["share of run-weeks"] == 2 / 8
    assert low["nearest (best run)"].startswith("0.1 ")
    above, weeks = c["consolidation"]
    # level = the week-1 beta* + 0.05: run 0 0.65 (beta 0.66 in weeks 2-3: two weeks running),
    # run 1 0.69 (beta 0.70, 0.71 in weeks 1-2: two weeks running, not week 3)
    assert above["runs"] == "2 of 2" and above["share of run-weeks"] == 4 / 8
    assert weeks["runs"] == "2 of 2" and weeks["share of run-weeks"] == 2 / 8
    assert weeks["nearest (best run)"].startswith("2 ")
    sc3 = with_values(sc, {"outcome.consolidation_weeks": 3})
    assert conditions(_series(), sc3)["consolidation"][1]["runs"] == "0 of 2"


def test_the_conditions_no_run_met_come_first() -> None:
    sc = with_values(thermidor.load_scenario("tiny"), {"outcome.reform_pi": 0.95})
    table = closing(_series(), sc, "reform")
    assert table["condition"].iloc[0] == "pi >= reform_pi = 0.95"
    assert table["runs"].iloc[0] == "0 of 2"
    ts = _series().assign(left_top=0.0, cc_holder="Centre")
    first = closing(ts, sc, "reform").iloc[0]
    assert first["condition"] == "the Left holds the CC"
    assert first["nearest (best run)"].startswith("0 ")
