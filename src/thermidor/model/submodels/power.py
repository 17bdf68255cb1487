"""S12 power: the proletariat's share of state power (pi) and the bureaucracy's autonomy (beta).

Letter Q3: "We have a strongly advanced process of duality of power in the country ... A state of
duality of power is unstable, by its very essence. Sooner or later, it must go one way or the
other"; "the monstrous predominance of the bureaucratic apparatus oscillating between the classes";
"this state apparatus depends, through the medium of the party apparatus, upon the party, that is,
upon its proletarian kernel, on condition that the latter is active". Anchor: a bistable (cubic)
normal form, the textbook model of an unstable interior state between two attractors (Strogatz,
Nonlinear Dynamics and Chaos, ch. 3).

    pi   += bistability pi (1 - pi) (pi - pi_unstable)
            + kernel_weight (kernel - kernel_reference kernel0)
            + cc_weight ([Left holds the CC] - [Right holds the CC])
            - degeneration_weight K d_app
    beta += beta_growth (1 - a_w)(1 - a_p)(1 - beta) - beta_decay (a_w + a_p) beta

kernel: worker members active and privately on the Left (x > stance_cut): what they do, not what
they repeat in public; kernel0: the kernel of the first week (the party of 1 October 1928), so that
pi holds while the kernel holds and moves as it grows or shrinks; d_app: the party apparatus'
mean degeneration; a_w: the active share of all workers present (members and non-party); a_p: the
proprietor's activity, K max(0, 1 - grain) (the grain strike).

beta's passive equilibrium at this week's activity, the fixed point of its equation,
    beta* = G / (G + D),  G = beta_growth (1 - a_w)(1 - a_p),  D = beta_decay (a_w + a_p),
is kept each week (beta_star) and at the first week (beta_star0, S13's consolidation reference).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from thermidor.model.cells import (
    add_blocks,
    apparatus_sum,
    in_party,
    person_blocks,
    persons,
    present,
    zeros,
)
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import LEFT, RIGHT, WORKER, State
from thermidor.scenario.schema import Scenario


@compiled
def tally(p, a, b, cut, out) -> None:
    """Write the counts of persons a:b into `out`: the kernel (worker members), of them active
    on the Left, workers present, of them active."""
    kernel_n = 0
    left = 0
    workers = 0
    active = 0
    for i in persons(a, b):
        s = p.status[i]
        worker = p.stratum[i] == WORKER
        kernel = worker & in_party(s)
        kernel_n += kernel
        left += kernel & p.active[i] & (p.x[i] > cut)
        here = worker & present(s)
        workers += here
        active += here & p.active[i]
    out[0], out[1], out[2], out[3] = kernel_n, left, workers, active


@parallel
def aggregates(p, apparatus, cut):
    """(kernel, d_app, a_w) as defined above: counts by blocks of persons in parallel, the
    apparatus' degeneration summed in person order (`apparatus_sum`)."""
    pb = person_blocks(p.status.size)
    part = zeros((pb.size - 1, 4), np.int64)
    for blk in nb.prange(pb.size - 1):
        tally(p, pb[blk], pb[blk + 1], cut, part[blk])
    kernel_n, left, workers, active = add_blocks(part)
    app_n, app_d = apparatus_sum(p, p.d, apparatus)
    return (
        left / kernel_n if kernel_n > 0 else 0.0,
        app_d / app_n if app_n > 0 else 0.0,
        active / workers if workers > 0 else 0.0,
    )


def passive_beta(growth: float, decay: float, beta: float) -> float:
    """beta* = G / (G + D): where beta settles while the classes' activity stays as it is (with
    G = D = 0 every beta is at rest: the current one)."""
    return growth / (growth + decay) if growth + decay > 0.0 else beta


def step(state: State, sc: Scenario) -> None:
    p, m, ps = sc.power, state.macro, state.persons
    left, d_app, a_w = aggregates(ps, state.apparatus, sc.leadership.stance_cut)
    a_p = m.K * max(0.0, 1.0 - m.grain)
    growth = p.beta_growth * (1 - a_w) * (1 - a_p)
    decay = p.beta_decay * (a_w + a_p)
    m.beta_star = passive_beta(growth, decay, m.beta)
    if math.isnan(m.kernel0):  # the first week: the references of 1 October 1928
        m.kernel0, m.beta_star0 = left, m.beta_star
    cc = (m.cc_holder == LEFT) - (m.cc_holder == RIGHT)
    pi = m.pi
    pi += (
        p.bistability * pi * (1 - pi) * (pi - p.pi_unstable)
        + p.kernel_weight * (left - p.kernel_reference * m.kernel0)
        + p.cc_weight * cc
        - p.degeneration_weight * m.K * d_app
    )
    m.pi = float(np.clip(pi, 0.0, 1.0))
    beta = m.beta + growth * (1 - m.beta) - decay * m.beta
    m.beta = float(np.clip(beta, 0.0, 1.0))
