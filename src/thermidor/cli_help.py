"""What `thermidor --help` and `thermidor COMMAND --help` say besides the options: a one-line
summary for the list of commands (never cut) and an example for each command."""

from __future__ import annotations

import typer

# (one line for `thermidor --help`, the examples shown by `thermidor COMMAND --help`)
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "scenarios": ("List the built-in scenarios.", ["thermidor scenarios"]),
    "check": (
        "Validate a scenario and summarise it.",
        ["thermidor check 1928", "thermidor check my.toml --set influence.mu=0.2"],
    ),
    "show": ("Print a scenario fully resolved, as TOML.", ["thermidor show 1928-all-corpse"]),
    "diff": ("The keys two scenarios differ in.", ["thermidor diff 1928 1928-all-corpse"]),
    "run": (
        "One run: time series, cells, outcome, answers.",
        [
            "thermidor run tiny --weeks 52 --seed 1 --out runs/tiny",
            "thermidor run 1928 --scale 0.001 --set organisations.1.strategy=reform --out runs/r",
        ],
    ),
    "ensemble": (
        "Many runs of one scenario, resumable.",
        [
            "thermidor ensemble 1928 --runs 200 --scale 0.001 --out out/1928",
            "thermidor ensemble 1928 --runs 10000 --out /scratch/ens --executor dask "
            "--scheduler tcp://head:8786",
        ],
    ),
    "sweep": (
        "Runs over a design of parameter values.",
        [
            "thermidor sweep 1928 --vary influence.mu=0.05:0.3 --vary activation.k=1:4 "
            "--design sobol --samples 64 --scale 0.001 --out out/sweep",
        ],
    ),
    "merge": (
        "Join the shards of one experiment.",
        ["thermidor merge /scratch/ens/shard-* --out /scratch/ens/all"],
    ),
    "compact": (
        "Pack an experiment into a few files a table.",
        ["thermidor compact out/1928"],
    ),
    "query": (
        "DuckDB SQL over an experiment's tables.",
        [
            'thermidor query out/1928 "SELECT outcome, count(*) FROM outcomes GROUP BY ALL"',
            'thermidor query out/1928 "SELECT * FROM timeseries" --csv ts.csv',
        ],
    ),
    "status": ("Runs done, left and failed; time left.", ["thermidor status out/1928"]),
    "answer": (
        "The seven answers of a run or experiment.",
        ["thermidor answer out/1928", "thermidor answer runs/tiny --json"],
    ),
    "compare": (
        "Outcome probabilities across experiments.",
        [
            "thermidor compare out/1928 out/corpse",
            "thermidor compare out/1928 out/1928-scale-0.01 --allow-mixed",
        ],
    ),
    "sensitivity": (
        "What decides the outcome (SALib).",
        [
            "thermidor sensitivity 1928 --dry-run --out out/sens",
            "thermidor sensitivity 1928 --method morris --samples 8 --out out/sens",
            "thermidor sensitivity 1928 --params all --set scale=0.0005 --out out/sens-all",
        ],
    ),
    "discover": (
        "Where each outcome lives (PRIM boxes).",
        [
            "thermidor discover out/sweep",
            "thermidor discover out/sweep --target reform --target 'pi_5y > 0.5' --json",
        ],
    ),
    "calibrate": (
        "Calibrate to the record (ABC-SMC).",
        [
            "thermidor calibrate 1928 --out cal --population 100 --generations 5",
            "thermidor calibrate 1928 --out cal --prior repression.arrest_rate=0.5:3 --report",
        ],
    ),
    "retrodict": (
        "The posterior against the record of 1930-32.",
        ["thermidor retrodict cal --draws 50", "thermidor retrodict --markdown table.md"],
    ),
    "report": (
        "One self-contained HTML report.",
        ["thermidor report out/1928 out/corpse --sensitivity out/sens -o report.html"],
    ),
    "demo": (
        "Ensembles, sensitivity and the report.",
        ["thermidor demo --out demo", "thermidor demo --runs 10 --out demo-quick"],
    ),
    "explore": (
        "The model in the browser, live.",
        [
            "thermidor explore",
            "thermidor explore 1928-all-corpse --port 8600",
            "thermidor explore tiny --host 0.0.0.0     (reachable from other machines)",
        ],
    ),
}


def describe(app: typer.Typer) -> None:
    """Give each registered command its one-line summary and its examples."""
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        name = name.removesuffix("_cmd").replace("_", "-")
        if name in COMMANDS:
            short, examples = COMMANDS[name]
            info.short_help = short
            info.epilog = "\b\nExamples:\n" + "\n".join(f"  {e}" for e in examples)
