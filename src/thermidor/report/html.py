"""The HTML report: one self-contained file, plots inline as SVG, no network, no script.

Sections: the ensembles (enough to reproduce them), the seven answers each with its plot, the
nuclei at a glance, the strategy comparison, the sensitivity ranking, and the letter against the
model. Every number comes from the experiments given; nothing is written in.
"""

from __future__ import annotations

import html

import pandas as pd

from thermidor.analysis.claims import Ensemble, hold_claims
from thermidor.analysis.compare import incidence, outcome_table
from thermidor.analysis.measures import at_week, blocs, zigzags
from thermidor.analysis.seven import QUESTIONS, blocs_line, one_line, seven_answers
from thermidor.analysis.stats import band
from thermidor.report import plots

CSS = """
body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}
blockquote{font-style:italic;color:#444;border-left:3px solid #b2182b;margin:.5rem 0;
padding-left:.8rem}table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
td,th{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:left}
.supported{color:#1a7f37}.reversed{color:#b2182b}.not{color:#777}figure{margin:.8rem 0}
.note{font-size:.85rem;color:#555}
"""


def _table(df: pd.DataFrame, floats: str = "{:.3f}") -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for v in r:
            text = floats.format(v) if isinstance(v, float) else str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _figure(svg: str, caption: str) -> str:
    return f'<figure>{svg}<figcaption class="note">{html.escape(caption)}</figcaption></figure>'


def _section(title: str, body: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{body}</section>'


def build(
    experiments: dict[str, Ensemble],
    main: str,
    meta: dict[str, dict],
    sensitivity: pd.DataFrame | None = None,
) -> str:
    """The report as one HTML string. `main` names the experiment the seven answers are read on;
    `meta[name]` holds what reproduces each experiment (scenario hash, seeds, runs, version)."""
    ens = experiments[main]
    answers = seven_answers(ens.timeseries, ens.outcomes, ens.horizon)
    z = zigzags(ens.timeseries)
    curves = {n: incidence(e.outcomes, e.horizon) for n, e in experiments.items()}
    parts = [f"<h1>thermidor: the seven answers ({html.escape(main)})</h1>"]
    parts.append(
        '<p class="note">Every figure below is measured on the ensembles listed here, under '
        "the model's assumptions (docs/ODD.md). The verdicts hold for these assumptions and "
        "parameters only; the sensitivity analysis shows which parameters decide them.</p>"
    )
    rows = pd.DataFrame(
        [{"experiment": n, **{k: str(v) for k, v in meta.get(n, {}).items()}} for n in experiments]
    )
    parts.append(_section("The ensembles", _table(rows), "ensembles"))

    ts = ens.timeseries
    bands = "Median, 50 % and 90 % bands over runs."
    plots_for = {
        "Q1": [
            _figure(
                plots.q1_areas(ts),
                "Median shares of the three kinds of nuclei over time (cut-offs on mean d and "
                "activity: docs/ODD.md).",
            )
        ],
        "Q2": [
            _figure(
                plots.fan(
                    ts,
                    {"institution_d": "Soviet apparatus", "functionary_d": "party apparatus"},
                    "Q2: degeneration of the Soviet and the party apparatus",
                    "mean d",
                ),
                bands,
            )
        ],
        "Q3": [
            _figure(
                plots.fan(
                    ts,
                    {"pi": "pi", "beta": "beta"},
                    "Q3: the proletariat's power (pi) and the bureaucracy's autonomy (beta)",
                ),
                bands,
            )
        ],
        "Q4": [
            _figure(plots.fan(ts, {"line": "line"}, "Q4: the Centre's line"), bands),
            _figure(
                plots.zigzags(ts, z),
                "One run's line, its campaigns (red: against the Right, blue: against the Left) "
                "and their drivers.",
            ),
        ],
        "Q5": [
            _figure(
                plots.bars(
                    _q5(experiments),
                    "median",
                    "low",
                    "high",
                    "share moved left (median, 90 % band)",
                    "Q5: confident worker members won over, by scenario",
                ),
                "Worker members with confidence >= 0.25 at the start whose stance moved left by "
                "the horizon.",
            )
        ],
        "Q6": [
            _figure(
                plots.hazard(answers["Q6"]["thermidor"]["hazard_by_year"], ts),
                "The yearly hazard of Thermidor and the dry guillotine.",
            ),
            _figure(
                plots.incidence(curves, "Thermidor", "Q6: cumulative probability of Thermidor"),
                "Aalen-Johansen estimate, by scenario.",
            ),
        ],
        "Q7": [
            _figure(
                plots.survival(
                    {n: blocs(e.timeseries) for n, e in experiments.items()}, ens.horizon
                ),
                "Blocs still united by weeks since they formed, by scenario (only scenarios with "
                "a bloc).",
            )
        ],
    }
    body = []
    blocs_all = blocs_line({n: e.timeseries for n, e in experiments.items()})
    for q, text in QUESTIONS.items():
        line = blocs_all if q == "Q7" and blocs_all else one_line(answers, q)
        body.append(f"<h3>{q}</h3><blockquote>{html.escape(text)}</blockquote>")
        body.append(f"<p><b>Measured:</b> {html.escape(line)}</p>")
        body.extend(plots_for[q])
    parts.append(_section("The seven answers", "".join(body), "answers"))

    if ens.cells is not None and len(ens.cells):
        first_run = ens.cells[ens.cells["run"] == ens.cells["run"].min()]
        weeks = sorted(first_run["week"].unique())
        chosen = sorted({weeks[0], weeks[len(weeks) // 2], weeks[-1]})
        heat = _figure(
            plots.heatmap(first_run, chosen), "Every cell of one run, grouped by region and kind."
        )
        parts.append(_section("The nuclei at a glance", heat, "nuclei"))

    table = outcome_table({n: e.outcomes for n, e in experiments.items()})
    first = next(iter(experiments))
    comparison = _table(table.drop(columns=["count"]))
    for outcome in ("reform", "Thermidor", "bureaucratic consolidation"):
        comparison += _figure(
            plots.incidence(curves, outcome, f"cumulative probability of {outcome}"),
            f"By scenario; differences in the table are against {first}.",
        )
    parts.append(_section("The strategies compared", comparison, "compare"))

    if sensitivity is not None and len(sensitivity):
        sens = "".join(
            _figure(plots.tornado(g, f"sensitivity of {target}"), "Parameters ranked by index.")
            for target, g in sensitivity.groupby("target")
        )
        parts.append(_section("Sensitivity", sens + _table(sensitivity), "sensitivity"))

    claims = hold_claims(experiments)
    items = []
    for _, c in claims.iterrows():
        cls = c["verdict"].split()[0]
        deciders = _deciders(sensitivity, c["claim"])
        items.append(
            f"<h3>Claim {c['claim']}</h3><blockquote>{html.escape(c['quote'])}</blockquote>"
            f"<p>{html.escape(c['measure'])}: <b>{c['estimate']:.3f}</b> "
            f'[{c["low"]:.3f}, {c["high"]:.3f}] — <span class="{cls}">{c["verdict"]}</span>'
            f" at these parameters ({html.escape(c['scenarios'])}).{deciders}</p>"
        )
    parts.append(_section("The letter against the model", "".join(items), "claims"))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>thermidor report: {html.escape(main)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def _q5(experiments: dict[str, Ensemble]) -> pd.DataFrame:
    rows = {}
    for n, e in experiments.items():
        v = at_week(e.timeseries, e.horizon, ["q5_moved_left"])["q5_moved_left"].to_numpy()
        rows[n] = dict(zip(("median", "low", "high"), band(v), strict=True))
    return pd.DataFrame(rows).T


# the sensitivity target that measures each claim's quantity, where one does
CLAIM_TARGETS = {
    1: ("P(reform)", "P(Thermidor)"),
    2: ("P(reform | reform) - P(reform | corpse)",),
    3: ("P(Thermidor)",),
    5: ("P(reform)", "P(Thermidor)"),
}


def _deciders(sensitivity: pd.DataFrame | None, claim: int) -> str:
    if sensitivity is None or not len(sensitivity):
        return " (no sensitivity analysis given)"
    targets = CLAIM_TARGETS.get(claim)
    if targets is None:
        return " (its measure is not a target of the sensitivity analysis)"
    rows = sensitivity[sensitivity["target"].isin(targets) & (sensitivity["index"] > 0)]
    if not len(rows):
        return " No varied parameter moved " + " or ".join(targets) + " in the analysis."
    top = rows.sort_values("index", ascending=False)["parameter"].drop_duplicates().head(3)
    return (
        f" Parameters that decide {' and '.join(targets)} (largest indices): "
        + html.escape(", ".join(top))
        + "."
    )
