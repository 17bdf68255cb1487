"""S7 confidence: endogenous legitimacy of the centrist leadership, and the cadres' credibility.

Letter Q4: "Centrism holds on not only because of the oppression of the apparatus, but also
because of the confidence or the half-confidence of a certain part of the worker-party members";
Q5: "if we show them that we do not look upon them as corpses; if, like Bolsheviks, we support
every step, every half-step, they take toward us"; Q1: "This kernel does not consider itself -
and quite rightly - either dead or degenerated". Anchors: Lemos, Lopes and Coelho (2016),
endogenous legitimacy in Epstein's model (legitimacy falls with the repression seen); for the
credibility of a source, Hovland and Weiss (1951), Public Opinion Quarterly 15, 635, and the
log-odds (logistic) scale of belief updating.

For each present person i of cell j, with step = line - line at the week's start:

    c_i += step_gain * step * sign(x_i - line_start)          a step he wants raises c
           - repression_loss * arrests_j / n_j                 expulsions of actives in his cell
           - exposure_loss * credibility_o [heard cadre of o]  criticism, as credible as its voice
           + relax * (c0_i - c_i)

Credibility of organisation o lives on the log-odds scale L_o = log(cred_o / (1 - cred_o)), so
that no finite run of weeks takes it to 0 or 1. Each message is judged by what its listeners
(those who heard a cadre of o this week, with their confidence before the week's change) have
lived: it gains where it matches and loses where it does not. With `confident` the Q4 cut
(`observe.confident`), for listener i of cell j:

    dead_i  = +1 if c_i < confident or arrests_j > 0 else -1       "the party is dead"
    liq_i   = +1 if h_i (1 - c_i) > T (S5's threshold) else -1     "October is liquidated"
    back_i  = [x_i > line_start] - [c_i < confident]               backing a left step: wanted
                                                                   it / sees it as capitulation
    right_i = sign(x_i - line_start)                               criticising a right step
    cal_i   = +1 if c_i >= confident else -1                       answering the calumny

    L_o += works_o * ( - credibility_memory * L_o
                     + credibility_dead * says_party_dead_o * <dead>
                     + credibility_liquidated * says_october_liquidated_o * <liq>
                     + credibility_step * max(step, 0) * (2 backs_left_steps_o - 1) * <back>
                     + credibility_step * max(-step, 0) * <right>
                     + calumny * regime * (2 refutes_second_party_o - 1) * <cal> )

<.> is the mean over o's listeners of the week (no listener: only the memory term). The memory
term lets what listeners lived long ago fade (log-odds relax to 0, credibility 0.5, an unknown
voice), so that |L_o| stays below the largest weekly channel over credibility_memory. Every
channel can go
either way; none reads a strategy's name. Cadres of a passive organisation say nothing and their
credibility does not move.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from thermidor.model.cells import add_blocks, blocks, persons, present, zeros
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import NO_ORG, State
from thermidor.scenario.schema import Scenario

CHANNELS = 5  # dead, liq, back, right, cal
EDGE = 1e-12  # a credibility given as exactly 0 or 1 starts this close to it


@compiled
def update_cell(p, a, b, arrests, cred, step, line_start, rates, confident, threshold, lived):
    """Move the c of the present persons a:b of a cell with `arrests` expulsions last week; add
    its listeners' agreement to `lived`."""
    gain, rep_loss, exp_loss, relax = rates
    c = p.c
    hit = 0.0
    if arrests > 0:  # expulsions are rare: count the cell only when there were some
        n = 0
        for i in persons(a, b):
            n += present(p.status[i])
        hit = arrests / n if n > 0 else 0.0
    for i in persons(a, b):
        if not present(p.status[i]):
            continue
        ci = c[i]
        want = np.sign(p.x[i] - line_start)
        v = ci + gain * step * want - rep_loss * hit + relax * (p.c0[i] - ci)
        o = p.heard[i]
        if o != NO_ORG:
            doubt = ci < confident
            lived[o, 0] += 1.0
            lived[o, 1] += 1.0 if doubt or arrests > 0 else -1.0
            lived[o, 2] += 1.0 if p.h[i] * (1.0 - ci) > threshold else -1.0
            lived[o, 3] += (1.0 if p.x[i] > line_start else 0.0) - (1.0 if doubt else 0.0)
            lived[o, 4] += want
            lived[o, 5] += -1.0 if doubt else 1.0
            v -= exp_loss * cred[o]
        c[i] = min(1.0, max(0.0, v))


@parallel
def update(p, start, arrests, cred, step, line_start, rates, confident, threshold):
    """Move every present person's c; return per organisation its listeners and the sums of
    their agreement with each channel (columns: n, dead, liq, back, right, cal). Each block of
    cells sums its own listeners (whole numbers: exact), the blocks are added in order."""
    cb = blocks(start)
    nb_ = cb.size - 1
    part = zeros((nb_, cred.size, CHANNELS + 1), np.float64)
    for blk in nb.prange(nb_):
        for j in range(cb[blk], cb[blk + 1]):
            update_cell(p, start[j], start[j + 1], arrests[j], cred, step, line_start, rates,
                        confident, threshold, part[blk])  # fmt: skip
    return add_blocks(part)


def log_odds(cred: np.ndarray) -> list[float]:
    """log(cred / (1 - cred)), a credibility of exactly 0 or 1 taken EDGE inside."""
    q = np.clip(cred, EDGE, 1.0 - EDGE)
    return [math.log(v / (1.0 - v)) for v in q]


def step(state: State, sc: Scenario) -> None:
    p, m, orgs = sc.confidence, state.macro, state.orgs
    step_ = m.line - m.line_start
    cred = orgs.credibility if len(orgs.names) else np.zeros(1)
    lived = update(
        state.persons, state.cells.start, state.cells.arrests, cred, step_, m.line_start,
        (p.step_gain, p.repression_loss, p.exposure_loss, p.relax), sc.observe.confident,
        sc.activation.threshold,
    )  # fmt: skip
    if not orgs.names:
        return
    b = orgs.behaviour
    n = lived[:, 0]
    agree = np.divide(
        lived[:, 1:], n[:, None], out=np.zeros_like(lived[:, 1:]), where=n[:, None] > 0
    )
    delta = (
        p.credibility_dead * b[:, 3] * agree[:, 0]
        + p.credibility_liquidated * b[:, 4] * agree[:, 1]
        + p.credibility_step * max(step_, 0.0) * (2.0 * b[:, 2] - 1.0) * agree[:, 2]
        + p.credibility_step * max(-step_, 0.0) * agree[:, 3]
        + p.calumny * m.regime * (2.0 * b[:, 5] - 1.0) * agree[:, 4]
    )
    for o, L in enumerate(log_odds(orgs.credibility)):  # libm's log and exp, as the twin's math
        move = orgs.works[o] * (delta[o] - p.credibility_memory * L)
        orgs.credibility[o] = 1.0 / (1.0 + math.exp(-(L + move)))
