"""The last step of the pipeline: sensitivity indices of a finished Sobol or Morris sweep.

`analyze(sweep, metric)` evaluates `metric` for each run (a DuckDB expression over the columns of
`outcomes` joined with `runs`: `pi`, `outcome = 'Thermidor'`, `pi / "power.bistability"`),
averages it over each point's replicates, and hands the points, in the design's order, to SALib:
`sobol.analyze` (S1 and ST with confidence intervals) or `morris.analyze` (mu, mu_star, sigma).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from thermidor.errors import InputError
from thermidor.experiments.handle import Experiment


def _open(experiment: Experiment | str | Path) -> Experiment:
    return experiment if isinstance(experiment, Experiment) else Experiment(experiment)


def _design(exp: Experiment) -> dict:
    d = exp.manifest.get("design")
    if d is None or d.get("name") not in ("sobol", "morris"):
        raise InputError(str(exp.path), "sensitivity indices need a sobol or morris sweep")
    return d


def point_means(experiment: Experiment | str | Path, metric: str) -> np.ndarray:
    """`metric` averaged over each point's finished runs, in point order (the evaluate step).

    `metric` is a DuckDB expression over the columns of `outcomes` joined with `runs`.
    InputError if a point has no finished run.
    """
    exp = _open(experiment)
    points = int(exp.manifest["experiment"]["points"])
    y = exp.query(
        f"SELECT point, avg(CAST(({metric}) AS DOUBLE)) AS y FROM outcomes JOIN runs USING (run) "
        "GROUP BY point ORDER BY point"
    )
    if len(y) != points:
        raise InputError(
            str(exp.path), f"{points - len(y)} of {points} points have no finished run yet"
        )
    return y["y"].to_numpy(np.float64)


def indices(
    experiment: Experiment | str | Path,
    y: np.ndarray,
    *,
    num_resamples: int = 100,
    seed: int | None = None,
) -> pd.DataFrame:
    """SALib's indices of `y` (one value per point, in point order), one row per key.

    Sobol: S1, S1_conf, ST, ST_conf. Morris: mu, mu_star, sigma, mu_star_conf.
    """
    exp = _open(experiment)
    d = _design(exp)
    Y = np.asarray(y, np.float64)
    if Y.shape != (int(d["points"]),):
        raise InputError("indices", f"needs one value per point ({d['points']}), got {Y.shape}")
    names = [v["key"] for v in d["vary"]]
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[v["low"], v["high"]] for v in d["vary"]],
    }
    if d["name"] == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(
            problem,
            Y,
            calc_second_order=bool(d.get("second_order", False)),
            num_resamples=num_resamples,
            seed=seed,
        )
        keys = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        from SALib.analyze import morris

        X = exp.design()[names].to_numpy(np.float64)
        si = morris.analyze(
            problem,
            X,
            Y,
            num_resamples=num_resamples,
            num_levels=int(d.get("levels", 4)),
            seed=seed,
        )
        keys = ["mu", "mu_star", "sigma", "mu_star_conf"]
    return pd.DataFrame({k: np.asarray(si[k], np.float64) for k in keys}, index=names)


def analyze(
    experiment: Experiment | str | Path,
    metric: str,
    *,
    num_resamples: int = 100,
    seed: int | None = None,
) -> pd.DataFrame:
    """Sensitivity indices of `metric` over a sweep's keys: `indices(exp, point_means(...))`."""
    exp = _open(experiment)
    _design(exp)
    return indices(exp, point_means(exp, metric), num_resamples=num_resamples, seed=seed)
