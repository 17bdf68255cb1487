"""The explorer's page (`solara run thermidor.explore.app`): the live model and stored results.

The scenario comes from `THERMIDOR_EXPLORE_SCENARIO` (set by `thermidor explore SCENARIO`).
"""

from __future__ import annotations

import os

import solara

from thermidor.explore.live import Live
from thermidor.explore.settings import Settings, live_scale
from thermidor.explore.stored import Stored
from thermidor.scenario.load import load_scenario


@solara.component
def Page() -> None:
    """Two tabs: the model live, and a stored experiment or report."""
    scenario = os.environ.get("THERMIDOR_EXPLORE_SCENARIO", "1928")
    initial = solara.use_memo(
        lambda: Settings(scenario, live_scale(load_scenario(scenario))), dependencies=[scenario]
    )
    solara.Title("thermidor explore")
    with solara.lab.Tabs():
        with solara.lab.Tab("Live model"):
            Live(initial)
        with solara.lab.Tab("Stored experiment or report"):
            Stored()
