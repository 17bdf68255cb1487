"""S9 repression: the "dry guillotine" - arrest by visibility across a region, exile, capitulation.

Letter Q6: "Is not all this the Thermidor with the dry guillotine?"; Rafael: the "steel hammer
that drives an 'aspen-wedge' into the Opposition every day". Anchor: Epstein (2002), where the
arrest risk an agent runs grows with the enforcers around him and with his being visible (active);
here the apparatus of a region strikes whoever it can see in the region, not only in a cell with an
enforcer, and capitulation is a hazard (a proportional-hazards rate, Cox 1972).

Visibility of person i (what the apparatus can see):

    v_i = [member, not a functionary, dissenting in public, |y - line| > dissent_margin]
          (visible_speech + visible_active [active])
          + [cadre of organisation o, not in exile] works_o (visible_party effort_party_o
           + visible_outside (1 - effort_party_o))

so open work in the party cells is what a strategy exposes (effort_party), work among non-party
workers less so. Person i of region r is arrested this week with probability

    1 - exp(-arrest_rate * regime * (E_r / N_r) * v_i * focus_i)

E_r / N_r the region's enforcers (functionaries in the party) per member: the capacity of the
apparatus, scale-free. focus_i = campaign_focus when a campaign runs against i's side (the side of
his public stance; a cadre's side is his programme's against the line), else 1. An arrested member
is expelled; an arrested cadre is exiled with probability exile_share (exile is the policy) for a
term drawn uniformly in [exile_weeks_min, exile_weeks_max], after which he is expelled at home.

Every cadre - in the party or out, in exile or not - capitulates with weekly hazard

    1 - exp(-(capitulation_base + capitulation_isolation * isolation_i
              + capitulation_repression * regime + capitulation_left_turn * turn_memory))

isolation_i = 1 in exile, else 1 - the share of his cell's members privately on the Left (x > cut:
his work found no echo); turn_memory the memory of the line's leftward moves,
turn_memory <- (1 - turn_forget) turn_memory + max(0, this week's move): the turns that drew
Radek, Preobrazhensky and Smilga in July 1929. A capitulator leaves his organisation and is in the
party, saying and thinking the line, his anchor moved there too (x = y = anchor = line).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from thermidor.model.cells import add_blocks, blocks, in_party, persons, zeros
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import (
    CAPITULATED,
    EXILED,
    EXPELLED,
    FUNCTIONARY,
    NO_ORG,
    State,
)
from thermidor.model.streams import ARREST, CAPITULATE, EXILE, EXILE_TERM, uniform
from thermidor.scenario.schema import Scenario


@compiled
def census(p, a, b, cut):
    """(members, privately on the Left, enforcers) of the cell a:b."""
    n = 0
    left = 0
    enf = 0
    for i in persons(a, b):
        if in_party(p.status[i]):
            n += 1
            left += p.x[i] > cut
            enf += p.stratum[i] == FUNCTIONARY
    return n, left, enf


@compiled
def repress_cell(
    key, week, p, a, b, capacity, echo, line, margin, vis, focus, orgs, cap, counts, concerned
):
    """The week's acts in the cell a:b (capacity: its region's rate * E_r / N_r); adds them to
    `counts` and returns the arrests. Only the members who dissent in public, the cadres and the
    exiled can be arrested, capitulate or come home: they are gathered first (`concerned` is
    scratch), since a branch on each person's status is a coin toss once recruits are
    scattered through the cells."""
    speech, active_w, party_w, outside_w = vis
    against_left, against_right, boost = focus
    programme, effort, works = orgs
    share_exiled, wmin, wmax = cap[0], int(cap[1]), int(cap[2])
    cap_hazard = cap[3]  # base + repression * regime + left turn * memory (the same for all)
    cap_iso = cap[4]
    status, org = p.status, p.org
    n = 0
    for i in persons(a, b):  # those whom anything can befall, gathered without a branch
        s = status[i]
        dissents = in_party(s) & (abs(p.y[i] - line) > margin) & (p.stratum[i] != FUNCTIONARY)
        concerned[n] = i
        n += dissents | (org[i] != NO_ORG) | (s == EXILED)
    taken = 0
    for t in range(n):
        i = concerned[t]
        s = status[i]
        o = org[i]
        if s == EXILED:
            p.exile_left[i] -= 1
            if p.exile_left[i] <= 0:
                status[i] = EXPELLED
                s = EXPELLED
        v = 0.0
        side = 0.0
        member = in_party(s)
        says = p.y[i] - line
        if member and abs(says) > margin and p.stratum[i] != FUNCTIONARY:
            v += speech + (active_w if p.active[i] else 0.0)
            side = says
        if o != NO_ORG and s != EXILED:
            v += works[o] * (party_w * effort[o] + outside_w * (1.0 - effort[o]))
            side = programme[o] - line
        if (side > 0.0 and against_left) or (side < 0.0 and against_right):
            v *= boost
        if v > 0.0 and uniform(key, week, ARREST, i, 0) < 1.0 - math.exp(-capacity * v):
            taken += 1
            counts[0] += 1
            p.active[i] = False
            if o != NO_ORG and uniform(key, week, EXILE, i, 0) < share_exiled:
                status[i] = EXILED
                term = wmin + int(uniform(key, week, EXILE_TERM, i, 0) * (wmax - wmin + 1))
                p.exile_left[i] = min(term, wmax)
                counts[1] += 1
            elif member:
                status[i] = EXPELLED
            counts[3] += member
            continue
        if o != NO_ORG:
            isolation = 1.0 if s == EXILED else 1.0 - echo
            hazard = 1.0 - math.exp(-(cap_hazard + cap_iso * isolation))
            if uniform(key, week, CAPITULATE, i, 0) < hazard:
                status[i] = CAPITULATED
                org[i] = NO_ORG
                p.exile_left[i] = 0
                p.active[i] = False
                p.x[i] = line
                p.y[i] = line
                p.anchor[i] = line  # his material position changes too: posts, the party
                counts[2] += 1
    return taken


@parallel
def repress(key, week, p, start, region, arrests, rate, line, margin, cut, vis, focus, orgs, cap):
    """One pass over the cells for the aggregates, one over the persons for the week's acts,
    each by blocks of cells in parallel; returns (arrests, exiles, capitulations, members
    expelled) counted in model persons."""
    m = start.size - 1
    cb = blocks(start)
    nb_ = cb.size - 1
    counted = zeros((m, 3), np.int64)  # members, privately on the Left, enforcers
    for blk in nb.prange(nb_):
        for j in range(cb[blk], cb[blk + 1]):
            counted[j, 0], counted[j, 1], counted[j, 2] = census(p, start[j], start[j + 1], cut)
    n_regions = 0
    for j in range(m):
        n_regions = max(n_regions, region[j] + 1)
    enforcers = zeros(n_regions, np.float64)
    members = zeros(n_regions, np.float64)
    for j in range(m):  # whole numbers: exact in any order
        enforcers[region[j]] += counted[j, 2]
        members[region[j]] += counted[j, 0]
    widest = 0
    for j in range(m):
        widest = max(widest, start[j + 1] - start[j])
    part = zeros((nb_, 4), np.int64)
    for blk in nb.prange(nb_):
        concerned = np.empty(widest, np.uint64)
        for j in range(cb[blk], cb[blk + 1]):
            r = region[j]
            capacity = rate * enforcers[r] / members[r] if members[r] > 0 else 0.0
            n = counted[j, 0]
            echo = counted[j, 1] / n if n > 0 else 0.0
            arrests[j] = repress_cell(key, week, p, start[j], start[j + 1], capacity, echo, line,
                                      margin, vis, focus, orgs, cap, part[blk],
                                      concerned)  # fmt: skip
    return add_blocks(part)


def step(state: State, sc: Scenario) -> None:
    p, m, orgs = sc.repression, state.macro, state.orgs
    m.turn_memory = (1.0 - p.turn_forget) * m.turn_memory + max(0.0, m.line - m.line_start)
    cap = np.array(
        [
            p.exile_share,
            p.exile_weeks_min,
            p.exile_weeks_max,
            p.capitulation_base
            + p.capitulation_repression * m.regime
            + p.capitulation_left_turn * m.turn_memory,
            p.capitulation_isolation,
        ]
    )
    counts = repress(
        state.key, m.week, state.persons, state.cells.start, state.cells.region,
        state.cells.arrests, p.arrest_rate * m.regime, m.line,
        sc.expression.dissent_margin, sc.leadership.stance_cut,
        (p.visible_speech, p.visible_active, p.visible_party, p.visible_outside),
        (bool(m.campaigns["against_left"]), bool(m.campaigns["against_right"]), p.campaign_focus),
        (orgs.programme, orgs.behaviour[:, 0].copy(), orgs.works), cap,
    )  # fmt: skip
    m.arrested, m.exiled_new, m.capitulated_new, m.expelled_s9 = (int(c) for c in counts)
