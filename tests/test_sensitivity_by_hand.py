"""The sensitivity analysis (analysis/sensitivity.py) on synthetic runs whose indices are known.

The three sweeps are the real ones (the plan, the store, the runs table, DuckDB, SALib), but each
run is a made-up function of the two parameters varied, written in the store's layout in place
of a simulation (`task_fn`, on a thread pool): no engine, a second or two. With Morris on 4
levels a step moves a parameter by 2/3 of its range, and SALib's elementary effect is the change
of the target over that 2/3, so a target `a * x` has mu* = a (high - low) exactly and a target
that does not read `x` has mu* = 0, whatever points the design drew. The ranges are half and one
and a half times the defaults of `tiny` (power.kernel_weight 0.05, outcome.thermidor_hazard 0.01).
"""

from __future__ import annotations

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from pydantic import BaseModel, Field

import thermidor.analysis.sensitivity as sens
import thermidor.experiments as tx
from thermidor.errors import InputError
from thermidor.experiments.plan import Task
from thermidor.experiments.store import part_path, write_table
from thermidor.experiments.task import tables

K, H = "power.kernel_weight", "outcome.thermidor_hazard"
K_LOW, K_HIGH = 0.025, 0.075  # 0.05 x 0.5 and x 1.5
H_LOW, H_HIGH = 0.005, 0.015  # 0.01 x 0.5 and x 1.5
# the weeks of the synthetic time series: the rows around years 2, 5 and 10 (weeks 104, 260, 520)
WEEKS = [0, 52, 103, 104, 105, 259, 260, 261, 519, 520, 521]
START = dt.date(1928, 10, 1)  # tiny's first week


def synthetic_run(task: Task) -> dict:
    """A run of the sweep `task.out` (base, reform or corpse) as a function of k and h.

    Replicate 0: reform if k is in the upper half of its range, else duality open. Replicate 1:
    Thermidor if h is in the upper half (reform in the `reform` variant), else duality open. So a
    point's P(reform) is K/2 (K: k high), P(Thermidor) H/2, and P(reform | reform) - P(reform |
    corpse) = (K/2 + H/2) - K/2 = H/2. pi = k week / 52, beta = h week / 52; weeks run
    100 + 30 (k's level, 0 to 3); at the end the active kernel 3 h, the expelled 5 k, the
    capitulated 7 k + 11 h. The variants' strategies are checked: a wrong one fails the run."""
    variant = Path(task.out).name
    orgs = task.scenario.organisations
    if variant != "base" and any(o.strategy != variant or not o.active for o in orgs):
        raise ValueError(f"{variant}: {[(o.strategy, o.active) for o in orgs]}")
    if variant == "base" and [o.strategy for o in orgs] != ["reform", "corpse"]:
        raise ValueError(f"base: {[o.strategy for o in orgs]}")
    k, h = task.params[K], task.params[H]
    k_high, h_high = k > (K_LOW + K_HIGH) / 2, h > (H_LOW + H_HIGH) / 2
    if task.replicate == 0:
        outcome = "reform" if k_high else "duality open"
    else:
        upper = "reform" if variant == "reform" else "Thermidor"
        outcome = upper if h_high else "duality open"
    level = round((k - K_LOW) / (K_HIGH - K_LOW) * 3)
    n = len(WEEKS)
    ts = pa.table(
        {
            "week": pa.array(WEEKS, pa.int64()),
            "date": pa.array([START + dt.timedelta(weeks=w) for w in WEEKS], pa.date32()),
            "pi": [k * w / 52 for w in WEEKS],
            "beta": [h * w / 52 for w in WEEKS],
            "kernel_left_active": [3 * h] * n,
            "expelled": [5 * k] * n,
            "capitulated": [7 * k + 11 * h] * n,
            # what the report's closures read besides (no target reads them)
            "cc_holder": ["Centre"] * n,
            "left_top": [0.0] * n,
            "beta_star": [float("nan")] + [0.5] * (n - 1),
            "functionary_d": [0.3] * n,
        }
    )
    result = SimpleNamespace(
        outcome={"outcome": outcome, "week": None, "date": None, "weeks_run": 100 + 30 * level,
                 "persons": 10, "cells": 1},
        timeseries=ts,
        cells=pa.table({"week": pa.array([0], pa.int64()), "cell": pa.array([0], pa.int32())}),
    )  # fmt: skip
    for table, data in tables(result, task.run).items():
        write_table(part_path(Path(task.out), table, task.run), data)
    return {"run": task.run, "seconds": 0.0, "outcome": outcome, "host": "here", "pid": 0}


@pytest.fixture
def synthetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sweep of the analysis runs `synthetic_run` on two threads."""
    real = tx.sweep

    def sweep(*args, **kwargs):
        kwargs.pop("workers", None)
        with ThreadPoolExecutor(2) as pool:
            return real(*args, **kwargs, executor=pool, task_fn=synthetic_run)

    monkeypatch.setattr(tx, "sweep", sweep)


# mu* of each target over (k, h), by hand (module docstring): a (high - low) for a target a x;
# the outcome shares change by 1/2 on a step, so by 1/2 / (2/3) = 0.75; weeks run by 2 levels
# (60 weeks) on a step of k, so by 60 / (2/3) = 90
K_RANGE, H_RANGE = K_HIGH - K_LOW, H_HIGH - H_LOW
MU_STAR = {
    "P(reform)": (0.75, 0.0),
    "P(Thermidor)": (0.0, 0.75),
    "P(reform | reform) - P(reform | corpse)": (0.0, 0.75),
    "pi at year 2": (2 * K_RANGE, 0.0),
    "pi at year 5": (5 * K_RANGE, 0.0),
    "pi at year 10": (10 * K_RANGE, 0.0),
    "beta at year 2": (0.0, 2 * H_RANGE),
    "beta at year 5": (0.0, 5 * H_RANGE),
    "beta at year 10": (0.0, 10 * H_RANGE),
    "weeks in duality": (90.0, 0.0),
    "kernel at the end": (0.0, 3 * H_RANGE),
    "expelled at the end": (5 * K_RANGE, 0.0),
    "capitulated at the end": (7 * K_RANGE, 11 * H_RANGE),
}


def test_morris_indices_of_known_functions(synthetic, tmp_path: Path) -> None:
    """4 trajectories of 3 points (2 parameters), 2 replicates, 3 variants: 72 runs. Every
    target's mu* is the one worked out above, its confidence 0 (every elementary effect of a
    target on a parameter has the same size), and the table written is the table returned."""
    out = tmp_path / "sa"
    table = sens.sensitivity("tiny", out, keys=[K, H], samples=4, replicates=2)
    assert sorted(p.name for p in out.iterdir()) == ["base", "corpse", "indices.parquet", "reform"]
    assert list(table["target"].unique()) == list(MU_STAR)
    for target, (mu_k, mu_h) in MU_STAR.items():
        rows = table[table["target"] == target].set_index("parameter")
        assert list(rows.index) == [K, H]
        assert rows.loc[K, "index"] == pytest.approx(mu_k, abs=1e-9), target
        assert rows.loc[H, "index"] == pytest.approx(mu_h, abs=1e-9), target
        assert np.allclose(rows["conf"], 0.0, atol=1e-9), target
    assert (table["runs"] == 72).all() and (table["scale"] == 0.0005).all()
    assert (table["method"] == "morris").all()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "indices.parquet"), table)
    info = sens.describe(out)
    assert info == {"runs": 72, "scenario": "tiny", "weeks": 104, "scale": 0.0005, "points": 12,
                    "runs_per_point": 2}  # fmt: skip


def test_sobol_total_order_of_known_functions(synthetic, tmp_path: Path) -> None:
    """Sobol, 4 base samples: 4 (2 + 2) = 16 points, rows A, AB_k, AB_h, B of each sample. A
    target that does not read a parameter has ST 0 exactly (f(A) = f(AB)); the other's ST is
    the Jansen estimator 0.5 mean((f(A) - f(AB))^2) / var(f(A), f(B)), worked out here from the
    points the design drew and the functions of `synthetic_run`."""
    method = " sobol ".strip()  # read at run time (a new string, not the literal's object)
    table = sens.sensitivity("tiny", tmp_path / "sa", method=method, keys=[K, H], samples=4)
    assert (table["method"] == "sobol").all() and (table["runs"] == 96).all()
    design = tx.open_experiment(tmp_path / "sa" / "base").design()
    k, h = design[K].to_numpy(), design[H].to_numpy()
    by_hand = {
        "P(reform)": (k > 0.05) / 2,
        "P(Thermidor)": (h > 0.01) / 2,
        "P(reform | reform) - P(reform | corpse)": (h > 0.01) / 2,
        "pi at year 5": 5 * k,
        "beta at year 10": 10 * h,
        "capitulated at the end": 7 * k + 11 * h,
    }
    for target, y in by_hand.items():
        rows = table[table["target"] == target].set_index("parameter")
        a, ab_k, ab_h, b = (y.reshape(4, 4)[:, i] for i in range(4))
        for key, ab in ((K, ab_k), (H, ab_h)):
            st = 0.5 * np.mean((a - ab) ** 2) / np.var(np.concatenate([a, b]))
            assert rows.loc[key, "index"] == pytest.approx(st, rel=1e-9, abs=1e-12), (target, key)
    assert (table[table["target"] == "P(reform)"].set_index("parameter").loc[H, "index"]) == 0


class _Inner(BaseModel):
    rate: float = Field(0.8, ge=0.0, le=1.0)  # 1.5 x 0.8 > 1: (0.4, 1.0)


class _Section(BaseModel):
    weight: float = Field(2.0, ge=0.0, le=10.0)  # (1.0, 3.0)
    floor: float = Field(1.2, ge=1.0)  # 0.5 x 1.2 < 1: (1.0, 1.8)
    positive: float = Field(0.3, gt=0.2)  # gt is a lower bound too: (0.2, 0.45)
    count: int = Field(3, ge=1)  # an integer: (floor 1.5, ceil 4.5) = (1, 5)
    small: int = Field(1, ge=1, le=1)  # (1, 1): cannot vary
    zero: float = 0.0  # no relative range
    negative: float = -0.1  # 0.5 x -0.1 > 1.5 x -0.1: no range
    flag: bool = True
    rule: str = "a"
    inner: _Inner = _Inner()


def test_parameters_and_their_ranges_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half to one and a half times the value, clipped to ge/gt and le; integers widened to
    whole numbers; zero, negative, fixed, boolean and text values left out; nested tables
    walked. Only the submodel sections are read."""
    monkeypatch.setattr(sens, "SECTIONS", ("one", "two"))
    sc = SimpleNamespace(one=_Section(), two=_Inner(rate=0.5), other=_Section())
    assert sens.parameters(sc) == {
        "one.weight": (1.0, 3.0),
        "one.floor": (1.0, pytest.approx(1.8)),
        "one.positive": (0.2, pytest.approx(0.45)),
        "one.count": (1.0, 5.0),
        "one.inner.rate": (0.4, 1.0),
        "two.rate": (0.25, 0.75),
    }
    assert sens._bounds(_Section(), "positive") == (0.2, np.inf)
    assert sens._bounds(_Section(), "zero") == (-np.inf, np.inf)


def test_design_of_the_default_list_and_of_every_parameter() -> None:
    """The default list (docs/experiments.md), its ranges and sweeps; 'all' and --set."""
    d = sens.design("tiny", weeks=10)
    assert list(d.ranges) == [
        "influence.cadre_contacts", "confidence.credibility_dead", "activation.mobilisation",
        "hierarchy.appointed", "power.kernel_weight", "power.degeneration_weight",
        "power.beta_decay", "outcome.thermidor_hazard", "outcome.thermidor_pi",
        "outcome.consolidation_margin",
    ]  # fmt: skip
    assert d.ranges["influence.cadre_contacts"] == (5.0, 15.0)
    assert d.vary[0] == "influence.cadre_contacts=5.0:15.0"
    assert d.scenario.weeks == 10 and (d.method, d.samples, d.replicates) == ("morris", 8, 2)
    assert d.points == 8 * 11 and d.runs == 3 * 8 * 11 * 2
    assert list(d.plans) == ["base", "reform", "corpse"]
    assert d.variants == {
        "base": [],
        "reform": ["organisations.0.strategy=reform", "organisations.1.strategy=reform",
                   "organisations.0.active=true", "organisations.1.active=true"],
        "corpse": ["organisations.0.strategy=corpse", "organisations.1.strategy=corpse",
                   "organisations.0.active=true", "organisations.1.active=true"],
    }  # fmt: skip
    for name, plan in d.plans.items():
        assert plan.n_points == 88 and plan.n_runs == 176, name
        assert [o.strategy for o in plan.scenario.organisations] == (
            ["reform", "corpse"] if name == "base" else [name, name]
        )
    read = " all ".strip()  # 'all' read at run time (a new string, not the literal's object)
    every = sens.design("tiny", keys=read, samples=2, replicates=1)
    assert every.ranges["classes.K0"] == (0.1, pytest.approx(0.3))
    assert every.ranges["expression.rounds"] == (1.0, 5.0)
    assert "leadership.line0" not in every.ranges  # negative: no range
    assert every.points == 2 * (len(every.ranges) + 1) and every.runs == 3 * every.points
    moved = sens.design("tiny", keys=[K], overrides=[f"{K}=0.04"], method="sobol", samples=4)
    assert moved.ranges == {K: (0.02, pytest.approx(0.06))} and moved.points == 4 * 3


def test_an_unknown_parameter_or_strategy_is_refused() -> None:
    with pytest.raises(InputError) as e:
        sens.design("tiny", keys=[K, "power.no_such"])
    assert "power.no_such" in str(e.value) and "--params" in str(e.value)
    with pytest.raises(InputError) as e:
        sens.design("tiny", keys=["leadership.line0"])  # negative: fixed
    assert "leadership.line0" in str(e.value)
    sc = sens.design("tiny", keys=[K]).scenario
    with pytest.raises(InputError) as e:
        sens._variant(sc, "manifesto-of-nobody")
    assert "manifesto-of-nobody" in str(e.value)


def test_check_out_accepts_only_a_sensitivity_directory(tmp_path: Path) -> None:
    sens.check_out(tmp_path / "new")  # not there yet
    done = tmp_path / "done"
    for name in ("base", "reform", "corpse"):
        (done / name).mkdir(parents=True)
    (done / "indices.parquet").write_bytes(b"")
    sens.check_out(done)
    (done / "notes.txt").write_text("mine")
    with pytest.raises(InputError) as e:
        sens.check_out(done)
    assert "'notes.txt'" in str(e.value)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError):
        sens.check_out(tmp_path / "file")


def test_describe_counts_the_sweeps_there(synthetic, tmp_path: Path) -> None:
    """Only the base sweep there: its runs; nothing there: no run."""
    assert sens.describe(tmp_path) == {"runs": 0}
    d = sens.design("tiny", keys=[K, H], samples=2, replicates=3)
    tx.sweep(d.scenario, d.vary, out=tmp_path / "base", design="morris", samples=2,
             runs_per_point=3, progress=False)  # fmt: skip
    expected = {"runs": 18, "scenario": "tiny", "weeks": 104, "scale": 0.0005, "points": 6,
                "runs_per_point": 3}  # fmt: skip
    assert sens.describe(tmp_path) == expected
    assert type(sens.describe(tmp_path)["runs_per_point"]) is int  # 18 // 6, not 3.0
    (tmp_path / "base").rename(tmp_path / "reform")  # a sweep but the base: its runs counted
    assert sens.describe(tmp_path) == {"runs": 18}


class _Clock:
    """perf_counter: 10, 12, 14, ... (two seconds between calls)."""

    def __init__(self) -> None:
        self.t = itertools.count(10.0, 2.0)

    def __call__(self) -> float:
        return next(self.t)


class _Model:
    """A model whose run of n weeks runs them all."""

    def __init__(self, scenario, seed) -> None:
        pass

    def run_for(self, weeks: int) -> int:
        return weeks


def test_estimate_from_the_pilot_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """Initialisation 2 s (t0 10, t1 12), 4 weeks in 2 s (t2 14): 2 + 0.5 x 104 = 54 s a run;
    12 points x 2 runs x 3 = 72 runs on 4 workers: 54 x 72 / 4 = 972 s; on 100 workers, 72 at
    once: 54 s."""
    monkeypatch.setattr(sens, "Model", _Model)
    d = sens.design("tiny", keys=[K, H], samples=4, replicates=2)
    monkeypatch.setattr(sens.time, "perf_counter", _Clock())
    assert d.estimate(workers=4) == pytest.approx(972.0)
    monkeypatch.setattr(sens.time, "perf_counter", _Clock())
    assert d.estimate(workers=100) == pytest.approx(54.0)
    monkeypatch.setattr(sens.time, "perf_counter", _Clock())
    assert d.estimate(workers=4, pilot_weeks=8) == pytest.approx((2 + 2 / 8 * 104) * 72 / 4)
    monkeypatch.setattr(sens.time, "perf_counter", _Clock())
    monkeypatch.setattr(_Model, "run_for", lambda self, weeks: 0)  # the pilot ended at once
    assert d.estimate(workers=4) == pytest.approx((2 + 2 / 1 * 104) * 72 / 4)  # over 1 week
