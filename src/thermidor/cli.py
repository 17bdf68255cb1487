"""The command line: `thermidor run | check | show | diff | scenarios` and the rest.

Bad input of any kind prints one line (`thermidor: error: FILE: KEY: what is allowed`) and
exits with status 2; nothing already stored is touched.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from thermidor import __version__
from thermidor.analysis.commands import register as register_analysis
from thermidor.calibration.commands import register as register_calibration
from thermidor.cli_help import describe
from thermidor.demo import demo
from thermidor.errors import InputError
from thermidor.experiments.commands import register as register_experiments
from thermidor.explore.command import explore

# The heavy libraries (numba's kernels, pandas, pyarrow, duckdb, dask, matplotlib, mesa) are
# imported inside the commands that use them: `thermidor --help` answers at once.

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
ENGINES = ("fast", "reference")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ScenarioArg = Annotated[
    str, typer.Argument(help="a built-in name (see `scenarios`) or a TOML path")
]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="override a key: key.path=value (repeatable)")
]


def _version(value: bool) -> None:
    if value:
        out.print(f"thermidor {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """Simulate the workers' state of Trotsky's 1928 letter to Borodai.

    \b
    thermidor run tiny --weeks 52 --out runs/tiny     a first run
    thermidor explore                                 the model in the browser
    thermidor COMMAND --help                          each command, with an example
    """


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    from rich.table import Table

    from thermidor.scenario.load import builtin_names, load_scenario

    table = Table("name", "description", box=None)
    for name in builtin_names():
        table.add_row(name, load_scenario(name).description)
    out.print(table)


@app.command()
def check(scenario: ScenarioArg, set_: SetOpt = None) -> None:
    """Validate a scenario and summarise it (persons, cells, strata, events)."""
    from collections import Counter

    from thermidor.model.init import initial_state
    from thermidor.model.state import STATUSES, STRATA
    from thermidor.scenario.load import load_scenario, scenario_hash

    sc = load_scenario(scenario, set_)
    state = initial_state(sc, sc.seed)
    ps = state.persons
    strata = Counter(STRATA[s] for s in ps.stratum[ps.status != 1])
    statuses = Counter(STATUSES[s] for s in ps.status)
    warn_unreached(sc, scenario)
    out.print(f"[bold]{escape(sc.name)}[/bold]: valid ({scenario_hash(sc)[:12]})")
    out.print(f"  start {sc.start}, {sc.weeks} weeks, scale 1:{1 / sc.scale:g}, seed {sc.seed}")
    out.print(
        f"  persons {state.n_persons:,} in {state.n_cells:,} cells; "
        + ", ".join(f"{k} {v:,}" for k, v in statuses.items())
    )
    out.print("  party by stratum: " + ", ".join(f"{k} {strata[k]:,}" for k in STRATA))
    out.print(
        "  organisations: "
        + (
            ", ".join(
                f"{o.name} ({o.strategy}{'' if o.active else ', passive'})"
                for o in sc.organisations
            )
            or "none"
        )
    )
    out.print(
        f"  events: {len(sc.timeline)} dated"
        + "".join(
            f"\n    {e.date} {e.kind}" + (f": {e.note}" if e.note else "")
            for e in sorted(sc.timeline, key=lambda e: e.date)
        )
    )


def warn_unreached(sc, ref: str) -> None:
    """One line on stderr for the timeline's events before the start (applied in the first
    week) and one for those after the horizon (never applied)."""
    early, late = sc.out_of_range()
    for which, what in ((early, "before the start: applied in the first week"),
                        (late, "after the horizon: never applied")):  # fmt: skip
        if which:
            first = sc.timeline[which[0]]
            err.print(
                f"thermidor: warning: {ref}: timeline: {len(which)} event(s) dated {what} "
                f"({sc.start} + {sc.weeks} weeks; the first: timeline.{which[0]}, {first.date} "
                f"{first.kind})",
                highlight=False,
                markup=False,
            )


@app.command()
def show(scenario: ScenarioArg, set_: SetOpt = None) -> None:
    """Print a scenario fully resolved (extends, --set and defaults applied) as TOML."""
    from thermidor.scenario.load import load_scenario, resolved_toml

    sc = load_scenario(scenario, set_)
    typer.echo(resolved_toml(sc), nl=False)


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="a built-in name or a TOML path")],
    b: Annotated[str, typer.Argument(help="a built-in name or a TOML path")],
    set_a: Annotated[
        list[str] | None, typer.Option("--set-a", help="override a key of A (repeatable)")
    ] = None,
    set_b: Annotated[
        list[str] | None, typer.Option("--set-b", help="override a key of B (repeatable)")
    ] = None,
) -> None:
    """The keys whose resolved values differ between scenarios A and B, one per line."""
    from thermidor.scenario.load import differences, load_scenario

    changes = differences(load_scenario(a, set_a), load_scenario(b, set_b))
    if not changes:
        typer.echo(f"{a} and {b} resolve to the same scenario")
        return
    for key, x, y in changes:
        typer.echo(f"{key}: {_value(x)} -> {_value(y)}")


def _value(v: object) -> str:
    return "(absent)" if v is None else json.dumps(v, ensure_ascii=False)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="built-in name or TOML path")] = "1928",
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's)")] = None,
    weeks: Annotated[int | None, typer.Option(help="horizon in weeks")] = None,
    scale: Annotated[float | None, typer.Option(help="agents per real person, (0, 1]")] = None,
    set_: SetOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="results directory")] = None,
    force: Annotated[bool, typer.Option(help="replace results in a non-empty --out")] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
    engine: Annotated[
        str, typer.Option(help="fast (the vectorised engine) or reference (the Mesa twin)")
    ] = "fast",
    threads: Annotated[
        int | None,
        typer.Option(help="threads of the engine (default: 1 a 50,000 persons, up to all cores)"),
    ] = None,
) -> None:
    """Run one simulation; write timeseries, cells, outcome and the resolved scenario.
    The results are the same bytes whatever the number of threads."""
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn

    from thermidor.analysis.seven import QUESTIONS, one_line, run_answers
    from thermidor.model.calendar import date_of
    from thermidor.outputs import check_dir, safe_label
    from thermidor.runstore import check_target, write_run
    from thermidor.scenario.load import load_scenario

    if engine not in ENGINES:
        raise InputError("--engine", f"{engine!r} is not one of {', '.join(ENGINES)}")
    if engine == "fast":
        from thermidor.engine import simulate
        from thermidor.model.jit import max_threads, set_threads

        if threads is not None and not 1 <= threads <= max_threads():
            raise InputError(
                "--threads",
                f"must be between 1 and {max_threads()}, the cores here (got {threads}; "
                "NUMBA_NUM_THREADS=N allows more)",
            )
        set_threads(threads)
    else:
        from thermidor.reference import simulate

    class _DateColumn(ProgressColumn):
        def render(self, task) -> str:
            return task.fields.get("date", "")

    keys = {k: v for k, v in (("weeks", weeks), ("scale", scale), ("seed", seed)) if v is not None}
    sc = load_scenario(scenario, set_, **keys)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = out_dir or Path("runs") / f"{safe_label(sc.name)}-seed{sc.seed}-{stamp}"
    check_dir(target, "--out")
    check_target(target, force)
    warn_unreached(sc, scenario)
    t0 = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("week {task.completed:.0f}/{task.total:.0f}"),
        _DateColumn(),
        TextColumn("{task.fields[persons]} persons"),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=False,
    ) as bar:
        task = bar.add_task(escape(sc.name), total=sc.weeks, date=str(sc.start), persons="...")

        def tick(done: int, total: int, state) -> None:
            bar.update(
                task,
                completed=done,
                date=str(date_of(sc.start, done)),
                persons=f"{state.n_persons:,}",
            )

        result = simulate(sc, progress=tick)
    seconds = time.perf_counter() - t0
    write_run(result, target, force=force)
    o = result.outcome
    pw = o["persons"] * o["weeks_run"] / seconds
    out.print(
        f"[bold]{escape(sc.name)}[/bold], seed {sc.seed}: {o['outcome']} "
        f"after {o['weeks_run']} weeks ({seconds:.1f} s, {pw:,.0f} person-weeks/s)"
    )
    out.print(f"results: {target}")
    answers = run_answers(result)
    for q, question in QUESTIONS.items():
        out.print(f"{q} {question}", style="bold", markup=False)
        out.print(f"   {one_line(answers, q)}", markup=False, highlight=False)


register_experiments(app)
register_analysis(app)
register_calibration(app)
app.command()(demo)  # the main job: ensembles, sensitivity, report
app.command()(explore)
describe(app)


def main() -> None:
    """Entry point: one clear line and exit status 2 for any bad input."""
    try:
        code = app(standalone_mode=False, prog_name="thermidor")
    except InputError as e:
        _fail(str(e))
    except KeyboardInterrupt:
        _fail("interrupted; nothing was written", 130)
    except OSError as e:  # the disk refused (full, read-only, gone): one line, not a traceback
        where = e.filename if e.filename is not None else "a file"
        _fail(f"{where}: {e.strerror or e} (nothing stored was changed)")
    except Exception as e:  # the usage errors of Typer's command-line parser
        if type(e).__name__ == "Abort":
            _fail("interrupted; nothing was written", 130)
        if type(e).__name__ == "NoArgsIsHelpError":
            out.print(e.format_message(), markup=False, highlight=False)
            sys.exit(0)
        if not (hasattr(e, "format_message") and hasattr(e, "exit_code")):
            raise
        _fail(e.format_message())
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, status: int = 2) -> None:
    err.print(f"thermidor: error: {message}", highlight=False, markup=False, soft_wrap=True)
    sys.exit(status)
