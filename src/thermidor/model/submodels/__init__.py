"""The submodels S1-S14 of docs/design.md, one module each, run in the order of `schedule.py`."""
