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

from thermidor.experiments.api import ensemble, ensemble_plan, run, sweep, sweep_plan
from thermidor.experiments.design import Design, Vary, make_design, parse_vary
from thermidor.experiments.handle import Experiment, open_experiment
from thermidor.experiments.merge import merge
from thermidor.experiments.plan import Plan, Shard, Task, run_seed
from thermidor.experiments.sensitivity import analyze, indices, point_means
from thermidor.experiments.status import Status, status
from thermidor.experiments.task import run_task

__all__ = [
    "Design",
    "Experiment",
    "Plan",
    "Shard",
    "Status",
    "Task",
    "Vary",
    "analyze",
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
