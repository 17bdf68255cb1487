"""The weekly schedule: the submodels in the design's order, each with its on/off switch."""

from __future__ import annotations

from collections.abc import Callable

from thermidor.model.state import State
from thermidor.model.submodels import (
    activation,
    blocs,
    classes,
    confidence,
    degeneration,
    events,
    expression,
    hierarchy,
    influence,
    leadership,
    membership,
    outcome,
    power,
    repression,
)
from thermidor.scenario.schema import Scenario

# (name, module, the scenario switch that turns it off)
SCHEDULE: tuple[tuple[str, Callable[[State, Scenario], None], Callable[[Scenario], bool]], ...] = (
    ("S1 events", events.step, lambda s: s.events),
    ("S2 classes", classes.step, lambda s: s.classes.enabled),
    ("S3 leadership", leadership.step, lambda s: s.leadership.enabled),
    ("Q7 blocs", blocs.step, lambda s: s.bloc_rules.enabled),
    ("S4 expression", expression.step, lambda s: True),  # off: y = x (no falsification)
    ("S5 activation", activation.step, lambda s: s.activation.enabled),
    ("S6 influence", influence.step, lambda s: s.influence.enabled),
    ("S7 confidence", confidence.step, lambda s: s.confidence.enabled),
    ("S8 degeneration", degeneration.step, lambda s: s.degeneration.enabled),
    ("S9 repression", repression.step, lambda s: s.repression.enabled),
    ("S10 membership", membership.step, lambda s: s.membership.enabled),
    ("S11 hierarchy", hierarchy.step, lambda s: s.hierarchy.enabled),
    ("S12 power", power.step, lambda s: s.power.enabled),
    ("S13 outcome", outcome.step, lambda s: s.outcome.enabled),
)


def week(state: State, sc: Scenario) -> None:
    """One week: the bookkeeping of the week's start, then every submodel switched on."""
    m = state.macro
    m.line_start, m.regime_start, m.clash = m.line, m.regime, False
    for _, step, enabled in SCHEDULE:
        if enabled(sc):
            step(state, sc)
