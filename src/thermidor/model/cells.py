"""Segment reductions over cells and persons: the aggregates several submodels read.

Persons of cell j are start[j]:start[j + 1], so each aggregate is one compiled pass. `p` is the
`Persons` tuple of arrays.
"""

import numpy as np

from thermidor.model.jit import compiled
from thermidor.model.state import CAPITULATED, EXILED, FUNCTIONARY, MEMBER


@compiled
def in_party(status: np.int8) -> bool:
    return (status == MEMBER) | (status == CAPITULATED)  # no branch: statuses mix in a cell


@compiled
def present(status: np.int8) -> bool:
    """In the cell this week: everyone but the exiled."""
    return status != EXILED


@compiled
def apparatus_mean(p, values) -> float:
    """Mean of `values` over the party apparatus: the functionaries in the party."""
    n = 0
    s = 0.0
    for i in range(p.status.size):
        if p.stratum[i] == FUNCTIONARY and in_party(p.status[i]):
            n += 1
            s += values[i]
    return s / n if n > 0 else 0.0
