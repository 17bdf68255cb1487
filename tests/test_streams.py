"""The counter-based streams (model/streams.py): the engine's compiled draw and the twin's plain
Python draw give the same number to the last bit, the draws are uniform and independent across
counters, and a key depends on the seed alone."""

import numpy as np
from scipy import stats

from thermidor.model import streams
from thermidor.model.streams import stream_key, uniform, uniform_py


def test_compiled_and_plain_draws_are_identical():
    rng = np.random.default_rng(7)
    for _ in range(2000):
        key = int(rng.integers(0, 2**64, dtype=np.uint64))
        week, purpose, index, sub = (int(v) for v in rng.integers(0, 2**31, 4))
        a = uniform(np.uint64(key), week, purpose, index, sub)
        assert a == uniform_py(key, week, purpose, index, sub)
        assert 0.0 <= a < 1.0


def test_draws_are_uniform_and_uncorrelated_across_each_counter():
    """100,000 draws along each counter: Kolmogorov-Smirnov against U(0, 1) and the lag-1
    correlation, whose standard error is 1/sqrt(n) = 0.0032: |r| < 4 SE."""
    key = stream_key(3)
    n = 100_000
    along = {
        "index": [uniform(key, 5, 8, i, 0) for i in range(n)],
        "week": [uniform(key, w, 8, 5, 0) for w in range(n)],
        "purpose": [uniform(key, 5, p, 5, 0) for p in range(n)],
        "sub": [uniform(key, 5, 8, 5, s) for s in range(n)],
    }
    for name, draws in along.items():
        u = np.array(draws)
        assert stats.kstest(u, "uniform").pvalue > 1e-3, name
        r = np.corrcoef(u[:-1], u[1:])[0, 1]
        assert abs(r) < 4 / np.sqrt(n), (name, r)


def test_key_depends_on_the_seed_only():
    assert stream_key(1) == stream_key(1)
    assert stream_key(1) != stream_key(2)
    root = np.random.SeedSequence(11)
    run0 = np.random.SeedSequence(root.entropy, spawn_key=(0,))
    run1 = np.random.SeedSequence(root.entropy, spawn_key=(1,))
    assert stream_key(run0) == stream_key(np.random.SeedSequence(root.entropy, spawn_key=(0,)))
    assert stream_key(run0) != stream_key(run1)


def test_every_purpose_is_its_own_stream():
    """The purposes (one per kind of draw) are distinct numbers: two kinds of draw sharing one
    would draw the same numbers, correlated by construction."""
    purposes = {k: v for k, v in vars(streams).items() if k.isupper() and type(v) is int}
    assert len(purposes) >= 10 and {"LISTEN", "ARREST", "THERMIDOR"} <= set(purposes)
    assert len(set(purposes.values())) == len(purposes), purposes
