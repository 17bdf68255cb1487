"""S8 degeneration: d rises with privilege, the proprietor's pull and oppression; control from
below holds it back.

Letter Q1-Q2: "nuclei that are entirely degenerated, others that are still healthy but
amorphous, others that have hardly been affected"; "the degeneration of the Soviet apparatus is
considerably more advanced than the same process in the party apparatus". Anchor: Michels' iron
law as a rate equation, with the control-from-below term of Epstein-style local interaction; the
Soviet and party apparatus differ only in their privilege and exposure parameters, so Q2 is
measured, not assumed.

For each present person i of cell j (kind k):

    d_i += (privilege_rate * privilege_s + exposure_rate * K * exposure_k
            + oppression_rate * oppression_j) (1 - d_i) - control_rate * control_j * d_i
    a_i -= stance_drift * d_i * (a_i + 1)       the degenerated drift to the proprietor's line

acts on the anchor a_i of S6 (Friedkin-Johnsen): degeneration is a change of material position
(privilege, the proprietor's pull), so it moves the interest a person's stance returns to, and x
follows through S6; a drift of x alone would be undone by the anchor within weeks.

control_j is the share of the cell's members who are active and privately on the Left (x > cut);
privilege_s is the person's stratum's (the non-party spec's for non-party persons).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import blocks, in_party, persons, present
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import NONPARTY, STRATA, State
from thermidor.scenario.schema import CELL_KINDS, Scenario


@compiled
def degenerate_cell(p, a, b, push_cell, privilege, cut, r_priv, r_ctrl, drift) -> None:
    """Cell a:b's persons, `push_cell` the exposure and oppression terms of the cell."""
    d, anchor = p.d, p.anchor
    n = 0
    left = 0
    for i in persons(a, b):
        member = in_party(p.status[i])
        n += member
        left += member & p.active[i] & (p.x[i] > cut)
    control = left / n if n > 0 else 0.0
    for i in persons(a, b):
        s = p.status[i]
        priv = privilege[4] if s == NONPARTY else privilege[p.stratum[i]]
        di = d[i]
        new = min(
            1.0, max(0.0, di + (r_priv * priv + push_cell) * (1.0 - di) - r_ctrl * control * di)
        )
        here = present(s)  # the exiled keep their d and anchor
        d[i] = new if here else di
        anchor[i] = anchor[i] - drift * new * (anchor[i] + 1.0) if here else anchor[i]


@parallel
def degenerate(p, start, kind, oppression, privilege, exposure, K, cut, rates, drift):
    """Every cell, by blocks of cells in parallel."""
    r_priv, r_exp, r_opp, r_ctrl = rates
    cb = blocks(start)
    for blk in nb.prange(cb.size - 1):
        for j in range(cb[blk], cb[blk + 1]):
            push_cell = r_exp * K * exposure[kind[j]] + r_opp * oppression[j]
            degenerate_cell(p, start[j], start[j + 1], push_cell, privilege, cut, r_priv, r_ctrl,
                            drift)  # fmt: skip


def step(state: State, sc: Scenario) -> None:
    p, cs, pop = sc.degeneration, state.cells, sc.population
    privilege = np.array([*(pop.strata[s].privilege for s in STRATA), pop.nonparty.privilege])
    exposure = np.array([getattr(p.exposure, k) for k in CELL_KINDS])
    rates = (p.privilege_rate, p.exposure_rate, p.oppression_rate, p.control_rate)
    degenerate(
        state.persons, cs.start, cs.kind, cs.oppression, privilege, exposure, state.macro.K,
        sc.leadership.stance_cut, rates, p.stance_drift,
    )  # fmt: skip
