"""Experiments: ensembles and sweeps on any executor, with a resumable store.

    import thermidor.experiments as tx

    exp = tx.ensemble("tiny", runs=20, weeks=52, out="out/ens", workers=2)
    exp.outcomes()                          # pandas, one row per run
    exp.query("SELECT outcome, count(*) FROM outcomes GROUP BY ALL")

    sw = tx.sweep("tiny", {"influence.mu": (0.1, 0.5)}, design="sobol", samples=64, out="out/sw")
    tx.analyze(sw, "pi")                    # Sobol indices of the final pi

A pipeline in SALib's style, plain data in and out: `design.make_design` samples the points,
`ensemble`/`sweep` evaluate them (on a process pool, Dask, MPI or any `concurrent.futures`
executor), `analyze` computes sensitivity indices. The store (`store.py`) is a directory of
Parquet parts written atomically; rerunning resumes it. See docs/experiments.md.
"""

import sys
import types
from importlib import import_module

_LAZY = {
    "ensemble": "api", "ensemble_plan": "api", "run": "api", "sweep": "api", "sweep_plan": "api",
    "Design": "design", "Vary": "design", "make_design": "design", "parse_vary": "design",
    "Experiment": "handle", "open_experiment": "handle",
    "compact": "compact", "merge": "merge",
    "Plan": "plan", "Shard": "plan", "Task": "plan", "run_seed": "plan",
    "analyze": "sensitivity", "indices": "sensitivity", "point_means": "sensitivity",
    "Status": "status", "status": "status",
    "run_task": "task",
}  # fmt: skip


def __getattr__(name: str) -> object:
    """The public names, imported from their modules on first use (the command line's `--help`
    needs none of Dask, DuckDB or pandas)."""
    if name in _LAZY:
        value = getattr(import_module(f"thermidor.experiments.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'thermidor.experiments' has no attribute {name!r}")


class _Package(types.ModuleType):
    """`merge` and `status` name both a submodule and its function: importing the submodule
    must not replace the function the package offers (as the eager imports used to ensure)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "Design",
    "Experiment",
    "Plan",
    "Shard",
    "Status",
    "Task",
    "Vary",
    "analyze",
    "compact",
    "ensemble",
    "ensemble_plan",
    "indices",
    "make_design",
    "merge",
    "open_experiment",
    "parse_vary",
    "point_means",
    "run",
    "run_seed",
    "run_task",
    "status",
    "sweep",
    "sweep_plan",
]
