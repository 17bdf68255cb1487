"""`thermidor calibrate`: the model, its priors and the record's targets into an ABC-SMC run.

The scenario runs at a small scale (1:1000 by default) from its start to the last target's date
(the end of 1929 for the built-in targets: about 66 weeks), once per ABC simulation.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from thermidor.calibration import targets as tg
from thermidor.calibration.abc import ModelSimulator, Settings, run_abc, weeks_for
from thermidor.calibration.priors import priors as make_priors
from thermidor.errors import InputError


def calibrate(
    scenario: str = "1928",
    out: str | Path = "calibration",
    *,
    targets: str | Path | None = None,
    prior: list[str] | None = None,
    only_priors: bool = False,
    scale: float = 0.001,
    population: int = 100,
    generations: int = 5,
    min_epsilon: float = 0.0,
    max_simulations: int | None = None,
    seed: int = 1,
    workers: int | None = 1,
    executor: str = "process",
    scheduler: str | None = None,
    overrides: list[str] | None = None,
    quiet: bool = False,
) -> dict:
    """Calibrate `scenario` to `targets` (None: the built-in rows dated up to 1929-12-31) into
    directory `out` (resumed if it holds this calibration); the summary of the posterior.

    The simulations run in this process (`executor="process"`, one worker), on a local process
    pool (`workers` > 1), on Dask (`executor="dask"`: a LocalCluster of `workers`, or the
    scheduler at `scheduler`) or under MPI (`executor="mpi"`, started by `mpiexec ... python -m
    mpi4py.futures -m thermidor calibrate ... --executor mpi`)."""
    import contextlib

    from thermidor.experiments.executors import check_options, open_pool
    from thermidor.scenario.load import load_scenario

    check_options(executor, workers, scheduler)  # before anything runs

    if population < 2:
        raise InputError("--population", f"needs at least 2 particles (got {population})")
    if generations < 1:
        raise InputError("--generations", f"needs at least 1 (got {generations})")
    fit = tg.load(targets)
    base = load_scenario(scenario, overrides, scale=scale)
    weeks = weeks_for(fit, base.start)
    if min(t.first for t in fit) < base.start:
        first = min(fit, key=lambda t: t.first)
        raise InputError(
            str(targets or "built-in targets"),
            f"starts on {first.first}, before the scenario's start {base.start}",
            first.id,
        )
    sc = load_scenario(scenario, overrides, scale=scale, weeks=weeks)
    ps = make_priors(sc, prior, only_priors)
    ref = scenario if not Path(scenario).is_file() else str(Path(scenario).absolute())
    settings = Settings(
        scenario=ref,
        scale=scale,
        weeks=weeks,
        overrides=list(overrides or []),
        targets=[{**asdict(t), "first": str(t.first), "date": str(t.date)} for t in fit],
        priors=[asdict(p) for p in ps],
        population=population,
        generations=generations,
        min_epsilon=min_epsilon,
        max_simulations=max_simulations,
        seed=seed,
    )
    simulator = ModelSimulator(sc, ps, fit)
    alone = executor == "process" and workers == 1
    with contextlib.nullcontext(None) if alone else open_pool(executor, workers, scheduler) as pool:
        return run_abc(simulator, ps, fit, out, settings, pool=pool, quiet=quiet)
