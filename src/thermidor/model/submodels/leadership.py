"""S3 leadership: the Centre's line moves in zig-zags under two pressures.

Letter Q4: "The functionary of the party, the trade unions and other institutions, is the rampart of
the Centrists: in spite of everything, he depends upon the working masses and seems to be obliged in
recent times to take these masses into account more and more: hence, the 'self-criticism' and 'the
struggle against the Right'"; the Centre took a "Left zig-zag", never a "Left course". Anchor:
threshold-triggered campaigns with inertia (a two-threshold relay, as in Granovetter 1978's
collective switching).

    pressure = mass_weight * kernel + threat_weight * max(0, 1 - grain)
               + drift_weight * (x_app - line)
    kernel   = share of worker members active and privately on the Left, x > stance_cut (S5)
    x_app    = mean private stance of the party apparatus, which degeneration pulls to the
               Right (S8): without the masses and the threat the line drifts with it

A campaign against the Right starts when pressure > campaign_on and stops when it falls below
campaign_off; against the Left, symmetrically. While a campaign runs the line moves `speed` a week;
a campaign against the Left raises the regime by `regime_rise` a week, otherwise the regime relaxes
to `regime0` at `regime_relax`.
"""

from __future__ import annotations

import numpy as np

from thermidor.model.cells import in_party
from thermidor.model.jit import compiled
from thermidor.model.state import FUNCTIONARY, WORKER, State
from thermidor.scenario.schema import Scenario


@compiled
def aggregates(p, cut):
    """One pass: the kernel's active Left share and the apparatus' mean stance x_app."""
    workers = 0
    left = 0
    functionaries = 0
    x_app = 0.0
    for i in range(p.status.size):
        member = in_party(p.status[i])
        worker = member & (p.stratum[i] == WORKER)
        workers += worker
        left += worker & p.active[i] & (p.x[i] > cut)
        apparatus = member & (p.stratum[i] == FUNCTIONARY)
        functionaries += apparatus
        x_app += p.x[i] if apparatus else 0.0
    return (
        left / workers if workers > 0 else 0.0,
        x_app / functionaries if functionaries > 0 else 0.0,
    )


def step(state: State, sc: Scenario) -> None:
    p, m, ps = sc.leadership, state.macro, state.persons
    left, x_app = aggregates(ps, p.stance_cut)
    mass = p.mass_weight * left
    threat = p.threat_weight * max(0.0, 1.0 - m.grain)
    drift = p.drift_weight * (x_app - m.line)
    m.drivers = {"mass": mass, "threat": threat, "drift": drift}
    pressure = mass + threat + drift
    camp = m.campaigns
    if camp["against_right"] and pressure < p.campaign_off:
        camp["against_right"] = False
    if camp["against_left"] and pressure > -p.campaign_off:
        camp["against_left"] = False
    if not camp["against_right"] and not camp["against_left"]:
        if pressure > p.campaign_on:
            camp["against_right"] = m.clash = True
        elif pressure < -p.campaign_on:
            camp["against_left"] = m.clash = True
    if camp["against_right"]:
        m.line = float(min(1.0, m.line + p.speed))
    if camp["against_left"]:
        m.line = float(max(-1.0, m.line - p.speed))
        m.regime = float(min(1.0, m.regime + p.regime_rise))
    else:
        m.regime = float(np.clip(m.regime + p.regime_relax * (p.regime0 - m.regime), 0.0, 1.0))
