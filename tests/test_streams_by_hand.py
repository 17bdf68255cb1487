"""The resolution of a draw (model/streams.py): `uniform` keeps the 53 high bits of its hash,
scaled by 2**-53, so every draw is k / 2**53 for an integer 0 <= k < 2**53: a double exactly,
in [0, 1), never 1. (The plain-Python twin `uniform_py` shares the scale, so the lockstep
cannot see a wrong one; this can.)"""

from __future__ import annotations

from thermidor.model.streams import uniform, uniform_py


def test_every_draw_is_a_whole_number_of_2_to_the_minus_53() -> None:
    """10,000 draws over every counter: u * 2**53 (an exact scaling) is a whole number below
    2**53. A scale a hair off 2**-53 (e.g. 1 / (2**53 - 1), one ulp above it) moves over a
    third of the draws below 0.5 off the grid."""
    off = 0
    for i in range(10_000):
        u = uniform(12345, i % 7, i % 15, i, i % 3)
        k = u * 2.0**53
        assert 0 <= k < 2.0**53
        off += k != int(k)
        assert u == uniform_py(12345, i % 7, i % 15, i, i % 3)
    assert off == 0
