"""Approximate Bayesian computation by sequential Monte Carlo (pyabc) against a target table.

Each generation draws parameters from the previous one's particles (the first from the uniform
priors), perturbs them, simulates, and keeps those whose distance to the record is below the
generation's epsilon (the median distance of the previous one). The distance is Euclidean in units
of each target's uncertainty: sum over targets of ((model - record) / s)^2, square-rooted, where
s^2 = sd^2 + q^2 / 12 adds the model's resolution q to the record's sd (a count in persons moves
by 1/scale persons, one agent, at a time: at 1:1000 a target of 150 arrests is 0 or 1000).

A calibration directory (resumable: killed and rerun, it continues after the last finished
generation; pyabc keeps its database there):

    abc.db              pyabc's SQLite database (every generation)
    settings.json       base scenario, scale, targets, priors, population, generations
    particles.parquet   the last generation: one column per parameter, `weight`
    predictive.parquet  the last generation's simulated targets (one row per particle, `weight`)
    history.parquet     per generation: epsilon, simulations, particles, acceptance rate
    history.json        the same, as JSON
    calibrated.toml     a scenario that `extends` the base with the posterior medians
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from thermidor.calibration.observables import OBSERVABLES, frame
from thermidor.calibration.priors import Prior
from thermidor.calibration.targets import START, Target
from thermidor.errors import InputError
from thermidor.experiments.executors import Pool
from thermidor.scenario.schema import Scenario

DB = "abc.db"
FILES = (
    DB, "settings.json", "particles.parquet", "predictive.parquet", "history.parquet",
    "history.json", "calibrated.toml", "report",
)  # fmt: skip


@dataclass
class Settings:
    """What a calibration runs: its identity (a rerun with other settings is refused)."""

    scenario: str
    scale: float
    weeks: int
    overrides: list[str] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    priors: list[dict] = field(default_factory=list)
    population: int = 100
    generations: int = 5
    min_epsilon: float = 0.0
    max_simulations: int | None = None
    seed: int = 1


def weeks_for(targets: list[Target], start=START) -> int:
    """Weeks from the start through the last target's date."""
    last = max(t.date for t in targets)
    return (last - start).days // 7 + 2


def resolution(t: Target, scale: float) -> float:
    """The target's sd widened by the model's resolution (one agent = 1/scale persons)."""
    observable = OBSERVABLES.get(t.observable)  # a synthetic simulator's: no resolution
    q = 1.0 / scale if observable is not None and observable.persons else 0.0
    return math.sqrt(t.sd**2 + q**2 / 12.0)


class ModelSimulator:
    """The model as ABC's simulator: parameters in, the targets' observables out."""

    def __init__(self, scenario: Scenario, priors: list[Prior], targets: list[Target]) -> None:
        self.scenario, self.priors, self.targets = scenario, priors, targets

    def scenario_at(self, params: dict[str, float]) -> Scenario:
        """The base scenario with the parameters (by prior name) set."""
        from thermidor.calibration.priors import allowed
        from thermidor.experiments.plan import with_values

        values = {}
        for p in self.priors:
            v = float(params[p.name])
            lo, hi = allowed(self.scenario, p.key)
            values[p.key] = min(max(v, lo), hi)
        return with_values(self.scenario, values, "--prior")

    def __call__(self, params: dict[str, float]) -> dict[str, float]:
        from thermidor.engine import simulate

        sc = self.scenario_at(params)
        seed = int(np.random.randint(1, 2**31 - 1))  # pyabc seeds each worker's numpy
        ts = frame(simulate(sc, seed=seed).timeseries)
        return {t.id: OBSERVABLES[t.observable].read(ts, sc.scale, t.first, t.date)
                for t in self.targets}  # fmt: skip


def _log(quiet: bool) -> None:
    """pyabc's progress (each generation's epsilon and acceptance) on stderr, or nothing."""
    logger = logging.getLogger("ABC")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("thermidor calibrate: %(message)s"))
    logger.addHandler(handler)
    for name in ("Sampler", "Epsilon", "Distance", "Acceptor", "Population", "History"):
        logging.getLogger(name).setLevel(logging.WARNING)


def check_out(out: Path, settings: Settings) -> bool:
    """True if `out` holds this calibration (resume); False if new. InputError if it holds
    anything else or a calibration with other settings."""
    from thermidor.outputs import check_dir

    check_dir(out, "--out")
    if not out.is_dir() or not any(out.iterdir()):
        return False
    other = sorted(p.name for p in out.iterdir() if p.name not in FILES)
    if other or not (out / "settings.json").is_file():
        what = other[0] if other else "no settings.json"
        raise InputError(str(out), f"exists and holds no calibration ({what!r}); use another --out")
    try:
        theirs = json.loads((out / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(str(out / "settings.json"), f"is damaged ({err})") from None
    ours = asdict(settings)
    stops = ("generations", "min_epsilon", "max_simulations")  # a rerun may go further
    same = {k: v for k, v in ours.items() if k not in stops}
    diff = [k for k, v in same.items() if theirs.get(k) != v]
    if diff:
        raise InputError(
            str(out),
            f"holds a calibration with another {diff[0]}; use another --out to start a new one",
        )
    return (out / DB).is_file()


def sampler(pool: Pool | None):
    """pyabc's sampler on one of our executors: in this process (None), or any
    `concurrent.futures` executor (the local process pool, Dask, MPI) through pyabc's
    `ConcurrentFutureSampler`, with as many simulations in flight as the pool has workers.
    Each evaluation is one simulation; the pool's workers reseed numpy from the system, so a
    parallel calibration is not reproducible run for run (one in this process is)."""
    import pyabc

    if pool is None:
        return pyabc.sampler.SingleCoreSampler()
    return pyabc.sampler.ConcurrentFutureSampler(pool.executor, client_max_jobs=pool.workers)


def run_abc(
    simulator: Callable[[dict[str, float]], dict[str, float]],
    priors: list[Prior],
    targets: list[Target],
    out: str | Path,
    settings: Settings,
    *,
    pool: Pool | None = None,
    quiet: bool = False,
) -> dict:
    """Run (or resume) ABC-SMC into `out` until `settings.generations` generations are stored
    (or epsilon reaches `settings.min_epsilon`, or the simulations `settings.max_simulations`),
    in this process or on `pool`; write the posterior's files; return a summary."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyabc

    out = Path(out)
    resume = check_out(out, settings)
    out.mkdir(parents=True, exist_ok=True)
    (out / "settings.json").write_text(json.dumps(asdict(settings), indent=1), encoding="utf-8")
    _log(quiet)
    np.random.seed(settings.seed)
    prior = pyabc.Distribution(
        **{p.name: pyabc.RV("uniform", p.low, p.high - p.low) for p in priors}
    )
    weights = {t.id: 1.0 / resolution(t, settings.scale) for t in targets}
    abc = pyabc.ABCSMC(
        simulator,
        prior,
        pyabc.PNormDistance(p=2, fixed_weights=weights),
        population_size=settings.population,
        sampler=sampler(pool),
    )
    db = f"sqlite:///{(out / DB).absolute()}"
    t0 = time.perf_counter()
    if resume:
        history = abc.load(db, 1)
        done = history.max_t + 1
    else:
        history = abc.new(db, {t.id: t.value for t in targets})
        done = 0
    left = settings.generations - done
    if left > 0:
        budget = math.inf if settings.max_simulations is None else settings.max_simulations
        history = abc.run(
            max_nr_populations=left,
            minimum_epsilon=settings.min_epsilon,
            max_total_nr_simulations=budget,
        )
    seconds = time.perf_counter() - t0
    return write_posterior(history, priors, targets, out, settings, seconds)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float | list[float]) -> np.ndarray:
    """Quantiles of `x` under weights `w` (the midpoint rule on the sorted cumulative weights)."""
    order = np.argsort(x)
    x, w = np.asarray(x, float)[order], np.asarray(w, float)[order]
    cw = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cw, x)


def write_posterior(
    history, priors: list[Prior], targets: list[Target], out: Path, settings: Settings,
    seconds: float,
) -> dict:  # fmt: skip
    """The last generation's particles, predictive, the history and the calibrated scenario."""
    import pyarrow as pa

    from thermidor.experiments.store import write_table

    t = history.max_t
    df, w = history.get_distribution(m=0, t=t)
    particles = pd.DataFrame({p.key: df[p.name].to_numpy(float) for p in priors})
    particles["weight"] = np.asarray(w, float) / np.sum(w)
    write_table(out / "particles.parquet", pa.Table.from_pandas(particles, preserve_index=False))
    sw, stats = history.get_weighted_sum_stats(t=t)
    pred = pd.DataFrame([{tg.id: float(s[tg.id]) for tg in targets} for s in stats])
    pred["weight"] = np.asarray(sw, float) / np.sum(sw)
    write_table(out / "predictive.parquet", pa.Table.from_pandas(pred, preserve_index=False))
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    gens = pd.DataFrame(
        {
            "generation": pops["t"].astype(int),
            "epsilon": pops["epsilon"].astype(float),
            "simulations": pops["samples"].astype(int),
            "particles": pops["particles"].astype(int),
        }
    )
    gens["acceptance_rate"] = gens["particles"] / gens["simulations"]
    write_table(out / "history.parquet", pa.Table.from_pandas(gens, preserve_index=False))
    summary = {
        "generations": int(t + 1),
        "simulations": int(gens["simulations"].sum()),
        "seconds_this_session": round(seconds, 1),
        "history": gens.to_dict(orient="records"),
        "posterior": {
            p.key: dict(
                zip(
                    ("q05", "q25", "median", "q75", "q95"),
                    (
                        float(v)
                        for v in weighted_quantile(
                            particles[p.key].to_numpy(),
                            particles["weight"].to_numpy(),
                            [0.05, 0.25, 0.5, 0.75, 0.95],
                        )
                    ),
                    strict=True,
                )
            )
            for p in priors
        },  # fmt: skip
    }
    (out / "history.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    write_calibrated(out, settings, {k: v["median"] for k, v in summary["posterior"].items()})
    return summary


def write_calibrated(out: Path, settings: Settings, medians: dict[str, float]) -> None:
    """`calibrated.toml`: the base scenario with the posterior medians."""
    import tomli_w

    table: dict = {}
    for key, value in medians.items():
        node = table
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = float(f"{value:.6g}")
    base = settings.scenario
    head = {
        "extends": base,
        "name": f"{Path(base).stem}-calibrated",
        "description": (
            f"{Path(base).stem} at the posterior medians of an ABC-SMC calibration "
            f"(the posterior: particles.parquet beside this file)"
        ),
    }
    text = (
        "# Written by `thermidor calibrate`: the base scenario with the posterior medians.\n"
        "# The whole posterior (particles and weights) is in particles.parquet beside it.\n"
        + tomli_w.dumps({**head, **table})
    )
    (out / "calibrated.toml").write_text(text, encoding="utf-8")
