"""The report's plots, each returned as an inline SVG string (no file, no network).

Every time axis is in calendar years (1929, 1930, ...), from the scenario's start date; counts are
real persons (agents / scale). Text stays text (`svg.fonttype` none: selectable, searchable, read
by screen readers and by the report's tests) in the reader's own sans-serif font; titles are in
the HTML caption, legends outside the axes, so nothing overlaps. Identical input gives identical
SVG. Every function takes plain DataFrames and returns `<svg ...>...</svg>`.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter  # noqa: E402

from thermidor.analysis.stats import kaplan_meier  # noqa: E402
from thermidor.report.words import DAYS_PER_YEAR, date_at, day, plain, year_of  # noqa: E402

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "thermidor",  # identical input, identical SVG
        "font.family": "sans-serif",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.formatter.useoffset": False,
        "axes.formatter.limits": (-9, 9),  # no scientific notation on any axis
        "figure.dpi": 100,
    }
)
COLOURS = {
    "Thermidor": "#8c2d04",
    "reform": "#b2182b",
    "bureaucratic consolidation": "#4d4d4d",
    "duality open": "#9e9ac8",
    "degenerated": "#4d4d4d",
    "amorphous": "#bdbdbd",
    "healthy": "#b2182b",
}
TIME_AXIS = "calendar-years"  # the SVG group id of every calendar time axis (the tests read it)
MONTHS = ("Jan", "Apr", "Jul", "Oct")
WIDTH = 6.4


def svg(fig: plt.Figure) -> str:
    """The figure as inline SVG text, in the report's style (the figure is closed)."""
    return _svg(fig)


def _svg(fig: plt.Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # RDF boilerplate
    return text[text.index("<svg") :]


def calendar(ax: plt.Axes, first: float, last: float) -> None:
    """Calendar years on `ax`'s x axis between decimal years `first` and `last`: a tick each
    1 January (every few years over long spans), and each quarter when the span is short."""
    span = max(last - first, 1e-9)
    if span >= 2:
        step = max(1, int(np.ceil(span / 8)))
        ticks = [y for y in range(int(np.ceil(first)), int(np.floor(last)) + 1) if y % step == 0]
        labels = [str(y) for y in ticks]
    else:
        ticks, labels = [], []
        for q in range(int(np.floor(first * 4)), int(np.ceil(last * 4)) + 1):
            t = q / 4
            if first - 1e-9 <= t <= last + 1e-9:
                year, quarter = divmod(q, 4)
                ticks.append(t)
                labels.append(str(year) if quarter == 0 else MONTHS[quarter])
        if labels and not any(lab.isdigit() for lab in labels):  # name the year once
            labels[0] = f"{labels[0]} {int(np.floor(ticks[0]))}"
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda _, i: labels[i] if i < len(labels) else ""))
    ax.set_xlim(first, last)
    ax.xaxis.set_gid(TIME_AXIS)
    ax.set_xlabel("")


def _years(start: dt.date, weeks: np.ndarray) -> np.ndarray:
    return year_of(start, 0) + np.asarray(weeks, dtype=float) * 7 / DAYS_PER_YEAR


def _wide(ts: pd.DataFrame, column: str) -> pd.DataFrame:
    """Weeks by runs, each run's absorbed state carried forward to the last week."""
    w = ts.pivot_table(index="week", columns="run", values=column, aggfunc="first")
    return w.ffill()


def _legend(ax: plt.Axes) -> None:
    """The legend outside the axes, to the right: it never covers data or a title."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))


def _persons_axis(ax: plt.Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: plain(v)))


def fan(
    ts: pd.DataFrame, columns: dict[str, str], start: dt.date, horizon: int, ylabel: str = ""
) -> str:
    """Median and 50 % / 90 % bands over runs of each column, against calendar years."""
    fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
    for i, (column, label) in enumerate(columns.items()):
        w = _wide(ts, column)
        x = _years(start, w.index.to_numpy())
        q = np.nanquantile(w.to_numpy(dtype=float), [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
        colour = f"C{i}"
        ax.fill_between(x, q[0], q[4], color=colour, alpha=0.15, lw=0)
        ax.fill_between(x, q[1], q[3], color=colour, alpha=0.3, lw=0)
        ax.plot(x, q[2], color=colour, lw=1.6, label=label)
    calendar(ax, year_of(start, 0), year_of(start, horizon))
    ax.set(ylabel=ylabel)
    _legend(ax)
    return _svg(fig)


def q1_areas(ts: pd.DataFrame, start: dt.date, horizon: int) -> str:
    """Stacked areas of the three kinds of nuclei of Q1 (medians over runs, renormalised)."""
    cols = {
        "cells_degenerated": "degenerated",
        "cells_amorphous": "amorphous",
        "cells_healthy": "healthy",
    }
    med = pd.DataFrame({k: _wide(ts, k).median(axis=1) for k in cols})
    med = med.div(med.sum(axis=1).replace(0, 1), axis=0)
    fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
    x = _years(start, med.index.to_numpy())
    ax.stackplot(
        x,
        *(med[k] for k in cols),
        labels=["entirely degenerated", "healthy but amorphous", "hardly affected"],
        colors=[COLOURS[v] for v in cols.values()],
        alpha=0.85,
    )
    calendar(ax, year_of(start, 0), year_of(start, horizon))
    ax.set(ylabel="share of cells", ylim=(0, 1))
    _legend(ax)
    return _svg(fig)


def zigzags(ts: pd.DataFrame, z: pd.DataFrame, run: int, start: dt.date, horizon: int) -> str:
    """The line of one run with its campaigns shaded and their drivers, and the drivers' shares
    over every run (when there was any campaign)."""
    g = ts[ts["run"] == run].sort_values("week")
    with_shares = len(z) > 0
    fig, axes = plt.subplots(
        1, 2 if with_shares else 1, figsize=(WIDTH + 1.6, 2.6), squeeze=False,
        gridspec_kw={"width_ratios": [3, 1]} if with_shares else None,
    )  # fmt: skip
    ax = axes[0, 0]
    x = _years(start, g["week"].to_numpy())
    ax.plot(x, g["line"], color="k", lw=1.4, label="the line")
    for _, c in z[z["run"] == run].iterrows():
        a = year_of(start, c["start"])
        colour = "#b2182b" if c["direction"] == "left" else "#2166ac"
        ax.axvspan(a, a + c["weeks"] * 7 / DAYS_PER_YEAR, color=colour, alpha=0.15, lw=0)
    calendar(ax, year_of(start, 0), year_of(start, horizon))
    ax.set(ylabel="line (-1 Right, +1 Left)")
    if with_shares:
        bx = axes[0, 1]
        shares = z.groupby(["direction", "driver"]).size().unstack(fill_value=0)
        shares = shares.div(shares.sum(axis=1), axis=0)
        shares.index = [f"{d} turns" for d in shares.index]
        shares.plot.bar(stacked=True, ax=bx, legend=False, rot=0)
        bx.set(ylabel="share of zig-zags", xlabel="", ylim=(0, 1))
        _legend(bx)
    return _svg(fig)


def bars(table: pd.DataFrame, value: str, low: str, high: str, label: str) -> str:
    """Horizontal bars with intervals, one per row of `table` (index = names)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.5 + 0.35 * len(table)))
    y = np.arange(len(table))
    err = np.vstack([table[value] - table[low], table[high] - table[value]])
    ax.barh(y, table[value], xerr=np.nan_to_num(err), color="#b2182b", alpha=0.7, capsize=3)
    ax.set_yticks(y, table.index)
    ax.set(xlabel=label)
    return _svg(fig)


def incidence(
    curves: dict[str, pd.DataFrame], outcomes: list[str], starts: dict[str, dt.date]
) -> str:
    """The cumulative incidence of each outcome in `outcomes` (one panel each), one line per
    experiment, against calendar years."""
    cols = min(2, len(outcomes))
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(WIDTH + 1.6, 2.4 * rows), squeeze=False, sharey=True
    )
    first = min(year_of(starts[n], 0) for n in curves)
    last = max(year_of(starts[n], c["week"].iloc[-1]) for n, c in curves.items())
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        for i, (name, c) in enumerate(curves.items()):
            ax.step(_years(starts[name], c["week"]), c[outcome], where="post", color=f"C{i}",
                    label=name)  # fmt: skip
        calendar(ax, first, last)
        ax.set(ylabel=f"P({outcome}) by then", ylim=(0, 1.02))
        ax.set_title(outcome, fontsize=9)
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, frameon=False, fontsize=8, loc="upper center",
               bbox_to_anchor=(0.5, 0), ncol=min(3, len(labels)))  # fmt: skip
    fig.tight_layout()
    return _svg(fig)


def hazard(hazards: list[float], start: dt.date, horizon: int) -> str:
    """Q6: the hazard of Thermidor in each year of the runs (a bar spans its year)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 2.4))
    first = year_of(start, 0)
    width = 1.0
    lefts = first + np.arange(len(hazards))
    ax.bar(lefts, np.nan_to_num(hazards), width=width * 0.95, align="edge",
           color=COLOURS["Thermidor"])  # fmt: skip
    calendar(ax, first, max(year_of(start, horizon), lefts[-1] + width))
    ax.set(ylabel="P(Thermidor in the year\n| open at its start)")
    return _svg(fig)


def guillotine(ts: pd.DataFrame, scale: float, start: dt.date, horizon: int) -> str:
    """Q6: expelled, exiled and capitulated persons (medians over runs, agents / scale)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 2.4))
    labels = {"expelled": "expelled", "exiled": "in exile", "capitulated": "capitulated"}
    for column, label in labels.items():
        if column in ts:
            w = _wide(ts, column)
            ax.plot(_years(start, w.index.to_numpy()), w.median(axis=1) / scale, label=label)
    calendar(ax, year_of(start, 0), year_of(start, horizon))
    ax.set(ylabel="persons (median)")
    _persons_axis(ax)
    _legend(ax)
    return _svg(fig)


def survival(blocs: dict[str, pd.DataFrame], horizon: int) -> str:
    """Q7: Kaplan-Meier share of blocs still united by years since they formed (a bloc united at
    the end of its run is censored there). The axis is a duration, not a date."""
    fig, ax = plt.subplots(figsize=(WIDTH, 2.4))
    for i, (name, b) in enumerate(blocs.items()):
        if not len(b):
            continue
        per_run = b.groupby("run").agg(weeks=("weeks_united", "min"), alive=("alive_at_end", "all"))
        t = np.arange(horizon + 1)
        ax.step(t * 7 / DAYS_PER_YEAR, kaplan_meier(per_run["weeks"], ~per_run["alive"], t),
                where="post", color=f"C{i}", label=name)  # fmt: skip
    ax.set(xlabel="years since the bloc formed", ylabel="share of blocs still united",
           ylim=(0, 1.02))  # fmt: skip
    _legend(ax)
    return _svg(fig)


KIND_LABELS = {"factory": "factory", "rural": "rural", "institution": "institution",
               "army_school": "army & school"}  # fmt: skip


def heatmap(cells: pd.DataFrame, weeks: list[int], start: dt.date) -> str:
    """The nuclei at a glance: one panel per date; a row per region, a block per kind of cell,
    a square per cell coloured by its mean d (white 0, black 1)."""
    kinds = [k for k in KIND_LABELS if k in set(cells["kind"])] + sorted(
        set(cells["kind"]) - set(KIND_LABELS)
    )
    regions = sorted(cells["region"].unique())
    per = cells.groupby(["week", "region", "kind"])["cell"].nunique()
    widths = {k: int(per.xs(k, level="kind").max()) for k in kinds}
    fig, axes = plt.subplots(
        len(weeks), 1, figsize=(WIDTH, 0.6 + (0.35 + 0.16 * len(regions)) * len(weeks)),
        squeeze=False,
    )  # fmt: skip
    im = None
    for ax, week in zip(axes[:, 0], weeks, strict=True):
        snap = cells[cells["week"] == week]
        grid = np.full((len(regions), sum(widths.values()) + len(kinds) - 1), np.nan)
        col0 = 0
        centres = []
        for k in kinds:
            for r_i, r in enumerate(regions):
                d = snap[(snap["region"] == r) & (snap["kind"] == k)].sort_values("cell")["mean_d"]
                grid[r_i, col0 : col0 + len(d)] = d.to_numpy()
            centres.append(col0 + (widths[k] - 1) / 2)
            col0 += widths[k] + 1
        im = ax.imshow(grid, cmap="Greys", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        step = max(1, int(np.ceil(len(regions) / 10)))
        ax.set_yticks(range(0, len(regions), step), [f"region {regions[i] + 1}" for i in
                      range(0, len(regions), step)], fontsize=7)  # fmt: skip
        ax.set_xticks(centres, [KIND_LABELS.get(k, k) for k in kinds], fontsize=8)
        ax.tick_params(length=0)
        ax.set_ylabel(day(date_at(start, week)), fontsize=8, rotation=0, ha="right", va="center")
        for s in ax.spines.values():
            s.set_visible(False)
    fig.colorbar(im, ax=axes[:, 0].tolist(), label="mean d of the cell", fraction=0.03)
    return _svg(fig)


def tornado(indices: pd.DataFrame, label: str) -> str:
    """Sensitivity ranking: one bar per parameter, the largest on top."""
    ranked = indices.sort_values("index").tail(15)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.5 + 0.3 * len(ranked)))
    ax.barh(
        ranked["parameter"], ranked["index"], xerr=ranked.get("conf"), color="#4d4d4d", capsize=2
    )
    ax.set(xlabel=label)
    return _svg(fig)


DEFAULT_MARK = "default-threshold"  # the SVG group id of the scenario's threshold (tests read it)


def threshold(curves: dict[str, pd.DataFrame], main: str, parameter: str) -> str:
    """One outcome's probability over its threshold (one parameter): `main`'s curve with the
    band of its censored runs (p .. p_high), the other experiments' p as thin lines, and a
    dashed vertical line at `main`'s own threshold. Each frame holds threshold, p, p_high and
    default (`thermidor.analysis.thresholds.curves` for one outcome)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 2.4))
    for i, (name, g) in enumerate(curves.items()):
        x = g["threshold"].to_numpy(dtype=float)
        if name == main:
            if (g["p_high"] > g["p"]).any():
                ax.fill_between(x, g["p"], g["p_high"], color="C0", alpha=0.2, lw=0,
                                label=f"{name}: censored runs")  # fmt: skip
            ax.plot(x, g["p"], color="C0", lw=1.8, marker="o", ms=3, label=name, zorder=3)
        else:
            ax.plot(x, g["p"], color=f"C{i + 1}", lw=1, label=name)
    default = float(curves[main]["default"].iloc[0])
    mark = ax.axvline(
        default, color="k", ls="--", lw=1, label=f"the scenario's value ({default:g})"
    )
    mark.set_gid(DEFAULT_MARK)
    ax.set(xlabel=parameter, ylabel="share of runs", ylim=(0, 1.02))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    _legend(ax)
    return _svg(fig)
