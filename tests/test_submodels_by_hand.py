"""Each submodel's rule, checked against a value computed BY HAND on a small hand-built state.

`tests/test_submodels.py` checks the qualitative properties each submodel documents; the Mesa
twin's lockstep (`tests/test_reference.py`) checks that the engine and the twin agree. Neither
catches a rule both implement the same wrong way, nor a rare branch no lockstep run reaches. Here
every expected number is worked out from the rule as docs/ODD.md writes it, the arithmetic in the
comment beside it, never from the code under test. Every parameter the rule reads is set in the
test (so a recalibration of the built-in scenarios changes none of these numbers).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from conftest import build_state
from thermidor.model import schedule
from thermidor.model.calendar import date_of, week_of
from thermidor.model.observe import cells_snapshot, observe
from thermidor.model.state import (
    CAPITULATED,
    CENTRE,
    EMPLOYEE,
    EXILED,
    EXPELLED,
    FUNCTIONARY,
    INSTITUTION,
    LEFT,
    MEMBER,
    NO_ORG,
    NONPARTY,
    OPEN,
    RIGHT,
    WORKER,
)
from thermidor.model.submodels import (
    blocs,
    confidence,
    degeneration,
    expression,
    hierarchy,
    leadership,
    membership,
    outcome,
    power,
    repression,
)
from thermidor.scenario import Scenario, load_scenario


def scenario(*overrides: str, **keys) -> Scenario:
    return load_scenario("tiny", list(overrides), **keys)


# --- S7 confidence ------------------------------------------------------------------------

S7 = (
    "confidence.step_gain=1.0",
    "confidence.repression_loss=0.4",
    "confidence.exposure_loss=0.5",
    "confidence.relax=0.1",
    "confidence.credibility_step=0.5",
    "confidence.credibility_dead=0.2",
    "confidence.credibility_liquidated=0.3",
    "confidence.calumny=0.4",
    "confidence.credibility_memory=0.1",
    "observe.confident=0.45",
    "activation.threshold=0.1",
)


def _s7_state(line: float):
    """Two cells: cell 0 (4 persons, one expulsion last week), cell 1 (2 persons, none). One
    organisation, credibility 0.4, saying 'the party is dead' and 'October is liquidated',
    backing left steps, not refuting the second party. Listeners: persons 2, 3 and 4."""
    return build_state(
        [4, 2],
        orgs=[
            {
                "says_party_dead": 1.0,
                "says_october_liquidated": 1.0,
                "backs_left_steps": 1.0,
                "refutes_second_party": 0.0,
            }
        ],
        credibility=[0.4],
        x=[0.5, -0.5, 0.0, 0.5, 0.3, -0.3],
        c=[0.5, 0.5, 0.5, 0.5, 0.4, 0.4],
        c0=0.6,
        h=[0.5, 0.5, 0.5, 0.5, 0.1, 0.5],
        heard=[NO_ORG, NO_ORG, 0, 0, 0, NO_ORG],
        cells={"arrests": [1, 0]},
        macro={"line": line, "line_start": 0.0, "regime": 0.5},
    )


@pytest.mark.parametrize(
    ("line", "c", "credibility"),
    [
        # step = +0.1. c_i += 1.0 * 0.1 * sign(x_i) - 0.4 * arrests_j / n_j
        #                    - 0.5 * 0.4 [heard] + 0.1 * (0.6 - c_i)
        # cell 0 (1 arrest / 4 present: -0.1): 0.5 + 0.1 - 0.1 + 0.01 = 0.51;
        #   0.5 - 0.1 - 0.1 + 0.01 = 0.31; 0.5 + 0 - 0.1 + 0.01 - 0.2 = 0.21;
        #   0.5 + 0.1 - 0.1 + 0.01 - 0.2 = 0.31
        # cell 1: 0.4 + 0.1 + 0.02 - 0.2 = 0.32; 0.4 - 0.1 + 0.02 = 0.32
        # listeners (c before: 0.5, 0.5, 0.4; confident 0.45):
        #   dead: +1 (arrests in cell 0), +1, +1 (c 0.4 < 0.45)      mean 1
        #   liq:  h(1 - c) = 0.25, 0.25, 0.06 against T = 0.1: +1 +1 -1   mean 1/3
        #   back: [x > 0] - [c < 0.45]: 0 - 0, 1 - 0, 1 - 1            mean 1/3
        #   right: sign(x): 0, 1, 1                                     mean 2/3
        #   cal: +1, +1, -1                                             mean 1/3
        # delta = 0.2 * 1 * 1 + 0.3 * 1 * 1/3 + 0.5 * 0.1 * (2 - 1) * 1/3 + 0.5 * 0 * 2/3
        #         + 0.4 * 0.5 * (0 - 1) * 1/3 = 0.2 + 0.1 + 0.016667 - 0.066667 = 0.25
        # L = log(0.4 / 0.6) = -0.405465; L' = L + 0.25 - 0.1 L = -0.114919
        # credibility = 1 / (1 + exp(0.114919)) = 0.4713019
        (0.1, [0.51, 0.31, 0.21, 0.31, 0.32, 0.32], 0.4713019266),
        # step = -0.1: the signs of the step term flip: cell 0: 0.31, 0.51, 0.21, 0.11;
        #   cell 1: 0.4 - 0.1 + 0.02 - 0.2 = 0.12; 0.4 + 0.1 + 0.02 = 0.52
        # delta = 0.2 + 0.1 + 0 (no left step) + 0.5 * 0.1 * 2/3 - 0.066667 = 0.266667
        # L' = -0.405465 + 0.266667 + 0.040547 = -0.098252; credibility = 0.4754568
        (-0.1, [0.31, 0.51, 0.21, 0.11, 0.12, 0.52], 0.4754567581),
    ],
)
def test_s7_confidence_and_credibility_by_hand(
    line: float, c: list[float], credibility: float
) -> None:
    state = _s7_state(line)
    confidence.step(state, scenario(*S7))
    assert state.persons.c == pytest.approx(c, abs=1e-12)
    assert state.orgs.credibility[0] == pytest.approx(credibility, abs=1e-9)


def test_s7_the_exiled_keep_their_confidence() -> None:
    """An exile is not in a cell: his c does not move (and he is no listener); he does not count
    among the n_j present: one arrest over the 2 present gives -0.4 / 2 = -0.2 (not / 3)."""
    state = build_state(
        [3],
        status=[EXILED, MEMBER, MEMBER],
        x=0.0,
        c=0.5,
        c0=0.5,
        heard=[0, NO_ORG, NO_ORG],
        orgs=[{}],
        cells={"arrests": [1]},
    )
    confidence.step(state, scenario(*S7))
    # exiled: 0.5; present: 0.5 + 0 - 0.4 * 1/2 + 0.1 * 0 = 0.3
    assert state.persons.c == pytest.approx([0.5, 0.3, 0.3], abs=1e-12)
    # no listener: only the memory term, L = 0 (credibility 0.5) stays 0
    assert state.orgs.credibility[0] == pytest.approx(0.5, abs=1e-12)


# --- S10 membership -----------------------------------------------------------------------

S10 = (
    "membership.purge_dissent=2.0",
    "membership.purge_degeneration=1.0",
    "membership.purge_on=0.25",
    "membership.purge_patience=6.0",
    "membership.purge_size=0.22",
    "membership.purge_max=0.25",
    "membership.purge_weeks=52",
    "membership.attrition=0.0",
    "membership.org_recruit=0.0",
    "expression.dissent_margin=0.2",
)


@pytest.mark.parametrize(
    ("pressure", "declared"),
    [
        # Q = 2.0 * (2 of 4 members dissent in public: y 0.5 and -0.3 against line 0, margin 0.2)
        #     + 1.0 * mean d (0.1 + 0.2 + 0.3 + 0.4) / 4 = 1.0 + 0.25 = 1.25
        # A = 4.0 + 1.25 - 0.25 = 5.0 < 6: no purge, A kept
        (4.0, False),
        # A = 5.5 + 1.25 - 0.25 = 6.5 >= 6: a purge of s = min(0.25, 0.22 * 1.25 = 0.275) = 0.25
        # at rate 1 - 0.75^(1/52) for 52 weeks, of which this week is the first (51 left); A = 0
        (5.5, True),
    ],
)
def test_s10_the_purge_pressure_by_hand(pressure: float, declared: bool) -> None:
    state = build_state(
        [4],
        y=[0.5, 0.0, 0.1, -0.3],
        d=[0.1, 0.2, 0.3, 0.4],
        macro={"purge_pressure": pressure, "line": 0.0},
    )
    # a non-party person and an expelled one, far from the line, do not count among the members
    state.persons.status[:] = MEMBER
    membership.step(state, scenario(*S10))
    m = state.macro
    if declared:
        assert m.purge_pressure == 0.0
        assert m.purge_rate == pytest.approx(1.0 - 0.75 ** (1.0 / 52.0), rel=1e-12)
        assert m.purge_weeks == 51
    else:
        assert m.purge_pressure == pytest.approx(5.0, abs=1e-12)
        assert (m.purge_rate, m.purge_weeks) == (0.0, 0)


def test_s10_only_members_count_in_the_purge_pressure() -> None:
    """The same four members, plus a non-party person and an expelled one dissenting with
    d = 1: still Q = 1.25 and A = 4.0 + 1.25 - 0.25 = 5.0."""
    state = build_state(
        [6],
        status=[MEMBER, MEMBER, MEMBER, MEMBER, NONPARTY, EXPELLED],
        y=[0.5, 0.0, 0.1, -0.3, 0.9, 0.9],
        d=[0.1, 0.2, 0.3, 0.4, 1.0, 1.0],
        macro={"purge_pressure": 4.0, "line": 0.0},
    )
    membership.step(state, scenario(*S10))
    assert state.macro.purge_pressure == pytest.approx(5.0, abs=1e-12)


def test_s10_flows_at_their_certain_ends() -> None:
    """Probabilities at 0 or 1, so the outcome is certain whatever the draws:
    recruitment rate 0.5: a non-party person with c = 1 joins with min(1, 2 * 0.5 * 1) = 1, one
    with c = 0 with 0; attrition 1: every member leaves but the functionary and the cadre;
    org_recruit 1, credibility 1, works 1: a listener privately on the Left (x 0.5 > cut 0.2)
    joins surely, one at x = 0.1, a functionary and an exile never."""
    st = [NONPARTY] * 4 + [MEMBER] * 3 + [NONPARTY, NONPARTY, MEMBER, EXILED]
    strata = [WORKER] * 5 + [FUNCTIONARY, WORKER, WORKER, WORKER, FUNCTIONARY, WORKER]
    state = build_state(
        [11],
        status=st,
        stratum=strata,
        c=[1.0, 1.0, 0.0, 0.0, 0.5, 0.5, 0.5] + [0.0] * 4,
        org=[NO_ORG] * 6 + [0] + [NO_ORG] * 4,
        heard=[NO_ORG] * 7 + [0, 0, 0, 0],
        x=[0.0] * 7 + [0.5, 0.1, 0.5, 0.5],
        orgs=[{}],
        credibility=[1.0],
        macro={"recruitment": 0.5, "recruitment_weeks": 1},
    )
    sc = scenario(
        *S10,
        "membership.attrition=1.0",
        "membership.org_recruit=1.0",
        "membership.decides_purge=false",
        "leadership.stance_cut=0.2",
    )
    membership.step(state, sc)
    ps = state.persons
    # persons 0-1 joined the party; 2-3 did not; 4 (member) left; 5 (functionary) and
    # 6 (cadre) stayed; the Left listener 7 joined organisation 0, no one else did
    assert ps.status[:7].tolist() == [MEMBER, MEMBER, NONPARTY, NONPARTY, NONPARTY, MEMBER, MEMBER]
    assert ps.org.tolist() == [NO_ORG] * 6 + [0, 0] + [NO_ORG] * 3
    assert state.macro.joined == 1
    # the drive lasted its one week: it ends
    assert (state.macro.recruitment, state.macro.recruitment_weeks) == (0.0, 0)


def test_s10_a_member_who_left_this_week_is_not_recruited_back() -> None:
    """Attrition 1 and a drive of rate 0.5 over members of confidence 1 (a recruit's chance 1):
    every member leaves, none is recruited back the same week; the non-party all join. Each
    person's flow is decided by his status at the week's start."""
    state = build_state([8], status=[MEMBER] * 4 + [NONPARTY] * 4, c=1.0,
                        macro={"recruitment": 0.5, "recruitment_weeks": 1})  # fmt: skip
    sc = scenario("membership.attrition=1.0", "membership.decides_purge=false")
    membership.step(state, sc)
    assert state.persons.status.tolist() == [NONPARTY] * 4 + [MEMBER] * 4


def test_s10_a_capitulator_does_not_join() -> None:
    """org_recruit 1, credibility 1, no attrition: the member on the Left who heard a cadre joins
    surely, the capitulator beside him never."""
    state = build_state(
        [2],
        status=[MEMBER, CAPITULATED],
        x=0.5,
        heard=0,
        orgs=[{}],
        credibility=[1.0],
    )
    sc = scenario(
        *S10, "membership.org_recruit=1.0", "membership.decides_purge=false",
        "leadership.stance_cut=0.2",
    )  # fmt: skip
    membership.step(state, sc)
    assert state.persons.org.tolist() == [0, NO_ORG]
    assert state.persons.status.tolist() == [MEMBER, CAPITULATED]


def test_s10_the_purge_weighs_dissent() -> None:
    """Purge rate 2/3; ten members dissenting in public (w = 1 + 1.0 * 0 + 2.0 = 3) and ten not
    (w = 1): mean w = 2, so a dissenter goes with min(1, 2/3 * 3 / 2) = 1 - all ten surely - and
    another with 2/3 * 1 / 2 = 1/3 (all ten going: probability 3^-10 = 2e-5); the functionary is
    never purged."""
    y = [0.9] * 10 + [0.0] * 10 + [0.9]
    strata = [WORKER] * 20 + [FUNCTIONARY]
    state = build_state(
        [21],
        y=y,
        d=0.0,
        stratum=strata,
        macro={"purge_rate": 2.0 / 3.0, "purge_weeks": 10, "line": 0.0},
    )
    sc = scenario(
        *S10,
        "membership.purge_weight_d=1.0",
        "membership.purge_weight_dissent=2.0",
        "membership.purge_weight_alien=0.5",
        "membership.decides_purge=false",
    )
    membership.step(state, sc)
    status = state.persons.status
    assert (status[:10] == EXPELLED).all()
    assert 0 < (status[10:20] == EXPELLED).sum() < 10
    assert status[20] == MEMBER
    assert state.macro.purged == (status == EXPELLED).sum()


# --- S12 power ----------------------------------------------------------------------------

S12 = (
    "power.bistability=0.1",
    "power.pi_unstable=0.5",
    "power.kernel_weight=0.2",
    "power.kernel_reference=0.5",
    "power.cc_weight=0.01",
    "power.degeneration_weight=0.5",
    "power.beta_growth=0.1",
    "power.beta_decay=0.2",
    "leadership.stance_cut=0.2",
)


def _s12_state(cc_holder: int, kernel0: float):
    """Worker members: active Left (x 0.5) twice, active at x 0.1, passive at x 0.5; two
    functionaries (d 0.2, 0.4); two non-party workers, one active; an exiled worker member,
    active and on the Left (not present, not in the party: counts nowhere)."""
    return build_state(
        [9],
        status=[MEMBER] * 6 + [NONPARTY, NONPARTY, EXILED],
        stratum=[WORKER] * 4 + [FUNCTIONARY] * 2 + [WORKER] * 3,
        x=[0.5, 0.5, 0.1, 0.5, 0.0, 0.0, 0.0, 0.0, 0.9],
        active=[True, True, True, False, False, False, True, False, True],
        d=[0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.9, 0.9, 0.9],
        macro={
            "pi": 0.6,
            "beta": 0.4,
            "K": 0.3,
            "grain": 0.8,
            "kernel0": kernel0,
            "cc_holder": cc_holder,
        },
    )


def test_s12_pi_and_beta_by_hand() -> None:
    """kernel = 2 / 4 worker members active on the Left = 0.5; d_app = (0.2 + 0.4) / 2 = 0.3;
    a_w = 4 active / 6 present workers (4 members, 2 non-party) = 2/3; a_p = 0.3 * (1 - 0.8) = 0.06
    pi' = 0.6 + 0.1 * 0.6 * 0.4 * (0.6 - 0.5) + 0.2 * (0.5 - 0.5 * 0.4) + 0.01 * 1
             - 0.5 * 0.3 * 0.3 = 0.6 + 0.0024 + 0.06 + 0.01 - 0.045 = 0.6274
    G = 0.1 * (1/3) * 0.94 = 0.031333; D = 0.2 * (2/3 + 0.06) = 0.145333
    beta' = 0.4 + G * 0.6 - D * 0.4 = 0.4 + 0.0188 - 0.058133 = 0.360667; beta* = G / (G + D)
    = 0.177358"""
    state = _s12_state(LEFT, 0.4)
    power.step(state, scenario(*S12))
    m = state.macro
    assert m.pi == pytest.approx(0.6274, abs=1e-12)
    assert m.beta == pytest.approx(0.3606666666666667, abs=1e-12)
    assert m.beta_star == pytest.approx(0.17735849056603778, abs=1e-12)
    assert m.kernel0 == 0.4  # set once, at the first week only


def test_s12_first_week_sets_the_references_and_the_right_cc_pulls_down() -> None:
    """kernel0 unset (nan): it becomes this week's kernel 0.5 and beta_star0 this week's beta*;
    the Right holding the CC counts -1: pi' = 0.6 + 0.0024 + 0.2 * (0.5 - 0.25) - 0.01 - 0.045
    = 0.5974."""
    state = _s12_state(RIGHT, float("nan"))
    power.step(state, scenario(*S12))
    m = state.macro
    assert m.kernel0 == 0.5
    assert m.beta_star0 == pytest.approx(0.17735849056603778, abs=1e-12)
    assert m.pi == pytest.approx(0.5974, abs=1e-12)


def test_s12_pi_is_clipped_to_zero_one() -> None:
    """With a kernel weight of 1 and kernel0 = 0 at pi = 0.98, pi' = 0.98 + 0.1 * 0.98 * 0.02
    * 0.48 + 1.0 * 0.5 + 0.01 - 0.045 > 1: it stays 1. With the CENTRE holding the CC the cc
    term is 0: from pi = 0.02 and kernel0 = 1.0, pi' = 0.02 + 0.1 * 0.02 * 0.98 * (-0.48)
    + 1.0 * (0.5 - 0.5) - 0.045 < 0: it is 0."""
    high = _s12_state(LEFT, 0.0)
    high.macro.pi = 0.98
    power.step(high, scenario(*S12, "power.kernel_weight=1.0"))
    assert high.macro.pi == 1.0
    low = _s12_state(CENTRE, 1.0)
    low.macro.pi = 0.02
    power.step(low, scenario(*S12, "power.kernel_weight=1.0"))
    assert low.macro.pi == 0.0


# --- S4 expression ------------------------------------------------------------------------

S4 = (
    "expression.oppression_enforcers=0.4",
    "expression.oppression_appointed=0.2",
    "expression.self_criticism_relief=0.5",
    "expression.dissent_margin=0.2",
    "expression.rounds=3",
)


def _s4_state(self_criticism: bool):
    """Cell 0 (appointed secretary): four worker members privately at 0.6 (tau 0.1, 0.2, 0.3,
    0.7), one at 0.2, a functionary at 0.0, a non-party worker at 0.9 who said 0, and an expelled
    functionary (no enforcer: not in the party). Line 0.1."""
    campaigns = {"against_right": False, "against_left": False, "self_criticism": self_criticism}
    x = [0.6, 0.6, 0.6, 0.6, 0.2, 0.0, 0.9, 0.0]
    return build_state(
        [8],
        status=[MEMBER] * 6 + [NONPARTY, EXPELLED],
        stratum=[WORKER] * 5 + [FUNCTIONARY, WORKER, FUNCTIONARY],
        x=x,
        y=[0.6, 0.6, 0.6, 0.6, 0.2, 0.0, 0.0, 0.0],
        tau=[0.1, 0.2, 0.3, 0.7, 0.0, 0.0, 0.0, 0.0],
        cells={"appointed": [True]},
        macro={"line": 0.1, "regime": 0.5, "campaigns": campaigns},
    )


@pytest.mark.parametrize(
    ("self_criticism", "oppression", "y"),
    [
        # oppression = 0.5 * (0.4 * 1 enforcer / 6 members + 0.2 * 1) * (1 - 0.5) = 0.066667
        # dissenters (|x - 0.1| > 0.2): the four at 0.6, all saying so last week: share 4/6
        # round 1: says <=> 0.6667 >= tau + 0.0667: tau 0.1, 0.2, 0.3 yes, 0.7 no -> 3
        # round 2: share 3/6 = 0.5 >= 0.1667, 0.2667, 0.3667 yes, 0.7667 no -> 3: stable
        # the fourth hides (y = line 0.1); the others say x; the non-party worker says 0.9
        (True, 0.5 * (0.4 / 6 + 0.2) * 0.5, [0.6, 0.6, 0.6, 0.1, 0.2, 0.0, 0.9, 0.0]),
        # without the campaign: oppression = 0.5 * (0.4 / 6 + 0.2) = 0.133333
        # round 1: 0.6667 >= 0.2333, 0.3333, 0.4333 yes, 0.8333 no -> 3
        # round 2: 0.5 >= 0.2333, 0.3333, 0.4333 yes -> 3: stable
        (False, 0.5 * (0.4 / 6 + 0.2), [0.6, 0.6, 0.6, 0.1, 0.2, 0.0, 0.9, 0.0]),
    ],
)
def test_s4_oppression_and_the_threshold_rule_by_hand(
    self_criticism: bool, oppression: float, y: list[float]
) -> None:
    state = _s4_state(self_criticism)
    expression.step(state, scenario(*S4))
    assert state.cells.oppression[0] == pytest.approx(oppression, abs=1e-12)
    assert state.persons.y.tolist() == pytest.approx(y, abs=1e-12)


def test_s4_a_cascade_down_by_hand() -> None:
    """Regime 1, enforcers' weight 0, appointed weight 0.5: oppression = 1.0 * (0 + 0.5 * 1) = 0.5,
    which raises every threshold: round 1: 4/6 = 0.667 >= tau + 0.5 only for tau 0.1 -> 1;
    round 2: 1/6 = 0.167 >= 0.6? no -> 0; round 3: 0 -> 0, stable. All four hide."""
    state = _s4_state(False)
    state.macro.regime = 1.0
    sc = scenario(*S4, "expression.oppression_enforcers=0.0", "expression.oppression_appointed=0.5")
    expression.step(state, sc)
    assert state.cells.oppression[0] == pytest.approx(0.5, abs=1e-12)
    assert state.persons.y.tolist() == pytest.approx([0.1] * 4 + [0.2, 0.0, 0.9, 0.0], abs=1e-12)


# --- S8 degeneration ----------------------------------------------------------------------

S8 = (
    "degeneration.privilege_rate=0.1",
    "degeneration.exposure_rate=0.2",
    "degeneration.oppression_rate=0.3",
    "degeneration.control_rate=0.4",
    "degeneration.stance_drift=0.05",
    "degeneration.exposure.institution=0.8",
    "population.strata.employee.privilege=0.4",
    "population.strata.functionary.privilege=0.6",
    "population.strata.worker.privilege=0.05",
    "population.nonparty.privilege=0.0",
    "leadership.stance_cut=0.2",
)


def test_s8_degeneration_and_the_anchor_by_hand() -> None:
    """An institution cell (exposure 0.8), oppression 0.2, K = 0.3: push_cell = 0.2 * 0.3 * 0.8
    + 0.3 * 0.2 = 0.108. Members: an employee, a functionary, a worker active on the Left (x 0.5),
    a passive worker at 0.5: control = 1 / 4 = 0.25 (the non-party worker and the exile do not
    count). d' = d + (0.1 privilege + 0.108)(1 - d) - 0.4 * 0.25 * d; a' = a - 0.05 d' (a + 1):
      employee d 0.4, priv 0.4: 0.4 + 0.148 * 0.6 - 0.04 = 0.4488; a 0.2 -> 0.2 - 0.05 * 0.4488
        * 1.2 = 0.173072
      functionary d 0.2, priv 0.6: 0.2 + 0.168 * 0.8 - 0.02 = 0.3144; a -0.1 -> -0.114148
      active worker d 0.1, priv 0.05: 0.1 + 0.113 * 0.9 - 0.01 = 0.1917; a 0.5 -> 0.4856225
      passive worker d 0.3: 0.3 + 0.113 * 0.7 - 0.03 = 0.3491; a 0 -> -0.017455
      non-party d 0.1, priv 0: 0.1 + 0.108 * 0.9 - 0.01 = 0.1872; a 0.3 -> 0.287832
      exile: unchanged (d 0.3, a 0.4)."""
    state = build_state(
        [6],
        status=[MEMBER, MEMBER, MEMBER, MEMBER, NONPARTY, EXILED],
        stratum=[EMPLOYEE, FUNCTIONARY, WORKER, WORKER, WORKER, EMPLOYEE],
        x=[0.0, 0.0, 0.5, 0.5, 0.0, 0.9],
        active=[False, False, True, False, False, True],
        d=[0.4, 0.2, 0.1, 0.3, 0.1, 0.3],
        anchor=[0.2, -0.1, 0.5, 0.0, 0.3, 0.4],
        cells={"kind": [INSTITUTION], "oppression": [0.2]},
        macro={"K": 0.3},
    )
    degeneration.step(state, scenario(*S8))
    ps = state.persons
    assert ps.d.tolist() == pytest.approx([0.4488, 0.3144, 0.1917, 0.3491, 0.1872, 0.3], abs=1e-12)
    assert ps.anchor.tolist() == pytest.approx(
        [0.173072, -0.114148, 0.4856225, -0.017455, 0.287832, 0.4], abs=1e-12
    )


# --- S3 leadership: the campaigns stop ----------------------------------------------------

S3 = (
    "leadership.mass_weight=1.0",
    "leadership.threat_weight=1.0",
    "leadership.drift_weight=1.0",
    "leadership.right_weight=1.0",
    "leadership.left_weight=1.0",
    "leadership.response=0.1",
    "leadership.agility=0.5",
    "leadership.campaign_boost=3.0",
    "leadership.campaign_on=0.3",
    "leadership.regime0=0.3",
    "leadership.regime_threat=2.0",
    "leadership.regime_campaign=0.2",
    "leadership.regime_relax=0.1",
    "leadership.stance_cut=0.2",
    "leadership.respond=true",
    "expression.dissent_margin=0.2",
)


def _s3_state(running: str | None):
    """Four worker members (x 0.5 active saying 0.5, x 0.5 passive, two at 0) and a functionary
    at x = -0.3; line 0, grain 0.9, velocity 0.02, regime 0.4."""
    campaigns = {"against_right": False, "against_left": False, "self_criticism": False}
    if running:
        campaigns[running] = True
    return build_state(
        [5],
        stratum=[WORKER] * 4 + [FUNCTIONARY],
        x=[0.5, 0.5, 0.0, 0.0, -0.3],
        y=[0.5, 0.5, 0.0, 0.0, -0.3],
        active=[True, False, False, False, False],
        macro={
            "line": 0.0,
            "grain": 0.9,
            "velocity": 0.02,
            "regime": 0.4,
            "campaigns": campaigns,
        },
    )


# pressure = 1 * kernel 1/4 + 1 * threat (1 - 0.9) + 1 * drift (-0.3 - 0) - 1 * right 1/5
#            + 1 * open Left 1/5 = 0.25 + 0.1 - 0.3 - 0.2 + 0.2 = 0.05; visible = 1/5
@pytest.mark.parametrize(
    ("running", "off", "still", "velocity", "regime"),
    [
        # 0.05 < off 0.1: the campaign against the Right stops; boost 1:
        # velocity = 0.5 * 0.02 + 0.5 * 0.1 * 1 * 0.05 = 0.0125
        # regime = 0.4 + 0.1 * (0.3 + 2 * 0.2 + 0 - 0.4) = 0.43
        ("against_right", 0.1, False, 0.0125, 0.43),
        # 0.05 >= off 0.04: it runs on; boost 3: velocity = 0.01 + 0.05 * 3 * 0.05 = 0.0175
        # regime = 0.4 + 0.1 * (0.7 + 0.2 - 0.4) = 0.45
        ("against_right", 0.04, True, 0.0175, 0.45),
        # against the Left: it stops once pressure > -off: 0.05 > -0.04
        ("against_left", 0.04, False, 0.0125, 0.43),
        # nothing running and 0.05 < on 0.3: nothing starts
        (None, 0.04, False, 0.0125, 0.43),
    ],
)
def test_s3_the_campaign_stops_by_hand(
    running: str | None, off: float, still: bool, velocity: float, regime: float
) -> None:
    state = _s3_state(running)
    leadership.step(state, scenario(*S3, f"leadership.campaign_off={off}"))
    m = state.macro
    assert m.drivers == pytest.approx(
        {"mass": 0.25, "threat": 0.1, "drift": -0.3, "right": -0.2, "left": 0.2}, abs=1e-12
    )
    if running:
        assert m.campaigns[running] == still
    assert not any(v for k, v in m.campaigns.items() if k != running)
    assert m.clash is False
    assert m.velocity == pytest.approx(velocity, abs=1e-12)
    assert m.line == pytest.approx(velocity, abs=1e-12)
    assert m.regime == pytest.approx(regime, abs=1e-12)


def test_s3_a_campaign_starts_above_on() -> None:
    """Pressure 0.05 against campaign_on 0.04: the campaign against the Right starts this week
    (a clash), and boosts at once: velocity = 0.01 + 0.05 * 3 * 0.05 = 0.0175."""
    state = _s3_state(None)
    leadership.step(
        state, scenario(*S3, "leadership.campaign_on=0.04", "leadership.campaign_off=0.01")
    )
    m = state.macro
    assert m.campaigns["against_right"] and not m.campaigns["against_left"]
    assert m.clash is True
    assert m.velocity == pytest.approx(0.0175, abs=1e-12)


# --- blocs: the clash ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clash", "regime", "splits"),
    [
        (False, 0.34, False),  # regime rose 0.34 - 0.30 = 0.04 < clash_regime 0.05: no clash
        (False, 0.36, True),  # rose 0.06 >= 0.05: a clash
        (False, 0.20, False),  # fell 0.10: no clash (a fall is no jump)
        (True, 0.30, True),  # a campaign started this week: a clash
    ],
)
def test_blocs_a_clash_by_hand(clash: bool, regime: float, splits: bool) -> None:
    """United at week 1 with D = |0.8 - (-0.8)| (1 - 0.25) = 1.2; split_rate 10: at a clash
    the bloc splits with probability 1 - exp(-12) (not: 6e-6); otherwise it holds and the
    credibilities are pooled: (0.2 + 0.6) / 2 = 0.4."""
    start = dt.date(1928, 10, 1)
    sc = scenario(
        "bloc_rules.split_rate=10",
        "bloc_rules.clash_regime=0.05",
        start=start,
        blocs=[
            {
                "organisations": ["Left Opposition", "Democratic Centralists"],
                "date": start,
                "delimitation": 0.25,
            }
        ],
    )
    state = build_state([4], orgs=[{}, {}], credibility=[0.2, 0.6])
    state.orgs.names[:] = ["Left Opposition", "Democratic Centralists"]
    state.orgs.programme[:] = [0.8, -0.8]
    state.macro.week = 1  # the week of the start date
    blocs.step(state, sc)
    assert state.orgs.bloc_distance.tolist() == pytest.approx([1.2, 1.2], abs=1e-12)
    assert state.orgs.bloc_partner.tolist() == [1, 0]
    state.orgs.credibility[:] = [0.2, 0.6]
    m = state.macro
    m.week, m.clash, m.regime_start, m.regime = 2, clash, 0.3, regime
    blocs.step(state, sc)
    assert state.orgs.bloc_alive.tolist() == [not splits] * 2
    assert state.orgs.bloc_split_week.tolist() == [2 if splits else -1] * 2
    credibility = [0.2, 0.6] if splits else [0.4, 0.4]
    assert state.orgs.credibility.tolist() == pytest.approx(credibility, abs=1e-12)


# --- S11: the tie, S9: the capitulation step, S13: pi at thermidor_pi ----------------------


def test_s11_a_two_of_four_tie_goes_to_the_incumbent_whoever_holds() -> None:
    """theta = 1/2 (no appointment): 2 of 4 saying Left (or Right) is not > 2: the delegate is
    the incumbent's, whoever holds the CC; 3 of 4 take it."""
    y = [0.9, 0.9, 0.0, 0.0] + [-0.9, -0.9, 0.0, 0.0] + [0.9, 0.9, -0.9, -0.9]
    y += [0.9, 0.9, 0.9, 0.0]
    sc = scenario("hierarchy.appointed=0", "leadership.stance_cut=0.2")
    for incumbent in (CENTRE, LEFT, RIGHT):
        state = build_state([4, 4, 4, 4], y=np.array(y), macro={"line": 0.0})
        state.macro.week, state.macro.cc_holder = 4, incumbent
        hierarchy.step(state, sc)
        assert state.cells.vote.tolist() == [incumbent, incumbent, incumbent, LEFT]


S9 = (
    "repression.arrest_rate=0.0",
    "repression.capitulation_base=0.0",
    "repression.capitulation_isolation=0.0",
    "repression.capitulation_repression=0.0",
    "repression.capitulation_left_turn=10.0",
    "repression.turn_forget=0.05",
)


@pytest.mark.parametrize(
    ("line", "memory", "capitulate"),
    [
        # a step to the right (-0.2) adds max(-0.2, 0) = 0: memory 0.95 * 0 + 0 = 0, hazard
        # 1 - exp(0) = 0: nobody capitulates
        (-0.2, 0.0, False),
        # a step to the left (+0.2): memory = 0.95 * 0 + 0.2 = 0.2; hazard 1 - exp(-10 * 0.2)
        # = 0.865: some of the twenty capitulate (none: probability 0.135^20 = 4e-18)
        (0.2, 0.2, True),
    ],
)
def test_s9_only_a_left_step_feeds_the_capitulation_hazard(
    line: float, memory: float, capitulate: bool
) -> None:
    """Twenty exiled cadres (nothing else in the hazard: base, isolation, repression 0)."""
    state = build_state(
        [20],
        status=EXILED,
        org=0,
        exile_left=100,
        orgs=[{}],
        macro={"line": line, "line_start": 0.0, "turn_memory": 0.0, "regime": 0.3},
    )
    repression.step(state, scenario(*S9))
    assert state.macro.turn_memory == pytest.approx(memory, abs=1e-12)
    ps = state.persons
    gone = ps.status == CAPITULATED
    assert gone.any() == capitulate
    assert state.macro.capitulated_new == gone.sum()
    assert (ps.status[~gone] == EXILED).all()
    # a capitulator says and thinks the line, his anchor moved there too
    assert (ps.org[gone] == NO_ORG).all() and (ps.exile_left[gone] == 0).all()
    assert (ps.x[gone] == line).all() and (ps.y[gone] == line).all()
    assert (ps.anchor[gone] == line).all()
    assert (ps.org[~gone] == 0).all() and (ps.exile_left[~gone] == 99).all()


def test_s9_the_left_turn_memory_forgets() -> None:
    """memory 0.1 before: a step to the right keeps 0.95 * 0.1 + 0 = 0.095; one to the left of
    0.2 gives 0.095 + 0.2 = 0.295."""
    for line, memory in ((-0.2, 0.095), (0.2, 0.295)):
        state = build_state(
            [1], macro={"line": line, "line_start": 0.0, "turn_memory": 0.1, "regime": 0.3}
        )
        repression.step(state, scenario(*S9))
        assert state.macro.turn_memory == pytest.approx(memory, abs=1e-12)


def test_s13_pi_at_thermidor_pi_zero_has_no_thermidor() -> None:
    """Thermidor only while pi < thermidor_pi: with thermidor_pi = 0 (Thermidor switched off) a
    pi of 0 does not qualify (0 < 0 is false); were the test pi <= thermidor_pi, the hazard
    (1 - pi / thermidor_pi) would divide 0 by 0. Weeks at the maximum hazard, party all Right."""
    sc = scenario("outcome.thermidor_pi=0.0", "outcome.thermidor_hazard=1.0")
    state = build_state([10], x=-0.9, macro={"pi": 0.0, "K": 1.0, "beta": 0.0})
    for w in range(1, 50):
        state.macro.week = w
        outcome.step(state, sc)
    assert state.macro.outcome == OPEN


def test_s13_thermidor_hazard_by_hand() -> None:
    """pi = 0.1, thermidor_pi = 0.2, hazard 1, K = 1, right_weight 1, R = 1 (all at -0.9):
    rate = 1 * (1 - 0.5) * 1 * (1 + 1) = 1: weekly probability 1 - exp(-1) = 0.632; with pi =
    0.19999: rate 1e-4 ... 0.9999 * 1e-4: over 20 weeks P(no Thermidor) = exp(-20 * 0.0001) =
    0.998 for the run near the cut, exp(-20) for the run at 0.1."""
    sc = scenario(
        "outcome.thermidor_pi=0.2",
        "outcome.thermidor_hazard=1.0",
        "outcome.right_weight=1.0",
        "leadership.stance_cut=0.2",
    )
    fell = {}
    for pi in (0.1, 0.19999):
        falls = 0
        for seed in range(5):
            state = build_state([10], x=-0.9, seed=seed, macro={"pi": pi, "K": 1.0, "beta": 0.0})
            for w in range(1, 21):
                state.macro.week = w
                outcome.step(state, sc)
            falls += state.macro.outcome != OPEN
        fell[pi] = falls
    # 5 runs at pi 0.1 all fall (any not: 5 exp(-20) = 1e-8); near the cut none does
    # (any does: 5 * 0.002 = 0.01 - fixed seeds make it reproducible)
    assert fell == {0.1: 5, 0.19999: 0}


# --- S14 observe --------------------------------------------------------------------------


def test_observe_metrics_by_hand() -> None:
    """Two cells. Cell 0 (factory): worker members W1 (x 0.5 active, y 0.1, cohort, x0 0.3),
    W2 (x -0.5, y -0.5, d 0.6), a functionary F (x 0.0, d 0.8); a non-party worker N (x 0.4).
    Cell 1 (institution): an employee member E (x -0.3, d 0.1, active), an exiled cadre X
    of organisation 0, an expelled worker P, a passive worker member W3 (x 0.4, d 0.1).
      members = 5 (W1, W2, F, E, W3); nonparty 1; exiled 1; expelled 1
      kernel_left_active = worker members active with x > 0.2 / worker members = 1 / 3 (W3 is
      on the Left but passive)
      right_share = members with x < -0.2 / members = 2 (W2, E) / 5 = 0.4
      q5: the cohort is W1 and W2: W1 x 0.5 > x0 0.3 + 0.1 moved left and is on the Left
      (x 0.5 > 0.2), W2 neither: moved left 1 / 2, left 1 / 2
      worker_x = (0.5 - 0.5 + 0.4) / 3; worker_gap = (|0.5 - 0.1| + 0 + 0) / 3
      gap (members) = 0.4 / 5 = 0.08; factory_d (members of factory cells) = (0.1 + 0.6
      + 0.8) / 3 = 0.5
      cells: cell 0 mean d 0.5 >= 0.5: degenerated; cell 1 mean d 0.1 < 0.25, active 1/2 >=
      0.05: healthy: shares 1/2, 0, 1/2
      organisation 0: in party 0, expelled 0, exiled 1"""
    state = build_state(
        [4, 4],
        status=[MEMBER, MEMBER, MEMBER, NONPARTY, MEMBER, EXILED, EXPELLED, MEMBER],
        stratum=[WORKER, WORKER, FUNCTIONARY, WORKER, EMPLOYEE, WORKER, WORKER, WORKER],
        x=[0.5, -0.5, 0.0, 0.4, -0.3, 0.8, -0.9, 0.4],
        y=[0.1, -0.5, 0.0, 0.4, -0.3, 0.8, -0.9, 0.4],
        x0=[0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        d=[0.1, 0.6, 0.8, 0.0, 0.1, 0.0, 0.0, 0.1],
        active=[True, False, False, False, True, False, False, False],
        cohort=[True, True, False, False, False, False, False, False],
        org=[NO_ORG] * 5 + [0, NO_ORG, NO_ORG],
        cells={"kind": [0, INSTITUTION]},
        orgs=[{}],
    )
    sc = scenario(
        "leadership.stance_cut=0.2",
        "observe.moved_left=0.1",
        "observe.degenerated_d=0.5",
        "observe.healthy_d=0.25",
        "observe.healthy_active=0.05",
    )
    row = observe(state, sc)
    assert (row["members"], row["nonparty"], row["exiled"], row["expelled"]) == (5, 1, 1, 1)
    assert row["kernel_left_active"] == pytest.approx(1 / 3, abs=1e-12)
    assert row["right_share"] == pytest.approx(0.4, abs=1e-12)
    assert (row["q5_moved_left"], row["q5_left"]) == (0.5, 0.5)
    assert row["worker_x"] == pytest.approx(0.4 / 3, abs=1e-12)
    assert row["worker_gap"] == pytest.approx(0.4 / 3, abs=1e-12)
    assert row["gap"] == pytest.approx(0.08, abs=1e-12)
    assert row["factory_d"] == pytest.approx(0.5, abs=1e-12)
    assert row["nonparty_x"] == pytest.approx(0.4, abs=1e-12)
    assert row["employee_active"] == pytest.approx(1.0, abs=1e-12)
    assert row["functionary_d"] == pytest.approx(0.8, abs=1e-12)
    cells = (row["cells_degenerated"], row["cells_amorphous"], row["cells_healthy"])
    assert cells == pytest.approx((0.5, 0.0, 0.5), abs=1e-12)
    assert (row["org0_in_party"], row["org0_expelled"], row["org0_exiled"]) == (0, 0, 1)
    snap = cells_snapshot(state, sc)
    # cell 0: 4 present, 3 members, mean d 0.5, active 1/3, mean y (0.1 - 0.5 + 0) / 3;
    # cell 1: the exile is away: 3 present, 2 members (E, W3), mean y (-0.3 + 0.4) / 2
    assert snap["size"].tolist() == [4, 3]
    assert snap["members"].tolist() == [3, 2]
    assert snap["enforcers"].tolist() == [1, 0]
    assert snap["mean_d"].tolist() == pytest.approx([0.5, 0.1], abs=1e-12)
    assert snap["active_share"].tolist() == pytest.approx([1 / 3, 0.5], abs=1e-12)
    assert snap["mean_y"].tolist() == pytest.approx([-0.4 / 3, 0.05], abs=1e-12)
    assert snap["q1_class"].tolist() == ["degenerated", "healthy"]


def test_observe_amorphous_and_empty_cells() -> None:
    """A cell with mean d 0.3 (between the cuts) is amorphous; one with mean d 0.1 but no active
    member (0 < 0.05) too; a cell whose only person is expelled is empty and left out of the
    shares: 2 amorphous of 2 counted."""
    state = build_state(
        [2, 1, 1],
        status=[MEMBER, MEMBER, MEMBER, EXPELLED],
        d=[0.2, 0.4, 0.1, 0.9],
        active=[True, True, False, False],
    )
    sc = scenario(
        "observe.degenerated_d=0.5", "observe.healthy_d=0.25", "observe.healthy_active=0.05"
    )
    row = observe(state, sc)
    cells = (row["cells_degenerated"], row["cells_amorphous"], row["cells_healthy"])
    assert cells == (0.0, 1.0, 0.0)
    assert cells_snapshot(state, sc)["q1_class"].tolist() == ["amorphous", "amorphous", "empty"]
    assert math.isclose(observe(state, sc)["worker_d"], (0.2 + 0.4 + 0.1) / 3)


# --- the calendar and the weekly schedule -------------------------------------------------


def test_calendar_weeks_by_hand() -> None:
    """Step w covers the seven days from start + 7(w - 1): days 0-6 are week 1, days 7-13 week
    2, day 364 week 53; a date before the start falls in week 1. Row w is dated start + 7w."""
    start = dt.date(1928, 10, 1)
    for days, week in ((0, 1), (6, 1), (7, 2), (13, 2), (14, 3), (41, 6), (42, 7), (364, 53)):
        assert week_of(start, start + dt.timedelta(days=days)) == week, days
    assert week_of(start, start - dt.timedelta(days=1)) == 1
    assert week_of(start, start - dt.timedelta(days=400)) == 1
    assert date_of(start, 0) == start
    assert date_of(start, 1) == dt.date(1928, 10, 8)
    assert date_of(start, 52) == dt.date(1929, 9, 30)


def test_a_week_starts_with_no_clash_and_the_line_and_regime_it_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The week's bookkeeping comes before any submodel: last week's clash is forgotten, and
    line_start, regime_start (what the blocs' jump of the regime is measured from) are the
    values the week starts with. A submodel switched off is not called."""
    state = build_state([4], macro={"line": 0.3, "regime": 0.6})
    m = state.macro
    m.clash, m.line_start, m.regime_start = True, -0.5, 0.1
    seen = []

    def probe(st, sc) -> None:
        seen.append((st.macro.clash, st.macro.line_start, st.macro.regime_start))

    def never(st, sc) -> None:
        raise AssertionError("a submodel switched off was called")

    monkeypatch.setattr(
        schedule, "SCHEDULE", (("on", probe, lambda s: True), ("off", never, lambda s: False))
    )
    schedule.week(state, scenario())
    assert seen == [(False, 0.3, 0.6)]


def test_observe_names_each_holder_and_counts_no_purge_before_the_first_week() -> None:
    """The Central Committee's holder is named Right, Centre or Left as S11 left it (three
    distinct codes); before any week has run nobody has been purged (0, not a count carried
    from nowhere)."""
    state = build_state([4])
    sc = scenario()
    for holder, name in ((RIGHT, "Right"), (CENTRE, "Centre"), (LEFT, "Left")):
        state.macro.cc_holder = holder
        assert observe(state, sc)["cc_holder"] == name
    assert observe(state, sc)["purged"] == 0


def test_a_run_that_reaches_no_outcome_is_open_with_no_week() -> None:
    """Two weeks of `tiny` with S13 off: the outcome is "duality open", with no week and no
    date."""
    from thermidor.engine import simulate

    result = simulate(scenario("outcome.enabled=false"), seed=1, weeks=2)
    o = result.outcome
    assert (o["outcome"], o["week"], o["date"], o["weeks_run"]) == ("duality open", None, None, 2)
