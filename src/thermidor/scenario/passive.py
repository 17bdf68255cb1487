"""The passive counterfactual of a scenario (principle 10: effects are counterfactual).

The same scenario with every organisation's `active = false`: the cadres exist, are drawn and
placed exactly as in the scenario (the initial state is identical), but say nothing and do
nothing as cadres. Run with the same seed, it shares every random draw with the scenario's run
(`thermidor.model.streams`: common random numbers), so a strategy's effect, and Q5, is the
difference between the run and its matched passive run, paired by seed.
"""

from __future__ import annotations

from thermidor.scenario.schema import Scenario


def passive(sc: Scenario) -> Scenario:
    """`sc` with every organisation passive (`active = false`); nothing else changed."""
    orgs = [o.model_copy(update={"active": False}) for o in sc.organisations]
    return sc.model_copy(update={"organisations": orgs})
