"""The executors an experiment runs on: a local process pool, Dask, or MPI.

`open_pool(name, workers, scheduler)` gives a `Pool`: a `concurrent.futures.Executor`, how many
runs it works on at once, and (for the process pool, which this module owns) a way to start a
fresh one when a worker process died. A caller's own executor is wrapped by `wrap`.

* `process`: `ProcessPoolExecutor` with the forkserver start method (safe with the progress
  thread of the parent); each worker exits on its own if the parent dies (a SIGKILL leaves no
  orphans computing on).
* `dask`: `distributed.Client(ADDRESS).get_executor()`, or a `LocalCluster` of `workers`
  one-thread worker processes without an address. Dask reschedules the runs of a worker that died.
* `mpi`: `mpi4py.futures.MPIPoolExecutor`, under `mpiexec -n K+1 python -m mpi4py.futures -m
  thermidor.experiments ...` (K workers), or `mpiexec -n 1 thermidor ... --workers K` where the MPI
  library can spawn processes (MPICH's Hydra can).
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from thermidor.errors import InputError

EXECUTORS = ("process", "dask", "mpi")
MAX_WORKERS = 1024  # processes one command may start (a cluster's scheduler brings its own)


@dataclass
class Pool:
    """An executor, its concurrency, a label for messages, and a restart for broken pools."""

    executor: Executor
    workers: int
    label: str
    restart: Callable[[], Executor] | None = None


def _worker_init() -> None:
    """In each pool worker: exit as soon as the process that owns the pool is gone.

    The sentinel of `multiprocessing.parent_process()` becomes ready when the owner dies, even
    under forkserver (where the worker's OS parent is the fork server, which would otherwise
    keep the orphaned workers, and itself, alive).
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="thermidor-parent-watch", daemon=True).start()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A local process pool of `workers` processes (forkserver, parent-death watch)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["thermidor.experiments.task"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)


def wrap(executor: Executor, workers: int | None = None) -> Pool:
    """A caller's executor as a `Pool` (its concurrency guessed unless `workers` is given)."""
    n = workers or getattr(executor, "_max_workers", None)
    client = getattr(executor, "_client", None)
    if n is None and client is not None:
        with contextlib.suppress(Exception):
            n = sum(client.nthreads().values())
    n = n or getattr(executor, "num_workers", None) or os.cpu_count() or 1
    return Pool(executor, int(n), type(executor).__name__)


def check_options(name: str, workers: int | None, scheduler: str | None) -> None:
    """InputError unless `name` is an executor and `workers`, `scheduler` suit it."""
    if name not in EXECUTORS:
        raise InputError("--executor", f"{name!r} is not an executor (allowed: process, dask, mpi)")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise InputError(
            "--workers", f"must be at least 1 and at most {MAX_WORKERS} (got {workers})"
        )
    if scheduler is not None and name != "dask":
        raise InputError("--scheduler", "is for --executor dask")


@contextlib.contextmanager
def open_pool(
    name: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = 10.0,
) -> Iterator[Pool]:
    """Start executor `name` and shut it down afterwards; InputError if it cannot start."""
    check_options(name, workers, scheduler)
    if not (math.isfinite(connect_timeout) and 0 < connect_timeout <= 3600):
        raise InputError(
            "--connect-timeout", f"must be above 0 and at most 3600 seconds (got {connect_timeout})"
        )
    if name == "process":
        n = workers or os.cpu_count() or 1
        holder = {"ex": process_pool(n)}

        def restart() -> Executor:
            holder["ex"].shutdown(wait=False, cancel_futures=True)
            holder["ex"] = process_pool(n)
            return holder["ex"]

        try:
            yield Pool(holder["ex"], n, f"process ({n} workers)", restart)
        finally:
            holder["ex"].shutdown(wait=True, cancel_futures=True)
    elif name == "dask":
        with _dask(workers, scheduler, connect_timeout) as pool:
            yield pool
    else:
        with _mpi(workers) as pool:
            yield pool


@contextlib.contextmanager
def _dask(workers: int | None, scheduler: str | None, timeout: float) -> Iterator[Pool]:
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        label = f"dask LocalCluster ({n} workers)"
    else:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError(
                "--scheduler",
                f"cannot reach the Dask scheduler at {scheduler!r} within {timeout:g} s "
                f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})",
            ) from None
        label = f"dask {scheduler}"
    try:
        n = sum(client.nthreads().values()) or workers or 1
        yield Pool(client.get_executor(), n, label)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def under_mpi() -> bool:
    """True if this process was started by an MPI launcher (mpiexec, srun)."""
    keys = ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS")
    return any(k in os.environ for k in keys)


@contextlib.contextmanager
def _mpi(workers: int | None) -> Iterator[Pool]:
    if not under_mpi():
        raise InputError(
            "--executor",
            "mpi needs an MPI launcher: mpiexec -n K+1 python -m mpi4py.futures -m "
            "thermidor.experiments ensemble ... --executor mpi",
        )
    try:
        from mpi4py.futures import MPIPoolExecutor
    except ImportError as err:
        raise InputError("--executor", f"mpi needs mpi4py ({err}); pip install mpi4py") from None
    ex = MPIPoolExecutor(max_workers=workers) if workers else MPIPoolExecutor()
    try:
        n = ex.num_workers
        if n < 1:
            raise InputError(
                "--executor", "mpi found no worker processes (start with mpiexec -n 2 or more)"
            )
        yield Pool(ex, n, f"mpi ({n} workers)")
    finally:
        ex.shutdown(wait=True)
