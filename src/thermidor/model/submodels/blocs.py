"""Blocs (Q7): two organisations unite; at each clash the bloc may split.

Letter Q7: "If, however, the Democratic-Centralist group split away from us at the first clash,
we ought not rush into new corridor-fusions"; "before uniting ... it is necessary to establish
the ideological delimitations, based upon a clear and principled line". Anchor: a hazard of
splitting that grows with programme distance (the exit rule of coalition models: stay while the
distance to the coalition's line is below what the member tolerates).

At the bloc's date the two organisations, if neither is in a bloc, unite with distance
    D = |programme_a - programme_b| (1 - delimitation).
A clash is a week in which a campaign starts or the regime rises by at least `clash_regime`. At
each clash the bloc splits with probability 1 - exp(-split_rate D). While united, the partners
speak with one voice: their credibility is pooled (the mean).
"""

from __future__ import annotations

import math

from thermidor.model.calendar import week_of
from thermidor.model.state import State
from thermidor.model.streams import BLOC_SPLIT, uniform
from thermidor.scenario.schema import Scenario


def step(state: State, sc: Scenario) -> None:
    p, m, orgs = sc.bloc_rules, state.macro, state.orgs
    for bloc in sc.blocs:
        a, b = (orgs.names.index(n) for n in bloc.organisations)
        free = orgs.bloc_partner[a] < 0 and orgs.bloc_partner[b] < 0
        if week_of(sc.start, bloc.date) == m.week and free:
            orgs.bloc_partner[a], orgs.bloc_partner[b] = b, a
            distance = abs(orgs.programme[a] - orgs.programme[b]) * (1 - bloc.delimitation)
            orgs.bloc_distance[[a, b]] = distance
            orgs.bloc_alive[[a, b]] = True
    clash = m.clash or (m.regime - m.regime_start) >= p.clash_regime
    for a in range(len(orgs.names)):
        b = orgs.bloc_partner[a]
        if b < a or not orgs.bloc_alive[a]:
            continue
        split = 1.0 - math.exp(-p.split_rate * orgs.bloc_distance[a])
        if clash and uniform(state.key, m.week, BLOC_SPLIT, a, 0) < split:
            orgs.bloc_alive[[a, b]] = False
            orgs.bloc_split_week[[a, b]] = m.week
        else:
            orgs.credibility[[a, b]] = orgs.credibility[[a, b]].mean()
