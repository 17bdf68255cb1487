"""How the model's kernels are compiled: by Numba, once, cached on disk beside the sources.

`error_model="numpy"`: a division follows IEEE rules instead of Python's ZeroDivisionError check
(every division in the kernels is guarded, so no result changes; the check costs about a tenth
of the weekly step).

`parallel` kernels run their outer loop over blocks of cells with `numba.prange` (model/cells.py,
`blocks`): a cell's persons are visited in order by one thread, every random draw is a pure
function of its counters (model/streams.py), and what crosses cells is either an integer count
(exact in any order) or a per-block partial combined afterwards in block order. So a run's bytes
do not depend on the number of threads (`set_threads`).

Threads that wait at the end of a parallel loop sleep instead of spinning (OpenMP's passive wait
policy, unless OMP_WAIT_POLICY is set): on a machine whose cores are shared, a spinning thread
takes the core from the one that still works. Measured at 1:100 under a load of 8-12 on 2 cores:
two threads 1.4 s for 104 weeks passive, 75 s spinning, one thread 2.6 s (docs/performance.md).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # read when numba first starts its threads

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
