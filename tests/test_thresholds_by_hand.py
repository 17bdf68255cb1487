"""S13's rules replayed on hand-built weekly rows (analysis/thresholds.py), every expected value
worked out by hand from the rules in the module's docstring: Thermidor while pi < thermidor_pi
with probability 1 - exp(-thermidor_hazard (1 - pi / thermidor_pi) K (1 + right_weight
right_share)), reform when the Left holds the CC with pi >= reform_pi and functionary_d <=
reform_d, consolidation after consolidation_weeks weeks running with beta >= beta_star (week 1)
+ consolidation_margin. No engine run: the rows and the week's draws are set by the test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from thermidor.analysis import thresholds
from thermidor.analysis.thresholds import NEVER, Run, fire_weeks, replay
from thermidor.scenario.load import load_scenario
from thermidor.scenario.schema import Scenario

WEEKS = 6  # the scenario's horizon in these cases


def _scenario(power: bool = True, **outcome: float | None) -> Scenario:
    sc = load_scenario("tiny", weeks=WEEKS)
    o = sc.outcome.model_copy(
        update={"thermidor_pi": 0.35, "thermidor_hazard": 0.2, "right_weight": 2.0,
                "reform_pi": 0.7, "reform_d": 0.3, "consolidation_margin": 0.05,
                "consolidation_weeks": 2, "consolidation_beta": None} | outcome
    )  # fmt: skip
    return sc.model_copy(
        update={"outcome": o, "power": sc.power.model_copy(update={"enabled": power})}
    )


def _rows(**cols: list) -> pd.DataFrame:
    """Weeks 0 .. n (week 0 the initial state, which S13 never reads) of one run."""
    n = len(next(iter(cols.values())))
    base = {"week": list(range(n)), "pi": [0.5] * n, "beta": [0.0] * n, "beta_star": [0.5] * n,
            "K": [1.0] * n, "right_share": [0.0] * n, "cc_holder": ["Centre"] * n,
            "functionary_d": [0.5] * n}  # fmt: skip
    return pd.DataFrame(base | cols)


def _run(rows: pd.DataFrame, u: list[float] | None = None) -> Run:
    run = Run(rows, key=7)
    if u is not None:  # the week's draws, set by hand (weeks 1 ..)
        run.u = np.asarray(u, dtype=float)
    return run


def test_first_run_of_a_mask_by_hand() -> None:
    weeks = np.arange(1, 7)
    mask = np.array([True, True, False, True, True, True])
    assert thresholds._first_run(mask, 1, weeks) == 1
    assert thresholds._first_run(mask, 2, weeks) == 2  # weeks 1-2
    assert thresholds._first_run(mask, 3, weeks) == 6  # weeks 4-6
    assert thresholds._first_run(mask, 4, weeks) == NEVER
    assert thresholds._first_run(np.ones(6, bool), 6, weeks) == 6  # the whole run
    assert thresholds._first_run(np.ones(6, bool), 7, weeks) == NEVER  # longer than the run
    assert thresholds._first(np.zeros(6, bool), weeks) == NEVER
    assert thresholds._first(mask[::-1], weeks + 10) == 11


def test_run_reads_weeks_from_one_in_order() -> None:
    """Week 0 (the initial state) is not read but counts for `last`; rows come sorted by week;
    beta_star is that of week 1."""
    rows = _rows(pi=[0.9, 0.1, 0.2, 0.3], beta_star=[0.8, 0.4, 0.6, 0.7],
                 cc_holder=["Left", "Right", "Left", "Centre"])  # fmt: skip
    run = Run(rows.iloc[[3, 0, 2, 1]], key=7)
    assert run.week.tolist() == [1, 2, 3] and run.last == 3
    assert run.pi.tolist() == [0.1, 0.2, 0.3]
    assert run.left_cc.tolist() == [False, True, False]
    assert run.beta_star0 == 0.4
    assert run.u.shape == (3,) and ((run.u >= 0) & (run.u < 1)).all()
    assert math.isnan(Run(_rows(pi=[0.5]), key=7).beta_star0)  # only week 0: no week 1


def test_thermidor_fires_on_the_week_its_hazard_exceeds_the_draw() -> None:
    """pi falls 0.5, 0.4, 0.3, 0.2, 0.1 over weeks 1-5 (thermidor_pi 0.35, hazard 0.2), with
    K = 2 and right_share 0.5: in week 4 (pi 0.2) the probability is
    1 - exp(-0.2 (1 - 0.2/0.35) 2 (1 + 2 * 0.5)) = 1 - exp(-0.342857...) = 0.29026...;
    a draw just under it fires, just over it does not. Weeks 1-2 (pi >= 0.35) never fire,
    even with a draw of 0."""
    sc = _scenario()
    rows = _rows(pi=[0.6, 0.5, 0.35, 0.3, 0.2, 0.1], K=[2.0] * 6, right_share=[0.5] * 6)
    p4 = 1 - math.exp(-0.2 * (1 - 0.2 / 0.35) * 2 * (1 + 2 * 0.5))
    assert p4 == pytest.approx(0.29026, abs=1e-5)
    p3 = 1 - math.exp(-0.2 * (1 - 0.3 / 0.35) * 2 * 2)
    assert fire_weeks(_run(rows, [0.0, 0.0, 0.99, p4 - 1e-9, 0.99]), sc, {})[0] == 4
    assert fire_weeks(_run(rows, [0.0, 0.0, 0.99, p4 + 1e-9, 0.99]), sc, {})[0] == NEVER
    assert fire_weeks(_run(rows, [0.0, 0.0, p3 - 1e-9, 0.99, 0.99]), sc, {})[0] == 3
    assert fire_weeks(_run(rows, [0.0, 0.0, p3 + 1e-9, 0.99, 0.99]), sc, {})[0] == NEVER
    # another threshold through `values`: at thermidor_pi 0.55, week 1 (pi 0.5) can fire
    p1 = 1 - math.exp(-0.2 * (1 - 0.5 / 0.55) * 2 * 2)
    assert fire_weeks(_run(rows, [p1 - 1e-9] + [0.99] * 4), sc, {"thermidor_pi": 0.55})[0] == 1
    assert fire_weeks(_run(rows, [p1 + 1e-9] + [0.99] * 4), sc, {"thermidor_pi": 0.55})[0] == NEVER
    # thermidor_pi 0: no Thermidor whatever the draw
    assert fire_weeks(_run(rows, [0.0] * 5), sc, {"thermidor_pi": 0.0})[0] == NEVER


def test_reform_needs_the_left_at_the_top_pi_high_and_d_low_at_the_bounds() -> None:
    """reform_pi 0.7, reform_d 0.3: week 1 has the Left at the top with pi 0.7 and d 0.3
    exactly (both bounds count). With the Right there in week 1: week 2 has the Centre, week 3
    pi a hair under, week 4 the Left at the bounds again; at reform_pi 0.75 only week 5 has the
    pi, and its d is a hair over."""
    sc = _scenario()
    rows = _rows(pi=[0, 0.7, 0.7, 0.7 - 1e-9, 0.7, 0.8],
                 functionary_d=[0, 0.3, 0.3, 0.3, 0.3, 0.3 + 1e-9],
                 cc_holder=["Left", "Left", "Centre", "Left", "Left", "Left"])  # fmt: skip
    assert fire_weeks(_run(rows, [0.99] * 5), sc, {})[1] == 1
    rows.loc[1, "cc_holder"] = "Right"
    assert fire_weeks(_run(rows, [0.99] * 5), sc, {})[1] == 4
    assert fire_weeks(_run(rows, [0.99] * 5), sc, {"reform_pi": 0.75})[1] == NEVER  # 0.8 in 5: d


def test_consolidation_after_its_weeks_running_above_the_level() -> None:
    """beta_star in week 1 is 0.5, the margin 0.05: the level 0.55, reached exactly in weeks 2
    and 4-5; 2 weeks running first end in week 5. With an absolute consolidation_beta of 0.7,
    weeks 5-6 (0.7, 0.8). With S12 off there is no equilibrium and no consolidation."""
    rows = _rows(
        beta=[0.9, 0.5, 0.55, 0.5, 0.55, 0.7, 0.8], beta_star=[0.9, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9]
    )
    run = _run(rows, [0.99] * 6)
    assert fire_weeks(run, _scenario(), {})[2] == 5
    assert fire_weeks(run, _scenario(), {"consolidation_margin": 0.0})[2] == 2  # 0.5, 0.55
    assert fire_weeks(run, _scenario(consolidation_margin=0.2), {})[2] == 6  # 0.7, 0.8
    assert fire_weeks(run, _scenario(consolidation_weeks=3), {})[2] == 6
    assert fire_weeks(run, _scenario(consolidation_beta=0.7), {})[2] == 6
    assert fire_weeks(run, _scenario(consolidation_beta=0.7, consolidation_weeks=1), {})[2] == 5
    assert fire_weeks(run, _scenario(power=False), {})[2] == NEVER
    assert fire_weeks(run, _scenario(power=False, consolidation_beta=0.7), {})[2] == 6


def test_replay_takes_the_first_rule_to_fire_and_censors_what_ended_early() -> None:
    """Thermidor and reform in the same week: Thermidor (S13's order); a run with no rule fired
    is "duality open" if its rows reach the horizon, else censored (None)."""
    sc = _scenario()
    both = _rows(pi=[0.3] * 3, cc_holder=["Left"] * 3, functionary_d=[0.1] * 3)
    assert replay(_run(both, [0.0, 0.99]), sc, {"reform_pi": 0.3}) == "Thermidor"
    assert replay(_run(both, [0.99, 0.0]), sc, {"reform_pi": 0.3}) == "reform"
    assert replay(_run(both, [0.99, 0.0]), sc, {"reform_pi": 0.3, "thermidor_pi": 0.3}) == "reform"
    quiet = _rows(pi=[0.5] * (WEEKS + 1))
    assert replay(_run(quiet), sc, {}) == "duality open"  # rows up to week 6 = the horizon
    assert replay(_run(quiet.iloc[:WEEKS]), sc, {}) is None  # up to week 5 only: censored
    assert fire_weeks(_run(quiet), sc, {}) == [NEVER, NEVER, NEVER]


def test_curves_count_hits_and_censored_runs_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three runs: one reaching reform in week 1 at reform_pi <= 0.8 (its pi), one open to the
    horizon, one ended in week 2 with nothing fired at these thresholds (censored). At reform_pi
    0.8: p = 1/3, p_high = 2/3, censored 1/3; at 0.85 the first is censored too: p = 0,
    p_high = 2/3, censored 2/3."""
    sc = _scenario()
    left = _rows(pi=[0.8] * 3, cc_holder=["Left"] * 3, functionary_d=[0.1] * 3)
    by_run = {0: left, 1: _rows(pi=[0.5] * (WEEKS + 1)), 2: _rows(pi=[0.5] * 3)}
    ts = pd.concat([r.assign(run=k) for k, r in by_run.items()], ignore_index=True)
    monkeypatch.setattr(thresholds, "scenario_of", lambda path: sc)
    monkeypatch.setattr(thresholds, "stream_keys", lambda path: {0: 1, 1: 2, 2: 3})
    monkeypatch.setattr(thresholds, "rows", lambda path: ts)
    grids = {"reform": ("outcome.reform_pi", np.array([0.8, 0.85]))}
    df = thresholds.curves("anywhere", grids)
    assert df.columns.tolist() == ["outcome", "parameter", "threshold", "default", "runs", "p",
                                   "p_high", "censored"]  # fmt: skip
    assert df.outcome.tolist() == ["reform"] * 2 and df.threshold.tolist() == [0.8, 0.85]
    assert df.parameter.tolist() == ["outcome.reform_pi"] * 2
    assert df.runs.tolist() == [3, 3] and df["default"].tolist() == [0.7, 0.7]
    assert df.p.tolist() == pytest.approx([1 / 3, 0.0])
    assert df.p_high.tolist() == pytest.approx([2 / 3, 2 / 3])
    assert df.censored.tolist() == pytest.approx([1 / 3, 2 / 3])
    # the default grids, and an absolute consolidation_beta's grid in place of the margin's
    df = thresholds.curves("anywhere")
    assert df.groupby("outcome", sort=False).size().to_dict() == {
        "Thermidor": 11, "reform": 11, "bureaucratic consolidation": 11}  # fmt: skip
    assert df[df.outcome == "Thermidor"].threshold.tolist() == pytest.approx(
        [0.05 * i for i in range(11)]
    )
    assert df[df.outcome == "reform"].threshold.tolist() == pytest.approx(
        [0.5 + 0.05 * i for i in range(11)]
    )
    cons = df[df.outcome == "bureaucratic consolidation"]
    assert cons.threshold.tolist() == pytest.approx([-0.05 + 0.025 * i for i in range(11)])
    assert set(cons.parameter) == {"outcome.consolidation_margin"}
    monkeypatch.setattr(thresholds, "scenario_of", lambda path: _scenario(consolidation_beta=0.9))
    cons = thresholds.curves("anywhere").query("outcome == 'bureaucratic consolidation'")
    assert set(cons.parameter) == {"outcome.consolidation_beta"}
    assert cons.threshold.tolist() == pytest.approx([0.5 + 0.05 * i for i in range(11)])
    assert set(cons["default"]) == {0.9}


def test_table_lines_by_hand() -> None:
    df = pd.DataFrame(
        {"outcome": ["reform", "reform", "Thermidor"],
         "parameter": ["outcome.reform_pi", "outcome.reform_pi", "outcome.thermidor_pi"],
         "threshold": [0.7, 0.75, 0.25], "default": [0.75, 0.75, 0.25],
         "p": [0.5, 0.25, 0.1], "p_high": [0.5, 0.3, 0.1]}
    )  # fmt: skip
    assert thresholds.table_lines(df) == [
        "P(reform) over outcome.reform_pi (default 0.75): 0.7: 0.50, 0.75: 0.25-0.30",
        "P(Thermidor) over outcome.thermidor_pi (default 0.25): 0.25: 0.10",
    ]


@pytest.mark.parametrize("seed", [11, np.random.SeedSequence(5, spawn_key=(3,))])
def test_a_single_run_directory_gives_its_rows_and_its_stream_key(tmp_path, seed) -> None:
    """A run directory (not an experiment): its rows are run 0's, and its stream key is the
    documented child of its seed, SeedSequence(entropy, spawn_key=(*spawn_key, 0x57EA)),
    written out here (an int seed is its entropy with no spawn key)."""
    from thermidor.engine import simulate
    from thermidor.runstore import write_run

    sc = load_scenario("tiny", weeks=3)
    result = simulate(sc, seed=seed)
    write_run(result, tmp_path / "run")
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    key = np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, 0x57EA))
    assert thresholds.stream_keys(tmp_path / "run") == {0: int(key.generate_state(1, np.uint64)[0])}
    rows = thresholds.rows(tmp_path / "run")
    assert rows.run.tolist() == [0] * 4 and rows.week.tolist() == [0, 1, 2, 3]
    assert set(rows.columns) == set(thresholds.COLUMNS)
    stored = result.timeseries.to_pandas()
    assert rows.pi.tolist() == stored.pi.tolist() and rows.beta.tolist() == stored.beta.tolist()
