"""Calibration to the record (ABC-SMC), retrodiction of what it never saw, and the posterior.

    thermidor calibrate 1928 --out cal          # ABC-SMC against the rows dated up to 1929
    thermidor retrodict cal                     # the posterior predictive through 1932

Modules, one concept each: `observables` (what the record counts, read from a run), `targets`
(the target tables), `priors`, `abc` (the ABC-SMC run and its directory), `calibrate` (the model
as its simulator), `posterior` (a stored posterior and draws from it), `retrodict`, `plots`.
"""

from __future__ import annotations

from typing import Any


def posterior_scenarios(n: int, seed: int = 0, path: Any = None) -> list[list[str]]:
    """`n` draws from the shipped posterior (or calibration directory `path`) as `--set`
    overrides of the base scenario (see `thermidor.calibration.posterior`)."""
    from thermidor.calibration.posterior import posterior_scenarios as draw

    return draw(n, seed, path)
