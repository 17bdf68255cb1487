"""The submodels S1-S14 of DESIGN.md 2.2, one module each, run in the order of `schedule.py`."""
