"""S9 repression: the "dry guillotine" - expulsion, exile, capitulation.

Letter Q6: "Is not all this the Thermidor with the dry guillotine?"; Rafael: the "steel hammer
that drives an 'aspen-wedge' into the Opposition every day". Anchor: Epstein (2002), the cop
rule (each enforcer arrests at most one active agent a week), with capitulation as a hazard.

In cell j, each of the E_j enforcers expels with probability arrest_rate * regime one member who
is active and dissents in public (|y - line| > dissent_margin), at most one each: the number
expelled is Binomial(min(E_j, eligible_j), arrest_rate * regime), chosen uniformly among the
eligible. An expelled cadre
is exiled with probability `exile_share` for a term drawn uniformly in [exile_weeks_min,
exile_weeks_max]; at its end he returns to his cell as expelled. A cadre out of the party
(expelled or exiled) capitulates with weekly hazard

    1 - exp(-(capitulation_base + capitulation_isolation * isolation_j
              + capitulation_left_turn * max(step, 0)))

where isolation_j = 1 - the share of his home cell's members privately on the Left (x > cut:
his work found an echo), and step is this week's move of the line (the left turn that drew Radek,
Preobrazhensky and Smilga in July 1929). A capitulator leaves his organisation and returns to
the party, saying the line.
"""

from __future__ import annotations

import math

from thermidor.model.cells import in_party
from thermidor.model.jit import compiled
from thermidor.model.state import CAPITULATED, EXILED, EXPELLED, FUNCTIONARY, NO_ORG, State
from thermidor.scenario.schema import Scenario


@compiled
def repress(rng, p, start, arrests, rate, line, margin, cut, exile, capitulation, step):
    share_exiled, wmin, wmax = exile
    cap_base, cap_iso, cap_left = capitulation
    status, org = p.status, p.org
    for j in range(start.size - 1):
        a, b = start[j], start[j + 1]
        eligible = 0
        n = 0
        left = 0
        e = 0
        outside = 0  # cadres expelled or exiled: the only ones who count down or capitulate
        for i in range(a, b):
            s = status[i]
            if in_party(s):
                n += 1
                left += p.x[i] > cut
                eligible += p.active[i] and abs(p.y[i] - line) > margin
                e += p.stratum[i] == FUNCTIONARY
            elif org[i] != NO_ORG:
                outside += 1
        take = rng.binomial(min(e, eligible), rate) if eligible > 0 and e > 0 else 0
        arrests[j] = take
        if take == 0 and outside == 0:
            continue  # nothing can happen in this cell this week (and no random number is due)
        isolation = 1.0 - (left / n if n > 0 else 0.0)
        hazard = 1.0 - math.exp(-(cap_base + cap_iso * isolation + cap_left * max(step, 0.0)))
        for i in range(a, b):
            s = status[i]
            if in_party(s) and p.active[i] and abs(p.y[i] - line) > margin:
                if take > 0 and rng.random() * eligible < take:  # Knuth's selection sampling
                    take -= 1
                    p.active[i] = False
                    if org[i] != NO_ORG and rng.random() < share_exiled:
                        status[i] = EXILED
                        p.exile_left[i] = rng.integers(wmin, wmax + 1)
                    else:
                        status[i] = EXPELLED
                eligible -= 1
                continue
            if s == EXILED:
                p.exile_left[i] -= 1
                if p.exile_left[i] <= 0:
                    status[i] = EXPELLED
            if org[i] != NO_ORG and s in (EXILED, EXPELLED) and rng.random() < hazard:
                status[i] = CAPITULATED
                org[i] = NO_ORG
                p.exile_left[i] = 0
                p.x[i] = line
                p.y[i] = line


def step(state: State, sc: Scenario) -> None:
    p, m = sc.repression, state.macro
    repress(
        state.rng, state.persons, state.cells.start, state.cells.arrests,
        p.arrest_rate * m.regime, m.line,
        sc.expression.dissent_margin, sc.leadership.stance_cut,
        (p.exile_share, p.exile_weeks_min, p.exile_weeks_max),
        (p.capitulation_base, p.capitulation_isolation, p.capitulation_left_turn),
        m.line - m.line_start,
    )  # fmt: skip
