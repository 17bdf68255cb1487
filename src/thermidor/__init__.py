"""thermidor: the workers' state as Trotsky analysed it in his 1928 letter to Borodai.

import thermidor
scenario = thermidor.load_scenario("tiny")
result = thermidor.simulate(scenario, seed=1, weeks=52)
result.timeseries.to_pylist()[-1]["pi"], result.outcome["outcome"]

exp = thermidor.ensemble("tiny", runs=20, out="out/ens")     # many runs, any executor
exp.outcomes()                                               # pandas DataFrames
"""

__version__ = "0.1.0"

from thermidor.engine import Result, simulate  # noqa: E402
from thermidor.errors import InputError  # noqa: E402
from thermidor.scenario import Scenario, builtin_names, load_scenario  # noqa: E402

_EXPERIMENTS = ("ensemble", "sweep", "open_experiment")


def __getattr__(name: str) -> object:
    """thermidor.ensemble / sweep / open_experiment, imported on first use (they bring Dask)."""
    if name in _EXPERIMENTS:
        import thermidor.experiments as experiments

        return getattr(experiments, name)
    raise AttributeError(f"module 'thermidor' has no attribute {name!r}")


__all__ = [
    "InputError",
    "Result",
    "Scenario",
    "builtin_names",
    "ensemble",
    "load_scenario",
    "open_experiment",
    "simulate",
    "sweep",
]
