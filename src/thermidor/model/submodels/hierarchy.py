"""S11 hierarchy: who masters the party - delegates elected upward, level by level, to the CC.

Letter Q1: "To conquer this kernel, however, is to conquer the party"; Q2: "it is the party that
decides. At present, this means: the party apparatus." Anchor: Galam (1990), J. Stat. Phys. 61, 943,
bottom-up hierarchical voting: in a group of g delegates a challenger takes the post only with a
strict majority (> g/2); ties and pluralities go to the incumbent.

Every `every` weeks each cell elects a delegate: Left if more than half of its members say a stance
on the Left (y > stance_cut), Right if more than half say one on the Right (y < -stance_cut), else
the incumbent (the holder of the CC). Cells, ordered by region then kind, form groups of
`group_size`; each group elects by the same rule; a share `appointed` of posts at each level
below the CC is appointed from above and goes to the incumbent; repeated until one post, the
Central Committee, remains. The rule and the appointed posts are applied to a column of votes
with vectorised NumPy; the last level below the CC gives `left_top`, the Left share there.
"""

from __future__ import annotations

import numpy as np

from thermidor.model.cells import in_party
from thermidor.model.jit import compiled
from thermidor.model.state import CENTRE, LEFT, RIGHT, State
from thermidor.scenario.schema import Scenario


@compiled
def cell_votes(p, start, cut, incumbent, out):
    for j in range(start.size - 1):
        n = 0
        left = 0
        right = 0
        for i in range(start[j], start[j + 1]):
            if in_party(p.status[i]):
                n += 1
                left += p.y[i] > cut
                right += p.y[i] < -cut
        if 2 * left > n:
            out[j] = LEFT
        elif 2 * right > n:
            out[j] = RIGHT
        else:
            out[j] = incumbent


def elect(votes: np.ndarray, group: int, incumbent: int) -> np.ndarray:
    """One level of Galam's hierarchy: each group's strict majority, else the incumbent."""
    pad = (-votes.size) % group
    groups = np.concatenate([votes, np.full(pad, incumbent, votes.dtype)]).reshape(-1, group)
    out = np.full(groups.shape[0], incumbent, votes.dtype)
    for side in (LEFT, RIGHT, CENTRE):
        if side != incumbent:
            out[(groups == side).sum(axis=1) * 2 > group] = side
    return out


def climb(
    votes: np.ndarray, group: int, appointed: float, incumbent: int, rng
) -> tuple[int, float]:
    """Elect level by level to the top: (the CC's holder, the Left share one level below)."""
    level = below = votes
    while level.size > 1:
        below = level
        level = elect(level, group, incumbent)
        if appointed > 0.0 and level.size > 1:  # nothing is above the CC to appoint it
            level[rng.random(level.size) < appointed] = incumbent
    return int(level[0]), float(np.mean(below == LEFT))


def step(state: State, sc: Scenario) -> None:
    p, m, cs = sc.hierarchy, state.macro, state.cells
    if m.week % p.every:
        return
    cell_votes(state.persons, cs.start, sc.leadership.stance_cut, m.cc_holder, cs.vote)
    m.cc_holder, m.left_top = climb(cs.vote, p.group_size, p.appointed, m.cc_holder, state.rng)
