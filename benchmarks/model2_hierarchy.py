"""Model 2, S11: the hierarchy's answer against the cells' Left share, at the four scales.

    PYTHONPATH=src python benchmarks/model2_hierarchy.py [--keys 1000]

Prints (1) how many cell counts 2..4,999 let a unanimous Left bottom (no appointment) take the CC,
(2) P(CC Left | Left share of the cells' delegates) at the cell counts of `1928` at scales 0.001,
0.01, 0.1 and 1 (55, 558, 5,581, 55,809 cells), with the default appointment (0.3) and without,
each over `--keys` stream keys (binomial SE at most 0.5 / sqrt(keys)), and (3) where Galam's
recursion has its fixed point for groups of 4 and 10 as a function of the appointment weight.
"""

from __future__ import annotations

import argparse

import numpy as np

from thermidor.model.state import CENTRE, LEFT
from thermidor.model.submodels import hierarchy
from thermidor.scenario.load import load_scenario

SCALE_CELLS = (55, 558, 5581, 55809)


def fixed_point(g: int, theta: float) -> float | None:
    lo, hi = 0.5, 1.0 - 1e-12
    if hierarchy.tail(hi, g, theta) <= hi:
        return None
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if hierarchy.tail(mid, g, theta) < mid else (lo, mid)
    return 0.5 * (lo + hi)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=1000)
    a = ap.parse_args()
    p0 = load_scenario("1928", ["hierarchy.appointed=0"]).hierarchy
    wins = sum(
        hierarchy.elect(n, 0, n, p0, CENTRE, np.uint64(n), 4)[0] == LEFT for n in range(2, 5000)
    )
    print(f"unanimous Left bottom, no appointment: {wins} of 4,998 cell counts 2..4,999 win the CC")
    shares = np.round(np.arange(0.5, 1.0001, 0.05), 2)
    for appointed in (0.0, 0.3):
        p = load_scenario("1928", [f"hierarchy.appointed={appointed}"]).hierarchy
        print(f"\nP(CC Left | Left share of the cells), appointed {appointed}, {a.keys} keys each")
        print("cells   " + " ".join(f"{s:5.2f}" for s in shares))
        for i, n in enumerate(SCALE_CELLS):
            row = []
            for s in shares:
                k = round(s * n)
                hits = sum(
                    hierarchy.elect(k, 0, n, p, CENTRE, np.uint64(10**6 * i + r), 4)[0] == LEFT
                    for r in range(a.keys)
                )
                row.append(hits / a.keys)
            print(f"{n:6d}  " + " ".join(f"{v:5.3f}" for v in row))
    print("\nfixed point of the recursion P(Bin(g, p) > (1 + a)/2 g) against the appointment a")
    for g in (4, 10):
        pts = {a_: fixed_point(g, 0.5 * (1 + a_)) for a_ in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)}
        print(f"  g = {g:2d}: " + ", ".join(
            f"a {a_:.1f}: {'none' if v is None else f'{v:.4f}'}" for a_, v in pts.items()
        ))  # fmt: skip


if __name__ == "__main__":
    main()
