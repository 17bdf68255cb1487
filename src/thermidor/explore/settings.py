"""What the explorer lets a user set: the key parameters, each organisation's strategy, the seed.

`KEY_PARAMETERS` is the one list to edit: scenario key paths, shown as sliders in this order. A
slider's range and default are read from the scenario schema (its bounds) and the scenario (its
value), so a parameter added to the model needs only its key path here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from thermidor.scenario.schema import Scenario

KEY_PARAMETERS = [
    "leadership.regime0",  # the regime of repression at the start
    "influence.mu",  # how far a stance moves towards one heard (Deffuant's mu)
    "influence.cadre_contacts",  # listeners a working cadre reaches in his cell a week
    "activation.mobilisation",  # the mobilisation term of activation
    "confidence.credibility_dead",  # how saying "the party is dead" moves its credibility
    "repression.arrest_rate",  # arrests by visibility per enforcer per member, at regime 1
    "power.degeneration_weight",  # the weight of degeneration in the change of power
    "outcome.thermidor_hazard",  # the weekly hazard of Thermidor once its conditions hold
]
LIVE_SCALE = 0.001  # agents per real person: 1928 at 1:1000 is about 4,800 persons, live


def live_scale(sc: Scenario) -> float:
    """The explorer's scale for `sc`: its own if already as small as LIVE_SCALE, else LIVE_SCALE."""
    return min(sc.scale, LIVE_SCALE)


@dataclass(frozen=True)
class Slider:
    """A parameter's slider: key path, bounds, step and the scenario's value."""

    key: str
    low: float
    high: float
    step: float
    value: float
    integer: bool


def _field(sc: Scenario, key: str) -> tuple[BaseModel, str]:
    *path, name = key.split(".")
    model: Any = sc
    for part in path:
        model = getattr(model, part)
    if not isinstance(model, BaseModel) or name not in type(model).model_fields:
        raise KeyError(key)
    return model, name


def slider(sc: Scenario, key: str) -> Slider:
    """The slider of `key`: the schema's bounds where it has them, else 0 to twice the value."""
    model, name = _field(sc, key)
    value = getattr(model, name)
    low, high = None, None
    for m in type(model).model_fields[name].metadata:
        low = getattr(m, "ge", getattr(m, "gt", None)) if low is None else low
        high = getattr(m, "le", getattr(m, "lt", None)) if high is None else high
    low = 0.0 if low is None else float(low)
    high = max(2.0 * abs(value), low + 1.0) if high is None else float(high)
    integer = isinstance(value, int) and not isinstance(value, bool)
    step = 1.0 if integer else (high - low) / 100
    return Slider(key, low, high, step, float(value), integer)


def sliders(sc: Scenario) -> list[Slider]:
    """The sliders of the key parameters this scenario has (a key it lacks is left out)."""
    out = []
    for key in KEY_PARAMETERS:
        try:
            out.append(slider(sc, key))
        except (KeyError, AttributeError):
            continue
    return out


@dataclass(frozen=True)
class Settings:
    """A live model's recipe: the scenario, its scale and seed, the values changed."""

    scenario: str
    scale: float = LIVE_SCALE  # `live_scale` of the scenario
    seed: int = 1
    values: dict[str, Any] = field(default_factory=dict)  # key path -> value

    def with_value(self, key: str, value: Any) -> Settings:
        return Settings(self.scenario, self.scale, self.seed, {**self.values, key: value})

    def with_seed(self, seed: int) -> Settings:
        return Settings(self.scenario, self.scale, int(seed), self.values)
