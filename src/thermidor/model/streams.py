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

Purposes are the constants below; a new kind of draw takes a new constant, never an old one.
"""

from __future__ import annotations

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
ATTRITION = 10  # S10: a member leaves
# 11 was S11's appointment draw in the first model (now a bias, no draw): not to be reused
THERMIDOR = 12  # S13: the counter-revolutionary upheaval
BLOC_SPLIT = 13  # Q7: a bloc splits at a clash
ORG_RECRUIT = 14  # S10: a person joins an opposition organisation
CC_SEAT = 20  # S11: the side of a seat of the Central Committee (index = seat)
# 20-29: S11-S13 (hierarchy, power, outcome); 30-39: S6-S7 (influence, confidence);
# 40-49: S3, S9, S10 (leadership, repression, membership)

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


def stream_key(seed: int | np.random.SeedSequence) -> np.uint64:
    """The 64-bit key of a run's streams, from its seed (an int or an ensemble's SeedSequence),
    independent of the generator that draws the initial state."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    child = np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, 0x57EA))
    return child.generate_state(1, np.uint64)[0]
