"""Scenario discovery: the boxes of a sweep's parameters where an outcome (or a condition) lives.

"Under which conditions does reform, Thermidor, consolidation or lasting duality happen?" For each
stored run of a sweep (one row per run: its varied factors, numbers or categorical levels such as
a strategy) the target is 1 where the run reached the outcome (or met a condition such as
`pi_5y > 0.5`) and 0 elsewhere. PRIM (Friedman & Fisher 1999, via `ema_workbench.analysis.prim`:
peeling by alpha = 0.05 of the runs at a time, then pasting) shrinks the box of the whole design
toward the runs where the target holds. Its peeling trajectory trades coverage (the share of the
target's runs inside the box) against density (the share of the box's runs where it holds); the
box reported is the densest one whose coverage stays at or above `min_coverage`.

Conditions: `NAME OP NUMBER`, OP one of > >= < <= == !=, NAME an outcome (reform, thermidor,
consolidation, duality), a column of the `outcomes` table (its value at the run's last week) or
`COLUMN_Ky`: the column's value at year K (a run ended earlier keeps its last value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thermidor.errors import InputError

OUTCOMES = {
    "reform": "reform",
    "thermidor": "Thermidor",
    "consolidation": "bureaucratic consolidation",
    "duality": "duality open",
}
PEEL_ALPHA = 0.05
OPS = (">=", "<=", "==", "!=", ">", "<")
_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*([-+0-9.eE]+)\s*$")
_AT_YEAR = re.compile(r"^(.+)_(\d+)y$")


@dataclass
class Discovery:
    """The box PRIM found for one target (None when the target never or always holds)."""

    target: str
    runs: int
    hits: int
    limits: dict[str, Any] | None = None  # key -> [low, high] or a sorted list of levels
    coverage: float = float("nan")
    density: float = float("nan")
    mass: float = float("nan")
    trajectory: pd.DataFrame | None = None  # coverage, density, mass, res_dim per peeling step
    by_level: dict[str, dict[str, list[int]]] | None = None  # factor -> level -> [hits, runs]

    @property
    def note(self) -> str:
        """A plain sentence when no box was sought: the target never (or always) holds."""
        if self.hits == 0:
            return f"never happens in any of the {self.runs} runs"
        if self.hits == self.runs:
            return f"happens in every one of the {self.runs} runs: the whole design is its box"
        return ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        traj = None if self.trajectory is None else self.trajectory.to_dict(orient="records")
        return {
            "target": self.target,
            "runs": self.runs,
            "hits": self.hits,
            "base_rate": self.hits / self.runs if self.runs else None,
            "box": self.limits,
            "coverage": None if np.isnan(self.coverage) else self.coverage,
            "density": None if np.isnan(self.density) else self.density,
            "mass": None if np.isnan(self.mass) else self.mass,
            "note": self.note,
            "inside_by_level": self.by_level,
            "trajectory": traj,
        }


def factors(path: str | Path) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """One row per finished run of the sweep at `path`: `run` and each varied factor
    (categorical ones as pandas categories), and the categorical factors' levels."""
    from thermidor.experiments.handle import open_experiment
    from thermidor.experiments.store import Store

    exp = open_experiment(path)
    design = exp.manifest.get("design")
    if not design or not design.get("vary"):
        raise InputError(
            str(path), "has no varied factors: discovery needs a sweep (thermidor sweep --vary)"
        )
    if not Store.of(Path(path)).committed():
        raise InputError(str(path), "no run has finished yet: run the sweep's command first")
    vary = design["vary"]
    keys = [v["key"] for v in vary]
    x = exp.runs(["run", *keys]).sort_values("run").reset_index(drop=True)
    levels = {v["key"]: list(v["levels"]) for v in vary if "levels" in v}
    for key, lv in levels.items():
        x[key] = pd.Categorical(x[key], categories=lv)
    return x, levels


def parse_condition(text: str) -> tuple[str, str, float]:
    """`NAME OP NUMBER` into its three parts; InputError for anything else."""
    m = _CONDITION.match(text)
    if not m:
        raise InputError(
            "--target",
            f"{text!r} is not of the form NAME OP NUMBER (OP: {' '.join(OPS)}), e.g. 'pi_5y > 0.5'",
        )
    try:
        value = float(m.group(3))
    except ValueError:
        raise InputError("--target", f"{m.group(3)!r} is not a number", text) from None
    return m.group(1), m.group(2), value


def target(path: str | Path, name: str) -> pd.Series:
    """The target of each finished run (by run): an outcome's name or a condition."""
    from thermidor.experiments.handle import open_experiment

    exp = open_experiment(path)
    if name in OUTCOMES:
        o = exp.outcomes(["outcome"]).set_index("run")["outcome"]
        return (o == OUTCOMES[name]).astype(np.int8)
    column, op, value = parse_condition(name)
    have = list(exp.query("SELECT * FROM outcomes LIMIT 0").columns)
    at = _AT_YEAR.match(column)
    if column in have:
        y = exp.query(f'SELECT run, "{column}" AS v FROM outcomes ORDER BY run')
    elif at and at.group(1) in have:
        col, years = at.group(1), int(at.group(2))
        y = exp.query(
            f'SELECT run, arg_max("{col}", week) FILTER (WHERE week <= {52 * years}) AS v '
            "FROM timeseries GROUP BY run ORDER BY run"
        )
    else:
        numeric = [c for c in have if c not in ("outcome", "outcome_date", "date")]
        raise InputError(
            "--target",
            f"unknown quantity (allowed: {', '.join(OUTCOMES)} as outcomes, or a column, or "
            f"COLUMN_Ky at year K, of: {', '.join(numeric[:12])}, ...)",
            column,
        )
    v = pd.to_numeric(y.set_index("run")["v"], errors="coerce").astype(np.float64)
    ops = {">": v > value, ">=": v >= value, "<": v < value, "<=": v <= value}
    ops |= {"==": v == value, "!=": v != value}
    return ops[op].astype(np.int8)


def prim_box(x: pd.DataFrame, y: np.ndarray, name: str, min_coverage: float = 0.5) -> Discovery:
    """PRIM's box of `y` (0/1 per row of `x`): the densest box on the peeling trajectory whose
    coverage is at least `min_coverage`, with its limits on the restricted factors only."""
    y = np.asarray(y, dtype=np.int8)
    found = Discovery(name, int(y.size), int(y.sum()))
    if found.hits in (0, found.runs):
        return found
    import logging
    import warnings

    with warnings.catch_warnings():  # ema_workbench's notices on optional parts and pandas
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        logging.getLogger("EMA").setLevel(logging.ERROR)
        alg = prim.Prim(x.reset_index(drop=True), y.astype(bool), peel_alpha=PEEL_ALPHA)
        box = alg.find_box()
    traj = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    ok = traj[traj["coverage"] >= min_coverage]
    i = int(ok.sort_values(["density", "coverage"], ascending=False).index[0])
    whole, lims = box.box_lims[0], box.box_lims[i]
    limits: dict[str, Any] = {}
    for key in x.columns:
        a, w = lims[key], whole[key]
        if isinstance(a.iloc[0], set):
            if a.iloc[0] != w.iloc[0]:
                limits[key] = sorted(a.iloc[0])
        elif a.iloc[0] != w.iloc[0] or a.iloc[1] != w.iloc[1]:
            limits[key] = [float(a.iloc[0]), float(a.iloc[1])]
    found.limits = limits
    inside = inside_box(x, limits)
    found.by_level = {
        key: {
            str(level): [int(y[inside & (x[key] == level).to_numpy()].sum()),
                         int((inside & (x[key] == level).to_numpy()).sum())]
            for level in x[key].cat.categories
        }
        for key in x.columns
        if isinstance(x[key].dtype, pd.CategoricalDtype)
    }  # fmt: skip
    found.coverage = float(traj.loc[i, "coverage"])
    found.density = float(traj.loc[i, "density"])
    found.mass = float(traj.loc[i, "mass"])
    found.trajectory = traj.reset_index(drop=True)
    return found


def inside_box(x: pd.DataFrame, limits: dict[str, Any]) -> np.ndarray:
    """Which rows of `x` lie in the box `limits` (ranges inclusive, levels by membership)."""
    mask = np.ones(len(x), dtype=bool)
    for key, lim in limits.items():
        if lim and isinstance(lim[0], str):
            mask &= x[key].astype(str).isin(lim).to_numpy()
        else:
            mask &= ((x[key] >= lim[0]) & (x[key] <= lim[1])).to_numpy()
    return mask


SCENARIO = "scenario_name"  # the factor of a map over several sweeps ("scenario": EMA's own)


def _names(paths: list[Path]) -> list[str]:
    """Each sweep's scenario name (its directory where two share a name)."""
    from thermidor.analysis.load import scenario_of

    names = [scenario_of(p).name for p in paths]
    return [n if names.count(n) == 1 else str(p) for n, p in zip(names, paths, strict=True)]


def discover(
    path: str | Path | list[str | Path],
    targets: list[str] | None = None,
    min_coverage: float = 0.5,
) -> list[Discovery]:
    """PRIM's box for each target (default: the four outcomes) over the sweep at `path`, or over
    several sweeps of the same varied factors taken together (a list of paths: the runs of all,
    with the sweep's scenario as one more categorical factor, `scenario_name`; e.g. the strategies'
    sweeps over the same draws from the posterior)."""
    if not 0 < min_coverage <= 1:
        raise InputError("--min-coverage", f"must lie in (0, 1] (got {min_coverage})")
    names = [n.lower() if n.lower() in OUTCOMES else n for n in targets or OUTCOMES]
    for n in names:
        if n not in OUTCOMES and not _CONDITION.match(n):
            if re.fullmatch(r"[A-Za-z_]+", n):
                raise InputError(
                    "--target", f"unknown outcome {n!r} (allowed: {', '.join(OUTCOMES)})"
                )
            parse_condition(n)
    paths = [Path(p) for p in path] if isinstance(path, list) else [Path(path)]
    if not paths:
        raise InputError("discover", "needs at least one sweep directory")
    xs, ys = [], {n: [] for n in names}
    for p in paths:
        x, _ = factors(p)
        runs = x.pop("run").to_numpy()
        if xs and list(x.columns) != list(xs[0].columns):
            raise InputError(
                str(p),
                f"varies {', '.join(x.columns)}, not {', '.join(xs[0].columns)} as "
                f"{paths[0]}: sweeps mapped together must vary the same factors",
            )
        xs.append(x)
        for n in names:
            ys[n].append(target(p, n).reindex(runs).fillna(0).to_numpy())
    x = pd.concat(xs, ignore_index=True)
    for key in x.columns:  # categories the sweeps share, in their first order
        if isinstance(xs[0][key].dtype, pd.CategoricalDtype):
            levels = list(dict.fromkeys(lv for xi in xs for lv in xi[key].cat.categories))
            x[key] = pd.Categorical(x[key].astype(str), categories=levels)
    if len(paths) > 1:
        labels = _names(paths)
        x.insert(0, SCENARIO, pd.Categorical(
            np.repeat(labels, [len(xi) for xi in xs]), categories=labels))  # fmt: skip
    return [prim_box(x, np.concatenate(ys[n]), n, min_coverage) for n in names]


def describe_box(d: Discovery) -> str:
    """The box as one line: each restricted factor's range or levels."""
    if d.limits is None:
        return d.note
    if not d.limits:
        return "the whole design (no factor restricted)"
    parts = []
    for key, lim in d.limits.items():
        if isinstance(lim[0], str):
            parts.append(f"{key} in {{{', '.join(lim)}}}")
        else:
            parts.append(f"{lim[0]:.4g} <= {key} <= {lim[1]:.4g}")
    return "; ".join(parts)


Map = tuple[list[Discovery], str]


def atlas(
    maps: list[tuple[list[Path], str]],
) -> tuple[list[Map], dict[str, pd.DataFrame]]:
    """The report's section "Where each outcome lives": the four outcomes' boxes over each map
    (a list of sweep directories mapped together, and what it is over), and what closes the
    outcomes that no run of any map reached (`thermidor.analysis.closure`)."""
    from thermidor.analysis.closure import closures

    found = [(discover(list(paths)), label) for paths, label in maps]
    never = [
        name for name in OUTCOMES
        if all(d.hits == 0 for f, _ in found for d in f if d.target == name)
    ]  # fmt: skip
    every = [Path(p) for paths, _ in maps for p in paths]
    return found, closures(every, never) if never else {}
