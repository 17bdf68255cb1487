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
`rounds` times a week, synchronously within the cell (the Granovetter map). A member who says
what he thinks has y = x; one who hides dissent has y = line. Non-party persons are outside the
party meeting and say what they think (y = x).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import enforcers, in_party
from thermidor.model.state import State
from thermidor.scenario.schema import Scenario


@nb.njit(cache=True)
def express(start, status, x, y, tau, oppression, line, margin, rounds):
    """Iterate the threshold rule in every cell; writes y (public stance)."""
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        n = 0
        dissent = 0
        for i in range(a, b):
            if in_party(status[i]):
                n += 1
                if abs(y[i] - line) > margin and abs(x[i] - line) > margin:
                    dissent += 1
        if n == 0:
            for i in range(a, b):
                y[i] = x[i]
            continue
        for _ in range(rounds):
            share = dissent / n
            new = 0
            for i in range(a, b):
                wants = in_party(status[i]) and abs(x[i] - line) > margin
                if wants and share >= tau[i] + oppression[j]:
                    new += 1
            if new == dissent:
                break
            dissent = new
        share = dissent / n
        for i in range(a, b):
            if (
                not in_party(status[i])
                or abs(x[i] - line) <= margin
                or share >= tau[i] + oppression[j]
            ):
                y[i] = x[i]
            else:
                y[i] = line


@nb.njit(cache=True)
def cell_oppression(start, status, stratum, appointed, regime, w_enf, w_app, relief, out):
    e = enforcers(start, status, stratum)
    for j in range(start.size - 1):
        n = 0
        for i in range(start[j], start[j + 1]):
            if in_party(status[i]):
                n += 1
        share = e[j] / n if n > 0 else 0.0
        out[j] = regime * (w_enf * share + w_app * appointed[j]) * (1.0 - relief)


def step(state: State, sc: Scenario) -> None:
    p, ps, cs, m = sc.expression, state.persons, state.cells, state.macro
    relief = p.self_criticism_relief if m.campaigns["self_criticism"] else 0.0
    cell_oppression(
        cs.start,
        ps.status,
        ps.stratum,
        cs.appointed,
        m.regime,
        p.oppression_enforcers,
        p.oppression_appointed,
        relief,
        cs.oppression,
    )
    express(
        cs.start, ps.status, ps.x, ps.y, ps.tau, cs.oppression, m.line, p.dissent_margin, p.rounds
    )
    np.clip(ps.y, -1.0, 1.0, out=ps.y)
