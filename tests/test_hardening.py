"""Bad input of every kind: one line, exit status 2, no traceback, nothing stored touched.

Issue #12's classes, each as rows of one table (`BAD`): the command, and a fragment of the one
line it must print. `{E}` is a finished experiment and `{R}` a run directory, shared by the
module and never changed (their snapshots are compared); `{C}` and `{RC}` are fresh copies of
them that a row's `prepare` damages first (its snapshot is compared too); `{T}` is the test's
own empty folder (the working directory, where nothing new may appear).

Then the store's verification (checksums, foreign files, a part holding another run), the
scenario loader's merge rules, and the durability discipline of the store's writes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import thermidor.experiments as tx
from thermidor.cli import main
from thermidor.errors import InputError
from thermidor.experiments import query, runner, store
from thermidor.experiments.plan import Task
from thermidor.experiments.store import Store, part_path, write_atomic
from thermidor.scenario.load import load_scenario

WEEKS = 20
RUNS = 4


def cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """Run the command line in this process: (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["thermidor", *args])
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every file and folder under `root` with its size and digest."""
    out: dict[str, tuple[int, str]] = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink() or p.is_dir():
            out[str(p.relative_to(root))] = (-1, str(p.readlink()) if p.is_symlink() else "dir")
        elif p.is_file():
            out[str(p.relative_to(root))] = (
                p.stat().st_size,
                hashlib.sha256(p.read_bytes()).hexdigest(),
            )
    return out


@pytest.fixture(scope="module")
def existing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hard") / "ens"
    tx.ensemble("tiny", RUNS, weeks=WEEKS, out=out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hard") / "run"
    sys_argv = sys.argv
    sys.argv = ["thermidor", "run", "tiny", "--weeks", "6", "--quiet", "--out", str(out)]
    try:
        with pytest.raises(SystemExit) as done:
            main()
    finally:
        sys.argv = sys_argv
    assert not done.value.code
    return out


# --- how rows damage their copies ----------------------------------------------------------


def _overwrite_inside(path: Path) -> None:
    """Change bytes in the middle of a file, its length and Parquet footer kept."""
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 8] = bytes(b ^ 0xFF for b in data[mid : mid + 8])
    path.write_bytes(bytes(data))


def _garbage(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).write_bytes(b"PAR1 garbage, not a Parquet file PAR1")


def _text(rel: str, text: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).write_text(text)


def _part_dir(root: Path) -> None:
    for t in ("runs", "timeseries"):
        part_path(root, t, 2).unlink()
    part_path(root, "timeseries", 2).mkdir()


def _partial_manifest(root: Path) -> None:
    text = (root / "experiment.toml").read_text()
    (root / "experiment.toml").write_text(text.replace("runs = 4\n", ""))


def _foreign_indices(root: Path) -> None:
    pq.write_table(pa.table({"a": [1, 2]}), root / "indices.parquet")


def _symlink_to_e(t: Path, e: Path) -> None:
    (t / "link").symlink_to(e)


EXP_Q = ["query", "{E}"]
OTHER_SQL = "only a query may be run"
NO_FILES = "a query may read only the experiment's tables"
SET = ["check", "tiny", "--set"]
ENS = ["ensemble", "tiny", "--runs", "2", "--weeks", "3", "--quiet", "--workers", "1"]
SWEEP = ["sweep", "tiny", "--weeks", "3", "--quiet", "--workers", "1"]

# (args, fragment of the one line, prepare: None | (copy "C"/"RC"/"T", function))
BAD: list[tuple[list[str], str, tuple[str, Callable] | None]] = [
    # 1. query reads its experiment and nothing more
    ([*EXP_Q, "SELECT * FROM read_csv('/etc/passwd')"], NO_FILES, None),
    ([*EXP_Q, "SELECT * FROM read_text('/etc/hostname')"], NO_FILES, None),
    ([*EXP_Q, "SELECT * FROM read_blob('/etc/hostname')"], NO_FILES, None),
    ([*EXP_Q, "SELECT * FROM glob('/root/*')"], NO_FILES, None),
    ([*EXP_Q, "SELECT * FROM read_parquet('{E}/runs/*.parquet')"], NO_FILES, None),
    ([*EXP_Q, "COPY outcomes TO '{T}/x.csv'"], OTHER_SQL, None),
    ([*EXP_Q, "COPY outcomes TO '{E}/experiment.toml' (FORMAT csv)"], OTHER_SQL, None),
    ([*EXP_Q, "SELECT 1; COPY outcomes TO '{T}/x.csv'"], "give exactly one statement", None),
    ([*EXP_Q, "SELECT 1; SELECT 2"], "give exactly one statement (got 2)", None),
    ([*EXP_Q, "ATTACH '{T}/x.duckdb'"], OTHER_SQL, None),
    ([*EXP_Q, "EXPORT DATABASE '{T}/dump'"], OTHER_SQL, None),
    ([*EXP_Q, "INSTALL httpfs"], OTHER_SQL, None),
    ([*EXP_Q, "LOAD httpfs"], OTHER_SQL, None),
    ([*EXP_Q, "SET enable_external_access = true"], OTHER_SQL, None),
    ([*EXP_Q, "CREATE TABLE t AS SELECT 1"], OTHER_SQL, None),
    ([*EXP_Q, "PRAGMA version"], OTHER_SQL, None),
    ([*EXP_Q, ""], "give exactly one statement (got 0)", None),
    ([*EXP_Q, "SELEC 1"], "query: Parser Error", None),
    (
        [*EXP_Q, "SELECT 1", "--csv", "{E}/experiment.toml", "--force"],
        "inside the experiment",
        None,
    ),
    ([*EXP_Q, "SELECT 1", "--parquet", "{E}/runs/new.parquet"], "inside the experiment", None),
    ([*EXP_Q, "SELECT 1", "--csv", "{T}/link/x.csv"], "inside the experiment", ("T", "link")),
    ([*EXP_Q, "SELECT 1", "--csv", "{T}/nowhere/x.csv"], "no such directory", None),
    (
        [*EXP_Q, "SELECT 1", "--csv", "{T}/evil.csv", "--force"],
        "inside the experiment",
        ("T", "evil"),
    ),  # fmt: skip
    ([*EXP_Q, "SELECT 1", "--csv", "{T}/" + "z" * 230 + ".csv"], "too long", None),
    ([*EXP_Q, "SELECT 1", "--csv", "{T}"], "is a directory", None),
    ([*EXP_Q, "SELECT 1", "--limit", "-1"], "--limit: must be 0 to 1,000,000 rows", None),
    ([*EXP_Q, "SELECT 1", "--limit", str(10**23)], "--limit: must be 0 to 1,000,000 rows", None),
    ([*EXP_Q, "SELECT 1", "--csv", "{T}/a.csv", "--parquet", "{T}/b.pq"], "not both", None),
    # 2. names are labels; every output path is checked before the work starts
    ([*SET, 'name="a\\u0000b"'], "name: a name is a printable label", None),
    ([*SET, 'name="line\\nbreak"'], "name: a name is a printable label", None),
    ([*SET, 'name=" padded "'], "may not start or end with blanks", None),
    (["run", "tiny", "--weeks", "2", "--out", "{E}"], "inside the experiment directory", None),
    (["run", "tiny", "--weeks", "2", "--out", "{E}/runs/x"], "inside the experiment", None),
    (
        ["run", "tiny", "--weeks", "2", "--out", "{T}/link/x"],
        "inside the experiment",
        ("T", "link"),
    ),
    (["run", "tiny", "--weeks", "2", "--out", "{E}/experiment.toml"], "not a directory", None),
    (["run", "tiny", "--weeks", "2", "--out", "{T}/" + "x" * 240], "too long", None),
    (["run", "tiny", "--weeks", "2", "--out", "{T}/" + "y/" * 2100], "too long", None),
    (["run", "tiny", "--weeks", "2", "--out", "{R}"], "exists and is not empty", None),
    ([*ENS, "--out", "{E}/sub"], "inside the experiment directory", None),
    ([*ENS, "--out", "{T}/link/sub"], "inside the experiment directory", ("T", "link")),
    ([*SWEEP, "--vary", "influence.mu=0.1:0.2:2", "--out", "{E}/cells/x"], "inside the exp", None),
    (["merge", "{E}", "--out", "{E}"], "is, holds or lies in the shard", None),
    (["merge", "{E}", "--out", "{T}/link"], "is, holds or lies in the shard", ("T", "link")),
    (["merge", "{E}", "--out", "{E}/merged"], "is, holds or lies in the shard", None),
    (["report", "{E}", "-o", "{E}/report.html"], "inside the experiment directory", None),
    (["report", "{R}", "-o", "{R}/report.html"], "which this command reads", None),
    (["report", "{E}", "-o", "{T}"], "is a directory; give a file name", None),
    (["report", "{E}", "-o", "{T}/no/r.html"], "no such directory", None),
    (["report", "{E}", "-o", "{T}/link/r.html"], "inside the experiment directory", ("T", "link")),
    (["report", "{E}", "-o", "{T}/evil.csv", "--force"], "inside the experiment", ("T", "evil")),
    (["report", "{E}", "-o", "{R}/outcome.json"], "exists (use --force", None),
    (["sensitivity", "tiny", "--out", "{E}"], "inside the experiment directory", None),
    (["sensitivity", "tiny", "--out", "{R}"], "holds no sensitivity analysis", None),
    (["run", "tiny", "--weeks", "2", "--engine", "nope"], "--engine: 'nope' is not one of", None),
    # 3. strict types, in files and in --set (a value's type is its TOML reading)
    ([*SET, "weeks=true"], "weeks: Input should be a valid integer (got True)", None),
    ([*SET, 'weeks="10"'], "weeks: Input should be a valid integer (got '10')", None),
    ([*SET, "weeks=10.0"], "weeks: Input should be a valid integer (got 10.0)", None),
    ([*SET, "leadership.enabled=0"], "leadership.enabled: Input should be a valid boolean", None),
    ([*SET, 'leadership.enabled="yes"'], "leadership.enabled: Input should be a valid bool", None),
    ([*SET, "leadership.enabled=yes"], "leadership.enabled: Input should be a valid bool", None),
    ([*SET, "power.pi0=true"], "power.pi0: Input should be a valid number (got True)", None),
    ([*SET, 'power.pi0="0.5"'], "power.pi0: Input should be a valid number", None),
    ([*SET, "scale=nan"], "scale: Input should be a finite number", None),
    ([*SET, "power.pi0=inf"], "power.pi0: Input should be a finite number", None),
    ([*SET, "start=1928"], "start: Input should be a valid date", None),
    ([*SET, 'start="1928-10-01"'], "start: Input should be a valid date", None),
    ([*SET, "name=1929"], "name: Input should be a valid string (got 1929)", None),
    (
        [*SET, "organisations.0.cadres=5.5"],
        "organisations.0.cadres: Input should be a valid int",
        None,
    ),
    (
        [*SET, "organisations.0.active=1"],
        "organisations.0.active: Input should be a valid bool",
        None,
    ),
    (
        [*SET, "hierarchy.every=-1"],
        "hierarchy.every: Input should be greater than or equal to 1",
        None,
    ),
    ([*SET, "seed=-1"], "seed: Input should be greater than or equal to 0", None),
    (
        [
            *SET,
            "population.cells.factory.members=0",
            "--set",
            "population.cells.rural.members=0",
            "--set",
            "population.cells.institution.members=0",
            "--set",
            "population.cells.army_school.members=0",
        ],
        "the party needs members",
        None,
    ),  # fmt: skip
    ([*SET, 'timeline.0.kind="nope"'], "timeline.0: Input tag 'nope' found using 'kind'", None),
    (
        ["check", "{T}/s.toml"],
        "{T}/s.toml: weeks: Input should be a valid integer (got '10')",
        ("T", "file:weeks"),
    ),  # fmt: skip
    (
        ["check", "{T}/s.toml"],
        "{T}/s.toml: power.enabled: Input should be a valid boolean",
        ("T", "file:enabled"),
    ),  # fmt: skip
    (
        ["check", "{T}/s.toml"],
        "{T}/s.toml: power.pi0: Input should be a valid number",
        ("T", "file:pi0"),
    ),  # fmt: skip
    (
        ["check", "{T}/s.toml"],
        "replace: names 'blocs', which this file does not set",
        ("T", "file:replace"),
    ),  # fmt: skip
    # the loader's own checks (issue #13: each slipped through the suite)
    ([*SET, "repression.exile_weeks_min=200"], "exile_weeks_max must be at least exile_w", None),
    ([*SET, 'organisations.1.name="Left Opposition"'], "organisation names must be unique", None),
    (
        [*SET, "organisations.2.strategy=corpse"],
        "organisations.2: index '2' out of range (all",
        None,
    ),  # fmt: skip
    ([*SET, "organisations.-1.strategy=corpse"], "index '-1' out of range", None),
    ([*SET, "organisations[Nobody].strategy=corpse"], "no element named 'Nobody'", None),
    ([*SET, "organisations[Left Opposition].nope=1"], "organisations.0.nope: unknown key", None),
    ([*SET, "power[x].pi0=1"], "power: is not an array of named tables", None),
    ([*SET, "organisations[].strategy=x"], "is not of the form key.path=value", None),
    ([*SET, "a..b=1"], "is not of the form key.path=value", None),
    ([*SET, "weeks.x=1"], "--set: weeks: is not a table", None),
    ([*SET, "=1"], "is not of the form key.path=value", None),
    ([*SET, "weeks"], "is not of the form key.path=value", None),
    # 3. bounded numbers
    (["ensemble", "tiny", "--runs", str(10**20), "--out", "{T}/e"], "at most 10,000,000", None),
    (
        ["ensemble", "tiny", "--runs", "-5", "--out", "{T}/e"],
        "--runs: must be a whole number",
        None,
    ),
    (
        [
            *SWEEP,
            "--vary",
            "influence.mu=0.1:0.4:1000000",
            "--vary",
            "power.pi0=0.1:0.9:1000000000",
            "--out",
            "{T}/s",
        ],
        "the grid design would have 1,000,000,000,000,000 points",
        None,
    ),  # fmt: skip
    (
        [
            *SWEEP,
            "--vary",
            "influence.mu=0.1:0.4",
            "--design",
            "sobol",
            "--samples",
            str(2**40),
            "--out",
            "{T}/s",
        ],
        "the sobol design would have",
        None,
    ),  # fmt: skip
    (
        [
            *SWEEP,
            "--vary",
            "influence.mu=0.1:0.4",
            "--design",
            "lhs",
            "--samples",
            str(10**9),
            "--out",
            "{T}/s",
        ],
        "the lhs design would have",
        None,
    ),  # fmt: skip
    (
        [
            *SWEEP,
            "--vary",
            "influence.mu=0.1:0.4:2",
            "--runs-per-point",
            str(10**7),
            "--out",
            "{T}/s",
        ],
        "is 20,000,000 runs (allowed: at most 10,000,000",
        None,
    ),  # fmt: skip
    (
        [*ENS, "--workers", "100000", "--out", "{T}/e"],
        "--workers: must be at least 1 and at most",
        None,
    ),  # fmt: skip
    (
        [*ENS, "--connect-timeout", "-1", "--out", "{T}/e"],
        "--connect-timeout: must be above 0",
        None,
    ),  # fmt: skip
    ([*ENS, "--connect-timeout", "nan", "--out", "{T}/e"], "--connect-timeout", None),
    ([*ENS, "--shard", f"0/{10**17}", "--out", "{T}/e"], "--shard: N must be at most", None),
    ([*SWEEP, "--vary", "seed=0:1e300:2", "--out", "{T}/s"], "must lie within +-2**63", None),
    (
        [
            *SWEEP,
            "--vary",
            "influence.mu=0:1",
            "--design",
            "morris",
            "--samples",
            "2",
            "--levels",
            str(10**6),
            "--out",
            "{T}/s",
        ],
        "--levels: must be at most 1000",
        None,
    ),  # fmt: skip
    # 4. damaged inputs to answer, report, status: one line naming the file
    (
        ["status", "{C}"],
        "{C}/experiment.toml: is not a complete experiment manifest",
        ("C", _partial_manifest),
    ),  # fmt: skip
    (
        ["status", "{C}"],
        "{C}/experiment.toml: is not a readable experiment manifest",
        ("C", _text("experiment.toml", "[experiment\n")),
    ),  # fmt: skip
    (
        ["status", "{C}"],
        "experiment.runs is missing or not a whole number",
        (
            "C",
            _text(
                "experiment.toml",
                '[experiment]\nid = "x"\nkind = "ensemble"\nscenario = "tiny"\nruns = "4"\n',
            ),
        ),
    ),  # fmt: skip
    (
        ["answer", "{C}"],
        "{C}/outcomes/run-0000001.parquet: does not have the checksum",
        ("C", _garbage("outcomes/run-0000001.parquet")),
    ),  # fmt: skip
    (
        ["answer", "{C}"],
        "{C}/timeseries/run-0000002.parquet: does not have the checksum",
        ("C", lambda r: _overwrite_inside(part_path(r, "timeseries", 2))),
    ),  # fmt: skip
    (
        ["status", "{C}"],
        "{C}/runs/run-0000003.parquet: is not a readable Parquet",
        ("C", _garbage("runs/run-0000003.parquet")),
    ),  # fmt: skip
    (
        ["answer", "{RC}"],
        "{RC}/outcome.json: is not a run's outcome",
        ("RC", _text("outcome.json", "{not json")),
    ),  # fmt: skip
    (
        ["answer", "{C}"],
        "{C}: no run has finished yet",
        ("C", lambda r: [p.unlink() for p in (r / "runs").iterdir()]),
    ),  # fmt: skip
    (
        ["report", "{C}", "-o", "{T}/r.html"],
        "{C}: no run has finished yet",
        ("C", lambda r: [p.unlink() for p in (r / "runs").iterdir()]),
    ),  # fmt: skip
    (
        [*ENS[:3], str(RUNS), "--weeks", str(WEEKS), "--quiet", "--workers", "1", "--out", "{C}"],
        "{C}/failed: is not a folder but sits where the store's folder belongs",
        ("C", _text("failed", "a file")),
    ),  # fmt: skip
    (
        ["answer", "{RC}"],
        "{RC}/outcome.json: is not a run's outcome",
        ("RC", _text("outcome.json", '{"outcome": "reform"}')),
    ),  # fmt: skip
    (
        ["answer", "{RC}"],
        "{RC}/timeseries.parquet: is not a readable Parquet file of a run",
        ("RC", _garbage("timeseries.parquet")),
    ),  # fmt: skip
    (
        ["answer", "{RC}"],
        "{RC}/scenario.resolved.toml: malformed TOML",
        ("RC", _text("scenario.resolved.toml", "name = \n")),
    ),  # fmt: skip
    (
        ["report", "{E}", "-o", "{T}/r.html", "--sensitivity", "{RC}"],
        "not a sensitivity indices",
        ("RC", _foreign_indices),
    ),  # fmt: skip
    (
        ["report", "{E}", "-o", "{T}/r.html", "--sensitivity", "{RC}"],
        "not a readable Parquet",
        ("RC", _garbage("indices.parquet")),
    ),  # fmt: skip
    (
        [*ENS[:3], str(RUNS), "--weeks", str(WEEKS), "--quiet", "--workers", "1", "--out", "{C}"],
        "{C}/timeseries/run-0000002.parquet: is not a regular file but sits where a run's part",
        ("C", _part_dir),
    ),  # fmt: skip
]


def _materialise(args: list[str], places: dict[str, Path]) -> list[str]:
    out = []
    for a in args:
        for key in ("RC", "C", "E", "R", "T"):  # RC before C
            a = a.replace("{" + key + "}", str(places[key]))
        out.append(a)
    return out


SCENARIO_FILES = {
    "file:weeks": 'extends = "tiny"\nname = "s"\nweeks = "10"\n',
    "file:enabled": 'extends = "tiny"\nname = "s"\n[power]\nenabled = "yes"\n',
    "file:pi0": 'extends = "tiny"\nname = "s"\n[power]\npi0 = true\n',
    "file:replace": 'extends = "tiny"\nname = "s"\nreplace = ["blocs"]\n',
}


@pytest.mark.parametrize(
    ("args", "message", "prepare"),
    BAD,
    ids=[f"{i:03d}-{m[:40]}" for i, (_, m, _) in enumerate(BAD)],
)
def test_bad_input_is_one_line_exit_2_nothing_touched(
    existing: Path, run_dir: Path, tmp_path: Path, args, message, prepare, capsys, monkeypatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    places = {"E": existing, "R": run_dir, "T": work, "C": tmp_path / "C", "RC": tmp_path / "RC"}
    if prepare is not None:
        where, how = prepare
        if where == "C":
            shutil.copytree(existing, places["C"])
            how(places["C"])
        elif where == "RC":
            shutil.copytree(run_dir, places["RC"])
            how(places["RC"])
        elif how == "link":
            _symlink_to_e(work, existing)
        elif how == "evil":
            (work / "evil.csv").symlink_to(existing / "experiment.toml")
        else:
            (work / "s.toml").write_text(SCENARIO_FILES[how])
    watched = {k: places[k] for k in ("E", "R", "T", "C", "RC") if places[k].exists()}
    before = {k: snapshot(p) for k, p in watched.items()}
    monkeypatch.chdir(work)
    code, _, stderr = cli(_materialise(args, places), capsys, monkeypatch)
    assert code == 2, stderr
    assert stderr.startswith("thermidor: error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    expected = _materialise([message], places)[0]
    assert expected in " ".join(stderr.split()), stderr
    assert {k: snapshot(p) for k, p in watched.items()} == before


def test_the_table_covers_every_class_of_the_issue() -> None:
    """The closing note's count: every row above is a bad input that must hold."""
    assert len(BAD) >= 100


# --- query: what it may still do -------------------------------------------------------------


def test_query_reads_and_exports_outside(existing: Path, tmp_path: Path, capsys, monkeypatch):
    sql = "WITH o AS (SELECT * FROM outcomes) SELECT count(*) AS n FROM o JOIN runs USING (run)"
    code, out, err = cli(["query", str(existing), sql], capsys, monkeypatch)
    assert code == 0, err
    assert out.split()[-1] == str(RUNS)
    target = tmp_path / "n.parquet"
    code, _, err = cli(["query", str(existing), sql, "--parquet", str(target)], capsys, monkeypatch)
    assert code == 0, err
    assert pq.read_table(target).column("n").to_pylist() == [RUNS]
    code, out, err = cli(["query", str(existing), "DESCRIBE runs"], capsys, monkeypatch)
    assert code == 0 and "sha256_timeseries" in out, err


def test_the_connection_itself_is_locked(existing: Path) -> None:
    """Beneath the one-SELECT rule: DuckDB itself reads nothing but the parts, and its settings
    cannot be changed back (a statement that slipped past the rule would still be refused)."""
    con = query.connect(existing)
    assert con.sql("SELECT count(*) FROM runs").fetchall() == [(RUNS,)]
    for sql in (
        "SET enable_external_access = true",
        "SET allowed_paths = ['/']",
        "SET autoinstall_known_extensions = true",
        "COPY runs TO '/tmp/thermidor-escape.csv'",
        f"COPY runs TO '{existing}/experiment.toml' (FORMAT csv)",
        "SELECT * FROM read_csv('/etc/passwd')",
        "LOAD httpfs",
    ):
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    assert not Path("/tmp/thermidor-escape.csv").exists()
    assert tx.open_experiment(existing).manifest["experiment"]["runs"] == RUNS


# --- names are labels ------------------------------------------------------------------------


def test_a_name_with_separators_stays_under_runs(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("../../escaped", "/abs/olute"):
        code, out, err = cli(
            ["run", "tiny", "--weeks", "2", "--quiet", "--set", f'name="{name}"'],
            capsys,
            monkeypatch,
        )
        assert code == 0, err
    made = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert [m.split("-seed")[0] for m in made] == ["abs-olute", "escaped"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]


def test_an_unwritable_target_is_refused_before_simulating(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """A read-only folder (or filesystem): refused at once, nothing simulated (as root, whose
    writes no permission stops, the check's `os.access` is made to say what a user's would)."""
    locked = tmp_path / "ro"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(
        "thermidor.outputs.os.access", lambda p, m: False if Path(p) == locked else real(p, m)
    )
    monkeypatch.setattr("thermidor.engine.simulate", lambda *a, **k: pytest.fail("simulated"))
    for args in (
        ["run", "tiny", "--weeks", "2", "--quiet", "--out", str(locked / "run")],
        ["ensemble", "tiny", "--runs", "2", "--quiet", "--out", str(locked / "a" / "b")],
        ["report", str(tmp_path), "-o", str(locked / "r.html")],
    ):
        code, _, err = cli(args, capsys, monkeypatch)
        assert code == 2 and err.count("\n") == 1, err
        assert f"cannot write in {locked} (permission or read-only)" in err
    assert list(locked.iterdir()) == []


def test_events_outside_the_horizon_warn_in_one_line(capsys, monkeypatch) -> None:
    code, _, err = cli(["check", "tiny", "--set", "start=1929-01-01"], capsys, monkeypatch)
    assert code == 0
    warnings = err.splitlines()
    assert len(warnings) == 2, err
    assert "before the start: applied in the first week" in warnings[0]
    assert "after the horizon: never applied" in warnings[1]


# --- the store verifies its parts ------------------------------------------------------------


def test_a_part_overwritten_inside_is_found_and_recomputed(
    existing: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    out = tmp_path / "damaged"
    shutil.copytree(existing, out)
    part = part_path(out, "cells", 1)
    _overwrite_inside(part)
    assert pq.read_metadata(part).num_rows > 0  # the footer still parses: only the checksum tells
    assert tx.status(out).done == RUNS  # by name
    s = tx.status(out, verify=True)
    assert s.done == RUNS - 1 and list(s.damaged) == [1]
    assert "does not have the checksum" in s.damaged[1]
    code, stdout, _ = cli(["status", str(out), "--verify"], capsys, monkeypatch)
    assert code == 0 and "damaged run 1:" in stdout
    exp = tx.ensemble("tiny", RUNS, weeks=WEEKS, out=out, workers=1, progress=False)
    assert (exp.report.now, exp.report.before) == (1, RUNS - 1)
    assert list(exp.report.recomputed) == [1]
    ref = tx.open_experiment(existing)
    for table in ("outcomes", "timeseries", "cells"):
        assert getattr(exp, table)().equals(getattr(ref, table)())
    assert tx.status(out, verify=True).damaged == {}


def test_a_part_must_hold_the_run_its_name_says(existing: Path, tmp_path: Path) -> None:
    out = tmp_path / "swapped"
    shutil.copytree(existing, out)
    for table in ("runs", "timeseries", "outcomes", "cells"):
        shutil.copyfile(part_path(out, table, 1), part_path(out, table, 2))
    bad = Store.of(out).damaged()
    assert list(bad) == [2] and "does not hold run 2 alone" in bad[2][1]
    exp = tx.ensemble("tiny", RUNS, weeks=WEEKS, out=out, workers=1, progress=False)
    assert exp.report.now == 1
    assert exp.runs().run.tolist() == list(range(RUNS))
    assert exp.outcomes().equals(tx.open_experiment(existing).outcomes())


def test_foreign_files_are_reported_never_mixed_in_nor_deleted(
    existing: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    out = tmp_path / "foreign"
    shutil.copytree(existing, out)
    for table in ("runs", "timeseries", "outcomes", "cells"):  # a whole run beyond the plan
        shutil.copyfile(part_path(out, table, 0), part_path(out, table, 99))
    (out / "runs" / "run-5.parquet").write_bytes(part_path(out, "runs", 0).read_bytes())
    (out / "timeseries" / "notes.txt").write_text("mine")
    (out / "failed").mkdir()
    (out / "failed" / "run-0000099.txt").write_text("not of this experiment")
    (out / "failed" / "README").write_text("mine")
    foreign = sorted(Store.of(out).foreign())
    assert len(foreign) == 8
    s = tx.status(out)
    assert (s.done, s.failed, len(s.foreign)) == (RUNS, 0, 8)
    assert "8 foreign files" in "\n".join(s.lines())
    exp = tx.open_experiment(out)
    assert exp.query("SELECT count(*) AS n FROM runs").n[0] == RUNS
    assert exp.outcomes().run.tolist() == list(range(RUNS))
    code, _, err = cli(
        ["ensemble", "tiny", "--runs", str(RUNS), "--weeks", str(WEEKS), "--quiet", "--workers",
         "1", "--out", str(out)], capsys, monkeypatch,
    )  # fmt: skip
    assert code == 0
    assert "8 foreign files" in err and err.count("\n") == 1
    assert sorted(Store.of(out).foreign()) == foreign  # left alone


# --- the scenario loader (issue #13) ---------------------------------------------------------


def test_extends_child_key_inside_a_parent_table_wins(tmp_path: Path) -> None:
    parent = tmp_path / "parent.toml"
    parent.write_text(
        'extends = "tiny"\nname = "parent"\n[power]\npi0 = 0.4\nbeta0 = 0.6\n'
        "[influence]\nmu = 0.2\n"
    )
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\nname = "child"\n[power]\npi0 = 0.45\n')
    sc = load_scenario(child)
    assert (sc.power.pi0, sc.power.beta0, sc.influence.mu) == (0.45, 0.6, 0.2)
    assert sc.power.bistability == load_scenario("tiny").power.bistability


def test_extends_merges_organisations_by_name(tmp_path: Path) -> None:
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "tiny"\nname = "child"\n[[organisations]]\nname = "Democratic Centralists"\n'
        'strategy = "reform"\n[[organisations]]\nname = "New Group"\ncadres = 10\n'
        'strategy = "corpse"\nprogramme = 0.5\nexiled_share = 0.0\n'
    )
    sc, base = load_scenario(child), load_scenario("tiny")
    assert [o.name for o in sc.organisations] == [
        "Left Opposition", "Democratic Centralists", "New Group",
    ]  # fmt: skip
    assert sc.organisations[0] == base.organisations[0]
    dc = sc.organisations[1]
    assert dc.strategy == "reform" and dc.cadres == base.organisations[1].cadres
    by_set = load_scenario("tiny", ["organisations[Democratic Centralists].strategy=reform"])
    assert by_set.organisations == sc.organisations[:2]


def test_show_resolves_and_diff_lists_the_keys(capsys, monkeypatch, tmp_path: Path) -> None:
    code, out, _ = cli(["show", "1928-all-corpse"], capsys, monkeypatch)
    assert code == 0
    (tmp_path / "shown.toml").write_text(out)
    assert load_scenario(tmp_path / "shown.toml") == load_scenario("1928-all-corpse")
    code, out, _ = cli(["diff", "1928", "1928-all-corpse"], capsys, monkeypatch)
    assert code == 0
    keys = [line.split(": ")[0] for line in out.splitlines()]
    assert keys == ["name", "description", "organisations[Left Opposition].strategy"]
    assert out.splitlines()[2].endswith('"reform" -> "corpse"')
    code, out, _ = cli(["diff", "tiny", "tiny", "--set-b", "power.pi0=0.4"], capsys, monkeypatch)
    assert code == 0 and out.splitlines() == [
        f"power.pi0: {load_scenario('tiny').power.pi0} -> 0.4"
    ]


# --- the durability discipline of the store's writes (issue #13) -----------------------------


def test_a_part_is_written_to_a_temporary_file_fsynced_then_renamed(
    tmp_path: Path, monkeypatch
) -> None:
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src, dst) -> None:
        calls.append(("replace", f"{src} -> {dst}"))
        real_replace(src, dst)

    monkeypatch.setattr(store.os, "fsync", fsync)
    monkeypatch.setattr(store.os, "replace", replace)
    target = tmp_path / "t" / "run-0000001.parquet"

    def writer(tmp: Path) -> None:
        assert not target.exists()  # nothing at the target while it is written
        pq.write_table(pa.table({"run": [1]}), tmp)

    write_atomic(target, writer)
    assert [c[0] for c in calls] == ["fsync", "replace"]
    tmp_name = calls[0][1]
    assert Path(tmp_name).parent == target.parent and Path(tmp_name).name.startswith(".")
    assert calls[1][1] == f"{tmp_name} -> {target}"
    assert pq.read_table(target).column("run").to_pylist() == [1]


def test_a_writer_that_raises_halfway_leaves_no_target(tmp_path: Path) -> None:
    target = tmp_path / "t" / "run-0000001.parquet"

    def writer(tmp: Path) -> None:
        tmp.write_bytes(b"PAR1 half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, writer)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # and no temporary file left


def kill_always(counter: str, task: Task) -> dict:
    """Count a start of `task`, then kill this worker process."""
    with open(counter, "a") as fh:
        fh.write(f"{task.run}\n")
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def test_a_run_that_always_kills_its_worker_fails_after_three_starts(tmp_path: Path) -> None:
    """docs: a dead worker's runs are resubmitted, three attempts per run (runner.ATTEMPTS)."""
    counter = tmp_path / "starts"
    exp = tx.ensemble(
        "tiny",
        1,
        weeks=3,
        out=tmp_path / "killer",
        workers=1,
        progress=False,
        task_fn=partial(kill_always, str(counter)),
    )
    assert counter.read_text().splitlines() == ["0", "0", "0"]
    assert runner.ATTEMPTS == 3
    assert exp.report.failed == 1 and exp.status().failed == 1
    assert "BrokenProcessPool" in (tmp_path / "killer" / "failed" / "run-0000000.txt").read_text()


def test_clean_refuses_a_directory_in_place_of_a_part_before_deleting(
    existing: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dir"
    shutil.copytree(existing, out)
    _part_dir(out)
    before = snapshot(out)
    s = Store.of(out)
    with pytest.raises(InputError, match="is not a regular file"):
        s.clean(s.done())
    assert snapshot(out) == before


def test_members_follow_the_manifests_shard(tmp_path: Path) -> None:
    """Shard 1 of 2 of a 5-run experiment holds the odd runs below 5; a shard count below 1 is
    no manifest at all (None), never a division by zero."""
    from thermidor.experiments.store import MANIFEST, members

    def manifest(index: int, count: int):
        (tmp_path / MANIFEST).write_text(
            f"[experiment]\nruns = 5\n[shard]\nindex = {index}\ncount = {count}\n"
        )
        return members(tmp_path)

    mine = manifest(1, 2)
    assert [r for r in range(8) if mine(r)] == [1, 3]
    assert [r for r in range(8) if manifest(0, 1)(r)] == [0, 1, 2, 3, 4]
    assert manifest(0, 0) is None


def test_workers_that_keep_dying_stop_the_experiment(tmp_path: Path) -> None:
    """Every run kills its worker (one worker, a window of two runs): the pool breaks, its runs
    are started again, fail at their third start, the next ones break it again; a fourth
    breakdown with no run finished since (streak > runner.ATTEMPTS) stops the experiment with
    the documented error instead of burning through all six runs' 18 starts."""
    counter = tmp_path / "starts"
    with pytest.raises(RuntimeError, match="keep dying before any run finishes"):
        tx.ensemble(
            "tiny", 6, weeks=3, out=tmp_path / "dying", workers=1, progress=False,
            task_fn=partial(kill_always, str(counter)),
        )  # fmt: skip
    assert len(counter.read_text().splitlines()) < 6 * runner.ATTEMPTS


def test_parts_without_a_recorded_checksum_must_hold_their_run(
    existing: Path, tmp_path: Path
) -> None:
    """A run whose `runs` row records no checksums (a store written before they were): its
    parts are checked by reading them; intact, the run is done; a part holding another run is
    damaged."""
    out = tmp_path / "old"
    shutil.copytree(existing, out)
    runs_part = part_path(out, "runs", 0)
    table = pq.read_table(runs_part)
    pq.write_table(table.drop_columns(list(store.DIGESTS.values())), runs_part)
    assert Store.of(out).damaged() == {} and 0 in Store.of(out).done()
    shutil.copyfile(part_path(out, "timeseries", 1), part_path(out, "timeseries", 0))
    bad = Store.of(out).damaged()
    assert list(bad) == [0] and "is not a readable Parquet file holding run 0" in bad[0][1]


def test_clean_removes_temporary_files_and_parts_of_runs_not_done(
    existing: Path, tmp_path: Path
) -> None:
    out = tmp_path / "stale"
    shutil.copytree(existing, out)
    tmp = out / "timeseries" / ".run-0000001.parquet.123.abcd.tmp"
    tmp.write_bytes(b"half")
    s = Store.of(out)
    done = s.done()
    assert s.clean(done - {2}) == 1 + 4  # the temporary file, and run 2's four parts
    assert not tmp.exists() and not part_path(out, "outcomes", 2).exists()
    assert part_path(out, "outcomes", 1).exists()


def test_the_pack_index_round_trip_and_its_damage(tmp_path: Path) -> None:
    """DIR/packs.json: written whole as one line of compact JSON (atomically: no temporary
    file left), read back as written, oldest first; none is no pack; a damaged one is one
    clear error naming it."""
    packs = [
        {"name": "pack-0000000", "runs": [0, 1, 3], "files": {"timeseries": {"rows": 9}}},
        {"name": "pack-0000001", "runs": [2], "files": {}},
    ]
    assert store.read_packs(tmp_path) == []
    store.write_packs(tmp_path, packs)
    assert sorted(p.name for p in tmp_path.iterdir()) == [store.PACKS]
    text = (tmp_path / store.PACKS).read_text(encoding="utf-8")
    assert text == (
        '{"packs":[{"name":"pack-0000000","runs":[0,1,3],"files":{"timeseries":{"rows":9}}},'
        '{"name":"pack-0000001","runs":[2],"files":{}}]}\n'
    )
    assert store.read_packs(tmp_path) == packs
    store.write_packs(tmp_path, packs[1:])  # replaced, not appended
    assert store.read_packs(tmp_path) == packs[1:]
    (tmp_path / store.PACKS).write_text('{"packs": [', encoding="utf-8")
    with pytest.raises(InputError, match="packs.json: is not a readable pack index"):
        store.read_packs(tmp_path)


def test_pack_index_verdicts_and_cleaning_by_hand(tmp_path: Path) -> None:
    """Packs written here: pack 1 (runs 0, 1) with the SHA-256 of its files, pack 2 (run 2) with
    a checksum no file has (all zeros, below any real one). Pack 1 is sound, pack 2 damaged,
    each run verified against its own pack; cleaning with runs 0 and 1 done drops pack 2 from
    the index and removes its 4 files and a pack file no index lists, and nothing else."""

    def write(table: str, name: str) -> str:
        path = tmp_path / table / f"{name}.parquet"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(f"{table} {name}".encode())
        return hashlib.sha256(path.read_bytes()).hexdigest()

    tables = ("runs", "timeseries", "outcomes", "cells")
    one = {"name": "pack-0000001", "runs": [0, 1],
           "files": {t: {"sha256": write(t, "pack-0000001")} for t in tables}}  # fmt: skip
    two = {"name": "pack-0000002", "runs": [2],
           "files": {t: {"sha256": "0" * 64} for t in tables}}  # fmt: skip
    for t in tables:
        write(t, "pack-0000002")
    store.write_packs(tmp_path, [one, two])
    write("timeseries", "pack-0000009")  # left by a compaction cut short
    (tmp_path / "cells" / "notes.txt").write_text("mine")
    s = Store(tmp_path)
    assert store.pack_path(tmp_path, "cells", "pack-0000002") == (
        tmp_path / "cells" / "pack-0000002.parquet"
    )
    assert s.pack_verdict(one) is None and s.verify(0) is None and s.verify(1) is None
    bad = (tmp_path / "runs" / "pack-0000002.parquet",
           "does not have the checksum recorded when it was compacted")  # fmt: skip
    assert s.pack_verdict(two) == bad and s.verify(2) == bad
    assert s.damaged() == {2: bad}  # the damaged pack's run, not the sound pack's
    assert Store(tmp_path)._clean_packs({0, 1}) == 5
    assert store.read_packs(tmp_path) == [one]
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted(
        ["cells/notes.txt", "packs.json", *(f"{t}/pack-0000001.parquet" for t in tables)]
    )


def test_verify_reports_a_failure_record_gone_since_it_was_listed(tmp_path: Path) -> None:
    """A failure record listed but gone when read (an OSError): reported in its place, not a
    traceback."""
    s = Store(tmp_path)
    s._listed = lambda table: {1} if table == store.FAILED else set()
    (text,) = s.failed().values()
    assert list(s.failed()) == [1]
    assert text.startswith("(the failure record cannot be read: ") and "No such file" in text


def test_verify_reports_a_runs_part_it_cannot_read_not_a_traceback(tmp_path: Path) -> None:
    """A runs part that cannot be opened (gone since it was listed: an OSError, not a Parquet
    error) is reported as the bad part, like a garbled one."""
    s = Store(tmp_path)
    path = part_path(tmp_path, "runs", 3)
    bad = s.verify(3)
    assert bad is not None and bad[0] == path
    assert bad[1].startswith("is not a readable Parquet file (")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not parquet")
    assert s.verify(3)[0] == path and "is not a readable Parquet file (" in s.verify(3)[1]


def raise_in_run_1(task: Task) -> dict:
    if task.run == 1:
        raise ValueError("no run 1 today")
    return tx.run_task(task)


def test_sessions_count_what_was_done_failed_and_left(tmp_path: Path) -> None:
    """Four runs, run 1 raising: the first session does 3, fails 1 (recorded with its error,
    no traceback out of the session), leaves 1; its log says 0 done and 4 to do at the start.
    The next session starts with 3 done and 1 to do, does it, and leaves none."""
    from concurrent.futures import ThreadPoolExecutor

    out = tmp_path / "e"
    with ThreadPoolExecutor(2) as pool:
        first = tx.ensemble("tiny", 4, weeks=3, out=out, executor=pool, task_fn=raise_in_run_1)
    r = first.report
    assert (r.before, r.now, r.failed, r.left) == (0, 3, 1, 1)
    assert "ValueError: no run 1 today" in (out / "failed" / "run-0000001.txt").read_text()
    with ThreadPoolExecutor(2) as pool:
        again = tx.ensemble("tiny", 4, weeks=3, out=out, executor=pool)
    r = again.report
    assert (r.before, r.now, r.failed, r.left) == (3, 1, 0, 0)
    log = Store(out).sessions()
    starts = [(e["done"], e["todo"]) for e in log if e["event"] == "start"]
    ends = [e["done"] for e in log if e["event"] == "end"]
    assert starts == [(0, 4), (3, 1)] and ends == [3, 1]
