"""S4 expression: whether a member says in the cell what he thinks (Kuran; Granovetter).

Letter Q1: "The regime of apparatus oppression ... renders very difficult a daily check upon the
degree of degeneration of the various strata and nuclei of the party." Hidden stances are real
state; the gap between x and y is an output.

Anchor: Granovetter (1978) thresholds and Kuran (1989, 1991) preference falsification. A member
i of cell j dissents privately when |x_i - line| > dissent_margin. He says so when the public
share of dissent among the cell's members reaches his threshold raised by the cell's oppression:

    oppression_j = regime * (oppression_enforcers * E_j / N_j + oppression_appointed * appointed_j)
                   * (1 - self_criticism_relief * [self-criticism campaign on])
    says_i      <=> D_j / N_j >= tau_i + oppression_j

D_j counts the members dissenting in public, N_j the members present. The rule is iterated
`rounds` times a week, synchronously within the cell (the Granovetter map r' = F(r)), starting
from last week's public dissent. A member who says what he thinks has y = x; one who hides his
dissent has y = line. Non-party persons are outside the party meeting and say what they think.
Switched off (`expression.enabled = false`), nobody falsifies his preference: y = x for all.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import blocks, in_party, persons
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import FUNCTIONARY, State
from thermidor.scenario.schema import Scenario


@compiled
def express_cell(p, a, b, appointed, regime, w_enf, w_app, relief, line, margin, rounds) -> float:
    """Cell a:b's oppression, then the threshold rule iterated; writes p.y, returns oppression."""
    x, y, tau, status = p.x, p.y, p.tau, p.status
    n = 0
    e = 0
    dissent = 0
    for i in persons(a, b):
        member = in_party(status[i])
        n += member
        e += member & (p.stratum[i] == FUNCTIONARY)
        dissent += member & (abs(x[i] - line) > margin) & (abs(y[i] - line) > margin)
    opp = regime * (w_enf * (e / n if n > 0 else 0.0) + w_app * appointed) * (1.0 - relief)
    share = 0.0
    for _ in range(rounds):
        share = dissent / n if n > 0 else 0.0
        new = 0
        for i in persons(a, b):
            new += in_party(status[i]) & (abs(x[i] - line) > margin) & (share >= tau[i] + opp)
        if new == dissent:
            break
        dissent = new
    for i in persons(a, b):  # the public set of the last share used: it has `dissent` members
        hides = in_party(status[i]) & (abs(x[i] - line) > margin) & (share < tau[i] + opp)
        y[i] = min(1.0, max(-1.0, line if hides else x[i]))
    return opp


@parallel
def express(p, start, appointed, regime, w_enf, w_app, relief, oppression, line, margin, rounds):
    """Every cell, by blocks of cells in parallel; writes oppression and p.y."""
    cb = blocks(start)
    for blk in nb.prange(cb.size - 1):
        for j in range(cb[blk], cb[blk + 1]):
            oppression[j] = express_cell(
                p, start[j], start[j + 1], appointed[j], regime, w_enf, w_app, relief, line,
                margin, rounds,
            )  # fmt: skip


def step(state: State, sc: Scenario) -> None:
    p, cs, m = sc.expression, state.cells, state.macro
    if not p.enabled:
        np.copyto(state.persons.y, state.persons.x)
        return
    relief = p.self_criticism_relief if m.campaigns["self_criticism"] else 0.0
    express(
        state.persons, cs.start, cs.appointed, m.regime, p.oppression_enforcers,
        p.oppression_appointed, relief, cs.oppression, m.line, p.dissent_margin, p.rounds,
    )  # fmt: skip
