"""Both cores in one run: a run's bytes do not depend on the number of threads.

The kernels loop over fixed blocks of cells in parallel (`thermidor.model.cells.blocks`); draws
are counter-based (model/streams.py) and what crosses cells is an integer count or per-block
partials added in block order. Checked here end to end: the same scenario and seed, run with 1, 2
and 4 threads in one process (NUMBA_NUM_THREADS=4, whatever the machine's cores), written with
`write_run`, give files with the same SHA-256. The run is `1928` at 1:200 over four years: the
1929-30 purge (S10's weighted purge), the arrests, exiles and capitulations of S9, recruitment to
the organisations and the cell snapshots all happen in it, so a race in any of them would show.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import build_state
from thermidor.model.cells import (
    BLOCKS,
    CHUNK,
    apparatus_sum,
    blocks,
    party_sum,
    person_blocks,
    persons,
)
from thermidor.model.jit import compiled
from thermidor.model.state import CAPITULATED, EXPELLED, FUNCTIONARY, MEMBER, NONPARTY, WORKER
from thermidor.model.submodels import membership

SCRIPT = r"""
import hashlib, json, sys, tempfile
from pathlib import Path
import thermidor
from thermidor.model.jit import set_threads
from thermidor.runstore import write_run

sc = thermidor.load_scenario("1928", ["outcome.enabled=false"], scale=1 / 200)
out = {}
for threads in (1, 2, 4):
    set_threads(threads)
    result = thermidor.simulate(sc, seed=11, weeks=208)
    with tempfile.TemporaryDirectory() as tmp:
        write_run(result, Path(tmp) / "run")
        out[threads] = {
            f.name: hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted((Path(tmp) / "run").iterdir()) if f.is_file()
        }
    out[f"acts{threads}"] = [
        float(result.timeseries.column(c).to_numpy().sum())
        for c in ("purged", "arrests", "exiles_new", "capitulations", "org_joined")
    ]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def by_threads() -> dict:
    env = {**os.environ, "NUMBA_NUM_THREADS": "4"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=1200
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_same_bytes_on_1_2_and_4_threads(by_threads: dict) -> None:
    one = by_threads["1"]
    assert one, "the run wrote no files"
    assert by_threads["2"] == one
    assert by_threads["4"] == one


def test_the_run_exercises_every_parallel_reduction(by_threads: dict) -> None:
    """The acts summed over the run: none is zero, so the bytes compared above depend on the
    purge, the arrests, the exiles, the capitulations and the organisations' recruitment."""
    purged, arrests, exiles, capitulations, joined = by_threads["acts1"]
    assert min(purged, arrests, exiles, capitulations, joined) > 0
    assert by_threads["acts4"] == by_threads["acts1"]


@pytest.mark.parametrize("sizes", [[5], [3, 0, 4], [10] * 7, list(range(1, 300))])
def test_blocks_cover_every_cell_once_in_order(sizes: list[int]) -> None:
    start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    cb = blocks(start)
    m = len(sizes)
    assert cb[0] == 0 and cb[-1] == m
    assert np.all(np.diff(cb) >= 0)
    assert len(cb) - 1 == min(BLOCKS, m)
    if m >= BLOCKS:  # about equal persons: no block holds more than twice its share + a cell
        persons = np.diff(start[cb])
        assert persons.max() <= 2 * start[-1] / BLOCKS + max(sizes)


@pytest.mark.parametrize("threads", ["0", "4096"])
def test_run_refuses_a_thread_count_out_of_range(threads: str, tmp_path) -> None:
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "thermidor", "run", "tiny", "--threads", threads, "--quiet",
         "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--threads" in lines[0] and "between 1 and" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("n", [1, 5, 63, 64, 65, 1000])
def test_person_blocks_cover_every_person_once_in_order(n: int) -> None:
    pb = person_blocks(n)
    assert pb[0] == 0 and pb[-1] == n
    assert len(pb) - 1 == min(BLOCKS, n)
    sizes = np.diff(pb)
    assert sizes.min() >= 1 and sizes.max() - sizes.min() <= 1  # equal ranges, to one person


def test_party_sum_adds_in_person_order() -> None:
    """The sums that feed the model (the apparatus' stance in S3, its degeneration in S12 and
    S13, the members' d in S10) are added in person order, never per block, so that their bits
    do not depend on how the persons are cut. By hand: the members' values are 0.25, 0.25,
    1e16, -1e16, 3.0 in person order; 0.5 + 1e16 rounds to 1e16 (half the spacing of doubles
    there is 1), so the person-order sum is 3.0, where the exact sum is 3.5 and per-block
    partials (the first of `person_blocks` holds the two 0.25s) give 3.5 too. Non-members
    (100.0 each) do not count; the apparatus is the functionaries among members (`apparatus_sum`
    reads the functionaries' indices)."""
    status = np.full(130, NONPARTY, np.int8)
    status[:5] = [MEMBER, CAPITULATED, MEMBER, MEMBER, MEMBER]
    x = np.full(130, 100.0)
    x[:5] = [0.25, 0.25, 1e16, -1e16, 3.0]
    state = build_state([65, 65], x=x, status=status, stratum=FUNCTIONARY)
    assert person_blocks(130)[1] == 2  # the first block: the two 0.25s
    assert party_sum(state.persons, state.persons.x) == (5, 3.0)
    state.persons.stratum[[0, 4]] = WORKER  # apparatus: 0.25, 1e16, -1e16 (exact: 0.25)
    apparatus = np.flatnonzero(state.persons.stratum == FUNCTIONARY)  # as State.apparatus
    assert apparatus_sum(state.persons, state.persons.x, apparatus) == (3, 0.0)


def test_sequential_sums_gather_by_chunks_in_person_order() -> None:
    """`party_sum` and S10's `purge_weights` gather the persons they add by chunks of CHUNK (no
    branch on a status), then add in person order: the same bits as a plain loop over every
    person, across the chunks' edges (1,300 persons: three chunks, the last one short)."""
    rng = np.random.default_rng(5)
    n = 1300
    status = rng.choice(np.array([MEMBER, NONPARTY, CAPITULATED, EXPELLED], np.int8), n)
    stratum = rng.choice(np.array([WORKER, FUNCTIONARY], np.int8), n, p=[0.8, 0.2])
    d = rng.random(n) * 10.0 ** rng.integers(-8, 8, n)  # magnitudes that make order matter
    y = rng.uniform(-1.0, 1.0, n)
    state = build_state([n], status=status, stratum=stratum, d=d, y=y)
    in_party = (status == MEMBER) | (status == CAPITULATED)
    total = 0.0
    for i in np.flatnonzero(in_party):
        total += d[i]
    assert n > 2 * CHUNK and party_sum(state.persons, d) == (in_party.sum(), total)
    w = np.array([0.5, 1.0, 2.0])
    total = 0.0
    for i in np.flatnonzero(in_party & (stratum != FUNCTIONARY)):
        total += membership.purge_weight(state.persons, i, w, 0.1, 0.3)
    count = (in_party & (stratum != FUNCTIONARY)).sum()
    assert membership.purge_weights(state.persons, w, 0.1, 0.3) == (count, total)


@compiled
def _visit(a, b):
    """The indices `persons(a, b)` gives, and whether the first one less one is greater than it
    (it wraps round only if unsigned)."""
    out = np.empty(max(b - a, 0), np.int64)
    wraps = False
    for q, i in enumerate(persons(a, b)):
        out[q] = i
        if q == 0:
            wraps = i - np.uint64(1) > i
    return out, wraps


@pytest.mark.parametrize(("a", "b"), [(0, 5), (7, 8), (130, 216), (4, 4), (9, 3)])
def test_persons_gives_the_range_unsigned(a: int, b: int) -> None:
    """Every kernel loops over a cell's persons with `persons(a, b)`: the indices a..b-1 of
    `range(a, b)`, none for an empty or reversed range, and unsigned (so that no access checks
    for a negative index): the first index less one wraps round for a = 0."""
    out, wraps = _visit(a, b)
    assert out.tolist() == list(range(a, b))
    assert wraps == (a == 0 and b > 0)


def _parallel_kernels() -> dict[str, object]:
    """Every parallel kernel of the model (a numba dispatcher compiled with parallel=True)."""
    from thermidor.model import observe
    from thermidor.model.schedule import SCHEDULE

    modules = {step.__module__ for _, step, _ in SCHEDULE} | {observe.__name__}
    found = {}
    for name in sorted(modules):
        module = sys.modules[name]
        for attr, f in vars(module).items():
            opts = getattr(f, "targetoptions", None)
            if opts and opts.get("parallel") and getattr(f, "__module__", "") == name:
                found[f"{name}.{attr}"] = f
    return found


def test_parallel_kernels_run_only_their_pranges_in_parallel() -> None:
    """A parallel kernel runs its blocks in its `prange` loops and nothing else in parallel.
    Numba makes any array expression or `np.zeros` in a parallel function a parallel loop of its
    own, which wakes the threads every time: `confidence.update` once added its 64 blocks'
    partials with `+=` in a loop, 64 parallel loops a call, and two threads ran it slower than
    one. Each kernel is compiled afresh (numba's diagnostics are not kept in its cache) for the
    types a run of `tiny` gave it, and must hold as many parallel loops as its source has
    `prange`s (S9 has two: its census and its acts)."""
    import numba as nb

    import thermidor
    from thermidor.model import observe, schedule
    from thermidor.model.init import initial_state

    sc = thermidor.load_scenario("tiny")
    state = initial_state(sc, 1)
    for _ in range(30):
        state.macro.week += 1
        schedule.week(state, sc)
    observe.cells_snapshot(state, sc)
    ob = sc.observe  # `weekly` calls by_blocks from compiled code: call it here for its types
    cuts = (ob.degenerated_d, ob.healthy_d, ob.healthy_active)
    observe.by_blocks(state.persons, state.cells.start, state.cells.kind, len(state.orgs.names),
                      sc.leadership.stance_cut, ob.moved_left, cuts)  # fmt: skip
    kernels = _parallel_kernels()
    assert len(kernels) >= 13, sorted(kernels)
    loops = {}
    for name, f in kernels.items():
        assert f.signatures, f"{name} was not called by the run"
        fresh = nb.njit(error_model="numpy", parallel=True)(f.py_func)
        sig = f.signatures[0]
        fresh.compile(sig)
        loops[name] = len(fresh.get_metadata(sig)["parfor_diagnostics"].initial_parfors)
    pranges = {
        name: inspect.getsource(f.py_func).count("nb.prange(") for name, f in kernels.items()
    }
    assert min(pranges.values()) >= 1
    assert loops == pranges
