"""The calibration commands of the command line: calibrate, retrodict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def calibrate(
    scenario: Annotated[str, typer.Argument(help="built-in name or TOML path")] = "1928",
    out_dir: Annotated[Path, typer.Option("--out", help="calibration directory")] = Path(
        "calibration"
    ),
    targets: Annotated[
        Path | None,
        typer.Option(help="target table (CSV; default: the record's rows dated up to 1929)"),
    ] = None,
    prior: Annotated[
        list[str] | None,
        typer.Option(help="key.path=LOW:HIGH: a uniform prior, replacing or adding one"),
    ] = None,
    only: Annotated[
        bool, typer.Option("--only", help="only the --prior keys, not the defaults")
    ] = False,
    scale: Annotated[float, typer.Option(help="agents per real person")] = 0.001,
    population: Annotated[int, typer.Option(help="particles per generation")] = 100,
    generations: Annotated[int, typer.Option(help="generations of ABC-SMC")] = 5,
    max_simulations: Annotated[
        int | None, typer.Option(help="stop after this many simulations in all")
    ] = None,
    min_epsilon: Annotated[float, typer.Option(help="stop when epsilon reaches it")] = 0.0,
    seed: Annotated[int, typer.Option(help="seed of the sampler")] = 1,
    workers: Annotated[
        int | None,
        typer.Option(help="simulations at once (default: 1 for process, else the executor's)"),
    ] = None,
    executor: Annotated[
        str, typer.Option("--executor", help="process (local pool), dask or mpi")
    ] = "process",
    scheduler: Annotated[
        str | None, typer.Option(help="a Dask scheduler's address (default: a LocalCluster)")
    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="key.path=value")] = None,
    report: Annotated[
        bool, typer.Option("--report", help="also write OUT/report: marginals, pairs, predictive")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="no progress on stderr")] = False,
) -> None:
    """Calibrate a scenario to the record (ABC-SMC, pyabc); resumable: rerun to continue.

    Under MPI: mpiexec -n K+1 python -m mpi4py.futures -m thermidor calibrate ... --executor mpi
    """
    from thermidor.calibration.calibrate import calibrate as run

    if workers is None and executor == "process":
        workers = 1
    summary = run(
        scenario, out_dir, targets=targets, prior=prior, only_priors=only, scale=scale,
        population=population, generations=generations, min_epsilon=min_epsilon,
        max_simulations=max_simulations, seed=seed, workers=workers, executor=executor,
        scheduler=scheduler, overrides=set_, quiet=quiet,
    )  # fmt: skip
    last = summary["history"][-1]
    out.print(
        f"{summary['generations']} generations, {summary['simulations']:,} simulations; "
        f"last epsilon {last['epsilon']:.3g}, acceptance {last['acceptance_rate']:.1%} "
        f"({summary['seconds_this_session']:.0f} s this session)",
        highlight=False,
    )
    for key, q in summary["posterior"].items():
        out.print(
            f"  {key}: median {q['median']:.4g}, 90 % [{q['q05']:.4g}, {q['q95']:.4g}]",
            highlight=False,
        )
    out.print(f"calibrated scenario: {out_dir / 'calibrated.toml'}", highlight=False)
    if report:
        from thermidor.calibration.plots import report as figures

        for p in figures(out_dir):
            out.print(f"figure: {p}", highlight=False)


def retrodict(
    posterior: Annotated[
        Path | None,
        typer.Argument(help="a calibration directory (default: the posterior shipped)"),
    ] = None,
    targets: Annotated[
        Path | None, typer.Option(help="hold-out table (CSV; default: the record's 1930-32 rows)")
    ] = None,
    draws: Annotated[int, typer.Option(help="posterior predictive runs")] = 50,
    seed: Annotated[int, typer.Option(help="seed of the draws and runs")] = 0,
    markdown: Annotated[
        Path | None, typer.Option(help="also write the table as markdown to this file")
    ] = None,
    figure: Annotated[Path | None, typer.Option(help="also write the figure (PNG)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON for machines")] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """The posterior predictive through 1932 against the record it never saw (1930-32)."""
    from rich.progress import Progress

    from thermidor.calibration import retrodict as rd
    from thermidor.outputs import check_file

    for path, option in ((markdown, "--markdown"), (figure, "--figure")):
        if path is not None:
            check_file(path, option, True)
    with Progress(console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task("posterior predictive", total=draws)
        table, _, seconds = rd.retrodict(
            posterior, targets=targets, draws=draws, seed=seed,
            progress=lambda done, total: bar.update(task, completed=done),
        )  # fmt: skip
    text = rd.markdown(table)
    if markdown is not None:
        markdown.write_text(text + "\n", encoding="utf-8")
    if figure is not None:
        from thermidor.calibration.plots import retrodiction

        retrodiction(table, figure)
    if as_json:
        typer.echo(json.dumps(table.to_dict(orient="records"), indent=1))
        return
    out.print(text, markup=False, highlight=False)
    out.print(f"{draws} runs in {seconds:.0f} s", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the calibration commands to `app`."""
    app.command()(calibrate)
    app.command()(retrodict)
