"""The twin as a Mesa model: the initial population, the macro state and the weekly schedule.

ODD "Initialization": the twin draws its initial population with the engine's own
`thermidor.model.init.initial_state` and then builds one `Person` agent per person, one `Cell`
per nucleus and one `Organisation` per opposition group from those arrays. The initial draw is
therefore the engine's, by construction; what the twin checks independently is the weekly
dynamics (S1-S13) and the observations (S14). Its random numbers (`model.rng`) come from the
generator that `initial_state` seeded with `SeedSequence(seed)`, continued after the initial
draw, as the engine's do. Only the distributions need to agree; but since the twin draws the
same numbers in the same order as the engine's kernels, the same seed gives the engine's run to
rounding, which `tests/test_reference.py` uses as a line-by-line check (the statistical checks
use disjoint seeds, so that the two ensembles are independent).

ODD "Process overview and scheduling": `ReferenceModel.step` is one week, in the order of
`thermidor.model.schedule.SCHEDULE`: the week-start bookkeeping, then every submodel switched on.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mesa
import numpy as np

from thermidor.model.init import initial_state
from thermidor.model.state import KINDS, NO_ORG, OPEN, OUTCOMES, STATUSES, STRATA
from thermidor.reference import submodels as s
from thermidor.reference.agents import CENTRE, Cell, Organisation, Person
from thermidor.scenario.schema import Scenario

# (name, submodel, the scenario switch that turns it off): the schedule's order
SCHEDULE: tuple[tuple[str, Callable[[ReferenceModel], None], Callable[[Scenario], bool]], ...] = (
    ("S1 events", s.s1_events, lambda sc: sc.events),
    ("S2 classes", s.s2_classes, lambda sc: sc.classes.enabled),
    ("S3 leadership", s.s3_leadership, lambda sc: sc.leadership.enabled),
    ("Q7 blocs", s.q7_blocs, lambda sc: sc.bloc_rules.enabled),
    ("S4 expression", s.s4_expression, lambda sc: True),  # off: y = x, inside the submodel
    ("S5 activation", s.s5_activation, lambda sc: sc.activation.enabled),
    ("S6 influence", s.s6_influence, lambda sc: sc.influence.enabled),
    ("S7 confidence", s.s7_confidence, lambda sc: sc.confidence.enabled),
    ("S8 degeneration", s.s8_degeneration, lambda sc: sc.degeneration.enabled),
    ("S9 repression", s.s9_repression, lambda sc: sc.repression.enabled),
    ("S10 membership", s.s10_membership, lambda sc: sc.membership.enabled),
    ("S11 hierarchy", s.s11_hierarchy, lambda sc: sc.hierarchy.enabled),
    ("S12 power", s.s12_power, lambda sc: sc.power.enabled),
    ("S13 outcome", s.s13_outcome, lambda sc: sc.outcome.enabled),
)


class ReferenceModel(mesa.Model):
    """The workers' state, one object per person; the macro state as plain attributes."""

    @property
    def n_persons(self) -> int:
        """Persons (agents), as the engine's `State.n_persons`."""
        return len(self.persons)

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence) -> None:
        super().__init__(rng=seed)
        init = initial_state(scenario, seed)
        self.rng = init.rng  # the generator of `SeedSequence(seed)`, after the initial draw
        self.key = init.key  # the streams of the weekly draws (thermidor.model.streams)
        self.sc = scenario  # `scenario` is taken: Mesa 3.5 has its own Scenario
        self.seed = seed
        self._macro(init.macro)
        self._organisations(init.orgs)
        self._cells(init.cells)
        self._persons(init.persons)
        for cell, secretary in zip(self.cells, init.cells.secretary, strict=True):
            cell.secretary = self.persons[int(secretary)]

    def _macro(self, m) -> None:
        """The country (`thermidor.model.state.Macro`), copied as plain attributes."""
        self.week = 0
        self.K, self.grain, self.shock, self.wage = m.K, m.grain, m.shock, m.wage
        self.line, self.line_start = m.line, m.line_start
        self.regime, self.regime_start = m.regime, m.regime_start
        self.clash = False
        self.campaigns = dict(m.campaigns)
        self.drivers = dict(m.drivers)
        self.pi, self.beta = m.pi, m.beta
        self.cc_holder = CENTRE
        self.left_top = 0.0
        self.recruitment, self.recruitment_weeks = 0.0, 0
        self.purge_rate, self.purge_weeks = 0.0, 0
        self.velocity, self.turn_memory, self.purge_pressure = m.velocity, m.turn_memory, 0.0
        self.arrested = self.exiled_new = self.capitulated_new = self.purged = self.joined = 0
        self.expelled_s9 = 0
        self.outcome = OUTCOMES[OPEN]
        self.outcome_week = -1
        self.beta_high_weeks = 0
        self.kernel0, self.beta_star, self.beta_star0 = math.nan, math.nan, math.nan

    def _organisations(self, o) -> None:
        self.organisations = [
            Organisation(
                i,
                spec.name,
                spec.programme,
                spec.strategy,
                self.sc.strategies[spec.strategy],
                credibility=float(o.credibility[i]),
                works=float(o.works[i]),
            )
            for i, spec in enumerate(self.sc.organisations)
        ]

    def _cells(self, c) -> None:
        self.cells = [
            Cell(j, KINDS[c.kind[j]], int(c.region[j]), bool(c.appointed[j]))
            for j in range(c.kind.size)
        ]

    def _persons(self, p) -> None:
        """One agent per person, appended to its cell in index order."""
        self.persons: list[Person] = []
        for i in range(p.cell.size):
            cell = self.cells[int(p.cell[i])]
            person = Person(
                self,
                stratum=STRATA[p.stratum[i]],
                status=STATUSES[p.status[i]],
                cell=cell,
                org=None if p.org[i] == NO_ORG else self.organisations[int(p.org[i])],
                x=float(p.x[i]),
                y=float(p.y[i]),
                c=float(p.c[i]),
                c0=float(p.c0[i]),
                h0=float(p.h0[i]),
                h=float(p.h[i]),
                r=float(p.r[i]),
                d=float(p.d[i]),
                u=float(p.u[i]),
                tau=float(p.tau[i]),
                active=bool(p.active[i]),
                exile_left=int(p.exile_left[i]),
                x0=float(p.x0[i]),
                cohort=bool(p.cohort[i]),
                anchor=float(p.anchor[i]),
                lam=float(p.lam[i]),
                index=i,
            )
            cell.persons.append(person)
            self.persons.append(person)

    def step(self) -> None:
        """One week: the week-start bookkeeping, then every submodel switched on, in order."""
        self.week += 1
        self.line_start, self.regime_start, self.clash = self.line, self.regime, False
        for _, submodel, enabled in SCHEDULE:
            if enabled(self.sc):
                submodel(self)
        if self.outcome != OUTCOMES[OPEN]:
            self.running = False
