"""Experiments: ensembles and sweeps on any executor, with a resumable store."""
