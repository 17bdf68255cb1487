"""Model 2, S11-S13: where pi and beta settle against the outcome thresholds, and the outcomes.

    PYTHONPATH=src python benchmarks/model2_outcome.py --seeds 10 --scale 0.01 --weeks 520
    PYTHONPATH=src python benchmarks/model2_outcome.py --set power.kernel_reference=0

Runs the `1928` scenario for each seed twice: with S13 on (the outcome frequencies) and with S13
off (the full trajectories: pi and beta at years 2, 5 and 10, and the outcome rules read
afterwards). Prints one table per block; `--set` overrides apply to every run.
"""

from __future__ import annotations

import argparse

import numpy as np

from thermidor.engine import simulate
from thermidor.scenario.load import load_scenario


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--weeks", type=int, default=520)
    ap.add_argument("--set", action="append", default=[])
    a = ap.parse_args()
    base = [f"scale={a.scale}", *a.set]
    on = load_scenario("1928", base, weeks=a.weeks)
    off = load_scenario("1928", [*base, "outcome.enabled=false"], weeks=a.weeks)
    outcomes: dict[str, int] = {}
    rows = []
    for seed in range(1, a.seeds + 1):
        r = simulate(on, seed=seed)
        outcomes[r.outcome["outcome"]] = outcomes.get(r.outcome["outcome"], 0) + 1
        ts = simulate(off, seed=seed).timeseries.to_pandas()
        rows.append(ts)
    print(f"1928, scale {a.scale}, {a.weeks} weeks, seeds 1..{a.seeds}, --set {a.set}")
    print("outcomes (S13 on):", dict(sorted(outcomes.items())))
    print("S13 off: median [min, max] over seeds")
    cols = ["pi", "beta", "beta_star", "kernel_left_active", "left_top"]
    cols = [c for c in cols if c in rows[0].columns]  # beta_star: Model 2
    if "beta_star" in cols:
        b0 = np.array([float(ts["beta_star"].iloc[1]) for ts in rows])
        level = b0 + on.outcome.consolidation_margin
        print(
            f"  consolidation level beta_star0 + margin: {np.median(level):.4f} "
            f"[{level.min():.4f}, {level.max():.4f}]"
        )
    print(f"  thermidor_pi {on.outcome.thermidor_pi}, reform_pi {on.outcome.reform_pi}")
    for col in cols:
        for year in (0, 1, 2, 5, 10):
            w = min(52 * year, a.weeks)
            v = np.array([float(ts[col].iloc[w]) for ts in rows])
            print(f"  {col:20s} year {year:2d}: {np.median(v):.4f} [{v.min():.4f}, {v.max():.4f}]")
    cc = np.array([(ts["cc_holder"] == "Left").mean() for ts in rows])
    print(f"  share of weeks the Left holds the CC: {cc.mean():.4f}")


if __name__ == "__main__":
    main()
