"""The known record of 1928-31 beside the default ensemble: quantity, record, model median, 90 %.

    PYTHONPATH=src .venv/bin/python benchmarks/history.py                  # 10 seeds at 1:100
    PYTHONPATH=src .venv/bin/python benchmarks/history.py --seeds 20 --scale 0.001
    PYTHONPATH=src .venv/bin/python benchmarks/history.py --write docs/history.md

Runs `1928` (or `--scenario`) for `--seeds` seeds from 1 October 1928 to the end of 1931 and reads
each quantity from the weekly time series, in real persons (model counts / scale), with the
readers of `thermidor.calibration.observables` (the calibration reads the record the same way).
The record's rows are the project's historical data (row ids of its history table, copied below
with their values); rows dated after 1929-12-31 are the hold-out: no parameter was set from them
(docs/ODD.md says which rows informed which parameter), so their lines are a retrodiction, not a
fit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import thermidor
from thermidor.calibration import observables as ob
from thermidor.engine import simulate

D = dt.date


def _at(col: str, day: D) -> Callable[[pd.DataFrame, float], float]:
    return lambda ts, scale: ob.at(ts, col, day, scale)


def _sum(col: str, a: D, b: D) -> Callable[[pd.DataFrame, float], float]:
    return lambda ts, scale: ob.total(ts, col, a, b)


def _exiled_1928_29(ts: pd.DataFrame, scale: float) -> float:
    return ob.exiled_since(ts, scale, D(1928, 10, 1), D(1929, 12, 31))


def _purge_share(ts: pd.DataFrame, scale: float) -> float:
    return ob.first_purge_share(ts, scale)


def _purge_size(ts: pd.DataFrame, scale: float) -> float:
    return ob.total(ts, "purged", D(1928, 10, 1), D(1930, 12, 31))


def _capitulation_peak(ts: pd.DataFrame, scale: float) -> float:
    return ob.capitulation_peak(ts, D(1930, 12, 31))


# (quantity, row ids, record as text, record as a number or None, reader, format)
ROWS: list[tuple[str, str, str, float | None, Callable, str]] = [
    ("members, 1 Jan 1929", "R1929", "1,535,362", 1_535_362, _at("members", D(1929, 1, 1)), ",.0f"),
    ("members, 1 Jan 1930", "R1930", "1,677,910", 1_677_910, _at("members", D(1930, 1, 1)), ",.0f"),
    (
        "members, June 1930",
        "M16+M17",
        "1,972,483",
        1_972_483,
        _at("members", D(1930, 6, 30)),
        ",.0f",
    ),
    ("members, 1 Jan 1931", "R1931", "2,212,225", 2_212_225, _at("members", D(1931, 1, 1)), ",.0f"),
    ("purge 1929-30: share expelled (%)", "P02, P03", ">10; 11", 11.0, _purge_share, ".1f"),
    ("purge 1929-30: expelled", "P04", "170,000", 170_000, _purge_size, ",.0f"),
    (
        "new exiles, January 1929",
        "O10",
        "~150 arrested",
        150,
        _sum("exiles_new", D(1929, 1, 1), D(1929, 1, 31)),
        ",.0f",
    ),
    (
        "arrests (all), January 1929",
        "O10",
        "~150 (Trotskyists)",
        150,
        _sum("arrests", D(1929, 1, 1), D(1929, 1, 31)),
        ",.0f",
    ),
    ("exiled or imprisoned 1928-29", "O11", "3,000-8,000", 5_500, _exiled_1928_29, ",.0f"),
    (
        "capitulations, July-Aug 1929",
        "O12",
        "~400 signatories",
        400,
        _sum("capitulations", D(1929, 7, 1), D(1929, 8, 31)),
        ",.0f",
    ),
    (
        "month of most capitulations, 1928-30 (year + (month - 1) / 12)",
        "O12",
        "July 1929 (1929.50)",
        1929.5,
        _capitulation_peak,
        ".2f",
    ),
    (
        "capitulated by end 1930",
        "O03",
        "most of 5,000-6,000",
        None,
        _at("capitulated", D(1930, 12, 31)),
        ",.0f",
    ),
    (
        "grain procurement against need, Oct 1928",
        "K12, K13",
        "0.70",
        0.70,
        _at("grain", D(1928, 10, 1)),
        ".2f",
    ),
    (
        "grain procurement against need, Oct 1929",
        "(none)",
        "-",
        None,
        _at("grain", D(1929, 10, 1)),
        ".2f",
    ),
    (
        "K (proprietors' weight), Oct 1929",
        "S16, S19 (0.2 in 1928)",
        "-",
        None,
        _at("K", D(1929, 10, 1)),
        ".3f",
    ),
    ("share collectivised (%), Oct 1929", "K07", "7.5", 7.5, None, ""),
    ("share collectivised (%), 1 Mar 1930", "K09", "57.2", 57.2, None, ""),
    ("share collectivised (%), 1 Jan 1931", "K11", "25.9", 25.9, None, ""),
    ("the line, 1 Oct 1929", "(none: the turn)", "-", None, _at("line", D(1929, 10, 1)), ".3f"),
    ("the line, 1 Mar 1930", "(none: 'Dizzy')", "-", None, _at("line", D(1930, 3, 1)), ".3f"),
    ("the line, 1 Jan 1931", "(none)", "-", None, _at("line", D(1931, 1, 1)), ".3f"),
]


def run(scenario: str, seeds: int, scale: float, overrides: list[str]) -> list[pd.DataFrame]:
    sc = thermidor.load_scenario(scenario, overrides or None, scale=scale, weeks=170)
    out = []
    for seed in range(1, seeds + 1):
        out.append(ob.frame(simulate(sc, seed=seed).timeseries))
    return out


def table(runs: list[pd.DataFrame], scale: float) -> str:
    lines = [
        "| quantity | rows | record | model median | model 90 % interval |",
        "|---|---|---|---|---|",
    ]
    for name, rows, record, _, read, fmt in ROWS:
        if read is None:
            lines.append(f"| {name} | {rows} | {record} | no model quantity | |")
            continue
        v = np.array([read(ts, scale) for ts in runs])
        lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
        lines.append(f"| {name} | {rows} | {record} | {med:{fmt}} | [{lo:{fmt}}, {hi:{fmt}}] |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="1928")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--set", action="append", default=[], help="key.path=value overrides")
    ap.add_argument("--write", type=Path, help="write the page (docs/history.md) here")
    a = ap.parse_args(argv)
    t0 = time.time()
    runs = run(a.scenario, a.seeds, a.scale, a.set)
    body = table(runs, a.scale)
    cmd = (
        f"PYTHONPATH=src .venv/bin/python benchmarks/history.py --scenario {a.scenario} "
        f"--seeds {a.seeds} --scale {a.scale}" + "".join(f" --set {s}" for s in a.set)
    )
    print(body)
    print(f"\n{a.seeds} runs in {time.time() - t0:.0f} s", file=sys.stderr)
    if a.write:
        a.write.write_text(PAGE.format(cmd=cmd, seeds=a.seeds, scale=a.scale, body=body))
    return 0


PAGE = """# The record of 1928-31 beside the model

The default scenario `1928` feeds only exogenous conditions and the state on 1 October 1928
(docs/ODD.md, S1): the Centre's line, its campaigns, the regime of repression, arrests, exiles,
the purge and capitulations come out of the model. Below, the known record (rows of the project's
historical table, by id) beside the default ensemble, before any calibration: {seeds} seeds at
scale {scale}, each quantity in real persons (model counts divided by the scale). Rows dated
after 1929-12-31 are the hold-out: no parameter was set from them. The model has no
collectivisation variable; its line is shown where the record has the turn and the retreat.

Command: `{cmd} --write docs/history.md`

{body}
"""

if __name__ == "__main__":
    raise SystemExit(main())
