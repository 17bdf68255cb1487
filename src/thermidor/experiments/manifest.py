"""The manifest `experiment.toml`: what the experiment is, and the check that a command matches.

    [experiment]  kind, id, runs, runs_per_point, points, root_seed, weeks, scenario_hash,
                  created, version, git (when the package runs from a git checkout), command
    [shard]       index, count (a shard's directory only)
    [design]      a sweep's design: name, points, samples, options, matrix digest, [[design.vary]]
    [scenario]    the resolved scenario, loadable again

`id` is the SHA-256 of the identity (kind, scenario hash, runs, runs per point, design); the
version and git revision are recorded, not compared (each run's version is in the `runs` table).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import tomli_w

from thermidor import __version__
from thermidor.errors import InputError
from thermidor.experiments.plan import Plan, Shard
from thermidor.experiments.store import DESIGN, LOCK, LOG, MANIFEST, write_table, write_text
from thermidor.scenario.load import validate
from thermidor.scenario.schema import Scenario


@cache
def git_revision() -> str | None:
    """The git revision of the package's checkout (with '+dirty'), or None outside git."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def build(plan: Plan, command: str | None = None) -> dict[str, Any]:
    """The manifest of `plan` as plain data."""
    sc = plan.scenario
    ident = plan.identity()
    exp: dict[str, Any] = {
        "kind": plan.kind,
        "id": plan.experiment_id(),
        "runs": plan.n_runs,
        "runs_per_point": plan.runs_per_point,
        "points": plan.n_points,
        "root_seed": sc.seed,
        "weeks": sc.weeks,
        "scenario": sc.name,
        "scenario_hash": ident["scenario_hash"],
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "version": __version__,
        "command": command or " ".join(["thermidor", *sys.argv[1:]]),
    }
    rev = git_revision()
    if rev:
        exp["git"] = rev
    out: dict[str, Any] = {"experiment": exp}
    if plan.shard.count > 1:
        out["shard"] = {"index": plan.shard.index, "count": plan.shard.count}
    if plan.design is not None:
        out["design"] = plan.design.describe()
    out["scenario"] = sc.model_dump(mode="python", exclude_none=True)
    return out


def read(root: Path) -> dict[str, Any] | None:
    """The manifest of directory `root`, or None if it has none; InputError if unreadable."""
    path = root / MANIFEST
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(str(path), f"is not a readable experiment manifest ({err})") from None
    problem = _incomplete(data)
    if problem:
        raise InputError(str(path), f"is not a complete experiment manifest ({problem})")
    return data


def _incomplete(data: dict[str, Any]) -> str | None:
    """What is missing or wrong in a manifest's plain data, or None."""
    exp = data.get("experiment")
    if not isinstance(exp, dict):
        return "no [experiment] table"
    for key, kind in (("id", str), ("kind", str), ("scenario", str), ("runs", int)):
        if not isinstance(exp.get(key), kind) or isinstance(exp.get(key), bool):
            what = "a whole number" if kind is int else "a string"
            return f"experiment.{key} is missing or not {what}"
    if exp["kind"] not in ("ensemble", "sweep"):
        return f"experiment.kind is {exp['kind']!r}, not ensemble or sweep"
    if exp["runs"] < 1:
        return "experiment.runs is below 1"
    shard = data.get("shard")
    if shard is not None:
        ok = isinstance(shard, dict) and all(
            isinstance(shard.get(k), int) and not isinstance(shard.get(k), bool)
            for k in ("index", "count")
        )
        if not ok or not 0 <= shard["index"] < shard["count"]:
            return "[shard] needs whole numbers 0 <= index < count"
    if not isinstance(data.get("scenario"), dict):
        return "no [scenario] table"
    if exp["kind"] == "sweep" and not isinstance(data.get("design"), dict):
        return "a sweep without a [design] table"
    return None


def require(root: Path) -> dict[str, Any]:
    """The manifest of experiment directory `root`; InputError if it is not one."""
    if not root.is_dir():
        raise InputError(str(root), "no such experiment directory")
    data = read(root)
    if data is None:
        raise InputError(str(root), f"is not an experiment directory (no {MANIFEST})")
    return data


def shard_of(data: dict[str, Any]) -> Shard:
    """The shard a manifest describes (0/1 when whole)."""
    s = data.get("shard")
    return Shard(int(s["index"]), int(s["count"])) if s else Shard()


def scenario_of(data: dict[str, Any], root: Path | None = None) -> Scenario:
    """The resolved scenario recorded in a manifest (InputError naming it if invalid)."""
    source = str((root or Path(".")) / MANIFEST) if root is not None else MANIFEST
    table = {k: v for k, v in data["scenario"].items()}
    return validate(table, source, prefix="scenario")


def differences(data: dict[str, Any], plan: Plan) -> list[str]:
    """How the experiment in a manifest differs from `plan` (empty if it is the same)."""
    return compare(data, build(plan))


def compare(theirs: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """How the experiment of manifest `theirs` differs from that of `ours` (empty if the same)."""
    a, b = theirs["experiment"], ours["experiment"]
    if a["id"] == b["id"]:
        return []
    out = []
    if a.get("kind") != b.get("kind"):
        out.append(f"it is {_a(a.get('kind'))}, not {_a(b.get('kind'))}")
    if a.get("scenario_hash") != b.get("scenario_hash"):
        out.append(
            f"its scenario differs ({a.get('scenario')} {str(a.get('scenario_hash'))[:12]} vs "
            f"{b.get('scenario')} {str(b.get('scenario_hash'))[:12]}: seed, weeks, --set or the "
            "file)"
        )
    if a.get("runs") != b.get("runs") or a.get("runs_per_point") != b.get("runs_per_point"):
        out.append(
            f"it has {a.get('runs')} runs ({a.get('runs_per_point')} per point), not "
            f"{b.get('runs')} ({b.get('runs_per_point')} per point)"
        )
    if a.get("kind") == b.get("kind") and theirs.get("design") != ours.get("design"):
        out.append("its design differs")
    return out or ["its identity differs"]


def _a(kind: Any) -> str:
    return {"ensemble": "an ensemble", "sweep": "a sweep"}.get(str(kind), repr(kind))


def check_dir(root: Path, plan: Plan) -> bool:
    """Refuse (InputError) a directory holding anything but this plan's experiment and shard.

    Returns True if the directory already holds the experiment (a resume). Reads only.
    """
    if root.exists() and not root.is_dir():
        raise InputError(str(root), "exists and is not a directory")
    data = read(root) if root.is_dir() else None
    if data is None:
        if root.is_dir() and any(p.name not in (LOCK, LOG) for p in root.iterdir()):
            raise InputError(
                str(root), f"exists, is not empty and holds no experiment (no {MANIFEST})"
            )
        return False
    diff = differences(data, plan)
    if diff:
        raise InputError(
            str(root),
            "holds another experiment (" + "; ".join(diff) + "); use another --out",
        )
    theirs = shard_of(data)
    if theirs != plan.shard:
        raise InputError(
            str(root),
            f"holds shard {theirs} of this experiment, not {plan.shard}; give each shard its own "
            "--out and join them with `thermidor merge`",
        )
    return True


def create(root: Path, plan: Plan, command: str | None = None) -> None:
    """Write the manifest (and a sweep's design table) of a new experiment, atomically."""
    if plan.design is not None:
        write_table(root / DESIGN, plan.design.to_table())
    write_text(root / MANIFEST, tomli_w.dumps(build(plan, command)))


def write(root: Path, data: dict[str, Any]) -> None:
    """Write manifest `data` to `root` atomically."""
    write_text(root / MANIFEST, tomli_w.dumps(data))
