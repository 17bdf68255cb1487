"""The engine against the Mesa twin: person-weeks per second of each, and their ratio.

    .venv/bin/python benchmarks/vs_mesa.py                    # 1928 at 1:240 (~20,000 persons)
    .venv/bin/python benchmarks/vs_mesa.py --scale 1:480 --weeks 26 --twin-repeats 1
    .venv/bin/python benchmarks/vs_mesa.py --json out.json

One process, one thread (NUMBA_NUM_THREADS=1 and the BLAS pools at 1, set before numpy loads).
The engine is warmed up first (a short run that compiles or loads its numba cache), then each
implementation runs the same scenario, seed and horizon `--repeats` times (the twin
`--twin-repeats` times), alternating, and the medians are reported. The outcome submodel (S13) is
switched off so that every run covers the whole horizon; `--outcome` keeps it on (person-weeks
then count the weeks actually run).

Columns: persons, weeks run, init seconds (the engine's `initial_state`; the twin's
`ReferenceModel`, which draws the same initial state and builds one Mesa agent per person), wall
and CPU seconds of the whole `simulate` call (init, weekly loop, observation, result tables),
person-weeks per second over the whole call (wall and CPU) and over the weekly loop alone (wall
minus init). The ratio rows divide the engine's figures by the twin's. The last line checks that
both ran the same model: with the same seed the twin draws the engine's random numbers in the
engine's order, so their final rows agree to rounding.
"""

from __future__ import annotations

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from fractions import Fraction  # noqa: E402
from typing import Any  # noqa: E402

NO_OUTCOME = "outcome.enabled=false"


def parse_scale(text: str) -> float:
    """'1:240', '1/240', '0.004' -> a float."""
    text = text.strip()
    if ":" in text:
        a, b = text.split(":")
        return float(Fraction(int(a), int(b)))
    return float(Fraction(text))


def load() -> str:
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def measure(
    simulate: Callable, init: Callable, sc: Any, seed: int, weeks: int
) -> tuple[dict[str, float], Any]:
    """One timed run: init seconds, wall and CPU seconds of `simulate`, weeks run."""
    t = time.perf_counter()
    init(sc, seed)
    init_s = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    result = simulate(sc, seed=seed, weeks=weeks)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"init_s": init_s, "wall_s": wall, "cpu_s": cpu}, result


def summary(runs: list[dict[str, float]], persons: int, weeks: int) -> dict[str, float]:
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    pw = persons * weeks
    return {
        **med,
        "pw_per_s": pw / med["wall_s"],
        "pw_per_cpu_s": pw / med["cpu_s"],
        "loop_pw_per_s": pw / max(med["wall_s"] - med["init_s"], 1e-9),
        "walls_s": [r["wall_s"] for r in runs],
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="1:240", help="1928 at this scale (1:240: ~20,000 persons)")
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5, help="engine runs (median)")
    ap.add_argument("--twin-repeats", type=int, default=2, help="twin runs (median)")
    ap.add_argument("--outcome", action="store_true", help="keep S13 on (runs may stop early)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)

    import mesa
    import numba
    import numpy as np

    import thermidor
    from thermidor.engine import simulate as engine_simulate
    from thermidor.model.init import initial_state
    from thermidor.reference import ReferenceModel
    from thermidor.reference import simulate as twin_simulate

    overrides = [] if args.outcome else [NO_OUTCOME]
    scale = parse_scale(args.scale)
    sc = thermidor.load_scenario("1928", overrides, scale=scale)

    load_start = load()
    t = time.perf_counter()  # warm-up: compile or load every numba kernel
    engine_simulate(thermidor.load_scenario("1928", overrides, scale=0.001), seed=0, weeks=30)
    warmup_s = time.perf_counter() - t

    runs: dict[str, list[dict[str, float]]] = {"engine": [], "twin": []}
    results: dict[str, Any] = {}
    for r in range(max(args.repeats, args.twin_repeats)):
        if r < args.repeats:
            m, results["engine"] = measure(
                engine_simulate, initial_state, sc, args.seed, args.weeks
            )
            runs["engine"].append(m)
        if r < args.twin_repeats:
            m, results["twin"] = measure(twin_simulate, ReferenceModel, sc, args.seed, args.weeks)
            runs["twin"].append(m)

    persons = results["engine"].outcome["persons"]
    weeks_run = results["engine"].outcome["weeks_run"]
    assert results["twin"].outcome["weeks_run"] == weeks_run
    figures = {k: summary(v, persons, weeks_run) for k, v in runs.items()}
    ratio = {
        k: figures["engine"][k] / figures["twin"][k]
        for k in ("pw_per_s", "pw_per_cpu_s", "loop_pw_per_s")
    }
    final_e, final_t = results["engine"].outcome["final"], results["twin"].outcome["final"]
    deviation = max(
        abs(final_t[k] - v) for k, v in final_e.items() if isinstance(v, float)
    )  # largest difference of a float column of the final row
    same = all(final_t[k] == v for k, v in final_e.items() if not isinstance(v, float)) and bool(
        deviation <= 1e-9
    )

    print(
        f"1928 at 1:{round(1 / scale)}: {persons:,} persons, {weeks_run} weeks, seed {args.seed}"
        f"{'' if args.outcome else ', S13 off'}; engine warm-up {warmup_s:.1f} s; "
        f"load at the start {load_start}"
    )
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"numba {numba.__version__}, mesa {mesa.__version__}, one thread"
    )
    head = ("", "runs", "init s", "wall s", "CPU s", "pw/s", "pw/CPU s", "loop pw/s")
    print(f"{head[0]:<8}" + "".join(f"{h:>12}" for h in head[1:]))
    for name, f in figures.items():
        print(
            f"{name:<8}{len(runs[name]):>12}{f['init_s']:>12.3f}{f['wall_s']:>12.3f}"
            f"{f['cpu_s']:>12.3f}{f['pw_per_s']:>12,.0f}{f['pw_per_cpu_s']:>12,.0f}"
            f"{f['loop_pw_per_s']:>12,.0f}"
        )
    print(
        f"{'ratio':<8}{'':>12}{'':>12}{'':>12}{'':>12}{ratio['pw_per_s']:>11.0f}x"
        f"{ratio['pw_per_cpu_s']:>11.0f}x{ratio['loop_pw_per_s']:>11.0f}x"
    )
    print(
        f"same run: {'yes' if same else 'NO'} (largest difference of the final row's floats "
        f"{deviation:.1e}); load at the end {load()}"
    )
    out = {
        "scenario": "1928",
        "scale": scale,
        "persons": persons,
        "weeks": weeks_run,
        "seed": args.seed,
        "outcome_submodel": args.outcome,
        "warmup_s": warmup_s,
        "engine": figures["engine"],
        "twin": figures["twin"],
        "ratio": ratio,
        "same_run": same,
        "final_row_deviation": deviation,
        "cpu": cpu_model(),
        "load_start": load_start,
        "load": load(),
    }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
    return out


if __name__ == "__main__":
    main()
