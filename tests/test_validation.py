"""Validation: each submodel alone against the published result it builds on (docs/design.md).

Every check runs one submodel through the public API, with every other submodel switched off
(`<section>.enabled = false`, `events = false`; S4 switched off means y = x), on a hand-built
state (one cell of N persons, arrays set by the test) stepped with `thermidor.model.schedule.week`,
or calls the submodel's kernel (`arrest_probability`, `tail`, `climb`) directly. Seeds are fixed;
every tolerance is derived in a comment from the sampling error (z standard errors) or from a
stated discretisation bound. `docs/validation.md` lists each check with the figures measured, and
`benchmarks/validation_report.py` prints that table from the `measure_*` functions below.

    .venv/bin/pytest -m validation
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from conftest import advance, build_state
from thermidor.engine import simulate
from thermidor.model.init import initial_state
from thermidor.model.schedule import SCHEDULE
from thermidor.model.state import (
    CENTRE,
    EXILED,
    FUNCTIONARY,
    LEFT,
    RIGHT,
    WORKER,
    State,
)
from thermidor.model.submodels import influence
from thermidor.model.submodels.activation import ROUNDING, arrest_probability
from thermidor.model.submodels.hierarchy import cc_holder, climb, tail
from thermidor.scenario import Scenario, load_scenario

pytestmark = pytest.mark.validation

# z for a two-sided check on a sampled figure: P(|Z| > 4) = 6e-5, so a correct model fails a
# check by chance about once in 16,000 (and never with the fixed seeds once it has passed).
Z = 4.0

# --- running one submodel alone --------------------------------------------------------------

SWITCHES = (
    "classes",
    "leadership",
    "bloc_rules",
    "expression",
    "activation",
    "influence",
    "confidence",
    "degeneration",
    "repression",
    "membership",
    "hierarchy",
    "power",
    "outcome",
)


def alone(section: str, *overrides: str) -> Scenario:
    """The `tiny` scenario with only submodel `section` on (timeline off), plus `overrides`."""
    off = [f"{s}.enabled=false" for s in SWITCHES if s != section]
    return load_scenario("tiny", overrides=["events=false", *off, *overrides])


# --- S5 activation (Epstein 2002) ------------------------------------------------------------

EPSTEIN_T = 0.1
EPSTEIN_N = 20_000


def epstein_expected(legitimacy: float, threshold: float = EPSTEIN_T) -> float:
    """Epstein's model I without cops: active iff h (1 - L) > T, h ~ U(0, 1)."""
    return max(0.0, 1.0 - threshold / (1.0 - legitimacy))


def measure_epstein_share(legitimacy: float, seed: int = 5) -> dict[str, float]:
    """S5 alone, one cell of EPSTEIN_N persons, no enforcers, c = L, h and r ~ U(0, 1)."""
    rng = np.random.default_rng(seed)
    h, r = rng.random(EPSTEIN_N), rng.random(EPSTEIN_N)
    sc = alone("activation", f"activation.threshold={EPSTEIN_T}")
    state = build_state([EPSTEIN_N], c=legitimacy, h=h, r=r)
    advance(state, sc, 1)
    active = state.persons.active
    return {
        "share": float(active.mean()),
        "n": float(EPSTEIN_N),
        "agree": float(np.array_equal(active, h * (1.0 - legitimacy) > EPSTEIN_T)),
    }


@pytest.mark.parametrize(("legitimacy", "published"), [(0.82, 0.4444), (0.7, 0.6667), (0.5, 0.8)])
def test_epstein_active_share_without_cops(legitimacy: float, published: float) -> None:
    """Epstein, PNAS 99 (2002) 7243, model I: with no cops and legitimacy L for all, the active
    share is P(h (1 - L) > T) = max(0, 1 - T/(1 - L)) for h ~ U(0, 1): 0.4444 at L = 0.82,
    0.6667 at 0.7, 0.8 at 0.5 (T = 0.1).

    Tolerance: the active count is Binomial(N, p) over the N = 20,000 drawn hardships, so the
    share is within Z = 4 binomial standard errors sqrt(p (1 - p) / N) (about 0.014) of p; and
    the kernel must decide exactly as the rule on the same draws (no tolerance).
    """
    p = epstein_expected(legitimacy)
    assert p == pytest.approx(published, abs=5e-5)  # the published figures, to 4 decimals
    m = measure_epstein_share(legitimacy)
    assert m["agree"] == 1.0  # each person decided exactly as h (1 - L) > T
    se = math.sqrt(p * (1.0 - p) / m["n"])
    assert abs(m["share"] - p) <= Z * se


EPSTEIN_K = 2.3
EPSTEIN_P = 0.8997


def mesa_round(ratio: float) -> float:
    """Mesa's example: Python's round(), half to even (round(0.5) == 0, round(2.5) == 2)."""
    return float(round(ratio))


def rounding_reference(ratio: float, rule: str) -> float:
    """The ratio under each rule as its source does it: NetLogo's Rebellion `floor`, Epstein's
    paper continuous, Mesa's example Python `round`."""
    return {"floor": math.floor(ratio), "continuous": ratio, "round": mesa_round(ratio)}[rule]


# (E enforcers, other actives): ratios E/(1 + A) of 1, 1/2, 1/3, 3/2, 5/2
ROUNDING_CASES = ((1, 0), (1, 1), (1, 2), (3, 1), (5, 1))


def measure_arrest_probabilities() -> dict[tuple[int, int, str], tuple[float, float]]:
    """(E, A, rule) -> (the model's P, the reference P) at k = 2.3."""
    out = {}
    for e, a in ROUNDING_CASES:
        for rule, code in ROUNDING.items():
            ours = arrest_probability(EPSTEIN_K, float(e), float(a), code)
            ref = 1.0 - math.exp(-EPSTEIN_K * rounding_reference(e / (1 + a), rule))
            out[(e, a, rule)] = (ours, ref)
    return out


@pytest.mark.parametrize("rule", sorted(ROUNDING))
def test_epstein_arrest_probability_one_cop_one_active(rule: str) -> None:
    """Epstein (2002): P = 1 - exp(-k (C/A)), A counting the agent himself. With k = 2.3, one
    enforcer and one active (the agent) the ratio is 1 under every rounding rule (floor, round,
    continuous), so P = 1 - exp(-2.3) = 0.8997 in all three. No sampling: the tolerance is the
    published figure's rounding to 4 decimals.

    Then the same through `week` (S5 alone): a cell of one enforcer (a functionary member) and
    one person active last week, r = 0.5, c = 0: he stays active iff h - r P > T, so h just
    above T + r P keeps him active and h just below makes him quiet.
    """
    p = arrest_probability(EPSTEIN_K, 1.0, 0.0, ROUNDING[rule])
    assert p == pytest.approx(EPSTEIN_P, abs=5e-5)
    assert p == pytest.approx(1.0 - math.exp(-EPSTEIN_K), rel=1e-12)
    sc = alone("activation", f"activation.k={EPSTEIN_K}", f"activation.rounding='{rule}'")
    edge = EPSTEIN_T + 0.5 * p
    for dh, expected in ((1e-9, True), (-1e-9, False)):
        state = build_state(
            [2], stratum=[FUNCTIONARY, WORKER], active=[False, True], c=0.0, r=0.5,
            h=[0.5, edge + dh],
        )  # fmt: skip
        advance(state, sc, 1)
        assert bool(state.persons.active[1]) is expected
        assert not state.persons.active[0]  # functionaries enforce, never rebel


def test_epstein_rounding_rules_floor_and_continuous() -> None:
    """The rounding rules other than Mesa's `round` against their sources at k = 2.3: NetLogo's
    Rebellion floors E/(1 + A), Epstein's paper uses the ratio itself. Exact arithmetic: a
    1e-12 tolerance."""
    for (_, _, rule), (ours, ref) in measure_arrest_probabilities().items():
        if rule != "round":
            assert ours == pytest.approx(ref, abs=1e-12)


@pytest.mark.validation
def test_epstein_round_matches_mesa() -> None:
    """activation.py's `round` is Mesa's example (mesa/examples/advanced/
    epstein_civil_violence: `round(cops_in_vision / actives_in_vision)`, Python's round, half to
    even): exact halves (E/(1 + A) = 1/2, 5/2) must round to even."""
    for (_, _, rule), (ours, ref) in measure_arrest_probabilities().items():
        if rule == "round":
            assert ours == pytest.approx(ref, abs=1e-12)


def grievance(state: State, sc: Scenario) -> np.ndarray:
    """G = h (1 - c) + c M, M the campaign pull of activation.py's docstring."""
    p, camp, mob = state.persons, state.macro.campaigns, sc.activation.mobilisation
    pull = mob * camp["against_right"] * np.maximum(p.x, 0.0)
    pull += mob * camp["against_left"] * np.maximum(-p.x, 0.0)
    return p.h * (1.0 - p.c) + p.c * pull


def measure_invariant(weeks: int | None = None) -> dict[str, int]:
    """The full `tiny` scenario (every submodel on), stepped as `week` does; right after S5 each
    week, count the actives with G <= T (must be none), the actives among the functionaries and
    the exiled (none), the actives, and the weeks with a campaign on (its pull in G); also the
    actives with G <= T at the week's end, after S6 and S7 have moved x and c (the flag records
    the week's S5 decision)."""
    sc = load_scenario("tiny")
    state = initial_state(sc, sc.seed)
    t = sc.activation.threshold
    keys = ("violations", "barred", "actives", "campaign_weeks", "end_of_week", "weeks")
    out = dict.fromkeys(keys, 0)
    for w in range(1, (weeks or sc.weeks) + 1):
        m = state.macro
        m.week = w
        m.line_start, m.regime_start, m.clash = m.line, m.regime, False  # as `week` does
        for name, step, enabled in SCHEDULE:
            if enabled(sc):
                step(state, sc)
            if name.startswith("S5"):
                a, p = state.persons.active, state.persons
                out["violations"] += int(np.sum(a & ~(grievance(state, sc) > t)))
                out["barred"] += int(
                    np.sum(a & ((p.stratum == FUNCTIONARY) | (p.status == EXILED)))
                )
                out["actives"] += int(a.sum())
                out["campaign_weeks"] += any(m.campaigns.values())
        out["end_of_week"] += int(np.sum(state.persons.active & ~(grievance(state, sc) > t)))
        out["weeks"] = w
    return out


def test_epstein_invariant_in_the_full_tiny_scenario() -> None:
    """Epstein (2002): active iff G - r P > T with r P >= 0, so every active person has G > T.
    Checked right after S5 in every week of the full `tiny` scenario (every submodel on,
    campaigns included, 104 weeks): no tolerance, no active with G <= T, no active functionary
    or exile; and the check is not vacuous (there are actives, and weeks with a campaign's pull).
    """
    m = measure_invariant()
    assert m["weeks"] == 104
    assert m["actives"] > 0
    assert m["campaign_weeks"] > 0
    assert m["violations"] == 0
    assert m["barred"] == 0


# --- S4 expression (Granovetter 1978; Kuran 1991) --------------------------------------------

ROUNDS = 1000  # the schema's maximum: enough synchronous rounds for a cascade through 100 members


def measure_cascade(tau: np.ndarray) -> int:
    """S4 alone: one cell of members who all want to dissent (x = 1, line 0, no enforcers, no
    appointed secretary: no oppression), nobody saying so yet (y = line); thresholds `tau` (shares
    of the cell). Returns how many say what they think after one week's cascade."""
    sc = alone("expression", f"expression.rounds={ROUNDS}")
    state = build_state([tau.size], x=1.0, y=0.0, tau=tau)
    advance(state, sc, 1)
    assert state.cells.oppression[0] == 0.0
    return int(np.sum(state.persons.y != 0.0))


def granovetter_uniform() -> tuple[int, int]:
    tau = np.arange(100) / 100.0
    first = measure_cascade(tau)
    tau[1] = 0.02
    return first, measure_cascade(tau)


def test_granovetter_uniform_thresholds() -> None:
    """Granovetter, AJS 83 (1978) 1420: thresholds 0, 1, ..., 99 (persons) in a group of 100:
    the instigator brings in the one with threshold 1, and so on: all 100 riot. Change the
    threshold 1 into 2: only the instigator riots. Deterministic: exact counts."""
    assert granovetter_uniform() == (100, 1)


def normal_thresholds(sigma: float, offset: float, n: int = 100, mean: float = 25.0) -> np.ndarray:
    """The n thresholds as the quantiles (j + offset)/n, j = 0..n-1, of Normal(mean, sigma) in
    persons, as shares of the cell; a threshold <= 0 (offset 0: the instigator, -inf) is 0."""
    q = stats.norm.ppf((np.arange(n) + offset) / n, mean, sigma)
    return np.clip(q, 0.0, n) / n


def measure_critical_sigma(
    offset: float, lo: float = 5.0, hi: float = 20.0, tol: float = 1e-5
) -> float:
    """Bisection on sigma for the jump of the cascade from a few to more than half the cell."""
    assert measure_cascade(normal_thresholds(lo, offset)) <= 50
    assert measure_cascade(normal_thresholds(hi, offset)) > 50
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if measure_cascade(normal_thresholds(mid, offset)) > 50:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def continuous_gap(sigma: float, n: int = 100, mean: float = 25.0) -> tuple[float, float]:
    """Granovetter's continuous map r' = n F(r): (min over r of n F(r) - r, where)."""
    res = optimize.minimize_scalar(
        lambda r: n * stats.norm.cdf(r, mean, sigma) - r,
        bounds=(0.0, mean),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(res.fun), float(res.x)


def continuous_critical_sigma(shift: float = 0.0) -> float:
    """The sigma at which min_r (n F(r) - r) = shift: shift 0 is Granovetter's critical sigma."""
    return optimize.brentq(lambda s: continuous_gap(s)[0] - shift, 8.0, 16.0, xtol=1e-12)


def integer_restriction(shift: float = 0.0, n: int = 100, mean: float = 25.0) -> float:
    """Bound on how much higher the minimum of n F(r) - r is over integers than over reals near
    the tangency at `shift`: the curvature n f'(r*) times (1/2)^2 / 2."""
    sigma = continuous_critical_sigma(shift)
    _, r = continuous_gap(sigma)
    z = (r - mean) / sigma
    return n * stats.norm.pdf(z) * (-z) / sigma**2 / 8.0


@pytest.mark.parametrize("offset", [0.0, 0.5])
def test_granovetter_critical_sigma(offset: float) -> None:
    """Granovetter (1978), thresholds ~ Normal(25, sigma), N = 100: the riot jumps from a handful
    to nearly everyone at sigma = 12.2 (the continuous map r' = N F(r) touches the diagonal).

    Discretisation: the N thresholds are the quantiles (j + offset)/N, j = 0..N-1, in persons.
    Then the cascade stalls at an integer r iff #{j: q_j <= r} <= r iff N F(r) - r < offset: the
    continuous condition with the cumulative shifted by `offset` persons, tested only at integer
    r. So the model's critical sigma (bisection to 1e-5) lies in [s(offset - b), s(offset)],
    s(e) the sigma at which min_r (N F(r) - r) = e (scipy, independent of the model), b the
    integer-restriction bound (curvature / 8, 0.016 persons, 0.010 in sigma). Offset 0 (an
    instigator at -inf and quantiles j/N) is the reading of Granovetter's continuous map: it must
    also equal the published 12.2 within its rounding (0.05) plus that 0.010. Offset 0.5 (the
    midpoint quantiles) is half a person more demanding: 12.55.
    """
    measured = measure_critical_sigma(offset)
    bound = integer_restriction(offset)
    assert continuous_critical_sigma(offset - bound) - 1e-5 <= measured
    assert measured <= continuous_critical_sigma(offset) + 1e-5
    if offset == 0.0:
        assert continuous_critical_sigma() == pytest.approx(12.2, abs=0.05)
        assert abs(measured - 12.2) <= 0.05 + (
            continuous_critical_sigma() - continuous_critical_sigma(-bound)
        )


KURAN = {
    "A": ([0, 20, 20, 30, 40, 50, 60, 70, 80, 100], 0.1),
    "B": ([0, 10, 20, 30, 40, 50, 60, 70, 80, 100], 0.9),
}


def measure_kuran(society: str) -> float:
    thresholds, _ = KURAN[society]
    return measure_cascade(np.array(thresholds) / 100.0) / len(thresholds)


@pytest.mark.parametrize("society", sorted(KURAN))
def test_kuran_two_societies(society: str) -> None:
    """Kuran, World Politics 44 (1991) 7: ten persons with thresholds {0,20,20,30,...,80,100}%
    settle at 10% public opposition; replace one 20 by 10 and the cascade reaches 90% (the one
    at 100% never joins). Deterministic: exact shares."""
    assert measure_kuran(society) == KURAN[society][1]


# --- S6 influence (Deffuant, Neau, Amblard, Weisbuch 2000; Deffuant et al. 2002) ------------

DW_N = 1000
DW_WEEKS = 1500
DW_RUNS = 20
DW_EXPECTED = {0.3: {1}, 0.2: {2}, 0.1: {4, 5}}


def major_clusters(x: np.ndarray, gap: float = 0.01, share: float = 0.02) -> list[np.ndarray]:
    """The major clusters' opinions: sorted opinions split where neighbours differ by > `gap`
    (in the model's [-1, 1]), kept when they hold more than `share` of the agents."""
    s = np.sort(x)
    groups = np.split(s, np.flatnonzero(np.diff(s) > gap) + 1)
    return [g for g in groups if g.size > share * s.size]


def typical(hits: int, runs: int) -> bool:
    """The outcome counted in `hits` of `runs` has probability > 1/2: one-sided binomial test
    against 1/2 at p < 0.001."""
    return bool(stats.binomtest(hits, runs, 0.5, alternative="greater").pvalue < 1e-3)


def fewest_hits(runs: int) -> int:
    """The fewest hits out of `runs` that pass `typical` (18 of 20, 31 of 40)."""
    return min(k for k in range(runs + 1) if typical(k, runs))


def measure_dw(d: float, seed: int) -> tuple[int, bool]:
    """S6 alone, bounded confidence, mu = 0.5: N = 1000 opinions uniform on [-1, 1] (the paper's
    [0, 1] doubled), threshold u = 2 d, for DW_WEEKS weeks. Returns (major clusters, converged):
    converged when every major cluster has collapsed (spread < 1e-4, a thousandth of the
    smallest u: all its members hear each other, so it only contracts and cannot split) and
    neighbouring major clusters lie more than u apart, so that no two of them can meet again:
    the count is final."""
    sc = alone("influence", "influence.rule='bounded_confidence'", "influence.mu=0.5")
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, DW_N)
    state = build_state([DW_N], seed=seed, x=x, y=x, u=2.0 * d)
    advance(state, sc, DW_WEEKS)
    major = major_clusters(state.persons.x)
    centres = np.array([g.mean() for g in major])
    collapsed = all(g[-1] - g[0] < 1e-4 for g in major)
    apart = bool(np.all(np.diff(centres) > 2.0 * d))
    return len(major), collapsed and apart


def measure_dw_counts(d: float) -> list[int]:
    counts = []
    for seed in range(DW_RUNS):
        n, converged = measure_dw(d, seed)
        assert converged, (d, seed)
        counts.append(n)
    return counts


@pytest.mark.parametrize("d", sorted(DW_EXPECTED))
def test_deffuant_weisbuch_clusters(d: float) -> None:
    """Deffuant, Neau, Amblard, Weisbuch, Adv. Complex Syst. 3 (2000) 87: N = 1000 uniform
    opinions on [0, 1], bounded confidence d, mu = 0.5: about floor(1/(2d)) major clusters
    (d = 0.3 -> 1, 0.2 -> 2, 0.1 -> 4 or 5). Major cluster: more than 2% of the agents (the
    paper's minor clusters of a few agents left out).

    The model's S6 is listener-only (each person listens to one random cellmate a week, all of
    them to what was said at the week's start) where the paper updates both of a random pair;
    1500 weeks (1.5 * 10^6 listenings) is past convergence, checked in every run (a small
    isolated cluster of 30 hears one of its own only 3 % of the time and contracts slowly: at
    d = 0.1, seed 4, it is 2e-6 wide after 1500 weeks; the count is final once it is far
    narrower than u). The count is a
    per-run outcome with tails (3 or 6 clusters now and then at d = 0.1): the claim is that the
    published count is the typical one, i.e. has probability > 1/2: of 20 fixed-seed runs, the
    number in the published set must pass a one-sided binomial test against 1/2 at p < 0.001
    (at least 18 of 20).
    """
    counts = measure_dw_counts(d)
    hits = sum(c in DW_EXPECTED[d] for c in counts)
    assert typical(hits, len(counts)), counts


RA_N = 200
RA_MU = 0.2
RA_UE = 0.1
RA_EXTREME = 0.8  # |x| beyond this counts as having joined an extreme
# (U, extremists' share, weeks to run, runs, published regime)
RA_CASES = {
    "central": (0.4, 0.2, 2000, 20),
    "both extremes": (1.4, 0.2, 2000, 20),
    "single extreme": (1.4, 0.05, 4000, 40),
}


def ra_regime(y: float) -> str:
    """The paper's reading of y: close to 0 central, to 0.5 both extremes, to 1 single extreme."""
    return "central" if y < 0.25 else "both extremes" if y <= 0.75 else "single extreme"


def measure_ra(uncertainty: float, extremists: float, seed: int, weeks: int) -> float:
    """S6 alone, relative agreement, mu = 0.2: N = 200 opinions uniform on [-1, 1] with u = U, of
    which a share `extremists` (half each side) are set at +-1 with u = 0.1. Returns the paper's
    y = p+^2 + p-^2, p+ (p-) the share of the initial moderates ending above 0.8 (below -0.8)."""
    sc = alone("influence", "influence.rule='relative_agreement'", f"influence.mu={RA_MU}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, RA_N)
    u = np.full(RA_N, uncertainty)
    ne = round(extremists * RA_N)
    order = np.argsort(x)
    ext = np.concatenate([order[: ne // 2], order[RA_N - (ne - ne // 2) :]])
    x[ext] = np.sign(x[ext])
    u[ext] = RA_UE
    moderate = np.ones(RA_N, np.bool_)
    moderate[ext] = False
    state = build_state([RA_N], seed=seed, x=x, y=x, u=u)
    advance(state, sc, weeks)
    final = state.persons.x[moderate]
    return float(np.mean(final > RA_EXTREME) ** 2 + np.mean(final < -RA_EXTREME) ** 2)


def measure_ra_case(case: str) -> list[float]:
    uncertainty, extremists, weeks, runs = RA_CASES[case]
    return [measure_ra(uncertainty, extremists, seed, weeks) for seed in range(runs)]


@pytest.mark.parametrize("case", list(RA_CASES))
def test_relative_agreement_regimes(case: str) -> None:
    """Deffuant, Amblard, Weisbuch, Faure, JASSS 5(4) 1 (2002): N = 200, mu = 0.2, extremists'
    u = 0.1 at +-1 (half each side), the others uniform with u = U. U = 0.4 with 20% extremists:
    central convergence (y near 0); U = 1.4, 20%: both extremes (y near 0.5); U = 1.4, 5%: a
    single extreme (y near 1; which one is drawn, both sides having extremists).

    The model's S6 is listener-only, not the paper's pair update. Each run is classed by its y
    (< 0.25 central, <= 0.75 both, else single); the claim is that the published regime is the
    typical outcome, i.e. has probability > 1/2: a one-sided binomial test of the runs in that
    class against 1/2 must give p < 0.001 (at least 18 of 20 runs; 31 of 40).
    Horizons (2000 and 4000 weeks, 4 * 10^5 and 8 * 10^5 listenings) are past convergence: the
    classes do not change when run four times longer.
    """
    ys = measure_ra_case(case)
    hits = sum(ra_regime(y) == case for y in ys)
    assert typical(hits, len(ys)), (hits, ys)


# --- S6 anchoring (Friedkin and Johnsen 1990; Frasca, Ravazzi, Tempo and Ishii 2013) ----------

# Friedkin and Johnsen (1999), "Social influence networks and opinion change", Advances in Group
# Processes 16, 1: a group of four, influence matrix W, susceptibilities lambda_ii = 1 - w_ii,
# initial opinions on a 0-100 scale; the published equilibrium is (60, 60, 75, 75) (as reproduced
# in Proskurnikov and Tempo, "A tutorial on modeling and analysis of dynamic social networks,
# Part II", Annual Reviews in Control 45 (2018) 166). On the model's [-1, 1]: x = (v - 50)/50.
FJ_W = np.array(
    [
        [0.220, 0.120, 0.360, 0.300],
        [0.147, 0.215, 0.344, 0.294],
        [0.000, 0.000, 1.000, 0.000],
        [0.090, 0.178, 0.446, 0.286],
    ]
)
FJ_X0 = (np.array([25.0, 25.0, 75.0, 85.0]) - 50.0) / 50.0
FJ_PUBLISHED = (np.array([60.0, 60.0, 75.0, 75.0]) - 50.0) / 50.0  # rounded to units of 0-100


def fj_equilibrium(w: np.ndarray, lam: np.ndarray, a: np.ndarray) -> np.ndarray:
    """x* = (I - Lambda W)^-1 (I - Lambda) a."""
    n = a.size
    return np.linalg.solve(np.eye(n) - lam[:, None] * w, (1.0 - lam) * a)


def measure_fj_synchronous(weeks: int = 2000) -> np.ndarray:
    """The synchronous Friedkin-Johnsen rule written with S6's own anchoring step: every person
    hears W x (his influence-weighted view of the group) and weighs it against his anchor."""
    lam = 1.0 - np.diag(FJ_W)
    x = FJ_X0.copy()
    for _ in range(weeks):
        heard = FJ_W @ x
        x = np.array([influence.anchored(heard[i], FJ_X0[i], lam[i]) for i in range(4)])
    return x


def test_friedkin_johnsen_equilibrium_synchronous() -> None:
    """Friedkin and Johnsen (1999): the four-person group reaches (60, 60, 75, 75) on the 0-100
    scale (published to units: within 0.5 of it, 0.01 on the model's scale), and the iteration
    equals the closed form (I - Lambda W)^-1 (I - Lambda) x0 to rounding (1e-12)."""
    x = measure_fj_synchronous()
    lam = 1.0 - np.diag(FJ_W)
    assert np.abs(x - fj_equilibrium(FJ_W, lam, FJ_X0)).max() < 1e-12
    assert np.abs(x - FJ_PUBLISHED).max() < 0.01


GOSSIP_MU = 0.5
GOSSIP_LAM = np.array([0.9, 0.6, 0.0, 0.8])  # the third is fully anchored (the published group's)
GOSSIP_X0 = FJ_X0
GOSSIP_WEEKS = 100_000
GOSSIP_BATCHES = 100


def gossip_expected_matrix(n: int, mu: float) -> np.ndarray:
    """The expected week of S6's one-listener gossip in one cell of n, every distance within u
    (bounded confidence, u = 2): W_bar = (1 - mu) I + mu P, P uniform over the n - 1 others."""
    p = (np.ones((n, n)) - np.eye(n)) / (n - 1)
    return (1.0 - mu) * np.eye(n) + mu * p


def measure_gossip(seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S6 alone on one cell of four, bounded confidence with u = 2 (every cellmate heard), mu =
    0.5, anchors = the initial stances and GOSSIP_LAM, for GOSSIP_WEEKS weeks (S4 off: y = x).
    Returns the time average of x, its standard error by batch means (GOSSIP_BATCHES batches,
    each far longer than the dynamics' memory of a few weeks) and the time s.d. of x."""
    sc = alone("influence", "influence.rule='bounded_confidence'", f"influence.mu={GOSSIP_MU}")
    state = build_state(
        [4], seed=seed, x=GOSSIP_X0, y=GOSSIP_X0, u=2.0, anchor=GOSSIP_X0, lam=GOSSIP_LAM
    )
    trace = np.empty((GOSSIP_WEEKS, 4))
    for t in range(GOSSIP_WEEKS):
        advance(state, sc, 1)
        trace[t] = state.persons.x
    trace = trace[1000:]  # the transient
    batches = trace[: trace.shape[0] // GOSSIP_BATCHES * GOSSIP_BATCHES]
    means = batches.reshape(GOSSIP_BATCHES, -1, 4).mean(axis=1)
    se = means.std(axis=0, ddof=1) / math.sqrt(GOSSIP_BATCHES)
    return trace.mean(axis=0), se, trace.std(axis=0)


def test_gossip_time_average_is_the_friedkin_johnsen_equilibrium() -> None:
    """Frasca, Ravazzi, Tempo and Ishii (2013), "Gossips and prejudices: ergodic randomized
    dynamics in social networks", IFAC Proc. Vol. 46(27) 212: with random pairwise listening and
    prejudices the opinions do not converge but oscillate ergodically, and their time averages
    converge to the limit of the synchronous dynamics of the expected opinions. For S6's
    one-listener gossip that limit is the FJ equilibrium x* = (I - Lambda W_bar)^-1 (I - Lambda) a
    of the expected week (W_bar in `gossip_expected_matrix`; the week's updates read the week's
    start, so its random map is i.i.d. across weeks). Checks: the time average equals x* within
    Z = 4 batch-means standard errors; the opinions of the persons who listen (lambda > 0) keep
    oscillating (time s.d. > 0.01), and the fully anchored one stays at his anchor."""
    average, se, spread = measure_gossip()
    expected = fj_equilibrium(gossip_expected_matrix(4, GOSSIP_MU), GOSSIP_LAM, GOSSIP_X0)
    assert np.all(np.abs(average - expected) <= Z * se + 1e-12), (average, expected, se)
    listening = GOSSIP_LAM > 0
    assert np.all(spread[listening] > 0.01), spread
    assert spread[~listening] == pytest.approx(0.0, abs=1e-12)


CELL_N = 40
CELL_SEEDS = 20


def measure_cell_spread(lam: float, seed: int, weeks: int = 104) -> tuple[float, float]:
    """S6 alone, relative agreement, one cell of 40 worker members drawn as in the 1928 scenario
    (x ~ N(0.1, 0.3), u uniform on 0.6 +- 0.3, lambda on `lam` +- 0.1 clipped to [0, 1], anchors
    at x): the s.d. of x at the start and after `weeks` weeks."""
    sc = alone("influence")
    rng = np.random.default_rng(seed)
    x = np.clip(rng.normal(0.1, 0.3, CELL_N), -1.0, 1.0)
    u = 0.6 + 0.3 * (2.0 * rng.random(CELL_N) - 1.0)
    lam_i = np.clip(lam + 0.1 * (2.0 * rng.random(CELL_N) - 1.0), 0.0, 1.0)
    state = build_state([CELL_N], seed=seed, x=x, y=x, u=u, anchor=x, lam=lam_i)
    before = float(x.std())
    advance(state, sc, weeks)
    return before, float(state.persons.x.std())


def test_a_cell_with_no_campaign_and_no_cadres_keeps_its_spread() -> None:
    """Friedkin-Johnsen anchoring at the 1928 susceptibility (0.85): a cell of 40 with no
    campaign and no cadres keeps its spread of stances within 20 % over two years (mean ratio of
    the s.d. after and before over 20 cells, measured 0.92; the ratio's s.d. across cells is
    0.03, so its standard error is 0.007: the 20 % band is more than 10 standard errors from
    it). Without the anchor (lambda = 1, the first model) the same cells keep 0.54 of it (s.d.
    across cells 0.13, standard error 0.03): below 0.7, more than 5 standard errors under the
    band, so the check can fail."""
    anchored = [measure_cell_spread(0.85, s) for s in range(CELL_SEEDS)]
    free = [measure_cell_spread(1.0, s) for s in range(CELL_SEEDS)]
    ratio = np.mean([after / before for before, after in anchored])
    ratio_free = np.mean([after / before for before, after in free])
    assert 0.8 <= ratio <= 1.2, ratio
    assert ratio_free < 0.7, ratio_free


QUIET_SCALE = 0.005
QUIET_SEEDS = (1, 2, 3, 4)
EARLY, LATE = slice(14, 27), slice(92, 105)  # the second quarter (after S5's start) and the last


def measure_quiet(seed: int, susceptibility: float | None = None) -> dict[str, np.ndarray]:
    """The whole `1928` model at 1:200 for two years with no events, no campaign (campaign_on
    at its maximum), no cadres (no organisation) and constant material conditions (S2 off: the
    1928 grain shortfall's wage transient is a force): weekly, the s.d. of the present persons'
    private x and the active Left kernel (worker members active with x > stance_cut)."""
    over = ["events=false", "leadership.campaign_on=2.0", "classes.enabled=false"]
    if susceptibility is not None:
        over += [
            f"population.{k}.susceptibility={susceptibility}"
            for k in ("strata.worker", "strata.peasant", "strata.employee", "nonparty")
        ] + [f"population.strata.functionary.susceptibility={susceptibility}"]
    sc = load_scenario("1928", overrides=over).model_copy(
        update={"organisations": [], "scale": QUIET_SCALE, "weeks": 104}
    )
    out = {k: np.zeros(105) for k in ("sd", "kernel")}

    def look(w: int, _n: int, state) -> None:
        p = state.persons
        workers = ((p.status == 0) | (p.status == 4)) & (p.stratum == WORKER)
        out["sd"][w] = p.x[p.status != EXILED].std()
        out["kernel"][w] = np.mean(p.active[workers] & (p.x[workers] > 0.2))

    simulate(sc, seed=seed, progress=look)
    return out


def test_spread_and_kernel_persist_without_forces() -> None:
    """With no campaign, no events, no cadres and constant material conditions, the spread of
    stances and the active Left kernel stay within +-20 % over two years (the first model lost
    60 % of the spread in a year and 90 % of the kernel by year 2). Per seed, the ratio of the
    last quarter's mean (weeks 92-104) to the second quarter's (weeks 14-26, once S5 has
    settled from nobody active); the mean ratio over 4 seeds must lie in [0.8, 1.2], widened
    for the kernel by Z = 4 standard errors of that mean (the kernel is a share of about 1.5 % of
    2,700 worker members a run: its s.e. across seeds is measured, 0.017; the spread's is below
    0.001 and not credited). Measured: spread 1.00 (the adjustment to the anchored equilibrium,
    about -8 %, is over within the first weeks), kernel 0.85. Switching the anchor off
    (susceptibility 1) keeps 0.75 of the spread and 0.36 of the kernel: the check can fail."""
    runs = [measure_quiet(s) for s in QUIET_SEEDS]
    sd = np.array([r["sd"][LATE].mean() / r["sd"][EARLY].mean() for r in runs])
    kernel = np.array([r["kernel"][LATE].mean() / r["kernel"][EARLY].mean() for r in runs])
    se = kernel.std(ddof=1) / math.sqrt(kernel.size)
    assert 0.8 <= sd.mean() <= 1.2, sd
    assert 0.8 - Z * se <= kernel.mean() <= 1.2 + Z * se, (kernel, se)
    free = measure_quiet(1, susceptibility=1.0)
    assert free["sd"][LATE].mean() / free["sd"][EARLY].mean() < 0.8


# --- S11 hierarchy (Galam 1990) --------------------------------------------------------------


def galam_map(p: float) -> float:
    """One level, groups of 4, ties to the incumbent: the challenger needs 3 or 4 of 4."""
    return p**4 + 4.0 * p**3 * (1.0 - p)


GALAM_CRITICAL = (1.0 + math.sqrt(13.0)) / 6.0
GALAM_PUBLISHED = (0.3125, 0.093, 0.003)  # from 0.5, levels 1, 2, 3 (Galam's rounding)
GALAM_LEAVES = 4**11


def group_rule(votes: np.ndarray, g: int = 4, theta: float = 0.5) -> np.ndarray:
    """Galam's rule on real votes, consecutive groups of g: the Left (the challenger) takes a
    group's post with more than theta g of its votes, else the Centre (the incumbent) keeps it.
    S11 applies it to a cell's members and, through its mean over random groups (`tail`), to
    every level above the cells."""
    left = (votes.reshape(-1, g) == LEFT).sum(axis=1)
    return np.where(left > theta * g, LEFT, CENTRE).astype(np.int8)


def measure_galam_levels(p: float = 0.5, levels: int = 3, seed: int = 11) -> list[float]:
    """The Left (challenger) share at each level of the group rule over 4^11 random cell votes,
    Left with probability p, the incumbent (Centre) otherwise."""
    rng = np.random.default_rng(seed)
    votes = np.where(rng.random(GALAM_LEAVES) < p, LEFT, CENTRE).astype(np.int8)
    shares = []
    for _ in range(levels):
        votes = group_rule(votes)
        shares.append(float(np.mean(votes == LEFT)))
    return shares


def test_galam_levels_from_half() -> None:
    """Galam, J. Stat. Phys. 61 (1990) 943 and arXiv:physics/0703081: groups of 4, ties to the
    incumbent, the challenger's share p goes to p^4 + 4 p^3 (1 - p) per level; from 0.5:
    0.3125, 0.0934, 0.0030. S11's recursion (`tail`, groups of 4, theta = 1/2) is this map to
    rounding, and the group rule on real votes reproduces it.

    The posts of level k are functions of disjoint sets of 4^k i.i.d. cells, so the Left count
    there is Binomial(4^(11-k), p_k): each share within Z = 4 standard errors
    sqrt(p_k (1 - p_k) / 4^(11-k)) (0.0018, 0.0023, 0.0009) of the exact p_k.
    """
    exact = [0.5]
    for _ in range(3):
        exact.append(galam_map(exact[-1]))
    for e, pub in zip(exact[1:], GALAM_PUBLISHED, strict=True):
        assert e == pytest.approx(pub, abs=5e-4)  # the published figures, as rounded
    for k in range(3):
        assert tail(exact[k], 4, 0.5) == pytest.approx(exact[k + 1], abs=1e-12)
    for k, share in enumerate(measure_galam_levels(), start=1):
        n = GALAM_LEAVES // 4**k
        p = exact[k]
        assert abs(share - p) <= Z * math.sqrt(p * (1.0 - p) / n), (k, share, p)


def measure_galam_fixed_point(seed: int = 13, leaves: int = 4**10) -> float:
    """Where the group rule maps the Left share of the cells to itself: bisection on p with common
    random numbers (the same uniforms at every p), on the sign of (Left share one level up)
    - (Left share of the cells)."""
    uniforms = np.random.default_rng(seed).random(leaves)
    lo, hi = 0.6, 0.9
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        votes = np.where(uniforms < mid, LEFT, CENTRE).astype(np.int8)
        up = np.mean(group_rule(votes) == LEFT)
        if up > np.mean(votes == LEFT):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def test_galam_critical_share() -> None:
    """Galam (1990): with groups of 4 and ties to the incumbent the unstable fixed point of
    p^4 + 4 p^3 (1 - p) is (1 + sqrt 13)/6 = 0.7676: above it the challenger takes the top,
    below it the incumbent keeps it.

    Tolerance: near p* the difference D(p) = (share one level up) - (share of the cells) has
    slope P'(p*) - 1 = 12 p*^2 (1 - p*) - 1 = 0.643 and a standard error at most
    sqrt(p*(1 - p*) (1/n_groups + 1/n_cells)) = 0.00092 with 4^10 cells (the two shares are
    positively correlated, which only lowers it); so the root is within Z * 0.00092 / 0.643 =
    0.0057 of p*. Then S11's `climb` (8 levels, no appointment) and a CC of 71 seats drawn
    from the top: from 0.8 the Left takes the Central Committee, from 0.7 the Centre keeps it
    (after 8 levels the exact map gives the other outcome a probability below 1e-6 in each case,
    the seats' draw adds below 1e-6 more).
    """
    assert abs(GALAM_CRITICAL - 0.7676) <= 5e-5  # the published figure, to 4 decimals
    assert galam_map(GALAM_CRITICAL) == pytest.approx(GALAM_CRITICAL, abs=1e-12)
    slope = 12.0 * GALAM_CRITICAL**2 * (1.0 - GALAM_CRITICAL) - 1.0
    se = math.sqrt(GALAM_CRITICAL * (1.0 - GALAM_CRITICAL) * (1 / 4**9 + 1 / 4**10))
    assert abs(measure_galam_fixed_point() - GALAM_CRITICAL) <= Z * se / slope
    for p, holder in ((0.8, LEFT), (0.7, CENTRE)):
        q = p
        for _ in range(8):
            q = galam_map(q)
        assert min(q, 1.0 - q) < 1e-6  # the wrong outcome's probability
        top = climb({LEFT: p, RIGHT: 0.0, CENTRE: 1.0 - p}, 4, 0.5, 8, CENTRE)
        assert top[LEFT] == pytest.approx(q, abs=1e-12)
        assert cc_holder(top, 71, CENTRE, np.uint64(17), 4) == holder
