"""S13 outcome: the absorbing outcomes - Thermidor, reform, bureaucratic consolidation.

Letter Q3: "the bourgeoisie could seize power only by the road of counter-revolutionary upheaval.
As for the proletariat, it can regain full power, renovate the bureaucracy and put it under its
control by the road of reform of the party and the Soviets." Anchor: competing absorbing states
with a hazard (discrete-time survival analysis).

    Thermidor: only while pi < thermidor_pi, with weekly hazard
               1 - exp(-thermidor_hazard (1 - pi / thermidor_pi) K (1 + right_weight R))
               R = share of members privately on the Right (x < -stance_cut); the draw is the
               stream THERMIDOR of the week (so it can be recomputed from a stored run's seed)
    reform:    the Left holds the CC, pi >= reform_pi and d_app <= reform_d
    bureaucratic consolidation: beta >= beta_star0 + consolidation_margin for
               consolidation_weeks weeks running, beta_star0 being beta's passive equilibrium at
               the classes' activity of the first week (S12): the bureaucracy's autonomy beyond
               what the classes of 1928 held it at (`consolidation_beta`, if given, replaces the
               stated threshold by an absolute level)
    otherwise duality is still open. The first outcome reached ends the run.
"""

from __future__ import annotations

import math

from thermidor.model import streams
from thermidor.model.cells import apparatus_mean, in_party
from thermidor.model.jit import compiled
from thermidor.model.state import CONSOLIDATION, LEFT, OPEN, REFORM, THERMIDOR, State
from thermidor.scenario.schema import Scenario


@compiled
def right_share(p, cut) -> float:
    n = 0
    k = 0
    for i in range(p.status.size):
        if in_party(p.status[i]):
            n += 1
            k += p.x[i] < -cut
    return k / n if n > 0 else 0.0


def consolidation_level(p, m) -> float:
    """The level of beta that counts toward consolidation (nan, never reached, before S12's
    first week)."""
    if p.consolidation_beta is not None:
        return p.consolidation_beta
    return m.beta_star0 + p.consolidation_margin


def step(state: State, sc: Scenario) -> None:
    p, m, ps = sc.outcome, state.macro, state.persons
    if m.outcome != OPEN:
        return
    m.beta_high_weeks = m.beta_high_weeks + 1 if m.beta >= consolidation_level(p, m) else 0
    outcome = OPEN
    if m.pi < p.thermidor_pi:
        r = right_share(ps, sc.leadership.stance_cut)
        rate = p.thermidor_hazard * (1 - m.pi / p.thermidor_pi) * m.K * (1 + p.right_weight * r)
        if streams.uniform(state.key, m.week, streams.THERMIDOR, 0, 0) < 1.0 - math.exp(-rate):
            outcome = THERMIDOR
    if (
        outcome == OPEN
        and m.cc_holder == LEFT
        and m.pi >= p.reform_pi
        and apparatus_mean(ps, ps.d, state.apparatus) <= p.reform_d
    ):
        outcome = REFORM
    if outcome == OPEN and m.beta_high_weeks >= p.consolidation_weeks:
        outcome = CONSOLIDATION
    if outcome != OPEN:
        m.outcome, m.outcome_week = outcome, m.week
