"""Shared fixtures and builders for the model's tests.

Two ways to get a state to test a submodel on:

* `prepared_state(scenario, seed, weeks)`: the real initial state of a scenario (usually `tiny`),
  optionally advanced a few weeks with the full schedule, exactly as the engine does it;
* `build_state(sizes, ...)`: a hand-made state with cells of the given sizes and every person
  array set to a plain default (or to what the test passes), so that a test controls exactly the
  inputs of the submodel it checks.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from thermidor import cli
from thermidor.model.init import initial_state
from thermidor.model.schedule import week
from thermidor.model.state import (
    BEHAVIOUR,
    CENTRE,
    FACTORY,
    FUNCTIONARY,
    MEMBER,
    NO_ORG,
    WORKER,
    Cells,
    Macro,
    Organisations,
    Persons,
    State,
)
from thermidor.model.streams import stream_key
from thermidor.scenario import Scenario, load_scenario

# defaults of the person arrays in `build_state`: (dtype, value)
PERSON_DEFAULTS: dict[str, tuple[Any, Any]] = {
    "stratum": (np.int8, WORKER),
    "status": (np.int8, MEMBER),
    "org": (np.int8, NO_ORG),
    "x": (np.float64, 0.0),
    "y": (np.float64, 0.0),
    "c": (np.float64, 0.5),
    "c0": (np.float64, 0.5),
    "h0": (np.float64, 0.5),
    "h": (np.float64, 0.5),
    "r": (np.float64, 0.5),
    "d": (np.float64, 0.1),
    "u": (np.float64, 0.5),
    "tau": (np.float64, 0.5),
    "active": (np.bool_, False),
    "exile_left": (np.int16, 0),
    "heard": (np.int8, NO_ORG),
    "x0": (np.float64, 0.0),
    "cohort": (np.bool_, False),
    "anchor": (np.float64, 0.0),
    "lam": (np.float64, 1.0),  # no pull of the anchor unless a test sets one
}

CELL_DEFAULTS: dict[str, tuple[Any, Any]] = {
    "kind": (np.int8, FACTORY),
    "region": (np.int16, 0),
    "appointed": (np.bool_, False),
    "arrests": (np.int32, 0),
    "vote": (np.int8, CENTRE),
    "oppression": (np.float64, 0.0),
}

# a neutral strategy: every behaviour number 0 unless a test says otherwise
NEUTRAL = dict.fromkeys(BEHAVIOUR, 0.0)


def _column(values: Any, n: int, dtype: Any, default: Any) -> np.ndarray:
    if values is None:
        return np.full(n, default, dtype)
    return np.array(np.broadcast_to(np.asarray(values, dtype=dtype), (n,)), dtype=dtype)


def build_state(
    sizes: Sequence[int],
    *,
    orgs: Sequence[dict[str, float]] = (),
    credibility: Sequence[float] | None = None,
    seed: int = 0,
    cells: dict[str, Any] | None = None,
    macro: dict[str, Any] | None = None,
    **persons: Any,
) -> State:
    """A state with cells of `sizes` persons each, persons laid out contiguously by cell.

    Keyword arguments named like a `Persons` field set that array (a scalar is broadcast);
    `cells` and `macro` set fields of the cells and of the macro state; `orgs` gives one dict of
    behaviour numbers per organisation (missing numbers are 0, see `NEUTRAL`).
    """
    unknown = set(persons) - set(Persons._fields)
    if unknown:
        raise TypeError(f"unknown person fields {sorted(unknown)}")
    sizes_arr = np.asarray(sizes, np.int64)
    start = np.zeros(sizes_arr.size + 1, np.int64)
    np.cumsum(sizes_arr, out=start[1:])
    n = int(start[-1])
    cols = {
        k: _column(persons.get(k), n, dtype, default)
        for k, (dtype, default) in PERSON_DEFAULTS.items()
    }
    cols["cell"] = np.repeat(np.arange(sizes_arr.size, dtype=np.int32), sizes_arr)
    ps = Persons(**{k: cols[k] for k in Persons._fields})

    cells = dict(cells or {})
    n_cells = sizes_arr.size
    ccols = {
        k: _column(cells.pop(k, None), n_cells, dtype, default)
        for k, (dtype, default) in CELL_DEFAULTS.items()
    }
    given = cells.pop("secretary", None)
    secretary = start[:-1].copy() if given is None else _column(given, n_cells, np.int64, 0)
    if cells:
        raise TypeError(f"unknown cell fields {sorted(cells)}")
    cs = Cells(start=start, secretary=secretary, **ccols)

    m = Macro(**(macro or {}))
    n_orgs = len(orgs)
    behaviour = np.array(
        [[{**NEUTRAL, **o}[b] for b in BEHAVIOUR] for o in orgs], dtype=float
    ).reshape(n_orgs, len(BEHAVIOUR))
    organisations = Organisations(
        names=[f"org{i}" for i in range(n_orgs)],
        programme=np.full(n_orgs, 0.8),
        behaviour=behaviour,
        strategy=[f"strategy{i}" for i in range(n_orgs)],
        credibility=np.array(credibility if credibility is not None else [0.5] * n_orgs, float),
        works=np.ones(n_orgs),
        bloc_partner=np.full(n_orgs, NO_ORG, np.int8),
        bloc_distance=np.zeros(n_orgs),
        bloc_alive=np.zeros(n_orgs, np.bool_),
        bloc_split_week=np.full(n_orgs, -1, np.int32),
    )
    return State(
        persons=ps,
        cells=cs,
        macro=m,
        orgs=organisations,
        apparatus=np.flatnonzero(ps.stratum == FUNCTIONARY),
        rng=np.random.default_rng(np.random.SeedSequence(seed)),
        key=stream_key(seed),
    )


def prepared_state(sc: Scenario, seed: int = 1, weeks: int = 0) -> State:
    """The initial state of `sc`, advanced `weeks` weeks with the full schedule (as the engine)."""
    state = initial_state(sc, seed)
    advance(state, sc, weeks)
    return state


def advance(state: State, sc: Scenario, weeks: int) -> None:
    """Step `weeks` weeks exactly as `thermidor.engine.simulate` does."""
    for _ in range(weeks):
        state.macro.week += 1
        week(state, sc)


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    """The built-in `tiny` scenario (the 1928 scenario at 1:2000, two years)."""
    return load_scenario("tiny")


@dataclass
class Ran:
    """What a command did: its exit status and captured output."""

    code: int
    out: str
    err: str


def thermidor_cli(*args: str | Path, cwd: Path | None = None) -> Ran:
    """`thermidor ARGS` in-process through `cli.main`, with stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    argv, here = sys.argv, Path.cwd()
    sys.argv = ["thermidor", *map(str, args)]
    code: int | str | None = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main()
            except SystemExit as e:
                code = e.code
    finally:
        sys.argv = argv
        os.chdir(here)
    return Ran(
        code if isinstance(code, int) else (0 if code is None else 1),
        out.getvalue(),
        err.getvalue(),
    )


def same_table(a: pa.Table, b: pa.Table) -> bool:
    """`a.equals(b)`, but a NaN equals a NaN in the same place (Arrow's `equals` says a NaN
    differs from itself): the time series' week-0 row holds NaN where a quantity is not defined
    before the first week (`beta_star`, S12's)."""

    def same(x: pa.ChunkedArray, y: pa.ChunkedArray) -> bool:
        if x.equals(y):
            return True
        if not pa.types.is_floating(x.type) or not x.is_null().equals(y.is_null()):
            return False
        return np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=True)

    return a.schema.equals(b.schema) and all(
        same(x, y) for x, y in zip(a.columns, b.columns, strict=True)
    )
