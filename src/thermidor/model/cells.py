"""Segment reductions over cells and persons: the aggregates several submodels read.

Persons of cell j are start[j]:start[j + 1], so each aggregate is one compiled pass. `p` is the
`Persons` tuple of arrays.
"""

import numpy as np

from thermidor.model.jit import kernel
from thermidor.model.state import CAPITULATED, EXILED, FUNCTIONARY, MEMBER, WORKER


@kernel
def in_party(status: np.int8) -> bool:
    return status in (MEMBER, CAPITULATED)


@kernel
def present(status: np.int8) -> bool:
    """In the cell this week: everyone but the exiled."""
    return status != EXILED


@kernel
def kernel_left_share(p, cut: float) -> float:
    """Share of worker members who are active and say a stance on the Left (y > cut).

    The letter's proletarian kernel, "active and [with] a correct orientation" (Q3).
    """
    n = 0
    k = 0
    for i in range(p.status.size):
        if p.stratum[i] == WORKER and in_party(p.status[i]):
            n += 1
            if p.active[i] and p.y[i] > cut:
                k += 1
    return k / n if n > 0 else 0.0


@kernel
def apparatus_mean(p, values) -> float:
    """Mean of `values` over the party apparatus: the functionaries in the party."""
    n = 0
    s = 0.0
    for i in range(p.status.size):
        if p.stratum[i] == FUNCTIONARY and in_party(p.status[i]):
            n += 1
            s += values[i]
    return s / n if n > 0 else 0.0
