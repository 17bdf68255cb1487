"""S5 activation: Epstein's rule for who takes part in the struggle in the cell.

Letter Q1: "the decline of the spirit of activity of the proletariat itself". Anchor: Epstein
(2002), PNAS 99, 7243, model I:

    G_i = h_i (1 - c_i) + M_i                grievance (legitimacy L = confidence c)
    N_i = rounding(E_j / (1 + A_j - a_i))    enforcers per active, the agent counting himself
    P_i = 1 - exp(-k N_i)                    estimated arrest probability
    active_i <=> G_i - r_i P_i > T

M_i is the pull of a running campaign on those who trust the Centre (0 with no campaign, so
the rule is Epstein's): Q4, the workers who follow the Centre "will enter the struggle against
the Right much more readily than they did in the struggle against the Opposition, when they had
to be dragged along with a rope around their neck". A campaign draws the confident whose own
stance lies on its side:

    M_i = mobilisation c_i (max(x_i, 0) [against the Right] + max(-x_i, 0) [against the Left])

E_j are the apparatus' enforcers in cell j (its functionaries in the party), A_j the actives
present last week, a_i whether i was one of them. `rounding` is "floor" (NetLogo's Rebellion),
"continuous" (the paper's ratio) or "round" (Mesa's example). Functionaries enforce and never
rebel; the exiled are not in the cell.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from thermidor.model.cells import blocks, in_party, persons, present
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import FUNCTIONARY, State
from thermidor.scenario.schema import Scenario

ROUNDING = {"floor": 0, "continuous": 1, "round": 2}


@compiled
def arrest_probability(k: float, e: float, others: float, rounding: int) -> float:
    """Epstein's P = 1 - exp(-k rounding(E / (1 + A))), A the other actives."""
    ratio = e / (1.0 + others)
    if rounding == 0:
        ratio = math.floor(ratio)
    elif rounding == 2:
        ratio = np.rint(ratio)  # half to even, as Python's round() in Mesa's example
    return 1.0 - math.exp(-k * ratio)


@compiled
def activate_cell(p, a, b, k, threshold, rounding, pull_left, pull_right) -> None:
    """Epstein's rule for the persons a:b of one cell."""
    e = 0
    actives = 0
    for i in persons(a, b):
        actives += p.active[i]
        e += (p.stratum[i] == FUNCTIONARY) & in_party(p.status[i])
    # P takes two values in a cell: for those quiet last week and for those active
    p_quiet = arrest_probability(k, e, actives, rounding)
    p_active = arrest_probability(k, e, actives - 1, rounding) if actives > 0 else 0.0
    for i in persons(a, b):
        x = p.x[i]
        c = p.c[i]
        pull = pull_left * max(x, 0.0) + pull_right * max(-x, 0.0)
        grievance = p.h[i] * (1.0 - c) + c * pull
        p_arrest = p_active if p.active[i] else p_quiet
        rebels = (p.stratum[i] != FUNCTIONARY) & present(p.status[i])
        p.active[i] = rebels & (grievance - p.r[i] * p_arrest > threshold)


@parallel
def activate(p, start, k, threshold, rounding, pull_left, pull_right):
    """Every cell, by blocks of cells in parallel."""
    cb = blocks(start)
    for blk in nb.prange(cb.size - 1):
        for j in range(cb[blk], cb[blk + 1]):
            activate_cell(p, start[j], start[j + 1], k, threshold, rounding, pull_left, pull_right)


def step(state: State, sc: Scenario) -> None:
    p, campaigns = sc.activation, state.macro.campaigns
    activate(
        state.persons, state.cells.start, p.k, p.threshold, ROUNDING[p.rounding],
        p.mobilisation * campaigns["against_right"], p.mobilisation * campaigns["against_left"],
    )  # fmt: skip
