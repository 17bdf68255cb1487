"""Why a person-week costs what it costs: the measurements behind docs/performance.md.

    .venv/bin/python benchmarks/kernel_costs.py                # one thread, medians of 21 calls

1. Each weekly step's CPU nanoseconds a person at 1:240 (the state, about 2 MB, fits in a
   core's cache) and at 1:10 (53 MB, it does not). If the kernels waited on memory, a person
   would cost more at 1:10; equal costs mean the kernels are bound by their own instructions.
2. A count over the persons of each cell (S5's first pass: the actives and the enforcers of a
   cell), its indices signed (`range`) and unsigned (`cells.persons`), against the same count
   over all persons in one loop. A signed index from a range that starts at a cell's first
   person is checked for a negative value at each access, and the loop is not vectorised; the
   kernels loop with `cells.persons`. Cells hold about 86 persons at 1:10.
3. A draw of `streams.uniform` (four SplitMix64 rounds) against one round, in a loop that draws
   for three persons in ten, as S10's attrition does: what cheaper random numbers could save.
4. What a second thread gives on this machine, whatever the model: 64 independent chains of
   multiplications (no memory, nothing shared), wall time at 1 and 2 threads alternating. On a
   machine whose cores are shared with other guests this is below 2x, and no kernel can do better.
5. The fixed cost of a call: a compiled function that takes the `Persons` tuple (21 arrays to
   unbox) against one that takes one array. A week makes some 25 such calls.
6. S6's exchange between cellmates (its cadres left out) with each listener's cellmate drawn in
   the loop, one person at a time, against the cell's cellmates drawn first by
   `influence.draw_cell`, in a loop with no branch that the compiler vectorises (as S6 does).
   Drawn in the loop, the draw, the index it gives and the load of the cellmate's stance form a
   chain the processor must wait for at every person. Both give the same stances.

CPU time of this thread (`time.thread_time`), so that other processes on a shared machine move
the figures less than they move wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numba as nb
import numpy as np

import thermidor
from thermidor.model import schedule
from thermidor.model.cells import in_party, persons, present
from thermidor.model.init import initial_state
from thermidor.model.jit import compiled, max_threads, parallel, set_threads
from thermidor.model.state import FUNCTIONARY
from thermidor.model.streams import _GOLDEN, _S11, _UNIT, LISTEN, _mix, uniform
from thermidor.model.submodels.influence import anchored, draw_cell, listen

STEPS = ("S4 expression", "S5 activation", "S6 influence", "S7 confidence", "S8 degeneration",
         "S9 repression", "S10 membership")  # fmt: skip


def cpu_ns(f: Callable, *args, calls: int = 21) -> float:
    """Median CPU nanoseconds of `f(*args)` over `calls` calls, after one not counted."""
    f(*args)
    times = []
    for _ in range(calls):
        t0 = time.thread_time_ns()
        f(*args)
        times.append(time.thread_time_ns() - t0)
    return statistics.median(times)


def week_state(scale: float, weeks: int = 20):
    sc = thermidor.load_scenario("1928", ["outcome.enabled=false"], scale=scale)
    state = initial_state(sc, 1)
    for _ in range(weeks):
        state.macro.week += 1
        schedule.week(state, sc)
    return sc, state


@compiled
def signed(a, b):
    """The indices a..b-1 signed, as the kernels looped before `cells.persons`."""
    return range(a, b)


@compiled
def count_by_cell(active, stratum, status, start, span):
    """S5's count by cell, over the indices `span` gives (`signed` or `cells.persons`)."""
    total = 0
    for j in range(start.size - 1):
        e = 0
        actives = 0
        for i in span(start[j], start[j + 1]):
            actives += active[i]
            e += (stratum[i] == FUNCTIONARY) & in_party(status[i])
        total += e + actives
    return total


@compiled
def count_flat(active, stratum, status):
    e = 0
    actives = 0
    for i in range(active.size):
        actives += active[i]
        e += (stratum[i] == FUNCTIONARY) & in_party(status[i])
    return e + actives


@compiled
def draws_four(key, x):
    hits = 0
    for i in range(x.size):
        if x[i] < 0.3:
            hits += uniform(key, 3, 10, i, 0) < 0.5
    return hits


@compiled
def draws_one(key, x):
    hits = 0
    for i in range(x.size):
        if x[i] < 0.3:
            hits += float(_mix(key + np.uint64(i) * _GOLDEN) >> _S11) * _UNIT < 0.5
    return hits


@parallel
def chains(n):
    out = np.empty(64)  # not np.zeros: in a parallel function that is a parallel loop too
    for b in nb.prange(64):
        z = np.uint64(b)
        for i in range(n):
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9) + np.uint64(i)
        out[b] = float(z >> np.uint64(11))
    return out


@compiled
def takes_persons(p):
    return p.x.size


@compiled
def takes_array(x):
    return x.size


@compiled
def hear_drawing_inline(key, week, p, start, mu):
    """S6's exchange between cellmates, each listener's cellmate drawn in the loop."""
    x, y, u, status = p.x, p.y, p.u, p.status
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        for i in persons(a, b):
            if present(status[i]) and b - a > 1:
                k = a + int(uniform(key, week, LISTEN, i, 0) * (b - a - 1))
                k += k >= i
                xi, ui = x[i], u[i]
                if present(status[k]):
                    xi, ui = listen(xi, ui, y[k], u[k], mu, False)
                x[i] = min(1.0, max(-1.0, anchored(xi, p.anchor[i], p.lam[i])))
                u[i] = ui


@compiled
def hear_drawn_first(key, week, p, start, mu, mates, reached):
    """The same, the cell's cellmates drawn first by `influence.draw_cell`."""
    x, y, u, status = p.x, p.y, p.u, p.status
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        draw_cell(key, week, a, b, False, mates, reached)
        first = np.uint64(a)
        for i in persons(a, b):
            if present(status[i]) and b - a > 1:
                k = mates[i - first]
                xi, ui = x[i], u[i]
                if present(status[k]):
                    xi, ui = listen(xi, ui, y[k], u[k], mu, False)
                x[i] = min(1.0, max(-1.0, anchored(xi, p.anchor[i], p.lam[i])))
                u[i] = ui


def wall_s(f: Callable, *args, calls: int = 5) -> float:
    """Median wall seconds of `f(*args)`."""
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=21, help="timed calls a figure (median; 21)")
    args = ap.parse_args(argv)
    set_threads(1)
    steps = {name: step for name, step, _ in schedule.SCHEDULE}
    print(f"load {os.getloadavg()[0]:.2f}; CPU ns a person, median of {args.calls} calls\n")
    print("1. each step, ns a person        1:240     1:10")
    states = {label: week_state(scale) for label, scale in (("1:240", 1 / 240), ("1:10", 0.1))}
    for name in STEPS:
        row = []
        for sc, state in states.values():
            row.append(cpu_ns(steps[name], state, sc, calls=args.calls) / state.n_persons)
        print(f"   {name:<28}{row[0]:8.1f} {row[1]:8.1f}")
    _, state = states["1:10"]
    p, n = state.persons, state.n_persons
    counted = (p.active, p.stratum, p.status, state.cells.start)
    by_cell = cpu_ns(count_by_cell, *counted, signed) / n
    unsigned = cpu_ns(count_by_cell, *counted, persons) / n
    flat = cpu_ns(count_flat, p.active, p.stratum, p.status) / n
    print(f"\n2. S5's count, ns a person: by cell {by_cell:.2f} (signed), {unsigned:.2f} "
          f"(unsigned), flat {flat:.2f} ({n / state.n_cells:.0f} persons a cell)")  # fmt: skip
    x = np.random.default_rng(1).random(n)
    key = np.uint64(state.key)
    four = cpu_ns(draws_four, key, x, calls=args.calls) / n
    one = cpu_ns(draws_one, key, x, calls=args.calls) / n
    print(f"\n3. draws for 3 persons in 10, ns a person: four rounds {four:.2f}, one {one:.2f}")
    if max_threads() >= 2:
        chains(10)
        one_t, two_t = [], []
        for _ in range(3):
            for threads, times in ((1, one_t), (2, two_t)):
                set_threads(threads)
                times.append(wall_s(chains, 2_000_000))
        set_threads(1)
        a, b = statistics.median(one_t), statistics.median(two_t)
        print(f"\n4. 64 independent chains, wall s: 1 thread {a:.3f}, 2 threads {b:.3f} "
              f"({a / b:.2f}x)")  # fmt: skip
    else:
        print("\n4. one core: no second thread to measure")
    calls = 20 * args.calls
    tup = wall_s(takes_persons, p, calls=calls) * 1e6
    arr = wall_s(takes_array, p.x, calls=calls) * 1e6
    print(f"\n5. a call, us: taking the Persons tuple {tup:.1f}, taking one array {arr:.1f}")
    sc, state = states["1:10"]
    week, key, mu = state.macro.week, np.uint64(state.key), sc.influence.mu
    widest = int(np.diff(state.cells.start).max())
    mates, reached = np.empty(widest, np.uint64), np.empty(widest)
    twin = p._replace(x=p.x.copy(), u=p.u.copy())
    hear_drawing_inline(key, week, p, state.cells.start, mu)
    hear_drawn_first(key, week, twin, state.cells.start, mu, mates, reached)
    same = np.array_equal(p.x, twin.x) and np.array_equal(p.u, twin.u)
    inline = cpu_ns(hear_drawing_inline, key, week, p, state.cells.start, mu) / n
    first = cpu_ns(hear_drawn_first, key, week, p, state.cells.start, mu, mates, reached) / n
    print(
        f"\n6. S6's exchange, ns a person: cellmates drawn in the loop {inline:.2f}, drawn first "
        f"{first:.2f} ({inline / first:.2f}x); same stances: {'yes' if same else 'NO'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
