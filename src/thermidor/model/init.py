"""Initialisation: scenario -> the initial state (ODD "Initialization").

Counts are the scenario's real figures times `scale`; cell sizes keep their real means, so a
smaller scale has fewer cells of the same size. Each cell holds its members, then its
functionaries (the apparatus' enforcers, spread over the cells in proportion to their size),
then the non-party workers around it. Cells are ordered by region, then kind.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from thermidor.model.state import (
    BEHAVIOUR,
    EXILED,
    FUNCTIONARY,
    MEMBER,
    NO_ORG,
    NONPARTY,
    STRATA,
    WORKER,
    Cells,
    Macro,
    Organisations,
    Persons,
    State,
)
from thermidor.model.streams import stream_key
from thermidor.scenario.schema import CELL_KINDS, Scenario, StratumSpec


def scaled(count: float, scale: float) -> int:
    """A real count at the scenario's scale; anything present stays present (at least one)."""
    return 0 if count <= 0 else max(1, round(count * scale))


def _cells(sc: Scenario, rng: np.random.Generator):
    kinds, sizes, nonparty = [], [], []
    for kind, spec in sc.population.cells.items():
        members = scaled(spec.members, sc.scale)
        if members == 0:
            continue
        n = max(1, round(members / spec.mean_size))
        size = rng.multinomial(members - n, np.full(n, 1.0 / n)) + 1
        kinds.append(np.full(n, CELL_KINDS.index(kind), np.int8))
        sizes.append(size)
        nonparty.append(np.rint(size * spec.nonparty_per_member).astype(np.int64))
    kind, size, nonparty = (np.concatenate(a) for a in (kinds, sizes, nonparty))
    region = rng.integers(0, sc.population.regions, kind.size).astype(np.int16)
    order = np.lexsort((rng.random(kind.size), kind, region))
    kind, size, nonparty, region = kind[order], size[order], nonparty[order], region[order]
    funcs = scaled(sc.population.functionaries, sc.scale)
    funcs = rng.multinomial(funcs, size / size.sum()) if funcs else np.zeros_like(size)
    return kind, region, size, funcs, nonparty


def _draw(spec: StratumSpec, n: int, rng: np.random.Generator) -> Iterator[tuple[str, np.ndarray]]:
    """The columns of n persons of one stratum, one at a time (at full scale the non-party
    workers' eight columns would hold 220 MB at once), always in this order: the draws of a seed
    do not depend on how they are consumed."""
    yield "x", np.clip(rng.normal(spec.x_mean, spec.x_sd, n), -1.0, 1.0)
    yield "c", np.clip(rng.normal(spec.c_mean, 0.15, n), 0.0, 1.0)
    yield "d", np.clip(rng.normal(spec.d_mean, 0.1, n), 0.0, 1.0)
    yield "h0", rng.random(n) * spec.hardship
    yield "r", rng.random(n)
    yield "tau", rng.random(n) * spec.tau_max
    # openness varies between persons (Deffuant et al. 2002), and so does the susceptibility of
    # Friedkin and Johnsen (1990): each uniform on its mean +- spread
    yield "u", np.clip(spec.u + spec.u_spread * (2.0 * rng.random(n) - 1.0), 0.01, 2.0)
    lam = spec.susceptibility + spec.susceptibility_spread * (2.0 * rng.random(n) - 1.0)
    yield "lam", np.clip(lam, 0.0, 1.0)


def initial_state(sc: Scenario, seed: int | np.random.SeedSequence) -> State:
    """The state at week 0 for scenario `sc`, all randomness from `SeedSequence(seed)` (or from
    the given SeedSequence: run i of an ensemble uses SeedSequence(root, spawn_key=(i,)))."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.default_rng(ss)
    kind, region, size, funcs, nonparty = _cells(sc, rng)
    n_cells = kind.size
    per_cell = size + funcs + nonparty
    start = np.zeros(n_cells + 1, np.int64)
    np.cumsum(per_cell, out=start[1:])
    n = int(start[-1])
    cell = np.repeat(np.arange(n_cells, dtype=np.int32), per_cell)
    kind_stratum = np.array(
        [
            STRATA.index(sc.population.cells[k].stratum) if k in sc.population.cells else 0
            for k in CELL_KINDS
        ],
        np.int8,
    )
    # each cell's three blocks (members, functionaries, the rest), one byte a person: at full
    # scale a person-length int64 temporary is 38 MB
    block_sizes = np.stack([size, funcs, nonparty], axis=1).ravel()
    of_block = np.stack(
        [
            kind_stratum[kind],
            np.full(n_cells, FUNCTIONARY, np.int8),
            np.full(n_cells, WORKER, np.int8),
        ],
        axis=1,
    )
    stratum = np.repeat(of_block.ravel(), block_sizes)
    status = np.repeat(np.tile(np.array([MEMBER, MEMBER, NONPARTY], np.int8), n_cells), block_sizes)

    cols = {k: np.empty(n) for k in ("x", "c", "d", "h0", "r", "u", "tau", "lam")}
    groups = [(stratum == s) & (status == MEMBER) for s in range(len(STRATA))]
    specs = [sc.population.strata[s] for s in STRATA]
    for mask, spec in [
        *zip(groups, specs, strict=True),
        (status == NONPARTY, sc.population.nonparty),
    ]:
        for k, v in _draw(spec, int(mask.sum()), rng):
            cols[k][mask] = v

    org = np.full(n, NO_ORG, np.int8)
    exile_left = np.zeros(n, np.int16)
    rep = sc.repression
    for o, spec in enumerate(sc.organisations):
        kinds = [CELL_KINDS.index(k) for k in spec.cell_kinds]
        pool = np.flatnonzero(
            (status == MEMBER)
            & (stratum != FUNCTIONARY)
            & (org == NO_ORG)
            & np.isin(kind[cell], kinds)
        )
        k = min(scaled(spec.cadres, sc.scale), pool.size)
        chosen = np.sort(rng.choice(pool, k, replace=False))
        org[chosen] = o
        cols["x"][chosen] = spec.programme
        cols["u"][chosen] = sc.influence.cadre_u
        cols["tau"][chosen] = 0.0
        cols["c"][chosen] = 0.05
        exiled = chosen[rng.random(k) < spec.exiled_share]
        status[exiled] = EXILED
        exile_left[exiled] = rng.integers(rep.exile_weeks_min, rep.exile_weeks_max + 1, exiled.size)

    macro = Macro(
        K=sc.classes.K0,
        grain=sc.classes.grain0,
        shock=max(0.0, 1.0 - sc.classes.grain0),
        wage=sc.classes.wage0,
        line=sc.leadership.line0,
        regime=sc.leadership.regime0,
        pi=sc.power.pi0,
        beta=sc.power.beta0,
    )
    macro.line_start, macro.regime_start = macro.line, macro.regime
    h = np.clip(
        cols["h0"] + sc.classes.hardship_wage * max(0.0, sc.classes.wage0 - macro.wage), 0, 1
    )
    cohort = (stratum == WORKER) & (status == MEMBER) & (cols["c"] >= sc.observe.confident)
    persons = Persons(
        cell=cell,
        stratum=stratum,
        status=status,
        org=org,
        x=cols["x"],
        y=cols["x"].copy(),
        c=cols["c"],
        c0=cols["c"].copy(),
        h0=cols["h0"],
        h=h,
        r=cols["r"],
        d=cols["d"],
        u=cols["u"],
        tau=cols["tau"],
        active=np.zeros(n, np.bool_),
        exile_left=exile_left,
        heard=np.full(n, NO_ORG, np.int8),
        x0=cols["x"].copy(),
        cohort=cohort & (org == NO_ORG),
        anchor=cols["x"].copy(),
        lam=cols["lam"],
    )

    appointed = rng.random(n_cells) < sc.population.appointed_secretaries
    secretary = np.where(
        appointed & (funcs > 0),
        start[:-1] + size,
        start[:-1] + (rng.random(n_cells) * size).astype(np.int64),
    )
    cells = Cells(
        start=start,
        kind=kind,
        region=region,
        appointed=appointed,
        secretary=secretary,
        arrests=np.zeros(n_cells, np.int32),
        vote=np.zeros(n_cells, np.int8),
        oppression=np.zeros(n_cells),
    )

    n_orgs = len(sc.organisations)
    behaviour = np.array(
        [[getattr(sc.strategies[o.strategy], b) for b in BEHAVIOUR] for o in sc.organisations]
    ).reshape(n_orgs, len(BEHAVIOUR))
    orgs = Organisations(
        names=[o.name for o in sc.organisations],
        programme=np.array([o.programme for o in sc.organisations], dtype=float),
        behaviour=behaviour,
        strategy=[o.strategy for o in sc.organisations],
        credibility=np.array([o.credibility for o in sc.organisations], dtype=float),
        works=np.array([1.0 if o.active else 0.0 for o in sc.organisations]),
        bloc_partner=np.full(n_orgs, NO_ORG, np.int8),
        bloc_distance=np.zeros(n_orgs),
        bloc_alive=np.zeros(n_orgs, np.bool_),
        bloc_split_week=np.full(n_orgs, -1, np.int32),
    )
    key = stream_key(ss)
    return State(
        persons=persons,
        cells=cells,
        macro=macro,
        orgs=orgs,
        apparatus=np.flatnonzero(stratum == FUNCTIONARY),
        rng=rng,
        key=key,
    )
