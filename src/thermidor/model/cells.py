"""Segment reductions over cells and persons: the aggregates several submodels read.

Persons of cell j are start[j]:start[j + 1], so each aggregate is one compiled pass. `p` is the
`Persons` tuple of arrays. `blocks` cuts the cells into the fixed blocks a parallel kernel hands
to its threads, `person_blocks` the persons into fixed ranges, and `persons` is how a kernel
loops over a range of persons.

A parallel kernel holds its `prange` loops and nothing else that numba would run in parallel: an
array expression or `np.zeros` in it becomes a parallel loop of its own, which wakes the threads
each time (`confidence.update` added its 64 blocks' partials with `+=` in a loop: 64 parallel
loops a call, and two threads were slower than one). `zeros` and `add_blocks` do that work as
plain compiled code.

A count is exact in any order, so a parallel kernel adds per-block counts. A sum of floating-point
values is not: its last bits depend on the order of the additions, and through the line or pi
they would change every later draw. `party_sum` and `apparatus_sum` therefore sum in person order,
on one thread.
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
def persons(a, b):
    """The persons a:b (a cell's, a block's), as unsigned indices. A signed index is checked at
    every access for a negative value (Python's x[-1] counts from the end) unless the compiler can
    prove it is not one, which it cannot for a range that starts at a cell's first person; the
    check kept the kernels' loops from being vectorised. Unsigned, the loops are: S5's kernel
    costs 2.6 times less (benchmarks/kernel_costs.py). The indices are the same numbers."""
    return range(np.uint64(a), np.uint64(b))


@compiled
def zeros(shape, dtype):
    """`np.zeros(shape, dtype)`, compiled apart (in a parallel kernel: a parallel loop)."""
    return np.zeros(shape, dtype)


@compiled
def add_blocks(part):
    """The per-block partials `part[blk]` added in block order: the same bits whatever the threads
    (plain compiled code: in a parallel kernel each `+=` would be a parallel loop)."""
    out = np.zeros(part.shape[1:], part.dtype)
    for blk in range(part.shape[0]):
        out += part[blk]
    return out


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
def person_blocks(n):
    """Boundaries of BLOCKS (at most) equal ranges of the persons 0..n-1, whatever the threads."""
    k = min(BLOCKS, max(n, 1))
    out = np.empty(k + 1, np.int64)
    for b in range(k + 1):
        out[b] = n * b // k
    return out


CHUNK = 512  # persons gathered at a time (`party_sum`, S10's purge weights and flows)


@compiled
def gather_members(p, a, b, functionaries, out) -> int:
    """Writes the members in the party among the persons a:b (the functionaries among them only
    if `functionaries`) to out[:k], in person order, and returns k; b - a <= out.size. Without a
    branch: a branch on each person's status is a coin toss once recruits are scattered through
    the cells (S10)."""
    k = 0
    for i in persons(a, b):
        out[k] = i
        k += in_party(p.status[i]) & (functionaries | (p.stratum[i] != FUNCTIONARY))
    return k


@compiled
def party_sum(p, values):
    """(n, sum of `values`) over the members in the party, in person order on one thread, by
    chunks of persons gathered with `gather_members`: at 1:10 after 160 weeks a branch on each
    person's status cost 2.3 ns a person, gathering costs 0.6."""
    n = 0
    s = 0.0
    gathered = np.empty(CHUNK, np.uint64)
    for a in range(0, p.status.size, CHUNK):
        k = gather_members(p, a, min(a + CHUNK, p.status.size), True, gathered)
        for t in range(k):
            s += values[gathered[t]]
        n += k
    return n, s


@compiled
def apparatus_sum(p, values, apparatus):
    """(n, sum of `values`) over the party apparatus, the functionaries in the party, in person
    order: over `apparatus` (State.apparatus, the functionaries' indices in person order), one
    person in 160 at 1:10, not over every person."""
    n = 0
    s = 0.0
    for i in apparatus:
        if in_party(p.status[i]):
            n += 1
            s += values[i]
    return n, s


@compiled
def apparatus_mean(p, values, apparatus) -> float:
    """Mean of `values` over the party apparatus: the functionaries in the party."""
    n, s = apparatus_sum(p, values, apparatus)
    return s / n if n > 0 else 0.0
