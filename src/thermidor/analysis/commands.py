"""The analysis commands of the command line: answer, compare, sensitivity, discover, report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from thermidor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

# pandas, the analysis and the report are imported in the commands (`--help` stays fast)

out = Console(soft_wrap=True)
Dirs = Annotated[list[Path], typer.Argument(help="run or experiment directories")]


def _fmt(v: list[float]) -> str:
    mid, lo, hi = v
    if math.isnan(mid):
        return "-"
    return f"{mid:.3g}" if lo == hi == mid else f"{mid:.3g} [{lo:.3g}, {hi:.3g}]"


def answer(
    path: Annotated[Path, typer.Argument(help="a run or an experiment directory")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON for machines")] = False,
) -> None:
    """The seven answers: median and 90 % interval over runs, their course and breakdown."""
    from rich.table import Table

    from thermidor.analysis import thresholds
    from thermidor.analysis.load import load, passive_of
    from thermidor.analysis.seven import QUESTIONS, one_line, seven_answers

    ens = load(path)
    answers = seven_answers(ens.timeseries, ens.outcomes, ens.horizon, passive_of(path))
    curves = thresholds.curves(path)
    if as_json:
        answers = {**answers, "thresholds": curves.to_dict(orient="records")}
        typer.echo(json.dumps(answers, indent=1, default=str))
        return
    out.print(f"[bold]{escape(ens.name)}[/bold]: {len(ens.outcomes)} run(s), {ens.horizon} weeks")
    for q, text in QUESTIONS.items():
        a = answers[q]
        out.print(f"\n[bold]{q}[/bold] [italic]{text}[/italic]", highlight=False)
        line = one_line(answers, q, ens.scenario.scale if ens.scenario else None)  # persons
        out.print(f"   {line}", markup=False, highlight=False)
        if a["measures"]:  # Q7 has no time-series measure: its line says it all
            points = list(a["measures"][0]["course"])
            table = Table("measure", *points, box=None, show_edge=False)
            for m in a["measures"]:
                table.add_row(m["label"], *(_fmt(m["course"][p]) for p in points))
            out.print(table)
        if "breakdown" in a:
            metrics = list(next(iter(a["breakdown"].values())))
            bt = Table("at the horizon", *(f"mean {m}" for m in metrics), box=None)
            for group, values in a["breakdown"].items():
                bt.add_row(group, *(_fmt(values[m]) for m in metrics))
            out.print(bt)
    _threshold_table(curves, "")


def _threshold_table(curves: pd.DataFrame, name: str) -> None:
    """Each outcome's probability by the horizon over its threshold (stored runs replayed;
    "a-b": a with censored runs counted as not reaching it, b as reaching it)."""
    from thermidor.analysis import thresholds

    out.print(f"\n[bold]P(outcome by the horizon) over its threshold[/bold] {name}")
    for line in thresholds.table_lines(curves):
        out.print(f"   {line}", markup=False, highlight=False)


def _comparable(paths: list[Path]) -> None:
    """Experiments compared must differ only in what their organisations do."""
    from thermidor.analysis.load import scenario_of

    def base(p: Path) -> dict:
        d = scenario_of(p).model_dump(mode="json")
        for k in ("name", "description", "seed", "blocs"):
            d.pop(k, None)
        for o in d["organisations"]:
            o.pop("strategy"), o.pop("active")
        return d

    first = base(paths[0])
    for p in paths[1:]:
        if base(p) != first:
            raise InputError(
                str(p),
                f"its scenario differs from {paths[0]}'s in more than the organisations' "
                "strategies, so a difference in outcomes could come from either; --allow-mixed "
                "compares them anyway (e.g. two scales or horizons, knowingly)",
            )


def compare(
    paths: Dirs,
    allow_mixed: Annotated[bool, typer.Option(help="compare different scenarios")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON for machines")] = False,
) -> None:
    """Each outcome's probability per experiment (95 % Wilson) and the differences from the
    first (95 % Newcombe)."""
    from rich.table import Table

    from thermidor.analysis import thresholds
    from thermidor.analysis.compare import incidence, outcome_table, yearly
    from thermidor.analysis.load import load
    from thermidor.model.state import OUTCOMES

    if len(paths) < 2:
        raise InputError("compare", "needs at least two run or experiment directories")
    if not allow_mixed:
        _comparable(paths)
    experiments = {}
    for p in paths:
        e = load(p)
        experiments[f"{e.name} ({p})" if e.name in experiments else e.name] = e
    table = outcome_table({n: e.outcomes for n, e in experiments.items()})
    curves = {n: yearly(incidence(e.outcomes, e.horizon)) for n, e in experiments.items()}
    over = {n: thresholds.curves(p) for n, p in zip(experiments, paths, strict=True)}
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "outcomes": table.to_dict(orient="records"),
                    "cumulative_incidence": {
                        n: c.to_dict(orient="list") for n, c in curves.items()
                    },
                    "thresholds": {n: c.to_dict(orient="records") for n, c in over.items()},
                },
                indent=1,
            )
        )
        return
    first = next(iter(experiments))
    t = Table("experiment", "outcome", "runs", "P [95 %]", f"minus {first} [95 %]", box=None)
    for _, r in table.iterrows():
        t.add_row(
            r["experiment"],
            r["outcome"],
            str(r["runs"]),
            f"{r['p']:.2f} [{r['p_low']:.2f}, {r['p_high']:.2f}]",
            f"{r['diff']:+.2f} [{r['diff_low']:+.2f}, {r['diff_high']:+.2f}]",
        )
    out.print(t)
    for outcome in OUTCOMES[1:]:
        years = max(len(c) for c in curves.values())
        ct = Table(f"P({outcome}) by", *(f"year {y}" for y in range(1, years)), box=None)
        for n, c in curves.items():
            ct.add_row(n, *(f"{v:.2f}" for v in c[outcome].iloc[1:]))
        out.print(ct)
    for n, c in over.items():
        _threshold_table(c, n)


def sensitivity(
    scenario: Annotated[str, typer.Argument(help="built-in name or TOML path")],
    out_dir: Annotated[Path, typer.Option("--out", help="experiment directory")],
    method: Annotated[str, typer.Option(help="sobol or morris")] = "morris",
    params: Annotated[
        str | None,
        typer.Option(help="k1,k2,... or all (default: the short list in docs/experiments.md)"),
    ] = None,
    samples: Annotated[int, typer.Option(help="base samples (trajectories for morris)")] = 8,
    runs_per_point: Annotated[int, typer.Option(help="replicates per point")] = 2,
    weeks: Annotated[int | None, typer.Option(help="horizon in weeks")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="key.path=value")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="print the design and its time; run nothing")
    ] = False,
) -> None:
    """Sensitivity (SALib) of P(reform), P(Thermidor) and P(reform | reform) - P(reform |
    corpse) to the scenario's parameters."""
    from rich.table import Table

    from thermidor.analysis.sensitivity import design
    from thermidor.analysis.sensitivity import sensitivity as run_sensitivity

    if method not in ("sobol", "morris"):
        raise InputError("--method", f"{method!r} is not one of sobol, morris")
    keys = None if params is None else ("all" if params.strip() == "all" else
                                        [k.strip() for k in params.split(",")])  # fmt: skip
    d = design(scenario, method=method, keys=keys, samples=samples, replicates=runs_per_point,
               weeks=weeks, overrides=set_)  # fmt: skip
    sc = d.scenario
    out.print(
        f"{method} on {len(d.ranges)} parameters ({', '.join(d.ranges)}): {d.points} points x "
        f"{d.replicates} runs x 3 variants (as given, all reform, all corpse) = {d.runs} runs of "
        f"{sc.weeks} weeks at scale 1:{1 / sc.scale:g}",
        highlight=False,
    )
    seconds = d.estimate(workers)
    out.print(
        f"estimated time: at most {_duration(seconds)} on {workers or 'all'} worker processes "
        "(from a pilot run; runs that end early take less; finished runs are kept on resume)",
        highlight=False,
    )
    if dry_run:
        return
    indices = run_sensitivity(scenario, out_dir, workers=workers, planned=d)
    t = Table("target", "parameter", "index", "conf", box=None)
    for _, r in indices.sort_values(["target", "index"], ascending=[True, False]).iterrows():
        t.add_row(r["target"], r["parameter"], f"{r['index']:.3f}", f"{r['conf']:.3f}")
    out.print(t)
    out.print(f"indices: {out_dir / 'indices.parquet'}")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def report(
    paths: Dirs,
    output: Annotated[Path, typer.Option("-o", "--output", help="the HTML file")] = Path(
        "report.html"
    ),
    main: Annotated[str | None, typer.Option(help="the scenario the answers are read on")] = None,
    sensitivity_dir: Annotated[
        Path | None, typer.Option("--sensitivity", help="a `thermidor sensitivity` directory")
    ] = None,
    discover_dirs: Annotated[
        list[str] | None,
        typer.Option(
            "--discover",
            help="a sweep, or sweeps of the same factors as DIR,DIR,...: where each outcome "
            "lives (PRIM's boxes; repeatable, one map each)",
        ),
    ] = None,
    calibration: Annotated[
        str | None,
        typer.Option(
            help="a calibration directory, or 'shipped': the posterior, its fit, and the "
            "retrodiction read from the main experiment if it is a sweep over its draws"
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="replace an existing report file")] = False,
) -> None:
    """One self-contained HTML report of the experiments given (opens offline)."""
    from thermidor.analysis import thresholds
    from thermidor.analysis.load import load, read_indices, scenario_of
    from thermidor.analysis.sensitivity import describe
    from thermidor.experiments.store import write_text
    from thermidor.outputs import check_file
    from thermidor.report.html import build

    check_file(output, "--output", force, sources=paths)
    if sensitivity_dir is not None and not (sensitivity_dir / "indices.parquet").is_file():
        raise InputError(str(sensitivity_dir), "has no indices.parquet (run `sensitivity`)")
    experiments = {}
    meta = {}
    over = {}
    for p in paths:
        e = load(p, with_cells=True)
        key = f"{e.name} ({p})" if e.name in experiments else e.name
        experiments[key] = e
        over[key] = thresholds.curves(p)
        sc = scenario_of(p)
        meta[key] = {"runs": len(e.outcomes), "weeks": sc.weeks, "scale": sc.scale,
                        "root seed": sc.seed, "directory": str(p)}  # fmt: skip
    name = main or ("1928" if "1928" in experiments else next(iter(experiments)))
    if name not in experiments:
        raise InputError("--main", f"{name!r} is not one of {', '.join(experiments)}")
    indices = None
    if sensitivity_dir is not None:
        indices = read_indices(sensitivity_dir / "indices.parquet")
    info = describe(sensitivity_dir) if sensitivity_dir is not None else None
    boxes = None
    if discover_dirs:
        from thermidor.analysis.discover import atlas

        maps = [[Path(d) for d in group.split(",") if d] for group in discover_dirs]
        boxes = atlas([(m, "over " + ", ".join(map(str, m))) for m in maps])
    cal = None
    if calibration is not None:
        from thermidor.report.calibration import inputs

        where = None if calibration == "shipped" else calibration
        cal = inputs(where, meta[name]["directory"])
    write_text(
        output,
        build(experiments, name, meta, indices, info, over_thresholds=over, discovery=boxes,
              calibration=cal),
    )  # fmt: skip
    out.print(f"report: {output}")


def discover(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="a sweep directory (thermidor sweep), or several of the same factors: mapped "
            "together, their scenario one more factor (scenario_name)"
        ),
    ],
    target: Annotated[
        list[str] | None,
        typer.Option(
            help="an outcome (reform, thermidor, consolidation, duality) or a condition "
            "NAME OP NUMBER such as 'pi_5y > 0.5' (repeatable; default: the four outcomes)"
        ),
    ] = None,
    min_coverage: Annotated[
        float, typer.Option(help="the box reported: the densest with at least this coverage")
    ] = 0.5,
    trajectory: Annotated[bool, typer.Option(help="also print each peeling trajectory")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON for machines")] = False,
) -> None:
    """Scenario discovery (PRIM): the box of the varied factors where each outcome happens."""
    from rich.table import Table

    from thermidor.analysis.discover import describe_box
    from thermidor.analysis.discover import discover as find

    found = find(paths if len(paths) > 1 else paths[0], target, min_coverage)
    if as_json:
        typer.echo(json.dumps([d.to_dict() for d in found], indent=1))
        return
    t = Table("target", "runs", "hits", "coverage", "density", "box", box=None)
    for d in found:
        cov = "-" if math.isnan(d.coverage) else f"{d.coverage:.2f}"
        den = "-" if math.isnan(d.density) else f"{d.density:.2f}"
        t.add_row(d.target, str(d.runs), str(d.hits), cov, den, describe_box(d))
    out.print(t)
    for d in found if trajectory else []:
        if d.trajectory is not None:
            out.print(f"\n[bold]{escape(d.target)}[/bold]: peeling trajectory", highlight=False)
            out.print(d.trajectory.to_string(float_format=lambda v: f"{v:.3f}"), markup=False)


def register(app: typer.Typer) -> None:
    """Add the analysis commands to `app`."""
    app.command()(answer)
    app.command()(compare)
    app.command()(sensitivity)
    app.command()(discover)
    app.command()(report)
