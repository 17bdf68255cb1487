"""A live model from the explorer's settings, and the numbers the live views draw."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from thermidor.engine import Model
from thermidor.experiments.plan import with_values
from thermidor.explore.settings import Settings
from thermidor.model.state import CAPITULATED, MEMBER
from thermidor.scenario.load import load_scenario
from thermidor.scenario.schema import Scenario


@lru_cache(maxsize=8)
def base(name: str, scale: float) -> Scenario:
    """The scenario at the explorer's scale (cached: loading validates the whole file)."""
    return load_scenario(name, scale=scale)


def scenario(settings: Settings) -> Scenario:
    """The scenario of `settings`, validated (InputError, one line, if a value is not allowed)."""
    return with_values(base(settings.scenario, settings.scale), settings.values, source="explore")


def build(settings: Settings) -> Model:
    """A model at week 0 from `settings` (scenario, scale, seed, changed values)."""
    return Model(scenario(settings), seed=settings.seed)


def nuclei(model: Model) -> pd.DataFrame:
    """Every cell now, with its members' mean hidden-versus-public gap |x - y|."""
    cells = model.cells()
    p, start = model.state.persons, model.state.cells.start
    member = np.isin(p.status, [MEMBER, CAPITULATED])  # in the party
    gap = np.abs(p.x - p.y) * member
    sums = np.add.reduceat(gap, start[:-1]) if p.x.size else np.zeros(len(cells))
    counts = np.add.reduceat(member.astype(np.int64), start[:-1]) if p.x.size else sums
    empty = np.diff(start) == 0
    sums[empty], counts[empty] = 0.0, 0
    cells["gap"] = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return cells
