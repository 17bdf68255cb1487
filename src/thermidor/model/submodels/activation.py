"""S5 activation: Epstein's rule for who takes part in the struggle in the cell.

Letter Q1: "the decline of the spirit of activity of the proletariat itself". Anchor: Epstein
(2002), PNAS 99, 7243, model I:

    G_i = h_i (1 - c_i)                      grievance (legitimacy L = confidence c)
    N_i = rounding(E_j / (1 + A_j - a_i))    enforcers per active, the agent counting himself
    P_i = 1 - exp(-k N_i)                    estimated arrest probability
    active_i <=> G_i - r_i P_i > T

E_j are the apparatus' enforcers in cell j (its functionaries in the party), A_j the actives
present last week, a_i whether i was one of them. `rounding` is "floor" (NetLogo's Rebellion),
"continuous" (the paper) or "round" (Mesa's example). Functionaries enforce and never rebel; the
exiled are not in the cell.
"""

from __future__ import annotations

import math

import numba as nb

from thermidor.model.cells import enforcers, present
from thermidor.model.state import FUNCTIONARY, State
from thermidor.scenario.schema import Scenario

ROUNDING = {"floor": 0, "continuous": 1, "round": 2}


@nb.njit(cache=True)
def activate(start, status, stratum, h, c, r, active, k, threshold, rounding):
    e = enforcers(start, status, stratum)
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        actives = 0
        for i in range(a, b):
            if active[i]:
                actives += 1
        for i in range(a, b):
            if stratum[i] == FUNCTIONARY or not present(status[i]):
                active[i] = False
                continue
            ratio = e[j] / (1.0 + actives - (1 if active[i] else 0))
            if rounding == 0:
                ratio = math.floor(ratio)
            elif rounding == 2:
                ratio = math.floor(ratio + 0.5)
            p_arrest = 1.0 - math.exp(-k * ratio)
            active[i] = h[i] * (1.0 - c[i]) - r[i] * p_arrest > threshold


def step(state: State, sc: Scenario) -> None:
    p, ps = sc.activation, state.persons
    activate(
        state.cells.start,
        ps.status,
        ps.stratum,
        ps.h,
        ps.c,
        ps.r,
        ps.active,
        p.k,
        p.threshold,
        ROUNDING[p.rounding],
    )
