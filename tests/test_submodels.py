"""Each submodel alone: the qualitative property its docstring documents.

Every test runs ONE submodel (its `step(state, scenario)` or its compiled kernel) on a state
prepared for it (`conftest.build_state`: hand-made cells and persons; or `prepared_state`: the
`tiny` scenario's real state), so that a failure points at that submodel. The published
validation anchors (docs/design.md) are checked at full size elsewhere
(`tests/test_validation.py`); here they appear only as quick sanity versions.

Statistical checks use fixed seeds (so they are reproducible) and a tolerance of four binomial
standard deviations, 4 sqrt(p (1 - p) / n), stated where used: under another seed a correct
model would fail one with probability about 6e-5, while a rate wrong by the margins that matter
here fails it surely.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from conftest import advance, build_state, prepared_state
from thermidor.engine import simulate
from thermidor.model.calendar import date_of, week_of
from thermidor.model.observe import observe
from thermidor.model.state import (
    CAPITULATED,
    CENTRE,
    CONSOLIDATION,
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
    THERMIDOR,
    WORKER,
    State,
)
from thermidor.model.streams import CADRE_REACH, LISTEN, uniform_py
from thermidor.model.submodels import (
    activation,
    blocs,
    classes,
    confidence,
    degeneration,
    events,
    expression,
    hierarchy,
    influence,
    leadership,
    membership,
    outcome,
    power,
    repression,
)
from thermidor.scenario import Scenario, load_scenario


def four_sd(p: float, n: int) -> float:
    """Four binomial standard deviations of a share p estimated from n draws."""
    return 4.0 * math.sqrt(p * (1.0 - p) / n)


def scenario(*overrides: str, **keys: Any) -> Scenario:
    """`tiny` with `key.path=value` overrides (as on the command line) and top-level keys."""
    return load_scenario("tiny", list(overrides), **keys)


# --- S1 events ----------------------------------------------------------------------------


def test_s1_events_apply_in_the_week_of_their_date() -> None:
    """A dated event acts in exactly one week, the step whose seven days hold its date (the
    calendar: step w covers the days from start + 7(w - 1)); one dated before the start acts in
    the first step."""
    start = dt.date(1928, 10, 1)
    dates = {
        "line_shift": start + dt.timedelta(days=3 * 7 + 2),
        "regime": start - dt.timedelta(days=30),
        "grain_shock": start + dt.timedelta(days=5 * 7),
    }
    sc = scenario(
        timeline=[
            {"date": dates["line_shift"], "kind": "line_shift", "delta": 0.2},
            {"date": dates["regime"], "kind": "regime", "delta": 0.1},
            {"date": dates["grain_shock"], "kind": "grain_shock", "delta": -0.3},
        ]
    )
    state = build_state([4], macro={"line": 0.0, "regime": 0.3})
    m = state.macro
    acted: dict[str, list[int]] = {k: [] for k in dates}
    for w in range(0, 10):
        m.week = w
        before = (m.line, m.regime, m.shock)
        events.step(state, sc)
        for k, old, new in zip(dates, before, (m.line, m.regime, m.shock), strict=True):
            if new != old:
                acted[k].append(w)
    for k, date in dates.items():
        assert len(acted[k]) == 1, (k, acted[k])
        w = acted[k][0]
        assert w == week_of(start, date)
        if date >= start:
            assert date_of(start, w - 1) <= date < date_of(start, w), k
        else:
            assert w == 1, "an event before the start acts in the first step"
    assert (m.line, m.regime, m.shock) == pytest.approx((0.2, 0.4, 0.3))


def test_s1_an_event_on_the_start_date_acts_in_a_run() -> None:
    """Through the engine: a line shift dated on the start day (and one dated before it) shows
    in the state after the first week; no dated event is lost before the first step."""
    start = dt.date(1928, 10, 1)
    sc = scenario(
        "leadership.enabled=false",
        weeks=3,
        timeline=[
            {"date": start, "kind": "line_shift", "delta": 0.3},
            {"date": start - dt.timedelta(days=3), "kind": "regime", "delta": 0.2},
        ],
    )
    rows = simulate(sc, seed=1, weeks=3).timeseries.to_pylist()
    assert rows[0]["line"] == pytest.approx(sc.leadership.line0)
    assert rows[1]["line"] == pytest.approx(sc.leadership.line0 + 0.3)
    assert rows[1]["regime"] > rows[0]["regime"] + 0.19


def test_s1_each_kind_sets_its_macro_variables() -> None:
    """Campaigns switch on (a clash) and off; a drive and a purge set their weekly rates; a purge
    of share s over n weeks has the weekly rate 1 - (1 - s)^(1/n)."""
    start = dt.date(1928, 10, 1)
    sc = scenario(
        timeline=[
            {"date": start, "kind": "campaign", "campaign": "against_right"},
            {"date": start, "kind": "recruitment", "rate": 0.01, "weeks": 10},
            {"date": start, "kind": "purge", "share": 0.2, "weeks": 4},
            {
                "date": start + dt.timedelta(weeks=1),
                "kind": "campaign",
                "campaign": "against_right",
                "on": False,
            },
        ]
    )
    state = build_state([4])
    m = state.macro
    m.week = week_of(start, start)
    events.step(state, sc)
    assert m.campaigns["against_right"] and m.clash
    assert (m.recruitment, m.recruitment_weeks) == (0.01, 10)
    assert m.purge_weeks == 4
    assert (1.0 - m.purge_rate) ** 4 == pytest.approx(0.8)
    m.week, m.clash = week_of(start, start + dt.timedelta(weeks=1)), False
    events.step(state, sc)
    assert not m.campaigns["against_right"] and not m.clash


def test_s1_strategy_change_changes_only_behaviour_numbers(tiny: Scenario) -> None:
    """A change of strategy rewrites the organisation's behaviour numbers (and the reported
    name), and nothing else: no person, cell, macro variable or credibility moves."""
    date = tiny.start + dt.timedelta(weeks=6)
    sc = scenario(
        timeline=[
            {
                "date": date,
                "kind": "strategy",
                "organisation": "Left Opposition",
                "strategy": "corpse",
            },
        ]
    )
    w = week_of(sc.start, date)
    state = prepared_state(sc, seed=2, weeks=w - 1)
    before = copy.deepcopy(state)
    state.macro.week = w
    events.step(state, sc)
    corpse = sc.strategies["corpse"]
    assert list(state.orgs.behaviour[0]) == [
        corpse.effort_party,
        corpse.letters,
        corpse.backs_left_steps,
        corpse.says_party_dead,
        corpse.says_october_liquidated,
        corpse.refutes_second_party,
    ]
    assert state.orgs.strategy == ["corpse", before.orgs.strategy[1]]
    assert not np.array_equal(state.orgs.behaviour[0], before.orgs.behaviour[0])
    assert np.array_equal(state.orgs.behaviour[1], before.orgs.behaviour[1])
    for name, arr in state.persons._asdict().items():
        assert np.array_equal(arr, getattr(before.persons, name)), name
    for name, arr in state.cells._asdict().items():
        assert np.array_equal(arr, getattr(before.cells, name)), name
    before.macro.week = w
    assert state.macro == before.macro
    assert np.array_equal(state.orgs.credibility, before.orgs.credibility)


# --- S2 classes ---------------------------------------------------------------------------


def test_s2_left_turn_squeezes_the_proprietor_and_brings_a_grain_strike() -> None:
    """With K high, a line on the Left shrinks K and cuts procurement below need; a line on the
    Right leaves procurement at need and lets K grow. Wages follow the grain, hardship the wage."""
    sc = scenario()
    left = build_state([10], h0=0.3, macro={"K": 0.5, "line": 0.5, "grain": 1.0, "wage": 1.0})
    right = build_state([10], h0=0.3, macro={"K": 0.5, "line": -0.2, "grain": 1.0, "wage": 1.0})
    for _ in range(10):
        classes.step(left, sc)
        classes.step(right, sc)
    assert left.macro.K < 0.5 < right.macro.K
    assert left.macro.grain < 1.0
    assert right.macro.grain == pytest.approx(1.0)
    assert left.macro.wage < right.macro.wage
    assert (left.persons.h > right.persons.h).all()


# --- S3 leadership ------------------------------------------------------------------------


def _kernel_state(active: bool, **macro: Any) -> State:
    """One cell of 20 worker members saying a Left stance (y = 0.8), all active or none."""
    return build_state([20], x=0.8, y=0.8, active=active, macro=macro)


def test_s3_the_line_answers_a_small_pressure_with_inertia() -> None:
    """Below campaign_on the line still moves: its velocity builds up as
    v <- (1 - agility) v + agility * response * pressure (no campaign, no boost)."""
    sc = scenario(
        "leadership.mass_weight=0.4",
        "leadership.threat_weight=0",
        "leadership.drift_weight=0",
        "leadership.right_weight=0",
        "leadership.left_weight=0",
        "leadership.campaign_on=0.5",
        "leadership.response=0.1",
        "leadership.agility=0.5",
    )
    state = _kernel_state(True, line=0.0)
    lines = []
    for _ in range(3):
        leadership.step(state, sc)
        lines.append(state.macro.line)
    assert not any(state.macro.campaigns.values()) and not state.macro.clash
    v1 = 0.5 * 0.1 * 0.4
    v2 = 0.5 * v1 + v1
    v3 = 0.5 * v2 + v1
    assert lines == pytest.approx([v1, v1 + v2, v1 + v2 + v3])


def test_s3_mass_pressure_starts_a_campaign_against_the_right() -> None:
    """Pressure above campaign_on starts a campaign against the Right (a clash) and the line's
    response is boosted while it runs; once the pressure falls below campaign_off it stops."""
    sc = scenario(
        "leadership.mass_weight=1.0",
        "leadership.threat_weight=0",
        "leadership.drift_weight=0",
        "leadership.right_weight=0",
        "leadership.left_weight=0",
        "leadership.campaign_on=0.5",
        "leadership.campaign_off=0.1",
        "leadership.response=0.1",
        "leadership.agility=1.0",
        "leadership.campaign_boost=3.0",
    )
    state = _kernel_state(True, line=0.0)
    leadership.step(state, sc)
    assert state.macro.campaigns["against_right"] and state.macro.clash
    assert state.macro.line == pytest.approx(3.0 * 0.1 * 1.0)
    state.persons.active[:] = False  # the kernel falls silent: pressure 0 < campaign_off
    leadership.step(state, sc)
    assert not state.macro.campaigns["against_right"]
    assert state.macro.line == pytest.approx(0.3)


def test_s3_without_masses_the_line_drifts_with_the_apparatus() -> None:
    """With no kernel and no grain threat, an apparatus to the Right of the line pulls it Right:
    a campaign against the Left starts and the regime moves toward regime0 + regime_campaign."""
    sc = scenario(
        "leadership.drift_weight=1.0",
        "leadership.right_weight=0",
        "leadership.campaign_on=0.15",
        "leadership.regime0=0.3",
        "leadership.regime_campaign=0.2",
        "leadership.regime_relax=0.5",
    )
    stratum = np.array([FUNCTIONARY] * 5 + [WORKER] * 15, np.int8)
    state = build_state([20], stratum=stratum, x=-0.6, macro={"line": 0.0, "regime": 0.3})
    leadership.step(state, sc)
    assert state.macro.campaigns["against_left"] and state.macro.clash
    assert state.macro.line < 0.0
    assert state.macro.regime == pytest.approx(0.3 + 0.5 * 0.2)
    assert state.macro.drivers["drift"] == pytest.approx(-0.6)


def test_s3_the_regime_answers_the_visible_threat() -> None:
    """No campaign: the regime relaxes toward regime0 + regime_threat * (share of members active
    and dissenting in public); a silent party brings it back to regime0."""
    sc = scenario(
        "leadership.mass_weight=0",
        "leadership.threat_weight=0",
        "leadership.drift_weight=0",
        "leadership.right_weight=0",
        "leadership.left_weight=0",
        "leadership.regime0=0.3",
        "leadership.regime_threat=1.0",
        "leadership.regime_relax=1.0",
    )
    active = np.array([True] * 5 + [False] * 15)
    state = build_state([20], x=0.8, y=0.8, active=active, macro={"line": 0.0, "regime": 0.3})
    leadership.step(state, sc)
    assert state.macro.regime == pytest.approx(0.3 + 5 / 20)
    state.persons.active[:] = False
    leadership.step(state, sc)
    assert state.macro.regime == pytest.approx(0.3)


def test_s3_history_mode_moves_the_line_only_by_the_timeline() -> None:
    """respond = false (the 1928-history scenario): whatever the pressure, the line stays."""
    sc = scenario("leadership.respond=false", "leadership.mass_weight=5")
    state = _kernel_state(True, line=0.0)
    for _ in range(5):
        leadership.step(state, sc)
    assert state.macro.line == 0.0 and not any(state.macro.campaigns.values())


# --- S4 expression ------------------------------------------------------------------------


def _dissent_cell(rng: np.random.Generator, n: int = 300, enforcers: int = 30, **kw: Any) -> State:
    """One cell: n members with x ~ U(-1, 1) and tau ~ U(0, 0.6), then the enforcers (x = 0)."""
    x = np.concatenate([rng.uniform(-1, 1, n), np.zeros(enforcers)])
    tau = np.concatenate([rng.uniform(0, 0.6, n), np.full(enforcers, 0.5)])
    stratum = np.array([WORKER] * n + [FUNCTIONARY] * enforcers, np.int8)
    return build_state([n + enforcers], x=x, y=x.copy(), tau=tau, stratum=stratum, **kw)


def _gap(state: State) -> float:
    p = state.persons
    return float(np.abs(p.x - p.y)[p.stratum != FUNCTIONARY].mean())


def test_s4_more_oppression_larger_hidden_gap() -> None:
    """The cell's oppression grows with the regime; the hidden-versus-public gap never shrinks
    as it grows (the threshold map is monotone) and is larger under the harshest regime."""
    sc = scenario()
    base = _dissent_cell(np.random.default_rng(4), macro={"line": 0.0})
    gaps, opps = [], []
    for regime in (0.0, 0.25, 0.5, 0.75, 1.0):
        state = copy.deepcopy(base)
        state.macro.regime = regime
        expression.step(state, sc)
        gaps.append(_gap(state))
        opps.append(state.cells.oppression[0])
    assert opps[0] == 0.0 and np.all(np.diff(opps) > 0)
    assert gaps[0] == 0.0  # no oppression: the public share (~0.73) beats every tau (<= 0.6)
    assert np.all(np.diff(gaps) >= 0.0)
    assert gaps[-1] > 0.1


@pytest.mark.parametrize("case", ["regime 0", "self-criticism relieves all"])
def test_s4_threshold_zero_always_speaks_without_oppression(case: str) -> None:
    """With oppression 0 a member whose threshold is 0 says his dissent, even in a cell where
    nobody said anything last week (the first mover of Granovetter's cascade)."""
    rng = np.random.default_rng(5)
    n = 200
    x = rng.uniform(-1, 1, n)
    tau = np.where(rng.random(n) < 0.3, 0.0, rng.uniform(0.01, 1.0, n))
    status = np.where(rng.random(n) < 0.2, NONPARTY, MEMBER).astype(np.int8)
    if case == "regime 0":
        sc, macro = scenario(), {"regime": 0.0}
    else:
        sc = scenario("expression.self_criticism_relief=1.0")
        macro = {"regime": 1.0}
    state = build_state([n], x=x, y=0.0, tau=tau, status=status, macro={"line": 0.0, **macro})
    state.macro.campaigns["self_criticism"] = True
    expression.step(state, sc)
    assert state.cells.oppression[0] == 0.0
    p = state.persons
    speaks = (tau == 0.0) & (np.abs(x) > sc.expression.dissent_margin)
    assert speaks.sum() > 10
    assert np.array_equal(p.y[speaks], x[speaks])
    # non-party persons are outside the party meeting: they say what they think
    assert np.array_equal(p.y[status == NONPARTY], x[status == NONPARTY])


def test_s4_switched_off_nobody_falsifies(tiny: Scenario) -> None:
    """`expression.enabled = false` means no preference falsification: after S4, y = x for
    everyone, and the cells' oppression is left as it was."""
    off = load_scenario("tiny", ["expression.enabled=false"])
    state = prepared_state(tiny, seed=6, weeks=6)
    assert not np.array_equal(state.persons.y, state.persons.x)  # some hide on the real state
    oppression = state.cells.oppression.copy()
    expression.step(state, off)
    assert np.array_equal(state.persons.y, state.persons.x)
    assert np.array_equal(state.cells.oppression, oppression)


# --- S5 activation ------------------------------------------------------------------------


def _epstein_cell(n: int, enforcers: int, seed: int = 6, **kw: Any) -> State:
    """n worker members with h, r ~ U(0, 1) and c ~ U(0, 0.5), then `enforcers` functionaries."""
    rng = np.random.default_rng(seed)
    fields = {"h": rng.random(n), "r": rng.random(n), "c": rng.uniform(0, 0.5, n)}
    fields.update({k: np.asarray(v, float) for k, v in kw.items()})
    cols = {k: np.concatenate([v, np.zeros(enforcers)]) for k, v in fields.items()}
    stratum = np.array([WORKER] * n + [FUNCTIONARY] * enforcers, np.int8)
    return build_state([n + enforcers], stratum=stratum, **cols)


@pytest.mark.parametrize("rounding", ["continuous", "floor", "round"])
def test_s5_more_enforcers_fewer_actives(rounding: str) -> None:
    """The same persons with more enforcers in their cell: the actives are a subset of those
    with fewer enforcers (P grows with E), and clearly fewer with many enforcers."""
    sc = scenario(f"activation.rounding={rounding!r}")
    n = 300
    actives = []
    for e in (0, 1, 2, 5, 20):
        state = _epstein_cell(n, e)
        activation.step(state, sc)
        actives.append(state.persons.active[:n].copy())
        assert not state.persons.active[n:].any()  # functionaries enforce, never rebel
    for fewer, more in zip(actives, actives[1:], strict=False):
        assert not (more & ~fewer).any()
    assert actives[-1].sum() < 0.8 * actives[0].sum()


def test_s5_every_active_has_grievance_above_threshold(tiny: Scenario) -> None:
    """On the real state, with and without campaigns: every active person has G > T, where
    G = h (1 - c) + M (the campaign's pull), and nobody exiled or in the apparatus is active."""
    base = prepared_state(tiny, seed=4, weeks=8)
    t, mob = tiny.activation.threshold, tiny.activation.mobilisation
    for campaign in (None, "against_right", "against_left"):
        state = copy.deepcopy(base)
        for k in state.macro.campaigns:
            state.macro.campaigns[k] = k == campaign
        activation.step(state, tiny)
        p = state.persons
        pull = mob * (
            (campaign == "against_right") * np.maximum(p.x, 0.0)
            + (campaign == "against_left") * np.maximum(-p.x, 0.0)
        )
        grievance = p.h * (1.0 - p.c) + p.c * pull
        assert p.active.sum() > 20
        assert (grievance[p.active] > t).all()
        assert not p.active[(p.status == EXILED) | (p.stratum == FUNCTIONARY)].any()


@pytest.mark.parametrize(("legitimacy", "expected"), [(0.82, 0.4444), (0.7, 0.6667), (0.5, 0.8)])
def test_s5_active_share_without_enforcers(legitimacy: float, expected: float) -> None:
    """Epstein's anchor, quick version: no enforcers, c = L for all, h ~ U(0, 1), T = 0.1:
    the active share is 1 - T / (1 - L). n = 20000 draws; tolerance 4 binomial sd (<= 0.014)."""
    n = 20_000
    sc = scenario("activation.threshold=0.1")
    state = _epstein_cell(n, 0, seed=7, c=np.full(n, legitimacy))
    activation.step(state, sc)
    share = state.persons.active.mean()
    assert expected == pytest.approx(1 - 0.1 / (1 - legitimacy), abs=1e-4)
    assert abs(share - expected) < four_sd(expected, n)


def test_s5_arrest_probability() -> None:
    """P = 1 - exp(-k rounding(E / (1 + A))): one enforcer, no other active, k = 2.3 gives
    0.8997 under every rounding; 1 enforcer against 2 others: floor 0, continuous 1/3 of k."""
    for r in activation.ROUNDING.values():
        assert activation.arrest_probability(2.3, 1.0, 0.0, r) == pytest.approx(0.8997, abs=1e-4)
    floor, cont, rnd = (activation.ROUNDING[k] for k in ("floor", "continuous", "round"))
    assert activation.arrest_probability(2.3, 1.0, 2.0, floor) == 0.0
    assert activation.arrest_probability(2.3, 1.0, 2.0, cont) == pytest.approx(
        1 - math.exp(-2.3 / 3)
    )
    assert activation.arrest_probability(2.3, 2.0, 2.0, rnd) == pytest.approx(1 - math.exp(-2.3))


def test_s5_campaign_pulls_the_confident_on_its_side() -> None:
    """With no hardship only a campaign can activate: against the Right it draws the confident
    on the Left (x > 0), not those on the Right; with no campaign nobody is active."""
    sc = scenario("activation.mobilisation=0.5", "activation.threshold=0.1")
    x = np.array([0.8] * 10 + [-0.8] * 10)
    for campaign, want in ((None, 0), ("against_right", 10)):
        state = build_state([20], x=x, h=0.0, c=0.9, r=0.0)
        if campaign:
            state.macro.campaigns[campaign] = True
        activation.step(state, sc)
        assert state.persons.active.sum() == want
        assert not state.persons.active[10:].any()


# --- S6 influence -------------------------------------------------------------------------


def test_s6_bounded_confidence_listener_outside_bound_does_not_move() -> None:
    """Deffuant-Weisbuch: a stance farther than u is ignored; a closer one pulls by mu."""
    assert influence.listen(0.0, 0.3, 0.5, 0.3, 0.5, True) == (0.0, 0.3)
    x, u = influence.listen(0.0, 0.3, 0.2, 0.3, 0.5, True)
    assert (x, u) == pytest.approx((0.1, 0.3))


def test_s6_relative_agreement_moves_toward_the_speaker() -> None:
    """RA: with overlap h > u_j the listener moves toward the speaker's stance and his u toward
    the speaker's u, by mu (h / u_j - 1); with h <= u_j nothing moves."""
    x, u = influence.listen(0.0, 0.6, 0.5, 0.3, 0.2, False)
    w = 0.2 * (0.4 / 0.3 - 1.0)
    assert (x, u) == pytest.approx((w * 0.5, 0.6 + w * (0.3 - 0.6)))
    assert 0.0 < x < 0.5 and 0.3 < u < 0.6
    assert influence.listen(0.0, 0.1, 0.9, 0.1, 0.2, False) == (0.0, 0.1)


def test_s6_bounded_confidence_in_the_cells() -> None:
    """Two persons far apart in a cell, bounded confidence with u below their distance: weeks of
    exchange leave them where they were; with u above it they converge."""
    for u, moves in ((0.5, False), (2.0, True)):
        sc = scenario("influence.rule='bounded_confidence'", "influence.mu=0.3")
        state = build_state([2], x=[-0.4, 0.4], y=[-0.4, 0.4], u=u)
        for _ in range(20):
            influence.step(state, sc)
            state.persons.y[:] = state.persons.x  # they say what they think (S4 would)
        gap = abs(state.persons.x[1] - state.persons.x[0])
        assert (gap < 0.1) if moves else gap == pytest.approx(0.8)


@pytest.mark.parametrize(("a", "b"), [(0, 2), (5, 8), (1000, 1086)])
def test_s6_cellmates_drawn_first_are_the_listen_streams_draws(a: int, b: int) -> None:
    """`draw_cell` draws the cell's cellmates before the exchange, in one loop: each person's is
    the stream LISTEN's draw mapped onto the b - a - 1 others (never himself, always in his
    cell), and the cadres' reach draws are the stream CADRE_REACH's, as the twin draws them."""
    key, week = 987654321, 17
    mates, reached = np.empty(b - a, np.uint64), np.empty(b - a)
    influence.draw_cell(np.uint64(key), week, a, b, True, mates, reached)
    for i in range(a, b):
        k = a + int(uniform_py(key, week, LISTEN, i) * (b - a - 1))
        k += k >= i
        assert mates[i - a] == k and k != i and a <= k < b
        assert reached[i - a] == uniform_py(key, week, CADRE_REACH, i)


@pytest.mark.parametrize(
    ("behaviour", "works", "status", "party_hears", "others_hear"),
    [
        ({"effort_party": 1.0}, 1.0, MEMBER, True, False),
        ({"effort_party": 0.0}, 1.0, MEMBER, False, True),
        ({"effort_party": 0.5}, 0.0, MEMBER, False, False),  # a passive organisation
        ({"effort_party": 0.5, "letters": 0.0}, 1.0, EXILED, False, False),  # exiled, no letters
        ({"effort_party": 0.5, "letters": 1.0}, 1.0, EXILED, True, True),
    ],
)
def test_s6_cadres_reach_whom_their_strategy_addresses(
    behaviour: dict[str, float], works: float, status: int, party_hears: bool, others_hear: bool
) -> None:
    """Where cadres spend their effort is what a strategy changes: party members hear a cadre
    only if effort goes to the party, non-party workers only if it goes outside; a passive
    organisation and an exile who writes no letters reach nobody."""
    sc = scenario("influence.cadre_contacts=100")
    n = 60
    org = np.full(n, NO_ORG, np.int8)
    org[0] = 0
    st_ = np.array([status] + [MEMBER] * 29 + [NONPARTY] * 30, np.int8)
    state = build_state([n], org=org, status=st_, orgs=[behaviour], x=0.8, u=0.5)
    state.orgs.works[:] = works
    influence.step(state, sc)
    heard = state.persons.heard
    assert heard[0] == NO_ORG  # a cadre does not hear his own
    assert (heard[1:30] == 0).any() == party_hears
    assert (heard[30:] == 0).any() == others_hear
    assert np.isin(heard, [NO_ORG, 0]).all()


def test_s6_a_cadre_moves_a_listener_who_is_not_on_the_left() -> None:
    """A cadre's message moves the listener by mu * credibility * (x_cadre - x_i) whatever the
    distance (the first model's RA needed x_i > 0.2 to move at all): a Centre listener at -0.2
    with u = 0.3 moves to -0.2 + 0.1 * 0.5 * 1.0; at credibility 0 he does not move."""
    for cred, expected in ((0.5, -0.15), (0.0, -0.2)):
        sc = scenario("influence.cadre_contacts=100", "influence.mu=0.1")
        org = np.array([0, NO_ORG], np.int8)
        state = build_state(
            [2], org=org, orgs=[{"effort_party": 1.0}], credibility=[cred],
            x=[0.8, -0.2], y=[0.8, -0.2], u=[0.1, 0.3],
        )  # fmt: skip
        influence.step(state, sc)
        assert state.persons.heard[1] == 0
        assert state.persons.x[1] == pytest.approx(expected)


def test_s6_the_anchor_pulls_back() -> None:
    """Friedkin-Johnsen: x <- lambda (what he heard) + (1 - lambda) anchor; a person who hears
    nothing (alone in his cell) moves from x to lambda x + (1 - lambda) a, and with lambda = 1
    stays put."""
    sc = scenario()
    for lam, expected in ((0.8, 0.8 * -0.5 + 0.2 * 0.5), (1.0, -0.5)):
        state = build_state([1], x=-0.5, y=-0.5, anchor=0.5, lam=lam)
        influence.step(state, sc)
        assert state.persons.x[0] == pytest.approx(expected)


def test_s8_degeneration_moves_the_anchor_not_the_stance_directly() -> None:
    """S8's drift acts on the anchor (a material change); x follows only through S6."""
    sc = scenario("degeneration.stance_drift=0.01")
    state = build_state([10], x=0.3, anchor=0.3, d=0.5)
    degeneration.step(state, sc)
    d = state.persons.d
    assert state.persons.anchor == pytest.approx(0.3 - 0.01 * d * 1.3)
    assert np.array_equal(state.persons.x, np.full(10, 0.3))


# --- S7 confidence ------------------------------------------------------------------------


def test_s7_a_left_step_raises_c_of_the_left_and_lowers_it_on_the_right() -> None:
    """c moves by step_gain * step * sign(x - line_start): up for those Left of the line, down
    for those Right of it, by the documented amount."""
    sc = scenario("confidence.step_gain=0.5")
    state = build_state([20], x=[0.5] * 10 + [-0.5] * 10, c=0.5, c0=0.5)
    state.macro.line_start, state.macro.line = 0.0, 0.1
    confidence.step(state, sc)
    c = state.persons.c
    assert c[:10] == pytest.approx(np.full(10, 0.55))
    assert c[10:] == pytest.approx(np.full(10, 0.45))


def test_s7_expulsions_in_a_cell_lower_c_there() -> None:
    """Expulsions of actives lower c in their cell by repression_loss * arrests / n, and only
    there."""
    sc = scenario("confidence.repression_loss=2.0")
    state = build_state([20, 20], c=0.5, c0=0.5, cells={"arrests": [2, 0]})
    confidence.step(state, sc)
    c = state.persons.c
    assert c[:20] == pytest.approx(np.full(20, 0.5 - 2.0 * 2 / 20))
    assert np.array_equal(c[20:], np.full(20, 0.5))


def test_s7_hearing_a_cadre_lowers_c_in_proportion_to_credibility() -> None:
    """Exposure by a cadre costs exposure_loss times his organisation's credibility: an
    organisation four times as credible costs four times as much; not hearing costs nothing."""
    sc = scenario("confidence.exposure_loss=0.05")
    heard = np.array([0] * 5 + [1] * 5 + [NO_ORG] * 5, np.int8)
    state = build_state([15], c=0.5, c0=0.5, heard=heard, orgs=[{}, {}], credibility=[0.2, 0.8])
    confidence.step(state, sc)
    loss = 0.5 - state.persons.c
    assert loss[:5] == pytest.approx(np.full(5, 0.05 * 0.2))
    assert loss[5:10] == pytest.approx(np.full(5, 0.05 * 0.8))
    assert np.array_equal(loss[10:], np.zeros(5))


def logit(q: float) -> float:
    return math.log(q / (1.0 - q))


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


@pytest.mark.parametrize(
    ("x", "c", "backs", "sign"),
    [
        (0.5, 0.6, 1.0, 1.0),  # wanted the step, trusts it: backing it gains
        (0.5, 0.6, 0.0, -1.0),  # ... and not backing it loses
        (-0.5, 0.1, 1.0, -1.0),  # did not want it and sees backing as capitulation: loses
        (-0.5, 0.1, 0.0, 1.0),  # ... and not backing it gains
        (0.5, 0.1, 1.0, 0.0),  # wanted it but distrusts the Centre: the two cancel
    ],
)
def test_s7_backing_a_left_step_is_judged_by_its_listeners(
    x: float, c: float, backs: float, sign: float
) -> None:
    """On a left step, log-odds of credibility move by credibility_step * step * (2 backs - 1)
    * <[x > line_start] - [c < confident]> over the organisation's listeners: the same message
    gains or loses according to what they wanted and whether they trust the Centre."""
    sc = scenario("confidence.credibility_step=2.0", "observe.confident=0.25")  # L starts at 0
    orgs = [{"backs_left_steps": backs, "refutes_second_party": 0.5}]
    state = build_state([10], orgs=orgs, credibility=[0.5], heard=0, x=x, c=c, c0=c)
    state.macro.line_start, state.macro.line = 0.0, 0.05
    confidence.step(state, sc)
    assert state.orgs.credibility[0] == pytest.approx(sigmoid(2.0 * 0.05 * sign))


@pytest.mark.parametrize(
    ("c_listener", "arrests", "dead", "sign"),
    [(0.6, 0, 1.0, -1.0), (0.1, 0, 1.0, 1.0), (0.6, 1, 1.0, 1.0), (0.6, 0, 0.0, 0.0)],
)
def test_s7_the_party_is_dead_gains_among_the_repressed_and_loses_among_the_confident(
    c_listener: float, arrests: int, dead: float, sign: float
) -> None:
    """'The party is dead' moves log-odds by credibility_dead * says_party_dead * <dead_i>:
    dead_i = +1 for a listener who no longer trusts the Centre (c < confident) or whose cell
    had expulsions, -1 for one who trusts it; not said, it moves nothing."""
    sc = scenario(
        "confidence.credibility_dead=0.02",
        "observe.confident=0.25",
        "confidence.credibility_memory=0",
    )
    orgs = [{"says_party_dead": dead, "refutes_second_party": 0.5}]
    state = build_state(
        [10], orgs=orgs, credibility=[0.3], heard=0, c=c_listener, c0=c_listener,
        cells={"arrests": arrests},
    )  # fmt: skip
    confidence.step(state, sc)
    assert state.orgs.credibility[0] == pytest.approx(sigmoid(logit(0.3) + 0.02 * sign))


def test_s7_credibility_does_not_saturate_within_months() -> None:
    """On the log-odds scale, 26 weeks of the strongest disagreement of every listener with the
    message take credibility from 0.5 down by exactly 26 * credibility_dead in log-odds: to 0.37
    at the default 0.02, far from 0 (the first model reached 0 within 26 weeks)."""
    sc = scenario("confidence.credibility_memory=0")
    orgs = [{"says_party_dead": 1.0, "refutes_second_party": 0.5}]
    state = build_state([10], orgs=orgs, credibility=[0.5], heard=0, c=0.9, c0=0.9)
    for _ in range(26):
        confidence.step(state, sc)
        state.persons.heard[:] = 0
    rate = sc.confidence.credibility_dead
    assert state.orgs.credibility[0] == pytest.approx(sigmoid(-26 * rate))
    assert 0.3 < state.orgs.credibility[0] < 0.5


def test_s7_memory_bounds_the_log_odds() -> None:
    """With memory m, ten years of the strongest disagreement take the log-odds to
    -rate / m (1 - (1 - m)^520), above the fixed point -rate / m of L <- (1 - m) L - rate:
    credibility stays above 1 / (1 + exp(rate / m)) (0.018 at the defaults)."""
    sc = scenario(
        "confidence.credibility_memory=0.005",
        "confidence.credibility_dead=0.02",
        "confidence.exposure_loss=0",  # the listeners stay confident (c = 0.9) all along
    )
    orgs = [{"says_party_dead": 1.0, "refutes_second_party": 0.5}]
    state = build_state([10], orgs=orgs, credibility=[0.5], heard=0, c=0.9, c0=0.9)
    for _ in range(520):
        confidence.step(state, sc)
        state.persons.heard[:] = 0
    expected = -0.02 / 0.005 * (1.0 - (1.0 - 0.005) ** 520)  # L_n of L <- (1 - m) L - rate
    assert state.orgs.credibility[0] == pytest.approx(sigmoid(expected))
    assert state.orgs.credibility[0] > sigmoid(-0.02 / 0.005)


def test_s7_no_listener_no_change() -> None:
    """An organisation nobody heard this week keeps its credibility, whatever it says (memory
    off; with memory it only forgets)."""
    sc = scenario("confidence.credibility_memory=0")
    orgs = [{"says_party_dead": 1.0, "backs_left_steps": 1.0}]
    state = build_state([10], orgs=orgs, credibility=[0.4], c=0.9, c0=0.9)
    state.macro.line_start, state.macro.line, state.macro.regime = 0.0, 0.1, 1.0
    confidence.step(state, sc)
    assert state.orgs.credibility[0] == pytest.approx(0.4)


def test_s7_a_passive_organisation_keeps_its_credibility() -> None:
    """Cadres of a passive organisation say nothing: their credibility does not move."""
    sc = scenario()
    orgs = [{"backs_left_steps": 1.0, "says_party_dead": 1.0}]
    state = build_state([10], orgs=orgs, credibility=[0.5], heard=0, c=0.9, c0=0.9)
    state.orgs.works[:] = 0.0
    state.macro.line_start, state.macro.line, state.macro.regime = 0.0, 0.1, 1.0
    confidence.step(state, sc)
    assert state.orgs.credibility[0] == 0.5


# --- S8 degeneration ----------------------------------------------------------------------


def test_s8_control_from_below_slows_degeneration() -> None:
    """Two identical cells but in one half the members are active and say a Left stance: the
    other half's d grows more slowly there (control from below)."""
    sc = scenario()
    active = np.array(([False] * 20 + [True] * 20) + [False] * 40)
    left = np.tile([0.0] * 20 + [0.8] * 20, 2)  # control reads the private stance x
    state = build_state([40, 40], d=0.3, x=left, y=left, active=active)
    for _ in range(10):
        degeneration.step(state, sc)
    d = state.persons.d
    assert (d[:20] < d[40:60]).all()


def test_s8_privilege_speeds_degeneration() -> None:
    """The same cell, the same start: the more privileged stratum degenerates faster."""
    sc = scenario(
        "population.strata.worker.privilege=0.05", "population.strata.employee.privilege=0.6"
    )
    stratum = np.array([WORKER] * 10 + [EMPLOYEE] * 10, np.int8)
    state = build_state([20], stratum=stratum, d=0.2)
    for _ in range(10):
        degeneration.step(state, sc)
    d = state.persons.d
    assert d[10:].min() > d[:10].max() > 0.2


def test_s8_the_proprietor_pulls_on_exposed_cells() -> None:
    """exposure_rate * K * exposure_kind: an institution cell degenerates faster when K is high."""
    sc = scenario()
    rates = []
    for K in (0.0, 0.8):
        state = build_state([20], d=0.2, cells={"kind": INSTITUTION}, macro={"K": K})
        degeneration.step(state, sc)
        rates.append(state.persons.d.mean() - 0.2)
    assert rates[1] > rates[0] > 0.0


def test_s8_the_degenerated_drift_to_the_proprietors_line() -> None:
    """The anchor drifts toward -1 in proportion to d: the more degenerated move further Right
    (their stance follows through S6)."""
    sc = scenario("degeneration.stance_drift=0.01")
    state = build_state([2], x=0.5, anchor=0.5, d=[0.1, 0.9])
    degeneration.step(state, sc)
    a = state.persons.anchor
    assert a[1] < a[0] < 0.5


# --- S9 repression ------------------------------------------------------------------------


def _dissidents(enforcers: int, **kw: Any) -> State:
    """Five cells of 30 active members saying 0.9 against a line at 0, plus the enforcers."""
    per = 30 + enforcers
    stratum = np.tile(np.array([WORKER] * 30 + [FUNCTIONARY] * enforcers, np.int8), 5)
    active = stratum == WORKER
    return build_state(
        [per] * 5,
        stratum=stratum,
        active=active,
        x=0.9,
        y=0.9,
        macro={"line": 0.0, "line_start": 0.0, "regime": 1.0},
        **kw,
    )


def test_s9_no_enforcers_in_the_region_no_arrests() -> None:
    """Without enforcers in the region nobody is arrested, however harsh the regime."""
    sc = scenario("repression.arrest_rate=1000")
    state = _dissidents(0)
    for _ in range(20):
        repression.step(state, sc)
        assert (state.cells.arrests == 0).all()
    assert (state.persons.status == MEMBER).all()


def test_s9_strikes_across_the_region_not_only_in_a_cell_with_an_enforcer() -> None:
    """The enforcers of one cell make the whole region dangerous: dissenters in cells without an
    enforcer are arrested (and expelled) too; another region without enforcers is spared."""
    sc = scenario("repression.arrest_rate=1000")
    stratum = np.array([WORKER] * 30 + [FUNCTIONARY] * 3 + [WORKER] * 30 * 3, np.int8)
    sizes = [33, 30, 30, 30]
    region = np.array([0, 0, 0, 1], np.int16)
    state = build_state(
        sizes,
        stratum=stratum,
        active=stratum == WORKER,
        x=0.9,
        y=0.9,
        cells={"region": region},
        macro={"line": 0.0, "line_start": 0.0, "regime": 1.0},
    )
    repression.step(state, sc)
    a = state.cells.arrests
    assert a[1] > 0 and a[2] > 0 and a[3] == 0
    p = state.persons
    assert (p.status[p.cell == 3] == MEMBER).all()
    assert not p.active[p.status == EXPELLED].any()


def test_s9_arrest_hazard_by_visibility_and_the_regions_enforcers_per_member() -> None:
    """P(arrest) = 1 - exp(-arrest_rate * regime * E_r / N_r * v) with v = visible_speech +
    visible_active for an active public dissenter, visible_speech for a silent-but-public one,
    and 0 for one who says the line. 100 cells of 49 workers + 1 enforcer: E/N = 1/50;
    n = 2450 per group, each share within 4 binomial sd."""
    sc = scenario(
        "repression.arrest_rate=2.0",
        "repression.visible_speech=0.5",
        "repression.visible_active=2.0",
    )
    cells = 100
    stratum = np.tile(np.array([WORKER] * 49 + [FUNCTIONARY], np.int8), cells)
    kind = np.tile(np.array([0] * 24 + [1] * 24 + [2] + [3]), cells)  # active/silent/says line
    y = np.where(kind >= 2, 0.0, 0.9)
    state = build_state(
        [50] * cells,
        stratum=stratum,
        active=kind == 0,
        x=0.9,
        y=y,
        seed=3,
        macro={"line": 0.0, "line_start": 0.0, "regime": 0.5},
    )
    repression.step(state, sc)
    out = state.persons.status == EXPELLED
    capacity = 2.0 * 0.5 / 50
    for k, v in ((0, 2.5), (1, 0.5)):
        expected = 1 - math.exp(-capacity * v)
        share = out[kind == k].mean()
        assert abs(share - expected) < four_sd(expected, (kind == k).sum())
    assert not out[(kind == 2) | (kind == 3)].any()


def test_s9_open_work_in_the_cells_is_visible() -> None:
    """The strategy channel: cadres who work in the party cells (effort_party 1) are seen and
    arrested more than cadres who work outside (effort_party 0), all else equal; n = 2500 each,
    hazards 1 - exp(-0.02) vs 1 - exp(-0.006), far more than 4 sd apart."""
    sc = scenario(
        "repression.arrest_rate=1.0",
        "repression.visible_party=1.0",
        "repression.visible_outside=0.3",
        "repression.visible_speech=0",
        "repression.visible_active=0",
        "repression.capitulation_base=0",
        "repression.capitulation_isolation=0",
        "repression.capitulation_repression=0",
    )
    cells = 100
    org = np.tile(np.array([0] * 25 + [1] * 25 + [NO_ORG] * 49 + [NO_ORG], np.int8), cells)
    stratum = np.tile(np.array([WORKER] * 99 + [FUNCTIONARY], np.int8), cells)
    state = build_state(
        [100] * cells,
        stratum=stratum,
        org=org,
        orgs=[{"effort_party": 1.0}, {"effort_party": 0.0}],
        seed=4,
        macro={"line": 0.0, "line_start": 0.0, "regime": 1.0},
    )
    repression.step(state, sc)
    gone = state.persons.status != MEMBER
    shares = [gone[org == o].mean() for o in (0, 1)]
    for share, v in zip(shares, (1.0, 0.3), strict=True):
        expected = 1 - math.exp(-v / 100)
        assert abs(share - expected) < four_sd(expected, 2500)
    assert shares[0] > shares[1]


def test_s9_arrested_cadres_are_exiled_for_a_term() -> None:
    """Exile is the policy for arrested cadres (exile_share 1): a term in [min, max] weeks that
    runs down a week at a time and ends in the cell as expelled; arrested non-cadres are
    expelled, not exiled."""
    sc = scenario(
        "repression.arrest_rate=1000",
        "repression.exile_share=1.0",
        "repression.exile_weeks_min=3",
        "repression.exile_weeks_max=5",
        "repression.capitulation_base=0",
        "repression.capitulation_isolation=0",
        "repression.capitulation_repression=0",
    )
    org = np.tile(np.array([0] * 5 + [NO_ORG] * 25 + [NO_ORG], np.int8), 5)
    state = _dissidents(1, org=org, orgs=[{}])
    repression.step(state, sc)
    p = state.persons
    exiled = p.status == EXILED
    assert (exiled == (org == 0)).all()
    assert state.macro.exiled_new == 25
    assert state.macro.arrested == (p.status != MEMBER).sum() >= 150
    assert ((p.exile_left[exiled] >= 3) & (p.exile_left[exiled] <= 5)).all()
    assert (p.status[(org == NO_ORG) & (p.stratum == WORKER)] == EXPELLED).all()
    state.macro.regime = 0.0
    for _ in range(5):
        repression.step(state, sc)
    assert (p.status[exiled] == EXPELLED).all() and (p.exile_left == 0).all()


def test_s9_a_cadre_in_the_party_can_capitulate_too() -> None:
    """Capitulation is open to every cadre: 4000 cadres in the party (saying the line, so not
    seen), hazard 1 - exp(-(base + repression * regime)) with isolation 0 (cells all Left)."""
    sc = scenario(
        "repression.arrest_rate=0",
        "repression.capitulation_base=0.01",
        "repression.capitulation_isolation=0.5",
        "repression.capitulation_repression=0.05",
        "repression.capitulation_left_turn=0",
    )
    n = 4000
    org = np.tile(np.array([0, NO_ORG], np.int8), n)
    state = build_state(
        [2] * n, x=0.9, y=0.0, org=org, orgs=[{}], seed=5, macro={"line": 0.0, "regime": 0.4}
    )
    repression.step(state, sc)
    cap = state.persons.status == CAPITULATED
    assert not cap[org == NO_ORG].any()
    expected = 1 - math.exp(-(0.01 + 0.05 * 0.4))
    assert abs(cap[org == 0].mean() - expected) < four_sd(expected, n)
    assert state.macro.capitulated_new == cap.sum()


def _exiles(n: int, echo: float, line: float = 0.0, seed: int = 0) -> State:
    """n exiled cadres (one per cell, 50 weeks of exile left) whose home cells have 9 members,
    a share `echo` of them privately on the Left; the line stepped from 0 to `line`."""
    n_left = round(9 * echo)
    x = np.tile(np.array([0.9] + [0.9] * n_left + [-0.5] * (9 - n_left)), n)
    status = np.tile(np.array([EXILED] + [MEMBER] * 9, np.int8), n)
    org = np.tile(np.array([0] + [NO_ORG] * 9, np.int8), n)
    return build_state(
        [10] * n,
        x=x,
        y=x.copy(),
        status=status,
        org=org,
        exile_left=np.where(status == EXILED, 50, 0),
        orgs=[{}],
        seed=seed,
        macro={"line": line, "line_start": 0.0, "regime": 0.0},
    )


def test_s9_capitulation_hazard_higher_under_a_left_turn() -> None:
    """The weekly hazard 1 - exp(-(base + iso * isolation + left_turn * turn_memory)): a left
    step of 0.2 (the memory starts at 0) raises it from 0.01 to 0.104. n = 4000 exiles a run;
    each count is within 4 binomial sd of its expectation, and capitulators return saying the
    line."""
    sc = scenario(
        "repression.capitulation_base=0.01",
        "repression.capitulation_isolation=0",
        "repression.capitulation_left_turn=0.5",
        "repression.capitulation_repression=0",
    )
    n = 4000
    shares = []
    for line in (0.0, 0.2):
        state = _exiles(n, 0.5, line=line, seed=8)
        repression.step(state, sc)
        p = state.persons
        cap = p.status == CAPITULATED
        assert (p.org[cap] == NO_ORG).all() and (p.x[cap] == line).all()
        assert (p.y[cap] == line).all() and (p.exile_left[cap] == 0).all()
        shares.append(cap.sum() / n)
    for share, rate in zip(shares, (0.01, 0.01 + 0.5 * 0.2), strict=True):
        expected = 1 - math.exp(-rate)
        assert abs(share - expected) < four_sd(expected, n)
    assert shares[1] > shares[0]


def test_s9_isolation_raises_capitulation() -> None:
    """An expelled cadre whose home cell echoes his stance (members on the Left) holds out
    better than one whose cell is all on the Right, and an exile (isolation 1) as the latter.
    n = 4000 each: hazards 0.0488 vs 0.0095, 4 sd apart by far."""
    sc = scenario(
        "repression.capitulation_base=0.0",
        "repression.capitulation_isolation=0.05",
        "repression.capitulation_left_turn=0",
        "repression.capitulation_repression=0",
    )
    n = 4000
    shares = []
    for echo, home in ((0.0, True), (0.8, True), (0.8, False)):
        state = _exiles(n, echo)
        if home:
            p = state.persons
            p.exile_left[p.status == EXILED] = 0
            p.status[p.status == EXILED] = EXPELLED
        repression.step(state, sc)
        shares.append((state.persons.status == CAPITULATED).sum() / n)
    # in exile isolation is 1; back home it counts the cell's members privately Left
    for share, iso in zip(shares, (1.0, 1 - round(9 * 0.8) / 9, 1.0), strict=True):
        expected = 1 - math.exp(-0.05 * iso)
        assert abs(share - expected) < four_sd(expected, n)
    assert shares[0] > shares[1]


# --- S10 membership -----------------------------------------------------------------------


def test_s10_recruitment_at_about_the_rate() -> None:
    """A drive of weekly rate 0.01 recruits a non-party person of confidence 0.5 with
    probability 2 * 0.01 * 0.5 = 0.01. n = 20000: within 4 sd (0.0028); the drive ends after
    its weeks."""
    sc = scenario("membership.attrition=0")
    n = 20_000
    state = build_state(
        [100] * (n // 100),
        status=NONPARTY,
        c=0.5,
        seed=9,
        macro={"recruitment": 0.01, "recruitment_weeks": 1},
    )
    membership.step(state, sc)
    share = (state.persons.status == MEMBER).mean()
    assert abs(share - 0.01) < four_sd(0.01, n)
    assert state.macro.recruitment == 0.0 and state.macro.recruitment_weeks == 0
    before = state.persons.status.copy()
    membership.step(state, sc)
    assert np.array_equal(state.persons.status, before)


def test_s10_each_recruit_at_his_own_chance() -> None:
    """A drive takes the confident: rate 0.01, half the non-party at c = 0.2 (chance
    2 * 0.01 * 0.2 = 0.004), half at c = 0.9 (0.018). The persons a drive considers are marked
    with the highest chance, 0.02, and each kept with his chance over it (thinning): an error in
    the thinning gives every one the same chance. 40 weeks of 20,000 persons each (n = 400,000
    person-weeks a group), 4 sd: 0.0004 and 0.0008."""
    sc = scenario("membership.attrition=0", "membership.decides_purge=false")
    n, weeks = 40_000, 40
    c = np.tile([0.2, 0.9], n // 2)
    joined = np.zeros(2)
    for w in range(weeks):
        state = build_state([100] * (n // 100), status=NONPARTY, c=c, seed=3,
                            macro={"recruitment": 0.01, "recruitment_weeks": 1})  # fmt: skip
        state.macro.week = w
        membership.step(state, sc)
        member = state.persons.status == MEMBER
        joined += [member[c == 0.2].sum(), member[c == 0.9].sum()]
    share = joined / (n // 2 * weeks)
    assert abs(share[0] - 0.004) < four_sd(0.004, n // 2 * weeks)
    assert abs(share[1] - 0.018) < four_sd(0.018, n // 2 * weeks)


def test_s10_attrition_at_its_rate_and_never_the_cadres_or_functionaries() -> None:
    """Attrition 0.01 a week over 30,000 persons of whom a tenth are functionaries and a tenth
    cadres: the other members leave at 0.01 (n = 24,000 a week, 20 weeks: 480,000, 4 sd
    0.00057), the functionaries and the cadres never."""
    sc = scenario("membership.attrition=0.01", "membership.decides_purge=false")
    n, weeks = 30_000, 20
    role = np.tile(np.arange(10), n // 10)
    left = 0
    for w in range(weeks):
        state = build_state(
            [150] * (n // 150),
            stratum=np.where(role == 0, FUNCTIONARY, WORKER).astype(np.int8),
            org=np.where(role == 1, 0, NO_ORG).astype(np.int8),
            orgs=[{}],
            seed=4,
        )
        state.macro.week = w
        membership.step(state, sc)
        gone = state.persons.status == NONPARTY
        assert not gone[role < 2].any()
        left += gone.sum()
    assert abs(left / (0.8 * n * weeks) - 0.01) < four_sd(0.01, int(0.8 * n * weeks))


def test_s10_purge_takes_about_the_share_asked() -> None:
    """A purge of share 0.11 over 52 weeks (S1 sets the weekly rate) expels about 0.11 of the
    members outside the apparatus, n = 10000 (tolerance 4 sd = 0.0125); the apparatus is never
    purged, public dissenters are purged more than conformists, and the purge ends on time."""
    start = dt.date(1928, 10, 1)
    sc = scenario(
        "membership.attrition=0",
        "membership.decides_purge=false",
        timeline=[{"date": start, "kind": "purge", "share": 0.11, "weeks": 52}],
    )
    rng = np.random.default_rng(10)
    n, f = 10_000, 500
    stratum = np.tile(np.array([WORKER] * 20 + [FUNCTIONARY]), n // 20)
    y = np.where(rng.random(stratum.size) < 0.3, 0.8, 0.0)
    state = build_state(
        [21] * (n // 20),
        stratum=stratum.astype(np.int8),
        y=y,
        d=rng.random(stratum.size),
        seed=11,
        macro={"line": 0.0},
    )
    assert (stratum == FUNCTIONARY).sum() == f
    state.macro.week = week_of(start, start)
    events.step(state, sc)
    for w in range(52):
        state.macro.week = w
        membership.step(state, sc)
    p = state.persons
    workers = p.stratum == WORKER
    share = (p.status[workers] == EXPELLED).mean()
    assert abs(share - 0.11) < four_sd(0.11, n)
    assert (p.status[~workers] == MEMBER).all()
    dissent = workers & (y == 0.8)
    conform = workers & (y == 0.0)
    assert (p.status[dissent] == EXPELLED).mean() > (p.status[conform] == EXPELLED).mean()
    assert state.macro.purge_rate == 0.0 and state.macro.purge_weeks == 0


def test_s10_the_apparatus_declares_a_purge_once_its_pressure_has_lasted() -> None:
    """Q = purge_dissent * (public dissent share) + purge_degeneration * mean d accumulates as
    A <- A + Q - purge_on; the purge is declared the week A reaches purge_patience, of share
    purge_size * Q (its weekly rate 1 - (1 - s)^(1/weeks)); without dissent and with d below
    the threshold nothing is declared."""
    sc = scenario(
        "membership.attrition=0",
        "membership.purge_dissent=1.0",
        "membership.purge_degeneration=1.0",
        "membership.purge_on=0.2",
        "membership.purge_patience=1.0",
        "membership.purge_size=0.2",
        "membership.purge_max=0.5",
        "membership.purge_weeks=10",
    )
    y = np.array([0.9] * 3 + [0.0] * 7)
    state = build_state([10] * 10, y=np.tile(y, 10), d=0.2, macro={"line": 0.0})
    q = 0.3 + 0.2  # Q = 0.5: A grows 0.3 a week, reaches 1 in the 4th week
    for w in range(1, 5):
        state.macro.week = w
        membership.step(state, sc)
        assert (state.macro.purge_weeks > 0) == (w == 4), w
    assert (1 - state.macro.purge_rate) ** 10 == pytest.approx(1 - 0.2 * q)
    calm = build_state([10] * 10, y=0.0, d=0.1, macro={"line": 0.0})
    for w in range(1, 30):
        calm.macro.week = w
        membership.step(calm, sc)
    assert calm.macro.purge_weeks == 0 and calm.macro.purge_pressure == 0.0


def test_s10_listeners_on_the_left_join_the_organisation_they_heard() -> None:
    """A person privately Left (x > cut) who heard a cadre of o joins o with probability
    org_recruit * credibility_o; one on the Right or who heard nobody does not. n = 5000 each
    side, within 4 binomial sd."""
    sc = scenario("membership.attrition=0", "membership.org_recruit=0.2")
    n = 5000
    x = np.tile(np.array([0.8, -0.5]), n)
    state = build_state(
        [2] * n, x=x, heard=0, orgs=[{}], credibility=[0.5], seed=6, macro={"line": 0.0}
    )
    state.persons.heard[::4] = NO_ORG
    heard = state.persons.heard.copy()
    membership.step(state, sc)
    p = state.persons
    left_heard = (x > 0.2) & (heard == 0)
    expected = 0.2 * 0.5
    assert abs((p.org[left_heard] == 0).mean() - expected) < four_sd(expected, left_heard.sum())
    assert (p.org[~left_heard] == NO_ORG).all()
    assert state.macro.joined == (p.org == 0).sum()
    assert (p.heard[p.org == 0] == NO_ORG).all(), "a joiner is a cadre, no longer a listener"


def test_s10_a_member_purged_this_week_joins_no_organisation() -> None:
    """In a purge that takes every member (rate 1, all weights equal), members on the Left who
    heard a cadre (org_recruit 1, credibility 1: a certain join otherwise) are expelled and join
    nothing this week; non-party listeners beside them, who cannot be purged, all join."""
    sc = scenario("membership.attrition=0", "membership.org_recruit=1.0")
    status = np.tile(np.array([MEMBER, NONPARTY], np.int8), 600)  # 1,200: over two chunks
    state = build_state(
        [40] * 30, status=status, x=0.8, y=0.0, d=0.0, heard=0, orgs=[{}], credibility=[1.0],
        macro={"line": 0.0, "purge_rate": 1.0, "purge_weeks": 1},
    )  # fmt: skip
    membership.step(state, sc)
    p = state.persons
    assert (p.status[status == MEMBER] == EXPELLED).all() and state.macro.purged == 600
    assert (p.org[status == MEMBER] == NO_ORG).all(), "a purged member joined an organisation"
    assert (p.org[status == NONPARTY] == 0).all() and state.macro.joined == 600


# --- S11 hierarchy ------------------------------------------------------------------------


def test_s11_a_cell_elects_by_a_qualified_majority_of_dissenters() -> None:
    """Hand-computed cells of 4 members, no appointment (theta = 1/2), line 0, dissent margin and
    stance cut 0.2 (`tiny`): 2 of 4 saying Left is a tie and the delegate stays the incumbent's;
    3 of 4 take it; with appointment 0.6 (theta = 0.8) 3 of 4 (0.75) are not enough."""
    y = [0.9, 0.9, 0.0, 0.0] + [0.9, 0.9, 0.9, 0.0] + [0.9, 0.9, -0.9, -0.9]
    for appointed, votes in ((0.0, [CENTRE, LEFT, CENTRE]), (0.6, [CENTRE, CENTRE, CENTRE])):
        sc = scenario(f"hierarchy.appointed={appointed}")
        state = build_state([4, 4, 4], y=np.array(y), macro={"line": 0.0})
        state.macro.week = 4
        hierarchy.step(state, sc)
        assert state.cells.vote.tolist() == votes, appointed


def test_s11_following_the_line_is_centre() -> None:
    """Every member repeating a line far on the Left (y = line = 0.9) is Centre: the delegates
    stay the incumbent's and the Left gets no seat; 0.1 beyond the line is not dissent either
    (margin 0.2), 0.3 beyond it is."""
    sc = scenario("hierarchy.appointed=0")
    for offset, vote in ((0.0, CENTRE), (0.1, CENTRE), (0.3, LEFT)):
        state = build_state([5] * 8, y=0.6 + offset, macro={"line": 0.6})
        state.macro.week = 4
        hierarchy.step(state, sc)
        assert (state.cells.vote == vote).all(), offset
        assert state.macro.cc_holder == vote


def test_s11_elections_only_every_few_weeks() -> None:
    """Through `step`: cells whose members all say a Left stance send Left delegates and the Left
    takes the CC at an election week; between elections nothing changes."""
    sc = scenario("hierarchy.appointed=0", "hierarchy.group_size=4", "hierarchy.every=4")
    state = build_state([5] * 16, y=0.9)
    state.macro.week = 0
    hierarchy.step(state, sc)
    assert (state.cells.vote == LEFT).all() and state.macro.cc_holder == LEFT
    state.persons.y[:] = -0.9
    for w in (1, 2, 3):
        state.macro.week = w
        hierarchy.step(state, sc)
        assert state.macro.cc_holder == LEFT
    state.macro.week = 4
    hierarchy.step(state, sc)
    assert (state.cells.vote == RIGHT).all() and state.macro.cc_holder == RIGHT


# --- S12 power ----------------------------------------------------------------------------


@pytest.mark.parametrize(("pi0", "rises"), [(0.6, True), (0.55, True), (0.4, False), (0.45, False)])
def test_s12_pi_is_bistable(pi0: float, rises: bool) -> None:
    """With the kernel, the CC and the apparatus terms zeroed, pi moves away from pi_unstable:
    above it pi rises, below it pi falls, every week."""
    sc = scenario(
        "power.bistability=0.5",
        "power.pi_unstable=0.5",
        "power.kernel_weight=0",
        "power.cc_weight=0",
        "power.degeneration_weight=0",
    )
    state = build_state([10], macro={"pi": pi0})
    path = [pi0]
    for _ in range(30):
        power.step(state, sc)
        path.append(state.macro.pi)
    steps = np.diff(path)
    assert (steps > 0).all() if rises else (steps < 0).all()


def test_s12_pi_moves_with_the_kernel_against_the_first_weeks() -> None:
    """The kernel's reference is the kernel of the first week (kernel_reference = 1): a kernel
    that holds leaves pi where it is; one that grows (every worker active and privately Left)
    pushes pi up by kernel_weight (1 - 0.5) = 0.025 a week, one that dies lets it fall by 0.025."""
    sc = scenario(
        "power.bistability=0",
        "power.cc_weight=0",
        "power.degeneration_weight=0",
        "power.kernel_weight=0.05",
    )
    half = np.arange(20) < 10
    for active, move in ((half, 0.0), (True, 0.025), (False, -0.025)):
        state = build_state([20], x=0.9, active=half, macro={"pi": 0.5})
        power.step(state, sc)  # the first week: kernel0 = 0.5
        assert state.macro.kernel0 == 0.5 and state.macro.pi == 0.5
        state.persons.active[:] = active
        power.step(state, sc)
        assert state.macro.pi - 0.5 == pytest.approx(move, abs=1e-12), active


def test_s12_beta_settles_at_its_passive_equilibrium() -> None:
    """With the classes' activity held (a quarter of the workers active, grain 1 so a_p = 0),
    beta goes to beta* = g (1 - a) / (g (1 - a) + delta a) = 0.6 (g = 0.01, delta = 0.02,
    a = 0.25), which S12 keeps as beta_star, and as beta_star0 from the first week."""
    sc = scenario("power.beta_growth=0.01", "power.beta_decay=0.02")
    state = build_state([20], active=np.arange(20) < 5, macro={"beta": 0.9, "grain": 1.0, "K": 0.2})
    for _ in range(2000):
        power.step(state, sc)
    expected = 0.01 * 0.75 / (0.01 * 0.75 + 0.02 * 0.25)
    assert state.macro.beta == pytest.approx(expected, abs=1e-9)
    assert state.macro.beta_star == pytest.approx(expected, abs=1e-12)
    assert state.macro.beta_star0 == state.macro.beta_star


def test_s12_beta_grows_while_both_classes_are_passive() -> None:
    """beta grows when neither the workers nor the proprietor act, and falls when the workers
    are active."""
    sc = scenario()
    moves = []
    for active in (False, True):
        state = build_state([20], active=active, macro={"beta": 0.5, "grain": 1.0, "K": 0.2})
        power.step(state, sc)
        moves.append(state.macro.beta - 0.5)
    assert moves[0] > 0 > moves[1]


# --- S13 outcome --------------------------------------------------------------------------


def _right_party(pi: float, seed: int) -> State:
    """A party all on the Right (R = 1), K = 1: the strongest Thermidor hazard there is."""
    return build_state([10], x=-0.9, seed=seed, macro={"pi": pi, "K": 1.0, "beta": 0.0})


def test_s13_no_thermidor_while_pi_is_high() -> None:
    """Thermidor only "by the road of counter-revolutionary upheaval": while pi >= thermidor_pi
    there is no hazard at all, over 500 weeks and 20 seeds at the maximum hazard. The control
    (pi below the cut) falls to Thermidor in every seed."""
    sc = scenario("outcome.thermidor_pi=0.25", "outcome.thermidor_hazard=1.0")
    for seed in range(20):
        for pi, falls in ((0.25, False), (0.9, False), (0.1, True)):
            state = _right_party(pi, seed)
            for w in range(500):
                state.macro.week = w
                outcome.step(state, sc)
            assert (state.macro.outcome == THERMIDOR) == falls, (seed, pi)


def test_s13_no_thermidor_in_full_runs_while_pi_is_held_high() -> None:
    """The whole model with S12 switched off and pi0 = thermidor_pi: whatever else happens, no
    run ends in Thermidor."""
    sc = scenario(
        "power.enabled=false",
        "power.pi0=0.3",
        "outcome.thermidor_pi=0.3",
        "outcome.thermidor_hazard=1.0",
        "classes.K0=1.0",
        weeks=150,
    )
    for seed in range(4):
        state = prepared_state(sc, seed=seed, weeks=150)
        assert state.macro.outcome != THERMIDOR


def test_s13_outcomes_are_absorbing_and_consolidation_needs_its_weeks() -> None:
    """beta above the level for consolidation_weeks running gives consolidation in that week;
    a later week changes nothing. The level is beta_star0 + consolidation_margin (0.85 + 0.05
    here: beta 0.89 is not enough, 0.91 is), or an absolute consolidation_beta if given."""
    cases = (
        (["outcome.consolidation_margin=0.05"], 0.89, None),
        (["outcome.consolidation_margin=0.05"], 0.91, 5),
        (["outcome.consolidation_beta=0.8"], 0.81, 5),
    )
    for overrides, beta, week in cases:
        sc = scenario(*overrides, "outcome.consolidation_weeks=5")
        state = build_state([10], macro={"pi": 0.5, "beta": beta, "beta_star0": 0.85})
        for w in range(1, 10):
            state.macro.week = w
            outcome.step(state, sc)
            expected = CONSOLIDATION if week is not None and w >= week else OPEN
            assert state.macro.outcome == expected, (overrides, beta, w)
        assert state.macro.outcome_week == (week if week is not None else -1)


# --- Q7 blocs -----------------------------------------------------------------------------


@pytest.mark.parametrize(("delimitation", "survives"), [(1.0, True), (0.0, False)])
def test_blocs_delimitation_keeps_the_bloc_at_clashes(delimitation: float, survives: bool) -> None:
    """United after delimitation (distance 0) the bloc never splits at clashes; united without
    it, far apart, it splits at the first clash. While united, credibility is pooled."""
    start = dt.date(1928, 10, 1)
    sc = scenario(
        "bloc_rules.split_rate=10",
        blocs=[
            {
                "organisations": ["Left Opposition", "Democratic Centralists"],
                "date": start,
                "delimitation": delimitation,
            }
        ],
    )
    state = build_state([4], orgs=[{}, {}], credibility=[0.2, 0.6])
    state.orgs.names[:] = ["Left Opposition", "Democratic Centralists"]
    state.orgs.programme[:] = [0.8, -0.8]
    united = week_of(start, start)
    state.macro.week = united
    blocs.step(state, sc)
    assert state.orgs.bloc_alive.all()
    assert state.orgs.credibility == pytest.approx([0.4, 0.4])
    for w in range(united + 1, united + 20):
        state.macro.week, state.macro.clash = w, True
        blocs.step(state, sc)
    assert state.orgs.bloc_alive.all() == survives
    assert (state.orgs.bloc_split_week == (-1 if survives else united + 1)).all()


# --- switching a submodel off -------------------------------------------------------------

Extract = Callable[[State], dict[str, Any]]


def _persons(*names: str) -> Extract:
    return lambda s: {n: getattr(s.persons, n).copy() for n in names}


def _macro(*names: str) -> Extract:
    return lambda s: {n: copy.deepcopy(getattr(s.macro, n)) for n in names}


def _both(*parts: Extract) -> Extract:
    return lambda s: {k: v for part in parts for k, v in part(s).items()}


_BLOC = [
    {
        "organisations": ["Left Opposition", "Democratic Centralists"],
        "date": dt.date(1929, 1, 14),
        "delimitation": 0.0,
    }
]

# switch -> (extra overrides, extra top-level keys, the variables only it writes)
# S3 shares line, regime and campaigns with S1 (so S1 is off in its case); S5 shares `active`
# with S9 (compared on persons whose status and organisation did not change); S10 decides purges
# (off in the case of S1) and recruits to the organisations (off in the case of S9).
SWITCHES: dict[str, tuple[list[str], dict[str, Any], Extract]] = {
    "events": (["membership.decides_purge=false"], {}, lambda s: {
        **_macro("recruitment", "recruitment_weeks", "purge_rate", "purge_weeks")(s),
        "behaviour": s.orgs.behaviour.copy(), "strategy": list(s.orgs.strategy),
        "self_criticism": s.macro.campaigns["self_criticism"]}),
    "classes": ([], {}, _both(_macro("K", "grain", "wage"), _persons("h"))),
    "leadership": ([], {"events": False}, _macro("line", "regime", "campaigns", "drivers")),
    "bloc_rules": ([], {"blocs": _BLOC}, lambda s: {
        "partner": s.orgs.bloc_partner.copy(), "alive": s.orgs.bloc_alive.copy(),
        "split": s.orgs.bloc_split_week.copy(), "distance": s.orgs.bloc_distance.copy()}),
    "expression": ([], {}, lambda s: {"oppression": s.cells.oppression.copy()}),
    "activation": ([], {}, lambda s: {"active_stable": s.persons.active.copy()}),
    "influence": (["membership.org_recruit=0"], {}, _persons("u", "heard")),
    "confidence": ([], {}, lambda s: {"c": s.persons.c.copy(),
                                      "credibility": s.orgs.credibility.copy()}),
    "degeneration": (["repression.enabled=false"], {}, _persons("d", "anchor")),
    "repression": (["repression.arrest_rate=1.0", "membership.org_recruit=0"], {}, lambda s: {
        **_persons("exile_left", "org")(s), "arrests": s.cells.arrests.copy(),
        "exiled": s.persons.status == EXILED}),
    "membership": (["repression.enabled=false"], {}, lambda s: {
        "nonparty": s.persons.status == NONPARTY,
                                      **_macro("purge_pressure")(s)}),
    "hierarchy": (["leadership.stance_cut=0.0"], {}, lambda s: {
        "vote": s.cells.vote.copy(), **_macro("cc_holder", "left_top")(s)}),
    "power": ([], {}, _macro("pi", "beta")),
    "outcome": (["outcome.consolidation_beta=0"], {},
                _macro("outcome", "outcome_week", "beta_high_weeks")),
}  # fmt: skip


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


@pytest.mark.parametrize("switch", sorted(SWITCHES))
def test_switching_a_submodel_off_leaves_its_variables_untouched(switch: str) -> None:
    """Weeks 10 to 40 of `tiny` with one submodel switched off: the variables it alone writes
    keep their week-10 values. The same weeks with it on change at least one of them, so the
    comparison can fail. `active_stable` compares only persons whose status and organisation
    did not change (S9 deactivates those it expels). S4 is not here: switched off it sets
    y = x (`test_s4_switched_off_nobody_falsifies`); its oppression is."""
    overrides, keys, extract = SWITCHES[switch]
    flag = "events=false" if switch == "events" else f"{switch}.enabled=false"
    on = scenario(*overrides, **keys)
    off = scenario(*overrides, flag, **keys)
    base = prepared_state(on, seed=3, weeks=10)
    before = extract(base)
    changed = {}
    for name, sc in (("off", off), ("on", on)):
        state = copy.deepcopy(base)
        advance(state, sc, 30)
        after = extract(state)
        stable = (state.persons.status == base.persons.status) & (
            state.persons.org == base.persons.org
        )
        diff = set()
        for k, v in before.items():
            w = after[k]
            if k.endswith("_stable"):
                v, w = v[stable], w[stable]
            if not _equal(v, w):
                diff.add(k)
        changed[name] = diff
    assert not changed["off"], f"switched off, {switch} still changed {changed['off']}"
    assert changed["on"], f"switched on, {switch} changed none of its variables: vacuous test"


# --- S14 observe --------------------------------------------------------------------------


def test_observe_counts_cadres_by_status(tiny: Scenario) -> None:
    """The per-organisation counts of the row: cadres in the party, expelled, exiled, each
    counting only cadres (not other persons) of that status."""
    status = np.array([MEMBER, MEMBER, EXPELLED, EXILED, EXILED, MEMBER, EXPELLED], np.int8)
    org = np.array([0, 0, 0, 0, 0, NO_ORG, NO_ORG], np.int8)
    exile_left = np.where(status == EXILED, 9, 0)
    state = build_state([7], status=status, org=org, orgs=[{}], exile_left=exile_left)
    state.orgs.names[:] = ["Left Opposition"]
    row = observe(state, tiny)
    assert row["left_opposition_in_party"] == 2
    assert row["left_opposition_expelled"] == 1
    assert row["left_opposition_exiled"] == 2
