"""S1-S13 written plainly: one function per submodel, over the agents, in the engine's order.

Each function cites the submodel whose docstring in `thermidor.model.submodels` gives its
equations and anchors; here they are written once more, one person at a time. Where the engine
reads last week's values (the actives in S5, the public dissent S4 starts from, the arrests S7
reads) the twin reads them too; where it updates in place in index order (S5, S6, S9, S10) so
does the twin. `model` is the `ReferenceModel`; `sc` its scenario.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from thermidor.model.calendar import week_of
from thermidor.model.streams import (
    ARREST,
    ATTRITION_MARK,
    BLOC_SPLIT,
    CADRE_PICK,
    CADRE_REACH,
    CAPITULATE,
    CC_SEAT,
    EXILE,
    EXILE_TERM,
    LISTEN,
    ORG_RECRUIT,
    PURGE,
    RECRUIT,
    RECRUIT_MARK,
    marks_py,
    uniform_py,
)
from thermidor.model.streams import THERMIDOR as THERMIDOR_DRAW
from thermidor.reference.agents import (
    CAPITULATED,
    CENTRE,
    EXILED,
    EXPELLED,
    IN_PARTY,
    LEFT,
    MEMBER,
    NONPARTY,
    RIGHT,
    Person,
)
from thermidor.scenario.schema import (
    Campaign,
    GrainShock,
    LineShift,
    Purge,
    Recruitment,
    RegimeShift,
    StrategyChange,
)

if TYPE_CHECKING:
    from thermidor.reference.model import ReferenceModel


def clip(v: float, lo: float, hi: float) -> float:
    return lo if v < lo else (hi if v > hi else v)


def sign(v: float) -> float:
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


# --- aggregates several submodels read (thermidor.model.cells) --------------------------------


def kernel_left_share(model: ReferenceModel) -> float:
    """The kernel: share of worker members who are active and privately on the Left (x > cut)."""
    cut = model.sc.leadership.stance_cut
    workers = [p for p in model.persons if p.stratum == "worker" and p.in_party]
    left = [p for p in workers if p.active and p.x > cut]
    return len(left) / len(workers) if workers else 0.0


def apparatus_mean(model: ReferenceModel, attribute: str) -> float:
    """Mean of a person's attribute over the party apparatus: the functionaries in the party."""
    values = [getattr(p, attribute) for p in model.persons if p.enforcer]
    return sum(values) / len(values) if values else 0.0


# --- S1 events ----------------------------------------------------------------------------------


def s1_events(model: ReferenceModel) -> None:
    """S1: apply the events of the timeline dated in this week."""
    sc = model.sc
    for e in sc.timeline:
        if week_of(sc.start, e.date) != model.week:
            continue
        match e:
            case LineShift():
                model.line = clip(model.line + e.delta, -1.0, 1.0)
            case Campaign():
                if e.on and not model.campaigns[e.campaign]:
                    model.clash = True
                model.campaigns[e.campaign] = e.on
            case Recruitment():
                model.recruitment, model.recruitment_weeks = e.rate, e.weeks
            case Purge():
                model.purge_rate = 1.0 - (1.0 - e.share) ** (1.0 / e.weeks)
                model.purge_weeks = e.weeks
            case GrainShock():
                model.shock -= e.delta
            case RegimeShift():
                model.regime = clip(model.regime + e.delta, 0.0, 1.0)
            case StrategyChange():
                org = next(o for o in model.organisations if o.name == e.organisation)
                org.rule, org.strategy = sc.strategies[e.strategy], e.strategy


# --- S2 classes ---------------------------------------------------------------------------------


def s2_classes(model: ReferenceModel) -> None:
    """S2: the proprietor's weight K, the grain procured, the real wage, every person's hardship."""
    p = model.sc.classes
    left = max(model.line, 0.0)
    K = model.K
    model.K = clip(K + p.growth * K * (1.0 - K) - p.squeeze * left * K, 0.0, 1.0)
    model.shock *= 1.0 - p.shock_decay
    model.grain = clip(1.0 - p.strike * model.K * left - model.shock, 0.0, 2.0)
    model.wage += p.wage_follow * (model.grain - model.wage)
    extra = p.hardship_wage * max(0.0, p.wage0 - model.wage)
    for person in model.persons:
        person.h = clip(person.h0 + extra, 0.0, 1.0)


# --- S3 leadership ------------------------------------------------------------------------------


def s3_leadership(model: ReferenceModel) -> None:
    """S3: the pressures on the Centre; its line moves continuously with inertia, faster in a
    campaign (a two-threshold relay); the regime answers the visible threat."""
    p, camp, sc = model.sc.leadership, model.campaigns, model.sc
    line, margin = model.line, sc.expression.dissent_margin
    party = [q for q in model.persons if q.in_party]
    n = max(len(party), 1)
    right = sum(1 for q in party if q.x < -p.stance_cut) / n
    open_left = sum(1 for q in party if q.active and q.y - line > margin) / n
    visible = sum(1 for q in party if q.active and abs(q.y - line) > margin) / n
    mass = p.mass_weight * kernel_left_share(model)
    threat = p.threat_weight * max(0.0, 1.0 - model.grain)
    drift = p.drift_weight * (apparatus_mean(model, "x") - model.line)
    rightp = -p.right_weight * right
    leftp = p.left_weight * open_left
    model.drivers = {
        "mass": mass,
        "threat": threat,
        "drift": drift,
        "right": rightp,
        "left": leftp,
    }
    pressure = mass + threat + drift + rightp + leftp
    if p.respond:
        if camp["against_right"] and pressure < p.campaign_off:
            camp["against_right"] = False
        if camp["against_left"] and pressure > -p.campaign_off:
            camp["against_left"] = False
        if not camp["against_right"] and not camp["against_left"]:
            if pressure > p.campaign_on:
                camp["against_right"] = model.clash = True
            elif pressure < -p.campaign_on:
                camp["against_left"] = model.clash = True
        boost = p.campaign_boost if (camp["against_right"] or camp["against_left"]) else 1.0
        model.velocity = (1.0 - p.agility) * model.velocity + (
            p.agility * p.response * boost * pressure
        )
        model.line = clip(model.line + model.velocity, -1.0, 1.0)
    running = camp["against_right"] or camp["against_left"]
    target = p.regime0 + p.regime_threat * visible + (p.regime_campaign if running else 0.0)
    model.regime = clip(model.regime + p.regime_relax * (target - model.regime), 0.0, 1.0)


# --- Q7 blocs -----------------------------------------------------------------------------------


def q7_blocs(model: ReferenceModel) -> None:
    """Q7: blocs unite at their date (if neither partner is in a bloc); at a clash each may split;
    united, the partners' credibility is pooled."""
    p, sc = model.sc.bloc_rules, model.sc
    by_name = {o.name: o for o in model.organisations}
    for bloc in sc.blocs:
        a, b = (by_name[n] for n in bloc.organisations)
        free = a.partner is None and b.partner is None
        if week_of(sc.start, bloc.date) == model.week and free:
            a.partner, b.partner = b, a
            distance = abs(a.programme - b.programme) * (1 - bloc.delimitation)
            a.bloc_distance = b.bloc_distance = distance
            a.bloc_alive = b.bloc_alive = True
    clash = model.clash or (model.regime - model.regime_start) >= p.clash_regime
    for a in model.organisations:
        b = a.partner
        if b is None or b.index < a.index or not a.bloc_alive:
            continue  # each bloc once, from its first organisation
        split = 1.0 - math.exp(-p.split_rate * a.bloc_distance)
        if clash and uniform_py(model.key, model.week, BLOC_SPLIT, a.index) < split:
            a.bloc_alive = b.bloc_alive = False
            a.bloc_split_week = b.bloc_split_week = model.week
        else:
            a.credibility = b.credibility = (a.credibility + b.credibility) / 2


# --- S4 expression ------------------------------------------------------------------------------


def s4_expression(model: ReferenceModel) -> None:
    """S4: the cell's oppression, then the Granovetter-Kuran threshold rule for the public stance.

    Per cell, synchronously: the rule is iterated from last week's public dissent up to `rounds`
    times (or until it stops changing); then every member who dissents privately says so (y = x)
    iff the last public share seen reaches his threshold plus the oppression, else says the line.
    """
    sc = model.sc
    p = sc.expression
    if not p.enabled:
        for person in model.persons:
            person.y = person.x
        return
    relief = p.self_criticism_relief if model.campaigns["self_criticism"] else 0.0
    line, margin = model.line, p.dissent_margin
    for cell in model.cells:
        party = cell.party()
        n = len(party)
        enforcer_share = cell.enforcers() / n if n > 0 else 0.0
        cell.oppression = (
            model.regime
            * (p.oppression_enforcers * enforcer_share + p.oppression_appointed * cell.appointed)
            * (1.0 - relief)
        )
        wants = [q for q in party if abs(q.x - line) > margin]  # dissent privately
        dissent = sum(1 for q in wants if abs(q.y - line) > margin)  # said so last week
        share = 0.0
        for _ in range(p.rounds):
            share = dissent / n if n > 0 else 0.0
            new = sum(1 for q in wants if share >= q.tau + cell.oppression)
            if new == dissent:
                break
            dissent = new
        # each answers the last share seen: a fixed point, or the share of the last round
        for person in cell.persons:
            dissents = person.in_party and abs(person.x - line) > margin  # privately
            if dissents and share < person.tau + cell.oppression:  # and hides it
                person.y = line
            else:
                person.y = clip(person.x, -1.0, 1.0)


# --- S5 activation ------------------------------------------------------------------------------


def arrest_probability(k: float, enforcers: int, others: int, rounding: str) -> float:
    """S5: Epstein's P = 1 - exp(-k rounding(E / (1 + A))), A the other actives."""
    ratio = enforcers / (1.0 + others)
    if rounding == "floor":
        ratio = math.floor(ratio)
    elif rounding == "round":
        ratio = round(ratio)  # half to even, as Mesa's example (Python's round)
    return 1.0 - math.exp(-k * ratio)


def s5_activation(model: ReferenceModel) -> None:
    """S5: Epstein's rule, active iff G - r P > T, with last week's actives in the cell."""
    p = model.sc.activation
    pull_on_left = p.mobilisation * model.campaigns["against_right"]  # draws those with x > 0
    pull_on_right = p.mobilisation * model.campaigns["against_left"]  # draws those with x < 0
    for cell in model.cells:
        enforcers = cell.enforcers()
        actives = sum(q.active for q in cell.persons)  # last week's
        for person in cell.persons:
            if person.stratum == "functionary" or not person.present:
                person.active = False  # enforcers never rebel; the exiled are away
                continue
            pull = pull_on_left * max(person.x, 0.0) + pull_on_right * max(-person.x, 0.0)
            grievance = person.h * (1.0 - person.c) + person.c * pull
            if grievance <= p.threshold:
                person.active = False
                continue
            others = actives - person.active  # his own last-week state, not yet overwritten
            p_arrest = arrest_probability(p.k, enforcers, others, p.rounding)
            person.active = grievance - person.r * p_arrest > p.threshold


# --- S6 influence -------------------------------------------------------------------------------


def listen(xi: float, ui: float, xj: float, uj: float, mu: float, bounded: bool):
    """S6: the new (x_i, u_i) of a listener who hears stance xj said with uncertainty uj."""
    if bounded:  # Deffuant-Weisbuch bounded confidence
        if abs(xj - xi) < ui:
            return xi + mu * (xj - xi), ui
        return xi, ui
    overlap = min(xi + ui, xj + uj) - max(xi - ui, xj - uj)  # relative agreement
    if overlap > uj:
        w = mu * (overlap / uj - 1.0)
        return xi + w * (xj - xi), ui + w * (uj - ui)
    return xi, ui


def pick(r: float, weights: list[float]) -> int:
    """S6: an index drawn with probability proportional to `weights` (their total is > 0), from
    the uniform r."""
    target = r * sum(weights)
    for q, w in enumerate(weights):
        target -= w
        if target < 0.0:
            return q
    return len(weights) - 1


def s6_influence(model: ReferenceModel) -> None:
    """S6: each present person hears one cellmate, perhaps a cadre, then weighs it against his
    anchor (Friedkin-Johnsen).

    In the cell's order: a listener hears the public stance y and current u of a cellmate drawn
    uniformly among the others (nothing if that one is in exile). The cadres whose home is the
    cell and whose organisation works have contacts with members and with non-party persons (the
    exiled by letters); the reach W_j / N_j is their total over the audience, and the cadre heard
    is drawn in proportion to his contacts with that audience. A cadre says the stance he held at
    the start of the week; the listener moves toward it by mu times the credibility of the
    cadre's organisation. Last: x <- lambda x + (1 - lambda) anchor. Draws from the streams
    LISTEN, CADRE_REACH and CADRE_PICK.
    """
    p, key, week = model.sc.influence, model.key, model.week
    bounded = p.rule == "bounded_confidence"
    for person in model.persons:
        person.x_said = person.x
    for cell in model.cells:
        persons = cell.persons
        present = [q for q in persons if q.present]
        n_party = sum(1 for q in present if q.in_party)
        n_other = len(present) - n_party
        cadres = [q for q in persons if q.org is not None and q.org.works > 0.0]
        to_party, to_other = [], []  # each cadre's weekly contacts with each audience
        for cadre in cadres:
            o = cadre.org
            contacts = p.cadre_contacts * o.works * (1.0 if cadre.present else o.rule.letters)
            to_party.append(contacts * o.rule.effort_party)
            to_other.append(contacts * (1.0 - o.rule.effort_party))
        w_party, w_other = sum(to_party), sum(to_other)
        for pos, person in enumerate(persons):
            person.heard = None
            if not person.present:
                continue
            i = person.index
            x, u = person.x, person.u
            if len(persons) > 1:  # a cellmate other than himself, uniformly
                k = int(uniform_py(key, week, LISTEN, i, 0) * (len(persons) - 1))
                other = persons[k + (k >= pos)]
                if other.present:
                    x, u = listen(x, u, other.y, other.u, p.mu, bounded)
            if cadres and person.org is None:
                member = person.in_party
                reach = w_party / n_party if member else w_other / n_other
                if reach > 0.0 and uniform_py(key, week, CADRE_REACH, i, 0) < reach:
                    r = uniform_py(key, week, CADRE_PICK, i, 0)
                    cadre = cadres[pick(r, to_party if member else to_other)]
                    x += p.mu * cadre.org.credibility * (cadre.x_said - x)
                    person.heard = cadre.org
            person.x = clip(x + (1.0 - person.lam) * (person.anchor - x), -1.0, 1.0)
            person.u = u


# --- S7 confidence ------------------------------------------------------------------------------


def s7_confidence(model: ReferenceModel) -> None:
    """S7: every present person's confidence; then each organisation's credibility on the
    log-odds scale, from what its listeners of the week have lived."""
    p, confident = model.sc.confidence, model.sc.observe.confident
    threshold = model.sc.activation.threshold
    step = model.line - model.line_start
    lived = {o: [0.0] * 6 for o in model.organisations}  # n, dead, liq, back, right, cal
    for cell in model.cells:
        hit = 0.0
        if cell.arrests > 0:
            n = sum(1 for q in cell.persons if q.present)
            hit = cell.arrests / n if n > 0 else 0.0  # expulsions of actives last week
        for person in cell.persons:
            if not person.present:
                continue
            want = sign(person.x - model.line_start)
            c = person.c
            v = c + p.step_gain * step * want - p.repression_loss * hit + p.relax * (person.c0 - c)
            if person.heard is not None:
                doubt = c < confident
                s = lived[person.heard]
                s[0] += 1.0
                s[1] += 1.0 if doubt or cell.arrests > 0 else -1.0
                s[2] += 1.0 if person.h * (1.0 - c) > threshold else -1.0
                s[3] += (1.0 if person.x > model.line_start else 0.0) - (1.0 if doubt else 0.0)
                s[4] += want
                s[5] += -1.0 if doubt else 1.0
                v -= p.exposure_loss * person.heard.credibility
            person.c = clip(v, 0.0, 1.0)
    for o in model.organisations:
        n, dead, liq, back, right, cal = lived[o]
        r = o.rule
        delta = 0.0
        if n > 0:
            delta = (
                p.credibility_dead * r.says_party_dead * (dead / n)
                + p.credibility_liquidated * r.says_october_liquidated * (liq / n)
                + p.credibility_step
                * max(step, 0.0)
                * (2.0 * r.backs_left_steps - 1.0)
                * (back / n)
                + p.credibility_step * max(-step, 0.0) * (right / n)
                + p.calumny * model.regime * (2.0 * r.refutes_second_party - 1.0) * (cal / n)
            )
        q = clip(o.credibility, 1e-12, 1.0 - 1e-12)
        L = math.log(q / (1.0 - q))
        delta -= p.credibility_memory * L  # what listeners lived long ago fades
        o.credibility = 1.0 / (1.0 + math.exp(-(L + o.works * delta)))


# --- S8 degeneration ----------------------------------------------------------------------------


def s8_degeneration(model: ReferenceModel) -> None:
    """S8: d rises with privilege, the proprietor's pull and oppression, falls with control."""
    sc = model.sc
    p, cut = sc.degeneration, sc.leadership.stance_cut
    for cell in model.cells:
        party = cell.party()
        left = sum(1 for q in party if q.active and q.x > cut)
        control = left / len(party) if party else 0.0
        push_cell = (
            p.exposure_rate * model.K * getattr(p.exposure, cell.kind)
            + p.oppression_rate * cell.oppression
        )
        for person in cell.persons:
            if not person.present:
                continue
            if person.status == NONPARTY:
                privilege = sc.population.nonparty.privilege
            else:
                privilege = sc.population.strata[person.stratum].privilege
            d = person.d
            d += (p.privilege_rate * privilege + push_cell) * (
                1.0 - d
            ) - p.control_rate * control * d
            person.d = clip(d, 0.0, 1.0)
            person.anchor -= p.stance_drift * person.d * (person.anchor + 1.0)


# --- S9 repression ------------------------------------------------------------------------------


def s9_repression(model: ReferenceModel) -> None:
    """S9: the dry guillotine. The apparatus of each region arrests whom it sees (visibility:
    public dissent, activity, a cadre's open work), at the region's enforcers per member; arrested
    cadres go into exile as policy, exile terms run down; every cadre may capitulate."""
    sc = model.sc
    p = sc.repression
    model.turn_memory = (1.0 - p.turn_forget) * model.turn_memory + max(
        0.0, model.line - model.line_start
    )
    line, margin, cut = model.line, sc.expression.dissent_margin, sc.leadership.stance_cut
    rate = p.arrest_rate * model.regime
    key, week = model.key, model.week
    against_left, against_right = model.campaigns["against_left"], model.campaigns["against_right"]
    cap_common = (
        p.capitulation_base
        + p.capitulation_repression * model.regime
        + p.capitulation_left_turn * model.turn_memory
    )
    enforcers: dict[int, int] = {}
    members: dict[int, int] = {}
    echo = {}
    for cell in model.cells:
        party = cell.party()
        enforcers[cell.region] = enforcers.get(cell.region, 0) + cell.enforcers()
        members[cell.region] = members.get(cell.region, 0) + len(party)
        echo[cell] = sum(1 for q in party if q.x > cut) / len(party) if party else 0.0
    model.arrested = model.exiled_new = model.capitulated_new = model.expelled_s9 = 0
    i = 0
    for cell in model.cells:
        n = members[cell.region]
        capacity = rate * enforcers[cell.region] / n if n > 0 else 0.0
        taken = 0
        for person in cell.persons:
            index, i = i, i + 1
            if person.status == EXILED:
                person.exile_left -= 1
                if person.exile_left <= 0:
                    person.status = EXPELLED
            status, org = person.status, person.org
            member = person.in_party
            v = 0.0
            side = 0.0
            says = person.y - line
            if member and abs(says) > margin and person.stratum != "functionary":
                v += p.visible_speech + (p.visible_active if person.active else 0.0)
                side = says
            if org is not None and status != EXILED:
                effort = org.rule.effort_party
                v += org.works * (p.visible_party * effort + p.visible_outside * (1.0 - effort))
                side = org.programme - line
            if (side > 0.0 and against_left) or (side < 0.0 and against_right):
                v *= p.campaign_focus
            if v > 0.0 and uniform_py(key, week, ARREST, index) < 1.0 - math.exp(-capacity * v):
                taken += 1
                model.arrested += 1
                person.active = False
                if org is not None and uniform_py(key, week, EXILE, index) < p.exile_share:
                    person.status = EXILED
                    span = p.exile_weeks_max - p.exile_weeks_min + 1
                    term = p.exile_weeks_min + int(uniform_py(key, week, EXILE_TERM, index) * span)
                    person.exile_left = min(term, p.exile_weeks_max)
                    model.exiled_new += 1
                elif member:
                    person.status = EXPELLED
                model.expelled_s9 += member
                continue
            if org is not None:
                isolation = 1.0 if status == EXILED else 1.0 - echo[cell]
                hazard = 1.0 - math.exp(-(cap_common + p.capitulation_isolation * isolation))
                if uniform_py(key, week, CAPITULATE, index) < hazard:
                    person.status = CAPITULATED
                    person.org = None
                    person.exile_left = 0
                    person.active = False
                    person.x = person.y = person.anchor = line
                    model.capitulated_new += 1
        cell.arrests = taken


# --- S10 membership -----------------------------------------------------------------------------


def s10_membership(model: ReferenceModel) -> None:
    """S10: recruitment, purge and attrition as weekly hazards, person by person (attrition and
    the drives only for the persons `marks_py` marks, as the engine); the apparatus declares a
    purge when its accumulated pressure is enough; listeners on the Left join the organisation
    they heard."""
    sc = model.sc
    p = sc.membership
    line, margin, cut = model.line, sc.expression.dissent_margin, sc.leadership.stance_cut
    key, week = model.key, model.week
    if p.decides_purge and model.purge_weeks == 0:
        party = [q for q in model.persons if q.in_party]
        n = len(party)
        dissent = sum(1 for q in party if abs(q.y - line) > margin) / n if n else 0.0
        d = sum(q.d for q in party) / n if n else 0.0
        q = p.purge_dissent * dissent + p.purge_degeneration * d
        model.purge_pressure = max(0.0, model.purge_pressure + q - p.purge_on)
        if model.purge_pressure >= p.purge_patience:
            share = min(p.purge_max, p.purge_size * q)
            model.purge_rate = 1.0 - (1.0 - share) ** (1.0 / p.purge_weeks)
            model.purge_weeks = p.purge_weeks
            model.purge_pressure = 0.0
    recruit, purge = model.recruitment, model.purge_rate

    def purge_weight(q: Person) -> float:
        dissents = abs(q.y - line) > margin
        alien = q.stratum != "worker"
        return (
            1.0
            + p.purge_weight_d * q.d
            + (p.purge_weight_dissent if dissents else 0.0)
            + (p.purge_weight_alien if alien else 0.0)
        )

    def purgeable(q: Person) -> bool:
        return q.in_party and q.stratum != "functionary"

    mean_w = 1.0
    if purge > 0.0:
        weights = [purge_weight(q) for q in model.persons if purgeable(q)]
        mean_w = sum(weights) / len(weights) if weights else 1.0
    model.purged = model.joined = 0
    n = len(model.persons)
    q_recruit = min(1.0, 2.0 * recruit)  # the highest chance of a recruit (c <= 1)
    drive = set(marks_py(key, week, RECRUIT_MARK, q_recruit, 0, n))  # whom a drive may take
    leaving = set(marks_py(key, week, ATTRITION_MARK, p.attrition, 0, n))
    for index, person in enumerate(model.persons):
        if person.status == NONPARTY:
            chance = 2.0 * recruit * person.c  # marked with q_recruit, then kept with chance / q
            if index in drive and uniform_py(key, week, RECRUIT, index) * q_recruit < chance:
                person.status = MEMBER
        elif purgeable(person):
            if purge > 0.0:
                w = purge_weight(person)
                if uniform_py(key, week, PURGE, index) < purge * w / mean_w:
                    person.status = EXPELLED
                    model.purged += 1
                    continue
            if person.org is None and index in leaving:
                person.status = NONPARTY  # cadres stay
        o = person.heard
        listens = person.status not in (EXILED, CAPITULATED) and person.x > cut
        listens = listens and person.stratum != "functionary"
        if o is not None and person.org is None and listens:
            join = p.org_recruit * o.credibility * o.works
            if uniform_py(key, week, ORG_RECRUIT, index) < join:
                person.org = o
                person.heard = None  # now a cadre: no longer a listener
                model.joined += 1
    if model.recruitment_weeks > 0:
        model.recruitment_weeks -= 1
        if model.recruitment_weeks == 0:
            model.recruitment = 0.0
    if model.purge_weeks > 0:
        model.purge_weeks -= 1
        if model.purge_weeks == 0:
            model.purge_rate = 0.0


# --- S11 hierarchy ------------------------------------------------------------------------------


def binomial_tail(p: float, g: int, theta: float) -> float:
    """P(Binomial(g, p) > theta g): a challenger with share p takes a group's post (Galam)."""
    return sum(math.comb(g, k) * p**k * (1.0 - p) ** (g - k) for k in range(g + 1) if k > theta * g)


def s11_hierarchy(model: ReferenceModel) -> None:
    """S11: every `every` weeks, cells elect delegates on dissenting stances; Galam's recursion
    climbs a fixed number of levels; the CC's seats are drawn from the top level's shares."""
    sc = model.sc
    p = sc.hierarchy
    if model.week % p.every:
        return
    margin = sc.expression.dissent_margin
    left_cut = max(sc.leadership.stance_cut, model.line + margin)
    right_cut = min(-sc.leadership.stance_cut, model.line - margin)
    theta = 0.5 * (1.0 + p.appointed)
    incumbent = model.cc_holder
    sides = (LEFT, RIGHT, CENTRE)
    delegates = []
    for cell in model.cells:
        party = cell.party()
        n = len(party)
        count = {LEFT: sum(1 for q in party if q.y > left_cut)}
        count[RIGHT] = sum(1 for q in party if q.y < right_cut)
        count[CENTRE] = n - count[LEFT] - count[RIGHT]
        cell.vote = next((s for s in sides if s != incumbent and count[s] > theta * n), incumbent)
        if n > 0:
            delegates.append(cell.vote)
    if not delegates:
        model.left_top = 0.0
        return
    shares = {LEFT: delegates.count(LEFT) / len(delegates)}
    shares[RIGHT] = delegates.count(RIGHT) / len(delegates)
    shares[CENTRE] = 1.0 - shares[LEFT] - shares[RIGHT]
    for _ in range(p.levels):
        up = {s: binomial_tail(shares[s], p.group_size, theta) for s in sides if s != incumbent}
        up[incumbent] = max(0.0, 1.0 - sum(up.values()))
        shares = up
    seats = {LEFT: 0, RIGHT: 0, CENTRE: 0}
    for i in range(p.cc_members):
        u = uniform_py(model.key, model.week, CC_SEAT, i, 0)
        side = LEFT if u < shares[LEFT] else (RIGHT if u < shares[LEFT] + shares[RIGHT] else CENTRE)
        seats[side] += 1
    model.cc_holder = next(
        (s for s in sides if s != incumbent and 2 * seats[s] > p.cc_members), incumbent
    )
    model.left_top = shares[LEFT]


# --- S12 power ----------------------------------------------------------------------------------


def s12_power(model: ReferenceModel) -> None:
    """S12: pi (bistable) and beta (the bureaucracy's autonomy while both classes are passive)."""
    p = model.sc.power
    kernel = kernel_left_share(model)
    d_app = apparatus_mean(model, "d")
    workers = [q for q in model.persons if q.stratum == "worker" and q.present]
    a_w = sum(q.active for q in workers) / len(workers) if workers else 0.0
    a_p = model.K * max(0.0, 1.0 - model.grain)
    growth = p.beta_growth * (1 - a_w) * (1 - a_p)
    decay = p.beta_decay * (a_w + a_p)
    # beta's passive equilibrium at this week's activity; the first week's are the references
    model.beta_star = growth / (growth + decay) if growth + decay > 0.0 else model.beta
    if math.isnan(model.kernel0):
        model.kernel0, model.beta_star0 = kernel, model.beta_star
    cc = (model.cc_holder == LEFT) - (model.cc_holder == RIGHT)
    pi = model.pi
    pi += (
        p.bistability * pi * (1 - pi) * (pi - p.pi_unstable)
        + p.kernel_weight * (kernel - p.kernel_reference * model.kernel0)
        + p.cc_weight * cc
        - p.degeneration_weight * model.K * d_app
    )
    model.pi = clip(pi, 0.0, 1.0)
    beta = model.beta + growth * (1 - model.beta) - decay * model.beta
    model.beta = clip(beta, 0.0, 1.0)


# --- S13 outcome --------------------------------------------------------------------------------


def s13_outcome(model: ReferenceModel) -> None:
    """S13: the absorbing outcomes, checked in the order Thermidor, reform, consolidation."""
    sc = model.sc
    p = sc.outcome
    if model.outcome != "duality open":
        return
    level = (
        p.consolidation_beta
        if p.consolidation_beta is not None
        else model.beta_star0 + p.consolidation_margin
    )
    model.beta_high_weeks = model.beta_high_weeks + 1 if model.beta >= level else 0
    outcome = "duality open"
    if model.pi < p.thermidor_pi:
        party = [q for q in model.persons if q.status in IN_PARTY]
        right = sum(1 for q in party if q.x < -sc.leadership.stance_cut)
        r = right / len(party) if party else 0.0
        rate = (
            p.thermidor_hazard
            * (1 - model.pi / p.thermidor_pi)
            * model.K
            * (1 + p.right_weight * r)
        )
        if uniform_py(model.key, model.week, THERMIDOR_DRAW, 0, 0) < 1.0 - math.exp(-rate):
            outcome = "Thermidor"
    if (
        outcome == "duality open"
        and model.cc_holder == LEFT
        and model.pi >= p.reform_pi
        and apparatus_mean(model, "d") <= p.reform_d
    ):
        outcome = "reform"
    if outcome == "duality open" and model.beta_high_weeks >= p.consolidation_weeks:
        outcome = "bureaucratic consolidation"
    if outcome != "duality open":
        model.outcome, model.outcome_week = outcome, model.week
