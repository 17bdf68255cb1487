"""The figure of one run (`Result.plot()`, the explorer's live plots): one panel a function.

Each panel draws on a matplotlib `Axes` from a run's weekly DataFrame (`Result.to_pandas()` or
`Model.dataframe()`, dates as datetime64) against calendar dates. Counts are in real persons:
agents divided by the scenario's scale, and the axis says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from thermidor.scenario.schema import Scenario

Q1_COLOURS = {"degenerated": "#4d4d4d", "amorphous": "#bdbdbd", "healthy": "#b2182b"}
CAMPAIGN_COLOURS = {
    "against_right": "#fdae6b",
    "against_left": "#9ecae1",
    "self_criticism": "#c7e9c0",
}
REPRESSION = ("expelled", "exiled", "capitulated")


def _dates(ax: Axes) -> None:
    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def power(ax: Axes, ts: pd.DataFrame) -> None:
    """Q3: the proletariat's share of power pi and the bureaucracy's autonomy beta."""
    ax.plot(ts["date"], ts["pi"], label="π, the proletariat's share of power", color="#b2182b")
    ax.plot(ts["date"], ts["beta"], label="β, the bureaucracy's autonomy", color="#4d4d4d")
    ax.set(ylim=(0, 1), title="Power (Q3)")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    _dates(ax)


def campaigns(ts: pd.DataFrame) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Each campaign's spans as (name, first date, last date) from the campaign_* columns."""
    spans = []
    for col in (c for c in ts.columns if c.startswith("campaign_")):
        on = ts[col].to_numpy(dtype=bool)
        edges = np.flatnonzero(np.diff(np.concatenate([[False], on, [False]]).astype(np.int8)))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            spans.append(
                (col.removeprefix("campaign_"), ts["date"].iloc[a], ts["date"].iloc[b - 1])
            )
    return spans


def line(ax: Axes, ts: pd.DataFrame) -> None:
    """Q4: the Centre's line (-1 proprietor, +1 proletarian), the regime, and the campaigns."""
    seen = set()
    for name, a, b in campaigns(ts):
        label = None if name in seen else f"campaign {name.replace('_', ' ')}"
        seen.add(name)
        ax.axvspan(a, b, color=CAMPAIGN_COLOURS.get(name, "#dddddd"), alpha=0.6, lw=0, label=label)
    ax.plot(ts["date"], ts["line"], color="#08519c", label="the line")
    ax.plot(ts["date"], ts["regime"], color="#7f2704", ls="--", label="the regime")
    ax.axhline(0, color="#999999", lw=0.5)
    ax.set(ylim=(-1, 1), title="The line and its campaigns (Q4)")
    ax.legend(frameon=False, fontsize=8, loc="lower left", ncol=2)
    _dates(ax)


def nuclei(ax: Axes, ts: pd.DataFrame) -> None:
    """Q1: the shares of cells entirely degenerated, healthy but amorphous, hardly affected."""
    ys = [ts[f"cells_{k}"].to_numpy(dtype=float) for k in Q1_COLOURS]
    labels = ["entirely degenerated", "healthy but amorphous", "hardly affected"]
    ax.stackplot(ts["date"], *ys, colors=list(Q1_COLOURS.values()), labels=labels)
    ax.set(ylim=(0, 1), title="The nuclei (Q1)")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    _dates(ax)


def repression(ax: Axes, ts: pd.DataFrame, scale: float) -> None:
    """Q6: persons expelled, exiled and capitulated, in real persons (agents / scale)."""
    for col, colour in zip(REPRESSION, ("#8c2d04", "#252525", "#6a51a3"), strict=True):
        ax.plot(ts["date"], ts[col] / scale, label=col, color=colour)
    ax.set(title=f"The dry guillotine (Q6): real persons (agents ÷ {scale:g})")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    _dates(ax)


def run_figure(ts: pd.DataFrame, scenario: Scenario, until: object = None) -> Figure:
    """The four panels of one run in a 2 x 2 figure; `until` (a date) fixes the end of the time
    axes, as the explorer does with the horizon while a run is under way."""
    fig = Figure(figsize=(11, 6.5), layout="constrained")
    axes = fig.subplots(2, 2)
    power(axes[0, 0], ts)
    line(axes[0, 1], ts)
    nuclei(axes[1, 0], ts)
    repression(axes[1, 1], ts, scenario.scale)
    if until is not None:
        for ax in axes.flat:
            ax.set_xlim(ts["date"].iloc[0], pd.Timestamp(until))
    fig.suptitle(f"{scenario.name}: {ts['date'].iloc[0]:%B %Y} to {ts['date'].iloc[-1]:%B %Y}")
    return fig
