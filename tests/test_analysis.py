"""The analysis on synthetic experiments whose true values are known (docs/design.md).

Every frame here is built by hand: a time series with a `run` column and an outcomes frame
(run, outcome, week, weeks_run), as the store gives them. The intervals are checked against
published values (Wilson 1927, Newcombe 1998) and their coverage by simulation with fixed seeds;
the estimators (quantile bands, Aalen-Johansen incidence, yearly hazard) against hand
computations; the seven answers, the comparison and the claims' verdicts against the values the
synthetic runs were built to have.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from thermidor.analysis import claims
from thermidor.analysis.claims import CLAIMS, Ensemble, _bootstrap_diff, _grade, hold_claims
from thermidor.analysis.compare import incidence, outcome_table
from thermidor.analysis.measures import at_week, blocs, time_points, zigzags
from thermidor.analysis.seven import (
    BREAKDOWN_METRICS,
    MEASURES,
    QUESTIONS,
    one_line,
    seven_answers,
)
from thermidor.analysis.stats import (
    Z95,
    band,
    cumulative_incidence,
    hazard_by_year,
    kaplan_meier,
    newcombe,
    wilson,
)
from thermidor.model.state import KINDS, OUTCOMES, STRATA

YEAR = 52.1775
ORGS = ("Left Opposition", "Democratic Centralists")
SLUGS = ("left_opposition", "democratic_centralists")


# --------------------------------------------------------------------------- intervals


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        # Newcombe (1998a), Statistics in Medicine 17, 857, Table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_textbook_values(k: int, n: int, low: float, high: float) -> None:
    p, lo, hi = wilson(k, n)
    assert p == k / n
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_closed_forms_and_edges() -> None:
    z2 = Z95**2
    # k = 0 and k = n have closed forms: [0, z^2/(n+z^2)] and [n/(n+z^2), 1]
    for n in (1, 7, 40, 1000):
        assert wilson(0, n)[1:] == pytest.approx((0.0, z2 / (n + z2)), abs=1e-12)
        assert wilson(n, n)[1:] == pytest.approx((n / (n + z2), 1.0), abs=1e-12)
        # symmetric: k and n - k mirror around 1/2
        k = n // 3
        _, lo, hi = wilson(k, n)
        _, lo2, hi2 = wilson(n - k, n)
        assert (lo, hi) == pytest.approx((1 - hi2, 1 - lo2), abs=1e-12)
    p, lo, hi = wilson(0, 0)
    assert math.isnan(p) and (lo, hi) == (0.0, 1.0)
    # a wider z gives a wider interval that still contains the estimate
    _, l90, h90 = wilson(3, 12, z=1.6449)
    _, l95, h95 = wilson(3, 12)
    assert l95 < l90 < 0.25 < h90 < h95


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2", "low", "high"),
    [
        # Newcombe (1998b), Statistics in Medicine 17, 873, Table II, method 10 (hybrid score)
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0),
        (10, 10, 0, 10, 0.6075, 1.0),
    ],
)
def test_newcombe_textbook_values(
    k1: int, n1: int, k2: int, n2: int, low: float, high: float
) -> None:
    d, lo, hi = newcombe(k1, n1, k2, n2)
    assert d == pytest.approx(k1 / n1 - k2 / n2, abs=1e-12)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_newcombe_antisymmetric_and_empty() -> None:
    d, lo, hi = newcombe(7, 20, 12, 25)
    d2, lo2, hi2 = newcombe(12, 25, 7, 20)
    assert (d, lo, hi) == pytest.approx((-d2, -hi2, -lo2), abs=1e-12)
    d, lo, hi = newcombe(3, 0, 2, 5)
    assert math.isnan(d) and (lo, hi) == (-1.0, 1.0)


def _pmf(n: int, p: float) -> np.ndarray:
    return np.array([math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)])


@pytest.mark.parametrize(("n", "p"), [(50, 0.3), (40, 0.5), (100, 0.1), (30, 0.2)])
def test_wilson_coverage_by_simulation(n: int, p: float) -> None:
    intervals = np.array([wilson(k, n)[1:] for k in range(n + 1)])
    covers = (intervals[:, 0] <= p) & (p <= intervals[:, 1])
    exact = float(_pmf(n, p) @ covers)
    draws = 4000
    k = np.random.default_rng(20240517 + n).binomial(n, p, draws)
    simulated = covers[k].mean()
    # the share of M = 4000 Bernoulli(exact) draws has SE sqrt(c (1-c) / M) <= 0.0035 at c ~ 0.95;
    # 4 SE is a false-alarm rate below 1e-4
    se = math.sqrt(exact * (1 - exact) / draws)
    assert abs(simulated - exact) < 4 * se
    # Wilson's coverage oscillates with n and p a point or two around nominal (Newcombe 1998a);
    # "about 95 %": within 2 points, plus the sampling error for the simulated share
    assert abs(exact - 0.95) < 0.02
    assert abs(simulated - 0.95) < 0.02 + 4 * se


def test_newcombe_coverage_by_simulation() -> None:
    n1, p1, n2, p2 = 40, 0.4, 30, 0.25
    table = np.array([[newcombe(a, n1, b, n2)[1:] for b in range(n2 + 1)] for a in range(n1 + 1)])
    covers = (table[..., 0] <= p1 - p2) & (p1 - p2 <= table[..., 1])
    exact = float(_pmf(n1, p1) @ covers @ _pmf(n2, p2))
    draws = 4000
    rng = np.random.default_rng(1998)
    a, b = rng.binomial(n1, p1, draws), rng.binomial(n2, p2, draws)
    simulated = covers[a, b].mean()
    se = math.sqrt(exact * (1 - exact) / draws)  # binomial SE of the simulated share, ~0.0035
    assert abs(simulated - exact) < 4 * se
    assert abs(exact - 0.95) < 0.02  # method 10 stays near nominal (Newcombe 1998b)
    assert abs(simulated - 0.95) < 0.02 + 4 * se


# --------------------------------------------------------------------------- band


def test_band_median_and_quantiles() -> None:
    v = np.arange(101, dtype=float)  # 0..100: quantiles are exact
    assert band(v) == pytest.approx((50.0, 5.0, 95.0))
    assert band(v, level=0.5) == pytest.approx((50.0, 25.0, 75.0))
    rng = np.random.default_rng(3)
    shuffled = rng.permutation(np.r_[v, [np.nan, np.nan]])  # order and NaNs do not matter
    assert band(shuffled) == pytest.approx((50.0, 5.0, 95.0))
    # linear interpolation between order statistics: 21 values, 5 % at position 1
    w = np.linspace(0, 1, 21) ** 2
    assert band(w) == pytest.approx((0.25, 0.0025, 0.9025))
    assert band(np.array([4.0])) == (4.0, 4.0, 4.0)
    assert all(math.isnan(x) for x in band(np.array([np.nan])))
    assert all(math.isnan(x) for x in band(np.array([])))


# --------------------------------------------------------------------------- incidence, hazard


def test_cumulative_incidence_by_hand_with_competing_outcomes_and_censoring() -> None:
    # 10 runs, horizon 10. Thermidor at 2 and 6, reform at 3, one run censored (open) after 4
    # weeks, six runs open to the horizon.
    event_week = np.array([2, 3, -1, 6, -1, -1, -1, -1, -1, -1])
    thermidor = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0], bool)
    reform = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0], bool)
    weeks_run = np.array([2, 3, 4, 6, 10, 10, 10, 10, 10, 10])
    ci = cumulative_incidence(event_week, thermidor, weeks_run, 10)
    # Aalen-Johansen by hand: t=2: 10 at risk, 1 Thermidor -> 1/10, S = 9/10;
    # t=3: 9 at risk, a reform -> S = 8/10; t=4: the censored run leaves after t=4;
    # t=6: 7 at risk -> + (8/10)(1/7)
    expected = np.zeros(11)
    expected[2:] = 0.1
    expected[6:] = 0.1 + 0.8 / 7
    np.testing.assert_allclose(ci, expected, atol=1e-12)
    ci_reform = cumulative_incidence(event_week, reform, weeks_run, 10)
    expected_reform = np.zeros(11)
    expected_reform[3:] = 0.9 / 9
    np.testing.assert_allclose(ci_reform, expected_reform, atol=1e-12)
    # the plain share would be biased: 2/10 at the horizon instead of 0.214
    assert ci[-1] > thermidor.mean()


def test_cumulative_incidence_sums_to_one_minus_survival() -> None:
    rng = np.random.default_rng(11)
    n, horizon = 300, 60
    ended = rng.random(n) < 0.5
    event_week = np.where(ended, rng.integers(1, horizon + 1, n), -1)
    cause = rng.integers(1, 4, n)  # three competing outcomes
    weeks_run = np.where(ended, event_week, rng.choice([20, 35, horizon], n))  # censored runs
    total = sum(
        cumulative_incidence(event_week, ended & (cause == c), weeks_run, horizon)
        for c in (1, 2, 3)
    )
    # Kaplan-Meier of any outcome, computed here on its own
    end = np.where(ended, event_week, weeks_run)
    surv, km = 1.0, []
    for t in range(horizon + 1):
        at_risk = (end >= t).sum()
        surv *= 1 - (ended & (event_week == t)).sum() / at_risk
        km.append(surv)
    np.testing.assert_allclose(total, 1 - np.array(km), atol=1e-12)


def test_cumulative_incidence_is_the_plain_share_without_censoring() -> None:
    rng = np.random.default_rng(12)
    n, horizon = 200, 52
    ended = rng.random(n) < 0.6
    event_week = np.where(ended, rng.integers(1, horizon + 1, n), -1)
    event = ended & (rng.random(n) < 0.5)
    weeks_run = np.where(ended, event_week, horizon)
    ci = cumulative_incidence(event_week, event, weeks_run, horizon)
    share = [np.mean(event & (event_week <= t)) for t in range(horizon + 1)]
    np.testing.assert_allclose(ci, share, atol=1e-12)
    # and when every run has ended before the horizon the curve stays at its last value
    all_ended = np.array([3, 5, 5, 8])
    ci = cumulative_incidence(all_ended, np.array([1, 0, 1, 1], bool), all_ended, 20)
    np.testing.assert_allclose(ci[8:], 0.75)
    np.testing.assert_allclose(ci[:3], 0.0)


def test_hazard_by_year_by_hand() -> None:
    # years: weeks [0, 52), [52, 104), [104, 157); events away from the year boundaries
    event_week = np.array([10, 30, 60, 120, -1, -1, -1, -1, -1, -1])
    event = np.array([1, 0, 1, 1, 0, 0, 0, 0, 0, 0], bool)  # run 1 ended in another outcome
    weeks_run = np.array([10, 30, 60, 120, 80, 150, 150, 150, 150, 150])  # run 4 censored at 80
    h = hazard_by_year(event_week, event, weeks_run, 3)
    # year 0: 1 event over 10 at risk; year 1: 8 open at week 52 (runs 2..9), 1 event;
    # year 2: 6 open at week 104 (runs 3, 5..9), 1 event
    np.testing.assert_allclose(h, [1 / 10, 1 / 8, 1 / 6], atol=1e-12)
    # a year nobody reaches has no hazard
    h = hazard_by_year(np.array([5, -1]), np.array([True, False]), np.array([5, 40]), 2)
    assert h[0] == 0.5 and math.isnan(h[1])


# --------------------------------------------------------------------------- measures


def test_time_points() -> None:
    assert time_points(520) == {"start": 0, "1 year": 52, "3 years": 156, "horizon": 520}
    assert time_points(104) == {"start": 0, "1 year": 52, "horizon": 104}
    assert time_points(26) == {"start": 0, "horizon": 26}


def test_at_week_carries_an_absorbed_runs_last_row_forward() -> None:
    ts = pd.DataFrame(
        {
            "run": [0] * 11 + [1] * 4,
            "week": [*range(11), *range(4)],
            "v": [*(10.0 + w for w in range(11)), *(20.0 + w for w in range(4))],
            "s": ["a"] * 11 + ["b"] * 4,
        }
    ).sample(frac=1, random_state=1)  # row order must not matter
    got = at_week(ts, 7, ["v", "s"])
    assert got.loc[0, "v"] == 17.0  # the row at week 7
    assert got.loc[1, "v"] == 23.0  # absorbed at week 3: its last row
    assert got.loc[1, "s"] == "b"
    assert at_week(ts, 0, ["v"])["v"].to_dict() == {0: 10.0, 1: 20.0}
    assert at_week(ts, 100, ["v"])["v"].to_dict() == {0: 20.0, 1: 23.0}


def _line_run(run: int, shift: float = 0.0) -> pd.DataFrame:
    weeks = np.arange(21)
    left = np.isin(weeks, [0, 1, 7, 8, 9, 10, 18, 19, 20])  # three campaigns against the Right
    right = np.isin(weeks, [13, 14, 15])  # one against the Left
    line = np.zeros(21)
    line[0], line[1] = 0.05, 0.10  # week 0 is already in a campaign
    line[2:7] = 0.10
    line[7:11] = [0.2, 0.3, 0.4, 0.5]
    line[11:13] = 0.5
    line[13:16] = [0.45, 0.40, 0.35]
    line[16:18] = 0.35
    line[18:] = [0.4, 0.45, 0.5]
    mass, threat, drift = np.zeros(21), np.zeros(21), np.zeros(21)
    mass[0], threat[0], drift[0] = 0.3, 0.1, -0.2  # mass
    mass[7], threat[7], drift[7] = 0.2, -0.6, 0.1  # threat (by absolute value)
    mass[13], threat[13], drift[13] = 0.1, 0.1, -0.4  # drift
    mass[18], threat[18], drift[18] = 0.5, 0.0, 0.0  # mass
    return pd.DataFrame(
        {
            "run": run,
            "week": weeks,
            "line": line + shift,
            "campaign_against_right": left,
            "campaign_against_left": right,
            "driver_mass": mass,
            "driver_threat": threat,
            "driver_drift": drift,
        }
    )


def test_zigzags_on_a_hand_made_line() -> None:
    ts = pd.concat([_line_run(3), _line_run(5, shift=0.1).iloc[:10]]).sample(frac=1, random_state=2)
    z = zigzags(ts).sort_values(["run", "start"]).reset_index(drop=True)
    expected = pd.DataFrame(
        [
            (3, "left", 0, 2, 0.10 - 0.05, "mass"),
            (3, "left", 7, 4, 0.5 - 0.1, "threat"),
            (3, "right", 13, 3, 0.35 - 0.5, "drift"),
            (3, "left", 18, 3, 0.5 - 0.35, "mass"),
            # run 5 was absorbed at week 9, in the middle of its second campaign
            (5, "left", 0, 2, 0.05, "mass"),
            (5, "left", 7, 3, 0.5 - 0.2, "threat"),
        ],
        columns=["run", "direction", "start", "weeks", "size", "driver"],
    )
    assert list(z.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(z, expected, check_dtype=False, check_exact=False, atol=1e-12)
    assert zigzags(ts.assign(campaign_against_right=False, campaign_against_left=False)).empty


def test_blocs_durability() -> None:
    weeks = np.arange(12)
    a = (weeks >= 3) & (weeks < 8)  # formed at week 3, split at week 8
    b = weeks >= 5  # formed at week 5, alive at the end
    ts = pd.concat(
        [
            pd.DataFrame({"run": 0, "week": weeks, "lo_bloc": a, "dc_bloc": a, "x": 1.0}),
            pd.DataFrame({"run": 1, "week": weeks, "lo_bloc": b, "dc_bloc": b, "x": 1.0}),
            pd.DataFrame({"run": 2, "week": weeks, "lo_bloc": False, "dc_bloc": False, "x": 1.0}),
        ]
    ).sample(frac=1, random_state=4)
    got = blocs(ts).sort_values(["run", "organisation"]).reset_index(drop=True)
    expected = pd.DataFrame(
        [
            (0, "dc", 3, False, 5),
            (0, "lo", 3, False, 5),
            (1, "dc", 5, True, 7),
            (1, "lo", 5, True, 7),
        ],
        columns=["run", "organisation", "formed", "alive_at_end", "weeks_united"],
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert blocs(ts.drop(columns=["lo_bloc", "dc_bloc"])).empty


# --------------------------------------------------------------------------- the seven answers

RUNS = 21
HORIZON = 200
# runs 0..3 end in an absorbing outcome: (outcome, week); the others stay open to the horizon
ABSORBED = {0: ("Thermidor", 30), 1: ("Thermidor", 60), 2: ("reform", 100)}
ABSORBED[3] = ("bureaucratic consolidation", 150)
SERIES = list(  # every column the answers read a course or a breakdown from, once
    dict.fromkeys(
        [c for _, c, _ in MEASURES]
        + [f"{g}_{m}" for g in (*KINDS, *STRATA) for m in BREAKDOWN_METRICS]
    )
)


def _value(j: int, run: int, week: np.ndarray) -> np.ndarray:
    """Column j of run r at week w: j + r/20 + w/1000 (so runs keep their order at every week)."""
    return j + run / (RUNS - 1) + week / 1000


def _expected_band(j: int, week: int) -> tuple[float, float, float]:
    """The median and 90 % band over the 21 runs at `week`, absorbed runs frozen: by hand, the
    order of the runs never changes, so the median is run 10 and the 5 % / 95 % quantiles fall
    exactly on runs 1 and 19."""

    def v(r: int) -> float:
        end = ABSORBED.get(r, (None, HORIZON))[1]
        return j + r / (RUNS - 1) + min(week, end) / 1000

    return v(10), v(1), v(19)


def _synthetic_experiment() -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = []
    for r in range(RUNS):
        end = ABSORBED.get(r, (None, HORIZON))[1]
        w = np.arange(end + 1)
        data = {"run": r, "week": w}
        for j, col in enumerate(SERIES):
            data[col] = _value(j, r, w)
        # the Central Committee: the Centre until week 150, then by run: Left 0..9, Centre
        # 10..16, Right 17..20 (run 3, absorbed at 150, keeps its last holder: Left)
        holder = "Left" if r < 10 else "Centre" if r < 17 else "Right"
        data["cc_holder"] = np.where(w >= 150, holder, "Centre")
        # zig-zags: run r has r % 3 campaigns against the Right (each 4 weeks, the line +0.1)
        # and one against the Left (2 weeks, -0.05) in the runs that reach week 120
        left = np.zeros(w.size, bool)
        for i in range(r % 3):
            left[(w >= 10 + 20 * i) & (w < 14 + 20 * i)] = True
        right = (w >= 120) & (w < 122)
        data["campaign_against_right"] = left
        data["campaign_against_left"] = right
        step = np.where(left, 0.025, 0.0) - np.where(right, 0.025, 0.0)
        data["line"] = np.cumsum(step)
        data["driver_mass"] = np.where(w < 50, 0.5, 0.0)
        data["driver_threat"] = np.where(w < 50, 0.0, -0.3)
        data["driver_drift"] = 0.1
        # blocs: formed at week 40 in the even runs reaching it; split at week 90 in runs 4..9
        alive = (w >= 40) & (r % 2 == 0) & ~((r >= 4) & (r <= 9) & (w >= 90))
        data["left_opposition_bloc"] = alive
        data["democratic_centralists_bloc"] = alive
        frames.append(pd.DataFrame(data))
    ts = pd.concat(frames, ignore_index=True)
    outcomes = pd.DataFrame(
        [
            {
                "run": r,
                "outcome": ABSORBED.get(r, ("duality open", None))[0],
                "week": ABSORBED.get(r, (None, pd.NA))[1],
                "weeks_run": ABSORBED.get(r, (None, HORIZON))[1],
            }
            for r in range(RUNS)
        ]
    ).astype({"week": "Int64"})
    return ts, outcomes


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    ts, outcomes = _synthetic_experiment()
    return ts, outcomes, seven_answers(ts, outcomes, HORIZON)


def test_seven_answers_structure(synthetic) -> None:
    _, _, answers = synthetic
    assert list(answers) == list(QUESTIONS)
    for q, a in answers.items():
        assert a["question"] == QUESTIONS[q]
        assert a["runs"] == RUNS
        assert [m["column"] for m in a["measures"]] == [c for qq, c, _ in MEASURES if qq == q]
        one = one_line(answers, q)
        assert isinstance(one, str) and one and "\n" not in one


def test_seven_answers_courses_are_medians_and_90_bands(synthetic) -> None:
    _, _, answers = synthetic
    points = {"start": 0, "1 year": 52, "3 years": 156, "horizon": HORIZON}
    for q, a in answers.items():
        for m in a["measures"]:
            if m["column"] == "line":
                continue  # built as a zig-zag line, checked below
            j = SERIES.index(m["column"])
            assert list(m["course"]) == list(points), (q, m["column"])
            for name, week in points.items():
                assert m["course"][name] == pytest.approx(_expected_band(j, week), abs=1e-12), (
                    q,
                    m["column"],
                    name,
                )
    # by hand for one: pi at the horizon. Run 10 (median) is open: 0.5 + 0.2; the 5 % quantile
    # is run 1, absorbed at week 60: 0.05 + 0.06; the 95 % is run 19: 0.95 + 0.2
    j = SERIES.index("pi")
    pi = next(m for m in answers["Q3"]["measures"] if m["column"] == "pi")
    assert pi["course"]["horizon"] == pytest.approx([j + 0.7, j + 0.11, j + 1.15], abs=1e-12)


def test_seven_answers_breakdown(synthetic) -> None:
    _, _, answers = synthetic
    assert set(answers["Q1"]["breakdown"]) == {*KINDS, *STRATA}
    assert set(answers["Q2"]["breakdown"]) == {"institution", "functionary"}
    for g, metrics in answers["Q1"]["breakdown"].items():
        for m, v in metrics.items():
            assert v == pytest.approx(_expected_band(SERIES.index(f"{g}_{m}"), HORIZON))
    assert answers["Q2"]["breakdown"]["institution"] == answers["Q1"]["breakdown"]["institution"]


def test_seven_answers_outcome_and_cc_holder_shares(synthetic) -> None:
    _, _, answers = synthetic
    counts = {"duality open": 17, "Thermidor": 2, "reform": 1, "bureaucratic consolidation": 1}
    assert set(answers["Q3"]["outcomes"]) == set(OUTCOMES)
    for o, k in counts.items():
        assert answers["Q3"]["outcomes"][o] == pytest.approx(list(wilson(k, RUNS)))
        assert answers["Q3"]["outcomes"][o][0] == pytest.approx(k / RUNS)
    assert answers["Q2"]["kernel_prevails"] == pytest.approx(list(wilson(1, RUNS)))
    assert answers["Q6"]["thermidor"]["probability"] == pytest.approx(list(wilson(2, RUNS)))
    # at the horizon: Left in runs 3..9 (run 3 absorbed at week 150 with Left) = 7, the runs
    # 0..2 absorbed before week 150 with the Centre + runs 10..16 = 10 Centre, 4 Right
    holders = {"Left": 7, "Centre": 10, "Right": 4}
    for h, k in holders.items():
        assert answers["Q3"]["cc_holder"][h] == pytest.approx(list(wilson(k, RUNS)))
    assert "Central Committee is held by the Centre in 48%" in one_line(answers, "Q3")


def test_seven_answers_zigzags(synthetic) -> None:
    _, outcomes, answers = synthetic
    z = answers["Q4"]["zigzags"]
    # a rate per year of each run's own length: an absorbed run counts the years it ran
    years = outcomes.sort_values("run")["weeks_run"].to_numpy() / YEAR
    # left campaigns per run: r % 3 for every run (run 0 absorbed at 30 has none anyway, run 1
    # absorbed at 60 had its one campaign at weeks 10-13) -> seven runs with 0, 1 and 2 each
    per_run = np.array([r % 3 for r in range(RUNS)]) / years
    assert z["left"]["per_year"] == pytest.approx(list(band(per_run)))
    # right campaigns: one in each run that reaches week 120 (runs 3..20: 18 of 21)
    right = np.array([0, 0, 0] + [1] * 18) / years
    assert z["right"]["per_year"] == pytest.approx(list(band(right)))
    assert z["left"]["weeks"] == [4.0, 4.0, 4.0]
    assert z["right"]["weeks"] == [2.0, 2.0, 2.0]
    assert z["left"]["size"] == pytest.approx([0.1, 0.1, 0.1])
    assert z["right"]["size"] == pytest.approx([-0.05, -0.05, -0.05])
    # drivers at the start: mass before week 50 (left campaigns at 10, 30), threat at 120
    assert z["left"]["drivers"] == {"mass": 1.0, "threat": 0.0, "drift": 0.0}
    assert z["right"]["drivers"] == {"mass": 0.0, "threat": 1.0, "drift": 0.0}
    assert "0.26 left and 0.26 right zig-zags a year" in one_line(answers, "Q4")


def test_seven_answers_thermidor_hazard_and_incidence(synthetic) -> None:
    _, _, answers = synthetic
    t = answers["Q6"]["thermidor"]
    n_years = math.ceil(HORIZON / YEAR)  # 4
    # Thermidor at weeks 30 (year 1) and 60 (year 2); 21 runs open at the start, 20 at week 52
    assert t["hazard_by_year"] == pytest.approx([1 / 21, 1 / 20, 0.0, 0.0])
    assert len(t["cumulative_by_year"]) == n_years
    assert t["cumulative_by_year"] == pytest.approx([1 / 21, 2 / 21, 2 / 21, 2 / 21])


def test_seven_answers_blocs(synthetic) -> None:
    _, _, answers = synthetic
    b = answers["Q7"]["blocs"]
    # a bloc formed in the even runs reaching week 40: 2, 4, ..., 20 (run 0 ended at 30) = 10;
    # split in runs 4, 6, 8; alive at the end in 7
    assert b["formed_in_runs"] == 10
    assert b["alive_at_end"] == pytest.approx(list(wilson(7, 10)))
    united = {2: 61, 4: 50, 6: 50, 8: 50}  # run 2 ended at week 100: weeks 40..100
    weeks = [united.get(r, HORIZON - 40 + 1) for r in range(2, 21, 2) for _ in SLUGS]
    assert b["weeks_united"] == pytest.approx(list(band(np.array(weeks, float))))
    ts, outcomes, _ = synthetic
    no_bloc = ts.assign(left_opposition_bloc=False, democratic_centralists_bloc=False)
    assert seven_answers(no_bloc, outcomes, HORIZON)["Q7"]["blocs"] is None


def _one_cause_experiment(horizon: int, events: list[int], runs: int) -> tuple:
    """`runs` runs, Thermidor at each week in `events`, the others open to the horizon."""
    frames, rows = [], []
    for r in range(runs):
        end = events[r] if r < len(events) else horizon
        w = np.arange(end + 1)
        data = {"run": r, "week": w, "cc_holder": "Centre", "line": 0.0, "driver_drift": 0.1}
        data |= {c: 0.0 for c in SERIES} | {"driver_mass": 0.0, "driver_threat": 0.0}
        data |= {"campaign_against_right": False, "campaign_against_left": False}
        frames.append(pd.DataFrame(data))
        rows.append(
            {
                "run": r,
                "outcome": "Thermidor" if r < len(events) else "duality open",
                "week": events[r] if r < len(events) else pd.NA,
                "weeks_run": end,
            }
        )
    return pd.concat(frames, ignore_index=True), pd.DataFrame(rows).astype({"week": "Int64"})


@pytest.mark.parametrize(
    ("horizon", "events"),
    [
        (200, [30, 60, 150]),  # away from the year boundaries
        (104, [20, 52, 104]),  # the last week of year 1 and the horizon, the last of year 2
        (52, [10, 52]),  # the horizon is the last week of the only year
    ],
)
def test_q6_hazard_accounts_for_every_thermidor(horizon: int, events: list[int]) -> None:
    """With one outcome and no censoring, the yearly hazards compound to the cumulative
    probability by each year's end: 1 - prod(1 - h) = CI, and every Thermidor of the horizon is
    in some year. (Events happen in weeks 1..horizon; year y ends at week round((y+1) 52.1775),
    which is where `cumulative_by_year` reads the incidence.)"""
    ts, outcomes = _one_cause_experiment(horizon, events, 10)
    t = seven_answers(ts, outcomes, horizon)["Q6"]["thermidor"]
    h = np.array(t["hazard_by_year"])
    compounded = 1 - np.cumprod(1 - h)
    assert t["cumulative_by_year"][-1] == pytest.approx(len(events) / 10)
    np.testing.assert_allclose(compounded, t["cumulative_by_year"], atol=1e-12)


# --------------------------------------------------------------------------- comparison


def _outcomes(counts: dict[str, int], weeks: dict[str, int] | None = None) -> pd.DataFrame:
    rows = []
    for o, k in counts.items():
        for _ in range(k):
            week = None if o == "duality open" else (weeks or {}).get(o, 10)
            rows.append({"outcome": o, "week": week, "weeks_run": week or 52})
    df = pd.DataFrame(rows).astype({"week": "Int64"})
    return df.assign(run=np.arange(len(df)))[["run", "outcome", "week", "weeks_run"]]


def test_outcome_table_probabilities_and_differences() -> None:
    a = _outcomes({"Thermidor": 3, "reform": 6, "duality open": 3})
    b = _outcomes({"Thermidor": 10, "reform": 2, "duality open": 8})
    table = outcome_table({"A": a, "B": b}).set_index(["experiment", "outcome"])
    assert len(table) == 2 * len(OUTCOMES)
    counts = {
        "A": {"Thermidor": 3, "reform": 6, "duality open": 3, "bureaucratic consolidation": 0},
        "B": {"Thermidor": 10, "reform": 2, "duality open": 8, "bureaucratic consolidation": 0},
    }
    runs = {"A": 12, "B": 20}
    for e in ("A", "B"):
        for o in OUTCOMES:
            r = table.loc[(e, o)]
            k, n = counts[e][o], runs[e]
            assert (r["runs"], r["count"]) == (n, k)
            assert r["p"] == pytest.approx(k / n)
            assert (r["p_low"], r["p_high"]) == pytest.approx(wilson(k, n)[1:])
            kb = counts["A"][o]
            assert r["diff"] == pytest.approx(k / n - kb / 12)
            assert (r["diff_low"], r["diff_high"]) == pytest.approx(newcombe(k, n, kb, 12)[1:])
            assert r["diff_low"] <= r["diff"] <= r["diff_high"]
    # the first experiment against itself: no difference, a symmetric interval
    base = table.loc[("A", "reform")]
    assert base["diff"] == 0 and base["diff_low"] == pytest.approx(-base["diff_high"])
    # Thermidor: 0.5 - 0.25, reform: 0.1 - 0.5 (clearly lower: the interval excludes 0)
    assert table.loc[("B", "Thermidor"), "diff"] == pytest.approx(0.25)
    assert table.loc[("B", "reform"), "diff_high"] < 0


def test_incidence_per_outcome() -> None:
    o = _outcomes(
        {"Thermidor": 2, "reform": 1, "bureaucratic consolidation": 1, "duality open": 6},
        weeks={"Thermidor": 5, "reform": 8, "bureaucratic consolidation": 8},
    )
    curves = incidence(o, 12)
    assert list(curves.columns) == ["week", *OUTCOMES[1:]]
    assert curves["week"].tolist() == list(range(13))
    np.testing.assert_allclose(curves["Thermidor"], [0] * 5 + [0.2] * 8)
    np.testing.assert_allclose(curves["reform"], [0] * 8 + [0.1] * 5)
    np.testing.assert_allclose(curves["bureaucratic consolidation"], [0] * 8 + [0.1] * 5)


# --------------------------------------------------------------------------- the claims

N = 40  # runs in each synthetic ensemble
H = 20  # weeks
SCENARIOS = (
    "1928",
    "1928-all-reform",
    "1928-no-opposition",
    "1928-all-corpse",
    "1928-manifesto",
    "1928-bloc-delimited",
    "1928-bloc",
)
SPREAD = np.linspace(-0.05, 0.05, N)  # run-to-run variation of the continuous measures


def _labels(**counts: int) -> list[str]:
    names = {
        "open": "duality open",
        "thermidor": "Thermidor",
        "reform": "reform",
        "consolidation": "bureaucratic consolidation",
    }
    out = [names[k] for k, v in counts.items() for _ in range(v)]
    return out + ["duality open"] * (N - len(out))


def _ensemble(name: str, knobs: dict) -> Ensemble:
    """A synthetic ensemble of `name`: every measure the claims read, with the levels `knobs`
    gives for it (the neutral world unless a knob says otherwise)."""
    k = {
        "outcomes": _labels(open=10, thermidor=10, reform=10, consolidation=10),
        "soviet_minus_party": SPREAD,
        "credibility": 0.5 + SPREAD,
        "active_right": 0.4 + SPREAD,
        "active_left": 0.4 + SPREAD,
        "bloc_alive": 20,
        "capitulated": 50 + 100 * SPREAD,
    } | knobs.get(name, {})
    w = np.arange(H + 1)
    frames = []
    for r in range(N):
        right = (w >= 2) & (w < 6)
        left = (w >= 10) & (w < 13)
        active = np.where(right, k["active_right"][r], np.where(left, k["active_left"][r], 0.9))
        bloc = (w >= 3) & ((w < 15) | (r < k["bloc_alive"]))
        data = {
            "run": r,
            "week": w,
            "institution_d": 0.3 + k["soviet_minus_party"][r],
            "functionary_d": 0.3,
            "campaign_against_right": right,
            "campaign_against_left": left,
            "worker_active": active,
            "capitulated": k["capitulated"][r],
        }
        for s in SLUGS:
            data[f"{s}_credibility"] = np.where(w == H, k["credibility"][r], 0.5)
            data[f"{s}_in_party"] = 0.5
            data[f"{s}_bloc"] = bloc if "bloc" in name else False
        frames.append(pd.DataFrame(data))
    outcomes = pd.DataFrame(
        {"run": range(N), "outcome": k["outcomes"], "week": pd.NA, "weeks_run": H}
    )
    return Ensemble(name, pd.concat(frames, ignore_index=True), outcomes, H, list(ORGS))


def _world(knobs: dict, names=SCENARIOS) -> dict[str, Ensemble]:
    return {n: _ensemble(n, knobs) for n in names}


HIGH, LOW = 0.6 + SPREAD, 0.2 + SPREAD
# (claim, verdict, knobs): each world built to give the claim that verdict
CASES = [
    (1, "supported", {}),  # the likeliest outcome has 10/40
    (1, "reversed", {"1928": {"outcomes": _labels(open=40)}}),  # 40/40: low 0.91 > 0.9
    (1, "not supported", {"1928": {"outcomes": _labels(thermidor=36)}}),  # [0.77, 0.96]
    (2, "supported", {"1928-all-reform": {"outcomes": _labels(reform=30)},
                      "1928-no-opposition": {"outcomes": _labels(reform=5)}}),
    (2, "reversed", {"1928-all-reform": {"outcomes": _labels(reform=5)},
                     "1928-no-opposition": {"outcomes": _labels(reform=30)}}),
    (2, "not supported", {"1928-all-reform": {"outcomes": _labels(reform=12)},
                          "1928-no-opposition": {"outcomes": _labels(reform=10)}}),
    (3, "supported", {"1928-all-corpse": {"outcomes": _labels(thermidor=30)},
                      "1928-all-reform": {"outcomes": _labels(thermidor=5)}}),
    (3, "reversed", {"1928-all-corpse": {"outcomes": _labels(thermidor=5)},
                     "1928-all-reform": {"outcomes": _labels(thermidor=30)}}),
    (3, "not supported", {"1928-all-corpse": {"outcomes": _labels(thermidor=10)},
                          "1928-all-reform": {"outcomes": _labels(thermidor=10)}}),
    (4, "supported", {"1928": {"soviet_minus_party": 0.2 + SPREAD}}),
    (4, "reversed", {"1928": {"soviet_minus_party": -0.2 + SPREAD}}),
    (4, "not supported", {}),
    (5, "supported", {}),  # 30 of 40 left duality: low 0.60 > 0.5
    (5, "reversed", {"1928": {"outcomes": _labels(open=36)}}),
    (5, "not supported", {"1928": {"outcomes": _labels(open=20, reform=20)}}),
    (6, "supported", {"1928-manifesto": {"credibility": LOW}, "1928": {"credibility": HIGH}}),
    (6, "reversed", {"1928-manifesto": {"credibility": HIGH}, "1928": {"credibility": LOW}}),
    (6, "not supported", {}),
    (7, "supported", {"1928": {"active_right": HIGH, "active_left": LOW}}),
    (7, "reversed", {"1928": {"active_right": LOW, "active_left": HIGH}}),
    (7, "not supported", {}),
    (8, "supported", {"1928-bloc-delimited": {"bloc_alive": 30}, "1928-bloc": {"bloc_alive": 5}}),
    (8, "reversed", {"1928-bloc-delimited": {"bloc_alive": 5}, "1928-bloc": {"bloc_alive": 30}}),
    (8, "not supported", {}),
    (9, "supported", {"1928-all-corpse": {"capitulated": 100 + 10 * SPREAD},
                      "1928-all-reform": {"capitulated": 20 + 10 * SPREAD}}),
    (9, "reversed", {"1928-all-corpse": {"capitulated": 20 + 10 * SPREAD},
                     "1928-all-reform": {"capitulated": 100 + 10 * SPREAD}}),
    (9, "not supported", {}),
]  # fmt: skip


@pytest.mark.parametrize(("claim", "verdict", "knobs"), CASES)
def test_hold_claims_verdicts(claim: int, verdict: str, knobs: dict) -> None:
    table = hold_claims(_world(knobs)).set_index("claim")
    assert list(table.index) == [c.number for c in CLAIMS] == list(range(1, 10))
    row = table.loc[claim]
    assert row["verdict"] == verdict, row.to_dict()
    assert row["low"] <= row["estimate"] <= row["high"]


def test_hold_claims_estimates() -> None:
    knobs = dict(CASES[3][2]) | {
        "1928": {"soviet_minus_party": 0.2 + SPREAD, "active_right": HIGH, "active_left": LOW},
        "1928-bloc-delimited": {"bloc_alive": 30},
        "1928-bloc": {"bloc_alive": 5},
    }
    t = hold_claims(_world(knobs)).set_index("claim")
    # 1: the likeliest outcome (each has 10 of 40) and its Wilson interval
    assert t.loc[1, ["estimate", "low", "high"]].tolist() == pytest.approx(list(wilson(10, N)))
    # 2: P(reform) 30/40 - 5/40 with Newcombe's interval
    assert t.loc[2, ["estimate", "low", "high"]].tolist() == pytest.approx(
        list(newcombe(30, N, 5, N))
    )
    # 4: the 90 % band of institution_d - functionary_d at the horizon
    assert t.loc[4, ["estimate", "low", "high"]].tolist() == pytest.approx(list(band(0.2 + SPREAD)))
    # 5: runs that left duality: 30 of 40 in the neutral 1928
    assert t.loc[5, "estimate"] == pytest.approx(0.75)
    # 7: mean active share in campaigns against the Right minus against the Left: 0.4; the
    # bootstrap interval of a difference of means of 40 runs with SD 0.03: about +-0.013
    assert t.loc[7, "estimate"] == pytest.approx(0.4)
    assert 0.37 < t.loc[7, "low"] < 0.4 < t.loc[7, "high"] < 0.43
    # 8: blocs still united at the horizon, 30/40 with delimitation against 5/40 without
    assert t.loc[8, ["estimate", "low", "high"]].tolist() == pytest.approx(
        list(newcombe(30, N, 5, N))
    )
    assert t.loc[9, "estimate"] == pytest.approx(0.0, abs=1e-9)  # identical capitulators


def test_hold_claims_not_evaluated_without_their_scenarios() -> None:
    t = hold_claims(_world({}, names=("1928",))).set_index("claim")
    evaluated = {1, 4, 5, 7}  # those that need only 1928
    for c in CLAIMS:
        row = t.loc[c.number]
        if c.number in evaluated:
            assert row["verdict"] != "not evaluated"
        else:
            assert row["verdict"] == "not evaluated"
            assert math.isnan(row["estimate"]) and math.isnan(row["low"])
        assert row["scenarios"] == ", ".join(c.needs)
    assert (hold_claims({})["verdict"] == "not evaluated").all()


def test_kaplan_meier_by_hand() -> None:
    """Five blocs: splits after 2, 4 and 4 weeks; two still united when their runs ended, after
    3 and 6 weeks (censored). S = 1 before 2; 4/5 from 2; at 4 the three observed so far lose
    two: 4/5 * (1 - 2/3) = 4/15 from 4; the censored 6 changes nothing."""
    duration = np.array([2, 3, 4, 4, 6])
    split = np.array([True, False, True, True, False])
    s = kaplan_meier(duration, split, np.arange(8))
    assert s == pytest.approx([1, 1, 0.8, 0.8, 4 / 15, 4 / 15, 4 / 15, 4 / 15])
    # with nothing censored it is the plain share still united
    d = np.array([1, 2, 3, 5])
    assert kaplan_meier(d, np.ones(4, bool), np.arange(6)) == pytest.approx(
        [np.mean(d > t) for t in range(6)]
    )


# --- by hand, for what a sampled mutation run let survive (docs/testing.md) -----------------


def test_yearly_reads_the_start_each_year_and_the_horizon() -> None:
    """Horizon 120 weeks: ceil(120 / 52.18) = 3 years; the weeks 0, round(52.18) = 52,
    round(104.36) = 104 and min(120, round(156.5)) = 120. A horizon of 0: the start alone."""
    from thermidor.analysis.compare import yearly

    curves = pd.DataFrame({"week": range(121), "Thermidor": np.linspace(0, 1, 121)})
    assert yearly(curves)["week"].tolist() == [0, 52, 104, 120]
    assert yearly(curves.iloc[:1])["week"].tolist() == [0]


def test_differences_lists_every_key_path_on_either_side() -> None:
    from thermidor.analysis.compare import differences

    a = {"name": "a", "power": {"pi0": 0.5, "beta0": 0.5}, "weeks": 10}
    b = {"name": "b", "power": {"pi0": 0.4, "beta0": 0.5}, "scale": 0.1, "weeks": 10}
    assert differences(a, b) == {"power.pi0": (0.5, 0.4), "scale": (None, 0.1)}


def test_q5_matched_by_hand() -> None:
    """Per run, q5_left at the horizon minus the matched passive run's: 0.5 - 0.4, 0.6 - 0.4,
    0.9 - 0.4 = 0.1, 0.2, 0.5; mean 0.8 / 3 = 0.266667; sample sd sqrt((0.166667^2 + 0.066667^2
    + 0.233333^2) / 2) = 0.208167; se = 0.208167 / sqrt(3) = 0.120185. The row at week 10 is
    read, not the later one (horizon 10)."""
    from thermidor.analysis.seven import q5_matched

    ts = pd.DataFrame(
        {"run": [0, 1, 2, 0], "week": [10, 10, 10, 11], "q5_left": [0.5, 0.6, 0.9, 0.0]}
    )
    passive = pd.DataFrame({"run": [0, 1, 2], "week": [10, 10, 10], "q5_left": [0.4] * 3})
    q = q5_matched(ts, passive, 10)
    assert q["runs"] == 3
    assert q["per_run"] == pytest.approx([0.1, 0.2, 0.5], abs=1e-12)
    assert q["q5"] == pytest.approx(0.8 / 3, abs=1e-12)
    assert q["se"] == pytest.approx(0.12018504251546631, abs=1e-12)


@pytest.mark.parametrize(
    ("agents", "scale", "text"),
    [
        (12345.0, 1.0, "12,300"),  # three significant figures: round(12345, 2 - 4 = -2)
        (4.56, 0.001, "4,560"),  # 4560 persons: round(4560, 2 - 3 = -1)
        (7.0, 1.0, "7"),  # round(7, 2 - 0 = 2)
        (38.0, 1.0, "38"),  # round(38, 2 - 1 = 1)
        (0.0, 0.5, "0"),
    ],
)
def test_agents_as_persons_to_three_figures(agents: float, scale: float, text: str) -> None:
    from thermidor.analysis.seven import _persons

    assert _persons(agents, scale) == text


def test_claims_grade_by_the_side_the_interval_lies_on() -> None:
    """Supported only when the whole interval lies on the claimed side: an interval touching
    zero includes no effect."""
    assert _grade(0.01, 0.2) == "supported"
    assert _grade(0.0, 0.2) == "not supported"
    assert _grade(-0.2, 0.0) == "not supported"
    assert _grade(-0.2, -0.01) == "reversed"
    assert _grade(0.01, 0.2, claimed_positive=False) == "reversed"
    assert _grade(-0.2, -0.01, claimed_positive=False) == "supported"
    assert _grade(0.0, 0.0, claimed_positive=False) == "not supported"


def test_claims_bootstrap_difference_by_hand() -> None:
    """Constant samples: every resample's difference is the same, NaNs dropped. x = {0, 1}
    against y = {0}: a resample's mean of x is 0, 1/2 or 1 with probabilities 1/4, 1/2, 1/4, so
    of 2,000 resamples about 500 are 0 and 500 are 1 (fewer than 50 of either has a probability
    below 1e-150): the 2.5 % and 97.5 % quantiles are exactly 0 and 1."""
    assert _bootstrap_diff(np.array([2.0, 2.0, np.nan]), np.array([0.5])) == (1.5, 1.5, 1.5)
    assert _bootstrap_diff(np.array([0.0, 1.0]), np.array([0.0])) == (0.5, 0.0, 1.0)
    assert _bootstrap_diff(np.array([0.0]), np.array([0.0, 1.0])) == (-0.5, -1.0, 0.0)
    with warnings.catch_warnings():  # an empty side is answered, not averaged (no warning)
        warnings.simplefilter("error")
        for x, y in (([np.nan], [1.0]), ([1.0], [np.nan])):
            assert all(math.isnan(v) for v in _bootstrap_diff(np.array(x), np.array(y)))


def test_claims_bootstrap_is_the_documented_one() -> None:
    """The documented procedure written out: 2,000 resamples of each side with replacement
    from numpy's default_rng(seed 0), x's then y's in each, and the 2.5 % and 97.5 % quantiles
    of the differences of their means."""
    x = np.sqrt(np.arange(2.0, 12.0))  # ten irregular values: few ties among resample means
    y = np.array([1.0, np.pi, np.e, np.nan, 0.3, 2.2])
    rng = np.random.default_rng(0)
    y_ = y[~np.isnan(y)]
    diffs = []
    for _ in range(2000):
        a = rng.choice(x, 10).mean()
        diffs.append(a - rng.choice(y_, 5).mean())
    lo, hi = np.quantile(diffs, [0.025, 0.975])
    assert _bootstrap_diff(x, y) == pytest.approx((x.mean() - y_.mean(), lo, hi), abs=1e-12)
    assert hi - lo > 1  # a real spread


def test_claims_manifesto_harm_averages_the_organisations_of_each_run() -> None:
    """Claim 6 takes each run's mean credibility over the organisations, then the difference
    of means over runs. Credibility at the horizon (week 2), the same in each of 3 runs: under
    the manifesto 0.2 and 0.4 (a run's mean 0.3), under 1928 0.6 and 0.4 (0.5): every run
    differs by -0.2, so every bootstrap resample does too: (-0.2, -0.2, -0.2), supported."""

    def ens(name: str, cred: tuple[float, float]) -> Ensemble:
        rows = [
            {"run": r, "week": w, "left_opposition_credibility": cred[0] if w == 2 else 0.9,
             "democratic_centralists_credibility": cred[1] if w == 2 else 0.9,
             "left_opposition_in_party": 0.5, "democratic_centralists_in_party": 0.5}
            for r in range(3) for w in range(3)
        ]  # fmt: skip
        return Ensemble(name, pd.DataFrame(rows), pd.DataFrame(), 2, list(ORGS))

    e = {"1928-manifesto": ens("1928-manifesto", (0.2, 0.4)), "1928": ens("1928", (0.6, 0.4))}
    d, lo, hi, verdict = claims._manifesto_harm(e)
    assert (d, lo, hi) == pytest.approx((-0.2, -0.2, -0.2), abs=1e-12)
    assert verdict == "supported"


def test_claims_in_persons_only_the_capitulators() -> None:
    """Only claim 9's estimate counts agents (the report turns it into persons)."""
    assert [c.persons for c in CLAIMS] == [False] * 8 + [True]
    t = hold_claims(_world({}))
    assert t["persons"].tolist() == [False] * 8 + [True]
    assert t.columns.tolist() == ["claim", "quote", "measure", "estimate", "low", "high",
                                  "verdict", "scenarios", "persons"]  # fmt: skip
