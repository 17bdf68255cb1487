"""A stored posterior: the particles and weights a calibration wrote, and draws from it.

`posterior_scenarios(n)` draws `n` parameter sets from the posterior shipped with the package
(`thermidor/data/posterior`, from the calibration documented in docs/calibration.md) or from a
calibration directory, as `--set` overrides of the base scenario:

    from thermidor.calibration import posterior_scenarios
    for overrides in posterior_scenarios(20, seed=1):
        sc = thermidor.load_scenario("1928", overrides)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from thermidor.errors import InputError
from thermidor.experiments.design import Design, Vary, lookup
from thermidor.experiments.plan import Plan

SHIPPED = "posterior"  # thermidor/data/posterior


@dataclass
class Posterior:
    """Particles (one column per scenario key), their weights and the calibration's settings."""

    particles: pd.DataFrame
    weights: np.ndarray
    settings: dict
    where: str
    folder: object = None  # a Path or an importlib Traversable: where the files are

    def table(self, name: str) -> pd.DataFrame:
        """Another table the calibration wrote beside the particles (`history`, `predictive`)."""
        try:
            with (self.folder / f"{name}.parquet").open("rb") as f:
                return pd.read_parquet(f)
        except (OSError, ValueError) as err:
            raise InputError(self.where, f"has no readable {name}.parquet ({err})") from None

    @property
    def keys(self) -> list[str]:
        """The calibrated scenario keys."""
        return list(self.particles.columns)

    def draws(self, n: int, seed: int = 0) -> pd.DataFrame:
        """`n` particles drawn by weight (with replacement), reproducibly from `seed`."""
        if n < 1:
            raise InputError("--draws", f"needs at least 1 (got {n})")
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(self.particles), size=n, replace=True, p=self.weights)
        return self.particles.iloc[idx].reset_index(drop=True)


def load_posterior(path: str | Path | None = None) -> Posterior:
    """The posterior in calibration directory `path`, or the shipped one for None."""
    if path is None:
        folder = resources.files("thermidor.data") / SHIPPED
        where = "the shipped posterior"
    else:
        folder, where = Path(path), str(path)
    try:
        with (folder / "settings.json").open(encoding="utf-8") as f:
            settings = json.load(f)
        with (folder / "particles.parquet").open("rb") as f:
            table = pd.read_parquet(f)
    except FileNotFoundError:
        raise InputError(
            where, "holds no posterior (settings.json and particles.parquet of `calibrate`)"
        ) from None
    except (OSError, ValueError) as err:
        raise InputError(where, f"holds a damaged posterior ({err})") from None
    if "weight" not in table.columns or len(table) == 0:
        raise InputError(where, "particles.parquet has no particles or no weight column")
    w = table.pop("weight").to_numpy(np.float64)
    return Posterior(table, w / w.sum(), settings, where, folder)


def posterior_scenarios(n: int, seed: int = 0, path: str | Path | None = None) -> list[list[str]]:
    """`n` draws from the posterior (the shipped one for `path` None) as `--set` overrides
    (`key=value` strings) of the calibration's base scenario."""
    post = load_posterior(path)
    draws = post.draws(n, seed)
    fixed = list(post.settings.get("overrides", []))  # the calibration's own --set
    return [[*fixed, *(f"{k}={float(row[k])!r}" for k in post.keys)] for _, row in draws.iterrows()]


def posterior_plan(
    scenario: str | Path,
    draws: int,
    *,
    path: str | Path | None = None,
    seed: int = 0,
    overrides: list[str] | None = None,
) -> Plan:
    """A sweep whose points are `draws` parameter sets drawn from a posterior (the shipped one
    for `path` None): one run a point, so an ensemble over the posterior instead of one default.

    The draws depend on `seed` only, so the plans of several scenarios (the strategies) share
    their points: run p of each has the same parameters and the same seed (paired by run).
    """
    from thermidor.experiments.api import resolve

    post = load_posterior(path)
    sc = resolve(scenario, [*post.settings.get("overrides", []), *(overrides or [])], None, None)
    base = sc.model_dump(mode="python")
    chosen = post.draws(draws, seed)
    vary = []
    for key in post.keys:
        try:
            lookup(base, key)
        except KeyError:
            where = post.where
            raise InputError(where, f"calibrates a key {scenario} does not have", key) from None
        vary.append(Vary(key, float(post.particles[key].min()), float(post.particles[key].max())))
    matrix = chosen[post.keys].to_numpy(np.float64)
    design = Design("posterior", tuple(vary), draws, matrix, {"posterior": post.where})
    plan = Plan("sweep", sc, 1, design)
    plan.check_points()
    return plan
