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

from thermidor.model.cells import enforcers, in_party, members
from thermidor.model.state import State
from thermidor.scenario.schema import Scenario


@nb.njit(cache=True)
def cell_oppression(p, start, appointed, regime, w_enf, w_app, relief, out):
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        n = members(p, a, b)
        share = enforcers(p, a, b) / n if n > 0 else 0.0
        out[j] = regime * (w_enf * share + w_app * appointed[j]) * (1.0 - relief)


@nb.njit(cache=True)
def express(p, start, oppression, line, margin, rounds):
    """Iterate the threshold rule in every cell; writes the public stance p.y."""
    x, y, tau = p.x, p.y, p.tau
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        n = members(p, a, b)
        dissent = 0
        for i in range(a, b):
            if in_party(p.status[i]) and abs(x[i] - line) > margin and abs(y[i] - line) > margin:
                dissent += 1
        share = 0.0
        for _ in range(rounds):
            share = dissent / n if n > 0 else 0.0
            new = 0
            for i in range(a, b):
                wants = in_party(p.status[i]) and abs(x[i] - line) > margin
                if wants and share >= tau[i] + oppression[j]:
                    new += 1
            if new == dissent:
                break
            dissent = new
        for i in range(a, b):  # the public set of the last share used: it has `dissent` members
            hides = in_party(p.status[i]) and abs(x[i] - line) > margin
            y[i] = line if hides and share < tau[i] + oppression[j] else x[i]


def step(state: State, sc: Scenario) -> None:
    p, cs, m = sc.expression, state.cells, state.macro
    if not p.enabled:
        np.copyto(state.persons.y, state.persons.x)
        return
    relief = p.self_criticism_relief if m.campaigns["self_criticism"] else 0.0
    cell_oppression(
        state.persons, cs.start, cs.appointed, m.regime, p.oppression_enforcers,
        p.oppression_appointed, relief, cs.oppression,
    )  # fmt: skip
    express(state.persons, cs.start, cs.oppression, m.line, p.dissent_margin, p.rounds)
    np.clip(state.persons.y, -1.0, 1.0, out=state.persons.y)
