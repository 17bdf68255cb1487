"""The main job (`make demo`): the strategies' ensembles, a sensitivity analysis, the report.

Everything goes into one directory and resumes: run it again and only what is missing is
computed. About five minutes on a 2-core machine with the defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

SCENARIOS = (
    "1928",
    "1928-all-reform",
    "1928-all-corpse",
    "1928-manifesto",
    "1928-no-opposition",
    "1928-bloc",
    "1928-bloc-delimited",
)
# Morris: 8 trajectories of 11 points (the 10 default parameters of `thermidor sensitivity`), one
# run a point, three sweeps: 264 runs at 1:1000, enough to rank them on the continuous targets
DEMO_TRAJECTORIES = 8
out = Console(soft_wrap=True)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="where everything goes")] = Path("demo"),
    runs: Annotated[int, typer.Option(help="runs per scenario")] = 40,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    sensitivity_scale: Annotated[float, typer.Option(help="scale of the sensitivity runs")] = 0.001,
) -> None:
    """Ensembles of the strategy scenarios, a Morris sensitivity analysis and the HTML report."""
    import thermidor.experiments as tx
    from thermidor.analysis import thresholds
    from thermidor.analysis.load import load, passive_of, scenario_of
    from thermidor.analysis.sensitivity import DEFAULT_PARAMETERS, describe, sensitivity
    from thermidor.analysis.seven import QUESTIONS, blocs_line, one_line, seven_answers
    from thermidor.report.html import build

    for name in SCENARIOS:
        matched = name == SCENARIOS[0]  # Q5 against the same runs with the opposition passive
        out.print(f"[bold]ensemble[/bold] {name}: {runs} runs" + (" (matched)" if matched else ""))
        tx.ensemble(name, runs, out=out_dir / name, workers=workers, progress=True, matched=matched)
    runs_total = 3 * DEMO_TRAJECTORIES * (len(DEFAULT_PARAMETERS) + 1)
    out.print(
        f"[bold]sensitivity[/bold] (Morris, {len(DEFAULT_PARAMETERS)} parameters, "
        f"{DEMO_TRAJECTORIES} trajectories, {runs_total} runs, scale {sensitivity_scale:g})"
    )
    indices = sensitivity(
        "1928", out_dir / "sensitivity", method="morris",
        samples=DEMO_TRAJECTORIES, replicates=1, overrides=[f"scale={sensitivity_scale}"],
        workers=workers,
    )  # fmt: skip
    out.print(f"Morris mu* ({runs_total} runs at scale {sensitivity_scale:g}), largest three:")
    for target, g in indices.groupby("target", sort=False):
        top = g.sort_values("index", ascending=False).head(3)
        ranked = ", ".join(f"{p} {v:.3g}" for p, v in zip(top.parameter, top["index"], strict=True))
        out.print(f"   {target}: {ranked}", markup=False, highlight=False)
    experiments = {}
    meta = {}
    over = {}
    for name in SCENARIOS:
        path = out_dir / name
        experiments[name] = load(path, with_cells=True)
        over[name] = thresholds.curves(path)
        sc = scenario_of(path)
        meta[name] = {"runs": len(experiments[name].outcomes), "weeks": sc.weeks,
                      "scale": sc.scale, "root seed": sc.seed, "directory": str(path)}  # fmt: skip
    report = out_dir / "report.html"
    report.write_text(
        build(
            experiments,
            "1928",
            meta,
            indices,
            describe(out_dir / "sensitivity"),
            over_thresholds=over,
        ),
        encoding="utf-8",
    )
    main = experiments["1928"]
    answers = seven_answers(
        main.timeseries, main.outcomes, main.horizon, passive_of(out_dir / SCENARIOS[0])
    )
    out.print(f"\nreport: {report}\nresults: {out_dir}/")
    out.print(f"\nThe seven answers for 1928 ({len(main.outcomes)} runs; median [90 % interval]):")
    blocs = blocs_line({n: e.timeseries for n, e in experiments.items()})
    for q, text in QUESTIONS.items():
        line = blocs if q == "Q7" and blocs else one_line(answers, q, main.scenario.scale)
        out.print(f"{q} {text}", style="bold", markup=False)
        out.print(f"   {line}", markup=False, highlight=False)
