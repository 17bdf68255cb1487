"""thermidor: the workers' state as Trotsky analysed it in his 1928 letter to Borodai.

import thermidor
result = thermidor.simulate("tiny", seed=1, weeks=52)       # one run
result.to_pandas()                                           # the weekly rows, dates as datetime64
result.answers(), result.plot()                              # the seven answers, a figure

model = thermidor.Model("tiny", seed=1)                      # the same run, a week at a time
model.step(); model.run_for(10); model.date, model.dataframe()

exp = thermidor.ensemble("tiny", runs=20, out="out/ens")     # many runs, any executor
exp.outcomes()                                               # pandas DataFrames

Everything is imported on first use, so `import thermidor` (and `thermidor --help`) stays fast.
"""

from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "Model": "thermidor.engine",
    "Result": "thermidor.engine",
    "simulate": "thermidor.engine",
    "InputError": "thermidor.errors",
    "Scenario": "thermidor.scenario",
    "builtin_names": "thermidor.scenario",
    "load_scenario": "thermidor.scenario",
    "ensemble": "thermidor.experiments",
    "sweep": "thermidor.experiments",
    "open_experiment": "thermidor.experiments",
}


def __getattr__(name: str) -> object:
    """The public names, each imported from its module on first use (numba, Dask, ...)."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'thermidor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = sorted(_LAZY)
