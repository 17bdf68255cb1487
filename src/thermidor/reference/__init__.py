"""The Mesa twin: the same model, one object per agent, written to read like the specification.

Principle 4, "One model, two implementations": `thermidor.reference.simulate` runs the
model of `thermidor.model` (the specification: its submodels' docstrings and kernels) written
plainly on Mesa 3 - one `mesa.Agent` per person, cells and organisations as plain objects, the
macro state as attributes of the `mesa.Model` - with the same schedule and the same update
semantics, and returns the same `thermidor.engine.Result`. It is checked against the engine
statistically (`tests/test_reference.py`) and is the speed baseline (`benchmarks/vs_mesa.py`).

Modules: `agents` (Person, Cell, Organisation), `model` (initialisation and the weekly
schedule), `submodels` (S1-S13, one function each), `observe` (S14), `run` (`simulate`),
`ensembles` (picklable ensemble tasks of either implementation, for the comparison).
"""

from thermidor.reference.model import SCHEDULE, ReferenceModel
from thermidor.reference.run import simulate

__all__ = ["SCHEDULE", "ReferenceModel", "simulate"]
