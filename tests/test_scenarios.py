"""Scenarios: the built-ins, `extends`, `--set` overrides, the resolved TOML and the history rows.

Scenarios are data, not code (docs/design.md), and take their historical input from the figures
shipped in thermidor/data: every built-in loads and validates, a user file can extend a built-in
or another file, overrides are validated like files, a run's resolved scenario loads back to the
same scenario, and the 1928 figures equal the rows of `history_1923_1935.csv` they cite.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import thermidor
import thermidor.data
from thermidor.engine import Result
from thermidor.errors import InputError
from thermidor.runstore import FILES, write_run
from thermidor.scenario.load import parse_overrides, resolved_toml, scenario_hash
from thermidor.scenario.schema import Scenario, StrategyChange

DOCUMENTED = {
    "1928",
    "1928-history",
    "1928-all-reform",
    "1928-all-corpse",
    "1928-manifesto",
    "1928-no-opposition",
}


def load(ref: str | Path = "1928", overrides: list[str] | None = None, **keys: Any) -> Scenario:
    return thermidor.load_scenario(ref, overrides, **keys)


def dump(sc: Scenario) -> dict[str, Any]:
    return sc.model_dump(mode="json")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def h(sc: Scenario) -> str:
    return scenario_hash(sc)


# --- the built-in scenarios -------------------------------------------------------------------


def test_builtin_names_are_the_documented_ones() -> None:
    names = thermidor.builtin_names()
    assert names == sorted(names)
    assert DOCUMENTED | {"tiny"} <= set(names)


@pytest.mark.parametrize("name", thermidor.builtin_names())
def test_builtin_loads_and_validates(name: str) -> None:
    sc = load(name)
    assert isinstance(sc, Scenario)
    assert sc.name == name
    assert sc.description, "a built-in scenario describes itself (thermidor scenarios)"
    # the loaded scenario is a fixed point of validation, and loading is deterministic
    assert Scenario.model_validate(sc.model_dump()) == sc
    assert h(load(name)) == h(sc)
    # every organisation's strategy is defined and every strategy event names real ones
    orgs = {o.name for o in sc.organisations}
    assert all(o.strategy in sc.strategies for o in sc.organisations)
    for e in sc.timeline:
        if isinstance(e, StrategyChange):
            assert e.organisation in orgs and e.strategy in sc.strategies


def test_builtin_hashes_differ() -> None:
    hashes = {name: h(load(name)) for name in thermidor.builtin_names()}
    assert len(set(hashes.values())) == len(hashes)


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("1928-all-reform", lambda orgs: {o.strategy for o in orgs} == {"reform"}),
        ("1928-all-corpse", lambda orgs: {o.strategy for o in orgs} == {"corpse"}),
        ("1928-manifesto", lambda orgs: "manifesto" in {o.strategy for o in orgs}),
        ("1928-no-opposition", lambda orgs: not any(o.active for o in orgs)),
    ],
)
def test_variants_of_1928_change_only_the_organisations(name: str, check: Any) -> None:
    base, variant = dump(load("1928")), dump(load(name))
    differing = {k for k in base.keys() | variant.keys() if base.get(k) != variant.get(k)}
    assert differing <= {"name", "description", "organisations"}
    sc = load(name)
    assert sc.organisations and check(sc.organisations)
    # the same groups, with the same cadres, as in 1928: only what they do changes
    assert [(o.name, o.cadres) for o in sc.organisations] == [
        (o.name, o.cadres) for o in load("1928").organisations
    ]


def test_tiny_is_1928_smaller_and_shorter() -> None:
    base, tiny = load("1928"), load("tiny")
    assert tiny.scale < base.scale and tiny.weeks < base.weeks
    assert tiny.population == base.population and tiny.timeline == base.timeline


# --- extends ------------------------------------------------------------------------------


def test_extends_builtin_overrides_one_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / "harsh.toml",
        'extends = "1928"\nname = "1928-harsh"\n\n[leadership]\nregime0 = 0.6\n',
    )
    sc, base = load(path), load("1928")
    assert sc.name == "1928-harsh"
    assert sc.leadership.regime0 == 0.6 != base.leadership.regime0
    # tables merge key by key: the rest of [leadership] and everything else is the base's
    assert sc.leadership.model_copy(update={"regime0": base.leadership.regime0}) == base.leadership
    got, want = dump(sc), dump(base)
    for d in (got, want):
        del d["name"], d["leadership"]
    assert got == want
    assert load(str(path)) == sc  # a str path works as well as a Path


def test_extends_chain_of_two_files_relative_to_each_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # child (in a/) -> ../b/base.toml -> grand.toml (in b/, not in a/ nor in the cwd) -> tiny
    write(tmp_path / "b" / "grand.toml", 'extends = "tiny"\nname = "grand"\nweeks = 30\nseed = 7\n')
    write(tmp_path / "grand.toml", 'extends = "tiny"\nname = "decoy"\nweeks = 99\n')
    write(
        tmp_path / "b" / "base.toml",
        'extends = "grand.toml"\nname = "base"\nweeks = 40\n\n[influence]\nmu = 0.2\n',
    )
    child = write(
        tmp_path / "a" / "child.toml",
        'extends = "../b/base.toml"\nname = "child"\n\n[influence]\ncadre_u = 0.3\n',
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    sc = load(child)
    assert sc.name == "child"
    assert sc.weeks == 40  # base overrides grand
    assert sc.seed == 7  # from grand, untouched by the others
    assert (sc.influence.mu, sc.influence.cadre_u) == (0.2, 0.3)  # nested tables merge
    assert sc.scale == load("tiny").scale  # from the built-in at the root
    # the same file reached through a relative path from another cwd
    monkeypatch.chdir(tmp_path)
    assert load(Path("a") / "child.toml") == sc


def test_extends_arrays_replace_the_base(tmp_path: Path) -> None:
    path = write(
        tmp_path / "one.toml",
        'extends = "tiny"\nname = "one"\nreplace = ["organisations"]\n\n[[organisations]]\n'
        'name = "Left Opposition"\ncadres = 100\nstrategy = "reform"\nprogramme = 0.8\n'
        "exiled_share = 0.0\n",
    )
    sc = load(path)
    assert [o.name for o in sc.organisations] == ["Left Opposition"]
    assert sc.organisations[0].cadres == 100
    assert sc.timeline == load("tiny").timeline  # arrays not given are kept


def test_extends_user_file_named_like_a_builtin(tmp_path: Path) -> None:
    write(tmp_path / "parent.toml", 'extends = "tiny"\nname = "parent"\nweeks = 11\n')
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "child"\n')
    assert load(child).weeks == 11


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    a = write(tmp_path / "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\nname = "b"\n')
    with pytest.raises(InputError) as info:
        load(a)
    assert info.value.key == "extends"
    assert "a.toml" in str(info.value) and "cycle" in str(info.value)


def test_extends_itself_is_refused(tmp_path: Path) -> None:
    a = write(tmp_path / "a.toml", 'extends = "a.toml"\nname = "a"\n')
    with pytest.raises(InputError) as info:
        load(a)
    assert info.value.key == "extends"


def test_extends_cycle_through_unnormalised_paths_is_refused(tmp_path: Path) -> None:
    # a -> ../d/c.toml -> a.toml: the same two files, reached by ever longer paths
    a = write(tmp_path / "d" / "a.toml", 'extends = "../d/c.toml"\nname = "a"\n')
    write(tmp_path / "d" / "c.toml", 'extends = "a.toml"\nname = "c"\n')
    with pytest.raises(InputError) as info:
        load(a)
    assert info.value.key == "extends"


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('extends = 3\nname = "x"\n', "extends", ["string"]),
        ('extends = "gone.toml"\nname = "x"\n', "", ["gone.toml", "1928", "tiny"]),
        ('extends = "no-such-builtin"\nname = "x"\n', "", ["no-such-builtin", "1928"]),
    ],
)
def test_extends_bad_parent(tmp_path: Path, text: str, key: str, words: list[str]) -> None:
    path = write(tmp_path / "x.toml", text)
    with pytest.raises(InputError) as info:
        load(path)
    assert info.value.key == key
    for w in words:
        assert w in str(info.value)


# --- --set overrides ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "path", "value", "kind"),
    [
        ("weeks=52", ["weeks"], 52, int),
        ("influence.mu=0.2", ["influence", "mu"], 0.2, float),
        ("classes.enabled=false", ["classes", "enabled"], False, bool),
        ("activation.rounding=floor", ["activation", "rounding"], "floor", str),
        ('activation.rounding="round"', ["activation", "rounding"], "round", str),
        ("name = two words", ["name"], "two words", str),
        ("start=1929-01-01", ["start"], dt.date(1929, 1, 1), dt.date),
        ("organisations.1.strategy=reform", ["organisations", "1", "strategy"], "reform", str),
    ],
)
def test_parse_overrides_reads_toml_values(
    item: str, path: list[str], value: Any, kind: type
) -> None:
    [(got_path, got)] = parse_overrides([item])
    assert got_path == path
    assert got == value and type(got) is kind


@pytest.mark.parametrize(
    ("item", "attr", "value"),
    [
        ("weeks=52", ("weeks",), 52),
        ("scale=0.001", ("scale",), 0.001),
        ("influence.mu=0.2", ("influence", "mu"), 0.2),
        ("classes.enabled=false", ("classes", "enabled"), False),
        ("activation.rounding=floor", ("activation", "rounding"), "floor"),
        ('name="my run"', ("name",), "my run"),
        ("start=1929-01-01", ("start",), dt.date(1929, 1, 1)),
        (
            "population.cells.factory.mean_size=20",
            ("population", "cells", "factory", "mean_size"),
            20.0,
        ),
    ],
)
def test_set_overrides_apply(item: str, attr: tuple[str, ...], value: Any) -> None:
    sc, base = load("tiny", [item]), load("tiny")
    node: Any = sc
    for a in attr:
        node = node[a] if isinstance(node, dict) else getattr(node, a)
    assert node == value
    assert h(sc) != h(base)


def test_set_list_index() -> None:
    base = load("tiny")
    assert base.organisations[1].strategy != "reform"
    sc = load("tiny", ["organisations.1.strategy=reform"])
    assert sc.organisations[1].strategy == "reform"
    assert sc.organisations[0] == base.organisations[0]
    assert (
        sc.organisations[1].model_copy(update={"strategy": base.organisations[1].strategy})
        == (base.organisations[1])
    )


def test_set_several_in_order_and_keys() -> None:
    sc = load("tiny", ["weeks=10", "weeks=12", "influence.mu=0.3"], seed=5)
    assert (sc.weeks, sc.influence.mu, sc.seed) == (12, 0.3, 5)
    assert load("tiny", ["seed=3"], seed=5).seed == 5  # keyword keys come last


def test_set_does_not_leak_into_later_loads() -> None:
    before = h(load("tiny"))
    load("tiny", ["influence.mu=0.3", "organisations.0.cadres=1"])
    assert h(load("tiny")) == before


def test_set_is_validated_like_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "p.toml", 'extends = "tiny"\n\n[leadership]\nregime0 = 1.5\n')
    with pytest.raises(InputError) as from_file:
        load(path)
    with pytest.raises(InputError) as from_set:
        load("tiny", ["leadership.regime0=1.5"])
    assert from_file.value.key == from_set.value.key == "leadership.regime0"
    assert from_file.value.message == from_set.value.message
    assert "1.5" in from_set.value.message


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ("influence.mu=0.9", "influence.mu"),  # out of range (mu <= 0.5)
        ("weeks=0", "weeks"),
        ("weeks=52.5", "weeks"),  # a float where an integer is needed
        ("activation.rounding=ceil", "activation.rounding"),  # not one of the allowed words
        ("classes.enabled=maybe", "classes.enabled"),
        ("influence.muu=0.2", "influence.muu"),  # unknown nested key
        ("nosuchkey=1", "nosuchkey"),  # unknown top-level key
        ("organisations.0.exiled_share=1.5", "organisations.0.exiled_share"),
    ],
)
def test_bad_set_values_name_the_key(item: str, key: str) -> None:
    with pytest.raises(InputError) as info:
        load("tiny", [item])
    assert info.value.key == key


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ("weeks", ""),  # no '='
        ("=3", ""),  # no key
        ("influence..mu=3", ""),  # an empty part
        ("organisations.5.strategy=reform", "organisations.5"),
        ("organisations.x.strategy=reform", "organisations.x"),
        ("organisations.2=3", "organisations.2"),
        ("weeks.x=3", "weeks"),  # weeks is not a table
    ],
)
def test_malformed_set_is_refused(item: str, key: str) -> None:
    with pytest.raises(InputError) as info:
        load("tiny", [item])
    assert info.value.source == "--set"
    assert info.value.key == key


def test_unknown_strategy_in_set_names_the_allowed_ones() -> None:
    with pytest.raises(InputError) as info:
        load("tiny", ["organisations.1.strategy=nope"])
    message = str(info.value)
    assert "nope" in message
    for name in load("tiny").strategies:
        assert name in message


# --- the resolved scenario ----------------------------------------------------------------


def _write_resolved(sc: Scenario, out: Path) -> Path:
    """Write a run of `sc` with runstore (empty tables: only the scenario matters here)."""
    table = pa.table({"week": pa.array([0], pa.int32())})
    result = Result(sc, sc.seed, table, table, {"scenario_hash": h(sc)})
    write_run(result, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    return out / "scenario.resolved.toml"


@pytest.mark.parametrize("name", thermidor.builtin_names())
def test_resolved_toml_round_trips(name: str, tmp_path: Path) -> None:
    sc = load(name)
    path = _write_resolved(sc, tmp_path / "run")
    again = load(path)
    assert h(again) == h(sc)
    assert again == sc
    assert "extends" not in path.read_text()  # fully resolved: stands alone


def test_resolved_toml_round_trips_with_overrides(tmp_path: Path) -> None:
    sc = load(
        "tiny",
        [
            "organisations.1.strategy=reform",
            "influence.mu=0.123456789",
            'timeline.0.note="a note with \\"quotes\\" and unicode: Троцкий"',
            "activation.rounding=floor",
            "classes.enabled=false",
        ],
        seed=2**63 - 1,
        weeks=3,
        scale=1 / 3000,
    )
    path = _write_resolved(sc, tmp_path / "run")
    again = load(path)
    assert h(again) == h(sc)
    assert again.timeline[0].note == 'a note with "quotes" and unicode: Троцкий'
    assert resolved_toml(again) == resolved_toml(sc)


def test_scenario_hash_tracks_every_change() -> None:
    base = h(load("tiny"))
    for item in ("seed=2", "influence.mu=0.11", "timeline.0.note=x", "description=y"):
        assert h(load("tiny", [item])) != base, item


# --- the history rows the 1928 scenario cites -----------------------------------------------


@pytest.fixture(scope="module")
def history() -> dict[str, dict[str, str]]:
    """The rows shipped with the package (thermidor/data), read with the csv module itself."""
    with thermidor.data.path(thermidor.data.HISTORY).open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def _num(history: dict[str, dict[str, str]], row: str) -> float:
    return float(history[row]["value"].lstrip("~<=>").replace(",", ""))


def test_1928_cites_only_existing_rows(history: dict[str, dict[str, str]]) -> None:
    text = (Path(thermidor.__file__).parent / "scenario" / "builtin" / "1928.toml").read_text()
    cited = set(re.findall(r"\b(?:[MPCASKOE]\d{2}|R\d{4})\b", text))
    assert {"M13", "C26", "C27", "C28", "C29", "C30", "A12"} <= cited
    assert not cited - history.keys(), f"rows cited but absent: {sorted(cited - history.keys())}"


def test_1928_figures_equal_the_history_rows(history: dict[str, dict[str, str]]) -> None:
    sc = load("1928")
    cells = sc.population.cells
    n = {row: _num(history, row) for row in ("M13", "C26", "C27", "C28", "C29", "C30", "A12")}
    assert cells["factory"].members == n["C26"]
    assert cells["rural"].members == n["C27"] + n["C28"]
    assert cells["institution"].members == n["C29"] - n["A12"]
    assert cells["army_school"].members == n["C30"]
    assert sc.population.functionaries == n["A12"]
    members = sum(spec.members for spec in cells.values())
    assert members + sc.population.functionaries == n["M13"]
    assert sc.start == dt.date(1928, 10, 1)


def test_1928_ratios_follow_the_history_rows(history: dict[str, dict[str, str]]) -> None:
    sc = load("1928")
    cells = sc.population.cells
    # A10, A11: workers / party members in two large factories
    ratios = []
    for row in ("A10", "A11"):
        workers, members, _ = (float(v) for v in history[row]["value"].split("/"))
        ratios.append(workers / members)
    assert min(ratios) <= cells["factory"].nonparty_per_member <= max(ratios)
    # (C27 + C28) / A02: members per rural cell
    per_cell = (_num(history, "C27") + _num(history, "C28")) / _num(history, "A02")
    assert cells["rural"].mean_size == pytest.approx(per_cell, rel=0.01)
    # O03: the Platform's signatures, a range; the Left Opposition's cadres lie in it
    low, high = (float(v) for v in history["O03"]["value"].split("-"))
    lo = next(o for o in sc.organisations if o.name == "Left Opposition")
    assert low <= lo.cadres <= high
    # K13 / K12: procurement against the year before; S16: the kulaks' share of commercial grain
    assert sc.classes.grain0 == pytest.approx(_num(history, "K13") / _num(history, "K12"), abs=0.01)
    kulak_share = float(history["S16"]["value"].split("/")[2]) / 100
    k0 = sc.classes.K0
    assert k0 == pytest.approx(kulak_share)


# --- 1929-30 as output (issue 8, D) -------------------------------------------------------------


def test_1928_feeds_no_political_decision() -> None:
    """`1928` feeds exogenous conditions and the state on its start date only: no line shift,
    regime shift or purge, no campaign but the one running on the start date; S3 answers its
    pressures and S10 decides purges."""
    sc = load("1928")
    for e in sc.timeline:
        assert e.kind not in ("line_shift", "regime", "purge"), e
        if e.kind == "campaign":
            assert e.date == sc.start and e.campaign == "self_criticism", e
    assert sc.leadership.respond and sc.membership.decides_purge


def test_1928_history_replays_the_recorded_decisions() -> None:
    """`1928-history` is `1928` with the recorded decisions typed in and the Centre's own
    decisions switched off; the strategy variants keep extending `1928`."""
    base, hist = load("1928"), load("1928-history")
    kinds = {e.kind for e in hist.timeline}
    assert {"line_shift", "campaign", "regime", "purge"} <= kinds
    assert not hist.leadership.respond and not hist.membership.decides_purge
    assert hist.population == base.population and hist.organisations == base.organisations
    for name in ("1928-all-reform", "1928-all-corpse", "1928-manifesto", "1928-no-opposition"):
        sc = load(name)
        assert sc.leadership.respond and sc.membership.decides_purge, name
        assert not {e.kind for e in sc.timeline} & {"line_shift", "regime", "purge"}, name


def test_tiny_shows_a_course_within_its_horizon() -> None:
    """`tiny` (104 weeks) shows something: the line moves, a campaign runs, and a purge is
    declared by the apparatus, all from the model (no political event in its timeline)."""
    ts = thermidor.simulate("tiny", seed=1).timeseries.to_pandas()
    assert ts["line"].max() - ts["line"].min() > 0.1
    assert ts["campaign_against_right"].any() or ts["campaign_against_left"].any()
    assert (ts["purge_rate"] > 0).any()


# --- the loader's own checks, fast (issue #13: each was once removable unnoticed) -----------


def test_exile_terms_must_be_ordered() -> None:
    """min <= max (equal allowed: a fixed term); else one clear error naming the table, not
    numpy's "low is greater than high" in the middle of a run."""
    sc = load("tiny", ["repression.exile_weeks_min=100", "repression.exile_weeks_max=100"])
    assert (sc.repression.exile_weeks_min, sc.repression.exile_weeks_max) == (100, 100)
    with pytest.raises(InputError, match="exile_weeks_max must be at least exile_weeks_min"):
        load("tiny", ["repression.exile_weeks_min=101", "repression.exile_weeks_max=100"])


def test_organisation_names_must_be_unique() -> None:
    with pytest.raises(InputError, match="organisation names must be unique"):
        load("tiny", ["organisations.1.name=Left Opposition"])


def test_a_set_index_one_past_the_end_is_refused() -> None:
    """Two organisations: index 1 is the last one, index 2 is out of range (one clear error, no
    IndexError)."""
    assert load("tiny", ["organisations.1.strategy=reform"]).organisations[1].strategy == "reform"
    with pytest.raises(InputError) as info:
        load("tiny", ["organisations.2.strategy=corpse"])
    assert info.value.key == "organisations.2"
    assert "out of range (allowed: 0 to 1)" in str(info.value)


@pytest.mark.parametrize("name", [" tiny", "tiny ", " "])
def test_a_name_may_not_start_or_end_with_blanks(name: str) -> None:
    with pytest.raises(InputError, match="may not start or end with blanks"):
        load("tiny", [f'name="{name}"'])


def test_a_bracketed_number_is_an_index_unless_an_element_has_that_name() -> None:
    """`organisations[1]` is the second organisation when none is named "1"."""
    sc = load("tiny", ["organisations[1].strategy=reform"])
    assert [o.strategy for o in sc.organisations] == ["reform", "reform"]
    assert load("tiny").organisations[1].strategy != "reform"  # so the override did it


def test_a_timeline_strategy_change_names_a_known_organisation() -> None:
    event = {"date": dt.date(1929, 1, 7), "kind": "strategy", "strategy": "reform"}
    assert load("tiny", timeline=[{**event, "organisation": "Left Opposition"}]).timeline
    with pytest.raises(InputError, match="timeline.0.organisation: unknown 'Nobody'"):
        load("tiny", timeline=[{**event, "organisation": "Nobody"}])


def test_the_scale_must_be_positive() -> None:
    with pytest.raises(InputError) as info:
        load("tiny", scale=0.0)
    assert info.value.key == "scale"


def test_a_missing_key_is_named_without_echoing_the_table(tmp_path: Path) -> None:
    """A required key left out: the error names it; it does not print the whole table it is
    missing from as the value 'got'."""
    path = tmp_path / "bare.toml"
    path.write_text('name = "bare"\nweeks = 10\n')
    with pytest.raises(InputError) as info:
        load(path)
    assert "Field required" in info.value.message
    assert "(got" not in info.value.message


def test_flatten_keys_every_field_of_an_organisation_by_its_name() -> None:
    """`thermidor diff`'s key paths: every field of each organisation, but its name, under
    `organisations[<name>]`."""
    from thermidor.scenario.load import flatten

    sc = load("tiny")
    flat = flatten(sc.model_dump(mode="json"))
    for o in sc.organisations:
        fields = {k: v for k, v in o.model_dump(mode="json").items() if k != "name"}
        assert {
            f"organisations[{o.name}].{k}": v for k, v in fields.items()
        }.items() <= flat.items()
        assert f"organisations[{o.name}].name" not in flat


def test_out_of_range_lists_the_events_before_the_start_and_after_the_horizon() -> None:
    """tiny starts 1928-10-01; with 10 weeks its horizon is 1928-12-10: an event on the start day
    and one the day before the horizon are inside; the day before the start and the horizon day
    itself are outside."""
    start = dt.date(1928, 10, 1)
    days = (-1, 0, 69, 70)
    timeline = [
        {"date": start + dt.timedelta(days=d), "kind": "regime", "delta": 0.1} for d in days
    ]
    sc = load("tiny", start=start, weeks=10, timeline=timeline)
    assert sc.out_of_range() == ([0], [3])
