"""One plain sentence under each of the seven answers: what the measured numbers say, in words a
reader without the model's vocabulary follows. Read from the answers only; nothing is written in.
"""

from __future__ import annotations

import math

from thermidor.report.words import plain, share


def _mid(answers: dict, q: str, column: str, point: str = "horizon") -> float:
    for m in answers[q]["measures"]:
        if m["column"] == column:
            return float(m["course"].get(point, [math.nan])[0])
    return math.nan


def _trend(a: float, b: float, small: float = 0.02) -> str:
    if math.isnan(a) or math.isnan(b):
        return "is not measured"
    if abs(b - a) < small:
        return f"stays near {plain(b)}"
    return f"{'rises' if b > a else 'falls'} from {plain(a)} to {plain(b)}"


def plain_reading(answers: dict, q: str, scale: float | None, end: str) -> str:
    """The answer to `q` in one sentence; `end` names the horizon ('by 28 September 1931')."""
    if q == "Q1":
        kinds = {
            "entirely degenerated": _mid(answers, q, "cells_degenerated"),
            "healthy but amorphous": _mid(answers, q, "cells_amorphous"),
            "hardly affected": _mid(answers, q, "cells_healthy"),
        }
        kinds = {k: v for k, v in kinds.items() if not math.isnan(v)}
        if not kinds:
            return "The cells' condition is not measured in these runs."
        top = max(kinds, key=kinds.get)
        rest = ", ".join(f"{share(v)} {k}" for k, v in kinds.items() if k != top)
        return (
            f"The party is not one thing: {end}, most cells are {top} ({share(kinds[top])}), "
            f"against {rest} (typical run)."
        )
    if q == "Q2":
        s, p = _mid(answers, q, "institution_d"), _mid(answers, q, "functionary_d")
        if math.isnan(s) or math.isnan(p):
            return "The apparatus' degeneration is not measured in these runs."
        which = (
            "more advanced in the Soviet apparatus than in the party apparatus"
            if s > p
            else "no more advanced in the Soviet apparatus than in the party apparatus"
        )
        return (
            f"Degeneration is {which} ({plain(s)} against {plain(p)} on a scale from 0, none, "
            f"to 1, entire), {end}."
        )
    if q == "Q3":
        pi0, pi1 = _mid(answers, q, "pi", "start"), _mid(answers, q, "pi")
        beta = _mid(answers, q, "beta")
        holder = answers[q].get("cc_holder", {})
        cc = max(holder, key=lambda h: holder[h][0]) if holder else None
        held = f"; the {cc} holds the Central Committee in most runs" if cc else ""
        return (
            f"The proletariat's share of power {_trend(pi0, pi1)} {end}, and the bureaucracy's "
            f"autonomy ends near {plain(beta)} (both from 0 to 1){held}."
        )
    if q == "Q4":
        l0, l1 = _mid(answers, q, "line", "start"), _mid(answers, q, "line")
        z = answers[q].get("zigzags", {})
        turns = sum(
            z[d]["per_year"][0] for d in ("left", "right") if d in z and z[d]["per_year"][0] > 0
        )
        course = "moves left" if l1 - l0 > 0.02 else "moves right" if l0 - l1 > 0.02 else "holds"
        return (
            f"The Centre's line {course} ({plain(l0)} to {plain(l1)}, from -1 Right to +1 "
            f"Left), by zig-zags rather than a steady course: about {plain(turns)} campaigns a "
            f"year in a typical run."
            if turns > 0
            else f"The Centre's line {course} ({plain(l0)} to {plain(l1)}, from -1 Right to +1 "
            f"Left) without a campaign in a typical run."
        )
    if q == "Q5":
        v = _mid(answers, q, "q5_moved_left")
        if math.isnan(v):
            return "Whether the Centre's worker followers moved left is not measured here."
        return (
            f"Of the worker members who trusted the Centre at the start, {share(v)} moved to "
            f"the left {end} (typical run): they can be won, in that proportion."
        )
    if q == "Q6":
        p = answers[q].get("thermidor", {}).get("probability", [math.nan] * 3)
        runs = answers[q]["runs"]
        expelled = _mid(answers, q, "expelled")
        who = (
            f"; the dry guillotine expelled about {plain(expelled / scale)} persons"
            if scale and not math.isnan(expelled) and expelled > 0
            else ""
        )
        if p[0] == 0:
            return f"No run ended in Thermidor {end} (0 of {runs}){who}."
        return (
            f"Thermidor, the bourgeois restoration, came in {share(p[0])} of the runs {end} "
            f"(between {share(p[1])} and {share(p[2])} with 95 % confidence){who}."
        )
    b = answers[q].get("blocs")
    if b is None:
        return "No bloc formed in these runs, so the durability of unity is not measured here."
    alive = b["alive_at_end"][0]
    return (
        f"Of the blocs formed, {share(alive)} were still united {end}: unity "
        f"{'mostly held' if alive >= 0.5 else 'mostly broke'}."
    )
