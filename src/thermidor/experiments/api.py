"""`ensemble` and `sweep`: run an experiment into a directory, resuming whatever is there.

    import thermidor.experiments as tx
    exp = tx.ensemble("tiny", runs=20, weeks=52, out="out/ens", workers=2)
    exp.outcomes().outcome.value_counts()
    sw = tx.sweep("tiny", {"influence.mu": (0.1, 0.5)}, design="lhs", samples=8, out="out/sw")

`executor` is "process" (default), "dask" or "mpi", or any `concurrent.futures.Executor` (which is
used as given and not shut down). Everything is checked before anything is written: bad input
raises `InputError` and leaves the directory as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np

from thermidor.errors import InputError
from thermidor.experiments import manifest
from thermidor.experiments.design import make_design, parse_vary
from thermidor.experiments.executors import Pool, open_pool, wrap
from thermidor.experiments.guard import require_main_guard
from thermidor.experiments.handle import Experiment
from thermidor.experiments.plan import MAX_RUNS, Plan, Shard, with_values
from thermidor.experiments.runner import Report, TaskFn, execute
from thermidor.experiments.store import Store, locked
from thermidor.experiments.task import run_task
from thermidor.outputs import check_dir
from thermidor.scenario.load import load_scenario, parse_overrides
from thermidor.scenario.passive import passive
from thermidor.scenario.schema import Scenario

VarySpec = Mapping[str, Sequence[float]] | Sequence[str]
PASSIVE = ".passive"  # a matched ensemble OUT keeps its passive runs beside it, in OUT.passive


def passive_dir(out: str | Path) -> Path:
    """Where the matched passive runs of the ensemble in `out` are kept: a sibling experiment
    (not inside `out`: an experiment holds only its own parts)."""
    out = Path(out)
    return out.with_name(out.name + PASSIVE)


def resolve(
    scenario: Scenario | str | Path,
    overrides: list[str] | None = None,
    seed: int | None = None,
    weeks: int | None = None,
    scale: float | None = None,
) -> Scenario:
    """The base scenario: loaded (or given), with overrides, root seed, horizon and scale."""
    keys = {k: v for k, v in (("seed", seed), ("weeks", weeks), ("scale", scale)) if v is not None}
    if not isinstance(scenario, Scenario):
        return load_scenario(scenario, overrides, **keys)
    values = {".".join(path): value for path, value in parse_overrides(overrides)}
    return with_values(scenario, {**values, **keys}, source="--set")


def _check_runs(runs: int, option: str) -> None:
    if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
        raise InputError(option, f"must be a whole number >= 1 (got {runs!r})")
    if runs > MAX_RUNS:
        raise InputError(
            option,
            f"must be at most {MAX_RUNS:,} (got {runs:,}): the most runs one experiment plans",
        )


def ensemble_plan(
    scenario: Scenario | str | Path = "1928",
    runs: int = 100,
    *,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: list[str] | None = None,
    shard: str | Shard | None = None,
    scale: float | None = None,
) -> Plan:
    """The plan of an ensemble: `runs` runs of one scenario."""
    _check_runs(runs, "--runs")
    sc = resolve(scenario, overrides, seed, weeks, scale)
    return Plan("ensemble", sc, runs, None, _shard(shard))


def sweep_plan(
    scenario: Scenario | str | Path = "1928",
    vary: VarySpec = (),
    *,
    design: str = "grid",
    samples: int | None = None,
    runs_per_point: int = 1,
    second_order: bool = False,
    levels: int = 4,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: list[str] | None = None,
    shard: str | Shard | None = None,
    scale: float | None = None,
) -> Plan:
    """The plan of a sweep: the points of `design` over `vary`, `runs_per_point` runs each.

    `vary` is a list of 'key=LOW:HIGH[:STEPS]' strings or a mapping key -> (LOW, HIGH[, STEPS]).
    """
    _check_runs(runs_per_point, "--runs-per-point")
    sc = resolve(scenario, overrides, seed, weeks, scale)
    base = sc.model_dump(mode="python")
    texts = vary if not isinstance(vary, Mapping) else [_vary_text(k, v) for k, v in vary.items()]
    parsed = [parse_vary(t, base) for t in texts]
    design_seed = int(np.random.SeedSequence(sc.seed).generate_state(1)[0])
    d = make_design(design, parsed, samples, design_seed, second_order=second_order, levels=levels)
    plan = Plan("sweep", sc, runs_per_point, d, _shard(shard))
    if plan.n_runs > MAX_RUNS:
        raise InputError(
            "--runs-per-point",
            f"{plan.n_points:,} points x {runs_per_point:,} runs is {plan.n_runs:,} runs (allowed: "
            f"at most {MAX_RUNS:,} in one experiment)",
        )
    plan.check_points()
    return plan


def _vary_text(key: str, spec: Sequence[float]) -> str:
    if isinstance(spec, str) or len(spec) not in (2, 3):
        raise InputError("--vary", f"needs (LOW, HIGH) or (LOW, HIGH, STEPS), got {spec!r}", key)
    return f"{key}=" + ":".join(repr(x) for x in spec)


def _shard(shard: str | Shard | None) -> Shard:
    return shard if isinstance(shard, Shard) else Shard.parse(shard)


@contextlib.contextmanager
def _pool(
    executor: Executor | str,
    workers: int | None,
    scheduler: str | None,
    connect_timeout: float,
) -> Iterator[Pool]:
    if isinstance(executor, str):
        with open_pool(executor, workers, scheduler, connect_timeout) as pool:
            yield pool
    else:
        yield wrap(executor, workers)


def run(
    plan: Plan,
    out: str | Path,
    *,
    executor: Executor | str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = 10.0,
    progress: bool = True,
    task_fn: TaskFn = run_task,
    command: str | None = None,
) -> Experiment:
    """Run (or resume) `plan` in directory `out` and return the experiment.

    `task_fn` runs one task on a worker (default `run_task`; a hook for instrumentation and
    tests). The directory is checked first (read only), then the executor is started (an
    unreachable scheduler is an InputError), then the directory is locked and written.
    """
    if isinstance(executor, str):
        require_main_guard(f"thermidor's {executor} executor")
    root = check_dir(Path(out), "--out", experiment=True)
    manifest.check_dir(root, plan)
    with _pool(executor, workers, scheduler, connect_timeout) as pool, locked(root):
        if not manifest.check_dir(root, plan):
            manifest.create(root, plan, command)
        report = execute(plan, Store(root, plan.holds), pool, task_fn=task_fn, progress=progress)
    exp = Experiment(root)
    exp.report = report
    return exp


def passive_plan(plan: Plan) -> Plan:
    """The plan of `plan`'s passive counterfactual (principle 10): the same scenario with
    every organisation `active = false`, the same runs, root seed, horizon and shard, so run i
    of both has the same seed and shares every random draw (common random numbers)."""
    return Plan(plan.kind, passive(plan.scenario), plan.runs_per_point, plan.design, plan.shard)


def ensemble(
    scenario: Scenario | str | Path = "1928",
    runs: int = 100,
    *,
    out: str | Path,
    matched: bool = False,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: list[str] | None = None,
    executor: Executor | str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    shard: str | Shard | None = None,
    progress: bool = True,
    connect_timeout: float = 10.0,
    task_fn: TaskFn = run_task,
    scale: float | None = None,
) -> Experiment:
    """Run `runs` runs of `scenario` into directory `out` (resuming it) and return it.

    Run i gets the seed SeedSequence(root, spawn_key=(i,)), root = `seed` or the scenario's.
    With `matched`, each run's passive counterfactual (same seed, every organisation passive)
    is run too, into `out.passive` beside it (an experiment of its own, its scenario marked by every
    organisation's `active = false`): Q5 and strategy effects are differences paired by run.
    From a script, call it under `if __name__ == "__main__":` (the worker processes import the
    script); without the guard it stops at once with one line saying so.
    """
    plan = ensemble_plan(
        scenario, runs, seed=seed, weeks=weeks, overrides=overrides, shard=shard, scale=scale
    )
    if matched:  # both directories checked before either is written
        manifest.check_dir(Path(out).absolute(), plan)
        manifest.check_dir(passive_dir(Path(out).absolute()), passive_plan(plan))
    targets = [(plan, out), (passive_plan(plan), passive_dir(out))] if matched else [(plan, out)]
    exps = [
        run(
            p,
            o,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            connect_timeout=connect_timeout,
            progress=progress,
            task_fn=task_fn,
        )
        for p, o in targets
    ]
    exp = exps[0]
    return exp


def sweep(
    scenario: Scenario | str | Path = "1928",
    vary: VarySpec = (),
    *,
    out: str | Path,
    design: str = "grid",
    samples: int | None = None,
    runs_per_point: int = 1,
    second_order: bool = False,
    levels: int = 4,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: list[str] | None = None,
    executor: Executor | str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    shard: str | Shard | None = None,
    progress: bool = True,
    connect_timeout: float = 10.0,
    task_fn: TaskFn = run_task,
    scale: float | None = None,
) -> Experiment:
    """Run a sweep of `scenario` over `vary` with `design` into `out` (resuming it).

    Point p, replicate r is run p * runs_per_point + r. Designs: grid (STEPS per key, or
    `samples` per key), lhs (`samples` points), sobol (`samples` a power of two; N(D+2) points,
    N(2D+2) with `second_order`), morris (`samples` trajectories on `levels` levels).
    """
    plan = sweep_plan(
        scenario,
        vary,
        design=design,
        samples=samples,
        runs_per_point=runs_per_point,
        second_order=second_order,
        levels=levels,
        seed=seed,
        weeks=weeks,
        overrides=overrides,
        shard=shard,
        scale=scale,
    )
    return run(
        plan,
        out,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        progress=progress,
        task_fn=task_fn,
    )


__all__ = [
    "PASSIVE",
    "passive_dir",
    "Report",
    "ensemble",
    "ensemble_plan",
    "passive_plan",
    "resolve",
    "run",
    "sweep",
    "sweep_plan",
]
