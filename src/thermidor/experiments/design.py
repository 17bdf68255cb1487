"""Designs of a sweep: which parameter values to run (grid, Latin hypercube, Sobol, Morris).

The first step of a SALib-style pipeline (sample -> evaluate -> analyze), with plain data in and
out: `parse_vary` turns `key=LOW:HIGH[:STEPS]` (or `key=A,B,C`) into a `Vary`, `make_design` turns
the varied keys into a `Design` whose `matrix` has one row per point and one column per key, in
SALib's order (so that `SALib.analyze` can read the evaluated points back in the same order).

Keys whose value in the scenario is an integer are sampled as integers (values rounded).
Categorical factors (`organisations.0.strategy=reform,corpse,manifesto`: a key whose value is a
string) hold the index of their level in the matrix and their level's name in `point` and
`to_table`; the grid runs every level, the Latin hypercube draws them in equal shares. Morris and
Sobol refuse them: their indices need an ordered, continuous factor.
"""

from __future__ import annotations

import copy
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from thermidor.errors import InputError
from thermidor.scenario.load import split_key

DESIGNS = ("grid", "lhs", "sobol", "morris")
MAX_POINTS = 100_000  # points of one design: each is a scenario validated before any run


@dataclass(frozen=True)
class Vary:
    """One varied scenario key: its dotted path, its range and (for a grid) its number of steps."""

    key: str
    low: float
    high: float
    steps: int | None = None
    integer: bool = False
    levels: tuple[str, ...] = ()

    @property
    def categorical(self) -> bool:
        """True for a factor of named levels (its matrix column holds the level's index)."""
        return bool(self.levels)

    def value(self, x: float) -> float | int | str:
        """The scenario value of matrix entry `x`."""
        if self.categorical:
            return self.levels[int(x)]
        return int(x) if self.integer else float(x)

    def describe(self) -> dict[str, Any]:
        """The key as plain data (for the manifest)."""
        if self.categorical:
            return {"key": self.key, "levels": list(self.levels)}
        out: dict[str, Any] = {"key": self.key, "low": self.low, "high": self.high}
        if self.steps is not None:
            out["steps"] = self.steps
        out["integer"] = self.integer
        return out


@dataclass(frozen=True)
class Design:
    """The points of a sweep: `matrix[p, j]` is the value of `vary[j].key` at point `p`."""

    name: str
    vary: tuple[Vary, ...]
    samples: int | None
    matrix: np.ndarray
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The varied keys, in column order."""
        return [v.key for v in self.vary]

    @property
    def n_points(self) -> int:
        """The number of points (rows of the matrix)."""
        return int(self.matrix.shape[0])

    def point(self, p: int) -> dict[str, float | int | str]:
        """The parameter values of point `p`, by key (integers for integer keys, level names
        for categorical ones)."""
        row = zip(self.vary, self.matrix[p], strict=True)
        return {v.key: v.value(x) for v, x in row}

    def problem(self) -> dict[str, Any]:
        """The SALib problem: number of variables, names and bounds."""
        return {
            "num_vars": len(self.vary),
            "names": self.keys,
            "bounds": [[v.low, v.high] for v in self.vary],
        }

    def matrix_sha256(self) -> str:
        """A digest of the points: the design's identity even if a sampler's algorithm changed."""
        return hashlib.sha256(np.ascontiguousarray(self.matrix, np.float64).tobytes()).hexdigest()

    def describe(self) -> dict[str, Any]:
        """The design as plain data (for the manifest)."""
        out: dict[str, Any] = {"name": self.name, "points": self.n_points}
        if self.samples is not None:
            out["samples"] = self.samples
        out.update(self.options)
        out["matrix_sha256"] = self.matrix_sha256()
        out["vary"] = [v.describe() for v in self.vary]
        return out

    def to_table(self) -> pa.Table:
        """The points as a table: `point` and one column per key."""
        cols: dict[str, Any] = {"point": pa.array(np.arange(self.n_points), pa.int64())}
        for j, v in enumerate(self.vary):
            col = self.matrix[:, j]
            if v.categorical:
                cols[v.key] = pa.array([v.levels[int(x)] for x in col], pa.string())
            else:
                cols[v.key] = pa.array(col.astype(np.int64) if v.integer else col, _type(v))
        return pa.table(cols)


def _type(v: Vary) -> pa.DataType:
    return pa.int64() if v.integer else pa.float64()


def _categorical(key: str, value: str, rng: str, base: dict[str, Any]) -> Vary:
    """`key=A,B,C` for a key whose value is a string: each level checked against the schema."""
    from thermidor.scenario.load import apply_override, validate

    levels = tuple(x.strip() for x in rng.split(","))
    if any(not x for x in levels) or len(levels) < 2:
        raise InputError(
            "--vary", f"is a categorical key ({value!r}): give two or more values A,B,...", key
        )
    dup = sorted({x for x in levels if levels.count(x) > 1})
    if dup:
        raise InputError("--vary", f"lists {dup[0]!r} more than once", key)
    for level in levels:
        table = copy.deepcopy(base)
        apply_override(table, split_key(key), level, "--vary")
        try:
            validate(table, "--vary")
        except InputError as err:
            raise InputError("--vary", f"{level!r} is not allowed: {err.message}", key) from None
    return Vary(key, 0.0, float(len(levels) - 1), None, False, levels)


def lookup(table: dict[str, Any], key: str) -> Any:
    """The value at dotted path `key` in a scenario's plain table; KeyError if there is none."""
    node: Any = table
    for part in split_key(key) or [""]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, list) and part.startswith("["):
            named = [v for v in node if isinstance(v, dict) and v.get("name") == part[1:-1]]
            if not named:
                raise KeyError(key)
            node = named[0]
        else:
            raise KeyError(key)
    return node


def parse_vary(text: str, base: dict[str, Any]) -> Vary:
    """`key=LOW:HIGH[:STEPS]` (a number) or `key=A,B,...` (a string's allowed values) into a
    `Vary`, checked against the scenario table `base`."""
    key, sep, rng = text.partition("=")
    key = key.strip()
    parts = rng.split(":")
    if not sep or not key or (len(parts) not in (2, 3) and "," not in rng):
        raise InputError(
            "--vary", f"{text!r} is not of the form key.path=LOW:HIGH[:STEPS] or key.path=A,B,..."
        )
    try:
        value = lookup(base, key)
    except KeyError:
        raise InputError(
            "--vary", "unknown key (see docs/ODD.md for the keys of a scenario)", key
        ) from None
    if isinstance(value, str) and "," in rng:
        return _categorical(key, value, rng, base)
    if len(parts) not in (2, 3):
        raise InputError("--vary", f"{text!r} is not of the form key.path=LOW:HIGH[:STEPS]")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(
            "--vary",
            f"is not a number (it is {value!r}); numbers vary as LOW:HIGH, strings as A,B,...",
            key,
        )
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError("--vary", f"LOW and HIGH must be numbers (got {rng!r})", key) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise InputError("--vary", f"LOW and HIGH must be finite (got {rng!r})", key)
    if not low < high:
        raise InputError("--vary", f"LOW must be below HIGH (got {parts[0]}:{parts[1]})", key)
    steps = None
    if len(parts) == 3:
        if not parts[2].strip().isdigit():
            raise InputError("--vary", f"STEPS must be a whole number (got {parts[2]!r})", key)
        steps = int(parts[2])
    integer = isinstance(value, int)
    if integer and max(abs(low), abs(high)) > 2**63 - 1:
        raise InputError(
            "--vary", f"is an integer key: LOW and HIGH must lie within +-2**63 ({rng})", key
        )
    if integer and not (low == int(low) and high == int(high)):
        raise InputError("--vary", f"is an integer key: LOW and HIGH must be whole ({rng})", key)
    return Vary(key, low, high, steps, integer)


def make_design(
    name: str,
    vary: list[Vary],
    samples: int | None = None,
    seed: int = 0,
    *,
    second_order: bool = False,
    levels: int = 4,
) -> Design:
    """The points of design `name` over `vary`; InputError if the design cannot be built.

    grid: every combination of each key's STEPS values (or `samples` values per key); lhs:
    `samples` points of a Latin hypercube; sobol: Saltelli's scheme with `samples` (a power of
    two) base points, N(D+2) points, N(2D+2) with `second_order`; morris: `samples` trajectories
    of D+1 points on `levels` levels. `seed` makes the random designs reproducible.
    """
    if name not in DESIGNS:
        raise InputError("--design", f"{name!r} is not a design (allowed: {', '.join(DESIGNS)})")
    if not vary:
        raise InputError("--vary", "a sweep needs at least one --vary key=LOW:HIGH[:STEPS]")
    keys = [v.key for v in vary]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise InputError("--vary", "is given more than once", dup[0])
    categorical = [v.key for v in vary if v.categorical]
    if categorical and name in ("sobol", "morris"):
        raise InputError(
            "--vary",
            f"is categorical: {name} needs ordered numbers (use the grid or lhs design)",
            categorical[0],
        )
    if name != "grid":
        with_steps = [v.key for v in vary if v.steps is not None]
        if with_steps:
            raise InputError("--vary", f"STEPS is for the grid design, not {name}", with_steps[0])
    problem = {
        "num_vars": len(vary),
        "names": keys,
        "bounds": [[v.low, len(v.levels)] if v.categorical else [v.low, v.high] for v in vary],
    }
    options: dict[str, Any] = {}
    _bound(name, vary, samples, second_order, levels)
    if name == "grid":
        matrix = _grid(vary, samples)
    elif name == "lhs":
        _need(samples, 2, "lhs", "points")
        from SALib.sample import latin

        matrix = latin.sample(problem, samples, seed=seed)
    elif name == "sobol":
        _need(samples, 2, "sobol", "base points")
        if samples & (samples - 1):
            raise InputError("--samples", f"sobol needs a power of two (got {samples}; try 64)")
        if second_order and len(vary) < 2:
            raise InputError("--second-order", "needs at least two --vary keys")
        from SALib.sample import sobol

        matrix = sobol.sample(problem, samples, calc_second_order=second_order, seed=seed)
        options["second_order"] = second_order
    else:
        _need(samples, 2, "morris", "trajectories")
        if levels < 2 or levels % 2:
            raise InputError("--levels", f"morris needs an even number of levels >= 2 ({levels})")
        from SALib.sample import morris

        matrix = morris.sample(problem, samples, num_levels=levels, seed=seed)
        options["levels"] = levels
    matrix = np.asarray(matrix, np.float64)
    for j, v in enumerate(vary):
        if v.categorical and name == "lhs":  # drawn on [0, n): each level an equal share
            matrix[:, j] = np.minimum(np.floor(matrix[:, j]), len(v.levels) - 1)
        elif v.integer:
            matrix[:, j] = np.clip(np.round(matrix[:, j]), v.low, v.high)
    return Design(name, tuple(vary), samples, matrix, options)


def _bound(
    name: str, vary: list[Vary], samples: int | None, second_order: bool, levels: int
) -> None:
    """Refuse a design of more than MAX_POINTS points before a single point is made."""
    d = len(vary)
    if name == "grid":
        points, option = 1, "--vary"
        for v in vary:
            if v.categorical:
                points *= len(v.levels)
                continue
            steps = max(int((v.steps if v.steps is not None else samples) or 1), 1)
            points *= min(steps, int(v.high - v.low) + 1) if v.integer else steps
    elif name == "lhs":
        points, option = samples or 0, "--samples"
    elif name == "sobol":
        points, option = (samples or 0) * (2 * d + 2 if second_order else d + 2), "--samples"
    else:
        points, option = (samples or 0) * (d + 1), "--samples"
        if levels > 1000:
            raise InputError("--levels", f"must be at most 1000 (got {levels:,})")
    if points > MAX_POINTS:
        raise InputError(
            option,
            f"the {name} design would have {points:,} points (allowed: at most {MAX_POINTS:,})",
        )


def _need(samples: int | None, least: int, name: str, what: str) -> None:
    if samples is None or samples < least:
        got = "none" if samples is None else samples
        raise InputError("--samples", f"{name} needs --samples >= {least} {what} (got {got})")


def _grid(vary: list[Vary], samples: int | None) -> np.ndarray:
    axes = []
    for v in vary:
        if v.categorical:
            axes.append(np.arange(len(v.levels), dtype=np.float64))
            continue
        steps = v.steps if v.steps is not None else samples
        if steps is None or steps < 2:
            got = "none" if steps is None else steps
            raise InputError(
                "--vary",
                f"grid needs STEPS >= 2 (key=LOW:HIGH:STEPS, or --samples; got {got})",
                v.key,
            )
        values = np.linspace(v.low, v.high, steps)
        axes.append(np.unique(np.round(values)) if v.integer else values)
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)
