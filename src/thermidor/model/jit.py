"""How the model's kernels are compiled: by Numba, once, cached on disk beside the sources.

`error_model="numpy"`: a division follows IEEE rules instead of Python's ZeroDivisionError check
(every division in the kernels is guarded, so no result changes; the check costs about a tenth
of the weekly step).

`parallel` kernels run their outer loop over blocks of cells with `numba.prange` (model/cells.py,
`blocks`): a cell's persons are visited in order by one thread, every random draw is a pure
function of its counters (model/streams.py), and what crosses cells is either an integer count
(exact in any order) or a per-block partial combined afterwards in block order. So a run's bytes
do not depend on the number of threads (`set_threads`).
"""

from __future__ import annotations

import numba as nb

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
