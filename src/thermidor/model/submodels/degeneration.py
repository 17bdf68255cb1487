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
    x_i -= stance_drift * d_i * (x_i + 1)       the degenerated drift to the proprietor's line

control_j is the share of the cell's members who are active and publicly left of the line;
privilege_s is the person's stratum's (the non-party spec's for non-party persons).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import in_party, present
from thermidor.model.state import NONPARTY, STRATA, State
from thermidor.scenario.schema import CELL_KINDS, Scenario


@nb.njit(cache=True)
def degenerate(
    start,
    kind,
    status,
    stratum,
    active,
    x,
    y,
    d,
    oppression,
    privilege,
    priv_nonparty,
    exposure,
    K,
    line,
    cut,
    r_priv,
    r_exp,
    r_opp,
    r_ctrl,
    drift,
):
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        n = 0
        left = 0
        for i in range(a, b):
            if in_party(status[i]):
                n += 1
                if active[i] and y[i] > line + cut:
                    left += 1
        control = left / n if n > 0 else 0.0
        push_cell = r_exp * K * exposure[kind[j]] + r_opp * oppression[j]
        for i in range(a, b):
            if not present(status[i]):
                continue
            priv = priv_nonparty if status[i] == NONPARTY else privilege[stratum[i]]
            d[i] += (r_priv * priv + push_cell) * (1.0 - d[i]) - r_ctrl * control * d[i]
            d[i] = min(1.0, max(0.0, d[i]))
            x[i] -= drift * d[i] * (x[i] + 1.0)


def step(state: State, sc: Scenario) -> None:
    p, ps, cs, m = sc.degeneration, state.persons, state.cells, state.macro
    pop = sc.population
    privilege = np.array([pop.strata[s].privilege for s in STRATA])
    exposure = np.array([getattr(p.exposure, k) for k in CELL_KINDS])
    degenerate(
        cs.start,
        cs.kind,
        ps.status,
        ps.stratum,
        ps.active,
        ps.x,
        ps.y,
        ps.d,
        cs.oppression,
        privilege,
        pop.nonparty.privilege,
        exposure,
        m.K,
        m.line,
        sc.leadership.stance_cut,
        p.privilege_rate,
        p.exposure_rate,
        p.oppression_rate,
        p.control_rate,
        p.stance_drift,
    )
