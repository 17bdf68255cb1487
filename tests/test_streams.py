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
    constants = vars(streams).items()
    purposes = {k: v for k, v in constants if k.isupper() and type(v) is int and k != "SEGMENT"}
    assert len(purposes) >= 10 and {"LISTEN", "ARREST", "THERMIDOR"} <= set(purposes)
    assert len(set(purposes.values())) == len(purposes), purposes


def test_compiled_and_plain_marks_are_identical():
    """`marks` (the engine's) and `marks_py` (the twin's) mark the same persons, for hazards from
    none to certain and ranges that start and end inside segments."""
    rng = np.random.default_rng(11)
    out = np.empty(3000, np.uint64)
    for q in (0.0, 1e-4, 0.004, 0.05, 0.5, 0.999, 1.0):
        for _ in range(40):
            key = int(rng.integers(0, 2**64, dtype=np.uint64))
            week = int(rng.integers(0, 600))
            a = int(rng.integers(0, 2000))
            b = a + int(rng.integers(0, 1000))
            n = streams.marks(np.uint64(key), week, streams.ATTRITION_MARK, q, a, b, out)
            assert out[:n].tolist() == streams.marks_py(key, week, streams.ATTRITION_MARK, q, a, b)


def test_a_persons_mark_does_not_depend_on_the_range_asked():
    """The marks of persons a:b are the marks of all persons that fall in a:b: the engine asks by
    chunks within blocks of cells, the twin for everyone at once."""
    key = stream_key(5)
    whole = np.empty(5000, np.uint64)
    part = np.empty(5000, np.uint64)
    n = streams.marks(key, 3, streams.RECRUIT_MARK, 0.02, 0, 5000, whole)
    assert n > 50
    for a, b in [(0, 1), (0, 512), (511, 513), (100, 4999), (1024, 1536), (3000, 3001)]:
        k = streams.marks(key, 3, streams.RECRUIT_MARK, 0.02, a, b, part)
        assert part[:k].tolist() == [int(i) for i in whole[:n] if a <= i < b], (a, b)


def test_marks_strike_each_person_independently_with_probability_q():
    """q = 0.05 over 4,096 persons (8 segments) and 400 weeks: n = 1,638,400 person-weeks.
    - the share marked: q within 4 sd, sd = sqrt(q (1 - q) / n) = 0.00017;
    - each position in a segment as likely as any (chi-square over the 512 positions, p > 0.001):
      a gap drawn wrongly piles marks at one end;
    - the first and last persons of the segments marked at q (n = 6,400, 4 sd = 0.011): a
      segment's end mishandled misses them (the last never marked: 0.025);
    - two neighbours (across segments too) both marked with probability q^2: 1,637,600 pairs,
      expected 4,094, within 4 sd (sqrt of the count: 64);
    - a mark does not depend on the week before (same test over (week, week + 1))."""
    q, persons, weeks = 0.05, 4096, 400
    key = stream_key(8)
    hit = np.zeros((weeks, persons), bool)
    out = np.empty(persons, np.uint64)
    for w in range(weeks):
        n = streams.marks(key, w, streams.ATTRITION_MARK, q, 0, persons, out)
        hit[w, out[:n].astype(np.int64)] = True
        assert np.all(np.diff(out[:n].astype(np.int64)) > 0)  # in person order, each once
    total = hit.size
    assert abs(hit.mean() - q) < 4 * np.sqrt(q * (1 - q) / total)
    by_position = hit.reshape(weeks, -1, streams.SEGMENT).sum(axis=(0, 1))
    assert stats.chisquare(by_position).pvalue > 1e-3
    ends = hit.reshape(weeks, -1, streams.SEGMENT)[:, :, [0, -1]]
    assert abs(ends.mean() - q) < 4 * np.sqrt(q * (1 - q) / ends.size)
    for pairs in (hit[:, :-1] & hit[:, 1:], hit[:-1] & hit[1:]):
        expected = pairs.size * q * q
        assert abs(pairs.sum() - expected) < 4 * np.sqrt(expected), pairs.sum()
