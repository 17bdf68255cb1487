"""The report's section "Where each outcome lives": PRIM's boxes over a sweep (scenario discovery).

For each outcome, the box of the varied factors where it happens (`thermidor.analysis.discover`),
its coverage and density, the probability of the outcome under each strategy inside the box, and
the peeling trajectory (coverage against density). An outcome no run reached is said plainly.
"""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import pandas as pd

from thermidor.analysis.discover import Discovery, describe_box
from thermidor.report import plots


def peeling(found: list[Discovery]) -> str:
    """Coverage against density along each target's peeling trajectory, the chosen box marked."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for d in found:
        if d.trajectory is None:
            continue
        t = d.trajectory
        ax.plot(t["coverage"], t["density"], ".-", ms=3, lw=1, label=d.target)
        ax.plot([d.coverage], [d.density], "o", mfc="none", mec="black", ms=8)
    ax.set_xlabel("coverage (share of the outcome's runs inside the box)")
    ax.set_ylabel("density (share of the box's runs\nwith the outcome)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    return plots.svg(fig)


def _levels(d: Discovery) -> str:
    if not d.by_level:
        return ""
    parts = []
    for factor, levels in d.by_level.items():
        shown = ", ".join(
            f"{lv} {h}/{n}" if n else f"{lv} (none in the box)" for lv, (h, n) in levels.items()
        )
        parts.append(f"{factor}: {shown}")
    return "; ".join(parts)


def _map(found: list[Discovery], where: str) -> str:
    """One map: how it was made, the boxes as a table, the trajectories' figure."""
    runs = found[0].runs if found else 0
    rows = []
    for d in found:
        rows.append(
            {
                "outcome": d.target,
                "runs with it": f"{d.hits} of {d.runs}",
                "box": describe_box(d),
                "coverage": "–" if d.limits is None else f"{d.coverage:.2f}",
                "density": "–" if d.limits is None else f"{d.density:.2f}",
                "inside the box, by strategy": _levels(d) or "–",
            }
        )
    table = pd.DataFrame(rows).to_html(index=False, escape=True, border=0)
    never = [d.target for d in found if d.hits == 0]
    note = ""
    if never:
        note = (
            f"<p><strong>{html.escape(', '.join(never))}</strong>: never happens in any run of "
            "this map, so no box opens for it here.</p>"
        )
    figure = ""
    if any(d.trajectory is not None for d in found):
        figure = (
            f"<figure>{peeling(found)}<figcaption>Peeling trajectories: each step trims "
            "5 % of the box's runs; the circle is the box in the table.</figcaption></figure>"
        )
    return f"<h3>{html.escape(where)} ({runs} runs)</h3>" + table + note + figure


def _closing(closures: dict[str, pd.DataFrame]) -> str:
    """For each outcome no run of any map reached: S13's conditions, how near the runs came."""
    parts = []
    for outcome, table in closures.items():
        parts.append(
            f"<h3>What closes {html.escape(outcome)}</h3><p>{html.escape(outcome.capitalize())} "
            "needs every condition below at once (S13). For each: the submodel that produces it, "
            "the runs in which it ever held, the share of all run-weeks in which it held, and "
            "the nearest any run (and the median run) came to it. A condition held in no run is "
            "what closes the outcome here; it is listed first.</p>"
            + table.to_html(index=False, escape=True, border=0, float_format=lambda v: f"{v:.3f}")
        )
    return "".join(parts)


def section(maps: list[tuple[list[Discovery], str]], closures: dict[str, pd.DataFrame]) -> str:
    """The section's HTML: one map a sweep (or set of sweeps), then what closes the outcomes
    that no run of any map reached (`thermidor.analysis.closure`)."""
    intro = (
        "<p>Scenario discovery (PRIM, peeling alpha 0.05, then pasting): for each outcome, the "
        "box of the varied factors where it happens. Coverage: the share of the outcome's runs "
        "inside the box; density: the share of the box's runs that reach it. The box shown is "
        "the densest with coverage at least 0.5. Inside the box, each strategy's (or "
        "scenario's) runs with the outcome over its runs.</p>"
    )
    return intro + "".join(_map(f, w) for f, w in maps) + _closing(closures)
