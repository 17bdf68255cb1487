"""S11 hierarchy (Model 2): no phantom votes, appointment as a bias, dissent from the line, and
the same P(CC Left | bottom Left share) whatever the number of cells.

The election from the cells' delegates to the CC is `hierarchy.elect(lefts, rights, cells, ...)`;
`hierarchy.step` adds the cells' votes (`cell_votes`) on a hand-built state.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import build_state
from thermidor.model.state import CENTRE, LEFT, RIGHT
from thermidor.model.submodels import hierarchy
from thermidor.scenario import load_scenario

# the cell counts of `1928` at scales 0.001, 0.01, 0.1 and 1
SCALE_CELLS = (55, 558, 5581, 55809)
Z = 4.0  # two-sided, P(|Z| > 4) = 6e-5


def params(*overrides: str):
    return load_scenario("tiny", ["hierarchy.appointed=0", *overrides]).hierarchy


def test_a_unanimous_left_bottom_takes_the_cc_at_every_cell_count() -> None:
    """No appointment, every cell's delegate Left: the Left takes the CC for every count of
    cells 2..5000 and for 200 counts drawn up to 10^5 (the first model lost it for 3,176 of the
    counts 2..4,999 by padding incomplete groups with the incumbent's votes); also with a
    Right incumbent and with appointment 0.3."""
    rng = np.random.default_rng(5)
    counts = [*range(2, 5001), *rng.integers(5001, 100_001, 200).tolist()]
    for appointed in (0.0, 0.3):
        p = params(f"hierarchy.appointed={appointed}")
        for incumbent in (CENTRE, RIGHT):
            holders = {hierarchy.elect(n, 0, n, p, incumbent, np.uint64(n), 4)[0] for n in counts}
            assert holders == {LEFT}, (appointed, incumbent)


def cc_left(n_cells: int, share: float, keys: range, appointed: float = 0.0) -> np.ndarray:
    """Through `step`: n cells of 3 members, round(share n) of them all saying y = 0.9 (Left),
    the others 0 (Centre), at random places; the CC's holder for each stream key."""
    sc = load_scenario("tiny", [f"hierarchy.appointed={appointed}"])
    k = round(share * n_cells)
    left_cells = np.random.default_rng(n_cells + k).permutation(n_cells) < k
    state = build_state([3] * n_cells, y=np.repeat(np.where(left_cells, 0.9, 0.0), 3))
    out = np.empty(len(keys), bool)
    for r, key in enumerate(keys):
        state.key = np.uint64(key)
        state.macro.week, state.macro.cc_holder, state.macro.line = 4, CENTRE, 0.0
        hierarchy.step(state, sc)
        out[r] = state.macro.cc_holder == LEFT
    return out


def test_p_cc_left_is_monotone_in_the_left_share() -> None:
    """With common random numbers (the same stream keys at every share) the CC's holder is a
    monotone function of the Left share of the cells' delegates, key by key; P(CC Left) rises
    from 0 at share 0.5 to 1 at share 1 (no appointment, 3 levels, 71 seats)."""
    p = params()
    shares = np.linspace(0.0, 1.0, 101)
    n = 1000
    left = np.array(
        [
            [hierarchy.elect(round(s * n), 0, n, p, CENTRE, np.uint64(key), 4)[0] == LEFT
             for s in shares]
            for key in range(300)
        ]
    )  # fmt: skip
    assert (np.diff(left.astype(int), axis=1) >= 0).all()
    freq = left.mean(axis=0)
    assert freq[50] == 0.0 and freq[-1] == 1.0
    assert ((freq > 0.0) & (freq < 1.0)).sum() >= 3  # a curve, not a step


def exact_cc_left(share: float, seats: int = 71) -> float:
    """P(CC Left) at a Left share of the cells' delegates with a Centre incumbent: Galam's
    recursion over 3 levels of 4, then more than half of the seats Left."""
    q = hierarchy.climb({LEFT: share, RIGHT: 0.0, CENTRE: 1.0 - share}, 4, 0.5, 3, CENTRE)[LEFT]
    return sum(math.comb(seats, j) * q**j * (1 - q) ** (seats - j) for j in range(36, seats + 1))


@pytest.mark.parametrize("k", [36, 38, 39, 40, 44])
def test_p_cc_left_agrees_at_the_four_scales(k: int) -> None:
    """P(CC Left | Left share k/55 of the cells) at 55, 558, 5,581 and 55,809 cells (the four
    scales of `1928`), through `step`, 400 stream keys each (disjoint between scales). The share
    is exact at 55 cells; at the others round(n k / 55) / n is within 1/1,116 of it. Every pair
    agrees within Z = 4 standard errors of the difference, sqrt(2 * 0.25 / 400) = 0.035, plus
    the difference the rounding of the share makes to the exact curve (`exact_cc_left`, below
    0.04 on this curve's steepest stretch); and each frequency is within 4 SE of the exact value
    at its own share. The shares span the curve's rise (0.65 to 0.80)."""
    r = 400
    shares = [round(n * k / 55) / n for n in SCALE_CELLS]
    freq = [
        cc_left(n, s, range(10_000 * i, 10_000 * i + r)).mean()
        for i, (n, s) in enumerate(zip(SCALE_CELLS, shares, strict=True))
    ]
    exact = [exact_cc_left(s) for s in shares]
    se = math.sqrt(0.25 / r)
    for f, e in zip(freq, exact, strict=True):
        assert abs(f - e) <= Z * se, (freq, exact)
    for i in range(4):
        for j in range(i):
            tol = Z * math.sqrt(2) * se + abs(exact[i] - exact[j])
            assert abs(freq[i] - freq[j]) <= tol, (freq, exact)
    assert max(exact) - min(exact) < 0.04


def test_moving_the_line_alone_never_hands_the_cc_to_the_opposition() -> None:
    """2,000 random small states (2-7 cells of 1-6 members, public stances uniform in [-1, 1])
    and pairs of lines l1 < l2: with the same stances and draws, whoever does not hold the CC,
    the Left holds it at l2 only if it holds it at l1 (raising the line never gives it to the
    Left), and the Right holds it at l1 only if at l2. With every member repeating the line
    (y = line) the CC is the Centre's at every line, whoever held it."""
    sc = load_scenario("tiny", ["hierarchy.appointed=0", "hierarchy.levels=1"])
    rng = np.random.default_rng(8)

    def holder(sizes, y, line, incumbent, key=0) -> int:
        state = build_state(sizes, y=y)
        state.key = np.uint64(key)
        state.macro.week, state.macro.cc_holder, state.macro.line = 4, incumbent, line
        hierarchy.step(state, sc)
        return state.macro.cc_holder

    flips = 0
    for key in range(2000):
        sizes = rng.integers(1, 7, rng.integers(2, 8)).tolist()
        y = rng.uniform(-1, 1, sum(sizes))
        l1, l2 = np.sort(rng.uniform(-1, 1, 2))
        for inc in (CENTRE, RIGHT):
            if holder(sizes, y, l2, inc, key) == LEFT:
                assert holder(sizes, y, l1, inc, key) == LEFT
        for inc in (CENTRE, LEFT):
            if holder(sizes, y, l1, inc, key) == RIGHT:
                assert holder(sizes, y, l2, inc, key) == RIGHT
        flips += holder(sizes, y, l1, CENTRE, key) != holder(sizes, y, l2, CENTRE, key)
        for inc in (LEFT, CENTRE, RIGHT):
            assert holder(sizes, np.full(sum(sizes), l2), l2, inc) == CENTRE
    assert flips > 0  # the line does matter: a turn can make dissenters of those who stood still


def fixed_point(g: int, theta: float) -> float | None:
    """The interior fixed point of p -> P(Binomial(g, p) > theta g), by bisection on (0.5, 1)."""
    lo, hi = 0.5, 1.0 - 1e-12
    if hierarchy.tail(hi, g, theta) <= hi:
        return None
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if hierarchy.tail(mid, g, theta) < mid else (lo, mid)
    return 0.5 * (lo + hi)


def test_the_recursion_keeps_a_fixed_point_below_unanimity() -> None:
    """Appointment as a bias theta = (1 + a)/2: the recursion P(Binomial(g, p) > theta g) keeps
    an unstable fixed point below 1 whenever theta g < g - 1 (the challenger needs fewer than
    all the votes): groups of 4, a < 0.5: Galam's 0.7676 (a challenger needs 3 of 4 whatever
    the bias below 1/2); groups of 10: 0.5 < p*(a) < 1, rising with a. The first model's
    override p' = (1 - a) P(p) had none once a > 0.051. And with a fixed number of levels even
    a bias with no fixed point leaves a unanimous bottom the top: P(1) = 1."""
    for a in (0.0, 0.2, 0.3, 0.49):
        assert fixed_point(4, 0.5 * (1 + a)) == pytest.approx((1 + math.sqrt(13)) / 6, abs=1e-9)
    assert fixed_point(4, 0.75) is None
    previous = 0.5
    for a in (0.0, 0.2, 0.4, 0.6):
        p = fixed_point(10, 0.5 * (1 + a))
        assert p is not None and previous < p < 1.0, (a, p)
        previous = p
    for a in (0.0, 0.5, 0.9):
        assert hierarchy.tail(1.0, 4, 0.5 * (1 + a)) == 1.0
