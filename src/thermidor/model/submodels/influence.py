"""S6 influence: opinion exchange inside the cells, anchored in material position, and where the
cadres spend their effort.

Letter Q1: "We will patiently explain our tasks to it, basing ourselves upon experience and
facts. In every cell and at every worker's meeting ..."; Q4: "hundreds of thousands of workers
... do believe in it, if not 100 per cent then at least fifty or twenty-five per cent. They are
not yet with us". Anchors: Deffuant, Amblard, Weisbuch and Faure (2002), JASSS 5(4) 1, the
relative-agreement (RA) model with heterogeneous uncertainty (with `rule = "bounded_confidence"`
the Deffuant-Weisbuch (2000) model); Friedkin and Johnsen (1990), J. Math. Sociol. 15, 193,
social anchoring: each person weighs what he hears against his own anchor a_i (the interest of
his stratum and his own conditions), x <- lambda_i (what he heard) + (1 - lambda_i) a_i; its
randomised one-listener form is Frasca, Ravazzi, Tempo and Ishii (2013), "Gossips and
prejudices", IFAC Proc. Vol. 46(27) 212: the opinions never settle but their time averages
converge to the Friedkin-Johnsen equilibrium of the expected dynamics.

Each week every present person i of cell j (size n_j) listens to one cellmate k drawn uniformly
among the n_j - 1 others (stream LISTEN); if k is present, i hears his public stance y_k:

    RA: h = min(x_i + u_i, y_k + u_k) - max(x_i - u_i, y_k - u_k)
        if h > u_k:  x_i += mu (h / u_k - 1) (y_k - x_i);  u_i += mu (h / u_k - 1) (u_k - u_i)
    BC: if |y_k - x_i| < u_i:  x_i += mu (y_k - x_i)

Then, with probability min(1, W_j / N_j) (stream CADRE_REACH), i also hears a cadre q of the
cell, drawn in proportion to his contacts (stream CADRE_PICK): each cadre whose home is cell j
and whose organisation works has `cadre_contacts * (1 if present else letters) * share` contacts
a week with i's audience, `share` his effort_party for a party audience and 1 - effort_party for
a non-party one; W_j sums them, N_j is the size of the audience. The listener weighs the message
by the credibility of its source (Hovland and Weiss 1951): x_i += mu * credibility_o (x_q - x_i),
x_q the cadre's stance at the week's start, whatever the distance (a cadre explains from where
the listener stands). The organisation heard is recorded for S7.

Last, the anchor: x_i <- lambda_i x_i + (1 - lambda_i) a_i. The anchor moves only with material
change (S8's degeneration); lambda_i (susceptibility) and u_i are drawn per person (ODD
"Initialization").
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import blocks, in_party, persons, present
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import NO_ORG, State
from thermidor.model.streams import CADRE_PICK, CADRE_REACH, LISTEN, uniform
from thermidor.scenario.schema import Scenario


@compiled
def listen(xi, ui, xj, uj, mu, bounded):
    """The new (x_i, u_i) of a listener i who hears stance xj said with uncertainty uj.

    Written without a branch on the data (a weight of 0 leaves x_i and u_i exactly as they are):
    whether i is moved is a coin toss the processor cannot predict."""
    if bounded:
        w = mu if abs(xj - xi) < ui else 0.0
        return xi + w * (xj - xi), ui
    overlap = min(xi + ui, xj + uj) - max(xi - ui, xj - uj)
    w = max(mu * (overlap / uj - 1.0), 0.0)  # > 0 exactly when overlap > uj
    return xi + w * (xj - xi), ui + w * (uj - ui)


@compiled
def anchored(heard, anchor, lam):
    """Friedkin-Johnsen: what the person made of what he heard, weighed against his anchor."""
    return heard + (1.0 - lam) * (anchor - heard)  # exactly `heard` when it is the anchor


@compiled
def pick(r, weights, n):
    """An index in 0..n-1 drawn with probability proportional to weights[:n] (total > 0), from
    the uniform r in [0, 1)."""
    total = 0.0
    for q in range(n):
        total += weights[q]
    target = r * total
    for q in range(n):
        target -= weights[q]
        if target < 0.0:
            return q
    return n - 1


@parallel
def exchange(key, week, p, start, effort, letters, works, cred, contacts, mu, bounded):
    """Every cell, by blocks of cells in parallel (each block its own scratch for the cadres and
    the draws)."""
    widest = 0
    for j in range(start.size - 1):
        widest = max(widest, start[j + 1] - start[j])
    cb = blocks(start)
    for blk in nb.prange(cb.size - 1):
        cadres = np.empty(widest, np.int64)
        said = np.empty(widest)  # what each cadre says: his x before his cell's exchange
        to_party = np.empty(widest)  # each cadre's weekly contacts with members
        to_other = np.empty(widest)  # ... and with non-party persons
        mates = np.empty(widest, np.uint64)  # the cellmate each person listens to
        reached = np.empty(widest)  # each person's draw for the cadres' reach
        for j in range(cb[blk], cb[blk + 1]):
            exchange_cell(
                key, week, p, start[j], start[j + 1], effort, letters, works, cred, contacts, mu,
                bounded, cadres, said, to_party, to_other, mates, reached,
            )  # fmt: skip


@compiled
def draw_cell(key, week, a, b, cadres_here, mates, reached) -> None:
    """The draws of the cell a:b, made before its exchange (they depend on the counters only): for
    each person i the cellmate k he listens to, uniform among the b - a - 1 others (stream LISTEN;
    meaningless in a cell of one), and, if the cell has cadres, his draw for their reach (stream
    CADRE_REACH). A loop with no branch, which the compiler vectorises: drawn inside the exchange,
    one person at a time, they cost 1.7 times as much (docs/performance.md)."""
    first = np.uint64(a)
    others = float(b - a - 1)
    for i in persons(a, b):
        k = first + np.uint64(uniform(key, week, LISTEN, i, 0) * others)
        mates[i - first] = k + np.uint64(k >= i)
    if cadres_here:
        for i in persons(a, b):
            reached[i - first] = uniform(key, week, CADRE_REACH, i, 0)


@compiled
def exchange_cell(
    key, week, p, a, b, effort, letters, works, cred, contacts, mu, bounded, cadres, said,
    to_party, to_other, mates, reached,
) -> None:  # fmt: skip
    """The week's exchange in the cell of persons a:b; the six last arrays are scratch."""
    x, y, u, org, status = p.x, p.y, p.u, p.org, p.status
    n_party = 0
    n_present = 0
    n_org = 0
    for i in persons(a, b):  # counts only: vectorised
        n_party += in_party(status[i])
        n_present += present(status[i])
        n_org += org[i] != NO_ORG
    n_other = n_present - n_party
    n_cadres = 0
    for i in persons(a, b if n_org > 0 else a):
        o = org[i]
        if o != NO_ORG and works[o] > 0.0:
            reach = contacts * works[o] * (1.0 if present(status[i]) else letters[o])
            cadres[n_cadres] = i
            said[n_cadres] = x[i]
            to_party[n_cadres] = reach * effort[o]
            to_other[n_cadres] = reach * (1.0 - effort[o])
            n_cadres += 1
    w_party = to_party[:n_cadres].sum()
    w_other = to_other[:n_cadres].sum()
    draw_cell(key, week, a, b, n_cadres > 0, mates, reached)
    first = np.uint64(a)
    for i in persons(a, b):
        p.heard[i] = NO_ORG
        if not present(status[i]):
            continue
        xi, ui = x[i], u[i]
        if b - a > 1:  # a cellmate other than i, uniformly; an exiled one says nothing
            k = mates[i - first]
            if present(status[k]):
                xi, ui = listen(xi, ui, y[k], u[k], mu, bounded)
        if n_cadres > 0 and org[i] == NO_ORG:
            member = in_party(status[i])
            reach = w_party / n_party if member else w_other / n_other
            if reach > 0.0 and reached[i - first] < reach:
                r = uniform(key, week, CADRE_PICK, i, 0)
                q = pick(r, to_party if member else to_other, n_cadres)
                o = org[cadres[q]]
                xi += mu * cred[o] * (said[q] - xi)
                p.heard[i] = o
        x[i] = min(1.0, max(-1.0, anchored(xi, p.anchor[i], p.lam[i])))
        u[i] = ui


def step(state: State, sc: Scenario) -> None:
    p, orgs = sc.influence, state.orgs
    b = orgs.behaviour if len(orgs.names) else np.zeros((1, 6))
    works = orgs.works if len(orgs.names) else np.zeros(1)
    cred = orgs.credibility if len(orgs.names) else np.zeros(1)
    exchange(
        state.key, state.macro.week, state.persons, state.cells.start,
        np.ascontiguousarray(b[:, 0]), np.ascontiguousarray(b[:, 1]), works, cred,
        p.cadre_contacts, p.mu, p.rule == "bounded_confidence",
    )  # fmt: skip
