"""Model 2, S6-S7 and Q5: the figures of issue #8's "What was measured", items 3, 5 and 6.

    PYTHONPATH=src python benchmarks/model2_opinion.py --scale 0.01 --seeds 10 --weeks 520

For each variant and seed, one run, read week by week from the engine's state. Variants: the
strategies (1928-all-reform, 1928-all-corpse, 1928-no-opposition), the anchoring switched off
(1928 with every susceptibility 1: S6 as in the first model) and "quiet" (1928 with no events, no
campaign and no cadres, two years: the persistence of the spread and of the kernel).

- item 3: the s.d. of worker members' private x and their share with x > stance_cut at weeks 0,
  52 and 104; the active-Left kernel (worker members active with x > cut) at weeks 1, 104, 156;
- item 5: pi at year 5 (week 260, or the last week before an absorbing outcome), expelled and
  members at year 5, P(Thermidor) at the horizon;
- item 6: Q5 as first defined (`q5_moved_left` at the horizon) and as a matched difference: the
  cohort's share privately Left in the run minus the same share in the passive run of the same
  seed (1928-no-opposition is the passive counterfactual of all three: same organisations, all
  `active = false`);
- each organisation's credibility at weeks 26, 52, 104, 260 and 520 (saturation).

Means over seeds with their standard error (s.d. / sqrt(n)); differences between strategies also
paired by seed (common random numbers: the same seed draws the same numbers in every variant).
The runs are independent: `--jobs` processes.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from thermidor.engine import simulate
from thermidor.model.cells import in_party
from thermidor.model.init import initial_state
from thermidor.model.state import EXILED, EXPELLED, WORKER
from thermidor.scenario.load import load_scenario

ANCHOR_OFF = [
    f"population.{k}.susceptibility=1.0"
    for k in (
        "strata.worker",
        "strata.peasant",
        "strata.employee",
        "strata.functionary",
        "nonparty",
    )
]
# label -> (scenario, overrides, drop the organisations and the campaigns)
VARIANTS = {
    "1928-all-reform": ("1928-all-reform", [], False),
    "1928-all-corpse": ("1928-all-corpse", [], False),
    "1928-no-opposition": ("1928-no-opposition", [], False),
    "1928 anchor off": ("1928", ANCHOR_OFF, False),
    "quiet": ("1928", ["events=false", "leadership.campaign_on=2.0"], True),
}
SCENARIOS = tuple(VARIANTS)
WEEKS_X = (0, 52, 104)
WEEKS_CRED = (26, 52, 104, 260, 520)


def _vector_in_party(status: np.ndarray) -> np.ndarray:
    return np.array([in_party(s) for s in range(5)])[status]


def one(args: tuple[str, int, float, int]) -> dict:
    name, seed, scale, weeks = args
    ref, overrides, quiet = VARIANTS[name]
    sc = load_scenario(ref, overrides=overrides).model_copy(update={"scale": scale, "weeks": weeks})
    if quiet:  # no events, no campaign, no cadres: two years
        sc = sc.model_copy(update={"organisations": [], "weeks": min(weeks, 104)})
    cut = sc.leadership.stance_cut
    out: dict = {}

    def look(w: int, state) -> None:
        p, m = state.persons, state.macro
        member = _vector_in_party(p.status)
        workers = member & (p.stratum == WORKER)
        if w in WEEKS_X:
            out[f"sd_x_{w}"] = float(p.x[workers].std())
            out[f"left_{w}"] = float((p.x[workers] > cut).mean())
            out[f"sd_all_{w}"] = float(p.x[p.status != EXILED].std())
        if w in (1, 104, 156):
            out[f"kernel_{w}"] = float((p.active[workers] & (p.x[workers] > cut)).mean())
        if w <= 260:
            out["pi5"] = m.pi
            out["expelled5"] = int(((p.status == EXPELLED) | (p.status == EXILED)).sum())
            out["members5"] = int(member.sum())
        if w in WEEKS_CRED:
            for o, n in enumerate(state.orgs.names):
                out[f"cred_{n}_{w}"] = float(state.orgs.credibility[o])
        out["q5_left"] = float((p.x[p.cohort] > cut).mean())
        out["thermidor"] = m.outcome == 1

    look(0, initial_state(sc, seed))
    r = simulate(sc, seed=seed, progress=lambda w, _n, s: look(w, s))
    out["q5_moved_left"] = r.timeseries.column("q5_moved_left")[-1].as_py()
    out["scenario"], out["seed"] = name, seed
    return out


def _mean(rows: list[dict], k: str) -> str:
    v = np.array([r[k] for r in rows if k in r], float)
    if v.size == 0:
        return "-"
    se = v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else float("nan")
    return f"{v.mean():.4g} ± {se:.2g}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--weeks", type=int, default=520)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--variants", nargs="*", default=list(SCENARIOS), choices=SCENARIOS)
    a = ap.parse_args()
    tasks = [(n, s, a.scale, a.weeks) for n in a.variants for s in range(1, a.seeds + 1)]
    with ProcessPoolExecutor(a.jobs) as ex:
        rows = list(ex.map(one, tasks))
    by = {n: [r for r in rows if r["scenario"] == n] for n in a.variants}
    print(f"scale {a.scale}, {a.seeds} seeds, {a.weeks} weeks; mean ± standard error over seeds")
    keys = [
        *(f"sd_x_{w}" for w in WEEKS_X),
        *(f"left_{w}" for w in WEEKS_X),
        *(f"sd_all_{w}" for w in WEEKS_X),
        "kernel_1", "kernel_104", "kernel_156", "pi5", "expelled5", "members5", "thermidor",
        "q5_moved_left", "q5_left",
    ]  # fmt: skip
    names = sorted({k for r in rows for k in r if k.startswith("cred_")})
    for k in [*keys, *names]:
        print(f"{k:34s}" + "".join(f"{_mean(by[n], k):>24s}" for n in a.variants))
    print("columns: " + ", ".join(a.variants))
    pairs = [("1928-all-reform", "1928-all-corpse"), ("1928-all-reform", "1928-no-opposition"),
             ("1928-all-corpse", "1928-no-opposition")]  # fmt: skip
    for a_, b_ in [(x, y) for x, y in pairs if x in by and y in by]:
        for k in ("pi5", "expelled5", "members5"):
            other = {r["seed"]: r[k] for r in by[b_]}
            d = np.array([r[k] - other[r["seed"]] for r in by[a_] if r["seed"] in other])
            se = d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else float("nan")
            print(f"paired by seed, {k}: {a_} - {b_}: {d.mean():.4g} ± {se:.2g}")
    if "1928-no-opposition" not in by:
        return
    passive = {r["seed"]: r["q5_left"] for r in by["1928-no-opposition"]}
    for n in [v for v in SCENARIOS[:3] if v in by]:
        d = np.array([r["q5_left"] - passive[r["seed"]] for r in by[n]])
        se = d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else float("nan")
        print(f"Q5 matched (run - passive), {n}: {d.mean():.4f} ± {se:.4f}")


if __name__ == "__main__":
    main()
