"""The entities of the twin, one Python object each: persons (Mesa agents), cells, organisations.

ODD "Entities, state variables and scales". Every variable has the meaning it has
in `thermidor.model.state`; categories are written as words ("member", "worker", "factory").
"""

from __future__ import annotations

import mesa

from thermidor.scenario.schema import Strategy

# status of a person (Q6 "dry guillotine"; Rafael on the capitulators)
MEMBER, NONPARTY, EXPELLED, EXILED, CAPITULATED = (
    "member",
    "nonparty",
    "expelled",
    "exiled",
    "capitulated",
)
IN_PARTY = (MEMBER, CAPITULATED)  # a capitulator is back in the party
# who holds a post in the hierarchy (S11), as in the time series' `cc_holder`
LEFT, CENTRE, RIGHT = "Left", "Centre", "Right"


class Person(mesa.Agent):
    """A party member or candidate, a functionary, a non-party worker or an opposition cadre.

    stratum     "worker", "peasant", "employee" or "functionary"
    status      "member", "nonparty", "expelled", "exiled" or "capitulated"
    cell        the home `Cell` (non-party workers: their factory's cell)
    org         the `Organisation` of an opposition cadre, else None
    x, y        private and public stance in [-1, 1]
    c, c0       confidence in the centrist leadership, and at the start
    h0, h, r    drawn hardship, hardship, risk aversion
    d           degeneration
    u           opinion uncertainty (Deffuant)
    tau         Kuran expression threshold
    active      takes part in the struggle in the cell (Epstein)
    exile_left  weeks of exile left
    heard       the `Organisation` whose cadre this person heard this week, else None
    x0          private stance at the start (Q5)
    cohort      a worker member, not a cadre, with confidence >= the Q5 cut at the start
    anchor      the stance of his material position (S6, Friedkin-Johnsen; S8 moves it)
    lam         susceptibility: the weight of what he hears against his anchor (S6)
    index       his index in the engine's arrays (the counter of his random streams)
    """

    def __init__(self, model: mesa.Model, **state) -> None:
        super().__init__(model)
        self.stratum: str = state["stratum"]
        self.status: str = state["status"]
        self.cell: Cell = state["cell"]
        self.org: Organisation | None = state["org"]
        self.x: float = state["x"]
        self.y: float = state["y"]
        self.c: float = state["c"]
        self.c0: float = state["c0"]
        self.h0: float = state["h0"]
        self.h: float = state["h"]
        self.r: float = state["r"]
        self.d: float = state["d"]
        self.u: float = state["u"]
        self.tau: float = state["tau"]
        self.active: bool = state["active"]
        self.exile_left: int = state["exile_left"]
        self.heard: Organisation | None = None
        self.x0: float = state["x0"]
        self.cohort: bool = state["cohort"]
        self.anchor: float = state["anchor"]
        self.lam: float = state["lam"]
        self.index: int = state["index"]
        self.x_said: float = self.x  # what a cadre says this week (S6)

    @property
    def in_party(self) -> bool:
        """A member, or a capitulator back in the party."""
        return self.status in IN_PARTY

    @property
    def present(self) -> bool:
        """In the cell this week: everyone but the exiled."""
        return self.status != EXILED

    @property
    def enforcer(self) -> bool:
        """One of the apparatus' enforcers: a functionary in the party."""
        return self.stratum == "functionary" and self.status in IN_PARTY


class Cell:
    """A nucleus: its persons (members, functionaries, non-party workers, in that order) and the
    variables of `thermidor.model.state.Cells`."""

    def __init__(self, index: int, kind: str, region: int, appointed: bool) -> None:
        self.index = index
        self.kind = kind  # "factory", "rural", "institution" or "army_school"
        self.region = region
        self.appointed = appointed  # the secretary is appointed from above
        self.persons: list[Person] = []
        self.secretary: Person | None = None
        self.arrests = 0  # expulsions of actives in the cell last week (S9, read by S7)
        self.vote = CENTRE  # the cell's delegate at the last election (S11)
        self.oppression = 0.0  # the apparatus' oppression in the cell (S4)

    def party(self) -> list[Person]:
        """The persons of the cell in the party."""
        return [p for p in self.persons if p.status in IN_PARTY]

    def enforcers(self) -> int:
        """E_j: the functionaries in the party."""
        return sum(p.enforcer for p in self.persons)


class Organisation:
    """An opposition group: programme, strategy, credibility and its bloc (Q7)."""

    def __init__(
        self, index: int, name: str, programme: float, strategy: str, rule: Strategy, **more
    ) -> None:
        self.index = index
        self.name = name
        self.programme = programme
        self.strategy = strategy  # reported, never read by a mechanism
        self.rule = rule  # what its cadres do: the strategy's numbers
        self.credibility: float = more["credibility"]
        self.works: float = more["works"]  # 1 while the cadres work, 0 for a passive group
        self.partner: Organisation | None = None
        self.bloc_distance = 0.0
        self.bloc_alive = False
        self.bloc_split_week = -1
