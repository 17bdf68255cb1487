"""How the model's kernels are compiled: by Numba, once, cached on disk beside the sources.

`error_model="numpy"`: a division follows IEEE rules instead of Python's ZeroDivisionError check
(every division in the kernels is guarded, so no result changes; the check costs about a tenth
of the weekly step).
"""

import numba as nb

compiled = nb.njit(cache=True, error_model="numpy")
