"""thermidor: the workers' state as Trotsky analysed it in his 1928 letter to Borodai.

import thermidor
scenario = thermidor.load_scenario("tiny")
result = thermidor.simulate(scenario, seed=1, weeks=52)
result.timeseries.to_pylist()[-1]["pi"], result.outcome["outcome"]
"""

__version__ = "0.1.0"

from thermidor.engine import Result, simulate  # noqa: E402
from thermidor.errors import InputError  # noqa: E402
from thermidor.scenario import Scenario, builtin_names, load_scenario  # noqa: E402

__all__ = ["InputError", "Result", "Scenario", "builtin_names", "load_scenario", "simulate"]
