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
x and u, under either rule): W_j sums over the cadres whose home is cell j the contacts
`cadre_contacts * works * share * (1 if present else letters)`, where `share` is the cadre's
`effort_party` for a party audience and 1 - effort_party for a non-party one, and N_j is the size
of that audience. The organisation heard is recorded for S7. Cadres are committed: small u.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import in_party, present
from thermidor.model.state import NO_ORG, State
from thermidor.scenario.schema import Scenario


@nb.njit(cache=True)
def listen(xi, ui, xj, uj, mu, bounded):
    """The new (x_i, u_i) of a listener i who hears stance xj said with uncertainty uj."""
    if bounded:
        if abs(xj - xi) < ui:
            return xi + mu * (xj - xi), ui
        return xi, ui
    overlap = min(xi + ui, xj + uj) - max(xi - ui, xj - uj)
    if overlap > uj:
        w = mu * (overlap / uj - 1.0)
        return xi + w * (xj - xi), ui + w * (uj - ui)
    return xi, ui


@nb.njit(cache=True)
def exchange(rng, p, start, effort, letters, works, contacts, cadre_u, mu, bounded):
    x, y, u, org, status = p.x, p.y, p.u, p.org, p.status
    x_said = x.copy()  # what the cadres say this week
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        n_party = 0
        n_other = 0
        w_party = 0.0
        w_other = 0.0
        n_cadres = 0
        for i in range(a, b):
            if present(status[i]):
                if in_party(status[i]):
                    n_party += 1
                else:
                    n_other += 1
            o = org[i]
            if o != NO_ORG:
                n_cadres += 1
                reach = contacts * works[o] * (1.0 if present(status[i]) else letters[o])
                w_party += reach * effort[o]
                w_other += reach * (1.0 - effort[o])
        cadres = np.empty(n_cadres, np.int64)
        q = 0
        for i in range(a, b):
            if org[i] != NO_ORG:
                cadres[q] = i
                q += 1
        for i in range(a, b):
            p.heard[i] = NO_ORG
            if not present(status[i]):
                continue
            if n_party + n_other > 1:
                for _ in range(8):  # a random present cellmate other than i
                    k = a + int(rng.random() * (b - a))
                    if k != i and present(status[k]):
                        x[i], u[i] = listen(x[i], u[i], y[k], u[k], mu, bounded)
                        break
            if n_cadres == 0 or org[i] != NO_ORG:
                continue
            reach = w_party / n_party if in_party(status[i]) else w_other / n_other
            if rng.random() < reach:
                k = cadres[int(rng.random() * n_cadres)]
                if works[org[k]] > 0.0:
                    x[i], u[i] = listen(x[i], u[i], x_said[k], cadre_u, mu, False)
                    p.heard[i] = org[k]
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
