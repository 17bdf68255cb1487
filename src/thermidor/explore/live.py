"""The live tab: controls, the date, the plots, the nuclei map, the counts, the seven answers.

The model steps in a thread while "play" is on (as Mesa's SolaraViz does), a few weeks a frame;
changing a parameter, a strategy or the seed builds a new model at week 0 (as SolaraViz does).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import numpy as np
import solara
from matplotlib import colormaps
from matplotlib.colors import Normalize

from thermidor import plots
from thermidor.analysis.seven import QUESTIONS, one_line, run_answers
from thermidor.engine import Model
from thermidor.errors import InputError
from thermidor.explore.charts import chart
from thermidor.explore.session import base, build, nuclei, scenario
from thermidor.explore.settings import Settings, sliders
from thermidor.explore.text import Text
from thermidor.model.calendar import date_of
from thermidor.model.state import KINDS

CMAP = colormaps["Greys"]


@solara.component
def Controls(
    settings: solara.Reactive[Settings],
    playing: solara.Reactive[bool],
    on_step: Callable[[], None],
    on_reset: Callable[[], None],
    on_change: Callable[[str, object], None],
    frame: solara.Reactive[int],
) -> None:
    """Step, play/pause, reset, seed; a slider per key parameter; each organisation's strategy.
    `on_change(key, value)` is given each new value."""
    s = settings.value
    sc = base(s.scenario, s.scale)
    with solara.Row():
        solara.Button("Step", on_click=on_step, disabled=playing.value)
        solara.Button(
            "Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value)
        )
        solara.Button("Reset", on_click=on_reset)
    solara.InputInt("Seed", value=s.seed, on_value=lambda v: settings.set(s.with_seed(v)))
    solara.SliderInt("Weeks a frame", value=frame, min=1, max=13)
    Text(
        f"**{sc.name}** at 1:{1 / s.scale:g} (one agent for {1 / s.scale:,.0f} persons): "
        f"{sc.description.rstrip('.')}. Changing a strategy, a parameter or the seed starts "
        "again at week 0."
    )
    for org_i, org in enumerate(sc.organisations):
        key = f"organisations.{org_i}.strategy"
        solara.Select(
            label=f"{org.name}: strategy",
            values=sorted(sc.strategies),
            value=s.values.get(key, org.strategy),
            on_value=lambda v, key=key: on_change(key, v),
        )
    for sl in sliders(sc):
        value = s.values.get(sl.key, sl.value)
        set_value = lambda v, key=sl.key: on_change(key, v)  # noqa: E731
        label = f"{sl.key} = {value:.4g}"
        if sl.integer:
            solara.SliderInt(label, value=int(value), min=int(sl.low), max=int(sl.high),
                             on_value=set_value)  # fmt: skip
        else:
            solara.SliderFloat(label, value=float(value), min=sl.low, max=sl.high, step=sl.step,
                               on_value=set_value)  # fmt: skip


def charts(model: Model) -> str:
    """The four live charts of the run so far: pi and beta, the line and its campaigns, the
    nuclei, and repression in real persons."""
    rows, sc = model.rows, model.scenario
    dates = [r["date"] for r in rows]
    end = date_of(sc.start, model.weeks)

    def col(name: str) -> np.ndarray:
        return np.array([r[name] for r in rows], float)

    spans = []
    for name, colour in plots.CAMPAIGN_COLOURS.items():
        on = np.array([bool(r.get(f"campaign_{name}", False)) for r in rows], np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], on, [0]])))
        spans += [(a, b - 1, colour) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    q1 = {"entirely degenerated": "degenerated", "healthy but amorphous": "amorphous",
          "hardly affected": "healthy"}  # fmt: skip
    return "".join(
        [
            chart("chart-power", "Power (Q3)", dates, end,
                  {"π, the proletariat's share": (col("pi"), "#b2182b"),
                   "β, the bureaucracy's autonomy": (col("beta"), "#4d4d4d")}, (0, 1)),
            chart("chart-line", "The line and its campaigns (Q4)", dates, end,
                  {"the line": (col("line"), "#08519c"), "the regime": (col("regime"), "#7f2704")},
                  (-1, 1), spans),
            chart("chart-nuclei", "The nuclei (Q1): shares of cells", dates, end,
                  {label: (col(f"cells_{k}"), plots.Q1_COLOURS[k]) for label, k in q1.items()},
                  (0, 1)),
            chart("chart-repression", f"Q6, real persons (agents ÷ {sc.scale:g})", dates, end,
                  {k: (col(k) / sc.scale, c) for k, c in
                   zip(plots.REPRESSION, ("#8c2d04", "#252525", "#6a51a3"), strict=True)}),
        ]
    )  # fmt: skip


@solara.component
def NucleiMap(model: Model) -> None:
    """Each cell a square: a row per region, grouped by kind, coloured by mean degeneration d;
    hovering a cell shows its hidden-versus-public gap."""
    cells = nuclei(model).sort_values(["region", "kind", "cell"])
    size, pad = 14, 2
    norm = Normalize(0.0, 1.0)
    rects, width = [], 0
    regions = sorted(cells["region"].unique())
    for row, region in enumerate(regions):
        x = 70
        for kind in KINDS:
            for c in cells[(cells.region == region) & (cells.kind == kind)].itertuples():
                r, g, b, _ = CMAP(norm(c.mean_d)) if c.members else (1.0, 1.0, 1.0, 1.0)
                tip = (
                    f"region {region}, {kind} cell {c.cell}: hidden-versus-public gap "
                    f"{c.gap:.3f}, mean d {c.mean_d:.2f}, {c.members} members, {c.q1_class}"
                )
                rects.append(
                    f'<rect class="cell" x="{x}" y="{row * (size + pad) + 18}" width="{size}" '
                    f'height="{size}" fill="rgb({r * 255:.0f},{g * 255:.0f},{b * 255:.0f})" '
                    f'stroke="#888" data-gap="{c.gap:.4f}"><title>{html.escape(tip)}</title></rect>'
                )
                x += size + pad
            x += 8
        rects.append(f'<text x="0" y="{row * (size + pad) + 29}" font-size="11">region {region}'
                     "</text>")  # fmt: skip
        width = max(width, x)
    height = len(regions) * (size + pad) + 24
    head = '<text x="70" y="11" font-size="11">' + " | ".join(KINDS) + "</text>"
    Text(
        "Each square a cell, a row per region, its cells by kind (factory, rural, institution, "
        "army and school, in that order); the darker, the more degenerated (mean d, white: "
        "empty). Hover a cell: its hidden-versus-public gap |x - y|."
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f'<svg id="nuclei-map" width="{max(width, 520)}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{head}{"".join(rects)}</svg>',
    )


@solara.component
def Counts(model: Model) -> None:
    """Expelled, exiled and capitulated now, in real persons."""
    row, scale = model.observation, model.scenario.scale
    parts = [f"{k} **{row[k] / scale:,.0f}**" for k in ("expelled", "exiled", "capitulated")]
    Text(
        ", ".join(parts) + f" real persons (agents ÷ the scale {scale:g}: one agent stands for "
        f"{1 / scale:,.0f} persons)"
    )


@solara.component
def Answers(model: Model) -> None:
    """The seven answers for the run so far, one line each."""
    answers = run_answers(model.result())
    lines = [f"- **{q}** {one_line(answers, q)}" for q in QUESTIONS]
    Text("\n".join(lines))


@solara.component
def Live(initial: Settings) -> None:
    """The live tab."""
    settings = solara.use_reactive(initial)
    playing = solara.use_reactive(False)
    frame = solara.use_reactive(4)
    generation = solara.use_reactive(0)  # bumped by reset: a new model from the same settings
    tick = solara.use_reactive(0)  # bumped after each frame: draw again
    error = solara.use_reactive("")
    model: Model = solara.use_memo(
        lambda: build(settings.value), dependencies=[settings.value, generation.value]
    )

    def advance(weeks: int) -> None:
        model.run_for(weeks)
        tick.set(tick.value + 1)

    def loop() -> None:
        try:
            while playing.value and model.running:
                advance(frame.value)
                time.sleep(0.05)
        except Exception as e:  # shown in the page, not lost in the server's log
            error.set(f"{type(e).__name__}: {e}")
        playing.set(False)

    solara.lab.use_task(loop, dependencies=[playing.value, model], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        generation.set(generation.value + 1)

    def change(key: str, value: object) -> None:
        new = settings.value.with_value(key, value)
        try:
            scenario(new)  # a value the scenario does not allow: said, and not taken
        except InputError as e:
            error.set(str(e))
            return
        error.set("")
        playing.set(False)
        settings.set(new)

    with solara.Columns([1, 3]):
        with solara.Column():
            Controls(settings, playing, lambda: advance(frame.value), reset, change, frame)
        with solara.Column():
            solara.HTML(
                tag="h2",
                unsafe_innerHTML=f"<span id='live-date'>{model.date:%B %Y}</span> <small>week "
                f"{model.week} of {model.weeks}: {html.escape(model.outcome_name)}</small>",
            )
            if error.value:
                solara.Error(error.value)
            Counts(model)
            solara.HTML(tag="div", unsafe_innerHTML=charts(model),
                        style={"display": "flex", "flex-wrap": "wrap", "gap": "8px"})  # fmt: skip
            Text(
                "Campaigns shaded on the line's chart: against the Right (orange), against the "
                "Left (blue), self-criticism (green)."
            )
            Text("### The nuclei now (Q1)")
            NucleiMap(model)
            Text(
                "### The seven answers, so far\nOne run: values, not intervals; the counts "
                "of Q6 are agents."
            )
            Answers(model)
