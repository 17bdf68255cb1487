"""Counter-based random numbers: every draw is a pure function of (key, week, purpose, index, sub).

A run's key comes from its seed. The draw that decides, say, whether person i is recruited in week
w is `uniform(key, w, RECRUIT, i, 0)`, whatever happened before it and whatever else was drawn.
So (1) two runs with the same seed share every draw that means the same thing: a run and its
matched counterfactual (the same seed with the opposition passive) differ only through the
mechanisms, never through a shifted random sequence (common random numbers, Glasserman and Yao,
"Some guidelines and guarantees for common random numbers", Management Science 38 (1992) 884);
(2) a draw does not depend on the order in which cells are visited, so cells may be processed in
any order or in parallel; (3) the Mesa twin draws the same numbers from `uniform_py`.

The generator is SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom
number generators", OOPSLA 2014) applied to the key and each counter in turn: the approach of
counter-based generators (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
A uniform has 53 random bits, in [0, 1).

Rare events are drawn by skipping (`marks`): the persons a weekly hazard of probability q may
strike are marked by segments of SEGMENT persons, one draw for each gap between two marks
(geometric), not one draw a person: with q = 0.0004 (S10's attrition) a segment takes about one
draw instead of 512. Whether person i is marked depends on (key, week, purpose, his segment) and q
only, so a run and its counterfactual with the same q mark the same persons. A hazard that varies
by person (p_i <= q) takes the marked persons and accepts each with probability p_i / q, one more
draw of its own (thinning: Lewis and Shedler, "Simulation of nonhomogeneous Poisson processes by
thinning", Naval Res. Logist. Q. 26 (1979) 403).

Purposes are the constants below; a new kind of draw takes a new constant, never an old one.
"""

from __future__ import annotations

import math

import numpy as np

from thermidor.model.jit import compiled

# purposes (one per kind of draw; never reuse one for another meaning)
LISTEN = 1  # S6: which cellmate a person listens to (sub = attempt)
CADRE_REACH = 2  # S6: whether a cadre reaches the person this week
CADRE_PICK = 3  # S6: which cadre
ARREST = 4  # S9: arrest of a visible person
EXILE = 5  # S9: an arrested cadre sent into exile
EXILE_TERM = 6  # S9: the term of exile
CAPITULATE = 7  # S9: a cadre capitulates
RECRUIT = 8  # S10: a non-party person joins the party
PURGE = 9  # S10: a member purged
# 11 was S11's appointment draw in the first model (now a bias, no draw): not to be reused
THERMIDOR = 12  # S13: the counter-revolutionary upheaval
BLOC_SPLIT = 13  # Q7: a bloc splits at a clash
ORG_RECRUIT = 14  # S10: a person joins an opposition organisation
CC_SEAT = 20  # S11: the side of a seat of the Central Committee (index = seat)
# 20-29: S11-S13 (hierarchy, power, outcome); 30-39: S6-S7 (influence, confidence);
# 40-49: S3, S9, S10 (leadership, repression, membership)
RECRUIT_MARK = 40  # S10: the persons a drive may recruit (index = segment, sub = gap)
ATTRITION_MARK = 41  # S10: the members who may leave (index = segment, sub = gap)
# 10 was S10's attrition drawn person by person (now ATTRITION_MARK): not to be reused

SEGMENT = 512  # persons whose marks are drawn together (`marks`)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@compiled
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@compiled
def uniform(key, week, purpose, index, sub) -> float:
    """A uniform in [0, 1) for (key, week, purpose, index, sub); all counters are integers >= 0."""
    z = _mix(np.uint64(key) + np.uint64(purpose) * _GOLDEN)
    z = _mix(z + np.uint64(week) * _GOLDEN)
    z = _mix(z + np.uint64(index) * _GOLDEN)
    z = _mix(z + np.uint64(sub) * _GOLDEN)
    return float(z >> _S11) * _UNIT


@compiled
def marks(key, week, purpose, q, a, b, out) -> int:
    """Writes to out[:n] the persons among a:b marked this week for `purpose`, each independently
    with probability q, in person order, and returns n (out holds b - a at least). Segment s, the
    persons s SEGMENT to (s + 1) SEGMENT - 1, is drawn whole whatever a:b: the number of persons
    passed over before its mark g (g = 0, 1, ...) is floor(log(1 - u) / log(1 - q)) with
    u = uniform(key, week, purpose, s, g), geometric: P(gap >= n) = (1 - q)^n. q >= 1 marks
    everyone without a draw."""
    n = 0
    if q <= 0.0 or b <= a:
        return 0
    if q >= 1.0:
        for i in range(a, b):
            out[n] = i
            n += 1
        return n
    log_miss = math.log1p(-q)
    for s in range(a // SEGMENT, (b - 1) // SEGMENT + 1):
        pos = s * SEGMENT - 1  # the last mark, or the person before the segment
        end = min((s + 1) * SEGMENT, b)
        g = 0
        while True:
            gap = math.log(1.0 - uniform(key, week, purpose, s, g)) / log_miss  # >= 0
            g += 1
            if gap >= end - pos - 1:  # floor(gap) >= a whole number: the segment's end
                break
            pos += 1 + int(gap)
            if pos >= a:
                out[n] = pos
                n += 1
    return n


_MASK = (1 << 64) - 1


def _mix_py(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def uniform_py(key: int, week: int, purpose: int, index: int, sub: int = 0) -> float:
    """`uniform` in plain Python (the twin's): the same number to the last bit."""
    g = 0x9E3779B97F4A7C15
    z = _mix_py((int(key) + purpose * g) & _MASK)
    z = _mix_py((z + week * g) & _MASK)
    z = _mix_py((z + index * g) & _MASK)
    z = _mix_py((z + sub * g) & _MASK)
    return (z >> 11) * _UNIT


def marks_py(key: int, week: int, purpose: int, q: float, a: int, b: int) -> list[int]:
    """`marks` in plain Python (the twin's): the same persons."""
    if q <= 0.0 or b <= a:
        return []
    if q >= 1.0:
        return list(range(a, b))
    log_miss = math.log1p(-q)
    out = []
    for s in range(a // SEGMENT, (b - 1) // SEGMENT + 1):
        pos, end, g = s * SEGMENT - 1, min((s + 1) * SEGMENT, b), 0
        while True:
            gap = math.log(1.0 - uniform_py(key, week, purpose, s, g)) / log_miss
            g += 1
            if gap >= end - pos - 1:
                break
            pos += 1 + int(gap)
            if pos >= a:
                out.append(pos)
    return out


def stream_key(seed: int | np.random.SeedSequence) -> np.uint64:
    """The 64-bit key of a run's streams, from its seed (an int or an ensemble's SeedSequence),
    independent of the generator that draws the initial state."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    child = np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, 0x57EA))
    return child.generate_state(1, np.uint64)[0]
