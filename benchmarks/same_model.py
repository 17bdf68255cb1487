"""Whether two trees run the same model: summary outputs of `1928` over seeds, then the two
distributions compared output by output.

    PYTHONPATH=/path/to/before/src .venv/bin/python benchmarks/same_model.py run 1 61 > before.json
    .venv/bin/python benchmarks/same_model.py run 1 61 > after.json    # add a scale: run 1 61 0.001
    .venv/bin/python benchmarks/same_model.py compare before.json after.json

For a change that keeps the model but not its draws (docs/performance.md, "Issue 11, sixth
session"): each output's mean and standard error on both trees, the difference in standard errors
(z) and the two-sample Kolmogorov-Smirnov p. One thread, 1:100 unless a scale is given, 520
weeks, S13 on.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def run(first: int, last: int, scale: float = 0.01) -> list[dict]:
    from thermidor.engine import simulate
    from thermidor.scenario.load import load_scenario

    out = []
    for seed in range(first, last):
        r = simulate(load_scenario("1928", scale=scale), seed=seed)
        ts = r.to_pandas()
        end = ts.iloc[-1]
        at156 = ts[ts.week == 156].iloc[0] if (ts.week == 156).any() else end
        out.append(
            {
                "seed": seed,
                "outcome": r.outcome["outcome"],
                "weeks_run": len(ts),
                "members_156": float(at156.members),
                "members_end": float(end.members),
                "purged_total": float(ts.purged.sum()),
                "org_joined": float(ts.org_joined.sum()),
                "kernel_end": float(end.kernel_left_active),
                "right_end": float(end.right_share),
                "q5_left_end": float(end.q5_left),
                "degenerated_end": float(end.cells_degenerated),
                "capitulations": float(ts.capitulations.sum()),
            }
        )
    return out


def compare(a: list[dict], b: list[dict]) -> None:
    import numpy as np
    from scipy import stats

    print("outcomes:", _count(a), "against", _count(b))
    print(f"{'output':16} {'first':>24} {'second':>24} {'z':>6} {'KS p':>6}")
    for key in [k for k in a[0] if k not in ("seed", "outcome")]:
        x = np.array([r[key] for r in a], float)
        y = np.array([r[key] for r in b], float)
        sx, sy = x.std(ddof=1) / np.sqrt(x.size), y.std(ddof=1) / np.sqrt(y.size)
        se = np.hypot(sx, sy)
        z = (y.mean() - x.mean()) / se if se > 0 else 0.0
        p = stats.ks_2samp(x, y).pvalue
        first, second = f"{x.mean():14.4f} +- {sx:7.4f}", f"{y.mean():14.4f} +- {sy:7.4f}"
        print(f"{key:16} {first} {second} {z:6.2f} {p:6.3f}")


def _count(rows: list[dict]) -> dict:
    out: dict = {}
    for r in rows:
        out[r["outcome"]] = out.get(r["outcome"], 0) + 1
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"] and len(sys.argv) in (4, 5):
        scale = float(sys.argv[4]) if len(sys.argv) == 5 else 0.01
        json.dump(run(int(sys.argv[2]), int(sys.argv[3]), scale), sys.stdout)
    elif sys.argv[1:2] == ["compare"] and len(sys.argv) == 4:
        with open(sys.argv[2]) as f, open(sys.argv[3]) as g:
            compare(json.load(f), json.load(g))
    else:
        sys.exit(__doc__)
