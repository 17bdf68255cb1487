"""The last step of the pipeline: sensitivity indices of a finished Sobol or Morris sweep.

`analyze(sweep, metric)` evaluates `metric` (a DuckDB expression over the `outcomes` table, e.g.
`pi` or `outcome = 'Thermidor'`) for each run, averages it over each point's replicates, and hands
the points in the design's order to SALib: `sobol.analyze` (S1, ST with confidence intervals; S2
with `second_order`) or `morris.analyze` (mu, mu_star, sigma).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from thermidor.errors import InputError
from thermidor.experiments.handle import Experiment


def analyze(
    experiment: Experiment | str | Path,
    metric: str,
    *,
    num_resamples: int = 100,
    seed: int | None = None,
) -> pd.DataFrame:
    """Sensitivity indices of `metric` over a sweep's keys, one row per key."""
    exp = experiment if isinstance(experiment, Experiment) else Experiment(experiment)
    d = exp.manifest.get("design")
    if d is None or d.get("name") not in ("sobol", "morris"):
        raise InputError(str(exp.path), "sensitivity indices need a sobol or morris sweep")
    y = exp.query(
        f"SELECT point, avg(y) AS y FROM (SELECT run, CAST(({metric}) AS DOUBLE) AS y "
        "FROM outcomes) JOIN (SELECT run, point FROM runs) USING (run) GROUP BY point "
        "ORDER BY point"
    )
    points = int(d["points"])
    if len(y) != points:
        raise InputError(
            str(exp.path), f"{points - len(y)} of {points} points have no finished run yet"
        )
    Y = y["y"].to_numpy(np.float64)
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
