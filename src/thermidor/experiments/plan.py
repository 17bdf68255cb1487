"""What an experiment runs: its runs, their seeds and scenarios, its shard and its identity.

An ensemble is a sweep of one point. Point `p`, replicate `r` is run `i = p * R + r` (R runs per
point); run `i` gets the seed `SeedSequence(root, spawn_key=(i,))`, the same as
`SeedSequence(root).spawn(n)[i]`, so a run's result depends only on the scenario, the root seed
and `i`, never on the executor, the number of workers or the sharding. Shard `k/n` holds the runs
with `i % n == k`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from thermidor.errors import InputError
from thermidor.experiments.design import Design
from thermidor.scenario.load import apply_override, scenario_hash, split_key, validate
from thermidor.scenario.schema import Scenario

MAX_RUNS = 10_000_000  # runs of one experiment (its plan is a range, never a list)


def run_seed(root: int, run: int) -> np.random.SeedSequence:
    """The seed of run `run` of an experiment with root seed `root`."""
    return np.random.SeedSequence(root, spawn_key=(run,))


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count`: the runs `i` with `i % count == index`."""

    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str | None) -> Shard:
        """'I/N' (0 <= I < N, as Slurm's `$SLURM_ARRAY_TASK_ID/N` with `--array=0-(N-1)`)."""
        if text is None:
            return cls()
        i, sep, n = text.partition("/")
        if not (sep and i.strip().isdigit() and n.strip().isdigit()):
            raise InputError("--shard", f"{text!r} is not of the form I/N (e.g. 0/4)")
        index, count = int(i), int(n)
        if count > MAX_RUNS:
            raise InputError("--shard", f"N must be at most {MAX_RUNS:,} (got {count:,})")
        if count < 1 or index >= count:
            raise InputError("--shard", f"needs 0 <= I < N (got {text}); shards count from 0")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, run: int) -> bool:
        """True if run `run` belongs to this shard."""
        return run % self.count == self.index


@dataclass(frozen=True)
class Task:
    """One run, as sent to a worker: everything it needs and nothing else."""

    run: int
    point: int
    replicate: int
    root_seed: int
    scenario: Scenario
    params: dict[str, float | int]
    out: str


@dataclass(frozen=True)
class Plan:
    """An experiment: the base scenario (root seed and horizon included) and its design."""

    kind: str
    scenario: Scenario
    runs_per_point: int
    design: Design | None = None
    shard: Shard = Shard()
    _points: dict[int, Scenario] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_points(self) -> int:
        """The number of points (1 for an ensemble)."""
        return 1 if self.design is None else self.design.n_points

    @property
    def n_runs(self) -> int:
        """The number of runs of the whole experiment (all shards)."""
        return self.n_points * self.runs_per_point

    @property
    def root_seed(self) -> int:
        """The root seed: the scenario's seed."""
        return self.scenario.seed

    def runs(self) -> Iterator[int]:
        """The run indexes of this plan's shard, in order."""
        return iter(range(self.shard.index, self.n_runs, self.shard.count))

    def holds(self, run: int) -> bool:
        """True if run `run` belongs to this plan's shard."""
        return 0 <= run < self.n_runs and self.shard.holds(run)

    def shard_size(self) -> int:
        """How many runs this plan's shard holds."""
        return len(range(self.shard.index, self.n_runs, self.shard.count))

    def params(self, point: int) -> dict[str, float | int]:
        """The parameter values of point `point` ({} for an ensemble)."""
        return {} if self.design is None else self.design.point(point)

    def point_scenario(self, point: int) -> Scenario:
        """The scenario of point `point`: the base scenario with the point's values set."""
        if self.design is None:
            return self.scenario
        if point not in self._points:
            if len(self._points) > 64:
                self._points.clear()
            self._points[point] = with_values(self.scenario, self.params(point))
        return self._points[point]

    def task(self, run: int, out: str) -> Task:
        """The task of run `run`, writing into experiment directory `out`."""
        point, replicate = divmod(run, self.runs_per_point)
        return Task(
            run=run,
            point=point,
            replicate=replicate,
            root_seed=self.root_seed,
            scenario=self.point_scenario(point),
            params=self.params(point),
            out=out,
        )

    def check_points(self) -> None:
        """Validate the scenario of every point (InputError naming the first bad one)."""
        for p in range(self.n_points if self.design is not None else 0):
            with_values(self.scenario, self.params(p))

    def identity(self) -> dict[str, Any]:
        """What makes two commands the same experiment (the shard aside)."""
        return {
            "kind": self.kind,
            "scenario_hash": scenario_hash(self.scenario),
            "runs": self.n_runs,
            "runs_per_point": self.runs_per_point,
            "design": None if self.design is None else self.design.describe(),
        }

    def experiment_id(self) -> str:
        """SHA-256 of the identity's canonical JSON."""
        blob = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def with_values(scenario: Scenario, values: dict[str, Any], source: str = "--vary") -> Scenario:
    """`scenario` with the dotted keys of `values` set; InputError (from `source`) if invalid."""
    if not values:
        return scenario
    table = copy.deepcopy(scenario.model_dump(mode="python"))
    for key, value in values.items():
        apply_override(table, split_key(key), value, source)
    try:
        return validate(table, source)
    except InputError as err:
        if source != "--vary":
            raise
        shown = ", ".join(
            f"{k}={v if isinstance(v, str) else format(v, 'g')}" for k, v in values.items()
        )
        raise InputError(err.source, f"{err.message} at the point {shown}", err.key) from None
