"""S14 written plainly: the weekly row and the cell snapshot, counted from the agents.

The same columns, in the same order, as `thermidor.model.observe` (whose docstring defines them);
nothing here calls the engine's compiled `observe`. Groups: party members (members and
capitulators) by stratum and by their cell's kind, and the non-party persons; the expelled and
the exiled belong to neither. A cell's Q1 class is read from its party members; a cell with none
is "empty" in the snapshot and left out of the row's shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from thermidor.model.calendar import date_of
from thermidor.model.observe import METRICS, Q1_CLASSES, acts, slug
from thermidor.model.state import KINDS, STATUSES, STRATA
from thermidor.reference.agents import CAPITULATED, EXILED, EXPELLED, MEMBER, NONPARTY, Cell

if TYPE_CHECKING:
    from thermidor.reference.model import ReferenceModel


def q1_class(cell: Cell, model: ReferenceModel) -> tuple[str, dict[str, float]]:
    """A cell's Q1 class and the means it is read from (over its party members); a cell with no
    member left is "empty"."""
    ob = model.sc.observe
    party = cell.party()
    n = len(party)
    means = {
        "size": sum(1 for q in cell.persons if q.present),
        "members": n,
        "mean_d": sum(q.d for q in party) / n if n else 0.0,
        "active_share": sum(q.active for q in party) / n if n else 0.0,
        "mean_x": sum(q.x for q in party) / n if n else 0.0,
        "mean_y": sum(q.y for q in party) / n if n else 0.0,
        "enforcers": sum(1 for q in party if q.stratum == "functionary"),
    }
    if n == 0:
        return "empty", means
    if means["mean_d"] >= ob.degenerated_d:
        return "degenerated", means
    if means["mean_d"] < ob.healthy_d and means["active_share"] >= ob.healthy_active:
        return "healthy", means
    return "amorphous", means


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def observe(model: ReferenceModel) -> dict:
    """The row of the time series for this week."""
    sc, ob = model.sc, model.sc.observe
    cut = sc.leadership.stance_cut
    persons = model.persons
    status_count = {s: sum(1 for q in persons if q.status == s) for s in STATUSES}
    party = [q for q in persons if q.in_party]
    workers = [q for q in party if q.stratum == "worker"]
    cohort = [q for q in persons if q.cohort]
    row: dict = {
        "week": model.week,
        "date": date_of(sc.start, model.week),
        "K": model.K,
        "grain": model.grain,
        "wage": model.wage,
        "line": model.line,
        "regime": model.regime,
        **{f"campaign_{k}": bool(v) for k, v in model.campaigns.items()},
        **{f"driver_{k}": v for k, v in model.drivers.items()},
        "pi": model.pi,
        "beta": model.beta,
        "beta_star": model.beta_star,
        "cc_holder": model.cc_holder,
        "left_top": model.left_top,
        "members": status_count[MEMBER] + status_count[CAPITULATED],
        "nonparty": status_count[NONPARTY],
        "expelled": status_count[EXPELLED],
        "exiled": status_count[EXILED],
        "capitulated": status_count[CAPITULATED],
        "kernel_left_active": mean([q.active and q.x > cut for q in workers]),
        "right_share": mean([q.x < -cut for q in party]),
        "q5_moved_left": mean([q.x > q.x0 + ob.moved_left for q in cohort]),
        "q5_left": mean([q.x > cut for q in cohort]),
        **acts(model, sc.scale),
    }
    classes = [q1_class(cell, model)[0] for cell in model.cells]
    classes = [k for k in classes if k != "empty"]
    n_classified = max(len(classes), 1)
    row.update({f"cells_{k}": classes.count(k) / n_classified for k in Q1_CLASSES})
    groups = {s: [q for q in party if q.stratum == s] for s in STRATA}
    groups["nonparty"] = [q for q in persons if q.status == NONPARTY]
    groups.update({k: [q for q in party if q.cell.kind == k] for k in KINDS})
    for name, group in groups.items():
        values = {
            "x": [q.x for q in group],
            "y": [q.y for q in group],
            "c": [q.c for q in group],
            "d": [q.d for q in group],
            "active": [float(q.active) for q in group],
            "gap": [abs(q.x - q.y) for q in group],
        }
        for metric in METRICS:
            row[f"{name}_{metric}"] = mean(values[metric])
    row["gap"] = mean([abs(q.x - q.y) for q in party])
    for o in model.organisations:
        cadres = [q for q in persons if q.org is o]
        s = slug(o.name)
        row[f"{s}_in_party"] = sum(1 for q in cadres if q.in_party)
        row[f"{s}_expelled"] = sum(1 for q in cadres if not q.in_party and q.present)
        row[f"{s}_exiled"] = sum(1 for q in cadres if q.status == EXILED)
        row[f"{s}_credibility"] = o.credibility
        row[f"{s}_bloc"] = o.bloc_alive
    return row


def cells_snapshot(model: ReferenceModel) -> dict[str, np.ndarray]:
    """Every cell this week: kind, region, size, mean d, active share, mean x and y, ..."""
    rows = [(cell, *q1_class(cell, model)) for cell in model.cells]
    n = len(rows)
    return {
        "week": np.full(n, model.week, np.int32),
        "cell": np.array([cell.index for cell, _, _ in rows], np.int32),
        "kind": np.array([cell.kind for cell, _, _ in rows]),
        "region": np.array([cell.region for cell, _, _ in rows], np.int16),
        **{
            k: np.array([means[k] for _, _, means in rows], dtype)
            for k, dtype in (
                ("size", np.int32),
                ("members", np.int32),
                ("mean_d", np.float64),
                ("active_share", np.float64),
                ("mean_x", np.float64),
                ("mean_y", np.float64),
                ("enforcers", np.int32),
            )
        },
        "appointed": np.array([cell.appointed for cell, _, _ in rows], np.bool_),
        "secretary_x": np.array([cell.secretary.x for cell, _, _ in rows]),
        "secretary_d": np.array([cell.secretary.d for cell, _, _ in rows]),
        "q1_class": np.array([cls for _, cls, _ in rows]),
    }
