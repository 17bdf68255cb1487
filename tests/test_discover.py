"""Categorical sweep factors and scenario discovery (PRIM) on a sweep's runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import thermidor
import thermidor.experiments as tx
from conftest import thermidor_cli
from thermidor.analysis.discover import discover, prim_box, target
from thermidor.errors import InputError
from thermidor.experiments.design import make_design, parse_vary
from thermidor.experiments.plan import with_values

STRATEGY = "organisations.0.strategy"


@pytest.fixture(scope="module")
def base() -> dict:
    return thermidor.load_scenario("tiny").model_dump(mode="python")


# --- categorical factors ------------------------------------------------------------------


def test_a_categorical_grid_runs_every_level_and_stores_names(base: dict) -> None:
    v = [
        parse_vary(f"{STRATEGY}=reform,corpse,manifesto", base),
        parse_vary("influence.mu=0.1:0.3:2", base),
    ]
    d = make_design("grid", v)
    assert d.n_points == 6
    assert sorted({d.point(p)[STRATEGY] for p in range(6)}) == ["corpse", "manifesto", "reform"]
    table = d.to_table()
    assert table.schema.field(STRATEGY).type == "string"
    assert sorted(table.column(STRATEGY).to_pylist()) == sorted(
        ["reform", "corpse", "manifesto"] * 2
    )
    sc = with_values(thermidor.load_scenario("tiny"), d.point(2))
    assert sc.organisations[0].strategy == d.point(2)[STRATEGY]


def test_a_categorical_lhs_draws_each_level_in_equal_shares(base: dict) -> None:
    v = [
        parse_vary(f"{STRATEGY}=reform,corpse,manifesto", base),
        parse_vary("influence.mu=0.1:0.3", base),
    ]
    d = make_design("lhs", v, samples=9, seed=2)
    levels = [d.point(p)[STRATEGY] for p in range(9)]
    assert sorted(levels) == sorted(["reform", "corpse", "manifesto"] * 3)  # Latin strata


@pytest.mark.parametrize(
    ("text", "design", "message"),
    [
        (f"{STRATEGY}=reform,bogus", "grid", "'bogus' is not allowed"),
        (f"{STRATEGY}=reform,reform", "grid", "lists 'reform' more than once"),
        (f"{STRATEGY}=reform,", "grid", "two or more values"),
        (f"{STRATEGY}=reform,corpse", "morris", "is categorical: morris needs ordered numbers"),
        (f"{STRATEGY}=reform,corpse", "sobol", "is categorical: sobol needs ordered numbers"),
        ("influence.mu=0.1,0.2", "grid", "not of the form key.path=LOW:HIGH"),
    ],
)
def test_bad_categorical_factors_are_one_clear_error(
    base: dict, text: str, design: str, message: str
) -> None:
    with pytest.raises(InputError) as err:
        make_design(design, [parse_vary(text, base)], samples=4)
    assert message in str(err.value) and "\n" not in str(err.value)


# --- PRIM on a planted box ----------------------------------------------------------------


def test_prim_finds_a_planted_box() -> None:
    """The target holds with probability 0.9 inside 0.6 <= a, b <= 0.3, s in {corpse, reform}
    (mass 0.4 x 0.3 x 2/3 = 0.08) and 0.05 outside; 3,000 runs put about 216 hits inside and
    138 outside, so the planted box has coverage 0.61 and density 0.9 (their sampling sd about
    0.03 and 0.02). PRIM's box must reach coverage >= 0.5 (its floor) and density >= 0.75 (over
    6 sd below 0.9 and far above the base rate 0.12), and find the planted limits within 0.1."""
    rng = np.random.default_rng(7)
    n = 3000
    x = pd.DataFrame(
        {
            "a": rng.random(n),
            "b": rng.random(n),
            "c": rng.random(n),
            "s": pd.Categorical(rng.choice(["reform", "corpse", "manifesto"], n)),
        }
    )
    inside = (x["a"] >= 0.6) & (x["b"] <= 0.3) & (x["s"] != "manifesto")
    y = rng.random(n) < np.where(inside, 0.9, 0.05)
    d = prim_box(x, y.astype(np.int8), "planted", min_coverage=0.5)
    assert d.coverage >= 0.5 and d.density >= 0.75
    assert d.limits is not None
    assert abs(d.limits["a"][0] - 0.6) <= 0.1 and d.limits["a"][1] >= 0.9
    assert abs(d.limits["b"][1] - 0.3) <= 0.1 and d.limits["b"][0] <= 0.1
    assert d.limits["s"] == ["corpse", "reform"]
    by = d.by_level["s"]  # inside the box, per strategy: [hits, runs]
    assert by["manifesto"][1] == 0
    for level in ("corpse", "reform"):
        assert by[level][0] / by[level][1] >= 0.75, by
    assert by["corpse"][0] + by["reform"][0] == round(d.coverage * d.hits)
    traj = d.trajectory
    assert traj is not None and traj["density"].iloc[-1] >= traj["density"].iloc[0]
    assert traj["coverage"].iloc[0] == pytest.approx(1.0)
    assert traj["density"].iloc[0] == pytest.approx(y.mean())  # the whole design: the base rate


def test_a_target_that_never_holds_has_no_box_and_says_so() -> None:
    x = pd.DataFrame({"a": np.linspace(0, 1, 50)})
    d = prim_box(x, np.zeros(50, np.int8), "reform")
    assert d.limits is None and d.note == "never happens in any of the 50 runs"


# --- on a stored sweep ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("disc") / "sw"
    tx.sweep(
        "tiny", [f"{STRATEGY}=reform,corpse", "influence.mu=0.05:0.3"], design="lhs",
        samples=6, weeks=4, out=out, workers=1,
    )  # fmt: skip
    return out


def test_discover_reads_the_stored_factors_and_outcomes(sweep: Path) -> None:
    found = discover(sweep)
    assert [d.target for d in found] == ["reform", "thermidor", "consolidation", "duality"]
    outcomes = tx.open_experiment(sweep).outcomes(["outcome"])
    for d in found:
        assert d.runs == 6
    assert found[3].hits == int((outcomes["outcome"] == "duality open").sum())
    # a run of 4 weeks never reaches year 1: its value at year 1 is its last value
    at_year = target(sweep, "pi_1y > 0.2").sort_index()
    final = target(sweep, "pi > 0.2").sort_index()
    assert at_year.equals(final)


def test_discover_bad_inputs_exit_2_with_one_line(sweep: Path, tmp_path: Path) -> None:
    ens = tmp_path / "ens"
    tx.ensemble("tiny", runs=1, weeks=2, out=ens, workers=1)
    for args, message in [
        ((sweep, "--target", "bogus"), "unknown outcome 'bogus'"),
        ((sweep, "--target", "pi >> 2"), "is not of the form NAME OP NUMBER"),
        ((sweep, "--target", "nothing_2y > 1"), "unknown quantity"),
        ((sweep, "--min-coverage", "0"), "--min-coverage: must lie in (0, 1]"),
        ((ens,), "has no varied factors"),
    ]:
        ran = thermidor_cli("discover", *args)
        assert ran.code == 2, ran
        assert message in ran.err and ran.err.count("\n") == 1, ran.err
    ran = thermidor_cli("discover", sweep, "--json", "--target", "duality")
    assert ran.code == 0, ran.err
    [d] = json.loads(ran.out)
    assert d["target"] == "duality" and d["runs"] == 6


def test_the_report_section_shows_the_boxes_and_says_what_never_happens() -> None:
    from thermidor.report.discovery import section

    rng = np.random.default_rng(3)
    x = pd.DataFrame(
        {"a": rng.random(400), "s": pd.Categorical(rng.choice(["reform", "corpse"], 400))}
    )
    hit = prim_box(x, (x["a"] > 0.7).to_numpy().astype(np.int8), "thermidor")
    never = prim_box(x, np.zeros(400, np.int8), "reform")
    closes = pd.DataFrame({"condition": ["the Left holds the CC"], "runs": ["0 of 400"]})
    html = section([([never, hit], "Over out/sweep")], {"reform": closes})
    assert "Over out/sweep (400 runs)" in html
    assert "<strong>reform</strong>: never happens in any run" in html
    assert f"{hit.coverage:.2f}" in html and "<svg" in html
    assert "never happens in any of the 400 runs" in html  # the table's box cell says it too
    assert "What closes reform" in html and "the Left holds the CC" in html


def test_several_sweeps_map_together_with_their_scenario_as_a_factor(
    sweep: Path, tmp_path: Path
) -> None:
    """The demo's map over the posterior: sweeps of the same factors, runs pooled, each
    sweep's scenario one more categorical factor; sweeps of other factors are refused."""
    from thermidor.analysis.discover import SCENARIO

    other = tmp_path / "other"
    tx.sweep(
        "tiny", [f"{STRATEGY}=reform,corpse", "influence.mu=0.05:0.3"], design="lhs",
        samples=4, weeks=4, out=other, workers=1, overrides=["name=tiny-b"],
    )  # fmt: skip
    split = ["pi > 0.503", "kernel_left_active > 0.16", "duality"]  # the first two split runs
    one, two = discover(sweep, split), discover(other, split)
    both = discover([sweep, other], split)
    for d, a, b in zip(both, one, two, strict=True):
        assert d.runs == a.runs + b.runs == 10 and d.hits == a.hits + b.hits
    boxed = [d for d in both if d.by_level is not None]
    assert boxed  # PRIM found a box for at least one target, with the scenario as a factor
    for d in boxed:
        assert set(d.by_level[SCENARIO]) == {"tiny", "tiny-b"}
        inside = sum(n for _, n in d.by_level[SCENARIO].values())
        assert inside == round(d.mass * d.runs)
    ran = thermidor_cli("discover", sweep, other, "--json", "--target", "pi > 0")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)[0]["runs"] == 10
    page = tmp_path / "r.html"
    ran = thermidor_cli("report", sweep, "-o", page, "--discover", f"{sweep},{other}",
                        "--discover", str(sweep), "--calibration", "shipped")  # fmt: skip
    assert ran.code == 0, ran.err
    text = page.read_text()
    assert text.count("<h3>over ") == 2 and "(10 runs)" in text and "(6 runs)" in text
    assert "Calibrated to 1928-29, tested on 1930-32" in text
    assert "is not a sweep over a posterior" in text  # no retrodiction from this sweep
    third = tmp_path / "third"
    tx.sweep("tiny", ["influence.mu=0.05:0.3"], design="lhs", samples=2, weeks=2, out=third,
             workers=1)  # fmt: skip
    ran = thermidor_cli("discover", sweep, third)
    assert ran.code == 2 and "must vary the same factors" in ran.err and ran.err.count("\n") == 1
