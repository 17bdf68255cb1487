"""S10 membership: recruitment drives, attrition, the purge the apparatus decides, and recruitment
to the opposition's organisations.

Letter Q1 on "the social composition of the party"; the recruitment of 1929-32 more than doubled
the party (rows R1929-R1932) and the purge of 1929-30 expelled about a tenth (rows P02-P04).
Anchor: membership flows as independent weekly hazards (a standard cohort-flow model); the purge
decision as an integrate-and-fire accumulation of pressure (the apparatus acts once the threat it
sees has lasted), as in threshold models of organisational decisions (March and Simon 1958).

    recruitment: a non-party person joins with probability min(1, 2 rate c_i)
                 (the drives took the confident; mean c near 0.5 gives about `rate`)
    attrition:   a member other than a functionary or a cadre leaves with probability `attrition`
    purge:       the apparatus' purge pressure Q = purge_dissent * (share of members dissenting in
                 public) + purge_degeneration * (mean d of the members); while no purge runs,
                 A <- max(0, A + Q - purge_on); when A >= purge_patience a purge of share
                 s = min(purge_max, purge_size * Q) is declared for purge_weeks weeks
                 (rate 1 - (1 - s)^(1/purge_weeks)), and A <- 0. In it a member other than a
                 functionary is expelled with probability min(1, rate w_i / mean(w)),
                 w_i = 1 + purge_weight_d d_i + purge_weight_dissent [dissents in public]
                       + purge_weight_alien [not a worker: the 'alien elements']
    organisations: a person privately on the Left (x > stance_cut), not a functionary, a cadre,
                 a capitulator or an exile,
                 who heard a cadre of organisation o this week (S6) joins o with probability
                 org_recruit * credibility_o * works_o.

With `decides_purge = false` (the `1928-history` scenario) only the timeline's purges run.

Attrition and recruitment are rare hazards (0.0004 and at most 0.008 a week) and are drawn by
skipping: only the persons `streams.marks` picks draw, the marked recruits kept with probability
2 rate c_i / min(1, 2 rate) (thinning). The purge keeps one draw a member: its chance depends on
the run's state (the declared share, the mean weight), and a draw by person keeps a run coupled
to its counterfactual where the two differ.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import (
    CHUNK,
    add_blocks,
    blocks,
    gather_members,
    in_party,
    party_sum,
    person_blocks,
    persons,
    zeros,
)
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import (
    CAPITULATED,
    EXILED,
    EXPELLED,
    FUNCTIONARY,
    MEMBER,
    NO_ORG,
    NONPARTY,
    WORKER,
    State,
)
from thermidor.model.streams import (
    ATTRITION_MARK,
    ORG_RECRUIT,
    PURGE,
    RECRUIT,
    RECRUIT_MARK,
    marks,
    uniform,
)
from thermidor.scenario.schema import Scenario


@compiled
def purge_weight(p, i, w, line, margin) -> float:
    dissents = abs(p.y[i] - line) > margin
    alien = p.stratum[i] != WORKER
    return 1.0 + w[0] * p.d[i] + (w[1] if dissents else 0.0) + (w[2] if alien else 0.0)


@parallel
def pressure(p, line, margin):
    """The purge's pressure terms: the share of members dissenting in public (counted by blocks
    of persons in parallel), their mean d (summed in person order, `party_sum`)."""
    pb = person_blocks(p.status.size)
    part = zeros((pb.size - 1, 1), np.int64)
    for blk in nb.prange(pb.size - 1):
        dissent = 0
        for i in persons(pb[blk], pb[blk + 1]):
            dissent += in_party(p.status[i]) & (abs(p.y[i] - line) > margin)
        part[blk, 0] = dissent
    n, d = party_sum(p, p.d)
    return (add_blocks(part)[0] / n, d / n) if n > 0 else (0.0, 0.0)


@compiled
def purge_weights(p, w, line, margin):
    """(n, sum of w_i) over the members who may be purged (all but the functionaries), in person
    order on one thread, by chunks of persons gathered with `gather_members` (as `party_sum`)."""
    n = 0
    total = 0.0
    gathered = np.empty(CHUNK, np.uint64)
    for a in range(0, p.status.size, CHUNK):
        k = gather_members(p, a, min(a + CHUNK, p.status.size), False, gathered)
        for t in range(k):
            total += purge_weight(p, gathered[t], w, line, margin)
        n += k
    return n, total


@parallel
def flows(key, week, p, start, recruit, attrition, purge, w, line, margin, cut, join):
    """Returns (purged, joined an organisation), in model persons. The purge's mean weight is
    summed in person order (one thread: its bits must not depend on the threads); the flows run
    by blocks of cells in parallel."""
    n, total_w = purge_weights(p, w, line, margin) if purge > 0.0 else (0, 0.0)
    mean_w = total_w / n if n > 0 else 1.0
    cb = blocks(start)
    nb_ = cb.size - 1
    part = zeros((nb_, 2), np.int64)
    for blk in nb.prange(nb_):
        part[blk, 0], part[blk, 1] = flows_range(
            key, week, p, start[cb[blk]], start[cb[blk + 1]], recruit, attrition, purge, mean_w,
            w, line, margin, cut, join,
        )  # fmt: skip
    purged, joined = add_blocks(part)
    return purged, joined


PURGED, LEFT = 1, 2  # what befell a person this week in `flows_range` (0: nothing yet)


@compiled
def flows_range(key, week, p, a, b, recruit, attrition, purge, mean_w, w, line, margin, cut, join):
    """The flows of persons a:b; returns (purged, joined). By chunks of persons (aligned on
    multiples of CHUNK): the purge (in a purge only) draws for the members gathered without a
    branch; attrition and recruitment are rare and take only the persons `marks` picks (one draw a
    gap between marks, not one a person: docs/performance.md); then the listeners. A member
    purged this week neither leaves nor joins an organisation, one who left is not recruited, a
    recruit is neither purged nor leaves: each person's flow is decided by his status at the
    week's start, as in the twin's one pass in person order."""
    status = p.status
    purged = 0
    joined = 0
    members = np.empty(CHUNK, np.uint64)  # who may be purged
    marked = np.empty(CHUNK, np.uint64)  # whom attrition, then a drive, may strike
    gone = np.zeros(CHUNK, np.int8)  # PURGED or LEFT this week
    q_recruit = min(1.0, 2.0 * recruit)  # the highest chance of a recruit: c <= 1
    c = a
    while c < b:
        last = min((c // CHUNK + 1) * CHUNK, b)
        first = np.uint64(c)
        if purge > 0.0:
            for t in range(gather_members(p, c, last, False, members)):
                i = members[t]
                wi = purge_weight(p, i, w, line, margin)
                if uniform(key, week, PURGE, i, 0) < purge * wi / mean_w:
                    status[i] = EXPELLED
                    purged += 1
                    gone[i - first] = PURGED
        for t in range(marks(key, week, ATTRITION_MARK, attrition, c, last, marked)):
            i = marked[t]
            if in_party(status[i]) and p.stratum[i] != FUNCTIONARY and p.org[i] == NO_ORG:
                status[i] = NONPARTY  # cadres stay; the purged are no longer in the party
                gone[i - first] = LEFT
        for t in range(marks(key, week, RECRUIT_MARK, q_recruit, c, last, marked)):
            i = marked[t]  # joins with probability 2 recruit c_i: q_recruit, then this
            joins = uniform(key, week, RECRUIT, i, 0) * q_recruit < 2.0 * recruit * p.c[i]
            if status[i] == NONPARTY and gone[i - first] == 0 and joins:
                status[i] = MEMBER
        for i in persons(c, last):
            o = p.heard[i]
            if o != NO_ORG:
                s = status[i]
                listens = p.org[i] == NO_ORG and s != EXILED and s != CAPITULATED
                listens = listens and gone[i - first] != PURGED
                listens = listens and p.x[i] > cut and p.stratum[i] != FUNCTIONARY
                if listens and uniform(key, week, ORG_RECRUIT, i, 0) < join[o]:
                    p.org[i] = o
                    p.heard[i] = NO_ORG  # now a cadre: no longer a listener
                    joined += 1
            gone[i - first] = 0
        c = last
    return purged, joined


def step(state: State, sc: Scenario) -> None:
    p, m, orgs = sc.membership, state.macro, state.orgs
    margin = sc.expression.dissent_margin
    if p.decides_purge and m.purge_weeks == 0:
        dissent, d = pressure(state.persons, m.line, margin)
        q = p.purge_dissent * dissent + p.purge_degeneration * d
        m.purge_pressure = max(0.0, m.purge_pressure + q - p.purge_on)
        if m.purge_pressure >= p.purge_patience:
            share = min(p.purge_max, p.purge_size * q)
            m.purge_rate = 1.0 - (1.0 - share) ** (1.0 / p.purge_weeks)
            m.purge_weeks = p.purge_weeks
            m.purge_pressure = 0.0
    join = p.org_recruit * orgs.credibility * orgs.works
    w = np.array([p.purge_weight_d, p.purge_weight_dissent, p.purge_weight_alien])
    m.purged, m.joined = flows(
        state.key, m.week, state.persons, state.cells.start, m.recruitment, p.attrition,
        m.purge_rate, w, m.line, margin, sc.leadership.stance_cut, join,
    )  # fmt: skip
    if m.recruitment_weeks > 0:
        m.recruitment_weeks -= 1
        if m.recruitment_weeks == 0:
            m.recruitment = 0.0
    if m.purge_weeks > 0:
        m.purge_weeks -= 1
        if m.purge_weeks == 0:
            m.purge_rate = 0.0
