"""Calibration (ABC-SMC), its targets, priors and observables, the posterior and retrodiction."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import thermidor
from conftest import thermidor_cli
from thermidor.calibration import observables as ob
from thermidor.calibration import targets as tg
from thermidor.calibration.abc import Settings, run_abc, weighted_quantile
from thermidor.calibration.priors import Prior, priors
from thermidor.errors import InputError

D = dt.date


# --- targets --------------------------------------------------------------------------------


def test_the_fitted_rows_are_dated_up_to_1929_and_the_holdout_after() -> None:
    """Read the history table afresh: every fitted row (R1929, P03, O10, O11, O12) is dated up
    to 1929-12-31 and every hold-out row after it; values are the table's."""
    rows = pd.read_csv(
        Path(thermidor.__file__).parent / "data" / "history_1923_1935.csv", dtype=str
    ).set_index("id")
    fit, held = tg.builtin("fit"), tg.builtin("holdout")

    def years(ids: str) -> list[int]:
        return [int(y) for i in ids.split("+") for y in re.findall(r"\d{4}", rows.loc[i, "date"])]

    assert all(max(years(ids)) <= 1929 for ids in fit["id"])
    assert all(max(years(ids)) >= 1930 for ids in held["id"])
    assert not set(fit["id"]) & set(held["id"])
    t = {x.id: x for x in tg.parse(fit)}
    assert t["R1929"].value == 1_535_362 and t["R1929"].sd == pytest.approx(0.25 * 1_535_362)
    assert t["O11"].value == 5500 and t["O11"].sd == 1250  # 3000-8000: midpoint, width / 4
    assert t["O10"].value == 150 and t["O10"].sd == pytest.approx(15)  # ~150, grade B
    h = {x.id: x for x in tg.parse(held)}
    assert h["M16+M17"].value == 1_260_874 + 711_609


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        (
            "id,date,value,reliability,observable\nX,1929-01-01,5,B,nonsense\n",
            "unknown observable 'nonsense'",
        ),
        ("id,date,value,observable\nX,1929-01-01,5,members\n", "needs a column sd or reliability"),
        ("id,date,value,reliability,observable\nX,1929-13-01,5,B,members\n", "date must be a date"),
        (
            "id,date,value,reliability,observable\nX,1929-01-01,five,B,members\n",
            "value must be a number",
        ),
        ("id,date,value,reliability,observable\nX,1929-01-01,5,Z,members\n", "reliability grade"),
        (
            "id,from,date,value,sd,observable\nX,1929-05-01,1929-01-01,5,1,arrests\n",
            "is after date",
        ),
        ("id,date,value,sd,observable\nX,1929-01-01,5,0,members\n", "sd > 0"),
        ("id,quantity\nX,y\n", "is not a target table"),
    ],
)
def test_bad_target_tables_are_one_clear_error(tmp_path: Path, csv: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(csv)
    with pytest.raises(InputError) as err:
        tg.load(path)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith(str(path))


# --- observables -------------------------------------------------------------------------------


def test_observables_read_a_known_series() -> None:
    """Four weeks at scale 1:1000 (stocks in agents, flows in persons), read by hand."""
    ts = pd.DataFrame(
        {
            "date": [D(1929, 1, 1), D(1929, 1, 8), D(1929, 1, 15), D(1929, 1, 22)],
            "members": [1000, 1010, 1020, 1030],
            "exiled": [2, 2, 3, 4],
            "exiles_new": [0.0, 0.0, 1000.0, 1000.0],
            "arrests": [0.0, 1000.0, 0.0, 2000.0],
            "purged": [0.0, 5000.0, 5000.0, 0.0],
        }
    )
    s = 0.001
    assert ob.at(ts, "members", D(1929, 1, 10), s) == pytest.approx(1_010_000)
    assert ob.total(ts, "arrests", D(1929, 1, 8), D(1929, 1, 21)) == 1000
    assert ob.exiled_since(ts, s, D(1929, 1, 1), D(1929, 1, 31)) == pytest.approx(4000)
    assert ob.purge_share(ts, s, D(1929, 1, 1), D(1929, 1, 31)) == pytest.approx(1.0)
    assert ob.OBSERVABLES["arrests"].read(ts, s, D(1929, 1, 1), D(1929, 1, 8)) == 1000


# --- priors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["repression.arrest_rate=-1:3"], "outside the allowed range [0, 1000]"),
        (["repression.exile_share=0.5:1.5"], "outside the allowed range [0, 1]"),
        (["repression.nope=1:3"], "unknown or not a numeric parameter"),
        (["nope.arrest_rate=1:3"], "unknown key"),
        (["repression.arrest_rate=3:1"], "LOW must be below HIGH"),
        (["repression.arrest_rate=1"], "is not of the form key.path=LOW:HIGH"),
    ],
)
def test_bad_priors_are_one_clear_error(extra: list[str], message: str) -> None:
    with pytest.raises(InputError) as err:
        priors(thermidor.load_scenario("1928"), extra)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_default_priors_lie_in_the_allowed_ranges_and_hold_the_odd_values() -> None:
    sc = thermidor.load_scenario("1928")
    for p in priors(sc):
        section, name = p.key.split(".")
        assert p.low < getattr(getattr(sc, section), name) < p.high, p.key


# --- ABC-SMC: a simulation-based calibration check ------------------------------------------


@pytest.mark.slow  # 20 ABC-SMC runs: about 2 minutes on 2 busy cores
def test_abc_posterior_covers_the_truth_at_its_nominal_rate(tmp_path: Path) -> None:
    """Simulation-based calibration on a cheap simulator with a known posterior: theta ~
    U(0, 10), y = theta + N(0, 1). For each of 20 replicates a true theta is drawn from the
    prior, one y observed, and ABC-SMC (100 particles, 3 generations) run through `run_abc`
    (the same code as the model's calibration, with its distance, weights and files). The
    central 50 % and 90 % posterior intervals must cover the truth at their nominal rates
    within 3 binomial sd: 90 %: 18 expected, sd 1.34, at least 14 of 20; 50 %: 10 expected,
    sd 2.24, between 4 and 16. (ABC's epsilon > 0 widens the posterior a little: the check
    would catch a posterior much too narrow or much too wide, a wrong weight or quantile.)"""
    rng = np.random.default_rng(2024)
    reps = 20
    prior = [Prior("x.theta", 0.0, 10.0)]
    in50 = in90 = 0
    for r in range(reps):
        truth = rng.uniform(0, 10)
        y = truth + rng.normal()
        target = tg.Target("y", "y", D(1928, 10, 1), D(1928, 10, 1), y, 1.0, "y")

        def simulate(params: dict[str, float]) -> dict[str, float]:
            return {"y": params["x__theta"] + np.random.normal()}

        settings = Settings("synthetic", 1.0, 0, population=100, generations=3, seed=r + 1)
        run_abc(simulate, prior, [target], tmp_path / f"r{r}", settings, quiet=True)
        post = pd.read_parquet(tmp_path / f"r{r}" / "particles.parquet")
        q05, q25, q75, q95 = weighted_quantile(
            post["x.theta"].to_numpy(), post["weight"].to_numpy(), [0.05, 0.25, 0.75, 0.95]
        )
        in50 += q25 <= truth <= q75
        in90 += q05 <= truth <= q95
    assert in90 >= 14, in90
    assert 4 <= in50 <= 16, in50


def test_weighted_quantile_matches_repetition() -> None:
    x = np.array([1.0, 2.0, 3.0])
    w = np.array([1.0, 2.0, 1.0])
    assert weighted_quantile(x, w, 0.5) == pytest.approx(2.0)
    assert weighted_quantile(np.arange(101.0), np.ones(101), 0.9) == pytest.approx(90.0, abs=0.6)


# --- the model: calibrate, resume, retrodict ---------------------------------------------------


def test_calibrate_resumes_and_retrodicts_from_the_stored_posterior(tmp_path: Path) -> None:
    out = tmp_path / "cal"
    args = ["calibrate", "1928", "--out", out, "--only", "--prior",
            "repression.arrest_rate=0.5:4.5", "--population", "6", "--quiet"]  # fmt: skip
    ran = thermidor_cli(*args, "--generations", "1")
    assert ran.code == 0, ran.err
    ran = thermidor_cli(*args, "--generations", "2", "--report")
    assert ran.code == 0, ran.err
    hist = pd.read_parquet(out / "history.parquet")
    assert list(hist["generation"]) == [0, 1]  # the second run continued the first
    assert (hist["acceptance_rate"] <= 1).all() and hist["epsilon"].is_monotonic_decreasing
    post = pd.read_parquet(out / "particles.parquet")
    assert list(post.columns) == ["repression.arrest_rate", "weight"] and len(post) == 6
    assert post["weight"].sum() == pytest.approx(1.0)
    sc = thermidor.load_scenario(out / "calibrated.toml")
    median = weighted_quantile(post.iloc[:, 0].to_numpy(), post["weight"].to_numpy(), 0.5)
    assert sc.repression.arrest_rate == pytest.approx(float(median), rel=1e-5)
    assert sc.name == "1928-calibrated"
    assert (out / "report" / "predictive.png").is_file()
    other = thermidor_cli(*args[:-1], "--population", "7", "--quiet")
    assert other.code == 2 and "another population" in other.err and other.err.count("\n") == 1

    md = tmp_path / "retro.md"
    ran = thermidor_cli("retrodict", out, "--draws", "2", "--quiet", "--markdown", md, "--json")
    assert ran.code == 0, ran.err
    table = json.loads(ran.out)
    assert [r["id"] for r in table] == [t[0] for t in tg.HOLDOUT]
    for r in table:
        assert r["q05"] <= r["q25"] <= r["median"] <= r["q75"] <= r["q95"]
        assert r["in_90"] == (r["q05"] <= r["record"] <= r["q95"])
    assert "Coverage:" in md.read_text() and md.read_text().count("\n| ") == len(table)


@pytest.mark.parametrize("executor", ["process", "dask", "mpi"])
def test_calibrate_on_each_executor(tmp_path: Path, executor: str) -> None:
    """pyabc's sampler on our executors: two workers of a local pool, a Dask LocalCluster, and
    MPI under mpiexec (rank 0 runs pyabc, two ranks simulate)."""
    out = tmp_path / executor
    args = ["calibrate", "1928", "--out", str(out), "--only", "--prior",
            "repression.arrest_rate=0.5:4.5", "--population", "4", "--generations", "1",
            "--executor", executor, "--quiet"]  # fmt: skip
    if executor == "mpi":
        pytest.importorskip("mpi4py")
        bin_ = Path(sys.executable).parent
        if not (bin_ / "mpiexec").exists():
            pytest.skip("no mpiexec beside the interpreter (pip install mpich)")
        cmd = [str(bin_ / "mpiexec"), "-n", "3", sys.executable, "-m", "mpi4py.futures"]
        env = {**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ.get('PATH', '')}"}
        proc = subprocess.run(
            [*cmd, "-m", "thermidor", *args], capture_output=True, text=True, timeout=300, env=env
        )
        assert proc.returncode == 0, proc.stderr
    else:
        ran = thermidor_cli(*args, "--workers", "2")
        assert ran.code == 0, ran.err
    hist = pd.read_parquet(out / "history.parquet")
    assert list(hist["generation"]) == [0] and hist["simulations"].iloc[0] >= 4
    post = pd.read_parquet(out / "particles.parquet")
    assert len(post) == 4 and post["repression.arrest_rate"].between(0.5, 4.5).all()
    assert post["weight"].sum() == pytest.approx(1.0)


def test_calibrate_bad_inputs_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text("id,date,value,reliability,observable\nX,1929-01-01,5,B,nonsense\n")
    for args, message in [
        (["--prior", "repression.arrest_rate=-1:3"], "outside the allowed range"),
        (["--targets", bad], "unknown observable"),
        (["--targets", tmp_path / "none.csv"], "no such target table"),
        (["--population", "1"], "--population"),
        (["--executor", "threads"], "is not an executor"),
        (["--scheduler", "tcp://localhost:1"], "is for --executor dask"),
    ]:
        ran = thermidor_cli("calibrate", "1928", "--out", tmp_path / "c", *args)
        assert ran.code == 2 and message in ran.err and ran.err.count("\n") == 1, ran.err
        assert not (tmp_path / "c").exists()
    ran = thermidor_cli("retrodict", tmp_path)
    assert ran.code == 2 and "holds no posterior" in ran.err


def test_the_shipped_posterior_draws_scenarios_inside_its_priors() -> None:
    from thermidor.calibration import posterior_scenarios
    from thermidor.calibration.posterior import load_posterior

    post = load_posterior()
    assert post.weights.sum() == pytest.approx(1.0) and (post.weights >= 0).all()
    ranges = {p["key"]: (p["low"], p["high"]) for p in post.settings["priors"]}
    assert set(post.keys) == set(ranges)
    draws = posterior_scenarios(5, seed=1)
    assert draws == posterior_scenarios(5, seed=1) and draws != posterior_scenarios(5, seed=2)
    for sets in draws:
        sc = thermidor.load_scenario(post.settings["scenario"], sets)
        for key, (lo, hi) in ranges.items():
            section, name = key.split(".")
            assert lo <= getattr(getattr(sc, section), name) <= hi
    assert post.settings["scale"] == 0.001
    dates = [dt.date.fromisoformat(t["date"]) for t in post.settings["targets"]]
    assert max(dates) <= tg.CUTOFF  # no post-1929 row was a target


def test_a_posterior_plan_runs_the_same_draws_for_every_strategy(tmp_path: Path) -> None:
    """The demo's ensembles over the posterior: one point a draw, the draws set by the seed
    alone, so the strategy scenarios are paired run by run; a posterior of keys the scenario
    lacks is one clear error."""
    from thermidor.calibration.posterior import load_posterior, posterior_plan

    post = load_posterior()
    a = posterior_plan("1928-all-reform", 6, seed=3)
    b = posterior_plan("1928-all-corpse", 6, seed=3)
    assert a.kind == "sweep" and a.n_runs == 6 and a.design.keys == post.keys
    assert np.array_equal(a.design.matrix, b.design.matrix)
    assert not np.array_equal(a.design.matrix, posterior_plan("1928", 6, seed=4).design.matrix)
    for p in range(6):  # every point is a particle of the posterior, set in its scenario
        row = a.design.matrix[p]
        assert (np.abs(post.particles.to_numpy() - row).max(axis=1) == 0).any()
        sc = a.point_scenario(p)
        for key, value in zip(post.keys, row, strict=True):
            section, name = key.split(".")
            assert getattr(getattr(sc, section), name) == pytest.approx(value, rel=1e-12)
    bad = tmp_path / "post"
    bad.mkdir()
    (bad / "settings.json").write_text(json.dumps({"scenario": "1928", "overrides": []}))
    pd.DataFrame({"classes.no_such_key": [1.0], "weight": [1.0]}).to_parquet(
        bad / "particles.parquet"
    )
    with pytest.raises(InputError, match="no_such_key"):
        posterior_plan("1928", 2, path=bad)


def test_retrodiction_read_from_a_sweep_over_the_posterior(tmp_path: Path) -> None:
    """The report's retrodiction from stored runs (the demo's 1928 sweep over the posterior):
    each run's hold-out quantities equal those of the same scenario and seed simulated afresh,
    and the report's section shows the table and its coverage."""
    from thermidor.calibration import retrodict as rd
    from thermidor.calibration.observables import OBSERVABLES, frame
    from thermidor.calibration.posterior import posterior_plan
    from thermidor.engine import simulate
    from thermidor.experiments.api import run
    from thermidor.experiments.plan import run_seed
    from thermidor.report.calibration import inputs, section

    held = rd.holdout()
    weeks = (max(t.date for t in held) - dt.date(1928, 10, 1)).days // 7 + 2
    plan = posterior_plan("1928", 2, seed=5, overrides=["scale=0.0002", f"weeks={weeks}"])
    out = tmp_path / "post"
    run(plan, out, workers=1)
    got = rd.from_experiment(out, held)
    assert len(got) == 2
    for r in range(2):
        sc = plan.point_scenario(r)
        ts = frame(simulate(sc, seed=run_seed(sc.seed, r)).timeseries)
        for t in held:
            want = OBSERVABLES[t.observable].read(ts, sc.scale, t.first, t.date)
            assert got.loc[r, t.id] == pytest.approx(want, rel=1e-12)
    cal = inputs(None, out)
    table = cal["retrodiction"]
    assert list(table["id"]) == [t.id for t in held]
    html = section(**cal)
    n50, n90 = int(table["in_50"].sum()), int(table["in_90"].sum())
    assert f"Coverage: {n50} of {len(held)} rows inside the 50 % interval, {n90}" in html
    assert "repression.arrest_rate" in html  # the posterior's table
    short = tmp_path / "short"
    run(posterior_plan("1928", 1, overrides=["scale=0.0002", "weeks=10"]), short, workers=1)
    with pytest.raises(InputError, match="its runs end before 1932-12-31"):
        rd.from_experiment(short, held)
    assert inputs(None, short)["retrodiction"] is None
