"""The model: state, initialisation, the submodels S1-S14 and their schedule."""
