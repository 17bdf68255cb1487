"""The HTML report: one self-contained file, plots inline as SVG, no network, no script.

Written for a reader who is not the model's author (a historian, a teacher): calendar dates on
every time axis, real persons (agents / scale), plain numbers, a sentence in words under each
answer, a glossary, a table of contents, the version and the date. An outcome that never occurs
is said in one line, not drawn as an empty plot. Sections: how to read it, the ensembles, the
seven answers, the nuclei at a glance, the comparison, the outcomes over their thresholds, the
sensitivity ranking, the letter against the model, the glossary. Every number comes from the
experiments given.
"""

from __future__ import annotations

import datetime as dt
import html
import math

import pandas as pd

from thermidor import __version__
from thermidor.analysis.claims import Ensemble, hold_claims
from thermidor.analysis.compare import differences, incidence, is_strategy, outcome_table
from thermidor.analysis.measures import at_week, blocs, zigzags
from thermidor.analysis.seven import QUESTIONS, blocs_line, one_line, seven_answers
from thermidor.analysis.stats import band
from thermidor.report import plots
from thermidor.report.glossary import GLOSSARY
from thermidor.report.reading import plain_reading
from thermidor.report.words import date_at, day, one_in, plain, share

CSS = """
body{font-family:Georgia,serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222;
line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;
margin-top:2.2rem}blockquote{font-style:italic;color:#444;border-left:3px solid #b2182b;
margin:.5rem 0;padding-left:.8rem}.wide{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600}.num{text-align:right;white-space:nowrap}
.supported{color:#1a7f37}.reversed{color:#b2182b}.not{color:#777}
figure{margin:.8rem 0}figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.85rem;color:#444}figcaption b{color:#222}
.note{font-size:.85rem;color:#555}.plain{background:#f6f3ee;padding:.4rem .7rem;margin:.4rem 0}
.none{font-style:italic;color:#555}nav ol{columns:2;font-size:.95rem}
dt{font-weight:600;margin-top:.5rem}dd{margin-left:1.2rem}
"""


def _cell(v: object) -> str:
    if isinstance(v, float | int) and not isinstance(v, bool):
        return f'<td class="num">{html.escape(plain(v))}</td>'
    return f"<td>{html.escape(str(v))}</td>"


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = ["<tr>" + "".join(_cell(v) for v in r) + "</tr>" for _, r in df.iterrows()]
    return f'<div class="wide"><table><tr>{head}</tr>{"".join(rows)}</table></div>'


def _figure(svg: str, title: str, caption: str = "") -> str:
    text = f"<b>{html.escape(title)}.</b> {html.escape(caption)}".rstrip()
    return f"<figure>{svg}<figcaption>{text}</figcaption></figure>"


def _none(text: str) -> str:
    """What stands in for a plot that would be empty."""
    return f'<p class="none">{html.escape(text)}</p>'


def _section(title: str, body: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{body}</section>'


def _start(e: Ensemble) -> dt.date:
    return e.scenario.start if e.scenario is not None else dt.date(1928, 10, 1)


def _scale(e: Ensemble) -> float | None:
    return e.scenario.scale if e.scenario is not None else None


def _ended(e: Ensemble) -> str:
    """Whether the bands include runs that ended early (they keep their last state)."""
    n = len(e.outcomes)
    ended = int((e.outcomes["outcome"] != "duality open").sum())
    if ended == 0:
        return f"All {n} runs were still open at the horizon."
    return (
        f"{ended} of {n} runs ended in an outcome before the horizon; an ended run keeps its "
        "last state in the bands (the outcomes are absorbing)."
    )


def _what_differs(experiments: dict[str, Ensemble]) -> tuple[dict[str, dict], bool]:
    """Each experiment's differences from the first, and whether they are all strategies."""
    dumps = {n: e.scenario.model_dump(mode="json") for n, e in experiments.items() if e.scenario}
    if len(dumps) < 2:
        return {}, True
    first = next(iter(dumps.values()))
    diffs = {n: differences(first, d) for n, d in list(dumps.items())[1:]}
    only = all(is_strategy(k) for d in diffs.values() for k in d)
    return diffs, only


def _short(v: object) -> str:
    text = str(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _differs_text(d: dict, limit: int = 6) -> str:
    items = [f"{k}: {_short(a)} → {_short(b)}" for k, (a, b) in d.items()]
    more = f"; and {len(items) - limit} more" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more if items else "nothing but the name and seed"


def build(
    experiments: dict[str, Ensemble],
    main: str,
    meta: dict[str, dict],
    sensitivity: pd.DataFrame | None = None,
    sensitivity_meta: dict | None = None,
    made: dt.date | None = None,
    over_thresholds: dict[str, pd.DataFrame] | None = None,
    discovery: tuple[list[tuple[list, str]], dict] | None = None,
    calibration: dict | None = None,
) -> str:
    """The report as one HTML string. `main` names the experiment the seven answers are read on;
    `meta[name]` holds what reproduces each experiment (runs, scale, seed, directory);
    `sensitivity_meta` what the sensitivity analysis ran (method, points, runs, scale); `made`
    the date printed (today, UTC, by default); `over_thresholds[name]` each experiment's outcome
    probabilities over their thresholds (`thermidor.analysis.thresholds.curves`), drawn for
    `main` when given; `discovery` the maps of PRIM's boxes (each: the boxes of `thermidor
    discover` and what the map is over) and what closes the outcomes none of them reached
    (`thermidor.analysis.closure.closures`), for the section "Where each outcome lives";
    `calibration` the data of the section on the posterior and the retrodiction
    (`thermidor.report.calibration.inputs`)."""
    made = made or dt.datetime.now(dt.UTC).date()
    ens = experiments[main]
    start, scale = _start(ens), _scale(ens)
    end_date = day(date_at(start, ens.horizon))
    by_end = f"by {end_date}"
    answers = seven_answers(ens.timeseries, ens.outcomes, ens.horizon)
    z = zigzags(ens.timeseries)
    curves = {n: incidence(e.outcomes, e.horizon) for n, e in experiments.items()}
    starts = {n: _start(e) for n, e in experiments.items()}
    diffs, only_strategies = _what_differs(experiments)
    compare_title = "The strategies compared" if only_strategies else "The scenarios compared"
    sections: list[tuple[str, str, str]] = []  # (anchor, title, body)

    scale_words = (
        f"Runs at scale {one_in(scale)}: every count of persons is the count of agents divided "
        "by the scale."
        if scale
        else "Counts are of agents (no scale recorded)."
    )
    intro = (
        f"<p>This report measures the seven questions of Trotsky's letter to Borodai (end of "
        f"1928) on simulated histories of the Soviet party from {day(start)} to {end_date}. "
        f"Each history (a <i>run</i>) is one draw of chance under the same assumptions; an "
        f"<i>ensemble</i> is many runs. Curves show the median run and the bands within which "
        f"50 % and 90 % of the runs lie. {html.escape(scale_words)}</p>"
        "<p>Every figure is measured under the model's assumptions (docs/ODD.md, docs/design.md)"
        " and holds for these parameters only; the sensitivity analysis shows which parameters "
        "decide them. The words the report uses are defined in the "
        '<a href="#glossary">glossary</a>.</p>'
    )
    sections.append(("reading", "How to read this report", intro))

    rows = []
    for n, e in experiments.items():
        m = meta.get(n, {})
        s = _scale(e) or m.get("scale")
        rows.append(
            {
                "scenario": n,
                "runs": m.get("runs", len(e.outcomes)),
                "from": day(_start(e)),
                "to": day(date_at(_start(e), e.horizon)),
                "weeks": e.horizon,
                "scale": one_in(float(s)) if s else "–",
                "root seed": str(m.get("root seed", "–")),
                "differs from the first by": _differs_text(diffs[n]) if n in diffs else "–",
                "parameters": str(m.get("parameters", "the scenario's")),
                "directory": str(m.get("directory", "–")),
            }
        )
    table = pd.DataFrame(rows)
    if not any("parameters" in meta.get(n, {}) for n in experiments):
        table = table.drop(columns="parameters")  # every run at its scenario's values
    sections.append(("ensembles", "The ensembles", _table(table)))

    ts = ens.timeseries
    bands = f"Median, 50 % and 90 % bands over the runs of {main}. {_ended(ens)}"
    never = [o for o in curves[main].columns[1:] if not (ens.outcomes["outcome"] == o).any()]
    hazards = answers["Q6"]["thermidor"]["hazard_by_year"]
    q6 = []
    if "Thermidor" in never:
        q6.append(_none(
            f"No run of {main} ended in Thermidor {by_end} (0 of {len(ens.outcomes)}): the "
            "yearly hazard of Thermidor is zero throughout, so it is not drawn."
        ))  # fmt: skip
    else:
        q6.append(_figure(
            plots.hazard(hazards, start, ens.horizon),
            f"The yearly hazard of Thermidor, {main}",
            "The share of the runs still open at the start of each year of the runs that end in "
            "Thermidor within it (a bar spans its year).",
        ))  # fmt: skip
    cols = [c for c in ("expelled", "exiled", "capitulated") if c in ts]
    if cols and scale and (ts[cols].fillna(0).to_numpy() > 0).any():
        q6.append(_figure(
            plots.guillotine(ts, scale, start, ens.horizon),
            "The dry guillotine",
            f"Persons expelled, in exile and capitulated (median over runs; agents ÷ scale, "
            f"at {one_in(scale)}). {_ended(ens)}",
        ))  # fmt: skip
    else:
        q6.append(_none(f"No one was expelled, exiled or capitulated in {main} {by_end}."))
    all_blocs = {n: blocs(e.timeseries) for n, e in experiments.items()}
    with_blocs = {n: b for n, b in all_blocs.items() if len(b)}
    plots_for = {
        "Q1": [_figure(
            plots.q1_areas(ts, start, ens.horizon), "The nuclei of the party",
            "Median shares of the three kinds of cells of the letter (cut-offs on mean d and "
            f"activity: docs/ODD.md, S14). {_ended(ens)}",
        )],
        "Q2": [_figure(
            plots.fan(ts, {"institution_d": "Soviet apparatus", "functionary_d": "party apparatus"},
                      start, ens.horizon, "mean d (0 none, 1 entire)"),
            "Degeneration of the Soviet and the party apparatus", bands,
        )],
        "Q3": [_figure(
            plots.fan(ts, {"pi": "π, the proletariat's power", "beta": "β, the bureaucracy's "
                           "autonomy"}, start, ens.horizon, "share (0 to 1)"),
            "The proletariat's power and the bureaucracy's autonomy", bands,
        )],
        "Q4": [
            _figure(plots.fan(ts, {"line": "the line"}, start, ens.horizon,
                              "line (-1 Right, +1 Left)"),
                    "The Centre's line", bands),
            _figure(
                plots.zigzags(ts, z, int(ts["run"].min()), start, ens.horizon),
                f"One run's line and its zig-zags (run {int(ts['run'].min())} of {main})",
                "Shaded: its campaigns (red: against the Right, a left turn; blue: against the "
                "Left, a right turn). Right: what drove the campaigns of every run (the largest "
                "pressure when each began: the masses, the grain strike's threat, or the "
                "apparatus' drift)." if len(z) else "No campaign in any run.",
            ),
        ],
        "Q5": [_figure(
            plots.bars(_q5(experiments), "median", "low", "high",
                       "share moved left (median, 90 % band)"),
            "Confident worker members won over, by scenario",
            f"Worker members with confidence at least 0.25 at the start whose stance moved left "
            f"{by_end}.",
        )],
        "Q6": q6,
        "Q7": [_figure(
            plots.survival(with_blocs, ens.horizon), "Bloc survival, by scenario",
            "Share of blocs still united by the years since they formed (Kaplan-Meier; a bloc "
            "united at the end of its run counts as still united then). Only scenarios with a "
            "bloc.",
        )] if with_blocs else [_none("No bloc formed in any scenario here: nothing to draw.")],
    }  # fmt: skip
    body = []
    blocs_all = blocs_line({n: e.timeseries for n, e in experiments.items()})
    for q, text in QUESTIONS.items():
        line = blocs_all if q == "Q7" and blocs_all else one_line(answers, q, scale)
        reading = (
            _q7_reading(with_blocs, by_end)
            if q == "Q7" and with_blocs
            else plain_reading(answers, q, scale, by_end)
        )
        body.append(f'<h3 id="{q.lower()}">{q}</h3><blockquote>{html.escape(text)}</blockquote>')
        body.append(f"<p><b>Measured:</b> {html.escape(line)}</p>")
        body.append(f'<p class="plain"><b>In plain words:</b> {html.escape(reading)}</p>')
        body.extend(plots_for[q])
    sections.append(("answers", f"The seven answers ({main})", "".join(body)))

    if ens.cells is not None and len(ens.cells):
        run = int(ens.cells["run"].min())
        first_run = ens.cells[ens.cells["run"] == run]
        weeks = sorted(first_run["week"].unique())
        chosen = sorted({weeks[0], weeks[len(weeks) // 2], weeks[-1]})
        heat = _figure(
            plots.heatmap(first_run, chosen, start),
            f"Every cell of run {run} of {main} at three dates",
            "A row per region, a block per kind of cell (factory, rural, institution, army and "
            "school), a square per cell, coloured by the mean degeneration d of its members "
            "(white: none, black: entire). Empty: no cell of that kind in that region.",
        )
        sections.append(("nuclei", "The nuclei at a glance", heat))

    sections.append(("compare", compare_title, _comparison(experiments, curves, starts, diffs,
                                                             only_strategies, by_end)))  # fmt: skip

    if over_thresholds and main in over_thresholds:
        sections.append(("thresholds", "Outcomes over their thresholds",
                         _over_thresholds(over_thresholds, main)))  # fmt: skip

    if sensitivity is not None and len(sensitivity):
        sections.append(("sensitivity", "Sensitivity", _sensitivity(sensitivity,
                                                                    sensitivity_meta)))  # fmt: skip

    if calibration is not None:
        from thermidor.report.calibration import section as calibration_section

        sections.append(("calibration", "Calibrated to 1928-29, tested on 1930-32",
                         calibration_section(**calibration)))  # fmt: skip

    if discovery is not None:
        from thermidor.report.discovery import section as discovery_section

        sections.append(("discovery", "Where each outcome lives", discovery_section(*discovery)))

    claims = hold_claims(experiments)
    items = []
    for _, c in claims.iterrows():
        cls = c["verdict"].split()[0]
        deciders = _deciders(sensitivity, c["claim"])
        scenarios = html.escape(c["scenarios"])
        if math.isnan(c["estimate"]):
            result = (
                f'<span class="{cls}">{c["verdict"]}</span>: its scenarios ({scenarios}) are '
                "not all among the experiments of this report."
            )
        else:
            k = 1 / scale if c.get("persons") and scale else 1  # agents -> persons
            unit = " persons" if k != 1 else ""
            result = (
                f"<b>{plain(c['estimate'] * k, 3)}</b> [{plain(c['low'] * k, 3)}, "
                f'{plain(c["high"] * k, 3)}]{unit} — <span class="{cls}">{c["verdict"]}</span> '
                f"at these parameters ({scenarios}).{deciders}"
            )
        items.append(
            f"<h3>Claim {c['claim']}</h3><blockquote>{html.escape(c['quote'])}</blockquote>"
            f"<p>{html.escape(c['measure'])}: {result}</p>"
        )
    claims_intro = (
        '<p class="note">Supported: the interval lies on the side the letter claims; reversed: '
        "on the other side; not supported: it includes no effect, at this number of runs and "
        "these parameters.</p>"
    )
    sections.append(("claims", "The letter against the model", claims_intro + "".join(items)))

    terms = "".join(f"<dt>{html.escape(t)}</dt><dd>{html.escape(d)}</dd>" for t, d in GLOSSARY)
    sections.append(("glossary", "Glossary", f"<dl>{terms}</dl>"))

    toc = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for a, t, _ in sections)
    head = (
        f"<h1>thermidor: the seven answers ({html.escape(main)})</h1>"
        f'<p class="note">thermidor {__version__} · report made {made.isoformat()} · the '
        f"letter's text ships with the package (thermidor.data.letter())</p>"
        f'<nav id="contents"><h2>Contents</h2><ol>{toc}</ol></nav>'
    )
    parts = [head] + [_section(t, b, a) for a, t, b in sections]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>thermidor report: {html.escape(main)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def _q7_reading(with_blocs: dict[str, pd.DataFrame], by_end: str) -> str:
    parts = []
    for name, b in with_blocs.items():
        alive = b.groupby("run")["alive_at_end"].all().mean()
        parts.append(f"in {name}, {share(alive)} of the blocs were still united {by_end}")
    return "Unity is measured, not assumed: " + "; ".join(parts) + "."


def _comparison(
    experiments: dict[str, Ensemble],
    curves: dict[str, pd.DataFrame],
    starts: dict[str, dt.date],
    diffs: dict[str, dict],
    only_strategies: bool,
    by_end: str,
) -> str:
    """One row per scenario, a column per outcome reached: its probability with the 95 %
    interval, and the difference from the first scenario; outcomes never reached in one line."""
    table = outcome_table({n: e.outcomes for n, e in experiments.items()})
    first = next(iter(experiments))
    reached = [
        o for o in table["outcome"].unique() if table.loc[table["outcome"] == o, "count"].sum()
    ]
    never = [o for o in table["outcome"].unique() if o not in reached]
    out = []
    if not only_strategies:
        items = "".join(
            f"<li><b>{html.escape(n)}</b>: {html.escape(_differs_text(d, 12))}</li>"
            for n, d in diffs.items()
        )
        out.append(
            f"<p>These scenarios differ by more than their strategies; what each changes against "
            f'{html.escape(first)}:</p><ul>{items}</ul><p class="note">A difference in outcome '
            "below may come from any of these changes, not from a strategy alone.</p>"
        )
    rows = []
    for n in experiments:
        t = table[table["experiment"] == n].set_index("outcome")
        row = {"scenario": n, "runs": int(t["runs"].iloc[0])}
        for o in reached:
            r = t.loc[o]
            cell = f"{share(r['p'])} [{share(r['p_low'])}, {share(r['p_high'])}]"
            if n != first:
                sign = "+" if r["diff"] > 0 else ""
                cell += (
                    f"; {sign}{r['diff'] * 100:.0f} points [{r['diff_low'] * 100:+.0f}, "
                    f"{r['diff_high'] * 100:+.0f}] against {first}"
                )
            row[f"P({o}) [95 %]"] = cell
        rows.append(row)
    out.append(_table(pd.DataFrame(rows)))
    out.append(
        '<p class="note">Each share of runs with its 95 % interval (Wilson); the difference from '
        f"{html.escape(first)} in percentage points with its 95 % interval (Newcombe).</p>"
    )
    if never:
        out.append(_none(
            f"Never reached in any run of any scenario {by_end}: {', '.join(never)}."
        ))  # fmt: skip
    events = [o for o in reached if o != "duality open"]
    if events:
        out.append(_figure(
            plots.incidence(curves, events, starts),
            "When the outcomes came",
            "Cumulative probability of each outcome reached, by date and scenario "
            "(Aalen-Johansen estimate: outcomes compete and end a run).",
        ))  # fmt: skip
    return "".join(out)


def _over_thresholds(over: dict[str, pd.DataFrame], main: str) -> str:
    """Per outcome, its probability over the threshold that decides it, replayed on the stored
    weeks of `main` (the other experiments as thin lines); an outcome no run of `main` reaches at
    any threshold of its grid (p 0 throughout) is said in one line."""
    out = [
        "<p>An outcome is declared when a quantity of the model crosses a threshold (docs/ODD.md, "
        "S13). These thresholds are assumptions, so each outcome's probability is shown over its "
        "threshold: for each value on the axis, the share of the runs that would have ended in "
        "it, found by replaying the rule on the weeks the runs stored (no run is repeated; the "
        "other thresholds keep their values).</p>"
    ]
    for (outcome, parameter), g in over[main].groupby(["outcome", "parameter"], sort=False):
        grid = f"{g['threshold'].min():g} to {g['threshold'].max():g}"
        runs = int(g["runs"].iloc[0])
        default = float(g["default"].iloc[0])
        if not (g["p"] > 0).any():
            high = float(g["p_high"].max())
            censored = (
                f" (at most {share(high)} if every run that another outcome ended had gone on "
                "to reach it)"
                if high > 0
                else ""
            )
            out.append(_none(
                f"P({outcome}) is 0 at every {parameter} from {grid} in {main} ({runs} runs): "
                f"no run reaches it{censored}, so it is not drawn."
            ))  # fmt: skip
            continue
        lines = {main: g}
        for name, c in over.items():
            h = c[(c["outcome"] == outcome) & (c["parameter"] == parameter)]
            if name != main and len(h):
                lines[name] = h
        caption = (
            f"The share of the {runs} runs of {main} that end in {outcome} if {parameter} had "
            f"been each value from {grid}; the dashed line marks its value in the scenario "
            f"({default:g})."
        )
        if (g["p_high"] > g["p"]).any():
            caption += (
                " Shaded: the runs censored at that value (an outcome ended them, at the "
                "scenario's thresholds, before any rule fired at this value, and their later weeks "
                "were never computed), counted as not reaching it (lower edge) or as reaching it "
                "(upper edge)."
            )
        if len(lines) > 1:
            caption += (
                " Thin lines: the other scenarios (censored runs counted as not reaching it)."
            )
        out.append(_figure(
            plots.threshold(lines, main, parameter),
            f"P({outcome}) over {parameter}, {main}", caption,
        ))  # fmt: skip
    return "".join(out)


def _sensitivity(indices: pd.DataFrame, info: dict | None) -> str:
    method = str(indices["method"].iloc[0]) if "method" in indices else "?"
    label = (
        "Morris μ* (mean absolute elementary effect)"
        if method == "morris"
        else ("Sobol total-order index ST")
    )
    params = list(dict.fromkeys(indices["parameter"]))
    info = info or {}
    design = (
        f"<p>Design: {html.escape(method.capitalize())}, {len(params)} parameters varied "
        f"({html.escape(', '.join(params))}), each from half to one and a half times its value "
        "within its allowed range"
    )
    if info:
        design += (
            f"; {plain(info.get('points'))} points, {plain(info.get('runs_per_point'))} run(s) a "
            f"point, {plain(info.get('runs'))} runs in all over the scenario as given and its two "
            f"strategy variants (every group reform, every group corpse); scenario "
            f"{html.escape(str(info.get('scenario')))}, {plain(info.get('weeks'))} weeks, at "
            f"scale {html.escape(one_in(info['scale']) if info.get('scale') else '–')}"
        )
    design += (
        ". An index says how much a parameter moves the target; its bar is the bootstrap "
        "interval. With few points and runs the ranking is rough.</p>"
    )
    same: dict[tuple, list[str]] = {}  # targets with identical indices share one figure
    for target, g in indices.groupby("target", sort=False):
        key = tuple(zip(g["parameter"], g["index"].round(12), g["conf"].round(12), strict=True))
        same.setdefault(key, []).append(str(target))
    figs = ""
    for targets in same.values():
        g = indices[indices["target"] == targets[0]]
        names = ", ".join(targets)
        if not (g["index"] > 0).any():
            figs += _none(f"No varied parameter moved {names}: every index is 0, so not drawn.")
        else:
            note = " (identical indices: one figure)" if len(targets) > 1 else ""
            figs += _figure(
                plots.tornado(g, label), f"What moves {names}", f"Parameters ranked by index{note}."
            )
    table = indices.rename(columns={"conf": "± (95 %)"})
    return design + figs + _table(table)


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
