"""Segment reductions over cells: the aggregates the submodels share.

Persons of cell j are start[j]:start[j + 1], so each aggregate is one compiled pass.
"""

import numba as nb
import numpy as np

from thermidor.model.state import CAPITULATED, EXILED, FUNCTIONARY, MEMBER, WORKER


@nb.njit(cache=True)
def in_party(status: np.int8) -> bool:
    return status in (MEMBER, CAPITULATED)


@nb.njit(cache=True)
def present(status: np.int8) -> bool:
    """In the cell this week: everyone but the exiled."""
    return status != EXILED


@nb.njit(cache=True)
def kernel_left_share(status, stratum, active, y, line, cut) -> float:
    """Share of worker members who are active and publicly on the Left of the line.

    The letter's "proletarian kernel ... active and [with] a correct orientation" (Q3).
    """
    n = 0
    k = 0
    for i in range(status.size):
        if stratum[i] == WORKER and in_party(status[i]):
            n += 1
            if active[i] and y[i] > line + cut:
                k += 1
    return k / n if n > 0 else 0.0


@nb.njit(cache=True)
def apparatus_degeneration(status, stratum, d) -> float:
    """Mean degeneration of the party apparatus: the functionaries in the party."""
    n = 0
    s = 0.0
    for i in range(status.size):
        if stratum[i] == FUNCTIONARY and in_party(status[i]):
            n += 1
            s += d[i]
    return s / n if n > 0 else 0.0


@nb.njit(cache=True)
def enforcers(start, status, stratum) -> np.ndarray:
    """The apparatus' enforcers in each cell: its functionaries in the party."""
    m = start.size - 1
    out = np.zeros(m, np.int64)
    for j in range(m):
        for i in range(start[j], start[j + 1]):
            if stratum[i] == FUNCTIONARY and in_party(status[i]):
                out[j] += 1
    return out
