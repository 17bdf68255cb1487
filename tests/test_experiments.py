"""Ensembles on every executor, sharding and merging, and resuming after a crash.

All use the `tiny` scenario over 20 weeks (a few hundredths of a second a run) and a handful of
runs. The reference is an ensemble on a one-worker process pool; every other way of running the
same experiment must give identical tables.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import thermidor
import thermidor.experiments as tx
from thermidor.errors import InputError
from thermidor.experiments.plan import Task
from thermidor.experiments.store import part_path

RUNS, WEEKS = 6, 20
BIN = Path(sys.executable).parent


def same_results(a: tx.Experiment, b: tx.Experiment, runs: int | None = None) -> None:
    """The outcomes, time series and cells of `a` equal those of `b` (first `runs` runs)."""
    for name in ("outcomes", "timeseries", "cells"):
        x, y = getattr(a, name)(), getattr(b, name)()
        if runs is not None:
            x = x[x.run < runs].reset_index(drop=True)
            y = y[y.run < runs].reset_index(drop=True)
        assert len(x) > 0
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def no_duplicates(exp: tx.Experiment, runs: int) -> None:
    """Every table holds each run exactly once (and each run-week once)."""
    for table, key in (("runs", "run"), ("outcomes", "run"), ("timeseries", "run, week")):
        n, distinct, nruns = exp.query(
            f"SELECT count(*), count(DISTINCT ({key})), count(DISTINCT run) FROM {table}"
        ).iloc[0]
        assert n == distinct and nruns == runs, table


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tx.Experiment:
    out = tmp_path_factory.mktemp("ref") / "ens"
    return tx.ensemble("tiny", RUNS, weeks=WEEKS, out=out, workers=1)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_reference_is_the_documented_seeding(reference: tx.Experiment) -> None:
    s = reference.status()
    assert (s.done, s.left, s.failed) == (RUNS, 0, 0)
    no_duplicates(reference, RUNS)
    runs = reference.runs()
    assert list(runs.run) == list(range(RUNS)) and set(runs.point) == {0}
    assert list(runs.replicate) == list(range(RUNS))
    # run 3 is simulate(seed=SeedSequence(root).spawn(n)[3]), whoever ran it
    sc = thermidor.load_scenario("tiny", weeks=WEEKS)
    direct = thermidor.simulate(sc, seed=np.random.SeedSequence(sc.seed).spawn(RUNS)[3])
    ts = reference.timeseries()
    mine = ts[ts.run == 3].drop(columns="run").reset_index(drop=True)
    expected = direct.timeseries.to_pandas()
    expected["date"] = pd.to_datetime(expected["date"]).astype(mine["date"].dtype)
    pd.testing.assert_frame_equal(mine, expected, check_exact=True)
    # different runs are different draws
    assert ts[ts.run == 0].worker_x.tolist() != ts[ts.run == 1].worker_x.tolist()


def test_same_tables_whatever_the_executor(
    reference: tx.Experiment, dask_client, tmp_path: Path
) -> None:
    two = tx.ensemble("tiny", RUNS, weeks=WEEKS, out=tmp_path / "p2", workers=2)
    same_results(reference, two)

    dask = tx.ensemble(
        "tiny", RUNS, weeks=WEEKS, out=tmp_path / "dask", executor=dask_client.get_executor()
    )
    same_results(reference, dask)

    for i in (0, 1):
        tx.ensemble("tiny", RUNS, weeks=WEEKS, out=tmp_path / f"s{i}", workers=1, shard=f"{i}/2")
    assert tx.open_experiment(tmp_path / "s1").status().done == RUNS // 2
    merged = tx.merge([tmp_path / "s0", tmp_path / "s1"], tmp_path / "merged")
    same_results(reference, merged)
    no_duplicates(merged, RUNS)


def test_same_tables_under_mpiexec(reference: tx.Experiment, tmp_path: Path) -> None:
    pytest.importorskip("mpi4py")
    mpiexec = BIN / "mpiexec"
    if not mpiexec.exists():
        pytest.skip("no mpiexec beside the interpreter (pip install mpich)")
    out = tmp_path / "mpi"
    cmd = [str(mpiexec), "-n", "3", sys.executable, "-m", "mpi4py.futures"]
    cmd += ["-m", "thermidor.experiments", "ensemble", "tiny", "--runs", str(RUNS)]
    cmd += ["--weeks", str(WEEKS), "--out", str(out), "--executor", "mpi", "--quiet"]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr
    mpi = tx.open_experiment(out)
    same_results(reference, mpi)
    assert mpi.runs().pid.nunique() == 2  # two worker ranks, rank 0 only schedules


def children(pid: int) -> list[int]:
    """The pids of the live children of process `pid` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _count(folder: Path) -> int:
    return len(list(folder.glob("run-*.parquet"))) if folder.is_dir() else 0


def test_killed_ensemble_resumes_without_duplicates(tmp_path: Path) -> None:
    runs, weeks = 20, 52
    out = tmp_path / "killed"
    cmd = [str(BIN / "thermidor"), "ensemble", "tiny", "--runs", str(runs), "--weeks"]
    cmd += [str(weeks), "--out", str(out), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(out / "runs") < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    helpers = children(proc.pid)  # the fork server and resource tracker of its process pool
    assert helpers
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    interrupted = tx.open_experiment(out).status()
    assert 3 <= interrupted.done < runs, "the ensemble finished before it could be killed"
    assert interrupted.done + interrupted.left == runs
    assert interrupted.running_pid is None  # the OS released the dead process's lock

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    resumed = tx.open_experiment(out)
    assert resumed.status().done == runs
    no_duplicates(resumed, runs)
    assert not list(out.rglob("*.tmp"))
    while any(Path(f"/proc/{p}").exists() for p in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in helpers if Path(f"/proc/{p}").exists()], "orphans left computing"
    start = [s for s in resumed.sessions() if s["event"] == "start"][-1]
    assert (start["done"], start["todo"]) == (interrupted.done, runs - interrupted.done)

    whole = tx.ensemble("tiny", runs, weeks=weeks, out=tmp_path / "whole", workers=2)
    same_results(whole, resumed)


def test_partial_and_corrupt_parts_are_recomputed(reference: tx.Experiment, tmp_path: Path) -> None:
    out = tmp_path / "damaged"
    shutil.copytree(reference.path, out)
    ts2 = part_path(out, "timeseries", 2)
    ts2.write_bytes(ts2.read_bytes()[: ts2.stat().st_size // 2])  # truncated
    part_path(out, "runs", 4).unlink()  # data parts written, never committed
    part_path(out, "outcomes", 5).write_bytes(b"PAR1 not parquet at all")
    (out / "cells" / ".run-0000001.parquet.123.abcd.tmp").write_bytes(b"half a file")
    assert tx.open_experiment(out).status().done == RUNS - 1  # names only: 2 and 5 look done

    exp = tx.ensemble("tiny", RUNS, weeks=WEEKS, out=out, workers=1)
    assert exp.report.now == 3 and exp.report.before == RUNS - 3
    same_results(reference, exp)
    no_duplicates(exp, RUNS)
    assert not list(out.rglob("*.tmp"))


def kill_worker_once(marker: str, task: Task) -> dict:
    """Run `task`, but first kill this worker process, once in the whole experiment."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return tx.run_task(task)
    os.write(fd, f"{task.run} {os.getpid()}".encode())
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def test_run_on_a_killed_dask_worker_is_retried(
    reference: tx.Experiment, dask_client, tmp_path: Path
) -> None:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = tmp_path / "killed-once"
    exp = tx.ensemble(
        "tiny",
        4,
        weeks=WEEKS,
        out=tmp_path / "dask-kill",
        executor=dask_client.get_executor(),
        task_fn=partial(kill_worker_once, str(marker)),
    )
    killed_run, killed_pid = map(int, marker.read_text().split())
    assert exp.report.failed == 0 and exp.status().done == 4
    runs = exp.runs()
    assert killed_pid not in set(runs.pid)  # the run was redone by another worker process
    assert killed_run in set(runs.run)
    same_results(reference, exp, runs=4)


def test_a_dead_local_worker_is_replaced_and_its_run_redone(
    reference: tx.Experiment, tmp_path: Path
) -> None:
    marker = tmp_path / "killed-once"
    exp = tx.ensemble(
        "tiny",
        4,
        weeks=WEEKS,
        out=tmp_path / "pool-kill",
        workers=2,
        task_fn=partial(kill_worker_once, str(marker)),
    )
    killed_run, killed_pid = map(int, marker.read_text().split())
    assert exp.report.failed == 0 and exp.status().done == 4
    assert killed_pid not in set(exp.runs().pid) and killed_run in set(exp.runs().run)
    same_results(reference, exp, runs=4)


def test_second_writer_is_refused(reference: tx.Experiment, tmp_path: Path) -> None:
    out = tmp_path / "locked"
    shutil.copytree(reference.path, out)
    with open(out / ".lock", "r+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.truncate()
        fh.write("4242\n")
        fh.flush()
        assert tx.open_experiment(out).status().running_pid == 4242
        with pytest.raises(InputError, match="being written by another process"):
            tx.ensemble("tiny", RUNS, weeks=WEEKS, out=out, workers=1)


def test_merge_refuses_a_shard_of_another_experiment(tmp_path: Path) -> None:
    tx.ensemble("tiny", 4, weeks=WEEKS, out=tmp_path / "a", workers=1, shard="0/2")
    tx.ensemble("tiny", 4, weeks=WEEKS, seed=7, out=tmp_path / "b", workers=1, shard="1/2")
    with pytest.raises(InputError, match="another experiment.*scenario differs"):
        tx.merge([tmp_path / "a", tmp_path / "b"], tmp_path / "m")
    assert not (tmp_path / "m").exists()
    with pytest.raises(InputError, match="holds shard 0/2 of this experiment, not 1/2"):
        tx.ensemble("tiny", 4, weeks=WEEKS, out=tmp_path / "a", workers=1, shard="1/2")
