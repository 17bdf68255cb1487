"""How many threads a kernel may use (model/jit.py): `set_threads` takes 1 to `max_threads()`
and nothing else, and None means all of them. Run in a fresh interpreter so that the number set
is not left behind in the test process (numba keeps it per calling thread)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = r"""
import numba
from thermidor.model.jit import max_threads, set_threads
top = max_threads()
assert top == numba.config.NUMBA_NUM_THREADS == 3, top
assert set_threads(1) == 1 and numba.get_num_threads() == 1
assert set_threads(3) == 3 and numba.get_num_threads() == 3
assert set_threads(2) == 2 and numba.get_num_threads() == 2
assert set_threads(None) == 3 and numba.get_num_threads() == 3
for bad in (0, -1, 4):
    try:
        set_threads(bad)
    except ValueError as e:
        assert str(e) == f"threads must be between 1 and 3 (got {bad})", e
    else:
        raise AssertionError(f"set_threads({bad}) accepted")
assert numba.get_num_threads() == 3
print("ok")
"""


def test_set_threads_takes_one_to_the_most_and_nothing_else() -> None:
    """NUMBA_NUM_THREADS=3 whatever the machine: 1, 2, 3 and None (all, 3) are set; 0, -1 and 4
    are refused with the range, and leave the number as it was."""
    env = {**os.environ, "NUMBA_NUM_THREADS": "3"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


WAIT = r"""
import os
import thermidor.model.jit
print(os.environ.get("GOMP_SPINCOUNT"), os.environ.get("OMP_WAIT_POLICY"))
"""


def test_waiting_threads_spin_a_while_unless_the_user_chose() -> None:
    """Nothing set: the kernels' threads spin 10,000 times before they sleep (GOMP_SPINCOUNT);
    a wait policy or a spin count the user set is left as it is."""
    bare = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    for extra, expected in (
        ({}, "10000 None"),
        ({"OMP_WAIT_POLICY": "passive"}, "None passive"),
        ({"GOMP_SPINCOUNT": "50"}, "50 None"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", WAIT], capture_output=True, text=True, env={**bare, **extra},
            timeout=120,
        )  # fmt: skip
        assert done.returncode == 0 and done.stdout.strip() == expected, (extra, done.stderr)


RUN = r"""
import numba
import thermidor.engine
from thermidor.engine import Model
from thermidor.scenario import load_scenario
from thermidor.model.jit import PERSONS_A_THREAD, set_threads, threads_for

assert threads_for(10) == 1 and threads_for(PERSONS_A_THREAD - 1) == 1
assert threads_for(2 * PERSONS_A_THREAD) == 2 and threads_for(10**7) == 3
inside = []
week = thermidor.engine.week
thermidor.engine.week = lambda state, sc: (inside.append(numba.get_num_threads()), week(state, sc))
for chosen, scale, expected in ((None, 0.0001, 1), (None, 0.05, 3), (2, 0.0001, 2)):
    set_threads(chosen)
    if chosen is None:
        assert numba.get_num_threads() == 3
    model = Model(load_scenario("1928", scale=scale), seed=1, weeks=2)
    persons = model.state.n_persons
    model.run_for(2)
    assert inside[-2:] == [expected] * 2, (chosen, persons, inside)
    assert numba.get_num_threads() == (chosen or 3)
print("ok")
"""


def test_a_small_run_uses_one_thread_unless_the_user_chose() -> None:
    """NUMBA_NUM_THREADS=3: by default a run takes one thread a PERSONS_A_THREAD persons, at least
    one and three at most (1928 at 1:10,000, 479 persons: one thread; at 1:20, about 240,000:
    three); a count given to `set_threads` is used whatever the run's size; the count is restored
    after each week."""
    env = {**os.environ, "NUMBA_NUM_THREADS": "3"}
    done = subprocess.run(
        [sys.executable, "-c", RUN], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
