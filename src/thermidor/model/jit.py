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
(OMP_WAIT_POLICY=passive) must be woken for each, which cost more than the kernels of a small
run; one that spins without end (OMP_WAIT_POLICY=active) takes the core from the thread that
still works on a machine whose cores are shared. Measured with two threads, 52 weeks
(docs/performance.md): quiet, 1:1000 0.03 s against 0.08-0.09 s passive, 1:100 0.08-0.09 s
against 0.14-0.15, 1:10 0.71-0.72 against 0.72-0.78; with ten busy processes on the two cores,
1:100 for 104 weeks 2.9-3.1 s against 1.6-2.7 passive (libgomp's default of 300,000 spins, in an
earlier session under a load of 8-12: 75 s against 1.4). On a machine others keep busy,
OMP_WAIT_POLICY=passive is the better choice.
"""

from __future__ import annotations

import os

if "OMP_WAIT_POLICY" not in os.environ:  # both are read when numba first starts its threads
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import numba as nb  # noqa: E402

compiled = nb.njit(cache=True, error_model="numpy")
parallel = nb.njit(cache=True, error_model="numpy", parallel=True)


def max_threads() -> int:
    """The most threads a kernel can use in this process (numba's NUMBA_NUM_THREADS, by default
    the machine's cores)."""
    return int(nb.config.NUMBA_NUM_THREADS)


def set_threads(n: int | None) -> int:
    """Let the kernels use `n` threads (None: all `max_threads()`); returns the number set.
    Numba keeps this per calling thread."""
    n = max_threads() if n is None else int(n)
    if not 1 <= n <= max_threads():
        raise ValueError(f"threads must be between 1 and {max_threads()} (got {n})")
    nb.set_num_threads(n)
    return n
