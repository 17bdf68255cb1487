"""The experiment commands of the command line: ensemble, sweep, merge, query, status.

Each command is a thin layer over the Python API (`thermidor.experiments`): it parses options,
calls the API, and prints a short summary. Bad input raises `InputError`, which `thermidor.cli`
prints as one line with exit status 2. Runs that fail give exit status 1 (rerunning the command
retries them); an interrupted command keeps every finished run and exits with 130.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from thermidor.errors import InputError

if TYPE_CHECKING:  # the experiment machinery (Dask, DuckDB, ...) is imported by the commands
    from thermidor.experiments.handle import Experiment
    from thermidor.experiments.plan import Plan

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

Scenario = Annotated[str, typer.Argument(help="a built-in name (see `scenarios`) or a TOML path")]
Seed = Annotated[int | None, typer.Option(help="root seed (default: the scenario's)")]
Weeks = Annotated[int | None, typer.Option(help="horizon in weeks (default: the scenario's)")]
Set = Annotated[
    list[str] | None, typer.Option("--set", help="override a key: key.path=value (repeatable)")
]
Out = Annotated[Path, typer.Option("--out", help="the experiment directory (resumed if it exists)")]
ExecutorOpt = Annotated[str, typer.Option("--executor", help="process (local pool), dask or mpi")]
Workers = Annotated[
    int | None, typer.Option(help="worker processes (process, dask LocalCluster, mpi spawn)")
]
Scheduler = Annotated[
    str | None, typer.Option(help="a Dask scheduler's address (default: a LocalCluster)")
]
ShardOpt = Annotated[
    str | None, typer.Option(help="I/N: run only shard I of N (0 <= I < N), e.g. a job array")
]
Timeout = Annotated[
    float, typer.Option("--connect-timeout", help="seconds to wait for the Dask scheduler")
]
Quiet = Annotated[bool, typer.Option(help="no progress bar")]
Scale = Annotated[
    float | None, typer.Option(help="agents per real person, (0, 1] (default: the scenario's)")
]
MAX_PRINTED = 1_000_000  # rows `query` prints at most


def _finish(exp: Experiment, what: str) -> None:
    """Print what a session did and the outcome distribution; exit 1 if runs failed."""
    from rich.table import Table

    r = exp.report
    s = exp.status()
    out.print(
        f"[bold]{what}[/bold]: {s.done}/{s.runs} runs done in {exp.path} "
        f"({r.now} now, {r.before} before, {r.failed} failed, {r.seconds:.1f} s)",
        highlight=False,
    )
    if s.done:
        counts = exp.query(
            "SELECT outcome, count(*) AS runs FROM outcomes GROUP BY outcome ORDER BY runs DESC, "
            "outcome"
        )
        table = Table("outcome", "runs", "share", box=None)
        for row in counts.itertuples():
            table.add_row(row.outcome, str(row.runs), f"{row.runs / s.done:.1%}")
        out.print(table)
    if r.foreign:
        shown = ", ".join(r.foreign[:3]) + (", ..." if len(r.foreign) > 3 else "")
        err.print(
            f"thermidor: warning: {exp.path}: {len(r.foreign)} foreign files, not of this "
            f"experiment, were left alone and are not in its tables: {shown}",
            highlight=False,
            markup=False,
        )
    if r.recomputed:
        run, why = next(iter(r.recomputed.items()))
        err.print(
            f"thermidor: warning: {len(r.recomputed)} damaged runs were recomputed (run {run}: "
            f"{why})",
            highlight=False,
            markup=False,
        )
    if r.failed:
        err.print(
            f"thermidor: {r.failed} runs failed (reasons in {exp.path / 'failed'}); run the same "
            "command again to retry them",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(1)


def _interrupted(path: Path) -> None:
    err.print(
        f"thermidor: interrupted; the finished runs are kept in {path}: run the same command "
        "again to resume",
        highlight=False,
        markup=False,
    )
    raise typer.Exit(130)


def _execute(
    plan: Plan,
    out_dir: Path,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    connect_timeout: float,
    quiet: bool,
    what: str,
) -> None:
    """Run (or resume) `plan` in `out_dir`, then say what was done; Ctrl-C keeps finished runs."""
    from thermidor.experiments import api

    try:
        exp = api.run(
            plan,
            out_dir,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            connect_timeout=connect_timeout,
            progress=not quiet,
        )
    except KeyboardInterrupt:
        _interrupted(out_dir)
    _finish(exp, what)


def ensemble(
    scenario: Scenario,
    runs: Annotated[int, typer.Option(help="number of runs")],
    out_dir: Out,
    seed: Seed = None,
    weeks: Weeks = None,
    set_: Set = None,
    executor: ExecutorOpt = "process",
    workers: Workers = None,
    scheduler: Scheduler = None,
    shard: ShardOpt = None,
    connect_timeout: Timeout = 10.0,
    quiet: Quiet = False,
    matched: Annotated[
        bool,
        typer.Option(
            "--matched",
            help="also run each run's passive counterfactual (same seed, every organisation "
            "active = false) into OUT.passive, beside OUT",
        ),
    ] = False,
    scale: Scale = None,
) -> None:
    """Run an ensemble: RUNS runs of one scenario (run i: SeedSequence(seed, spawn_key=(i,)))."""
    from thermidor.experiments import api, manifest

    plan = api.ensemble_plan(
        scenario, runs, seed=seed, weeks=weeks, overrides=set_, shard=shard, scale=scale
    )
    what = f"ensemble {escape(plan.scenario.name)}"
    if matched:  # both directories checked before either is written
        manifest.check_dir(out_dir.absolute(), plan)
        manifest.check_dir(api.passive_dir(out_dir.absolute()), api.passive_plan(plan))
    _execute(plan, out_dir, executor, workers, scheduler, connect_timeout, quiet, what)
    if matched:
        base = api.passive_plan(plan)
        where = api.passive_dir(out_dir)
        _execute(
            base, where, executor, workers, scheduler, connect_timeout, quiet, what + " (passive)"
        )


def sweep(
    scenario: Scenario,
    vary: Annotated[
        list[str], typer.Option(help="key.path=LOW:HIGH[:STEPS] (repeatable; STEPS for grid)")
    ],
    out_dir: Out,
    design: Annotated[str, typer.Option(help="grid, lhs, sobol or morris")] = "grid",
    samples: Annotated[
        int | None,
        typer.Option(
            help="lhs: points; sobol: base points (2^k); morris: trajectories; grid: "
            "steps per key without :STEPS"
        ),
    ] = None,
    runs_per_point: Annotated[int, typer.Option(help="replicate runs per point")] = 1,
    second_order: Annotated[bool, typer.Option(help="sobol: also second-order indices")] = False,
    levels: Annotated[int, typer.Option(help="morris: levels of the grid")] = 4,
    seed: Seed = None,
    weeks: Weeks = None,
    set_: Set = None,
    executor: ExecutorOpt = "process",
    workers: Workers = None,
    scheduler: Scheduler = None,
    shard: ShardOpt = None,
    connect_timeout: Timeout = 10.0,
    quiet: Quiet = False,
    scale: Scale = None,
) -> None:
    """Run a sweep: the points of a design over scenario keys, RUNS-PER-POINT runs each."""
    from thermidor.experiments import api

    plan = api.sweep_plan(
        scenario,
        vary,
        design=design,
        samples=samples,
        runs_per_point=runs_per_point,
        second_order=second_order,
        levels=levels,
        seed=seed,
        weeks=weeks,
        overrides=set_,
        shard=shard,
        scale=scale,
    )
    what = f"sweep {escape(plan.scenario.name)} ({design}, {plan.n_points} points)"
    _execute(plan, out_dir, executor, workers, scheduler, connect_timeout, quiet, what)


def merge(
    shards: Annotated[list[Path], typer.Argument(help="the shard directories")],
    out_dir: Annotated[Path, typer.Option("--out", help="the merged experiment directory")],
) -> None:
    """Join the shards of one experiment, as from a Slurm job array, into one directory."""
    from thermidor.experiments.merge import merge as merge_shards

    exp = merge_shards(shards, out_dir)
    r = exp.report
    out.print(
        f"merged {r.sources} shards into {exp.path}: {r.done}/{r.runs} runs ({r.added} added)",
        highlight=False,
    )
    if r.done < r.runs:
        err.print(
            f"thermidor: {r.runs - r.done} runs are missing: merge again when the shards are "
            f"finished, or run the experiment's command with --out {exp.path} to compute them",
            highlight=False,
            markup=False,
        )


def compact(
    directory: Annotated[Path, typer.Argument(help="the experiment directory")],
) -> None:
    """Pack an experiment's finished runs into a few files per table (an experiment of 100
    runs or more is packed when it completes); resume, merge and query work the same."""
    from thermidor.experiments.compact import compact as compact_store

    report = compact_store(directory)
    out.print(f"{directory}: {report.line()}", highlight=False, markup=False)


def query_cmd(
    directory: Annotated[Path, typer.Argument(help="the experiment directory")],
    sql: Annotated[
        str,
        typer.Argument(help="one DuckDB SELECT over runs, timeseries, outcomes, cells (read only)"),
    ],
    csv: Annotated[Path | None, typer.Option(help="write the result to this CSV file")] = None,
    parquet: Annotated[
        Path | None, typer.Option(help="write the result to this Parquet file")
    ] = None,
    force: Annotated[bool, typer.Option(help="replace an existing --csv/--parquet file")] = False,
    limit: Annotated[int, typer.Option(help="rows to print at most")] = 40,
) -> None:
    """Run one read-only SQL query over an experiment's tables; print it or write it to a file."""
    from rich.table import Table

    from thermidor.experiments import manifest, query
    from thermidor.outputs import check_file

    manifest.require(directory)
    if not 0 <= limit <= MAX_PRINTED:
        raise InputError(
            "--limit",
            f"must be 0 to {MAX_PRINTED:,} rows (got {limit:,}); --csv FILE writes them all",
        )
    if csv is not None and parquet is not None:
        raise InputError("--csv", "give either --csv or --parquet, not both")
    target, fmt = (csv, "csv") if csv is not None else (parquet, "parquet")
    query.check_query(sql)
    if target is not None:
        check_file(target, f"--{fmt}", force, sources=[directory])
        rows = query.export(directory, sql, target, fmt)
        out.print(f"{rows} rows written to {target}", highlight=False)
        return
    df = query.frame(directory, sql, limit + 1)
    table = Table(*[str(c) for c in df.columns], box=None)
    for row in df.head(limit).itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    out.print(table)
    if len(df) > limit:
        out.print(f"(more than {limit} rows, the first {limit} shown; --csv FILE for all)")


def _cell(v: object) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return "" if v is None else str(v)


def status_cmd(
    directory: Annotated[Path, typer.Argument(help="the experiment directory")],
    verify: Annotated[
        bool, typer.Option(help="check every part against the checksum recorded at commit")
    ] = False,
) -> None:
    """Runs done, left and failed, and how long the rest should take."""
    from thermidor.experiments.status import status as experiment_status

    for line in experiment_status(directory, verify).lines():
        out.print(line, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add the experiment commands to `app`."""
    app.command()(ensemble)
    app.command()(sweep)
    app.command()(merge)
    app.command()(compact)
    app.command("query")(query_cmd)
    app.command("status")(status_cmd)


def _main() -> None:  # `python -m thermidor.experiments`, e.g. under mpiexec
    from thermidor.cli import main

    sys.argv[0] = "thermidor"
    main()
