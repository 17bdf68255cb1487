"""Sensitivity of the strategies' comparison to every parameter (SALib on the sweep machinery).

DESIGN.md principle 1: "the sensitivity analysis must show under which assumptions they
reverse". Three sweeps share one design (the same points, seeds and replicates): the scenario as
given, and the scenario with every organisation following `reform`, then `corpse`. The targets:

    P(reform)                                   the scenario as given
    P(Thermidor)                                the scenario as given
    P(reform | reform) - P(reform | corpse)     the two strategy variants, point by point

Indices: Sobol's total order ST (with its confidence) or Morris' mu* (with its confidence). By
default every numeric parameter of the submodels varies from half to one and a half times its
value, within its schema range; parameters at 0 do not vary (no relative range).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel

import thermidor.experiments as tx
from thermidor.errors import InputError
from thermidor.outputs import check_dir
from thermidor.scenario.load import load_scenario
from thermidor.scenario.schema import Scenario

SECTIONS = (
    "classes", "leadership", "expression", "activation", "influence", "confidence",
    "degeneration", "repression", "membership", "hierarchy", "power", "outcome", "bloc_rules",
)  # fmt: skip
TARGETS = ("P(reform)", "P(Thermidor)", "P(reform | reform) - P(reform | corpse)")


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


def sensitivity(
    scenario: str | Path,
    out: str | Path,
    *,
    method: str = "morris",
    keys: list[str] | None = None,
    samples: int = 8,
    replicates: int = 2,
    weeks: int | None = None,
    overrides: list[str] | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Run the three sweeps into `out`/{base,reform,corpse} and return the indices (long form:
    target, parameter, index, conf). Also written to `out`/indices.parquet."""
    check_out(Path(out))
    sc = load_scenario(str(scenario), overrides, **({"weeks": weeks} if weeks else {}))
    ranges = parameters(sc)
    if keys is not None:
        unknown = [k for k in keys if k not in ranges]
        if unknown:
            raise InputError(
                "--params", f"unknown or fixed parameter (allowed: {', '.join(ranges)})", unknown[0]
            )
        ranges = {k: ranges[k] for k in keys}
    out = Path(out)
    vary = [f"{k}={lo!r}:{hi!r}" for k, (lo, hi) in ranges.items()]
    variants = {"base": [], "reform": _variant(sc, "reform"), "corpse": _variant(sc, "corpse")}
    runs = {}
    for name, extra in variants.items():
        runs[name] = tx.sweep(
            sc, vary, out=out / name, design=method, samples=samples, runs_per_point=replicates,
            overrides=extra, workers=workers, progress=True,
        )  # fmt: skip
    ys = {
        TARGETS[0]: _share(runs["base"], "reform"),
        TARGETS[1]: _share(runs["base"], "Thermidor"),
        TARGETS[2]: _share(runs["reform"], "reform") - _share(runs["corpse"], "reform"),
    }
    frames = []
    for target, y in ys.items():
        idx = tx.indices(runs["base"], y, seed=sc.seed)  # a seeded bootstrap: same report
        main, conf = ("ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf")
        frames.append(
            pd.DataFrame(
                {
                    "target": target,
                    "parameter": idx.index,
                    "index": idx[main].to_numpy(),
                    "conf": idx[conf].to_numpy(),
                    "method": method,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table.to_parquet(out / "indices.parquet")
    return table
