"""Scenario discovery's reading of a sweep, on hand-made tables (analysis/discover.py): the
targets (an outcome, a condition on a final value or on a value at year K), the conditions'
syntax, which runs lie in a box, a box in words. The sweep is a stand-in whose `query` runs the
module's own DuckDB SQL on tables written here, so each expected value is read off them.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

import thermidor.experiments.handle as handle
from thermidor.analysis import discover as dv
from thermidor.errors import InputError

OUTCOMES = pd.DataFrame(
    {
        "run": [0, 1, 2, 3],
        "outcome": ["reform", "Thermidor", "reform", "duality open"],
        "pi": [0.4, 0.5, 0.6, np.nan],
    }
)
# run 0: years 1 and 2 at weeks 52 and 104; run 1 ended in week 30; run 2 to week 104; run 3
# has no row at or before week 52 after week 0
TIMESERIES = pd.DataFrame(
    {
        "run": [0, 0, 0, 0, 1, 1, 2, 2, 2, 3, 3],
        "week": [0, 52, 53, 104, 0, 30, 0, 52, 104, 0, 60],
        "pi": [0.1, 0.6, 0.9, 0.2, 0.1, 0.7, 0.1, 0.2, 0.9, 0.3, 0.9],
    }
)


class _Sweep:
    """What `target` reads of a stored experiment: its outcomes and SQL over its tables."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.register("outcomes", OUTCOMES)
        self.con.register("timeseries", TIMESERIES)

    def outcomes(self, columns: list[str]) -> pd.DataFrame:
        return OUTCOMES[["run", *columns]]

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()


@pytest.fixture
def sweep(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(handle, "open_experiment", lambda path: _Sweep())
    return "a-sweep"


def _target(sweep: str, name: str) -> list[int]:
    t = dv.target(sweep, name)
    assert t.dtype == np.int8
    return t.sort_index().tolist()


def test_an_outcome_target_is_one_where_the_run_reached_it(sweep: str) -> None:
    assert _target(sweep, "reform") == [1, 0, 1, 0]
    assert _target(sweep, "thermidor") == [0, 1, 0, 0]
    assert _target(sweep, "duality") == [0, 0, 0, 1]
    assert _target(sweep, "consolidation") == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("op", "expected"),
    [(">", [0, 0, 1, 0]), (">=", [0, 1, 1, 0]), ("<", [1, 0, 0, 0]), ("<=", [1, 1, 0, 0]),
     ("==", [0, 1, 0, 0]), ("!=", [1, 0, 1, 1])],
)  # fmt: skip
def test_a_condition_on_the_final_value_by_each_operator(sweep: str, op: str, expected) -> None:
    """pi at the last week 0.4, 0.5, 0.6 and missing (NaN: only != holds) against 0.5."""
    assert _target(sweep, f"pi {op} 0.5") == expected


def test_a_condition_at_year_k_reads_the_last_row_by_its_week(sweep: str) -> None:
    """pi at year 1 (the last row at or before week 52): 0.6, 0.7 (run 1 ended in week 30: its
    last value), 0.2, 0.3 (week 0); at year 2: 0.2, 0.7, 0.9, 0.9."""
    assert _target(sweep, "pi_1y > 0.5") == [1, 1, 0, 0]
    assert _target(sweep, "pi_2y > 0.5") == [0, 1, 1, 1]
    assert _target(sweep, "pi_1y<=0.3") == [0, 0, 1, 1]
    with pytest.raises(InputError, match="unknown quantity") as e:
        dv.target(sweep, "nothing_2y > 1")
    assert "pi" in str(e.value)


def test_conditions_parse_or_say_what_is_wrong() -> None:
    assert dv.parse_condition(" pi_5y>=0.5 ") == ("pi_5y", ">=", 0.5)
    assert dv.parse_condition("beta != -1e-2") == ("beta", "!=", -0.01)
    for text in ("pi >> 2", "pi = 2", "5y > 1", "pi > ", "pi > x"):
        with pytest.raises(InputError, match="is not of the form NAME OP NUMBER"):
            dv.parse_condition(text)
    with pytest.raises(InputError, match="'1e' is not a number"):
        dv.parse_condition("pi > 1e")


def test_inside_a_box_bounds_included_levels_by_membership() -> None:
    x = pd.DataFrame(
        {"a": [0.1, 0.2, 0.3, 0.4], "s": pd.Categorical(["reform", "corpse", "reform", "x"])}
    )
    assert dv.inside_box(x, {}).tolist() == [True] * 4
    assert dv.inside_box(x, {"a": [0.2, 0.3]}).tolist() == [False, True, True, False]
    assert dv.inside_box(x, {"s": ["reform"]}).tolist() == [True, False, True, False]
    assert dv.inside_box(x, {"a": [0.1, 0.3], "s": ["corpse", "x"]}).tolist() == [
        False, True, False, False]  # fmt: skip


def test_a_box_in_words_and_as_data() -> None:
    d = dv.Discovery("reform", 10, 4, limits={"a": [0.25, 1 / 3], "s": ["corpse", "reform"]})
    assert dv.describe_box(d) == "0.25 <= a <= 0.3333; s in {corpse, reform}"
    assert dv.describe_box(dv.Discovery("reform", 10, 4, limits={})) == (
        "the whole design (no factor restricted)"
    )
    never, every = dv.Discovery("reform", 10, 0), dv.Discovery("duality", 10, 10)
    assert dv.describe_box(never) == never.note == "never happens in any of the 10 runs"
    assert every.note == "happens in every one of the 10 runs: the whole design is its box"
    # counted apart, as prim_box counts them (ints beyond the few Python keeps as one object)
    x = pd.DataFrame({"a": np.linspace(0, 1, 300)})
    whole = dv.prim_box(x, np.ones(300, np.int8), "duality")
    assert whole.limits is None
    assert whole.note == "happens in every one of the 300 runs: the whole design is its box"
    assert d.note == ""
    j = d.to_dict()
    assert (j["runs"], j["hits"], j["base_rate"]) == (10, 4, 0.4)
    assert j["box"] == d.limits and j["coverage"] is None and j["trajectory"] is None
    assert dv.Discovery("x", 0, 0).to_dict()["base_rate"] is None
    box = dv.Discovery("t", 10, 4, limits={}, coverage=0.75, density=0.6, mass=0.5).to_dict()
    assert (box["coverage"], box["density"], box["mass"]) == (0.75, 0.6, 0.5)
    assert (j["coverage"], j["density"], j["mass"]) == (None, None, None)


def test_discover_checks_its_inputs_then_boxes_each_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """min_coverage in (0, 1]; outcome names in any case; an unknown word or a malformed
    condition refused before the sweep is read; a run missing from a target counts as 0."""
    x = pd.DataFrame({"run": [3, 1, 2, 0], "a": [0.9, 0.1, 0.8, 0.2]})
    monkeypatch.setattr(dv, "factors", lambda path: (x.copy(), {}))
    seen = []

    def target(path, name):
        seen.append(name)
        return pd.Series([1, 1], index=[3, 2], dtype=np.int8)  # runs 0 and 1: missing

    monkeypatch.setattr(dv, "target", target)
    for bad in (0.0, -0.5, 1.01):
        with pytest.raises(InputError, match=r"must lie in \(0, 1\]"):
            dv.discover("p", ["reform"], min_coverage=bad)
    with pytest.raises(InputError, match="unknown outcome 'bogus'"):
        dv.discover("p", ["bogus"])
    with pytest.raises(InputError, match="is not of the form"):
        dv.discover("p", ["pi >> 2"])
    assert seen == []
    found = dv.discover("p", ["Reform", "pi > 0.5"], min_coverage=1.0)
    assert seen == ["reform", "pi > 0.5"]
    assert [(d.target, d.runs, d.hits) for d in found] == [("reform", 4, 2), ("pi > 0.5", 4, 2)]
    assert [d.target for d in dv.discover("p")] == [
        "reform",
        "thermidor",
        "consolidation",
        "duality",
    ]


class _Design:
    """What `factors` reads of a stored sweep: its design and its runs' factors."""

    def __init__(self, vary: list[dict]) -> None:
        self.manifest = {"design": {"vary": vary}} if vary else {"design": None}

    def runs(self, columns: list[str]) -> pd.DataFrame:
        table = pd.DataFrame(
            {"run": [2, 0, 1], "mu": [0.3, 0.1, 0.2], "strategy": ["corpse", "reform", "corpse"]}
        )
        return table[columns]


class _Committed:
    def __init__(self, runs: set[int]) -> None:
        self.runs = runs

    def committed(self) -> set[int]:
        return self.runs


def test_factors_one_row_a_run_in_run_order_levels_as_categories(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import thermidor.experiments.store as store

    vary = [{"key": "mu"}, {"key": "strategy", "levels": ["reform", "corpse", "manifesto"]}]
    monkeypatch.setattr(handle, "open_experiment", lambda path: _Design(vary))
    monkeypatch.setattr(store.Store, "of", staticmethod(lambda root: _Committed({0, 1, 2})))
    x, levels = dv.factors("a-sweep")
    assert levels == {"strategy": ["reform", "corpse", "manifesto"]}
    assert x.index.tolist() == [0, 1, 2] and x.run.tolist() == [0, 1, 2]
    assert x.mu.tolist() == [0.1, 0.2, 0.3]
    assert x.strategy.cat.categories.tolist() == ["reform", "corpse", "manifesto"]
    assert x.strategy.astype(str).tolist() == ["reform", "corpse", "corpse"]
    monkeypatch.setattr(store.Store, "of", staticmethod(lambda root: _Committed(set())))
    with pytest.raises(InputError, match="no run has finished yet"):
        dv.factors("a-sweep")
    monkeypatch.setattr(handle, "open_experiment", lambda path: _Design([]))
    with pytest.raises(InputError, match="has no varied factors"):
        dv.factors("a-sweep")


def test_a_factor_prim_does_not_restrict_is_not_in_the_box() -> None:
    """The target is a > 0.7 on a regular grid, each value of a once with each strategy: the
    strategy says nothing of the target (a level's runs hold it exactly as often as the
    other's), so the box restricts a alone, to its hits (density 1), and lists both levels'
    hits and runs inside it, equal."""
    a = np.repeat(np.linspace(0.0, 1.0, 101), 2)
    s = pd.Categorical(np.tile(["reform", "corpse"], 101), categories=["reform", "corpse"])
    x = pd.DataFrame({"a": a, "s": s})
    d = dv.prim_box(x, (a > 0.7).astype(np.int8), "t")
    assert d.limits is not None and list(d.limits) == ["a"]
    assert d.density == 1.0 and 0.6 < d.limits["a"][0] <= 0.71 and d.limits["a"][1] == 1.0
    hits, runs = d.by_level["s"]["reform"]
    assert d.by_level["s"]["corpse"] == [hits, runs] and hits == runs
