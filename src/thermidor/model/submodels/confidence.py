"""S7 confidence: endogenous legitimacy of the centrist leadership, and the cadres' credibility.

Letter Q4: "Centrism holds on not only because of the oppression of the apparatus, but also
because of the confidence or the half-confidence of a certain part of the worker-party members";
Q5: "if we show them that we do not look upon them as corpses; if, like Bolsheviks, we support
every step, every half-step, they take toward us". Anchor: Lemos, Lopes and Coelho (2016),
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

import numpy as np

from thermidor.model.cells import present
from thermidor.model.jit import compiled
from thermidor.model.state import NO_ORG, State
from thermidor.scenario.schema import Scenario


@compiled
def update(p, start, arrests, cred, step, line_start, gain, rep_loss, exp_loss, relax, confident):
    """Move every present person's c; return per organisation (heard, heard by the confident)."""
    heard_n = np.zeros(cred.size)
    heard_conf = np.zeros(cred.size)
    c = p.c
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        hit = 0.0
        if arrests[j] > 0:  # expulsions are rare: count the cell only when there were some
            n = 0
            for i in range(a, b):
                n += present(p.status[i])
            hit = arrests[j] / n if n > 0 else 0.0
        for i in range(a, b):
            if not present(p.status[i]):
                continue
            want = np.sign(p.x[i] - line_start)
            v = c[i] + gain * step * want - rep_loss * hit + relax * (p.c0[i] - c[i])
            o = p.heard[i]
            if o != NO_ORG:
                heard_n[o] += 1.0
                heard_conf[o] += c[i] >= confident
                v -= exp_loss * cred[o]
            c[i] = min(1.0, max(0.0, v))
    return heard_n, heard_conf


def step(state: State, sc: Scenario) -> None:
    p, m, orgs = sc.confidence, state.macro, state.orgs
    step_ = m.line - m.line_start
    cred = orgs.credibility if len(orgs.names) else np.zeros(1)
    heard_n, heard_conf = update(
        state.persons, state.cells.start, state.cells.arrests, cred, step_, m.line_start,
        p.step_gain, p.repression_loss, p.exposure_loss, p.relax, sc.observe.confident,
    )  # fmt: skip
    if not orgs.names:
        return
    b = orgs.behaviour
    share = np.divide(heard_conf, heard_n, out=np.zeros_like(heard_n), where=heard_n > 0)
    delta = (
        p.credibility_earn * (b[:, 2] * max(step_, 0.0) + max(-step_, 0.0))
        - p.credibility_loss_dead * b[:, 3] * share
        - p.credibility_loss_liquidated * b[:, 4] * share
        - p.calumny * m.regime * (1.0 - b[:, 5])
    )
    orgs.credibility[:] = np.clip(orgs.credibility + orgs.works * delta, 0.0, 1.0)
