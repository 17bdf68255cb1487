"""The command line: bad input gets one line and exit status 2; `run`, `check`, `scenarios`.

docs/design.md: bad input of any kind gets one clear line naming the file (or the option),
the key path and what is allowed, exit status 2, no traceback, and nothing already stored is lost
or overwritten. Most tests call `thermidor.cli.main` in-process (fast); two run the installed
console script, where the real entry point matters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import thermidor
from conftest import Ran, same_table, thermidor_cli
from thermidor.model.init import initial_state
from thermidor.model.state import KINDS, OUTCOMES, STRATA
from thermidor.runstore import FILES
from thermidor.scenario.load import load_scenario, scenario_hash

SCRIPT = Path(sys.executable).parent / "thermidor"
TIMESERIES_COLUMNS = {
    "week", "date", "K", "grain", "wage", "line", "regime", "pi", "beta", "cc_holder",
    "left_top", "members", "nonparty", "expelled", "exiled", "capitulated",
    "kernel_left_active", "right_share", "q5_moved_left", "gap",
    "cells_degenerated", "cells_amorphous", "cells_healthy",
    "campaign_against_right", "campaign_against_left", "campaign_self_criticism",
    "worker_d", "functionary_d", "institution_d", "nonparty_x",
}  # fmt: skip
CELLS_COLUMNS = {
    "week", "cell", "kind", "region", "size", "members", "mean_d", "active_share", "mean_x",
    "mean_y", "enforcers", "appointed", "secretary_x", "secretary_d", "q1_class",
}  # fmt: skip
ORG_COLUMNS = ("in_party", "expelled", "exiled", "credibility", "bloc")


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones too), by relative path: its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_one_line_error(ran: Ran, *words: str) -> str:
    """Exit 2, exactly one line on stderr holding every word, no traceback; returns the line."""
    assert ran.code == 2, (ran.code, ran.out, ran.err)
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1, ran.err
    line = lines[0]
    assert line.startswith("thermidor: error: "), line
    assert "Traceback" not in ran.err and "Traceback" not in ran.out
    for w in words:
        assert w in line, f"{w!r} not in {line!r}"
    return line


# --- bad input ----------------------------------------------------------------------------

BAD_FILES = {
    "malformed.toml": 'extends = "tiny"\nname = "unterminated\n',
    "unknown_top.toml": 'extends = "tiny"\nname = "x"\nwekes = 3\n',
    "unknown_nested.toml": 'extends = "tiny"\nname = "x"\n\n[influence]\nmuu = 0.2\n',
    "wrong_type.toml": 'extends = "tiny"\nname = "x"\nweeks = "many"\n',
    "out_of_range.toml": 'extends = "tiny"\nname = "x"\n\n[leadership]\nregime0 = 1.5\n',
    "bad_kind.toml": 'extends = "tiny"\nname = "x"\n\n[activation]\nrounding = "ceil"\n',
    "bad_strategy.toml": (
        'extends = "tiny"\nname = "x"\n\n[[organisations]]\nname = "Rafael group"\ncadres = 10\n'
        'strategy = "nope"\nprogramme = 0.9\nexiled_share = 0.1\n'
    ),
}


def _allowed_keys_named(line: str, keys: list[str]) -> bool:
    """Whether the line names the keys allowed where the unknown one stood (any two of them)."""
    return sum(bool(re.search(rf"\b{k}\b", line)) for k in keys) >= 2


@pytest.fixture
def bad_files(tmp_path: Path) -> Path:
    for name, text in BAD_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_malformed_toml(bad_files: Path) -> None:
    line = assert_one_line_error(thermidor_cli("check", bad_files / "malformed.toml"))
    assert "malformed.toml" in line and "TOML" in line
    assert "line 2" in line  # where the file is broken


def test_unknown_top_level_key(bad_files: Path) -> None:
    line = assert_one_line_error(
        thermidor_cli("check", bad_files / "unknown_top.toml"), "unknown_top.toml", "wekes"
    )
    assert _allowed_keys_named(line, ["weeks", "scale", "seed", "population"]), line


def test_unknown_nested_key(bad_files: Path) -> None:
    line = assert_one_line_error(
        thermidor_cli("check", bad_files / "unknown_nested.toml"),
        "unknown_nested.toml",
        "influence.muu",
    )
    assert _allowed_keys_named(line, ["mu", "rule", "cadre_contacts", "cadre_u"]), line


def test_wrong_type(bad_files: Path) -> None:
    assert_one_line_error(
        thermidor_cli("check", bad_files / "wrong_type.toml"),
        "wrong_type.toml",
        "weeks",
        "integer",
        "many",
    )


def test_out_of_range_probability(bad_files: Path) -> None:
    line = assert_one_line_error(
        thermidor_cli("check", bad_files / "out_of_range.toml"),
        "out_of_range.toml",
        "leadership.regime0",
        "1.5",
    )
    assert re.search(r"\b1(\.0)?\b", line.replace("1.5", "")), "the bound is named"


def test_value_not_among_the_allowed_words(bad_files: Path) -> None:
    assert_one_line_error(
        thermidor_cli("check", bad_files / "bad_kind.toml"),
        "bad_kind.toml",
        "activation.rounding",
        "floor",
        "continuous",
        "round",
    )


def test_unknown_strategy_of_an_organisation(bad_files: Path) -> None:
    assert_one_line_error(
        thermidor_cli("check", bad_files / "bad_strategy.toml"),
        "bad_strategy.toml",
        "Rafael group",
        "organisations.2.strategy",  # appended after the two of 1928 (merged by name)
        "nope",
        "reform",
        "corpse",
        "manifesto",
    )


def test_unknown_builtin_name() -> None:
    line = assert_one_line_error(thermidor_cli("check", "1929"), "1929")
    for name in thermidor.builtin_names():
        assert name in line


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "mine.toml"
    assert_one_line_error(thermidor_cli("check", missing), str(missing))


def test_missing_parent_in_extends(tmp_path: Path) -> None:
    (tmp_path / "child.toml").write_text('extends = "gone.toml"\nname = "x"\n')
    assert_one_line_error(thermidor_cli("check", tmp_path / "child.toml"), "gone.toml")


def test_cycle_of_extends(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\nname = "a"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\nname = "b"\n')
    assert_one_line_error(thermidor_cli("check", tmp_path / "a.toml"), "a.toml", "extends")


def test_set_without_equals() -> None:
    assert_one_line_error(
        thermidor_cli("check", "tiny", "--set", "influence.mu"), "--set", "influence.mu", "="
    )


def test_set_unknown_key() -> None:
    line = assert_one_line_error(
        thermidor_cli("check", "tiny", "--set", "influence.muu=0.2"), "influence.muu"
    )
    assert "--set" in line or "tiny" in line
    assert _allowed_keys_named(line, ["mu", "rule", "cadre_contacts", "cadre_u"]), line


def test_set_out_of_range() -> None:
    line = assert_one_line_error(
        thermidor_cli("check", "tiny", "--set", "influence.mu=0.9"), "influence.mu", "0.9"
    )
    assert "--set" in line or "tiny" in line
    assert "0.5" in line  # the bound


def test_set_list_index_out_of_range() -> None:
    line = assert_one_line_error(
        thermidor_cli("check", "tiny", "--set", "organisations.5.strategy=reform"),
        "--set",
        "organisations.5",
    )
    # what is allowed: tiny has two organisations, so the indices 0 and 1 (or "2 entries")
    rest = line.split("organisations.5", 1)[1].replace("'5'", "")
    assert re.search(r"\b[12]\b", rest), line


def test_set_unknown_strategy() -> None:
    assert_one_line_error(
        thermidor_cli("check", "tiny", "--set", "organisations.1.strategy=nope"),
        "nope",
        "reform",
        "corpse",
        "manifesto",
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", "tiny", "--weeks", "abc"], ["--weeks", "integer"]),
        (["run", "tiny", "--seed", "-"], ["--seed"]),
        (["run", "tiny", "--scale", "big"], ["--scale"]),
        (["run", "tiny", "--scale", "2"], ["scale", "2"]),
        (["run", "tiny", "--weeks", "0"], ["weeks", "0"]),
        (["run", "tiny", "--bogus"], ["--bogus"]),
        (["check"], ["scenario"]),
        (["nosuchcommand"], ["nosuchcommand"]),
    ],
)
def test_bad_command_line(args: list[str], words: list[str]) -> None:
    assert_one_line_error(thermidor_cli(*args), *words)


# --- nothing stored is touched ------------------------------------------------------------


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    """A results directory that already holds something (an old run and a user's note)."""
    folder = tmp_path / "old"
    folder.mkdir()
    for i, name in enumerate(FILES):
        (folder / name).write_bytes(f"old {name} {i}\n".encode())
    (folder / "notes.txt").write_text("keep me\n")
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ["tiny", "--weeks", "4", "--quiet"],  # good input, but the directory is not empty
        ["tiny", "--weeks", "abc", "--quiet"],
        ["tiny", "--set", "leadership.regime0=1.5", "--quiet"],
        ["tiny", "--set", "organisations.9.strategy=reform", "--quiet"],
        ["BAD", "--weeks", "4", "--quiet"],
        ["tiny", "--weeks", "4", "--quiet", "--force", "--set", "influence.muu=1"],
    ],
)
def test_run_with_bad_input_leaves_stored_results(
    args: list[str], stored: Path, bad_files: Path
) -> None:
    args = [str(bad_files / "unknown_nested.toml") if a == "BAD" else a for a in args]
    before = digest(stored.parent)
    ran = thermidor_cli("run", *args, "--out", stored, cwd=stored.parent)
    assert_one_line_error(ran)
    assert digest(stored.parent) == before
    assert not [p for p in stored.parent.iterdir() if p.name.startswith(".")], "no temporary left"
    assert not (stored.parent / "runs").exists()


def test_run_refuses_a_non_empty_out_and_says_force(stored: Path) -> None:
    before = digest(stored)
    ran = thermidor_cli("run", "tiny", "--weeks", "2", "--quiet", "--out", stored)
    assert_one_line_error(ran, str(stored), "--force")
    assert digest(stored) == before


def test_run_refuses_an_out_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("mine\n")
    ran = thermidor_cli("run", "tiny", "--weeks", "2", "--quiet", "--force", "--out", target)
    assert_one_line_error(ran, str(target))
    assert target.read_text() == "mine\n"


def test_run_bad_input_without_out_creates_nothing(tmp_path: Path) -> None:
    ran = thermidor_cli("run", "tiny", "--set", "weeks=-1", "--quiet", cwd=tmp_path)
    assert_one_line_error(ran, "weeks")
    assert list(tmp_path.iterdir()) == []


# --- a run --------------------------------------------------------------------------------

WEEKS = 14  # past one snapshot interval (13 weeks): snapshots at weeks 0, 13 and 14


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ran]:
    out = tmp_path_factory.mktemp("run") / "X"
    ran = thermidor_cli(
        "run", "tiny", "--weeks", str(WEEKS), "--seed", "1", "--quiet", "--out", out
    )
    assert ran.code == 0, ran.err
    return out, ran


def test_run_writes_exactly_the_four_files(run_dir: tuple[Path, Ran]) -> None:
    out, _ = run_dir
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "no temporary left"


def test_run_outcome_json(run_dir: tuple[Path, Ran]) -> None:
    out, _ = run_dir
    o = json.loads((out / "outcome.json").read_text())
    assert {"outcome", "week", "date", "final", "seed", "scenario_hash", "version"} <= o.keys()
    assert o["outcome"] in OUTCOMES
    assert o["seed"] == 1
    assert o["version"] == thermidor.__version__
    assert o["scenario_hash"] == scenario_hash(load_scenario("tiny", weeks=WEEKS, seed=1))
    assert o["scenario_hash"] == scenario_hash(load_scenario(out / "scenario.resolved.toml"))
    assert o["scenario_hash"] != scenario_hash(load_scenario("tiny"))
    if o["outcome"] == "duality open":
        assert o["week"] is None and o["date"] is None
        assert o["weeks_run"] == WEEKS
    else:
        start = load_scenario("tiny").start
        assert 1 <= o["week"] == o["weeks_run"] <= WEEKS
        assert o["date"] == (start + dt.timedelta(weeks=o["week"])).isoformat()
    # `final` is the last row of the time series
    last = pq.read_table(out / "timeseries.parquet").to_pylist()[-1]
    assert o["final"].keys() == last.keys() - {"week", "date"}
    for key, value in o["final"].items():
        assert value == last[key], key


def test_run_timeseries(run_dir: tuple[Path, Ran]) -> None:
    out, _ = run_dir
    weeks_run = json.loads((out / "outcome.json").read_text())["weeks_run"]
    sc = load_scenario("tiny")
    ts = pq.read_table(out / "timeseries.parquet")
    assert not TIMESERIES_COLUMNS - set(ts.column_names)
    for org in sc.organisations:
        slug = re.sub(r"[^a-z0-9]+", "_", org.name.lower()).strip("_")
        assert {f"{slug}_{c}" for c in ORG_COLUMNS} <= set(ts.column_names)
    for stratum in STRATA:
        assert f"{stratum}_x" in ts.column_names and f"{stratum}_d" in ts.column_names
    rows = ts.to_pydict()
    assert rows["week"] == list(range(weeks_run + 1))  # one row a week, week 0 included
    assert rows["date"] == [sc.start + dt.timedelta(weeks=w) for w in rows["week"]]
    for w in range(weeks_run + 1):
        shares = [rows[f"cells_{k}"][w] for k in ("degenerated", "amorphous", "healthy")]
        assert sum(shares) == pytest.approx(1.0)
        assert 0.0 <= rows["pi"][w] <= 1.0 and 0.0 <= rows["beta"][w] <= 1.0


def test_run_cells(run_dir: tuple[Path, Ran]) -> None:
    out, _ = run_dir
    o = json.loads((out / "outcome.json").read_text())
    cells = pq.read_table(out / "cells.parquet")
    assert not CELLS_COLUMNS - set(cells.column_names)
    every = load_scenario("tiny").observe.snapshot_every
    assert every == 13
    snaps = [0, *(w for w in range(1, o["weeks_run"] + 1) if w % every == 0 or w == o["weeks_run"])]
    rows = cells.to_pydict()
    assert sorted(set(rows["week"])) == snaps
    assert cells.num_rows == len(snaps) * o["cells"]
    for w in snaps:  # every cell in every snapshot, once
        ids = [c for c, wk in zip(rows["cell"], rows["week"], strict=True) if wk == w]
        assert ids == list(range(o["cells"]))
    assert set(rows["kind"]) <= set(KINDS)
    assert set(rows["q1_class"]) <= {"degenerated", "amorphous", "healthy"}
    assert all(0 <= m <= s for m, s in zip(rows["members"], rows["size"], strict=True))


def test_run_prints_the_seven_answers(run_dir: tuple[Path, Ran]) -> None:
    out, ran = run_dir
    o = json.loads((out / "outcome.json").read_text())
    lines = [ln for ln in ran.out.splitlines() if ln.strip()]
    assert o["outcome"] in lines[0]
    assert any(str(out) in ln for ln in lines)
    questions = [ln for ln in lines if re.match(r"Q\d", ln)]
    assert [q[:2] for q in questions] == [f"Q{i}" for i in range(1, 8)]
    tail = lines[-14:]  # stdout ends with seven questions, each followed by its answer
    assert tail[0::2] == questions
    assert all(a.startswith(" ") and a.strip() for a in tail[1::2])


def test_run_is_reproducible(run_dir: tuple[Path, Ran], tmp_path: Path) -> None:
    out, _ = run_dir
    again = tmp_path / "again"
    ran = thermidor_cli(
        "run", "tiny", "--weeks", str(WEEKS), "--seed", "1", "--quiet", "--out", again
    )
    assert ran.code == 0, ran.err
    for name in ("timeseries.parquet", "cells.parquet"):
        assert same_table(pq.read_table(again / name), pq.read_table(out / name)), name
    assert (again / "scenario.resolved.toml").read_bytes() == (
        out / "scenario.resolved.toml"
    ).read_bytes()


def test_run_force_replaces_results(run_dir: tuple[Path, Ran], tmp_path: Path) -> None:
    out, _ = run_dir
    target = tmp_path / "X"
    shutil.copytree(out, target)
    old = json.loads((target / "outcome.json").read_text())
    ran = thermidor_cli(
        "run", "tiny", "--weeks", "3", "--seed", "2", "--quiet", "--force", "--out", target
    )
    assert ran.code == 0, ran.err
    assert sorted(p.name for p in target.iterdir()) == sorted(FILES)
    new = json.loads((target / "outcome.json").read_text())
    assert new["seed"] == 2 != old["seed"]
    assert new["scenario_hash"] != old["scenario_hash"]
    assert new["scenario_hash"] == scenario_hash(load_scenario(target / "scenario.resolved.toml"))
    assert load_scenario(target / "scenario.resolved.toml").weeks == 3
    assert pq.read_table(target / "timeseries.parquet").num_rows == new["weeks_run"] + 1 <= 4
    assert set(pq.read_table(target / "cells.parquet").column("week").to_pylist()) <= {0, 3}


def test_run_with_set_override(tmp_path: Path) -> None:
    out = tmp_path / "Y"
    ran = thermidor_cli(
        "run", "tiny", "--set", "organisations.1.strategy=reform", "--weeks", "1", "--quiet",
        "--out", out,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    sc = load_scenario(out / "scenario.resolved.toml")
    assert [o.strategy for o in sc.organisations] == ["reform", "reform"]


# --- check, scenarios, help ---------------------------------------------------------------


def test_check_summarises() -> None:
    ran = thermidor_cli("check", "tiny")
    assert ran.code == 0, ran.err
    sc = load_scenario("tiny")
    state = initial_state(sc, sc.seed)
    text = ran.out
    assert "tiny" in text and "valid" in text and scenario_hash(sc)[:12] in text
    persons = re.search(r"persons ([\d,]+) in ([\d,]+) cells", text)
    assert persons, text
    assert int(persons[1].replace(",", "")) == state.n_persons
    assert int(persons[2].replace(",", "")) == state.n_cells
    strata = re.search(r"stratum: (.*)", text)
    assert strata and all(s in strata[1] for s in STRATA)
    counts = dict(re.findall(r"(\w+) ([\d,]+)", strata[1]))
    assert sum(int(v.replace(",", "")) for v in counts.values()) > 0
    events = re.search(r"events: (\d+)", text)
    assert events and int(events[1]) == len(sc.timeline)
    for e in sc.timeline:
        assert str(e.date) in text
    for o in sc.organisations:
        assert o.name in text


def test_check_with_set() -> None:
    ran = thermidor_cli("check", "tiny", "--set", "organisations.1.strategy=reform")
    assert ran.code == 0, ran.err
    assert "Democratic Centralists (reform" in ran.out
    sc = load_scenario("tiny", ["organisations.1.strategy=reform"])
    assert scenario_hash(sc)[:12] in ran.out


def test_scenarios_lists_all_builtins() -> None:
    ran = thermidor_cli("scenarios")
    assert ran.code == 0, ran.err
    first_words = {ln.split()[0] for ln in ran.out.splitlines() if ln.strip()}
    assert set(thermidor.builtin_names()) <= first_words


@pytest.mark.parametrize("args", [[], ["--help"]])
def test_help(args: list[str]) -> None:
    ran = thermidor_cli(*args)
    assert ran.code == 0
    assert "Usage" in ran.out
    for command in ("run", "check", "scenarios"):
        assert re.search(rf"^\s+{command}\b", ran.out, re.M), command
    assert ran.err == ""


# --- the installed console script ---------------------------------------------------------

needs_script = pytest.mark.skipif(not SCRIPT.is_file(), reason=f"{SCRIPT} is not installed")


@needs_script
def test_script_bad_input_one_line(bad_files: Path) -> None:
    proc = subprocess.run(
        [SCRIPT, "check", bad_files / "out_of_range.toml", "--set", "weeks=3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    ran = Ran(proc.returncode, proc.stdout, proc.stderr)
    assert_one_line_error(ran, "out_of_range.toml", "leadership.regime0")
    assert proc.stdout == ""


@needs_script
def test_script_without_arguments_prints_help() -> None:
    proc = subprocess.run([SCRIPT], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout and "run" in proc.stdout
    assert "Traceback" not in proc.stderr
