"""S6 influence: opinion exchange inside the cells, and where the cadres spend their effort.

Letter Q1: "We will patiently explain our tasks to it, basing ourselves upon experience and
facts. In every cell and at every worker's meeting ..." Anchor: Deffuant, Amblard, Weisbuch and
Faure (2002), JASSS 5(4) 1, the relative-agreement (RA) model; with `rule = "bounded_confidence"`
the Deffuant-Weisbuch (2000) model.

Each present person i listens each week to one random present cellmate j, who says y_j:

    RA: h = min(x_i + u_i, y_j + u_j) - max(x_i - u_i, y_j - u_j)
        if h > u_j:  x_i += mu (h / u_j - 1) (y_j - x_i);  u_i += mu (h / u_j - 1) (u_j - u_i)
    BC: if |y_j - x_i| < u_i:  x_i += mu (y_j - x_i)

Then, with probability min(1, W_j / N_j), i also hears a cadre of the cell (RA with the cadre's
x at the week's start and the committed uncertainty `cadre_u`, under either rule): each cadre
whose home is cell j and whose organisation works has `cadre_contacts * (1 if present else
letters) * share` contacts a week with i's audience, where `share` is his `effort_party` for a
party audience and 1 - effort_party for a non-party one; W_j sums them, N_j is the size of the
audience, and the cadre heard is drawn in proportion to his contacts. The organisation heard is
recorded for S7. Cadres are committed: small u.
"""

from __future__ import annotations

import numpy as np

from thermidor.model.cells import in_party, present
from thermidor.model.jit import compiled
from thermidor.model.state import NO_ORG, State
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
def pick(rng, weights, n):
    """An index in 0..n-1 drawn with probability proportional to weights[:n] (total > 0)."""
    total = 0.0
    for q in range(n):
        total += weights[q]
    target = rng.random() * total
    for q in range(n):
        target -= weights[q]
        if target < 0.0:
            return q
    return n - 1


@compiled
def exchange(rng, p, start, effort, letters, works, contacts, cadre_u, mu, bounded):
    x, y, u, org, status = p.x, p.y, p.u, p.org, p.status
    widest = np.max(np.diff(start)) if start.size > 1 else 0
    cadres = np.empty(widest, np.int64)
    said = np.empty(widest)  # what each cadre says: his x before his cell's exchange
    to_party = np.empty(widest)  # each cadre's weekly contacts with members
    to_other = np.empty(widest)  # ... and with non-party persons
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        n_party = 0
        n_other = 0
        n_cadres = 0
        for i in range(a, b):
            if present(status[i]):
                if in_party(status[i]):
                    n_party += 1
                else:
                    n_other += 1
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
        for i in range(a, b):
            p.heard[i] = NO_ORG
            if not present(status[i]):
                continue
            if n_party + n_other > 1:
                for _ in range(8):  # a random present cellmate other than i (8 draws at most)
                    k = a + int(rng.random() * (b - a))
                    if k != i and present(status[k]):
                        x[i], u[i] = listen(x[i], u[i], y[k], u[k], mu, bounded)
                        break
            if n_cadres == 0 or org[i] != NO_ORG:
                continue
            member = in_party(status[i])
            reach = w_party / n_party if member else w_other / n_other
            if reach > 0.0 and rng.random() < reach:
                q = pick(rng, to_party if member else to_other, n_cadres)
                x[i], u[i] = listen(x[i], u[i], said[q], cadre_u, mu, False)
                p.heard[i] = org[cadres[q]]
    np.clip(x, -1.0, 1.0, x)


def step(state: State, sc: Scenario) -> None:
    p, orgs = sc.influence, state.orgs
    b = orgs.behaviour if len(orgs.names) else np.zeros((1, 6))
    works = orgs.works if len(orgs.names) else np.zeros(1)
    exchange(
        state.rng, state.persons, state.cells.start, np.ascontiguousarray(b[:, 0]),
        np.ascontiguousarray(b[:, 1]), works, p.cadre_contacts, p.cadre_u, p.mu,
        p.rule == "bounded_confidence",
    )  # fmt: skip
