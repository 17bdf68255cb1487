"""S10 membership: recruitment drives, attrition, purges.

Letter Q1 on "the social composition of the party"; the recruitment of 1929-32 more than doubled
the party (rows R1929-R1932) and the purge of 1929-30 expelled about a tenth (rows P02-P04).
Anchor: membership flows as independent weekly hazards (a standard cohort-flow model).

    recruitment: a non-party person joins with probability min(1, 2 rate c_i)
                 (the drives took the confident; mean c near 0.5 gives about `rate`)
    attrition:   a member other than a functionary or a cadre leaves with probability `attrition`
    purge:       a member other than a functionary is expelled with probability
                 min(1, purge_rate w_i / mean(w)),
                 w_i = 1 + purge_weight_d d_i + purge_weight_dissent [dissents in public]

A purge of share s over n weeks has purge_rate 1 - (1 - s)^(1/n) (S1).
"""

from __future__ import annotations

from thermidor.model.cells import in_party
from thermidor.model.jit import compiled
from thermidor.model.state import EXPELLED, FUNCTIONARY, MEMBER, NO_ORG, NONPARTY, State
from thermidor.scenario.schema import Scenario


@compiled
def purge_weight(p, i, w_d, w_dis, line, margin) -> float:
    return 1.0 + w_d * p.d[i] + (w_dis if abs(p.y[i] - line) > margin else 0.0)


@compiled
def flows(rng, p, recruit, attrition, purge, w_d, w_dis, line, margin):
    status = p.status
    total_w = 0.0
    n = 0
    if purge > 0.0:
        for i in range(status.size):
            if in_party(status[i]) and p.stratum[i] != FUNCTIONARY:
                n += 1
                total_w += purge_weight(p, i, w_d, w_dis, line, margin)
    mean_w = total_w / n if n > 0 else 1.0
    for i in range(status.size):
        s = status[i]
        if s == NONPARTY:
            if recruit > 0.0 and rng.random() < 2.0 * recruit * p.c[i]:
                status[i] = MEMBER
        elif in_party(s) and p.stratum[i] != FUNCTIONARY:
            w = purge_weight(p, i, w_d, w_dis, line, margin)
            if purge > 0.0 and rng.random() < purge * w / mean_w:
                status[i] = EXPELLED
            elif p.org[i] == NO_ORG and rng.random() < attrition:
                status[i] = NONPARTY


def step(state: State, sc: Scenario) -> None:
    p, m = sc.membership, state.macro
    flows(
        state.rng, state.persons, m.recruitment, p.attrition, m.purge_rate, p.purge_weight_d,
        p.purge_weight_dissent, m.line, sc.expression.dissent_margin,
    )  # fmt: skip
    if m.recruitment_weeks > 0:
        m.recruitment_weeks -= 1
        if m.recruitment_weeks == 0:
            m.recruitment = 0.0
    if m.purge_weeks > 0:
        m.purge_weeks -= 1
        if m.purge_weeks == 0:
            m.purge_rate = 0.0
