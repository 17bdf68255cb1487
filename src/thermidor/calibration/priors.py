"""Priors of a calibration: uniform over a plausible range of each free parameter.

The default free parameters are those the targets speak to (docs/calibration.md): the arrest
hazard (O10, O11), the capitulation hazards of repression and of a remembered left turn (O12),
and the purge's patience and size (P03). Each range spans the ODD table's value from about a third
to about three times it, inside the schema's allowed range (docs/ODD.md); `--prior key=LOW:HIGH`
replaces or adds one. A range outside the allowed one is refused (one line, exit 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import BaseModel

from thermidor.errors import InputError
from thermidor.scenario.schema import Scenario

DEFAULT_PRIORS: dict[str, tuple[float, float]] = {
    "repression.arrest_rate": (0.5, 4.5),  # ODD 1.5
    "repression.capitulation_repression": (0.0, 0.015),  # ODD 0.005
    "repression.capitulation_left_turn": (0.0, 0.15),  # ODD 0.05
    "membership.purge_patience": (2.0, 18.0),  # ODD 6
    "membership.purge_size": (0.07, 0.66),  # ODD 0.22
}


@dataclass(frozen=True)
class Prior:
    """A uniform prior on one scenario key."""

    key: str
    low: float
    high: float

    @property
    def name(self) -> str:
        """The key as a name ABC's database accepts (no dots)."""
        return self.key.replace(".", "__")


def allowed(sc: Scenario, key: str) -> tuple[float, float]:
    """The schema's allowed range of numeric key `key` (InputError if there is none)."""
    node: object = sc
    parts = key.split(".")
    for part in parts[:-1]:
        node = getattr(node, part, None)
        if not isinstance(node, BaseModel):
            raise InputError("--prior", "unknown key (see docs/ODD.md)", key)
    name = parts[-1]
    fields = type(node).model_fields
    value = getattr(node, name, None)
    if name not in fields or isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError("--prior", "unknown or not a numeric parameter (see docs/ODD.md)", key)
    lo, hi = -math.inf, math.inf
    for m in fields[name].metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                lo = float(getattr(m, attr))
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                hi = float(getattr(m, attr))
    return lo, hi


def parse_prior(text: str) -> tuple[str, float, float]:
    """`key=LOW:HIGH` into its parts (InputError otherwise)."""
    key, sep, rng = text.partition("=")
    parts = rng.split(":")
    try:
        low, high = float(parts[0]), float(parts[1])
    except (ValueError, IndexError):
        low = high = math.nan
    if not sep or len(parts) != 2 or not (math.isfinite(low) and math.isfinite(high)):
        raise InputError("--prior", f"{text!r} is not of the form key.path=LOW:HIGH (numbers)")
    return key.strip(), low, high


def priors(sc: Scenario, extra: list[str] | None = None, only: bool = False) -> list[Prior]:
    """The priors: the defaults (unless `only`) with `extra` ('key=LOW:HIGH') replacing or
    adding ranges, each checked against the schema's allowed range of its key."""
    ranges = {} if only else dict(DEFAULT_PRIORS)
    for text in extra or []:
        key, low, high = parse_prior(text)
        ranges[key] = (low, high)
    if not ranges:
        raise InputError("--prior", "a calibration needs at least one free parameter")
    out = []
    for key, (low, high) in ranges.items():
        lo, hi = allowed(sc, key)
        if not low < high:
            raise InputError("--prior", f"LOW must be below HIGH (got {low:g}:{high:g})", key)
        if low < lo or high > hi:
            raise InputError(
                "--prior",
                f"{low:g}:{high:g} lies outside the allowed range [{lo:g}, {hi:g}] (docs/ODD.md)",
                key,
            )
        out.append(Prior(key, low, high))
    return out
