"""Scenarios: TOML files validated against the schema."""

from thermidor.scenario.load import builtin_names, load_scenario, parse_overrides, scenario_hash
from thermidor.scenario.passive import passive
from thermidor.scenario.schema import Scenario

__all__ = [
    "Scenario",
    "builtin_names",
    "load_scenario",
    "parse_overrides",
    "passive",
    "scenario_hash",
]
