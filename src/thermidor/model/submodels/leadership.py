"""S3 leadership: the Centre's line answers its pressures continuously, with inertia; campaigns.

Letter Q4: "The functionary of the party, the trade unions and other institutions, is the rampart of
the Centrists: in spite of everything, he depends upon the working masses and seems to be obliged in
recent times to take these masses into account more and more: hence, the 'self-criticism' and 'the
struggle against the Right'"; the Centre took a "Left zig-zag", never a "Left course". Anchor: a
second-order (inertial) response of a policy to its pressures, the partial-adjustment model of
policy inertia (Goodhart's and Clarida-Gali-Gertler's interest-rate smoothing), with campaigns as a
two-threshold relay (hysteresis, as in Granovetter 1978's collective switching).

    pressure = mass_weight * kernel + threat_weight * max(0, 1 - grain)
               + drift_weight * (x_app - line) - right_weight * right + left_weight * left
    kernel   = share of worker members active and privately on the Left, x > stance_cut
    x_app    = mean private stance of the party apparatus (S8 pulls it to the Right)
    right    = share of members privately on the Right, x < -stance_cut (the Right's base)
    left     = share of members active and saying in public a stance left of the line by more
               than the dissent margin (the open pressure of the Left)
    velocity <- (1 - agility) velocity + agility * response * boost * pressure
    line     <- clip(line + velocity, -1, 1),   boost = campaign_boost during a campaign, else 1

So the line moves whenever its pressures do not balance, slowly and with momentum (zig-zags come
from the momentum carrying it past the balance); the grain strike of 1928 (grain0 = 0.7, rows
K12-K13) is a threat the Centre answers by moving left. A campaign against the Right starts when
pressure > campaign_on and stops below campaign_off; against the Left, symmetrically: a period of
fast movement and of repression aimed at one side (S9 reads the campaign). The regime of repression
answers the threat it sees:

    regime <- regime + regime_relax * (regime0 + regime_threat * visible + regime_campaign
                                        * [a campaign runs] - regime)

with `visible` the share of members active and dissenting in public on either side. With
`respond = false` (the `1928-history` scenario) the line and the campaigns move only by the
timeline's recorded decisions; the regime still answers its threat.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from thermidor.model.cells import add_blocks, apparatus_sum, in_party, person_blocks, persons, zeros
from thermidor.model.jit import compiled, parallel
from thermidor.model.state import WORKER, State
from thermidor.scenario.schema import Scenario


@compiled
def tally(p, a, b, cut, line, margin, out) -> None:
    """Write the counts of persons a:b into `out`: workers in the party, of them active on the
    Left, members, on the Right, active and dissenting in public on the Left, on either side."""
    workers = 0
    left = 0
    members = 0
    right = 0
    open_left = 0
    visible = 0
    for i in persons(a, b):
        member = in_party(p.status[i])
        worker = member & (p.stratum[i] == WORKER)
        workers += worker
        left += worker & p.active[i] & (p.x[i] > cut)
        members += member
        right += member & (p.x[i] < -cut)
        says = p.y[i] - line
        open_left += member & p.active[i] & (says > margin)
        visible += member & p.active[i] & (abs(says) > margin)
    out[0], out[1], out[2], out[3], out[4], out[5] = (
        workers,
        left,
        members,
        right,
        open_left,
        visible,
    )


@parallel
def aggregates(p, apparatus, cut, line, margin):
    """The kernel, the apparatus' mean stance, the Right's base, the open Left, and the open
    dissent on either side (shares of the members): counts by blocks of persons in parallel, the
    apparatus' stance summed in person order (`apparatus_sum`)."""
    pb = person_blocks(p.status.size)
    part = zeros((pb.size - 1, 6), np.int64)
    for blk in nb.prange(pb.size - 1):
        tally(p, pb[blk], pb[blk + 1], cut, line, margin, part[blk])
    workers, left, members, right, open_left, visible = add_blocks(part)
    functionaries, x_app = apparatus_sum(p, p.x, apparatus)
    n = max(members, 1)
    return (
        left / workers if workers > 0 else 0.0,
        x_app / functionaries if functionaries > 0 else 0.0,
        right / n,
        open_left / n,
        visible / n,
    )


def step(state: State, sc: Scenario) -> None:
    p, m, ps = sc.leadership, state.macro, state.persons
    kernel, x_app, right, open_left, visible = aggregates(
        ps, state.apparatus, p.stance_cut, m.line, sc.expression.dissent_margin
    )
    mass = p.mass_weight * kernel
    threat = p.threat_weight * max(0.0, 1.0 - m.grain)
    drift = p.drift_weight * (x_app - m.line)
    rightp = -p.right_weight * right
    leftp = p.left_weight * open_left
    m.drivers = {"mass": mass, "threat": threat, "drift": drift, "right": rightp, "left": leftp}
    pressure = mass + threat + drift + rightp + leftp
    camp = m.campaigns
    if p.respond:
        if camp["against_right"] and pressure < p.campaign_off:
            camp["against_right"] = False
        if camp["against_left"] and pressure > -p.campaign_off:
            camp["against_left"] = False
        if not camp["against_right"] and not camp["against_left"]:
            if pressure > p.campaign_on:
                camp["against_right"] = m.clash = True
            elif pressure < -p.campaign_on:
                camp["against_left"] = m.clash = True
        boost = p.campaign_boost if (camp["against_right"] or camp["against_left"]) else 1.0
        m.velocity = (1.0 - p.agility) * m.velocity + p.agility * p.response * boost * pressure
        m.line = float(np.clip(m.line + m.velocity, -1.0, 1.0))
    running = camp["against_right"] or camp["against_left"]
    target = p.regime0 + p.regime_threat * visible + (p.regime_campaign if running else 0.0)
    m.regime = float(np.clip(m.regime + p.regime_relax * (target - m.regime), 0.0, 1.0))
