"""Model 2, S3/S9/S10: item 7 of issue 8 and the strategies' effects through S9 and S10.

    PYTHONPATH=src .venv/bin/python benchmarks/model2_repression.py      # 1:100, 10 seeds
    PYTHONPATH=src .venv/bin/python benchmarks/model2_repression.py --scale 0.001 --seeds 10

Every run is 520 weeks with S13 off (so no run stops early and the ten-year sums are comparable),
in real persons (model counts / scale). For `1928` it prints: the share of expulsions from the
purge against S9, S9's expulsions and the new exiles over ten years, the capitulations of
July-August 1929 and the month of most capitulations, the capitulated by the end of 1930, the
line per seed (1 Oct 1929, 1 Jan 1931, 1 Oct 1933, 1 Oct 1938) with its s.d. across seeds, and
membership against rows R1929-R1931. Then `1928-all-reform` against `1928-all-corpse`: mean and
standard error over the seeds of the new exiles, S9's arrests, joiners of the organisations,
capitulations, pi at year 5 and the kernel at year 5, with the difference in standard errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time

import numpy as np
import pandas as pd

import thermidor
from thermidor.engine import simulate

D = dt.date
RECORD = {"R1929": (D(1929, 1, 1), 1_535_362), "R1930": (D(1930, 1, 1), 1_677_910),
          "R1931": (D(1931, 1, 1), 2_212_225)}  # fmt: skip


def runs(name: str, seeds: int, scale: float, extra: list[str]) -> list[pd.DataFrame]:
    sc = thermidor.load_scenario(name, ["outcome.enabled=false", *extra], scale=scale, weeks=520)
    out = []
    for seed in range(1, seeds + 1):
        ts = simulate(sc, seed=seed).timeseries.to_pandas()
        ts["date"] = pd.to_datetime(ts["date"]).dt.date
        out.append(ts)
    return out


def at(ts: pd.DataFrame, col: str, day: D) -> float:
    return float(ts[ts["date"] <= day].iloc[-1][col])


def between(ts: pd.DataFrame, col: str, a: D, b: D) -> float:
    return float(ts[(ts["date"] >= a) & (ts["date"] <= b)][col].sum())


def peak_month(ts: pd.DataFrame) -> str:
    t = ts[ts["date"] <= D(1930, 12, 31)]
    by = t.groupby(pd.to_datetime(t["date"]).dt.to_period("M"))["capitulations"].sum()
    return str(by.idxmax())


def item7(rs: list[pd.DataFrame], scale: float) -> None:
    purged = np.array([ts["purged"].sum() for ts in rs])
    s9 = np.array([ts["expelled_s9"].sum() for ts in rs])
    exiles = np.array([ts["exiles_new"].sum() for ts in rs])
    july = np.array([between(ts, "capitulations", D(1929, 7, 1), D(1929, 8, 31)) for ts in rs])
    cap30 = np.array([at(ts, "capitulated", D(1930, 12, 31)) / scale for ts in rs])
    print(f"share of expulsions from the purge: {np.mean(purged / (purged + s9)):.3f}")
    print(f"purge expulsions over ten years:   {np.mean(purged):,.0f} (mean)")
    print(
        f"S9 expulsions over ten years:      {np.mean(s9):,.0f} (mean)  per seed {s9.astype(int)}"
    )
    print(f"new exiles over ten years:         {np.mean(exiles):,.0f} (mean)")
    print(f"capitulations July-Aug 1929:       {np.mean(july):,.0f} (mean) [O12: ~400]")
    print(f"month of most capitulations:       {[peak_month(ts) for ts in rs]}")
    print(f"capitulated by end 1930:           {np.mean(cap30):,.0f} (mean) [most of 5-6,000]")
    days = (D(1929, 10, 1), D(1931, 1, 1), D(1933, 10, 1), D(1938, 9, 1))
    lines = np.array([[at(ts, "line", d) for d in days] for ts in rs])
    for d, col in zip(days, lines.T, strict=True):
        print(f"line {d}: per seed {np.round(col, 3).tolist()}  sd {col.std(ddof=1):.3f}")
    for row, (d, rec) in RECORD.items():
        m = np.array([at(ts, "members", d) / scale for ts in rs])
        print(f"members {d} vs {row} {rec:,}: {np.mean(m):,.0f} ({np.mean(m) / rec - 1:+.1%})")


def effect(a: list[pd.DataFrame], b: list[pd.DataFrame], scale: float) -> None:
    y5 = D(1933, 10, 1)
    measures = {
        "new exiles, 10 years": lambda ts: ts["exiles_new"].sum(),
        "arrests, 10 years": lambda ts: ts["arrests"].sum(),
        "joined the organisations, 10 years": lambda ts: ts["org_joined"].sum(),
        "capitulations, 10 years": lambda ts: ts["capitulations"].sum(),
        "pi at year 5": lambda ts: at(ts, "pi", y5),
        "kernel at year 5": lambda ts: at(ts, "kernel_left_active", y5),
    }
    print(f"{'measure':36s} {'all-reform':>20s} {'all-corpse':>20s} {'diff / SE':>10s}")
    for name, f in measures.items():
        va = np.array([f(ts) for ts in a], float)
        vb = np.array([f(ts) for ts in b], float)
        sa, sb = va.std(ddof=1) / math.sqrt(va.size), vb.std(ddof=1) / math.sqrt(vb.size)
        se = math.hypot(sa, sb)
        z = (va.mean() - vb.mean()) / se if se > 0 else float("nan")
        print(f"{name:36s} {va.mean():12.4g} ± {sa:<6.2g} {vb.mean():12.4g} ± {sb:<6.2g} {z:10.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--skip-strategies", action="store_true")
    a = ap.parse_args()
    t0 = time.time()
    print(f"# 1928, scale {a.scale}, {a.seeds} seeds, 520 weeks, S13 off")
    item7(runs("1928", a.seeds, a.scale, []), a.scale)
    if not a.skip_strategies:
        print(f"\n# 1928-all-reform vs 1928-all-corpse, scale {a.scale}, {a.seeds} seeds")
        effect(
            runs("1928-all-reform", a.seeds, a.scale, []),
            runs("1928-all-corpse", a.seeds, a.scale, []),
            a.scale,
        )
    print(f"\n({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
