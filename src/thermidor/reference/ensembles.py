"""Ensembles of either implementation, for comparing the twin with the engine statistically.

`metrics` and `outcomes` are picklable tasks for a process pool (`tests/test_reference.py`): each
runs one chunk of seeds of one implementation ("engine" or "reference") on a scenario with
`--set`-style overrides and returns plain arrays, so that the two ensembles are compared on the
same columns at the same weeks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from thermidor.scenario.load import load_scenario

# the key metrics of the comparison, columns of the time series (thermidor.model.observe)
METRICS = (
    "pi",  # S12: the proletariat's share of power
    "beta",  # S12: the bureaucracy's autonomy
    "line",  # S3: the Centre's line
    "kernel_left_active",  # the active, left-speaking proletarian kernel
    "functionary_d",  # S8: the party apparatus' degeneration
    "institution_d",  # S8: the Soviet apparatus' (institution cells') degeneration
    "expelled",  # S9, S10: the dry guillotine
    "exiled",  # S9
    "worker_x",  # the worker members' mean private stance: how far Left the kernel stands
    "q5_moved_left",  # Q5: the confident worker members who moved left
)
WEEKS = (26, 52, 104)


@dataclass(frozen=True)
class Task:
    """One chunk of an ensemble: `implementation` on `scenario` with `overrides`, one run a seed."""

    implementation: str  # "engine" or "reference"
    scenario: str
    overrides: tuple[str, ...]
    seeds: tuple[int, ...]
    weeks: int = max(WEEKS)


def simulator(implementation: str) -> Callable:
    """`thermidor.engine.simulate` or `thermidor.reference.simulate`."""
    if implementation == "engine":
        from thermidor.engine import simulate
    elif implementation == "reference":
        from thermidor.reference import simulate
    else:
        raise ValueError(f"unknown implementation {implementation!r}")
    return simulate


def metrics(task: Task) -> np.ndarray:
    """METRICS at WEEKS for every seed of the task: an array [seed, week, metric].

    The runs must cover the horizon: switch the outcome submodel off (`outcome.enabled=false`),
    or a run that ends in an absorbing outcome raises instead of being silently cut short.
    """
    simulate = simulator(task.implementation)
    sc = load_scenario(task.scenario, list(task.overrides))
    out = np.empty((len(task.seeds), len(WEEKS), len(METRICS)))
    for s, seed in enumerate(task.seeds):
        ts = simulate(sc, seed=seed, weeks=task.weeks).timeseries
        if ts.num_rows <= max(WEEKS):
            raise RuntimeError(f"seed {seed} ended at week {ts.num_rows - 1}: switch S13 off")
        for w, week in enumerate(WEEKS):
            out[s, w] = [ts.column(m)[week].as_py() for m in METRICS]
    return out


def outcomes(task: Task) -> list[tuple[str, int]]:
    """(outcome, weeks run) for every seed of the task."""
    simulate = simulator(task.implementation)
    sc = load_scenario(task.scenario, list(task.overrides))
    runs = (simulate(sc, seed=seed, weeks=task.weeks).outcome for seed in task.seeds)
    return [(o["outcome"], o["weeks_run"]) for o in runs]


def chunked(
    implementation: str,
    scenario: str,
    overrides: Sequence[str],
    seeds: Sequence[int],
    size: int,
    weeks: int = max(WEEKS),
) -> list[Task]:
    """The tasks that run `seeds` in chunks of `size`."""
    seeds = list(seeds)
    return [
        Task(implementation, scenario, tuple(overrides), tuple(seeds[i : i + size]), weeks)
        for i in range(0, len(seeds), size)
    ]
