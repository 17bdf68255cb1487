"""The validation table of docs/validation.md: each published figure against the model's.

    .venv/bin/python benchmarks/validation_report.py              # the table (about 10 s)
    .venv/bin/python benchmarks/validation_report.py --pairwise   # + the paper's pair update

Runs the same measurements as `tests/test_validation.py` (it imports its `measure_*` functions,
with the same fixed seeds), so the figures printed are the ones the tests check. `--pairwise`
adds, for S6, a plain reference implementation of the papers' symmetric pair update (a random
pair, both move) over the same initial conditions, to show what the model's listener-only rule
changes.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numba as nb
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import test_validation as tv  # noqa: E402

CMD = ".venv/bin/pytest -m validation -k "


def row(check: str, source: str, published: str, ours: str, tolerance: str, test: str) -> str:
    return f"| {check} | {source} | {published} | {ours} | {tolerance} | `{CMD}{test}` |"


def s5_rows() -> list[str]:
    out = []
    for legitimacy, pub in ((0.82, 0.4444), (0.7, 0.6667), (0.5, 0.8)):
        m = tv.measure_epstein_share(legitimacy)
        se = math.sqrt(pub * (1 - pub) / m["n"])
        out.append(
            row(
                f"S5 active share, no enforcers, L = {legitimacy}",
                "Epstein 2002",
                f"{pub:.4f}",
                f"{m['share']:.4f} (N = {int(m['n'])})",
                f"±{tv.Z * se:.4f} (4 binomial SE)",
                "epstein_active_share",
            )
        )
    probs = tv.measure_arrest_probabilities()
    ours = ", ".join(f"{rule} {probs[(1, 0, rule)][0]:.4f}" for rule in sorted(tv.ROUNDING))
    out.append(
        row(
            "S5 P, k = 2.3, one enforcer, one active (himself)",
            "Epstein 2002",
            "0.8997",
            ours,
            "±0.00005 (rounding)",
            "arrest_probability",
        )
    )
    inv = tv.measure_invariant()
    out.append(
        row(
            "S5 invariant: active ⇒ G > T (full `tiny`, right after S5, 104 weeks)",
            "Epstein 2002",
            "no exception",
            f"{inv['violations']} exceptions in {inv['actives']} active person-weeks",
            "exact",
            "invariant",
        )
    )
    return out


def rounding_table() -> list[str]:
    probs = tv.measure_arrest_probabilities()
    lines = [
        "| E | other actives A | E/(1+A) | floor (NetLogo) | continuous (paper) "
        "| round (model) | round (Mesa, half to even) |",
        "|---|---|---|---|---|---|---|",
    ]
    for e, a in tv.ROUNDING_CASES:
        f, c, r = (probs[(e, a, k)] for k in ("floor", "continuous", "round"))
        lines.append(
            f"| {e} | {a} | {e / (1 + a):.3f} | {f[0]:.4f} | {c[0]:.4f} | {r[0]:.4f} | {r[1]:.4f} |"
        )
    return lines


def s4_rows() -> list[str]:
    first, second = tv.granovetter_uniform()
    out = [
        row(
            "S4 thresholds 0..99 in a cell of 100; then 1 → 2",
            "Granovetter 1978",
            "100; then 1",
            f"{first}; then {second}",
            "exact",
            "granovetter_uniform",
        )
    ]
    for offset in (0.0, 0.5):
        measured = tv.measure_critical_sigma(offset)
        b = tv.integer_restriction(offset)
        lo, hi = tv.continuous_critical_sigma(offset - b), tv.continuous_critical_sigma(offset)
        pub = "12.2" if offset == 0.0 else f"12.2 (+ half a person: {hi:.3f})"
        out.append(
            row(
                f"S4 critical σ, Normal(25, σ), N = 100, quantiles (j + {offset:g})/N",
                "Granovetter 1978",
                pub,
                f"{measured:.4f}",
                f"in [{lo:.4f}, {hi:.4f}] (integer r)"
                + (" and 12.2 ± 0.06" if offset == 0.0 else ""),
                "granovetter_critical",
            )
        )
    for society, (thresholds, share) in tv.KURAN.items():
        out.append(
            row(
                f"S4 ten persons, thresholds {{{','.join(map(str, thresholds))}}}%",
                "Kuran 1991",
                f"{share:.0%}",
                f"{tv.measure_kuran(society):.0%}",
                "exact",
                "kuran",
            )
        )
    return out


def s6_rows() -> list[str]:
    out = []
    for d in sorted(tv.DW_EXPECTED, reverse=True):
        counts = Counter(tv.measure_dw_counts(d))
        pub = "–".join(map(str, sorted(tv.DW_EXPECTED[d])))
        ours = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        out.append(
            row(
                f"S6 BC, N = 1000, d = {d}: major clusters (runs with each count)",
                "Deffuant et al. 2000",
                pub,
                f"{ours} of {tv.DW_RUNS}",
                f"≥ {tv.fewest_hits(tv.DW_RUNS)} of {tv.DW_RUNS} in the published set "
                "(binomial vs 1/2, p < 0.001)",
                f"'deffuant_weisbuch and {d}'",
            )
        )
    for case, (u, pe, _, runs) in tv.RA_CASES.items():
        ys = tv.measure_ra_case(case)
        classes = Counter(tv.ra_regime(y) for y in ys)
        k = tv.fewest_hits(runs)
        out.append(
            row(
                f"S6 RA, N = 200, U = {u}, {pe:.0%} extremists: regime (runs in each; mean y)",
                "Deffuant et al. 2002",
                case,
                ", ".join(f"{c}: {n}" for c, n in classes.most_common())
                + f" of {runs}; y = {np.mean(ys):.3f}",
                f"≥ {k} of {runs} (binomial vs 1/2, p < 0.001)",
                f"'relative_agreement and {case.split()[0]}'",
            )
        )
    return out


def s11_rows() -> list[str]:
    exact = [0.5]
    for _ in range(3):
        exact.append(tv.galam_map(exact[-1]))
    shares = tv.measure_galam_levels()
    tols = [
        tv.Z * math.sqrt(p * (1 - p) / (tv.GALAM_LEAVES // 4**k))
        for k, p in enumerate(exact[1:], start=1)
    ]
    fixed = tv.measure_galam_fixed_point()
    slope = 12 * tv.GALAM_CRITICAL**2 * (1 - tv.GALAM_CRITICAL) - 1
    se = math.sqrt(tv.GALAM_CRITICAL * (1 - tv.GALAM_CRITICAL) * (1 / 4**9 + 1 / 4**10))
    return [
        row(
            "S11 groups of 4, ties to the incumbent: critical share (elect, 4^10 cells)",
            "Galam 1990; 2007",
            "0.7676",
            f"{fixed:.4f}",
            f"±{tv.Z * se / slope:.4f} (4 SE / (P′ − 1))",
            "galam_critical",
        ),
        row(
            "S11 from 0.5, levels 1, 2, 3 (elect, 4^11 cells)",
            "Galam 1990; 2007",
            ", ".join(f"{p:.4f}" for p in exact[1:]),
            ", ".join(f"{s:.4f}" for s in shares),
            ", ".join(f"±{t:.4f}" for t in tols) + " (4 binomial SE)",
            "galam_levels",
        ),
    ]


# --- the papers' symmetric pair update, for comparison with the listener-only S6 ------------


@nb.njit(cache=True)
def _pairs(x, u, mu, steps, bounded, seed):
    np.random.seed(seed)
    n = x.size
    for _ in range(steps):
        i = np.random.randint(n)
        j = np.random.randint(n)
        if i == j:
            continue
        xi, ui, xj, uj = x[i], u[i], x[j], u[j]
        if bounded:
            if abs(xi - xj) < ui:
                x[i] = xi + mu * (xj - xi)
                x[j] = xj + mu * (xi - xj)
            continue
        h = min(xi + ui, xj + uj) - max(xi - ui, xj - uj)
        if h > uj:  # j influences i
            w = mu * (h / uj - 1.0)
            x[i] = xi + w * (xj - xi)
            u[i] = ui + w * (uj - ui)
        if h > ui:  # i influences j
            w = mu * (h / ui - 1.0)
            x[j] = xj + w * (xi - xj)
            u[j] = uj + w * (ui - uj)


def pairwise_rows() -> list[str]:
    out = ["", "Pair update (the papers' rule) on the same initial conditions, for comparison:", ""]
    for d in sorted(tv.DW_EXPECTED, reverse=True):
        counts: Counter[int] = Counter()
        for seed in range(tv.DW_RUNS):
            x = np.random.default_rng(seed).uniform(-1.0, 1.0, tv.DW_N)
            _pairs(x, np.full(tv.DW_N, 2.0 * d), 0.5, tv.DW_N * tv.DW_WEEKS // 2, True, seed)
            counts[len(tv.major_clusters(x))] += 1
        out.append(f"- BC d = {d}: major clusters {dict(sorted(counts.items()))}")
    for case, (uu, pe, weeks, runs) in tv.RA_CASES.items():
        classes: Counter[str] = Counter()
        ys = []
        for seed in range(runs):
            rng = np.random.default_rng(seed)
            x = rng.uniform(-1.0, 1.0, tv.RA_N)
            u = np.full(tv.RA_N, uu)
            ne = round(pe * tv.RA_N)
            order = np.argsort(x)
            ext = np.concatenate([order[: ne // 2], order[tv.RA_N - (ne - ne // 2) :]])
            x[ext] = np.sign(x[ext])
            u[ext] = tv.RA_UE
            moderate = np.ones(tv.RA_N, np.bool_)
            moderate[ext] = False
            # a pair update moves two agents: half as many pairs as the model's listenings
            _pairs(x, u, tv.RA_MU, tv.RA_N * weeks // 2, False, seed)
            f = x[moderate]
            y = float(np.mean(f > tv.RA_EXTREME) ** 2 + np.mean(f < -tv.RA_EXTREME) ** 2)
            ys.append(y)
            classes[tv.ra_regime(y)] += 1
        out.append(
            f"- RA {case} (U = {uu}, {pe:.0%}): {dict(classes.most_common())} of {runs}, "
            f"mean y = {np.mean(ys):.3f}"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairwise", action="store_true", help="add the papers' pair update (S6)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    print("| check | source | published | ours | tolerance | reproduce |")
    print("|---|---|---|---|---|---|")
    for line in s5_rows() + s4_rows() + s6_rows() + s11_rows():
        print(line)
    print()
    print("S5 arrest probability P at k = 2.3 under each rounding rule:")
    print()
    for line in rounding_table():
        print(line)
    inv = tv.measure_invariant()
    print()
    print(
        f"S5 at the week's end (after S6 moves x and S7 moves c): {inv['end_of_week']} "
        f"active person-weeks with G <= T of {inv['actives']}."
    )
    if args.pairwise:
        for line in pairwise_rows():
            print(line)
    print(f"\n({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
