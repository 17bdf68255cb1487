"""1929-30 as output (issue 8, D): the turn, the wave of capitulations and the purge come from the
model, not from the timeline.

Runs of `1928` at scale 0.002 (about 2,700 persons) with S13 off, seeds 1-6, for 170 weeks: the
same seeds and draws every time (counter-based streams), so these are fixed-seed checks, with the
tolerance of the one statistical comparison derived from its Poisson counts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import thermidor
from thermidor.engine import simulate

SEEDS = range(1, 7)
SCALE = 0.002


def runs(*overrides: str, weeks: int = 170) -> list[pd.DataFrame]:
    sc = thermidor.load_scenario(
        "1928", ["outcome.enabled=false", *overrides], scale=SCALE, weeks=weeks
    )
    out = []
    for seed in SEEDS:
        ts = simulate(sc, seed=seed).timeseries.to_pandas()
        ts["date"] = pd.to_datetime(ts["date"])
        out.append(ts)
    return out


@pytest.fixture(scope="module")
def course() -> list[pd.DataFrame]:
    return runs()


def at(ts: pd.DataFrame, col: str, day: str) -> float:
    return float(ts.loc[ts["date"] <= day, col].iloc[-1])


def test_the_1929_turn_comes_from_the_procurement_crisis(course: list[pd.DataFrame]) -> None:
    """With grain0 = 0.7 (K12-K13) the line stands left of its start by more than 0.2 on
    1 October 1929 in every seed, and differs between seeds; without the crisis (grain0 = 1)
    no campaign against the Right starts in the first year and the line does not turn left."""
    sc = thermidor.load_scenario("1928")
    turned = np.array([at(ts, "line", "1929-10-01") for ts in course])
    assert (turned > sc.leadership.line0 + 0.2).all(), turned
    assert turned.std() > 0.005, "the line is the same in every seed"
    for ts in runs("classes.grain0=1.0", weeks=53):
        assert not ts["campaign_against_right"].any()
        assert ts["line"].max() < sc.leadership.line0 + 0.05


def test_capitulations_come_in_a_wave_after_the_turn(course: list[pd.DataFrame]) -> None:
    """Capitulations (model persons, summed over the seeds) in 1929, the year of the turn,
    exceed those of July 1930 - June 1931 by more than 2 standard errors of the difference
    (Poisson counts: SE = sqrt(a + b)); O12's wave of July 1929 is a test, not an input."""
    a = b = 0.0
    for ts in course:
        c = ts["capitulations"] * SCALE
        a += c[(ts["date"] >= "1929-01-01") & (ts["date"] < "1930-01-01")].sum()
        b += c[(ts["date"] >= "1930-07-01") & (ts["date"] < "1931-07-01")].sum()
    assert a - b > 2.0 * math.sqrt(a + b), (a, b)


def test_the_apparatus_declares_a_purge_in_1929(course: list[pd.DataFrame]) -> None:
    """No purge is typed into `1928`; S10 declares one by the end of 1929 in every seed (P02-P03:
    the purge of 1929-30) and it expels members. The month (April 1929 in the record) is a target
    of the calibration, not of this uncalibrated check: the merged model declares it between
    December 1928 and the summer of 1929."""
    for ts in course:
        running = ts.loc[ts["purge_rate"] > 0, "date"]
        assert not running.empty
        assert running.iloc[0] < pd.Timestamp("1930-01-01")
        assert ts["purged"].sum() > 0


def test_exile_is_the_policy_for_arrested_cadres(course: list[pd.DataFrame]) -> None:
    """S9 exiles new cadres in the first years (not only the initial exiles decaying)."""
    for ts in course:
        assert ts.loc[ts["date"] < "1930-01-01", "exiles_new"].sum() > 0
