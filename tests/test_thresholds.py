"""The outcome curves over their thresholds (analysis/thresholds.py), from stored runs.

S13 only ends a run, so replaying its rules on the stored rows must give back every stored
outcome at the scenario's thresholds, and the outcome of a real rerun at another threshold
wherever the replay is not censored.
"""

from __future__ import annotations

import numpy as np

import thermidor.experiments as tx
from thermidor.analysis import thresholds
from thermidor.engine import simulate

# `tiny` with outcomes within reach in 104 weeks (no procurement crisis: no mass movement lifts pi)
REACHABLE = [
    "classes.grain0=1.0",
    "outcome.thermidor_pi=0.55",
    "outcome.thermidor_hazard=0.1",
    "outcome.consolidation_margin=0.0",
    "outcome.consolidation_weeks=20",
]


def test_replay_gives_back_the_stored_outcomes_and_reruns(tmp_path) -> None:
    exp = tx.ensemble("tiny", 12, weeks=104, out=tmp_path / "e", overrides=REACHABLE, workers=1)
    sc = exp.scenario
    keys = thresholds.stream_keys(tmp_path / "e")
    ts = thresholds.rows(tmp_path / "e")
    stored = exp.outcomes(["run", "outcome"]).set_index("run").outcome
    assert stored.nunique() >= 2  # the check sees more than one outcome
    runs = {int(r): thresholds.Run(g, keys[int(r)]) for r, g in ts.groupby("run")}
    for r, run in runs.items():
        assert thresholds.replay(run, sc, {}) == stored[r], r
    # another threshold: a real rerun of each run agrees wherever the replay is not censored
    checked = 0
    for name, value in (("thermidor_pi", 0.45), ("consolidation_margin", 0.02)):
        rerun_sc = sc.model_copy(update={"outcome": sc.outcome.model_copy(update={name: value})})
        for r, run in runs.items():
            got = thresholds.replay(run, sc, {name: value})
            if got is None:
                continue
            seed = np.random.SeedSequence(sc.seed, spawn_key=(r,))  # the documented seeding
            again = simulate(rerun_sc, seed=seed).outcome["outcome"]
            assert got == again, (name, r)
            checked += 1
    assert checked >= 12
    df = thresholds.curves(tmp_path / "e")
    assert set(df.outcome) == set(thresholds.RULES)
    assert ((df.p >= 0) & (df.p <= df.p_high) & (df.p_high <= 1)).all()
    at_default = df[np.isclose(df.threshold, df["default"].astype(float))]
    for outcome, p in zip(at_default.outcome, at_default.p, strict=True):
        assert p == (stored == outcome).mean()
    # Thermidor can only become likelier as its pi cut rises (same draws, same rows)
    th = df[df.outcome == "Thermidor"].sort_values("threshold")
    assert (np.diff(th.p.to_numpy()) >= 0).all()
