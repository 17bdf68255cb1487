"""The state of the model: persons as arrays contiguous by cell, cells as arrays, the macro state.

Persons of cell `j` are `start[j]:start[j + 1]` (structure of arrays), so every cell aggregate is
a segment reduction. Submodels read and write these arrays and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

# status of a person (letter Q6 "dry guillotine", Rafael on the capitulators)
MEMBER, NONPARTY, EXPELLED, EXILED, CAPITULATED = 0, 1, 2, 3, 4
STATUSES = ("member", "nonparty", "expelled", "exiled", "capitulated")
# stratum (Q1 "the social composition of the party and its apparatus")
WORKER, PEASANT, EMPLOYEE, FUNCTIONARY = 0, 1, 2, 3
STRATA = ("worker", "peasant", "employee", "functionary")
# cell kinds
FACTORY, RURAL, INSTITUTION, ARMY_SCHOOL = 0, 1, 2, 3
KINDS = ("factory", "rural", "institution", "army_school")
# who holds a post in the hierarchy (S11) and the Central Committee
RIGHT, CENTRE, LEFT = -1, 0, 1
HOLDERS = {RIGHT: "Right", CENTRE: "Centre", LEFT: "Left"}
# the outcome (S13)
OPEN, THERMIDOR, REFORM, CONSOLIDATION = 0, 1, 2, 3
OUTCOMES = ("duality open", "Thermidor", "reform", "bureaucratic consolidation")
# campaigns (S1, S3)
CAMPAIGNS = ("against_right", "against_left", "self_criticism")
# the pressures on the Centre's line (S3)
DRIVERS = ("mass", "threat", "drift", "right", "left")
NO_ORG = -1


class Persons(NamedTuple):
    """One entry per person; index order is cell order. A named tuple, so compiled kernels
    take it whole and read `p.x`, `p.status`, ... as the equations do."""

    cell: np.ndarray  # int32, non-decreasing
    stratum: np.ndarray  # int8
    status: np.ndarray  # int8
    org: np.ndarray  # int8, NO_ORG or an organisation index
    x: np.ndarray  # private stance in [-1, 1]
    y: np.ndarray  # public stance in [-1, 1]
    c: np.ndarray  # confidence in the centrist leadership
    c0: np.ndarray  # confidence at the start: what it relaxes to
    h0: np.ndarray  # drawn hardship before the wage term
    h: np.ndarray  # hardship
    r: np.ndarray  # risk aversion
    d: np.ndarray  # degeneration
    u: np.ndarray  # opinion uncertainty
    tau: np.ndarray  # Kuran expression threshold
    active: np.ndarray  # bool
    exile_left: np.ndarray  # int16, weeks of exile left
    heard: np.ndarray  # int8, organisation whose cadre this person heard this week, or NO_ORG
    x0: np.ndarray  # private stance at the start (Q5)
    cohort: np.ndarray  # bool: a worker member, not a cadre, with c >= the Q5 cut at the start
    anchor: np.ndarray  # the stance of his material position (S6, Friedkin-Johnsen); S8 moves it
    lam: np.ndarray  # susceptibility: the weight of what he hears against his anchor (S6)


class Cells(NamedTuple):
    """One entry per cell (nucleus), ordered by region then kind; persons of cell j are
    `start[j]:start[j + 1]`."""

    start: np.ndarray  # int64, size n_cells + 1
    kind: np.ndarray  # int8
    region: np.ndarray  # int16
    appointed: np.ndarray  # bool: the secretary is appointed from above
    secretary: np.ndarray  # int64, the secretary's person index
    arrests: np.ndarray  # int32, expulsions of actives in the cell last week
    vote: np.ndarray  # int8, the cell's delegate (RIGHT, CENTRE, LEFT) at the last election
    oppression: np.ndarray  # float64, the apparatus' oppression in the cell (S4)


@dataclass
class Macro:
    """The country: classes, the leadership, power and the outcome so far."""

    week: int = 0
    K: float = 0.2  # the proprietors' economic weight
    grain: float = 1.0  # procurement against need
    shock: float = 0.0  # the part of the grain shortfall from shocks
    wage: float = 1.0  # workers' real wage
    line: float = 0.0  # the Centre's line
    line_start: float = 0.0  # the line when the week began
    regime: float = 0.3  # repression
    regime_start: float = 0.3
    clash: bool = False  # a campaign started or repression jumped this week (Q7)
    campaigns: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(CAMPAIGNS, False))
    drivers: dict[str, float] = field(default_factory=lambda: dict.fromkeys(DRIVERS, 0.0))
    velocity: float = 0.0  # the line's weekly move, with inertia (S3)
    turn_memory: float = 0.0  # memory of the line's leftward moves (S9 capitulation)
    pi: float = 0.5
    beta: float = 0.5
    cc_holder: int = CENTRE
    left_top: float = 0.0  # Left share among the delegates of the level below the CC
    recruitment: float = 0.0
    recruitment_weeks: int = 0
    purge_rate: float = 0.0
    purge_weeks: int = 0
    purge_pressure: float = 0.0  # the apparatus' accumulated purge pressure (S10)
    arrested: int = 0  # this week's acts, in model persons: arrests (S9)
    exiled_new: int = 0  # arrested cadres sent into exile (S9)
    capitulated_new: int = 0  # cadres who capitulated (S9)
    expelled_s9: int = 0  # members arrested, so out of the party (S9)
    purged: int = 0  # members expelled by the purge (S10)
    joined: int = 0  # persons who joined an opposition organisation (S10)
    outcome: int = OPEN
    outcome_week: int = -1
    beta_high_weeks: int = 0
    kernel0: float = float("nan")  # the kernel of the first week: S12's reference (unset: nan)
    beta_star: float = float("nan")  # beta's passive equilibrium at this week's activity (S12):
    # set by S12 every week; unset (nan) in the week-0 row, before S12 has run
    beta_star0: float = float("nan")  # the same at the first week: S13's consolidation reference


@dataclass
class Organisations:
    """Opposition organisations: names, strategy numbers (one row each), credibility, blocs."""

    names: list[str]
    programme: np.ndarray  # float64
    behaviour: np.ndarray  # float64 [n_orgs, 6], columns as BEHAVIOUR
    strategy: list[str]  # the strategy each follows (reported, never read by a mechanism)
    credibility: np.ndarray  # float64
    works: np.ndarray  # float64, 1 while the cadres work, 0 for a passive organisation
    bloc_partner: np.ndarray  # int8, NO_ORG or the partner's index
    bloc_distance: np.ndarray  # float64, programme distance left after delimitation
    bloc_alive: np.ndarray  # bool
    bloc_split_week: np.ndarray  # int32, -1 while alive or never united


BEHAVIOUR = (
    "effort_party",
    "letters",
    "backs_left_steps",
    "says_party_dead",
    "says_october_liquidated",
    "refutes_second_party",
)


@dataclass
class State:
    persons: Persons
    cells: Cells
    macro: Macro
    orgs: Organisations
    # int64: the person indices of the functionaries, in person order. A person's stratum is
    # drawn at initialisation and never changes (tests/test_invariants.py), so neither does this.
    apparatus: np.ndarray
    rng: np.random.Generator  # draws the initial state
    key: np.uint64 = np.uint64(0)  # the weekly draws' streams (model/streams.py)

    @property
    def n_persons(self) -> int:
        return self.persons.cell.size

    @property
    def n_cells(self) -> int:
        return self.cells.kind.size
