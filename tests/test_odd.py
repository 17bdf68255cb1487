"""docs/ODD.md against the code.

The parameter table must hold one row per key path of the scenario schema (walked recursively
through nested models, dicts, lists and the discriminated union of events), with the schema's
default and range; every submodel of the schedule must have its own section, listed in schedule
order in the process overview; every output column must be documented.

Key-path notation (the same as at the top of the ODD's parameter table): `a.b` a nested key;
`<kind>`, `<stratum>`, `<name>` a key of a table of cell kinds, strata or free names; `a[].b`
the key `b` of every item of the array `a`; `timeline[<event kind>].b` the key `b` of the events
of that kind (`timeline[].b` for the keys every event has).
"""

from __future__ import annotations

import json
import re
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
import pytest
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

from thermidor.model import observe as observe_module
from thermidor.model.init import initial_state
from thermidor.model.observe import GROUPS, METRICS, Q1_CLASSES, slug
from thermidor.model.schedule import SCHEDULE
from thermidor.model.state import CAMPAIGNS, Macro
from thermidor.scenario.load import load_scenario
from thermidor.scenario.schema import CELL_KINDS, STRATA, Scenario

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
PLACEHOLDERS = {frozenset(CELL_KINDS): "<kind>", frozenset(STRATA): "<stratum>"}
REQUIRED = "required"

# --- the schema's key paths ---------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One key path of the schema: its field (default, bounds) and the values a choice allows."""

    path: str
    field: FieldInfo
    choices: frozenset = frozenset()


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _choices(tp: Any) -> frozenset:
    """The Literal values allowed by `tp`, also inside lists (list[Literal[...]])."""
    tp = _strip(tp)
    if get_origin(tp) is Literal:
        return frozenset(get_args(tp))
    if get_origin(tp) is list:
        return _choices(get_args(tp)[0])
    return frozenset()


def key_paths(model: type[BaseModel], prefix: str = "") -> dict[str, Key]:
    """Every key path of `model`, containers included, in declaration order."""
    keys: dict[str, Key] = {}
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        keys[path] = Key(path, field, _choices(field.annotation))
        keys.update(_inner(field.annotation, path))
    return keys


def _inner(tp: Any, path: str) -> dict[str, Key]:
    """The key paths below a field of type `tp` at `path`."""
    tp = _strip(tp)
    if _is_model(tp):
        return key_paths(tp, path + ".")
    origin = get_origin(tp)
    if origin is dict:
        key_tp, value_tp = get_args(tp)
        placeholder = PLACEHOLDERS.get(_choices(key_tp), "<name>")
        return _inner(value_tp, f"{path}.{placeholder}")
    if origin is list:
        item = get_args(tp)[0]
        if get_origin(_strip(item)) in (Union, types.UnionType):
            discriminator = next(
                (a.discriminator for a in get_args(item)[1:] if isinstance(a, FieldInfo)), None
            )
            return _union(get_args(_strip(item)), discriminator, path)
        return _inner(item, path + "[]")
    return {}


def _union(members: tuple, discriminator: str | None, path: str) -> dict[str, Key]:
    """Keys of a list of a union of models: `path[].k` for the keys all members have, else
    `path[<tag>].k` with the member's discriminator value (its class name if none)."""
    common = set.intersection(*(set(m.model_fields) for m in members))
    keys: dict[str, Key] = {}
    for m in members:
        tag = (
            next(iter(_choices(m.model_fields[discriminator].annotation)))
            if discriminator
            else m.__name__
        )
        for name, field in m.model_fields.items():
            p = f"{path}[].{name}" if name in common else f"{path}[{tag}].{name}"
            choices = _choices(field.annotation)
            if p in keys:
                choices |= keys[p].choices
                field = keys[p].field
            keys[p] = Key(p, field, choices)
            keys.update(_inner(field.annotation, p))
    return keys


# --- the ODD's parameter table ------------------------------------------------------------


def section(text: str, title: str, level: int = 2) -> str:
    """The body of the first heading of `level` whose title starts with `title` (an optional
    section number before it), up to the next heading of that level or higher."""
    hashes = "#" * level
    pattern = rf"^{hashes}\s+(?:[\d.]+\s+)?{re.escape(title)}.*?$(.*?)(?=^#{{1,{level}}}\s|\Z)"
    found = re.search(pattern, text, re.M | re.S)
    return found.group(1) if found else ""


def table_rows(body: str) -> list[list[str]]:
    """The rows of the markdown tables in `body` whose first cell is a `backticked` name;
    cells split on unescaped pipes, stripped, `\\|` unescaped."""
    rows = []
    for line in body.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells and re.fullmatch(r"`[^`]+`", cells[0]):
            rows.append([cells[0].strip("`"), *cells[1:]])
    return rows


def parameter_rows(text: str) -> list[list[str]]:
    return table_rows(section(text, "Parameter table"))


def _documented_default(cell: str) -> Any:
    cell = cell.strip()
    if cell == REQUIRED:
        return REQUIRED
    return json.loads(cell.strip("`"))


_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?|-?inf)"
_RANGE = re.compile(rf"^\s*([\[(])\s*{_NUMBER}\s*,\s*{_NUMBER}\s*([\])])")


def _bounds(field: FieldInfo) -> tuple[str, float, float, str] | None:
    lo, hi, left, right = None, None, "[", "]"
    for m in field.metadata:
        if isinstance(m, at.Ge):
            lo, left = m.ge, "["
        elif isinstance(m, at.Gt):
            lo, left = m.gt, "("
        elif isinstance(m, at.Le):
            hi, right = m.le, "]"
        elif isinstance(m, at.Lt):
            hi, right = m.lt, ")"
    if lo is None and hi is None:
        return None
    lo = float("-inf") if lo is None else lo
    hi = float("inf") if hi is None else hi
    return left, float(lo), float(hi), right


def _check_default(key: Key, cell: str) -> str | None:
    try:
        doc = _documented_default(cell)
    except json.JSONDecodeError:
        return f"{key.path}: default {cell!r} is neither `required` nor a JSON value"
    field = key.field
    if field.is_required():
        return None if doc == REQUIRED else f"{key.path}: required in the schema, ODD says {cell}"
    if doc == REQUIRED:
        return f"{key.path}: the schema has a default, ODD says required"
    default = field.get_default(call_default_factory=True)
    if isinstance(default, BaseModel):
        ok = doc == {} and default == type(default)()
    elif isinstance(default, bool) or isinstance(doc, bool):
        ok = type(doc) is type(default) and doc == default
    elif isinstance(default, int | float):
        ok = isinstance(doc, int | float) and float(doc) == float(default)
    else:
        ok = doc == default
    return None if ok else f"{key.path}: schema default {default!r}, ODD says {cell}"


def _check_range(key: Key, cell: str) -> str | None:
    bounds = _bounds(key.field)
    if bounds is not None:
        found = _RANGE.match(cell.replace("`", ""))
        doc = (found[1], float(found[2]), float(found[3]), found[4]) if found is not None else None
        if doc != bounds:
            left, lo, hi, right = bounds
            return f"{key.path}: schema range {left}{lo:g}, {hi:g}{right}, ODD says {cell!r}"
    missing = sorted(str(c) for c in key.choices if f'"{c}"' not in cell)
    if missing:
        return f"{key.path}: range must list {', '.join(missing)} (as quoted strings)"
    return None


def check_parameter_table(rows: list[list[str]], keys: dict[str, Key]) -> list[str]:
    """Everything wrong with the table `rows` against the schema's `keys`; [] when all is well."""
    problems = []
    seen: dict[str, list[str]] = {}
    for row in rows:
        if len(row) != 5:
            problems.append(f"{row[0]}: expected 5 columns (key, default, range, unit, source)")
            continue
        if row[0] in seen:
            problems.append(f"{row[0]}: more than one row")
        seen[row[0]] = row
    for path, key in keys.items():
        if path not in seen:
            problems.append(f"{path}: missing from the parameter table")
            continue
        _, default, range_, unit, source = seen[path]
        problems += [p for p in (_check_default(key, default), _check_range(key, range_)) if p]
        if not unit or not source:
            problems.append(f"{path}: unit and source must not be empty")
    problems += [f"{p}: not a key of the schema" for p in seen if p not in keys]
    return problems


# --- the sections of the submodels ---------------------------------------------------------


def missing_sections(text: str, names: list[str]) -> list[str]:
    """The names that have no `### <name>` heading in `text`."""
    return [n for n in names if not re.search(rf"^###\s+{re.escape(n)}\b", text, re.M)]


def out_of_order(text: str, names: list[str]) -> bool:
    """True unless every name occurs in `text`, first occurrences in the order of `names`."""
    found = [re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in names]
    if None in found:
        return True
    where = [m.start() for m in found]
    return where != sorted(where)


# --- outputs --------------------------------------------------------------------------------


def expand(name: str, values: dict[str, list[str]]) -> set[str]:
    """`<group>_<metric>` -> every combination of the placeholders' values."""
    found = re.search(r"<(\w+)>", name)
    if found is None:
        return {name}
    head, tail = name[: found.start()], name[found.end() :]
    return set().union(*(expand(head + v + tail, values) for v in values[found[1]]))


# --- the tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    return key_paths(Scenario)


def test_parameter_table_matches_the_schema(odd: str, keys: dict[str, Key]) -> None:
    problems = check_parameter_table(parameter_rows(odd), keys)
    assert not problems, "docs/ODD.md parameter table:\n" + "\n".join(problems)


def test_key_paths_reach_every_kind_of_container(keys: dict[str, Key]) -> None:
    for path in (
        "population.cells.<kind>.members",
        "population.strata.<stratum>.x_mean",
        "strategies.<name>.effort_party",
        "organisations[].cadres",
        "blocs[].delimitation",
        "degeneration.exposure.factory",
        "timeline[].date",
        "timeline[recruitment].rate",
        "timeline[grain_shock].delta",
        "activation.enabled",
        "seed",
    ):
        assert path in keys, path
    assert keys["timeline[].kind"].choices == {
        "line_shift", "campaign", "recruitment", "purge", "grain_shock", "regime", "strategy"
    }  # fmt: skip


class _Sub(BaseModel):
    a: float = Field(0.5, ge=0.0, le=1.0)


class _Red(BaseModel):
    kind: Literal["red"]
    date: str
    shade: int = Field(ge=0, le=3)


class _Blue(BaseModel):
    kind: Literal["blue"]
    date: str


class _Toy(BaseModel):
    by_kind: dict[Literal["factory", "rural", "institution", "army_school"], _Sub]
    by_name: dict[str, _Sub]
    items: list[_Sub] = []
    events: list[Annotated[_Red | _Blue, Field(discriminator="kind")]] = []
    sub: _Sub = _Sub()
    mode: Literal["x", "y"] = "x"


def test_walker_on_a_toy_schema() -> None:
    assert set(key_paths(_Toy)) == {
        "by_kind", "by_kind.<kind>.a", "by_name", "by_name.<name>.a", "items", "items[].a",
        "events", "events[].kind", "events[].date", "events[red].shade", "sub", "sub.a", "mode",
    }  # fmt: skip


def _toy_rows() -> list[list[str]]:
    return [
        ["by_kind", "required", "kinds", "-", "s"],
        ["by_kind.<kind>.a", "`0.5`", "[0, 1]", "-", "s"],
        ["by_name", "required", "names", "-", "s"],
        ["by_name.<name>.a", "`0.5`", "[0, 1]", "-", "s"],
        ["items", "`[]`", "list", "-", "s"],
        ["items[].a", "`0.5`", "[0, 1]", "-", "s"],
        ["events", "`[]`", "list", "-", "s"],
        ["events[].kind", "required", 'one of "red", "blue"', "-", "s"],
        ["events[].date", "required", "text", "-", "s"],
        ["events[red].shade", "required", "[0, 3]", "-", "s"],
        ["sub", "`{}`", "table", "-", "s"],
        ["sub.a", "`0.5`", "[0, 1]", "-", "s"],
        ["mode", '`"x"`', 'one of "x", "y"', "-", "s"],
    ]


def test_checker_accepts_a_complete_table() -> None:
    assert check_parameter_table(_toy_rows(), key_paths(_Toy)) == []


@pytest.mark.parametrize(
    ("index", "cell", "value", "expected"),
    [
        (5, None, None, "items[].a: missing"),
        (9, 1, "`1`", "events[red].shade: required in the schema"),
        (1, 1, "`0.25`", "by_kind.<kind>.a: schema default 0.5"),
        (1, 1, "required", "by_kind.<kind>.a: the schema has a default"),
        (12, 1, '"y"', "mode: schema default 'x'"),
        (4, 1, "`[1]`", "items: schema default []"),
        (3, 2, "[0, 2]", "by_name.<name>.a: schema range [0, 1]"),
        (3, 2, "(0, 1]", "by_name.<name>.a: schema range [0, 1]"),
        (7, 2, 'one of "red"', "events[].kind: range must list blue"),
        (0, 0, "by_kinds", "by_kinds: not a key of the schema"),
        (11, 4, "", "sub.a: unit and source must not be empty"),
    ],
)
def test_checker_catches(index: int, cell: int | None, value: str | None, expected: str) -> None:
    rows = _toy_rows()
    if cell is None:
        del rows[index]
    else:
        rows[index][cell] = value
    problems = check_parameter_table(rows, key_paths(_Toy))
    assert any(p.startswith(expected) for p in problems), problems


def test_checker_catches_a_duplicate_row() -> None:
    rows = _toy_rows()
    problems = check_parameter_table([*rows, rows[2]], key_paths(_Toy))
    assert problems == ["by_name: more than one row"]


def test_every_scheduled_submodel_has_its_own_section(odd: str) -> None:
    names = [name for name, _, _ in SCHEDULE] + ["S14 observe"]
    submodels = section(odd, "Submodels")
    assert submodels, "no '## 7 Submodels' section"
    assert missing_sections(submodels, names) == []


def test_process_overview_lists_the_schedule_in_order(odd: str) -> None:
    overview = section(odd, "Process overview")
    assert not out_of_order(overview, [name for name, _, _ in SCHEDULE])


def test_section_helpers_can_fail() -> None:
    text = "### S1 events\n### S3 leadership\n"
    assert missing_sections(text, ["S1 events", "S2 classes"]) == ["S2 classes"]
    assert out_of_order("S2 ... S1", ["S1", "S2"])
    assert out_of_order("S1 only", ["S1", "S2"])
    assert not out_of_order("S1 then S2", ["S1", "S2"])
    assert out_of_order("S1 then S2x", ["S1", "S2"])


def _values(sc: Scenario) -> dict[str, list[str]]:
    """What each placeholder of a documented output name stands for."""
    return {
        "campaign": list(CAMPAIGNS),
        "driver": list(Macro().drivers),
        "class": list(Q1_CLASSES),
        "group": list(GROUPS),
        "metric": list(METRICS),
        "org": [slug(o.name) for o in sc.organisations],
    }


def documented_outputs(odd: str, values: dict[str, list[str]]) -> dict[str, set[str]]:
    """Per output file, the names its table in the ODD's Outputs section documents, expanded."""
    outputs = section(odd, "Outputs")
    return {
        f: set().union(*(expand(row[0], values) for row in table_rows(section(outputs, f, 3))))
        for f in ("timeseries.parquet", "cells.parquet", "outcome.json")
    }


def test_every_output_column_is_documented(odd: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the names of the columns matter here: run the compiled kernels as plain Python, so the
    # test takes no compilation time whatever the state of numba's cache.
    for name, value in vars(observe_module).items():
        if hasattr(value, "py_func"):
            monkeypatch.setattr(observe_module, name, value.py_func)
    sc = load_scenario("tiny")
    state = initial_state(sc, 1)
    documented = documented_outputs(odd, _values(sc))
    for f, actual in (
        ("timeseries.parquet", set(observe_module.observe(state, sc))),
        ("cells.parquet", set(observe_module.cells_snapshot(state, sc))),
    ):
        doc = documented[f]
        assert doc == actual, f"{f}: undocumented {actual - doc}, documented, absent {doc - actual}"
    assert {"outcome", "week", "date", "weeks_run", "final", "seed"} <= documented["outcome.json"]


def test_expand_placeholders() -> None:
    values = {"g": ["a", "b"], "m": ["x"]}
    assert expand("<g>_<m>", values) == {"a_x", "b_x"}
    assert expand("plain", values) == {"plain"}


def test_traceability_table_names_documented_outputs(odd: str) -> None:
    values = _values(load_scenario("tiny"))
    documented = set().union(*documented_outputs(odd, values).values())
    rows = raw_rows(section(odd, "Traceability table"))
    assert len(rows) >= 14
    for row in rows:
        names = re.findall(r"`([^`]+)`", row[-1])
        assert names, f"traceability: no output named in {row}"
        for name in names:
            assert expand(name, values) <= documented, f"traceability: {name!r} is not an output"


def raw_rows(body: str) -> list[list[str]]:
    """The body rows of the first markdown table in `body`, whatever their first cell."""
    rows = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("|") and not re.fullmatch(r"[|\s:-]+", line):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows[1:]
