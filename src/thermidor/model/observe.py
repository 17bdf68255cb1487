"""S14 observe: the weekly row of metrics and the snapshot of every cell (docs/design.md).

Letter Q1: the "daily check upon the degree of degeneration of the various strata and nuclei";
the three kinds of nuclei ("entirely degenerated", "still healthy but amorphous", "hardly
affected"). A cell's Q1 class, from its members present: degenerated when mean d >= degenerated_d;
hardly affected when mean d < healthy_d and its active share >= healthy_active; otherwise healthy
but amorphous. A cell with no member left is "empty" in the snapshots and left out of the shares.
One compiled pass over the persons gives every mean of the row.
"""

from __future__ import annotations

import re

import numba as nb
import numpy as np

from thermidor.model.calendar import date_of
from thermidor.model.cells import blocks, in_party, persons, present, zeros
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import (
    CAPITULATED,
    EXILED,
    EXPELLED,
    FUNCTIONARY,
    HOLDERS,
    KINDS,
    MEMBER,
    NO_ORG,
    NONPARTY,
    STRATA,
    WORKER,
    State,
)
from thermidor.scenario.schema import Scenario

GROUPS = (*STRATA, "nonparty", *KINDS)  # members by stratum, non-party workers, members by kind
METRICS = ("x", "y", "c", "d", "active", "gap")
Q1_CLASSES = ("degenerated", "amorphous", "healthy")
DEGENERATED, AMORPHOUS, HEALTHY, EMPTY = 0, 1, 2, 3  # EMPTY: no member left (snapshots only)


@compiled
def classify(mean_d, active_share, degenerated_d, healthy_d, healthy_active) -> int:
    if mean_d >= degenerated_d:
        return DEGENERATED
    if mean_d < healthy_d and active_share >= healthy_active:
        return HEALTHY
    return AMORPHOUS


@compiled
def weekly_cells(p, start, kind, j0, j1, cut, moved, cuts, acc, counts, cadres, q1, cohort):
    """Add the cells j0:j1 to one block's sums: `acc` (class, kind; count, x, y, c, d, active,
    gap), `counts` (the statuses, then workers in the party, of them active on the Left, members
    on the Right, members), `cadres`, `q1` and `cohort`."""
    for j in range(j0, j1):
        n = 0
        sd = 0.0
        sa = 0
        kj = kind[j]
        for i in persons(start[j], start[j + 1]):
            s = p.status[i]
            counts[s] += 1
            if p.org[i] != NO_ORG:
                cadres[p.org[i], 0 if in_party(s) else (2 if s == EXILED else 1)] += 1
            if p.cohort[i]:
                cohort[0] += 1
                cohort[1] += p.x[i] > p.x0[i] + moved
                cohort[2] += p.x[i] > cut
            member = in_party(s)
            stratum = p.stratum[i]
            cl = stratum if member else (4 if s == NONPARTY else 5)
            x, y, d, active = p.x[i], p.y[i], p.d[i], p.active[i]
            n += member
            sd += d if member else 0.0
            sa += member & active
            worker = member & (stratum == WORKER)
            counts[5] += worker
            counts[6] += worker & active & (x > cut)
            counts[7] += member & (x < -cut)
            acc[cl, kj, 0] += 1
            acc[cl, kj, 1] += x
            acc[cl, kj, 2] += y
            acc[cl, kj, 3] += p.c[i]
            acc[cl, kj, 4] += d
            acc[cl, kj, 5] += active
            acc[cl, kj, 6] += abs(x - y)
        counts[8] += n
        if n > 0:
            q1[classify(sd / n, sa / n, cuts[0], cuts[1], cuts[2])] += 1


@parallel
def by_blocks(p, start, kind, n_orgs, cut, moved, cuts):
    """`weekly_cells` on every block of cells in parallel, each block into its own sums."""
    cb = blocks(start)
    k = cb.size - 1
    acc = zeros((k, 6, 4, 7), np.float64)
    counts = zeros((k, 9), np.int64)
    cadres = zeros((k, max(n_orgs, 1), 3), np.int64)
    q1 = zeros((k, 3), np.int64)
    cohort = zeros((k, 3), np.int64)
    for blk in nb.prange(k):
        weekly_cells(p, start, kind, cb[blk], cb[blk + 1], cut, moved, cuts, acc[blk],
                     counts[blk], cadres[blk], q1[blk], cohort[blk])  # fmt: skip
    return acc, counts, cadres, q1, cohort


@compiled
def weekly(p, start, kind, n_orgs, cut, moved, cuts):
    """One pass, each person added once by class (his stratum if a member, 4 if non-party, 5 for
    the expelled and exiled, not reported) and his cell's kind; the groups of the row are sums
    of these. By blocks of cells in parallel, the blocks' sums added in block order: the row is
    the same on any number of threads (its means differ from one pass's in the last bits;
    nothing in the model reads them)."""
    acc_b, counts_b, cadres_b, q1_b, cohort_b = by_blocks(p, start, kind, n_orgs, cut, moved, cuts)
    acc = np.zeros((6, 4, 7))
    counts = np.zeros(9)
    cadres = np.zeros(cadres_b.shape[1:])
    q1 = np.zeros(3)
    cohort = np.zeros(3)
    for blk in range(acc_b.shape[0]):
        acc += acc_b[blk]
        counts += counts_b[blk]
        cadres += cadres_b[blk]
        q1 += q1_b[blk]
        cohort += cohort_b[blk]
    sums = np.zeros((9, 7))  # the groups: members by stratum, non-party, members by kind
    for cl in range(5):
        for kj in range(4):
            for f in range(7):
                sums[cl, f] += acc[cl, kj, f]
                if cl < 4:
                    sums[5 + kj, f] += acc[cl, kj, f]
    kernel = np.array([counts[5], counts[6]])
    rights = np.array([counts[8], counts[7]])
    return sums, counts[:5].copy(), q1, cadres, kernel, rights, cohort


@parallel
def snapshot(p, start, cuts):
    """Every cell's sums, each in its persons' order, by blocks of cells in parallel."""
    m = start.size - 1
    # size, members, mean d, active share, mean x, mean y, enforcers
    out = zeros((m, 7), np.float64)
    cls = zeros(m, np.int8)
    cb = blocks(start)
    for blk in nb.prange(cb.size - 1):
        for j in range(cb[blk], cb[blk + 1]):
            snapshot_cell(p, start[j], start[j + 1], cuts, out[j], cls[j : j + 1])
    return out, cls


@compiled
def snapshot_cell(p, a, b, cuts, out, cls) -> None:
    """The cell a:b's row of `snapshot` into `out` (7 values) and its Q1 class into cls[0]."""
    for i in persons(a, b):
        out[0] += present(p.status[i])
        if in_party(p.status[i]):
            out[1] += 1
            out[2] += p.d[i]
            out[3] += p.active[i]
            out[4] += p.x[i]
            out[5] += p.y[i]
            out[6] += p.stratum[i] == FUNCTIONARY
    if out[1] > 0:
        out[2:6] /= out[1]
        cls[0] = classify(out[2], out[3], cuts[0], cuts[1], cuts[2])
    else:
        cls[0] = EMPTY


def slug(name: str) -> str:
    """A column-safe form of an organisation's name: 'Left Opposition' -> 'left_opposition'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def acts(m, scale: float) -> dict:
    """The week's acts of the apparatus and the opposition (S3, S9, S10), in real persons (model
    persons / scale), and the state of the line's inertia, the left-turn memory and the purge."""
    return {
        "arrests": m.arrested / scale,
        "exiles_new": m.exiled_new / scale,
        "capitulations": m.capitulated_new / scale,
        "expelled_s9": m.expelled_s9 / scale,
        "purged": m.purged / scale,
        "org_joined": m.joined / scale,
        "line_velocity": m.velocity,
        "turn_memory": m.turn_memory,
        "purge_rate": m.purge_rate,
        "purge_pressure": m.purge_pressure,
    }


def observe(state: State, sc: Scenario) -> dict:
    """The row of the time series for this week."""
    ps, cs, m, orgs, ob = state.persons, state.cells, state.macro, state.orgs, sc.observe
    cut = sc.leadership.stance_cut
    cuts = (ob.degenerated_d, ob.healthy_d, ob.healthy_active)
    sums, statuses, q1, cadres, kernel, right, cohort_n = weekly(
        ps, cs.start, cs.kind, len(orgs.names), cut, ob.moved_left, cuts
    )
    row: dict = {
        "week": m.week,
        "date": date_of(sc.start, m.week),
        "K": m.K,
        "grain": m.grain,
        "wage": m.wage,
        "line": m.line,
        "regime": m.regime,
        **{f"campaign_{k}": bool(v) for k, v in m.campaigns.items()},
        **{f"driver_{k}": v for k, v in m.drivers.items()},
        "pi": m.pi,
        "beta": m.beta,
        "beta_star": m.beta_star,
        "cc_holder": HOLDERS[m.cc_holder],
        "left_top": m.left_top,
        "members": int(statuses[MEMBER] + statuses[CAPITULATED]),
        "nonparty": int(statuses[NONPARTY]),
        "expelled": int(statuses[EXPELLED]),
        "exiled": int(statuses[EXILED]),
        "capitulated": int(statuses[CAPITULATED]),
        "kernel_left_active": kernel[1] / kernel[0] if kernel[0] else 0.0,
        "right_share": right[1] / right[0] if right[0] else 0.0,
        "q5_moved_left": cohort_n[1] / cohort_n[0] if cohort_n[0] else 0.0,
        "q5_left": cohort_n[2] / cohort_n[0] if cohort_n[0] else 0.0,
        **acts(m, sc.scale),
    }
    n_cells = max(q1.sum(), 1.0)
    row.update({f"cells_{k}": q1[i] / n_cells for i, k in enumerate(Q1_CLASSES)})
    for g, name in enumerate(GROUPS):
        n = sums[g, 0]
        for k, metric in enumerate(METRICS):
            row[f"{name}_{metric}"] = sums[g, k + 1] / n if n else 0.0
    party_n = sums[:4, 0].sum()
    row["gap"] = sums[:4, 6].sum() / party_n if party_n else 0.0
    for o, name in enumerate(orgs.names):
        s = slug(name)
        row[f"{s}_in_party"] = int(cadres[o, 0])
        row[f"{s}_expelled"] = int(cadres[o, 1])
        row[f"{s}_exiled"] = int(cadres[o, 2])
        row[f"{s}_credibility"] = float(orgs.credibility[o])
        row[f"{s}_bloc"] = bool(orgs.bloc_alive[o])
    return row


CELL_LABELS = {"kind": KINDS, "q1_class": (*Q1_CLASSES, "empty")}  # coded columns: their labels


def cells_columns(state: State, sc: Scenario) -> dict[str, np.ndarray]:
    """Every cell this week as `cells_snapshot`, with `kind` and `q1_class` as int8 codes into
    `CELL_LABELS` (a run keeps its snapshots so: 1 byte a row instead of 44 to 48)."""
    ps, cs, m, ob = state.persons, state.cells, state.macro, sc.observe
    out, cls = snapshot(ps, cs.start, (ob.degenerated_d, ob.healthy_d, ob.healthy_active))
    n = state.n_cells
    return {
        "week": np.full(n, m.week, np.int32),
        "cell": np.arange(n, dtype=np.int32),
        "kind": cs.kind.astype(np.int8),
        "region": cs.region.astype(np.int16),
        "size": out[:, 0].astype(np.int32),
        "members": out[:, 1].astype(np.int32),
        "mean_d": out[:, 2],
        "active_share": out[:, 3],
        "mean_x": out[:, 4],
        "mean_y": out[:, 5],
        "enforcers": out[:, 6].astype(np.int32),
        "appointed": cs.appointed.copy(),
        "secretary_x": ps.x[cs.secretary],
        "secretary_d": ps.d[cs.secretary],
        "q1_class": cls,
    }


def cells_snapshot(state: State, sc: Scenario) -> dict[str, np.ndarray]:
    """Every cell this week: kind, region, size, mean d, active share, mean x and y, ..."""
    cols = cells_columns(state, sc)
    for k, labels in CELL_LABELS.items():
        cols[k] = np.array(labels)[cols[k]]
    return cols


__all__ = [
    "CELL_LABELS",
    "GROUPS",
    "METRICS",
    "Q1_CLASSES",
    "acts",
    "cells_columns",
    "cells_snapshot",
    "observe",
    "slug",
]
