"""The initial population, counted by hand from the scenario's numbers (ODD "Initialization").

The Mesa twin builds its agents from the engine's own `initial_state`, so the lockstep cannot see
a bug there: these tests count persons by stratum, status and cell kind against the numbers the
ODD's rule gives (real count x scale, rounded, at least one if present; cells of the real mean
size; each cell: its members, then its functionaries, then its non-party workers). Every number
the rule reads is set here, so a recalibration of the built-in scenarios changes none of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from thermidor.model.init import initial_state
from thermidor.model.state import (
    ARMY_SCHOOL,
    EMPLOYEE,
    EXILED,
    FACTORY,
    FUNCTIONARY,
    INSTITUTION,
    MEMBER,
    NO_ORG,
    NONPARTY,
    PEASANT,
    RURAL,
    WORKER,
)
from thermidor.scenario import load_scenario

POPULATION = (
    "population.cells.factory.members=40000",
    "population.cells.factory.mean_size=40",
    "population.cells.factory.nonparty_per_member=2.0",
    "population.cells.factory.stratum=worker",
    "population.cells.rural.members=9000",
    "population.cells.rural.mean_size=7",
    "population.cells.rural.nonparty_per_member=0",
    "population.cells.rural.stratum=peasant",
    "population.cells.institution.members=25000",
    "population.cells.institution.mean_size=25",
    "population.cells.institution.nonparty_per_member=0",
    "population.cells.institution.stratum=employee",
    "population.cells.army_school.members=6000",
    "population.cells.army_school.mean_size=30",
    "population.cells.army_school.nonparty_per_member=0.6",
    "population.cells.army_school.stratum=employee",
    "population.functionaries=3000",
    "population.regions=8",
    "population.appointed_secretaries=0.5",
    "organisations.0.cadres=5500",
    "organisations.0.exiled_share=0.3",
    "organisations.0.programme=0.8",
    "organisations.1.cadres=600",
    "organisations.1.exiled_share=0.3",
    "organisations.1.programme=0.95",
    "repression.exile_weeks_min=52",
    "repression.exile_weeks_max=156",
)


def _state(scale: float, seed: int = 3):
    sc = load_scenario("tiny", list(POPULATION), scale=scale)
    return sc, initial_state(sc, seed)


@pytest.mark.parametrize(
    ("scale", "cells", "members", "functionaries", "nonparty", "cadres"),
    [
        # scale 0.01: members 400, 90, 250, 60 (x scale); cells round(400 / 40) = 10,
        # round(90 / 7 = 12.86) = 13, round(250 / 25) = 10, round(60 / 30) = 2; functionaries
        # 30; non-party: rint(2.0 size) in factory cells: 2 * 400 = 800, and rint(0.6 size) in
        # each army school, summed below from the two cells' sizes; cadres round(55) = 55 and
        # round(6) = 6
        (0.01, (10, 13, 10, 2), (400, 90, 250, 60), 30, 800, (55, 6)),
        # scale 0.001: members 40, 9, 25, 6; cells round(1) = 1, round(1.29) = 1, 1, and
        # round(0.2) = 0 -> at least 1; functionaries 3; non-party 80 and rint(3.6) = 4; cadres
        # round(5.5) = 6 (half to even) and round(0.6) = 1
        (0.001, (1, 1, 1, 1), (40, 9, 25, 6), 3, 80, (6, 1)),
        # scale 0.0001: members round(4) = 4, round(0.9) = 1, round(2.5) = 2 (half to even),
        # round(0.6) = 1; one cell each; functionaries round(0.3) = 0 -> present: 1; non-party
        # 8 and rint(0.6) = 1; cadres
        # round(0.55) = 1 and round(0.06) = 0 -> present: 1
        (0.0001, (1, 1, 1, 1), (4, 1, 2, 1), 1, 8, (1, 1)),
    ],
)
def test_counts_per_kind_and_stratum_by_hand(
    scale: float,
    cells: tuple[int, ...],
    members: tuple[int, ...],
    functionaries: int,
    nonparty: int,
    cadres: tuple[int, int],
) -> None:
    sc, state = _state(scale)
    ps, cs = state.persons, state.cells
    kinds = (FACTORY, RURAL, INSTITUTION, ARMY_SCHOOL)
    assert tuple(int((cs.kind == k).sum()) for k in kinds) == cells
    kind_of = cs.kind[ps.cell]
    in_party = (ps.status == MEMBER) | (ps.status == EXILED)  # at the start: no one expelled
    rank = ps.stratum != FUNCTIONARY
    for k, stratum, n in zip(kinds, (WORKER, PEASANT, EMPLOYEE, EMPLOYEE), members, strict=True):
        mine = in_party & rank & (kind_of == k)
        assert int(mine.sum()) == n, k
        assert (ps.stratum[mine] == stratum).all(), k
    assert int((ps.stratum == FUNCTIONARY).sum()) == functionaries
    assert (ps.status[ps.stratum == FUNCTIONARY] == MEMBER).all()
    # non-party workers: 2.0 per factory member, 0.6 per army-school member, rounded per cell
    army = np.flatnonzero(cs.kind == ARMY_SCHOOL)
    size = [int((in_party & rank & (ps.cell == j)).sum()) for j in army]
    expected = nonparty + sum(round(0.6 * s) for s in size)  # numpy's rint: half to even too
    assert int((ps.status == NONPARTY).sum()) == expected
    assert (ps.stratum[ps.status == NONPARTY] == WORKER).all()
    for o, n in enumerate(cadres):
        assert int((ps.org == o).sum()) == n, o
    assert state.n_persons == sum(members) + functionaries + expected


def test_each_cell_holds_its_members_then_its_functionaries_then_the_rest() -> None:
    """In every cell, in index order: the members of the kind's stratum, the functionaries
    (enforcers), the non-party workers; cells ordered by region, then kind; every cell has at
    least one member; an appointed secretary is the cell's first functionary, if it has one."""
    sc, state = _state(0.01)
    ps, cs = state.persons, state.cells
    assert (np.diff(ps.cell) >= 0).all()
    order = list(zip(cs.region.tolist(), cs.kind.tolist(), strict=True))
    assert order == sorted(order)
    assert int(cs.region.max()) < 8
    block = np.where(ps.status == NONPARTY, 2, np.where(ps.stratum == FUNCTIONARY, 1, 0))
    for j in range(cs.kind.size):
        a, b = cs.start[j], cs.start[j + 1]
        assert (np.diff(block[a:b]) >= 0).all(), j
        assert (block[a:b] == 0).sum() >= 1, j
        funcs = np.flatnonzero(block[a:b] == 1)
        if cs.appointed[j] and funcs.size:
            assert cs.secretary[j] == a + funcs[0]
        else:
            assert a <= cs.secretary[j] < b and block[cs.secretary[j]] == 0
    assert cs.start[0] == 0 and cs.start[-1] == state.n_persons


def test_cadres_by_hand() -> None:
    """Cadres are drawn among the members (not functionaries) of their organisation's cell kinds
    (factory and institution in `tiny`), stand at its programme with tau 0 and c 0.05; about
    exiled_share of them start in exile for a term in [52, 156] weeks; nobody else is exiled."""
    sc, state = _state(0.01)
    ps, cs = state.persons, state.cells
    for o, programme in ((0, 0.8), (1, 0.95)):
        mine = ps.org == o
        assert set(cs.kind[ps.cell[mine]].tolist()) <= {FACTORY, INSTITUTION}
        assert (ps.stratum[mine] != FUNCTIONARY).all()
        assert np.isin(ps.status[mine], [MEMBER, EXILED]).all()
        assert (ps.x[mine] == programme).all() and (ps.y[mine] == programme).all()
        assert (ps.tau[mine] == 0.0).all() and (ps.c[mine] == 0.05).all()
        assert not ps.cohort[mine].any()
    exiled = ps.status == EXILED
    assert (ps.org[exiled] != NO_ORG).all()
    assert ((ps.exile_left[exiled] >= 52) & (ps.exile_left[exiled] <= 156)).all()
    assert (ps.exile_left[~exiled] == 0).all()
    # 61 cadres, each exiled with probability 0.3: 18.3 expected, sd 3.6; within 4 sd
    assert abs(int(exiled.sum()) - 18.3) < 4 * 3.6


def test_the_macro_state_starts_at_the_scenario() -> None:
    """The classes, the line, the regime and power start at the scenario's numbers; the shock is
    the shortfall of the first harvest: max(0, 1 - 0.7) = 0.3."""
    over = [
        "classes.K0=0.25",
        "classes.grain0=0.7",
        "classes.wage0=0.9",
        "leadership.line0=-0.1",
        "leadership.regime0=0.35",
        "power.pi0=0.55",
        "power.beta0=0.45",
    ]
    sc = load_scenario("tiny", [*POPULATION, *over], scale=0.001)
    m = initial_state(sc, 1).macro
    got = (m.K, m.grain, m.wage, m.line, m.line_start, m.regime, m.regime_start, m.pi, m.beta)
    assert got == (0.25, 0.7, 0.9, -0.1, -0.1, 0.35, 0.35, 0.55, 0.45)
    assert m.shock == pytest.approx(0.3, abs=1e-12)


def test_the_q5_cohort_and_the_organisations_at_the_start() -> None:
    """The Q5 cohort: worker members, not cadres, with c >= observe.confident (0.6 here) at the
    start; never a non-party worker. An active organisation works (1), a passive one not (0);
    credibility and programme as given."""
    over = ["observe.confident=0.6", "organisations.1.active=false"]
    sc = load_scenario("tiny", [*POPULATION, *over], scale=0.01)
    state = initial_state(sc, 2)
    ps = state.persons
    rule = (ps.stratum == WORKER) & (ps.status == MEMBER) & (ps.org == NO_ORG) & (ps.c >= 0.6)
    assert rule.sum() > 0 and (ps.cohort == rule).all()
    assert not ps.cohort[ps.status == NONPARTY].any()
    orgs = state.orgs
    assert orgs.works.tolist() == [1.0, 0.0]
    assert orgs.programme.tolist() == [0.8, 0.95]
    assert orgs.credibility.tolist() == [o.credibility for o in sc.organisations]
    assert (orgs.bloc_partner == NO_ORG).all() and not orgs.bloc_alive.any()


def test_hardship_and_appointment_at_the_start() -> None:
    """h0 uniform on [0, hardship of the stratum] (workers 0.25: mean 0.125, sd 0.25 / sqrt(12)
    = 0.072, so over 400 worker members the mean is within 4 * 0.072 / 20 = 0.0144 of it); at
    the start the wage is wage0, so h = h0 (no wage term). Secretaries appointed with
    probability appointed_secretaries: 1 -> every cell, 0 -> none, 0.5 -> a share within four
    binomial sd of 0.5 (35 cells: 4 sqrt(0.25 / 35) = 0.34)."""
    over = ["population.strata.worker.hardship=0.25", "classes.hardship_wage=0.5"]
    for share, test in ((1.0, lambda a: a.all()), (0.0, lambda a: not a.any())):
        sc = load_scenario(
            "tiny", [*POPULATION, *over, f"population.appointed_secretaries={share}"], scale=0.01
        )
        assert test(initial_state(sc, 4).cells.appointed), share
    sc = load_scenario("tiny", [*POPULATION, *over], scale=0.01)
    state = initial_state(sc, 4)
    ps = state.persons
    workers = (ps.stratum == WORKER) & (ps.status != NONPARTY) & (ps.org == NO_ORG)
    h0 = ps.h0[workers]
    assert h0.size > 300 and h0.min() >= 0.0 and h0.max() <= 0.25
    assert abs(h0.mean() - 0.125) < 4 * 0.25 / 12**0.5 / h0.size**0.5
    assert (ps.h == ps.h0).all()
    appointed = state.cells.appointed
    assert abs(appointed.mean() - 0.5) < 4 * (0.25 / appointed.size) ** 0.5


def test_no_recruitment_drive_before_an_event() -> None:
    """Recruitment to the party comes in drives the timeline starts (S1, S10): at the start
    there is none, so a week of S10 on the initial state of `tiny`, with no event, makes
    nobody outside the party a member (attrition and the purge only take members out)."""
    from thermidor.model.state import NONPARTY
    from thermidor.model.submodels import membership

    sc = load_scenario("tiny", ["events=false"])
    state = initial_state(sc, 5)
    outside = state.persons.status == NONPARTY
    assert outside.sum() > 100  # enough non-party persons for a drive to show
    state.macro.week = 1
    membership.step(state, sc)
    assert (state.persons.status[outside] == NONPARTY).all()
