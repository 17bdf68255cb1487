"""S2 classes: the proprietor's weight K, the grain procured, the workers' real wage.

Letter Q4: "The driving force of the Right wing is the new evolving proprietor who seeks a link
with world capitalism." A left turn squeezes the proprietor but, while K is high, brings a grain
strike: procurement falls (the crisis of 1927-28, rows K12-K13). Real wages follow supply, and
hardship (Epstein 2002's H) follows the wage.

    K'     = K + growth K (1 - K) - squeeze max(line, 0) K
    shock' = shock (1 - shock_decay)
    grain  = clip(1 - strike K max(line, 0) - shock, 0, 2)
    wage'  = wage + wage_follow (grain - wage)
    h_i    = clip(h0_i + hardship_wage max(0, wage0 - wage), 0, 1)
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.jit import parallel
from thermidor.model.state import State
from thermidor.scenario.schema import Scenario


@parallel
def hardship(h0, extra, h) -> None:
    """h_i = clip(h0_i + extra, 0, 1) for every person, in parallel (each person on his own)."""
    for i in nb.prange(h.size):
        h[i] = min(1.0, max(0.0, h0[i] + extra))


def step(state: State, sc: Scenario) -> None:
    p, m = sc.classes, state.macro
    left = max(m.line, 0.0)
    m.K = float(np.clip(m.K + p.growth * m.K * (1.0 - m.K) - p.squeeze * left * m.K, 0.0, 1.0))
    m.shock *= 1.0 - p.shock_decay
    m.grain = float(np.clip(1.0 - p.strike * m.K * left - m.shock, 0.0, 2.0))
    m.wage += p.wage_follow * (m.grain - m.wage)
    extra = p.hardship_wage * max(0.0, p.wage0 - m.wage)
    hardship(state.persons.h0, extra, state.persons.h)
