"""The main job (`make demo`): the strategies' ensembles at the calibrated posterior, a
sensitivity analysis, a discovery map, the report.

Each strategy scenario is run over the same draws from the posterior that ships with the package
(docs/calibration.md): run p of every scenario has the same parameters and the same seed, so the
strategies are compared paired by run, over what the record of 1928-29 allows rather than at one
default. Everything goes into one directory and resumes: run it again and only what is missing is
computed.
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
# Morris: 6 trajectories of 11 points (the 10 default parameters of `thermidor sensitivity`), one
# run a point, three sweeps: 198 runs at 1:1000, enough to rank them on the continuous targets
DEMO_TRAJECTORIES = 6
POSTERIOR_SEED = 1  # the draws from the posterior, shared by every strategy scenario
# a small discovery map: the Left Opposition's strategy and three parameters Morris ranks high,
# each from half to one and a half times its value, 48 Latin-hypercube points at 1:1000
DISCOVERY_VARY = [
    "organisations.0.strategy=reform,corpse,manifesto",
    "influence.cadre_contacts=5:15",
    "power.kernel_weight=0.025:0.075",
    "power.degeneration_weight=0.005:0.015",
]
DISCOVERY_POINTS = 48
out = Console(soft_wrap=True)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="where everything goes")] = Path("demo"),
    runs: Annotated[int, typer.Option(help="runs per scenario (draws from the posterior)")] = 20,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    sensitivity_scale: Annotated[float, typer.Option(help="scale of the sensitivity runs")] = 0.001,
) -> None:
    """The strategy scenarios over the calibrated posterior, a Morris sensitivity analysis, a
    discovery map and the HTML report."""
    import os

    import thermidor.experiments as tx
    from thermidor.analysis import thresholds
    from thermidor.analysis.discover import atlas, describe_box
    from thermidor.analysis.load import load, passive_of, scenario_of
    from thermidor.analysis.sensitivity import DEFAULT_PARAMETERS, describe, sensitivity
    from thermidor.analysis.seven import QUESTIONS, blocs_line, one_line, seven_answers
    from thermidor.calibration.posterior import posterior_plan
    from thermidor.experiments.api import passive_dir, passive_plan, run
    from thermidor.experiments.executors import process_pool
    from thermidor.report.calibration import inputs as calibration_inputs
    from thermidor.report.html import build

    pool = process_pool(workers or os.cpu_count() or 1)  # one pool for the ensembles
    try:
        for name in SCENARIOS:
            matched = name == SCENARIOS[0]  # Q5 against the same runs with the opposition passive
            out.print(
                f"[bold]ensemble[/bold] {name}: {runs} runs over the posterior"
                + (" (matched)" if matched else "")
            )
            plan = posterior_plan(name, runs, seed=POSTERIOR_SEED)
            targets = [(plan, out_dir / name)]
            if matched:
                targets.append((passive_plan(plan), passive_dir(out_dir / name)))
            for p, o in targets:
                run(p, o, executor=pool, workers=workers, progress=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
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
    out.print(
        f"[bold]discovery[/bold] (PRIM over {DISCOVERY_POINTS} Latin-hypercube runs at scale "
        f"{sensitivity_scale:g}: the strategy and three parameters)"
    )
    tx.sweep(
        "1928", DISCOVERY_VARY, out=out_dir / "discovery", design="lhs", samples=DISCOVERY_POINTS,
        overrides=[f"scale={sensitivity_scale}"], workers=workers, progress=True,
    )  # fmt: skip
    maps, closes = atlas(
        [
            ([out_dir / "discovery"], f"Over the plausible ranges: {DISCOVERY_POINTS} Latin-"
             f"hypercube runs at scale {sensitivity_scale:g}, the strategy and three parameters "
             f"from half to one and a half times their values ({out_dir / 'discovery'})"),
            ([out_dir / n for n in SCENARIOS], f"Over the posterior: the {len(SCENARIOS)} "
             f"scenarios' runs ({runs} each, the same draws from the calibrated posterior), "
             "the scenario one more factor"),
        ]
    )  # fmt: skip
    for boxes, label in maps:
        out.print(f"   {label.split(':')[0]}:", markup=False, highlight=False)
        for d in boxes:
            found = f"{d.hits} of {d.runs} runs; {describe_box(d)}"
            out.print(f"      {d.target}: {found}", markup=False, highlight=False)
    for outcome, table in closes.items():
        shut = table[table["runs"].str.startswith("0 of")]["condition"]
        out.print(
            f"   {outcome} never happens; held in no run: {'; '.join(shut) or '(none alone)'}",
            markup=False,
            highlight=False,
        )
    experiments = {}
    meta = {}
    over = {}
    for name in SCENARIOS:
        path = out_dir / name
        experiments[name] = load(path, with_cells=True)
        over[name] = thresholds.curves(path)
        sc = scenario_of(path)
        meta[name] = {"runs": len(experiments[name].outcomes), "weeks": sc.weeks,
                      "scale": sc.scale, "root seed": sc.seed, "directory": str(path),
                      "parameters": "each run a draw from the calibrated posterior"}  # fmt: skip
    cal = calibration_inputs(None, out_dir / SCENARIOS[0])
    if cal["retrodiction"] is not None:
        r = cal["retrodiction"]
        out.print(
            f"retrodiction of 1930-32 from {SCENARIOS[0]}'s runs: {int(r['in_50'].sum())} of "
            f"{len(r)} record rows inside the 50 % interval, {int(r['in_90'].sum())} inside the "
            "90 % interval",
            highlight=False,
        )
    report = out_dir / "report.html"
    report.write_text(
        build(
            experiments,
            "1928",
            meta,
            indices,
            describe(out_dir / "sensitivity"),
            over_thresholds=over,
            discovery=(maps, closes),
            calibration=cal,
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
