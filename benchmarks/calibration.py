"""How long a calibration takes on each executor: one process, a local pool, Dask, MPI.

    python benchmarks/calibration.py --population 30 --generations 2 [--workers 2]

Runs the same `thermidor calibrate` (the built-in targets and priors, scale 1:1000, fresh output
directories under a temporary folder) in this process, on a local process pool of `--workers`,
on a Dask LocalCluster of as many workers, and under `mpiexec -n workers+1` (rank 0 runs
pyabc, the others simulate), and prints a markdown table: wall seconds, simulations, simulations
a second, and the 1-minute load before and after each. A cluster is the same command with
`--executor dask --scheduler ADDRESS` or under the cluster's MPI launcher.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def calibrate(out: Path, executor: str, workers: int, args: argparse.Namespace) -> list[str]:
    cmd = [
        "calibrate", "1928", "--out", str(out), "--population", str(args.population),
        "--generations", str(args.generations), "--seed", str(args.seed), "--quiet",
    ]  # fmt: skip
    if executor == "mpi":
        launcher = [str(BIN / "mpiexec"), "-n", str(workers + 1), sys.executable]
        return [*launcher, "-m", "mpi4py.futures", "-m", "thermidor", *cmd, "--executor", "mpi"]
    return [sys.executable, "-m", "thermidor", *cmd, "--executor", executor,
            "--workers", str(workers)]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=30)
    ap.add_argument("--generations", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cases = [("process", 1), ("process", args.workers), ("dask", args.workers),
             ("mpi", args.workers)]  # fmt: skip
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    print(f"population {args.population}, generations {args.generations}, scale 1:1000\n")
    print("| executor | workers | wall s | simulations | simulations/s | load before → after |")
    print("|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for executor, workers in cases:
            out = Path(tmp) / f"{executor}-{workers}"
            load0 = os.getloadavg()[0]
            t0 = time.perf_counter()
            proc = subprocess.run(
                calibrate(out, executor, workers, args), capture_output=True, text=True, env=env
            )
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                print(f"| {executor} | {workers} | failed: {proc.stderr.strip()[-200:]} |||")
                continue
            sims = json.loads((out / "history.json").read_text())["simulations"]
            print(
                f"| {executor} | {workers} | {wall:.1f} | {sims} | {sims / wall:.2f} | "
                f"{load0:.1f} → {os.getloadavg()[0]:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
