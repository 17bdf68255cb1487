"""S7 confidence: endogenous legitimacy of the centrist leadership, and the cadres' credibility.

Letter Q4: "Centrism holds on not only because of the oppression of the apparatus, but also
because of the confidence or the half-confidence of a certain part of the worker-party members";
Q5: "if we show them that we do not look upon them as corpses; if, like Bolsheviks, we support
every step, every half-step, they take toward us". Anchor: Lemos, Coelho and Lopes (2016),
endogenous legitimacy in Epstein's model: legitimacy falls with the repression seen.

For each present person i of cell j, with step = line - line at the week's start:

    c_i += step_gain * step * sign(x_i - line_start)          a step he wants raises c
           - repression_loss * arrests_j / n_j                 expulsions of actives in his cell
           - exposure_loss * credibility_o [heard cadre of o]  criticism, as credible as its voice
           + relax * (c0_i - c_i)

Credibility of organisation o (in [0, 1]), from what its cadres do (strategy numbers only):

    cred_o += credibility_earn * (backs_left_steps_o * max(step, 0) + max(-step, 0))
              - credibility_loss_dead * says_party_dead_o * f_o
              - credibility_loss_liquidated * says_october_liquidated_o * f_o
              - calumny * regime * (1 - refutes_second_party_o)

where f_o is the share of those who heard o this week whose confidence in the Centre is at least
`observe.confident` (Q4's "fifty or twenty-five per cent"): they do not consider themselves
"either dead or degenerated" (Q1) and turn from whoever tells them so. Cadres of a passive
organisation say nothing and their credibility does not move.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import present
from thermidor.model.state import NO_ORG, State
from thermidor.scenario.schema import Scenario


@nb.njit(cache=True)
def update(
    start,
    status,
    x,
    c,
    c0,
    heard,
    arrests,
    cred,
    step,
    line_start,
    gain,
    rep_loss,
    exp_loss,
    relax,
    confident,
    n_orgs,
):
    heard_n = np.zeros(max(n_orgs, 1))
    heard_conf = np.zeros(max(n_orgs, 1))
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        n = 0
        for i in range(a, b):
            if present(status[i]):
                n += 1
        hit = arrests[j] / n if n > 0 else 0.0
        for i in range(a, b):
            if not present(status[i]):
                continue
            want = 1.0 if x[i] > line_start else (-1.0 if x[i] < line_start else 0.0)
            v = c[i] + gain * step * want - rep_loss * hit + relax * (c0[i] - c[i])
            o = heard[i]
            if o != NO_ORG:
                heard_n[o] += 1.0
                if c[i] >= confident:
                    heard_conf[o] += 1.0
                v -= exp_loss * cred[o]
            c[i] = min(1.0, max(0.0, v))
    return heard_n, heard_conf


def step(state: State, sc: Scenario) -> None:
    p, ps, m, orgs = sc.confidence, state.persons, state.macro, state.orgs
    step_ = m.line - m.line_start
    n_orgs = len(orgs.names)
    heard_n, heard_conf = update(
        state.cells.start,
        ps.status,
        ps.x,
        ps.c,
        ps.c0,
        ps.heard,
        state.cells.arrests,
        orgs.credibility if n_orgs else np.zeros(1),
        step_,
        m.line_start,
        p.step_gain,
        p.repression_loss,
        p.exposure_loss,
        p.relax,
        sc.observe.confident,
        n_orgs,
    )
    if n_orgs == 0:
        return
    b = orgs.behaviour
    share = np.divide(
        heard_conf[:n_orgs], heard_n[:n_orgs], out=np.zeros(n_orgs), where=heard_n[:n_orgs] > 0
    )
    delta = (
        p.credibility_earn * (b[:, 2] * max(step_, 0.0) + max(-step_, 0.0))
        - p.credibility_loss_dead * b[:, 3] * share
        - p.credibility_loss_liquidated * b[:, 4] * share
        - p.calumny * m.regime * (1.0 - b[:, 5])
    )
    orgs.credibility[:] = np.clip(orgs.credibility + orgs.works * delta, 0.0, 1.0)
