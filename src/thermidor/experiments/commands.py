"""The experiment commands of the command line (ensemble, sweep, merge, query, status)."""

import typer


def register(app: typer.Typer) -> None:
    """Add the experiment commands to `app`."""
