"""S1 events: the scenario's dated timeline (plenums, campaigns, drives, purges, shocks).

Letter: the July Plenum and "a new Centrist campaign against the Right-wingers" (Q4) are dated
turns the model does not invent; they are data. Anchor: the ODD's "scheduled inputs" (Grimm et
al. 2020). An event applies in the week holding its date (week w covers the days from start +
7(w - 1)); one dated before the start applies in the first week.
"""

from __future__ import annotations

import numpy as np

from thermidor.model.calendar import week_of
from thermidor.model.state import BEHAVIOUR, State
from thermidor.scenario.schema import (
    Campaign,
    GrainShock,
    LineShift,
    Purge,
    Recruitment,
    RegimeShift,
    Scenario,
    StrategyChange,
)


def step(state: State, sc: Scenario) -> None:
    m = state.macro
    for e in sc.timeline:
        if week_of(sc.start, e.date) != m.week:
            continue
        match e:
            case LineShift():
                m.line = float(np.clip(m.line + e.delta, -1.0, 1.0))
            case Campaign():
                if e.on and not m.campaigns[e.campaign]:
                    m.clash = True
                m.campaigns[e.campaign] = e.on
            case Recruitment():
                m.recruitment, m.recruitment_weeks = e.rate, e.weeks
            case Purge():
                m.purge_rate = 1.0 - (1.0 - e.share) ** (1.0 / e.weeks)
                m.purge_weeks = e.weeks
            case GrainShock():
                m.shock -= e.delta
            case RegimeShift():
                m.regime = float(np.clip(m.regime + e.delta, 0.0, 1.0))
            case StrategyChange():
                o = state.orgs.names.index(e.organisation)
                rule = sc.strategies[e.strategy]
                state.orgs.behaviour[o] = [getattr(rule, b) for b in BEHAVIOUR]
                state.orgs.strategy[o] = e.strategy
