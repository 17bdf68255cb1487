"""The experiment commands: bad input (one line, exit 2, nothing stored touched), query, status,
and failed runs (recorded, retried)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import thermidor.experiments as tx
from thermidor.cli import main
from thermidor.experiments.plan import Task

WEEKS = "20"


def cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """Run the command line in this process: (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["thermidor", *args])
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under `root` with its size, mtime and digest."""
    return {
        str(p.relative_to(root)): (
            p.stat().st_size,
            p.stat().st_mtime_ns,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def existing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "ens"
    tx.ensemble("tiny", 4, weeks=int(WEEKS), out=out, workers=1)
    return out


ENS = ["ensemble", "tiny", "--runs", "4", "--weeks", WEEKS, "--quiet"]
SWEEP = ["sweep", "tiny", "--weeks", WEEKS, "--quiet"]
BAD = [
    (SWEEP + ["--vary", "influence.nope=0:1:2"], "--vary: influence.nope: unknown key"),
    (SWEEP + ["--vary", "influence.mu=0.5:0.1:2"], "LOW must be below HIGH (got 0.5:0.1)"),
    (
        SWEEP + ["--vary", "influence.mu=0.1:0.5", "--design", "sobol", "--samples", "3"],
        "--samples: sobol needs a power of two",
    ),  # fmt: skip
    (SWEEP + ["--vary", "influence.mu=0.1:0.5", "--design", "lhs"], "lhs needs --samples >= 2"),
    (SWEEP + ["--vary", "influence.mu=0.1:0.5:1"], "grid needs STEPS >= 2"),
    (SWEEP + ["--vary", "influence.mu=0.1:0.5:2", "--runs-per-point", "0"], "--runs-per-point"),
    (SWEEP + ["--vary", "influence.mu=0.1:0.5:2"], "it is an ensemble, not a sweep"),
    (ENS + ["--seed", "9"], "holds another experiment (its scenario differs"),
    (["ensemble", "tiny", "--runs", "5", "--weeks", WEEKS], "it has 4 runs"),
    (ENS + ["--set", "influence.nope=1"], "influence.nope: unknown key"),
    (ENS + ["--shard", "2/2"], "--shard: needs 0 <= I < N"),
    (ENS + ["--shard", "1-2"], "--shard: '1-2' is not of the form I/N"),
    (ENS + ["--shard", "1/2"], "holds shard 0/1 of this experiment, not 1/2"),
    (ENS + ["--executor", "spark"], "--executor: 'spark' is not an executor"),
    (ENS + ["--executor", "mpi"], "mpi needs an MPI launcher"),
    (ENS + ["--scheduler", "tcp://127.0.0.1:9"], "--scheduler: is for --executor dask"),
    (ENS + ["--workers", "0"], "--workers: must be at least 1"),
    (["ensemble", "tiny", "--runs", "0"], "--runs: must be a whole number >= 1"),
    (["ensemble", "tiny", "--weeks", WEEKS], "Missing option '--runs'"),
    (
        ENS + ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1"],
        "--scheduler: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'",
    ),  # fmt: skip
]
EXISTING_ONLY = ("another experiment", "not a sweep", "it has 4 runs", "holds shard")


@pytest.mark.parametrize(("args", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_input_is_one_line_exit_2_nothing_touched(
    existing: Path, tmp_path: Path, args: list[str], message: str, capsys, monkeypatch
) -> None:
    about_existing = any(m in message for m in EXISTING_ONLY)
    for out in [existing] + ([] if about_existing else [tmp_path / "new"]):
        before = snapshot(existing)
        code, _, stderr = cli([*args, "--out", str(out)], capsys, monkeypatch)
        assert code == 2, stderr
        assert stderr.startswith("thermidor: error: ") and stderr.count("\n") == 1, stderr
        assert message in " ".join(stderr.split()), stderr
        assert snapshot(existing) == before
        assert not (tmp_path / "new").exists()


def test_a_directory_with_other_things_is_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    code, _, stderr = cli([*ENS, "--out", str(tmp_path)], capsys, monkeypatch)
    assert code == 2 and "holds no experiment" in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_bad_input_from_the_console_script(existing: Path) -> None:
    before = snapshot(existing)
    exe = Path(sys.executable).parent / "thermidor"
    proc = subprocess.run(
        [str(exe), "sweep", "tiny", "--vary", "influence.mu=0.5:0.1", "--out", str(existing)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "thermidor: error: --vary: influence.mu: LOW must be below HIGH (got 0.5:0.1)"
    ]
    assert snapshot(existing) == before


def test_query_prints_and_exports(existing: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    sql = "SELECT count(*) AS n, count(DISTINCT run) AS runs FROM timeseries"
    code, out, _ = cli(["query", str(existing), sql], capsys, monkeypatch)
    assert code == 0
    assert out.split()[:4] == ["n", "runs", str(4 * (int(WEEKS) + 1)), "4"]

    csv = tmp_path / "o.csv"
    q = "SELECT run, outcome, pi FROM outcomes ORDER BY run"
    code, out, _ = cli(["query", str(existing), q, "--csv", str(csv)], capsys, monkeypatch)
    assert code == 0 and "4 rows written" in out
    table = pd.read_csv(csv)
    assert list(table.run) == [0, 1, 2, 3]
    expected = tx.open_experiment(existing).outcomes()
    assert table.pi.tolist() == pytest.approx(expected.pi.tolist(), rel=1e-12)

    code, _, err = cli(["query", str(existing), q, "--csv", str(csv)], capsys, monkeypatch)
    assert code == 2 and "exists (use --force" in err
    pq = tmp_path / "o.parquet"
    code, _, _ = cli(["query", str(existing), q, "--parquet", str(pq)], capsys, monkeypatch)
    assert code == 0 and pd.read_parquet(pq).shape == (4, 3)

    for bad, message in [
        ("SELEC 1", "query: Parser Error"),
        ("SELECT nope FROM outcomes", "query: Binder Error"),
        ("SELECT * FROM elsewhere", "query: Catalog Error"),
    ]:
        code, _, err = cli(["query", str(existing), bad], capsys, monkeypatch)
        assert code == 2 and message in err and err.count("\n") == 1, err
    code, _, err = cli(["query", str(tmp_path), "SELECT 1"], capsys, monkeypatch)
    assert code == 2 and "is not an experiment directory" in err


def test_status_counts(existing: Path, capsys, monkeypatch) -> None:
    code, out, _ = cli(["status", str(existing)], capsys, monkeypatch)
    assert code == 0
    assert "runs: 4, done 4, left 0, failed 0" in out and "ensemble of tiny" in out


def fails_on_run_1(task: Task) -> dict:
    if task.run == 1:
        raise ValueError("boom in run 1")
    return tx.run_task(task)


def test_a_failed_run_is_recorded_then_retried(tmp_path: Path, capsys, monkeypatch) -> None:
    out = tmp_path / "flaky"
    with ThreadPoolExecutor(2) as pool:  # any concurrent.futures executor will do
        exp = tx.ensemble("tiny", 4, weeks=20, out=out, executor=pool, task_fn=fails_on_run_1)
    assert (exp.report.now, exp.report.failed, exp.report.left) == (3, 1, 1)
    s = exp.status()
    assert (s.done, s.failed, s.left) == (3, 1, 1)
    assert s.failures == {1: "ValueError: boom in run 1"}
    assert s.eta_seconds is not None and s.eta_seconds > 0
    code, text, _ = cli(["status", str(out)], capsys, monkeypatch)
    assert "failed run 1: ValueError: boom in run 1" in text and "the rest should take" in text

    code, text, _ = cli([*ENS, "--out", str(out)], capsys, monkeypatch)
    assert code == 0 and "4/4 runs done" in text and "(1 now, 3 before, 0 failed" in text
    assert tx.open_experiment(out).status().failures == {}
    assert not (out / "failed" / "run-0000001.txt").exists()


def claims_done_without_parts(task: Task) -> dict:
    return {"run": task.run, "seconds": 0.0, "outcome": "?", "host": "elsewhere", "pid": 1}


def test_a_run_whose_parts_are_not_on_disk_is_not_committed(tmp_path: Path) -> None:
    with ThreadPoolExecutor(1) as pool:
        exp = tx.ensemble(
            "tiny",
            2,
            weeks=20,
            out=tmp_path / "x",
            executor=pool,
            task_fn=claims_done_without_parts,
        )
    assert (exp.report.now, exp.report.failed) == (0, 2)
    assert "not in the experiment directory" in exp.status().failures[0]
    assert not list((tmp_path / "x" / "runs").iterdir())
