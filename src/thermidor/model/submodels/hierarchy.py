"""S11 hierarchy: who masters the party - delegates elected upward, level by level, to the CC.

Letter Q1: "To conquer this kernel, however, is to conquer the party"; Q2: "it is the party that
decides. At present, this means: the party apparatus." Anchor: Galam (1990), J. Stat. Phys. 61, 943,
bottom-up hierarchical voting: in a group of g delegates a challenger takes the post only with a
majority; ties and pluralities go to the incumbent. A level of groups drawn at random from a level
with challenger share p has challenger share P(p) = P(Binomial(g, p) > theta g) (Galam's
recursion; `level_shares`).

Every `every` weeks, with I the holder of the CC and theta = (1 + appointed) / 2:
- each cell with members elects a delegate: a challenger s != I takes it only if more than theta
  of its members publicly DISSENT on the side of s: Left for y > max(stance_cut, line + dissent
  margin), Right for y < min(-stance_cut, line - dissent margin); a member following the line is
  Centre, however far left or right the line stands. Otherwise the delegate is I's.
- `levels` levels of groups of `group_size` posts (district, okrug, region) follow by Galam's
  recursion on the shares of delegates: a fixed number of levels, so that the sharpness of the
  hierarchy does not depend on how many cells the model happens to hold (scale-free).
- the CC, a body of `cc_members` seats, is drawn from the top level's shares (one stream draw a
  seat) and passes to a challenger holding more than half of the seats; nothing above it
  appoints it.
Appointment from above is a bias the challenger must overcome (a qualified majority theta), never
an override: a unanimous bottom always takes the top.
"""

from __future__ import annotations

import math

import numpy as np

from thermidor.model.cells import in_party, persons
from thermidor.model.jit import compiled
from thermidor.model.state import CENTRE, LEFT, RIGHT, State
from thermidor.model.streams import CC_SEAT, uniform
from thermidor.scenario.schema import Scenario

SIDES = (LEFT, RIGHT, CENTRE)


@compiled
def cell_votes(p, start, left_cut, right_cut, theta, incumbent, out):
    """Each cell's delegate into `out`; returns (cells with members, Left and Right delegates)."""
    cells = 0
    lefts = 0
    rights = 0
    for j in range(start.size - 1):
        n = 0
        left = 0
        right = 0
        for i in persons(start[j], start[j + 1]):
            if in_party(p.status[i]):
                n += 1
                left += p.y[i] > left_cut
                right += p.y[i] < right_cut
        vote = incumbent
        if incumbent != LEFT and left > theta * n:
            vote = LEFT
        elif incumbent != RIGHT and right > theta * n:
            vote = RIGHT
        elif incumbent != CENTRE and n - left - right > theta * n:
            vote = CENTRE
        out[j] = vote
        if n > 0:
            cells += 1
            lefts += vote == LEFT
            rights += vote == RIGHT
    return cells, lefts, rights


def cuts(stance_cut: float, line: float, margin: float) -> tuple[float, float]:
    """(left cut, right cut): a public stance counts Left above the first, Right below the
    second: on the side of the Left (Right) AND dissenting from the line."""
    return max(stance_cut, line + margin), min(-stance_cut, line - margin)


def tail(p: float, g: int, theta: float) -> float:
    """P(Binomial(g, p) > theta g): a challenger with share p takes a group's post."""
    return sum(math.comb(g, k) * p**k * (1.0 - p) ** (g - k) for k in range(g + 1) if k > theta * g)


def level_shares(
    shares: dict[int, float], g: int, theta: float, incumbent: int
) -> dict[int, float]:
    """One level of Galam's recursion: each challenger's share of posts one level up; the
    incumbent holds the rest (two challengers cannot both pass theta >= 1/2 of one group)."""
    up = {s: tail(shares[s], g, theta) for s in SIDES if s != incumbent}
    up[incumbent] = max(0.0, 1.0 - sum(up.values()))
    return up


def climb(
    shares: dict[int, float], group: int, theta: float, levels: int, incumbent: int
) -> dict[int, float]:
    """The shares of the top level below the CC, `levels` levels above the cells."""
    for _ in range(levels):
        shares = level_shares(shares, group, theta, incumbent)
    return shares


def cc_holder(shares: dict[int, float], seats: int, incumbent: int, key, week: int) -> int:
    """The CC: `seats` seats drawn from the top level's shares (stream CC_SEAT, one uniform a
    seat: Left below the Left share, Right below Left + Right, else Centre); a challenger with
    more than half of the seats takes it, else the incumbent keeps it."""
    u = np.array([uniform(key, week, CC_SEAT, i, 0) for i in range(seats)])
    left = int(np.sum(u < shares[LEFT]))
    right = int(np.sum(u < shares[LEFT] + shares[RIGHT])) - left
    count = {LEFT: left, RIGHT: right, CENTRE: seats - left - right}
    for s in SIDES:
        if s != incumbent and 2 * count[s] > seats:
            return s
    return incumbent


def elect(
    lefts: int, rights: int, cells: int, p, incumbent: int, key, week: int
) -> tuple[int, float]:
    """From the cells' delegates (counts) to the CC: (its holder, the Left share of the top
    level below it). Without a cell with members nothing changes."""
    if cells == 0:
        return incumbent, 0.0
    shares = {LEFT: lefts / cells, RIGHT: rights / cells}
    shares[CENTRE] = 1.0 - shares[LEFT] - shares[RIGHT]
    theta = 0.5 * (1.0 + p.appointed)
    top = climb(shares, p.group_size, theta, p.levels, incumbent)
    return cc_holder(top, p.cc_members, incumbent, key, week), top[LEFT]


def step(state: State, sc: Scenario) -> None:
    p, m, cs = sc.hierarchy, state.macro, state.cells
    if m.week % p.every:
        return
    left_cut, right_cut = cuts(sc.leadership.stance_cut, m.line, sc.expression.dissent_margin)
    theta = 0.5 * (1.0 + p.appointed)
    n, lefts, rights = cell_votes(
        state.persons, cs.start, left_cut, right_cut, theta, m.cc_holder, cs.vote
    )
    m.cc_holder, m.left_top = elect(lefts, rights, n, p, m.cc_holder, state.key, m.week)
