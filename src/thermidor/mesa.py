"""`WorkersState`: the fast engine as a `mesa.Model`, for Mesa's `batch_run` and SolaraViz.

    from mesa.batchrunner import batch_run
    from thermidor.mesa import WorkersState

    model = WorkersState("tiny", rng=1)          # the scenario (name or path), Mesa's rng: the seed
    model.step(); model.run_for(51)              # one week a step, as Mesa steps
    model.datacollector.get_model_vars_dataframe()[["date", "pi", "beta"]]

    rows = batch_run(WorkersState, {"base": "tiny", "influence.mu": [0.1, 0.3], "weeks": 52},
                     rng=[1, 2], max_steps=52, display_progress=False)

Each step runs one week of the engine (`thermidor.Model`, the same loop as `simulate`), so a
`WorkersState` with `rng=s` gives exactly the run `thermidor.simulate(scenario, seed=s)`. Any
other keyword is a scenario key path set on the scenario (`"influence.mu"`, `"scale"`,
`"organisations.1.strategy"`). The persons are arrays, not Mesa agents: `model.agents` is
empty; read them in `model.engine.state.persons`. The thermidor scenario is `base` (Mesa 3.5 keeps
the name `scenario` for its own `mesa.experimental.scenarios.Scenario`, which SolaraViz passes on
reset): `model.engine.scenario` is the scenario as run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
import pandas as pd

from thermidor.engine import Model
from thermidor.experiments.plan import with_values
from thermidor.scenario.load import load_scenario
from thermidor.scenario.schema import Scenario


def _reporter(key: str) -> Callable[[WorkersState], Any]:
    if key == "date":
        return lambda m: pd.Timestamp(m.engine.observation["date"])
    return lambda m: m.engine.observation[key]


def _seed(rng: Any) -> int | np.random.SeedSequence:
    """Mesa's `rng` as the engine's seed: an integer or SeedSequence as given, a Generator
    drawn from, None as fresh entropy (as Mesa does; give an integer to reproduce a run)."""
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return int(rng)
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    if rng is None:
        return np.random.SeedSequence()
    raise TypeError(f"rng must be an integer, a SeedSequence, a Generator or None, not {rng!r}")


class WorkersState(mesa.Model):
    """The workers' state of the 1928 letter, one week a step (see the module's docstring)."""

    def __init__(
        self,
        base: Scenario | str = "tiny",
        *,
        rng: Any = None,
        weeks: int | None = None,
        scenario: mesa.experimental.scenarios.Scenario | None = None,
        **parameters: Any,
    ) -> None:
        """`base`: the thermidor scenario (a built-in name, a TOML path or a `Scenario`);
        `rng`: the seed; `weeks`: the horizon; `parameters`: scenario key paths and values.
        `scenario` is Mesa's own (SolaraViz's reset passes one): accepted and not used, since
        the thermidor scenario holds every parameter."""
        del scenario
        seed = _seed(rng)
        super().__init__(rng=seed if isinstance(seed, int) else None)
        sc = base if isinstance(base, Scenario) else load_scenario(str(base))
        sc = with_values(sc, parameters, source="WorkersState")
        self.engine: Model = Model(sc, seed=seed, weeks=weeks)
        self.datacollector = mesa.DataCollector(
            model_reporters={k: _reporter(k) for k in self.engine.observation}
        )
        self.datacollector.collect(self)
        self.running = self.engine.running

    def __repr__(self) -> str:
        return f"<WorkersState {self.engine!r}>"

    @property
    def week(self) -> int:
        """Weeks run."""
        return self.engine.week

    @property
    def date(self) -> Any:
        """The calendar date of the state (a `datetime.date`)."""
        return self.engine.date

    def step(self) -> None:
        """One week of the engine, then the DataCollector's row; `running` turns false at an
        absorbing outcome or at the horizon."""
        if self.engine.step():
            self.datacollector.collect(self)
        self.running = self.engine.running


__all__ = ["WorkersState"]
