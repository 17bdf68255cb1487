"""Sensitivity of the strategies' comparison to every parameter (SALib on the sweep machinery).

The design's first principle: "the sensitivity analysis must show under which assumptions they
reverse". Three sweeps share one design (the same points, seeds and replicates): the scenario as
given, and the scenario with every organisation following `reform`, then `corpse`. The targets:

    P(reform)                                   the scenario as given
    P(Thermidor)                                the scenario as given
    P(reform | reform) - P(reform | corpse)     the two strategy variants, point by point

and, on the scenario as given, continuous ones that move where an outcome's probability stays at
0 (a Morris mu* of a target that is 0 everywhere is 0): pi and beta at years 2, 5 and 10 (a run
ended earlier by an absorbing outcome keeps its last value), the weeks in duality (until an
outcome or the horizon), and at the run's end the active Left kernel and the expelled and
capitulated persons. The table states the runs and the scale beside the indices.

Indices: Sobol's total order ST (with its confidence) or Morris' mu* (with its confidence). Each
parameter varies from half to one and a half times its value, within its schema range; parameters
at 0 do not vary (no relative range). By default the short list `DEFAULT_PARAMETERS` varies (the
strategies' levers and the power balance they act on); `keys="all"` varies every numeric
parameter of the submodels.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel

import thermidor.experiments as tx
from thermidor.engine import Model
from thermidor.errors import InputError
from thermidor.outputs import check_dir
from thermidor.scenario.load import load_scenario
from thermidor.scenario.schema import Scenario

SECTIONS = (
    "classes", "leadership", "expression", "activation", "influence", "confidence",
    "degeneration", "repression", "membership", "hierarchy", "power", "outcome", "bloc_rules",
)  # fmt: skip
YEARS = (2, 5, 10)
# continuous targets: (name, DuckDB expression per run; at_c_k: column c at year k)
CONTINUOUS = (
    *((f"{c} at year {k}", f"at_{c}_{k}") for c in ("pi", "beta") for k in YEARS),
    ("weeks in duality", "weeks_run"),
    ("kernel at the end", "kernel_left_active"),
    ("expelled at the end", "expelled"),
    ("capitulated at the end", "capitulated"),
)
TARGETS = (
    "P(reform)",
    "P(Thermidor)",
    "P(reform | reform) - P(reform | corpse)",
    *(name for name, _ in CONTINUOUS),
)
# the default short list: how the cadres reach the cells and what saying "corpse" costs them
# (the strategies' levers), and the balance of power and the hazard they act on
DEFAULT_PARAMETERS = (
    "influence.cadre_contacts",
    "confidence.credibility_dead",
    "activation.mobilisation",
    "hierarchy.appointed",
    "power.kernel_weight",
    "power.degeneration_weight",
    "power.beta_decay",
    "outcome.thermidor_hazard",
    "outcome.thermidor_pi",
    "outcome.consolidation_margin",
)
VARIANTS = ("base", "reform", "corpse")


def _bounds(model: BaseModel, name: str) -> tuple[float, float]:
    lo, hi = -np.inf, np.inf
    for m in type(model).model_fields[name].metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    return lo, hi


def parameters(sc: Scenario) -> dict[str, tuple[float, float]]:
    """Every numeric submodel parameter that can vary, with its default range (x0.5 .. x1.5)."""
    out = {}

    def walk(model: BaseModel, prefix: str) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            key = f"{prefix}.{name}"
            if isinstance(value, BaseModel):
                walk(value, key)
            elif isinstance(value, int | float) and not isinstance(value, bool) and value != 0:
                lo, hi = _bounds(model, name)
                low, high = max(lo, 0.5 * value), min(hi, 1.5 * value)
                if isinstance(value, int):
                    low, high = float(np.floor(low)), float(np.ceil(high))
                if low < high:
                    out[key] = (low, high)

    for section in SECTIONS:
        walk(getattr(sc, section), section)
    return out


VARIANTS = ("base", "reform", "corpse")


def check_out(out: Path) -> None:
    """Refuse an `out` that is, or lies in, an experiment, or holds anything but a sensitivity
    analysis (its three sweeps and indices.parquet), before anything is written."""
    check_dir(out, "--out")
    if out.is_dir():
        other = sorted(
            p.name for p in out.iterdir() if p.name not in (*VARIANTS, "indices.parquet")
        )
        if other:
            raise InputError(
                str(out),
                f"exists, is not empty and holds no sensitivity analysis (it holds {other[0]!r}); "
                "use another --out",
            )


def _variant(sc: Scenario, strategy: str) -> list[str]:
    if strategy not in sc.strategies:
        raise InputError(sc.name, f"has no strategy {strategy!r} to compare", "strategies")
    return [f"organisations.{i}.strategy={strategy}" for i in range(len(sc.organisations))] + [
        f"organisations.{i}.active=true" for i in range(len(sc.organisations))
    ]


def _share(exp: tx.Experiment, outcome: str) -> np.ndarray:
    """Each point's share of runs ending in `outcome`."""
    return tx.point_means(exp, f"outcome = '{outcome}'")


def _continuous(exp: tx.Experiment) -> dict[str, np.ndarray]:
    """Each point's mean of every continuous target (point order)."""
    years = ", ".join(
        f"arg_max({c}, week) FILTER (WHERE week <= {52 * k}) AS at_{c}_{k}"
        for c in ("pi", "beta")
        for k in YEARS
    )
    cols = ", ".join(f'avg(CAST({expr} AS DOUBLE)) AS "{name}"' for name, expr in CONTINUOUS)
    y = exp.query(
        f"WITH t AS (SELECT run, {years} FROM timeseries GROUP BY run) "
        f"SELECT point, {cols} FROM outcomes JOIN runs USING (run) JOIN t USING (run) "
        "GROUP BY point ORDER BY point"
    )
    return {name: y[name].to_numpy(np.float64) for name, _ in CONTINUOUS}


@dataclass
class Design:
    """What a sensitivity analysis will run: its scenario, parameters, three sweeps' plans."""

    scenario: Scenario
    ranges: dict[str, tuple[float, float]]
    vary: list[str]
    variants: dict[str, list[str]]
    plans: dict[str, tx.Plan]
    method: str
    samples: int
    replicates: int

    @property
    def points(self) -> int:
        """Points of the design (each sweep runs all of them)."""
        return self.plans["base"].n_points

    @property
    def runs(self) -> int:
        """Runs of the three sweeps together."""
        return sum(p.n_runs for p in self.plans.values())

    def estimate(self, workers: int | None = None, pilot_weeks: int = 4) -> float:
        """Seconds the runs should take at most on `workers` processes, from a pilot run of
        the scenario (initialisation and `pilot_weeks` weeks, timed after a first week that
        compiles the kernels); runs that end early take less."""
        Model(self.scenario, seed=self.scenario.seed).run_for(1)  # kernels compiled or cached
        t0 = time.perf_counter()
        model = Model(self.scenario, seed=self.scenario.seed)
        t1 = time.perf_counter()
        weeks = model.run_for(pilot_weeks)
        t2 = time.perf_counter()
        per_run = (t1 - t0) + (t2 - t1) / max(weeks, 1) * self.scenario.weeks
        n = workers or os.cpu_count() or 1
        return per_run * self.runs / min(n, self.runs)


def design(
    scenario: str | Path,
    *,
    method: str = "morris",
    keys: list[str] | str | None = None,
    samples: int = 8,
    replicates: int = 2,
    weeks: int | None = None,
    overrides: list[str] | None = None,
) -> Design:
    """The design of a sensitivity analysis, checked, nothing run. `keys`: None for
    `DEFAULT_PARAMETERS`, "all" for every parameter, or a list of key paths."""
    sc = load_scenario(str(scenario), overrides, **({"weeks": weeks} if weeks else {}))
    ranges = parameters(sc)
    if keys != "all":
        wanted = list(DEFAULT_PARAMETERS if keys is None else keys)
        unknown = [k for k in wanted if k not in ranges]
        if unknown:
            raise InputError(
                "--params",
                f"unknown or fixed parameter (allowed: all, {', '.join(ranges)})",
                unknown[0],
            )
        ranges = {k: ranges[k] for k in wanted}
    vary = [f"{k}={lo!r}:{hi!r}" for k, (lo, hi) in ranges.items()]
    variants = {"base": [], "reform": _variant(sc, "reform"), "corpse": _variant(sc, "corpse")}
    plans = {
        name: tx.sweep_plan(
            sc, vary, design=method, samples=samples, runs_per_point=replicates, overrides=extra
        )
        for name, extra in variants.items()
    }
    return Design(sc, ranges, vary, variants, plans, method, samples, replicates)


def sensitivity(
    scenario: str | Path,
    out: str | Path,
    *,
    method: str = "morris",
    keys: list[str] | str | None = None,
    samples: int = 8,
    replicates: int = 2,
    weeks: int | None = None,
    overrides: list[str] | None = None,
    workers: int | None = None,
    planned: Design | None = None,
) -> pd.DataFrame:
    """Run the three sweeps into `out`/{base,reform,corpse} and return the indices (long form:
    target, parameter, index, conf). Also written to `out`/indices.parquet. `keys`: None for
    `DEFAULT_PARAMETERS`, "all" for every parameter, or a list of key paths."""
    check_out(Path(out))
    d = planned or design(
        scenario, method=method, keys=keys, samples=samples, replicates=replicates, weeks=weeks,
        overrides=overrides,
    )  # fmt: skip
    sc = d.scenario
    out = Path(out)
    runs = {}
    for name, extra in d.variants.items():
        runs[name] = tx.sweep(
            sc, d.vary, out=out / name, design=d.method, samples=d.samples,
            runs_per_point=d.replicates, overrides=extra, workers=workers, progress=True,
        )  # fmt: skip
    ys = {
        TARGETS[0]: _share(runs["base"], "reform"),
        TARGETS[1]: _share(runs["base"], "Thermidor"),
        TARGETS[2]: _share(runs["reform"], "reform") - _share(runs["corpse"], "reform"),
        **_continuous(runs["base"]),
    }
    n_runs = sum(len(r.runs(["run"])) for r in runs.values())
    frames = []
    for target, y in ys.items():
        idx = tx.indices(runs["base"], y, seed=sc.seed)  # a seeded bootstrap: same report
        main, conf = ("ST", "ST_conf") if d.method == "sobol" else ("mu_star", "mu_star_conf")
        frames.append(
            pd.DataFrame(
                {
                    "target": target,
                    "parameter": idx.index,
                    "index": idx[main].to_numpy(),
                    "conf": idx[conf].to_numpy(),
                    "runs": n_runs,
                    "scale": sc.scale,
                    "method": d.method,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table.to_parquet(out / "indices.parquet")
    return table


def describe(out: str | Path) -> dict:
    """What a sensitivity analysis in `out` ran: scenario, weeks, scale, design points, runs a
    point and runs in all (over the three sweeps), for the report to state."""
    out = Path(out)
    info: dict = {"runs": 0}
    for variant in ("base", "reform", "corpse"):
        if not (out / variant).is_dir():
            continue
        exp = tx.open_experiment(out / variant)
        runs = len(exp.outcomes(["outcome"]))
        info["runs"] += runs
        if variant == "base":
            sc = exp.scenario
            design = exp.design()
            points = len(design) if design is not None else 0
            info.update(scenario=sc.name, weeks=sc.weeks, scale=sc.scale, points=points,
                        runs_per_point=runs // points if points else None)  # fmt: skip
    return info
