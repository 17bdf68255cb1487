"""How the model's kernels are compiled: by Numba, once, cached on disk beside the sources.

`error_model="numpy"`: a division follows IEEE rules instead of Python's ZeroDivisionError check
(every division in the kernels is guarded, so no result changes; the check costs about a tenth
of the weekly step).

`parallel` kernels run their outer loop over blocks of cells with `numba.prange` (model/cells.py,
`blocks`): a cell's persons are visited in order by one thread, every random draw is a pure
function of its counters (model/streams.py), and what crosses cells is either an integer count
(exact in any order) or a per-block partial combined afterwards in block order. So a run's bytes
do not depend on the number of threads (`set_threads`).

Threads that wait at the end of a parallel loop spin for a while, then sleep: GNU OpenMP's
GOMP_SPINCOUNT, set here to 10,000 unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set. A week calls
some fifteen parallel kernels with a little Python between them; a thread that slept at once
(OMP_WAIT_POLICY=passive) must be woken for each, and one that spins keeps its core from a thread
that still works whenever the machine has more threads to run than cores. So a small run, where
the waits are most of the week, takes one thread (`threads_for`). Measured with two threads, 52
weeks of `1928` (docs/performance.md, "Issue 11, sixth session"): alone on the machine, 1:100
0.08-0.09 s spinning against 0.13-0.14 passive, 1:10 0.64-0.70 against 0.71-0.72; two such
runs at once at 1:10, 1.28-1.35 s each spinning against 1.11-1.13 passive; two processes each
running `tiny` 80 times on two threads, 30 s spinning against 5 passive (on one thread, as
`threads_for` now runs them, 5.0 spinning). On a machine whose cores other work keeps busy,
OMP_WAIT_POLICY=passive is the better choice.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

if "OMP_WAIT_POLICY" not in os.environ:  # both are read when numba first starts its threads
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import numba as nb  # noqa: E402

compiled = nb.njit(cache=True, error_model="numpy")
parallel = nb.njit(cache=True, error_model="numpy", parallel=True)


def max_threads() -> int:
    """The most threads a kernel can use in this process (numba's NUMBA_NUM_THREADS, by default
    the machine's cores)."""
    return int(nb.config.NUMBA_NUM_THREADS)


PERSONS_A_THREAD = 50_000  # the fewest persons worth a thread of their own (`threads_for`)
_chosen: list[int | None] = [None]  # the count `set_threads` was given; None: by the run's size


def set_threads(n: int | None) -> int:
    """Let the kernels use exactly `n` threads (None: as many as each run is worth,
    `threads_for`); returns the most they may use. Numba keeps the count per calling thread."""
    k = max_threads() if n is None else int(n)
    if not 1 <= k <= max_threads():
        raise ValueError(f"threads must be between 1 and {max_threads()} (got {n})")
    _chosen[0] = None if n is None else k
    nb.set_num_threads(k)
    return k


def threads_for(persons: int) -> int:
    """The threads a run of `persons` persons uses: the count `set_threads` was given, or else
    one for each PERSONS_A_THREAD persons, at least one and at most `max_threads()`. A smaller
    share is not worth a thread: waking it and handing it its blocks costs more than its work
    saves, and a spinning thread (above) is most harmful where the waits are most of the week.
    Two threads against one, 52 weeks of `1928`, passive wait (docs/performance.md): 1:1000
    (4,797 persons) 0.08-0.09 s against 0.03, 1:100 (47,942) 0.13-0.16 against 0.11-0.12, 1:30
    (159,831) 0.27-0.32 against 0.33-0.35, 1:10 0.68-0.73 against 1.11-1.12."""
    if _chosen[0] is not None:
        return _chosen[0]
    return max(1, min(max_threads(), persons // PERSONS_A_THREAD))


@contextmanager
def run_threads(persons: int) -> Iterator[int]:
    """The kernels called inside use `threads_for(persons)` threads; the count is restored after."""
    before = nb.get_num_threads()
    n = threads_for(persons)
    nb.set_num_threads(n)
    try:
        yield n
    finally:
        nb.set_num_threads(before)
