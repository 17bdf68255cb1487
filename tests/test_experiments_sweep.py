"""Sweep designs (grid, Latin hypercube, Sobol, Morris), sweeps, and the sensitivity step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import thermidor
import thermidor.experiments as tx
from thermidor.errors import InputError
from thermidor.experiments.design import make_design, parse_vary
from thermidor.experiments.plan import run_seed, with_values

WEEKS = 10


@pytest.fixture(scope="module")
def base() -> dict:
    return thermidor.load_scenario("tiny").model_dump(mode="python")


def vary(base: dict, *texts: str) -> list[tx.Vary]:
    return [parse_vary(t, base) for t in texts]


def test_grid_is_every_combination_and_integer_keys_stay_whole(base: dict) -> None:
    v = vary(base, "influence.mu=0.1:0.3:3", "hierarchy.every=2:8:4")
    d = make_design("grid", v)
    assert d.matrix.shape == (12, 2)
    assert sorted(set(d.matrix[:, 0])) == pytest.approx([0.1, 0.2, 0.3])
    assert sorted(set(d.matrix[:, 1])) == [2, 4, 6, 8]
    assert len({tuple(r) for r in d.matrix}) == 12
    assert d.point(5) == {"influence.mu": d.matrix[5, 0], "hierarchy.every": int(d.matrix[5, 1])}
    assert isinstance(d.point(5)["hierarchy.every"], int)


def test_lhs_is_a_latin_hypercube_reproducible_by_seed(base: dict) -> None:
    v = vary(base, "influence.mu=0.1:0.5", "confidence.exposure_loss=0:1")
    d = make_design("lhs", v, samples=7, seed=3)
    assert d.matrix.shape == (7, 2)
    for j, (lo, hi) in enumerate([(0.1, 0.5), (0.0, 1.0)]):
        strata = np.floor((d.matrix[:, j] - lo) / (hi - lo) * 7).astype(int)
        assert sorted(strata) == list(range(7))  # one point in each of the 7 strata
    assert np.array_equal(d.matrix, make_design("lhs", v, samples=7, seed=3).matrix)
    assert not np.array_equal(d.matrix, make_design("lhs", v, samples=7, seed=4).matrix)


def test_sobol_and_morris_sizes(base: dict) -> None:
    v = vary(base, "influence.mu=0.1:0.5", "confidence.exposure_loss=0:1", "power.beta_growth=0:1")
    assert make_design("sobol", v, samples=8).n_points == 8 * (3 + 2)
    assert make_design("sobol", v, samples=8, second_order=True).n_points == 8 * (2 * 3 + 2)
    m = make_design("morris", v, samples=3, levels=4)
    assert m.n_points == 3 * (3 + 1)
    levels = np.round((m.matrix[:, 0] - 0.1) / 0.4 * 3, 9)
    assert set(levels) <= {0.0, 1.0, 2.0, 3.0}


@pytest.mark.parametrize(
    ("texts", "design", "samples", "message"),
    [
        (["influence.nope=0:1"], "lhs", 4, "--vary: influence.nope: unknown key"),
        (["influence.mu=0.5:0.1"], "lhs", 4, "LOW must be below HIGH"),
        (["influence.mu=0.1:0.1"], "lhs", 4, "LOW must be below HIGH"),
        (["name=0:1"], "lhs", 4, "name: is not a number"),
        (["influence.mu=a:b"], "lhs", 4, "LOW and HIGH must be numbers"),
        (["influence.mu"], "lhs", 4, "is not of the form key.path=LOW:HIGH"),
        (["hierarchy.every=1.5:3"], "lhs", 4, "integer key"),
        (["influence.mu=0.1:0.5"], "sobol", 6, "sobol needs a power of two"),
        (["influence.mu=0.1:0.5"], "sobol", None, "sobol needs --samples >= 2"),
        (["influence.mu=0.1:0.5"], "lhs", 1, "lhs needs --samples >= 2"),
        (["influence.mu=0.1:0.5"], "morris", None, "morris needs --samples"),
        (["influence.mu=0.1:0.5:1"], "grid", None, "grid needs STEPS >= 2"),
        (["influence.mu=0.1:0.5"], "grid", None, "grid needs STEPS >= 2"),
        (["influence.mu=0.1:0.5:3"], "lhs", 4, "STEPS is for the grid design"),
        (["influence.mu=0.1:0.5", "influence.mu=0:1"], "lhs", 4, "is given more than once"),
        ([], "lhs", 4, "at least one --vary"),
        (["influence.mu=0.1:0.5"], "factorial", 4, "'factorial' is not a design"),
    ],
)
def test_bad_designs_are_one_clear_error(
    base: dict, texts: list[str], design: str, samples: int | None, message: str
) -> None:
    with pytest.raises(InputError) as err:
        make_design(design, vary(base, *texts), samples)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_point_outside_the_schema_is_refused_before_running(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--vary: .*at the point influence.mu=1"):
        tx.sweep("tiny", ["influence.mu=0.5:1.5:3"], out=tmp_path / "sw", weeks=WEEKS)
    assert not (tmp_path / "sw").exists()


def test_sweep_runs_point_by_replicate_with_its_parameters(tmp_path: Path) -> None:
    out = tmp_path / "grid"
    keys = {"influence.mu": (0.1, 0.4, 2), "hierarchy.every": (2, 6, 2)}
    sw = tx.sweep("tiny", keys, design="grid", runs_per_point=2, weeks=WEEKS, out=out, workers=2)
    assert sw.status().done == 8 and sw.kind == "sweep"
    runs, design = sw.runs(), sw.design()
    assert list(runs.run) == list(runs.point * 2 + runs.replicate) == list(range(8))
    merged = runs.merge(design, on="point", suffixes=("", "_design"))
    for key in keys:
        assert (merged[key] == merged[f"{key}_design"]).all()
    assert runs["hierarchy.every"].dtype.kind == "i"

    # run 7 (point 3, replicate 1) is simulate(point 3's scenario, seed spawn_key=(7,)), the
    # seeding docs/experiments.md documents (written out here, not the code's run_seed)
    sc = thermidor.load_scenario("tiny", weeks=WEEKS)
    point = {k: runs.loc[7, k].item() for k in keys}
    seed = np.random.SeedSequence(sc.seed, spawn_key=(7,))
    direct = thermidor.simulate(with_values(sc, point), seed=seed)
    got = sw.outcomes().set_index("run").loc[7]
    assert got["pi"] == direct.outcome["final"]["pi"]
    assert got["worker_x"] == direct.outcome["final"]["worker_x"]

    again = tx.sweep("tiny", keys, design="grid", runs_per_point=2, weeks=WEEKS, out=out)
    assert (again.report.now, again.report.before) == (0, 8)
    with pytest.raises(InputError, match="another experiment.*its design differs"):
        tx.sweep("tiny", {"influence.mu": (0.1, 0.5, 2), "hierarchy.every": (2, 6, 2)},
                 runs_per_point=2, weeks=WEEKS, out=out)  # fmt: skip


def test_sobol_indices_find_the_one_key_that_matters(tmp_path: Path) -> None:
    keys = ["influence.mu=0.1:0.5", "confidence.exposure_loss=0:1"]
    sw = tx.sweep(
        "tiny", keys, design="sobol", samples=4, runs_per_point=2, weeks=WEEKS,
        out=tmp_path / "sobol", workers=2,
    )  # fmt: skip
    assert sw.status().done == 4 * (2 + 2) * 2
    # a metric that is exactly the first key: all of its variance is the first key's
    si = tx.analyze(sw, '"influence.mu" * 10 + 0 * pi', seed=1)
    assert list(si.index) == ["influence.mu", "confidence.exposure_loss"]
    assert si.loc["confidence.exposure_loss", ["S1", "ST"]].abs().max() < 1e-12
    assert si.loc["influence.mu", "ST"] > 0.5
    # a real metric: the indices are those of the per-point mean of each run's final pi, the
    # means computed here from the stored runs and outcomes
    real = tx.analyze(sw, "pi", seed=1)
    assert np.isfinite(real.to_numpy()).all()
    final = sw.runs()[["run", "point"]].merge(sw.outcomes()[["run", "pi"]], on="run")
    means = final.groupby("point").pi.mean().sort_index().to_numpy()
    assert len(means) == 4 * (2 + 2) and np.ptp(means) > 0
    pd.testing.assert_frame_equal(real, tx.indices(sw, means, seed=1))


def test_morris_effects_and_analyze_refuses_other_designs(tmp_path: Path) -> None:
    keys = ["influence.mu=0.1:0.5", "confidence.exposure_loss=0:1"]
    sw = tx.sweep(
        "tiny", keys, design="morris", samples=2, weeks=WEEKS, out=tmp_path / "m", workers=2
    )
    ee = tx.analyze(sw, '"confidence.exposure_loss"', seed=1)
    assert ee.loc["influence.mu", "mu_star"] == 0.0
    assert ee.loc["confidence.exposure_loss", "mu_star"] == pytest.approx(1.0)
    grid = tx.sweep("tiny", ["influence.mu=0.1:0.5:2"], weeks=WEEKS, out=tmp_path / "g")
    with pytest.raises(InputError, match="need a sobol or morris sweep"):
        tx.analyze(grid, "pi")
    assert isinstance(grid.design(), pd.DataFrame) and len(grid.design()) == 2


def test_indices_take_plain_values_per_point(tmp_path: Path) -> None:
    keys = ["influence.mu=0.1:0.5", "confidence.exposure_loss=0:1"]
    sw = tx.sweep("tiny", keys, design="sobol", samples=16, weeks=1, out=tmp_path / "s", workers=1)
    x = sw.design()[["influence.mu", "confidence.exposure_loss"]].to_numpy()
    si = tx.indices(sw, 3 * x[:, 1], seed=1)  # y depends on the second key alone
    assert si.loc["influence.mu", ["S1", "ST"]].abs().max() < 1e-12
    assert si.loc["confidence.exposure_loss", "ST"] > 0.5
    assert tx.point_means(sw, '"influence.mu"') == pytest.approx(x[:, 0])
    with pytest.raises(InputError, match="one value per point"):
        tx.indices(sw, x[:3, 0])


@pytest.mark.parametrize(
    ("root", "run", "state"),
    [
        # np.random.SeedSequence(root, spawn_key=(run,)).generate_state(2), computed once with
        # numpy 2 and written down: the seeding must not change under a refactoring
        (20281001, 0, [257996771, 3671740853]),
        (20281001, 7, [2459462672, 2967964874]),
        (1, 3, [3056722145, 2430819912]),
    ],
)
def test_run_seed_is_the_documented_spawn_key(root: int, run: int, state: list[int]) -> None:
    """Run i of an experiment with root seed R: SeedSequence(R, spawn_key=(i,)), which is also
    SeedSequence(R).spawn(n)[i] (docs/experiments.md)."""
    seed = run_seed(root, run)
    assert seed.generate_state(2).tolist() == state
    assert np.random.SeedSequence(root).spawn(run + 1)[run].generate_state(2).tolist() == state
