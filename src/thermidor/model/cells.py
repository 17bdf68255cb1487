"""Segment reductions over cells and persons: the aggregates several submodels read.

Persons of cell j are start[j]:start[j + 1], so each aggregate is one compiled pass. `p` is the
`Persons` tuple of arrays. `blocks` cuts the cells into the fixed blocks a parallel kernel hands
to its threads.
"""

import numpy as np

from thermidor.model.jit import compiled
from thermidor.model.state import CAPITULATED, EXILED, FUNCTIONARY, MEMBER

BLOCKS = 64  # blocks of cells a week's parallel pass is cut into, whatever the threads


@compiled
def in_party(status: np.int8) -> bool:
    return (status == MEMBER) | (status == CAPITULATED)  # no branch: statuses mix in a cell


@compiled
def present(status: np.int8) -> bool:
    """In the cell this week: everyone but the exiled."""
    return status != EXILED


@compiled
def blocks(start):
    """Boundaries (cell indices, BLOCKS + 1 of them at most) of contiguous blocks of cells with
    about equal numbers of persons. They depend on the cells only, never on the threads, so a
    per-block partial sum combined in block order gives the same bits on any number of threads."""
    m = start.size - 1
    nb = min(BLOCKS, max(m, 1))
    out = np.empty(nb + 1, np.int64)
    out[0] = 0
    total = start[m] - start[0]
    for b in range(1, nb):
        out[b] = max(out[b - 1], np.searchsorted(start, start[0] + total * b // nb))
        out[b] = min(out[b], m)
    out[nb] = m
    return out


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
