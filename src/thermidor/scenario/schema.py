"""The scenario schema: every key a scenario may hold, its range and its default.

Scenarios are data, not code (docs/design.md). Unknown keys are refused, every number is
range-checked, every probability lies in [0, 1]. `docs/ODD.md` lists every key of this schema
with its unit and source; `tests/test_odd.py` fails when one is missing there.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Prob = Annotated[float, Field(ge=0.0, le=1.0)]
Stance = Annotated[float, Field(ge=-1.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0, le=10.0)]
CELL_KINDS = ("factory", "rural", "institution", "army_school")
STRATA = ("worker", "peasant", "employee", "functionary")
Stratum = Literal["worker", "peasant", "employee", "functionary"]
CellKind = Literal["factory", "rural", "institution", "army_school"]


class Strict(BaseModel):
    """The base of every table of a scenario: unknown keys refused, types strict.

    Strict types hold for every field, those added later included: a bool is not a number
    (`enabled = 0`, `pi0 = true` are refused), a string is not a number nor a date
    (`weeks = "10"`), a number is not a string (quote it: `name = "1929"`), and a float is
    not an integer (`weeks = 10.0`); an integer is a valid float. NaN and infinities are refused.
    """

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False
    )


class Submodel(Strict):
    enabled: bool = True


# --- population -----------------------------------------------------------------------------


class CellKindSpec(Strict):
    members: int = Field(ge=0, le=10_000_000, description="party members in cells of this kind")
    stratum: Stratum
    mean_size: float = Field(ge=1.0, le=5000.0, description="mean members per cell")
    nonparty_per_member: float = Field(0.0, ge=0.0, le=50.0)


class StratumSpec(Strict):
    x_mean: Stance
    x_sd: float = Field(ge=0.0, le=2.0)
    c_mean: Prob
    d_mean: Prob
    hardship: float = Field(1.0, ge=0.0, le=2.0, description="multiplier of the drawn hardship")
    u: float = Field(ge=0.01, le=2.0, description="opinion uncertainty (openness)")
    u_spread: float = Field(0.0, ge=0.0, le=1.0, description="u is drawn on u +- u_spread")
    susceptibility: Prob = Field(
        1.0, description="Friedkin-Johnsen lambda: weight of what is heard against the anchor"
    )
    susceptibility_spread: Prob = Field(0.0, description="lambda is drawn on its mean +- spread")
    privilege: Prob
    tau_max: Prob = Field(description="upper end of the Kuran expression thresholds")


class Population(Strict):
    cells: dict[CellKind, CellKindSpec]
    functionaries: int = Field(ge=0, le=1_000_000, description="full-time party apparatus")
    regions: int = Field(8, ge=1, le=1000)
    strata: dict[Stratum, StratumSpec]
    nonparty: StratumSpec = Field(description="non-party workers around the factory cells")
    appointed_secretaries: Prob = 0.5

    @model_validator(mode="after")
    def _complete(self) -> Population:
        missing = [k for k in STRATA if k not in self.strata]
        if missing:
            raise ValueError(f"strata must define {', '.join(missing)}")
        if not self.cells:
            raise ValueError("at least one cell kind is needed")
        if not any(c.members > 0 for c in self.cells.values()):
            raise ValueError("the party needs members: at least one cell kind with members > 0")
        return self


# --- organisations, strategies, blocs -----------------------------------------------------


class Strategy(Strict):
    """What an organisation's cadres do. Mechanisms see only these numbers, never a name."""

    effort_party: Prob = Field(description="share of cadre effort spent on party members")
    letters: Prob = Field(description="weight of an exiled cadre's letters to his home cell")
    backs_left_steps: Prob = Field(description="backs every real left step of the Centre")
    says_party_dead: Prob = Field(description="tells the kernel the party is a corpse")
    says_october_liquidated: Prob = Field(description="tells workers October is liquidated")
    refutes_second_party: Prob = Field(description="refutes the 'second party' calumny")


class Organisation(Strict):
    name: str = Field(min_length=1, max_length=40)
    cadres: int = Field(ge=0, le=1_000_000)
    strategy: str = Field(min_length=1)
    programme: Stance = Field(description="the organisation's programme on the x axis")
    exiled_share: Prob = Field(description="share of cadres in exile at the start")
    credibility: Prob = Field(0.5, description="initial credibility among workers")
    cell_kinds: list[CellKind] = Field(default_factory=lambda: ["factory", "institution"])
    active: bool = Field(True, description="false: the cadres do no work (the baseline)")


class Bloc(Strict):
    organisations: list[str] = Field(min_length=2, max_length=2)
    date: dt.date
    delimitation: Prob = Field(description="share of programme distance settled before uniting")


# --- submodel parameters ------------------------------------------------------------------


class Classes(Submodel):
    """S2."""

    K0: Prob = 0.2
    grain0: float = Field(1.0, ge=0.0, le=2.0, description="procurement against need at start")
    growth: Rate = 0.003
    squeeze: Rate = 0.02
    strike: Rate = 1.5
    shock_decay: Prob = 0.05
    wage_follow: Prob = 0.05
    wage0: float = Field(1.0, ge=0.0, le=2.0)
    hardship_wage: Rate = 0.6


class Leadership(Submodel):
    """S3."""

    line0: Stance = -0.1
    respond: bool = Field(True, description="false: the line moves only by the timeline")
    mass_weight: Rate = 3.0
    threat_weight: Rate = 1.0
    drift_weight: Rate = 1.0
    right_weight: Rate = 0.5
    left_weight: Rate = 1.0
    response: float = Field(0.01, ge=0.0, le=1.0, description="line's weekly move per pressure")
    agility: Prob = Field(0.1, description="share of the velocity renewed each week (inertia)")
    campaign_boost: float = Field(3.0, ge=1.0, le=20.0)
    campaign_on: float = Field(0.15, ge=0.0, le=2.0)
    campaign_off: float = Field(0.03, ge=0.0, le=2.0)
    regime0: Prob = 0.3
    regime_threat: Rate = 2.0
    regime_campaign: Prob = 0.2
    regime_relax: Prob = 0.05
    stance_cut: Prob = Field(0.2, description="a stance is Left above +stance_cut, Right below -")


class Expression(Submodel):
    """S4."""

    dissent_margin: Prob = 0.2
    oppression_enforcers: Rate = 4.0
    oppression_appointed: Prob = 0.15
    self_criticism_relief: Prob = 0.5
    rounds: int = Field(3, ge=1, le=1000)


class Activation(Submodel):
    """S5."""

    k: float = Field(2.3, ge=0.0, le=20.0)
    threshold: Prob = 0.1
    rounding: Literal["floor", "continuous", "round"] = "continuous"
    mobilisation: Prob = Field(0.3, description="pull of a campaign on those who trust the Centre")


class Influence(Submodel):
    """S6."""

    rule: Literal["relative_agreement", "bounded_confidence"] = "relative_agreement"
    mu: Annotated[float, Field(ge=0.0, le=0.5)] = 0.1
    cadre_contacts: float = Field(
        10.0, ge=0.0, le=100.0, description="a cadre's contacts a week with his cell's audience"
    )
    cadre_u: float = Field(0.1, ge=0.01, le=2.0)


class Confidence(Submodel):
    """S7."""

    step_gain: Rate = 0.5
    repression_loss: Rate = 2.0
    exposure_loss: Prob = 0.05
    relax: Prob = 0.01
    credibility_step: Rate = Field(
        2.0, description="log-odds of credibility per unit of line step, all listeners agreeing"
    )
    credibility_dead: Prob = Field(0.02, description="log-odds a week, 'the party is dead'")
    credibility_liquidated: Prob = Field(0.02, description="log-odds a week, 'October is over'")
    calumny: Prob = Field(0.01, description="log-odds a week per unit of regime, the calumny")
    credibility_memory: Prob = Field(
        0.005, description="share of the log-odds of credibility forgotten each week"
    )


class KindWeights(Strict):
    """The proprietor's pull on a cell of each kind (S8)."""

    factory: Prob = 0.1
    rural: Prob = 0.4
    institution: Prob = 0.8
    army_school: Prob = 0.2


class Degeneration(Submodel):
    """S8."""

    privilege_rate: Prob = 0.001
    exposure: KindWeights = KindWeights()
    exposure_rate: Prob = 0.002
    oppression_rate: Prob = 0.001
    control_rate: Prob = 0.05
    stance_drift: Prob = 0.002


class Repression(Submodel):
    """S9."""

    arrest_rate: float = Field(
        1.5,
        ge=0.0,
        le=1000.0,
        description="weekly arrest hazard per visibility per enforcer "
        "per member of the region, at regime 1",
    )
    visible_speech: Rate = 0.05
    visible_active: Rate = 0.2
    visible_party: Rate = 1.0
    visible_outside: Rate = 0.3
    campaign_focus: float = Field(2.0, ge=1.0, le=20.0)
    exile_share: Prob = 0.9
    exile_weeks_min: int = Field(52, ge=1, le=1040)
    exile_weeks_max: int = Field(156, ge=1, le=1040)
    capitulation_base: Prob = 0.0005
    capitulation_isolation: Prob = 0.002
    capitulation_repression: Prob = 0.005
    capitulation_left_turn: Rate = 0.05
    turn_forget: Prob = Field(0.05, description="weekly decay of the memory of left turns")

    @model_validator(mode="after")
    def _order(self) -> Repression:
        if self.exile_weeks_max < self.exile_weeks_min:
            raise ValueError("exile_weeks_max must be at least exile_weeks_min")
        return self


class BlocRules(Submodel):
    """Q7."""

    split_rate: Rate = 3.0
    clash_regime: Prob = Field(0.05, description="a rise of the regime in a week that is a clash")


class Membership(Submodel):
    """S10."""

    attrition: Prob = 0.0004
    purge_weight_d: Rate = 1.0
    purge_weight_dissent: Rate = 2.0
    purge_weight_alien: Rate = 0.5
    decides_purge: bool = Field(True, description="false: only the timeline's purges")
    purge_dissent: Rate = 2.0
    purge_degeneration: Rate = 1.0
    purge_on: float = Field(0.25, ge=0.0, le=5.0)
    purge_patience: float = Field(6.0, ge=0.0, le=100.0)
    purge_size: Rate = 0.22
    purge_max: Prob = 0.25
    purge_weeks: int = Field(52, ge=1, le=520)
    org_recruit: Prob = 0.01


class Hierarchy(Submodel):
    """S11."""

    group_size: int = Field(4, ge=2, le=50)
    appointed: float = Field(
        0.3, ge=0.0, le=0.95,
        description="weight of appointment: a challenger needs more than (1 + appointed)/2",
    )  # fmt: skip
    levels: int = Field(3, ge=0, le=10, description="levels between the cells and the CC")
    cc_members: int = Field(71, ge=1, le=1000, description="seats of the Central Committee")
    every: int = Field(4, ge=1, le=520, description="weeks between elections")


class Power(Submodel):
    """S12."""

    pi0: Prob = 0.5
    beta0: Prob = 0.5
    bistability: Rate = 0.02
    pi_unstable: Prob = 0.5
    kernel_weight: Rate = 0.05
    kernel_reference: Rate = Field(
        1.0, description="the kernel that neither gains nor loses power, x the first week's"
    )
    cc_weight: Rate = 0.005
    degeneration_weight: Rate = 0.01
    beta_growth: Rate = 0.01
    beta_decay: Rate = 0.02


class Outcome(Submodel):
    """S13."""

    thermidor_pi: Prob = 0.25
    thermidor_hazard: Prob = 0.01
    right_weight: Rate = 2.0
    reform_pi: Prob = 0.75
    reform_d: Prob = 0.3
    consolidation_margin: Prob = Field(
        0.05, description="consolidation: beta this far above its passive equilibrium of 1928"
    )
    consolidation_beta: Prob | None = Field(
        None, description="an absolute level of beta replacing the equilibrium + margin"
    )
    consolidation_weeks: int = Field(52, ge=1, le=2080)


class Observe(Strict):
    """S14 and the Q1 classes of cells."""

    snapshot_every: int = Field(13, ge=1, le=520)
    degenerated_d: Prob = 0.5
    healthy_d: Prob = 0.25
    healthy_active: Prob = 0.05
    confident: Prob = 0.25
    moved_left: Prob = Field(0.1, description="Q5: a move of x this large counts as moving left")


# --- events -------------------------------------------------------------------------------


class EventBase(Strict):
    date: dt.date
    note: str = ""


class LineShift(EventBase):
    kind: Literal["line_shift"]
    delta: Annotated[float, Field(ge=-2.0, le=2.0)]


class Campaign(EventBase):
    kind: Literal["campaign"]
    campaign: Literal["against_right", "against_left", "self_criticism"]
    on: bool = True


class Recruitment(EventBase):
    kind: Literal["recruitment"]
    rate: Prob = Field(description="weekly probability a non-party worker is recruited")
    weeks: int = Field(ge=1, le=2080)


class Purge(EventBase):
    kind: Literal["purge"]
    share: Prob
    weeks: int = Field(ge=1, le=2080)


class GrainShock(EventBase):
    kind: Literal["grain_shock"]
    delta: Annotated[float, Field(ge=-1.0, le=1.0)]


class RegimeShift(EventBase):
    kind: Literal["regime"]
    delta: Annotated[float, Field(ge=-1.0, le=1.0)]


class StrategyChange(EventBase):
    kind: Literal["strategy"]
    organisation: str
    strategy: str


Event = Annotated[
    LineShift | Campaign | Recruitment | Purge | GrainShock | RegimeShift | StrategyChange,
    Field(discriminator="kind"),
]


# --- the scenario -------------------------------------------------------------------------


class Scenario(Strict):
    name: str = Field(min_length=1, max_length=80, description="a label; not a path")
    description: str = ""
    start: dt.date
    weeks: int = Field(ge=1, le=5200)
    scale: float = Field(gt=0.0, le=1.0)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    population: Population
    strategies: dict[str, Strategy]
    organisations: list[Organisation] = Field(default_factory=list, max_length=20)
    blocs: list[Bloc] = Field(default_factory=list)
    classes: Classes = Classes()
    leadership: Leadership = Leadership()
    expression: Expression = Expression()
    activation: Activation = Activation()
    influence: Influence = Influence()
    confidence: Confidence = Confidence()
    degeneration: Degeneration = Degeneration()
    repression: Repression = Repression()
    membership: Membership = Membership()
    bloc_rules: BlocRules = BlocRules()
    hierarchy: Hierarchy = Hierarchy()
    power: Power = Power()
    outcome: Outcome = Outcome()
    observe: Observe = Observe()
    events: bool = Field(True, description="S1: apply the timeline")
    timeline: list[Event] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _label(cls, name: str) -> str:
        if any(not ch.isprintable() for ch in name):
            raise ValueError("a name is a printable label: no control characters, no NUL")
        if name.strip() != name or not name.strip():
            raise ValueError("a name may not start or end with blanks")
        return name

    def out_of_range(self) -> tuple[list[int], list[int]]:
        """The indexes of the timeline's events dated before the start (S1 applies them in the
        first week) and after the horizon (never applied); the command line warns of both."""
        end = self.start + dt.timedelta(weeks=self.weeks)
        early = [i for i, e in enumerate(self.timeline) if e.date < self.start]
        late = [i for i, e in enumerate(self.timeline) if e.date >= end]
        return early, late

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        names = [o.name for o in self.organisations]
        if len(set(names)) != len(names):
            raise ValueError("organisation names must be unique")
        strategies = ", ".join(sorted(self.strategies))
        for i, o in enumerate(self.organisations):
            if o.strategy not in self.strategies:
                raise ValueError(
                    f"organisations.{i}.strategy: {o.strategy!r} (of {o.name!r}) is not a "
                    f"strategy of the scenario (allowed: {strategies})"
                )
        for i, e in enumerate(self.timeline):
            if isinstance(e, StrategyChange):
                if e.organisation not in names:
                    raise ValueError(
                        f"timeline.{i}.organisation: unknown {e.organisation!r} (allowed: "
                        f"{', '.join(names)})"
                    )
                if e.strategy not in self.strategies:
                    raise ValueError(
                        f"timeline.{i}.strategy: unknown {e.strategy!r} (allowed: {strategies})"
                    )
        for i, b in enumerate(self.blocs):
            for n in b.organisations:
                if n not in names:
                    raise ValueError(
                        f"blocs.{i}.organisations: unknown {n!r} (allowed: {', '.join(names)})"
                    )
        return self
