"""The report's plots, each returned as an inline SVG string (no file, no network).

Matplotlib draws with the Agg-free SVG backend; text is converted to paths so the SVG needs no
font from anywhere. Every function takes plain DataFrames and returns `<svg ...>...</svg>`.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from thermidor.analysis.stats import kaplan_meier  # noqa: E402

plt.rcParams.update(
    {
        "svg.fonttype": "path",
        "svg.hashsalt": "thermidor",  # identical input, identical SVG
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
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
YEAR = 52.1775


def _svg(fig: plt.Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # RDF boilerplate
    return text[text.index("<svg") :]


def _years(weeks: np.ndarray) -> np.ndarray:
    return np.asarray(weeks) / YEAR


def _wide(ts: pd.DataFrame, column: str) -> pd.DataFrame:
    """Weeks by runs, each run's absorbed state carried forward to the last week."""
    w = ts.pivot_table(index="week", columns="run", values=column, aggfunc="first")
    return w.ffill()


def fan(ts: pd.DataFrame, columns: dict[str, str], title: str, ylabel: str = "") -> str:
    """Median and 50 % / 90 % bands over runs of each column, against years."""
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    for i, (column, label) in enumerate(columns.items()):
        w = _wide(ts, column)
        x = _years(w.index.to_numpy())
        q = np.nanquantile(w.to_numpy(dtype=float), [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
        colour = f"C{i}"
        ax.fill_between(x, q[0], q[4], color=colour, alpha=0.15, lw=0)
        ax.fill_between(x, q[1], q[3], color=colour, alpha=0.3, lw=0)
        ax.plot(x, q[2], color=colour, lw=1.6, label=label)
    ax.set(title=title, xlabel="years from the start", ylabel=ylabel)
    ax.legend(frameon=False, fontsize=8)
    return _svg(fig)


def q1_areas(ts: pd.DataFrame) -> str:
    """Stacked areas of the three kinds of nuclei of Q1 (medians over runs, renormalised)."""
    cols = {
        "cells_degenerated": "degenerated",
        "cells_amorphous": "amorphous",
        "cells_healthy": "healthy",
    }
    med = pd.DataFrame({k: _wide(ts, k).median(axis=1) for k in cols})
    med = med.div(med.sum(axis=1).replace(0, 1), axis=0)
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    x = _years(med.index.to_numpy())
    ax.stackplot(
        x,
        *(med[k] for k in cols),
        labels=["entirely degenerated", "healthy but amorphous", "hardly affected"],
        colors=[COLOURS[v] for v in cols.values()],
        alpha=0.85,
    )
    ax.set(
        title="Q1: the nuclei of the party",
        xlabel="years from the start",
        ylabel="share of cells",
        ylim=(0, 1),
    )
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return _svg(fig)


def zigzags(ts: pd.DataFrame, z: pd.DataFrame) -> str:
    """The line of one run with its campaigns shaded and their drivers, and the drivers' shares."""
    run = ts["run"].min()
    g = ts[ts["run"] == run].sort_values("week")
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(7.6, 2.8), gridspec_kw={"width_ratios": [3, 1]})
    x = _years(g["week"].to_numpy())
    ax.plot(x, g["line"], color="k", lw=1.4)
    for _, c in z[z["run"] == run].iterrows():
        a = c["start"] / YEAR
        colour = "#b2182b" if c["direction"] == "left" else "#2166ac"
        ax.axvspan(a, a + c["weeks"] / YEAR, color=colour, alpha=0.15, lw=0)
        ax.annotate(c["driver"], (a, g["line"].max()), fontsize=7, color=colour)
    ax.set(
        title=f"Q4: the Centre's line and its zig-zags (run {run})", xlabel="years", ylabel="line"
    )
    shares = (
        z.groupby(["direction", "driver"]).size().unstack(fill_value=0)
        if len(z)
        else pd.DataFrame()
    )
    if len(shares):
        shares.div(shares.sum(axis=1), axis=0).plot.bar(stacked=True, ax=bx, legend=True, rot=0)
        bx.legend(frameon=False, fontsize=7)
    bx.set(title="what drove them", ylabel="share of zig-zags", xlabel="")
    return _svg(fig)


def bars(table: pd.DataFrame, value: str, low: str, high: str, label: str, title: str) -> str:
    """Horizontal bars with intervals, one per row of `table` (index = names)."""
    fig, ax = plt.subplots(figsize=(6.4, 0.4 + 0.35 * len(table)))
    y = np.arange(len(table))
    err = np.vstack([table[value] - table[low], table[high] - table[value]])
    ax.barh(y, table[value], xerr=np.nan_to_num(err), color="#b2182b", alpha=0.7, capsize=3)
    ax.set_yticks(y, table.index)
    ax.set(title=title, xlabel=label)
    return _svg(fig)


def incidence(curves: dict[str, pd.DataFrame], outcome: str, title: str) -> str:
    """The cumulative incidence of `outcome` over time, one line per experiment."""
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    for i, (name, c) in enumerate(curves.items()):
        ax.step(_years(c["week"]), c[outcome], where="post", color=f"C{i}", label=name)
    ax.set(title=title, xlabel="years from the start", ylabel=f"P({outcome}) by then", ylim=(0, 1))
    ax.legend(frameon=False, fontsize=8)
    return _svg(fig)


def hazard(hazards: list[float], ts: pd.DataFrame) -> str:
    """Q6: the yearly hazard of Thermidor beside expulsions and exiles (medians over runs)."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(7.6, 2.8))
    ax.bar(np.arange(1, len(hazards) + 1), np.nan_to_num(hazards), color=COLOURS["Thermidor"])
    ax.set(title="Q6: hazard of Thermidor", xlabel="year", ylabel="P(in year | open at its start)")
    for column in ("expelled", "exiled", "capitulated"):
        w = _wide(ts, column)
        bx.plot(_years(w.index.to_numpy()), w.median(axis=1), label=column)
    bx.set(title="the dry guillotine", xlabel="years", ylabel="persons (median)")
    bx.legend(frameon=False, fontsize=8)
    return _svg(fig)


def survival(blocs: dict[str, pd.DataFrame], horizon: int) -> str:
    """Q7: Kaplan-Meier share of blocs still united by weeks since they formed (a bloc united at
    the end of its run is censored there)."""
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    for i, (name, b) in enumerate(blocs.items()):
        if not len(b):
            continue
        per_run = b.groupby("run").agg(weeks=("weeks_united", "min"), alive=("alive_at_end", "all"))
        t = np.arange(horizon + 1)
        ax.step(_years(t), kaplan_meier(per_run["weeks"], ~per_run["alive"], t), where="post",
                color=f"C{i}", label=name)  # fmt: skip
    ax.set(
        title="Q7: bloc survival",
        xlabel="years united",
        ylabel="share of blocs still united",
        ylim=(0, 1.02),
    )
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, fontsize=8)
    else:
        ax.text(0.5, 0.5, "no bloc in these experiments", ha="center", transform=ax.transAxes)
    return _svg(fig)


def heatmap(cells: pd.DataFrame, weeks: list[int]) -> str:
    """The nuclei at a glance: every cell, grouped by region and kind, coloured by mean d."""
    fig, axes = plt.subplots(len(weeks), 1, figsize=(7.6, 0.9 + 0.9 * len(weeks)), squeeze=False)
    for ax, week in zip(axes[:, 0], weeks, strict=True):
        snap = cells[cells["week"] == week].sort_values(["region", "kind", "cell"])
        side = int(np.ceil(np.sqrt(len(snap) * 8)))
        grid = np.full(side * int(np.ceil(len(snap) / side)), np.nan)
        grid[: len(snap)] = snap["mean_d"].to_numpy()
        im = ax.imshow(
            grid.reshape(-1, side),
            cmap="Greys",
            vmin=0,
            vmax=1,
            aspect="auto",
            interpolation="nearest",
        )
        ax.set_yticks([])
        ax.set_xticks([])
        ax.set_title(
            f"week {week}: cells ordered by region, then kind (dark = degenerated)", fontsize=8
        )
    fig.colorbar(im, ax=axes[:, 0].tolist(), label="mean d", fraction=0.03)
    return _svg(fig)


def tornado(indices: pd.DataFrame, title: str) -> str:
    """Sensitivity ranking: one bar per parameter, the largest on top."""
    ranked = indices.sort_values("index").tail(15)
    fig, ax = plt.subplots(figsize=(6.4, 0.5 + 0.3 * len(ranked)))
    ax.barh(
        ranked["parameter"], ranked["index"], xerr=ranked.get("conf"), color="#4d4d4d", capsize=2
    )
    ax.set(title=title, xlabel=ranked.attrs.get("label", "index"))
    return _svg(fig)
