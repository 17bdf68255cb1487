"""The report, `answer`, `compare` and `sensitivity` on small real experiments.

Three built-in strategy scenarios are run at the `tiny` scale for a few weeks through the command
line; the report built from them must hold every section with its plots, reference no network
resource, and open in headless Chromium (Debian's /usr/bin/chromium driven by playwright) with no
console error, no page error and no request but the file itself, every plot drawn. For a reader:
calendar years on every time axis, persons not agents, no scientific notation, a plot only for
what occurred (a line for what never did), no overlapping text or legend, a glossary, contents,
version and date, and plots that shrink in a narrow window. Bad input to the analysis commands
gets one line on stderr and exit status 2, and touches nothing stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import io
import json
import re
import sys
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import thermidor
from thermidor.analysis import thresholds
from thermidor.analysis.claims import CLAIMS, hold_claims
from thermidor.analysis.load import load
from thermidor.analysis.sensitivity import TARGETS
from thermidor.analysis.seven import MEASURES, QUESTIONS, blocs_line, one_line, seven_answers
from thermidor.cli import main
from thermidor.model.state import OUTCOMES
from thermidor.report.html import CLAIM_TARGETS

CHROMIUM = Path("/usr/bin/chromium")
SCALE = "scale=0.0005"  # the `tiny` scale
WEEKS = 39
RUNS = 6


def wilson(k: int, n: int) -> tuple[float, float, float]:
    """The 95 % Wilson score interval, written out here from Wilson (1927), JASA 22, 209 (not the
    code's own `analysis.stats.wilson`): centre (k + z^2/2) / (n + z^2), half-width
    z sqrt(n) / (n + z^2) * sqrt(p (1 - p) + z^2 / (4 n)), z = 1.959964 (the 97.5 % normal
    quantile)."""
    z = 1.959963984540054
    p = k / n
    centre = (k + z * z / 2) / (n + z * z)
    half = z * n**0.5 / (n + z * z) * (p * (1 - p) + z * z / (4 * n)) ** 0.5
    return p, max(0.0, centre - half), min(1.0, centre + half)


def band(values: np.ndarray) -> tuple[float, float, float]:
    """Median and the central 90 % interval, by linear interpolation between order statistics
    (the 5 % quantile of n sorted values sits at position 0.05 (n - 1)), written out here."""
    v = sorted(float(x) for x in values)

    def quantile(q: float) -> float:
        h = q * (len(v) - 1)
        i = int(h)
        return v[i] + (h - i) * (v[min(i + 1, len(v) - 1)] - v[i])

    return quantile(0.5), quantile(0.05), quantile(0.95)


# name in the fixture -> (built-in scenario, extra arguments)
EXPERIMENTS = {
    "reform": ("1928-all-reform", []),
    "corpse": ("1928-all-corpse", []),
    "bloc": ("1928-bloc", []),
    # the same strategy scenario at another scale: not comparable without --allow-mixed
    "other_scale": ("1928-all-reform", ["--set", "scale=0.0004"]),
}
# one ranking per sensitivity target (the other plots depend on what the runs hold)
SENSITIVITY_TARGETS = len(TARGETS)


def cli(*args: str) -> tuple[int, str, str]:
    """Run the command line in this process: (exit status, stdout, stderr). An exception that
    escapes `main` is returned as status 1 with its traceback on stderr (as the console script
    would show it)."""
    argv, sys.argv = sys.argv, ["thermidor", *map(str, args)]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as e:
                code = int(e.code or 0)
            except Exception:
                code = 1
                err.write(traceback.format_exc())
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


def flat(text: str) -> str:
    return " ".join(text.split())


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under `root` with its size, mtime and digest."""
    return {
        str(p.relative_to(root)): (
            p.stat().st_size,
            p.stat().st_mtime_ns,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def stored_outcomes(path: Path) -> pd.Series:
    """The outcome of each run, read straight from the experiment's Parquet parts."""
    return pq.read_table(path / "outcomes").to_pandas().set_index("run")["outcome"]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="module")
def dirs(root: Path) -> dict[str, Path]:
    out = {}
    for key, (scenario, extra) in EXPERIMENTS.items():
        out[key] = root / key
        code, stdout, stderr = cli(
            "ensemble", scenario, "--runs", RUNS, "--weeks", WEEKS, "--set", SCALE, *extra,
            "--workers", 2, "--quiet", "--out", out[key],
        )  # fmt: skip
        assert code == 0, stderr
        assert f"{RUNS}/{RUNS} runs done" in flat(stdout)
    return out


@pytest.fixture(scope="module")
def sensitivity_dir(root: Path) -> Path:
    """One real, small Morris analysis: 2 parameters, 2 trajectories, 1 run a point, 13 weeks
    (3 sweeps of (2 + 1) x 2 = 6 runs)."""
    out = root / "sens"
    code, stdout, stderr = cli(
        "sensitivity", "tiny", "--out", out, "--method", "morris",
        "--params", "influence.mu,activation.k", "--samples", 2, "--runs-per-point", 1,
        "--weeks", 13, "--workers", 2,
    )  # fmt: skip
    assert code == 0, stderr
    assert "indices.parquet" in stdout
    return out


@pytest.fixture(scope="module")
def report(root: Path, dirs: dict[str, Path], sensitivity_dir: Path) -> Path:
    path = root / "report.html"
    code, stdout, stderr = cli(
        "report", dirs["reform"], dirs["corpse"], dirs["bloc"], "-o", path,
        "--main", "1928-bloc", "--sensitivity", sensitivity_dir,
    )  # fmt: skip
    assert code == 0, stderr
    assert str(path) in flat(stdout)
    return path


def sections(text: str) -> dict[str, tuple[str, str]]:
    found = re.findall(r'<section id="([\w-]+)"><h2>(.*?)</h2>(.*?)</section>', text, re.S)
    return {anchor: (title, body) for anchor, title, body in found}


def figures(body: str) -> list[str]:
    return re.findall(r"<figure>(.*?)</figure>", body, re.S)


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_indices(sensitivity_dir: Path) -> None:
    t = pd.read_parquet(sensitivity_dir / "indices.parquet")
    assert set(t["target"]) == set(TARGETS)  # the outcomes' probabilities and continuous ones
    assert (t["runs"] == 3 * (2 + 1) * 2).all() and (t["scale"] > 0).all()
    assert len(t) == SENSITIVITY_TARGETS * 2
    for _, g in t.groupby("target"):
        assert sorted(g["parameter"]) == ["activation.k", "influence.mu"]
    assert (t["method"] == "morris").all()
    assert np.isfinite(t["index"]).all() and (t["index"] >= 0).all()  # mu* is a mean of |EE|
    outcomes = {}
    for variant in ("base", "reform", "corpse"):
        outcomes[variant] = stored_outcomes(sensitivity_dir / variant)
        assert len(outcomes[variant]) == (2 + 1) * 2  # (k + 1) points a trajectory
    # an outcome no point ever reached cannot move: its elementary effects are all 0
    index = t.groupby("target")["index"].max()
    for target, variants, outcome in [
        ("P(reform)", ["base"], "reform"),
        ("P(Thermidor)", ["base"], "Thermidor"),
        ("P(reform | reform) - P(reform | corpse)", ["reform", "corpse"], "reform"),
    ]:
        if not any((outcomes[v] == outcome).any() for v in variants):
            assert index[target] == 0, target


def stored_series(path: Path, columns: list[str]) -> pd.DataFrame:
    """Columns of the time series, read straight from the experiment's Parquet parts."""
    return pq.read_table(path / "timeseries", columns=["run", "week", *columns]).to_pandas()


def bloc_formed(path: Path) -> bool:
    names = pq.read_schema(next((path / "timeseries").rglob("*.parquet"))).names
    cols = [c for c in names if c.endswith("_bloc")]
    return bool(cols) and bool(stored_series(path, cols)[cols].to_numpy().any())


def expected_figures(dirs: dict[str, Path], keys: list[str], main: str) -> dict[str, int]:
    """The figures the report must have, from what the stored runs hold: a plot for an outcome
    or a count only where it occurred (otherwise a line says so)."""
    outcomes = {k: stored_outcomes(dirs[k]) for k in keys}
    guillotine = stored_series(dirs[main], ["expelled", "exiled", "capitulated"])
    per_q = {"Q1": 1, "Q2": 1, "Q3": 1, "Q4": 2, "Q5": 1}
    per_q["Q6"] = int((outcomes[main] == "Thermidor").any()) + int(
        (guillotine[["expelled", "exiled", "capitulated"]].to_numpy() > 0).any()
    )
    per_q["Q7"] = int(any(bloc_formed(dirs[k]) for k in keys))
    reached = {o for o in OUTCOMES[1:] if any((v == o).any() for v in outcomes.values())}
    return {**per_q, "nuclei": 1, "compare": int(bool(reached))}


REPORTED = ["reform", "corpse", "bloc"]


def test_report_has_every_section(
    report: Path, dirs: dict[str, Path], sensitivity_dir: Path
) -> None:
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</html>")
    assert "<title>thermidor report: 1928-bloc</title>" in text
    s = sections(text)
    assert list(s) == [
        "reading", "ensembles", "answers", "nuclei", "compare", "thresholds", "sensitivity",
        "claims", "glossary",
    ]  # fmt: skip
    assert s["ensembles"][0] == "The ensembles"
    assert s["answers"][0] == "The seven answers (1928-bloc)"
    assert s["nuclei"][0] == "The nuclei at a glance"
    # the three differ only in what their organisations do and which unite
    assert s["compare"][0] == "The strategies compared"
    assert s["claims"][0] == "The letter against the model"
    assert s["glossary"][0] == "Glossary"

    # the ensembles: each experiment with its runs, dates, weeks, scale and directory
    ens = s["ensembles"][1]
    start = dt.date(1928, 10, 1)
    end = start + dt.timedelta(weeks=WEEKS)
    for key in REPORTED:
        name = EXPERIMENTS[key][0]
        row = re.search(rf"<tr><td>{re.escape(name)}</td>(.*?)</tr>", ens)
        assert row, name
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        assert cells[:5] == [
            str(RUNS), "1 October 1928", f"{end.day} {end:%B %Y}", str(WEEKS),
            "1:2,000 (one agent for 2,000 persons)",
        ]  # fmt: skip
        assert html.escape(str(dirs[key])) in cells

    # the seven answers, read on 1928-bloc: each question, its lines and its plots
    bloc = load(dirs["bloc"])
    answers = seven_answers(bloc.timeseries, bloc.outcomes, bloc.horizon)
    parts = re.split(r'<h3 id="q\d">(Q\d)</h3>', s["answers"][1])[1:]
    got = dict(zip(parts[::2], parts[1::2], strict=True))
    assert list(got) == list(QUESTIONS)
    loaded = {e.name: e for e in (load(dirs[k]) for k in REPORTED)}
    # Q7 is answered across every experiment with a bloc (here only 1928-bloc)
    q7 = blocs_line({n: e.timeseries for n, e in loaded.items()})
    assert q7 is not None and q7.startswith("1928-bloc: united at the end in ")
    assert q7.endswith(f" of {RUNS}")  # the bloc of 1 January 1929 formed in every run
    want = expected_figures(dirs, REPORTED, "bloc")
    for q, body in got.items():
        line = q7 if q == "Q7" else one_line(answers, q, 0.0005)
        assert f"<blockquote>{html.escape(QUESTIONS[q])}</blockquote>" in body
        assert f"<b>Measured:</b> {html.escape(line)}</p>" in body
        assert re.search(r'<p class="plain"><b>In plain words:</b> [A-Z][^<]{20,}\.</p>', body)
        assert len(figures(body)) == want[q], q
    # Q6 in real persons: the expelled of 1928-bloc at the horizon, agents / scale
    ts = stored_series(dirs["bloc"], ["expelled"])
    last = ts.sort_values("week").groupby("run").tail(1)["expelled"].to_numpy()
    persons = float(np.median(last)) / 0.0005
    if persons:
        figures3 = round(persons, 2 - int(np.floor(np.log10(persons))))
        assert f"expelled {figures3:,.0f} [" in got["Q6"]
    if not (stored_outcomes(dirs["bloc"]) == "Thermidor").any():
        assert "No run of 1928-bloc ended in Thermidor" in got["Q6"]

    assert len(figures(s["nuclei"][1])) == want["nuclei"]
    nuclei = s["nuclei"][1]
    assert "Every cell of run 0 of 1928-bloc at three dates" in nuclei
    assert "A row per region, a block per kind of cell" in nuclei

    # the comparison: a row a scenario, a column per outcome reached, each with its interval
    cmp = s["compare"][1]
    assert len(figures(cmp)) == want["compare"]
    outcomes = {k: stored_outcomes(dirs[k]) for k in REPORTED}
    reached = [o for o in OUTCOMES if any((v == o).any() for v in outcomes.values())]
    never = [o for o in OUTCOMES if o not in reached]
    header = re.search(r"<tr>(<th>.*?)</tr>", cmp).group(1)
    assert re.findall(r"<th>(.*?)</th>", header) == [
        "scenario", "runs", *(f"P({o}) [95 %]" for o in reached),
    ]  # fmt: skip
    for key in REPORTED:
        for o in reached:
            p, lo, hi = wilson(int((outcomes[key] == o).sum()), RUNS)
            assert f"{p:.0%} [{lo:.0%}, {hi:.0%}]".replace("%", " %") in cmp
    if never:
        assert f"Never reached in any run of any scenario by {end.day} {end:%B %Y}: " in cmp
        assert ", ".join(never) in cmp
    for o in never:  # an outcome no run reached has no column and no curve
        assert f"P({o})" not in cmp

    # the sensitivity section states its design, its runs and its scale
    sens = s["sensitivity"][1]
    indices = pd.read_parquet(sensitivity_dir / "indices.parquet")
    moved = indices.groupby("target")["index"].max() > 0
    # one figure per distinct set of indices a parameter moved (targets with identical indices,
    # such as pi at years 5 and 10 of a run shorter than two years, share one); none otherwise
    distinct = {
        tuple(g.sort_values("parameter")[["parameter", "index", "conf"]].round(12).itertuples(None))
        for t, g in indices.groupby("target")
        if moved[t]
    }
    assert len(figures(sens)) == len(distinct)
    assert len(set(figures(sens))) == len(figures(sens))  # no duplicated figure
    for target in moved[~moved].index:  # named in a line that says nothing moved it
        line = next(x for x in sens.split("</p>") if html.escape(target) in x)
        assert "No varied parameter moved " in line
    runs_all = sum(len(stored_outcomes(sensitivity_dir / v)) for v in ("base", "reform", "corpse"))
    assert "Design: Morris, 2 parameters varied (influence.mu, activation.k)" in sens
    assert f"6 points, 1 run(s) a point, {runs_all} runs in all" in sens
    assert "scenario tiny, 13 weeks, at scale 1:2,000" in sens

    # the letter against the model: all nine claims; those whose scenarios were run evaluated
    verdicts = hold_claims(loaded).set_index("claim")["verdict"]
    claims = re.split(r"<h3>Claim (\d)</h3>", s["claims"][1])[1:]
    got = dict(zip(map(int, claims[::2]), claims[1::2], strict=True))
    assert list(got) == [c.number for c in CLAIMS] == list(range(1, 10))
    for c in CLAIMS:
        body = got[c.number]
        assert f"<blockquote>{html.escape(c.quote)}</blockquote>" in body
        assert html.escape(c.measure) in body
        ran = all(n in loaded for n in c.needs)
        assert (verdicts[c.number] != "not evaluated") == ran
        assert f'">{verdicts[c.number]}</span>' in body
        # which parameters decide it, from the sensitivity target that measures it, if any
        if ran and c.persons:  # a count of agents is given in persons
            assert re.search(r"</b> \[[^\]]*\] persons — ", body), body
        if not ran:
            assert "are not all among the experiments of this report" in body
        elif c.number in CLAIM_TARGETS:
            assert "Parameters that decide " in body or "No varied parameter moved " in body
        else:
            assert "(its measure is not a target of the sensitivity analysis)" in body
    assert {c.number for c in CLAIMS if all(n in loaded for n in c.needs)} == {3, 9}

    # every plot is one inline SVG inside its figure; no duplicated figure
    all_figures = figures(text)
    others = {"1928-all-reform": dirs["reform"], "1928-all-corpse": dirs["corpse"]}
    drawn = check_thresholds(text, dirs["bloc"], "1928-bloc", RUNS, others)
    assert len(all_figures) == sum(want.values()) + len(distinct) + drawn
    assert all(f.count("<svg") == 1 and f.count("</svg>") == 1 for f in all_figures)
    assert text.count("<svg") == len(all_figures)
    svgs = [re.search(r"<svg.*</svg>", f, re.S).group(0) for f in all_figures]
    assert len(set(svgs)) == len(svgs)
    titles = re.findall(r"<figcaption><b>(.*?)</b>", text)
    assert len(set(titles)) == len(titles) == len(all_figures)


def check_thresholds(text: str, path: Path, main: str, runs: int, others: dict[str, Path]) -> int:
    """The section "Outcomes over their thresholds" of a report read on `main` (at `path`,
    `runs` runs): a plot for each (outcome, parameter) whose curve, replayed on the stored runs,
    is not 0 everywhere, with the scenario's threshold marked and the `others` (name: directory)
    as extra lines where they vary the same threshold; a line for each curve 0 everywhere.
    Returns the number of plots."""
    title, body = sections(text)["thresholds"]
    assert title == "Outcomes over their thresholds"
    groups = list(thresholds.curves(path).groupby(["outcome", "parameter"], sort=False))
    drawn = [(k, g) for k, g in groups if g.p.max() > 0]
    zero = [(k, g) for k, g in groups if not g.p.max() > 0]
    varied = {n: set(zip(*thresholds.curves(p)[["outcome", "parameter"]].T.values, strict=True))
              for n, p in others.items()}  # fmt: skip
    figs = figures(body)
    assert len(figs) == len(drawn)
    for ((outcome, parameter), g), fig in zip(drawn, figs, strict=True):
        assert f"<b>P({html.escape(outcome)}) over {parameter}, {main}.</b>" in fig
        default = g["default"].iloc[0]
        assert f"marks its value in the scenario ({default:g})" in fig
        assert f"The share of the {runs} runs of {main}" in fig
        svg = re.search(r"<svg.*</svg>", fig, re.S).group(0)
        assert svg.count('id="default-threshold"') == 1  # the dashed line at its value
        assert f"the scenario's value ({default:g})" in svg  # and its legend entry
        lines = [n for n, v in varied.items() if (outcome, parameter) in v]
        for other in others:  # the other scenarios' lines, where they vary the same threshold
            assert (other in svg) == (other in lines)
        assert ("Thin lines: the other scenarios" in fig) == bool(lines)
        censored = bool((g.p_high > g.p).any())
        assert ("Shaded: the runs censored at that value" in fig) == censored
        assert (f"{main}: censored runs" in svg) == censored
    lines = re.findall(r'<p class="none">(.*?)</p>', body)
    assert len(lines) == len(zero)
    for ((outcome, parameter), g), line in zip(zero, lines, strict=True):
        assert line.startswith(f"P({html.escape(outcome)}) is 0 at every {parameter} from ")
        assert f"in {main} ({runs} runs): no run reaches it" in line
        high = g.p_high.max()
        assert (f"(at most {high:.0%}".replace("%", " %") in line) == (high > 0)
        assert line.endswith(", so it is not drawn.")
    return len(figs)


def test_report_outcomes_over_their_thresholds(report: Path, dirs: dict[str, Path]) -> None:
    """The main experiment's outcomes over their thresholds, replayed on its stored runs."""
    text = report.read_text(encoding="utf-8")
    others = {"1928-all-reform": dirs["reform"], "1928-all-corpse": dirs["corpse"]}
    check_thresholds(text, dirs["bloc"], "1928-bloc", RUNS, others)


@pytest.fixture(scope="module")
def ended(root: Path, dirs: dict[str, Path]) -> tuple[Path, Path]:
    """Runs that end: 1928-bloc with bureaucratic consolidation declared once beta has stood at
    0.45 or more (it starts at 0.5) for 4 weeks, and its report against 1928-all-corpse."""
    out = root / "ended"
    code, stdout, stderr = cli(
        "ensemble", "1928-bloc", "--runs", 4, "--weeks", 26, "--set", SCALE,
        "--set", "outcome.consolidation_weeks=4", "--set", "outcome.consolidation_beta=0.45",
        "--workers", 2, "--quiet", "--out", out,
    )  # fmt: skip
    assert code == 0, stderr
    path = root / "ended.html"
    code, stdout, stderr = cli("report", out, dirs["corpse"], "-o", path, "--main", "1928-bloc")
    assert code == 0, stderr
    return out, path


def test_report_outcomes_over_their_thresholds_when_runs_end(
    ended: tuple[Path, Path], dirs: dict[str, Path]
) -> None:
    """With runs ended by an outcome: its curve is drawn (not 0 everywhere), the runs it ended
    are censored for the others (a band or a line saying how far they could go)."""
    out, path = ended
    assert (stored_outcomes(out) == "bureaucratic consolidation").any()
    text = path.read_text(encoding="utf-8")
    assert check_thresholds(text, out, "1928-bloc", 4, {"1928-all-corpse": dirs["corpse"]}) >= 1


def test_report_numbers_are_plain(report: Path) -> None:
    """No number in scientific notation anywhere, in the text or in a plot."""
    text = report.read_text(encoding="utf-8")
    no_ns = re.sub(r'\sxmlns(?::\w+)?="[^"]*"', "", text)
    visible = re.sub(r"<[^>]+>", " ", no_ns)  # the text a reader sees, plots' labels included
    assert not re.search(r"\d\.?\d*e[+-]\d", visible), re.search(
        r".{40}\d\.?\d*e[+-]\d.{20}", visible
    )
    assert "×10" not in visible and "1e" not in re.findall(r"[\d.]+e\d", visible)


def test_report_glossary_contents_version_and_date(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    glossary = sections(text)["glossary"][1]
    terms = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", glossary, re.S))
    for term in ("π (pi)", "β (beta)", "d (degeneration)", "kernel (proletarian kernel)", "line",
                 "duality (of power)", "Thermidor (in this model)", "scale"):  # fmt: skip
        assert term in terms, term
    thermidor_entry = terms["Thermidor (in this model)"]
    assert "Bourgeois restoration" in thermidor_entry and "1935" in thermidor_entry
    assert "Soviet Thermidor" in thermidor_entry
    # the contents link every section, in order
    toc = re.search(r'<nav id="contents">(.*?)</nav>', text, re.S).group(1)
    links = re.findall(r'<a href="#([\w-]+)">(.*?)</a>', toc)
    assert [a for a, _ in links] == list(sections(text))
    assert [html.unescape(t) for _, t in links] == [
        html.unescape(t) for t, _ in sections(text).values()
    ]
    # the version and the date it was made
    made = re.search(r"thermidor (\S+) · report made (\d{4}-\d{2}-\d{2})", text)
    assert made and made.group(1) == thermidor.__version__
    assert abs((dt.date.fromisoformat(made.group(2)) - dt.datetime.now(dt.UTC).date()).days) <= 1


def test_report_references_no_network_resource(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    # XML namespaces in inline SVG are identifiers, not resources
    no_ns = re.sub(r'\sxmlns(?::\w+)?="[^"]*"', "", text)
    assert not re.search(r"\b(?:https?|ftp|wss?):", no_ns, re.I)
    for value in re.findall(r'\b(?:src|href)\s*=\s*["\']?([^"\'\s>]*)', no_ns, re.I):
        assert value.startswith(("#", "data:")), value
    for value in re.findall(r"url\(\s*['\"]?([^)'\"]*)", no_ns, re.I):
        assert value.startswith("#"), value
    for tag in ("<script", "<link", "<iframe", "<object", "<embed", "@import", "<base"):
        assert tag not in no_ns.lower(), tag


BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
# in the page: every plot's box, the tick labels of its calendar axes, every text's box and
# every legend's box against its axes' background
MEASURE = """() => {
  const rect = e => { const r = e.getBoundingClientRect();
                      return [r.left, r.top, r.right, r.bottom]; };
  return [...document.querySelectorAll('figure svg')].map(svg => ({
    box: rect(svg),
    calendar: [...svg.querySelectorAll('[id="calendar-years"]')].map(
      a => [...a.querySelectorAll('[id^="xtick"] text')].map(t => t.textContent.trim())),
    texts: [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(
      t => [t.textContent.trim(), rect(t)]),
    legends: [...svg.querySelectorAll('[id^="legend"]')].map(g => {
      const axes = g.parentElement.closest('[id^="axes"]');
      const bg = axes ? axes.querySelector(':scope > [id^="patch"]') : null;
      return [rect(g), bg ? rect(bg) : null]; }),
  }));
}"""


def overlap(a: list[float], b: list[float], tolerance: float = 0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tolerance and (
        min(a[3], b[3]) - max(a[1], b[1]) > tolerance
    )


@pytest.fixture(scope="module")
def rendered(report: Path) -> dict:
    return render(report)


def render(report: Path) -> dict:
    """The report opened offline in headless Chromium, wide (1,100 px) and narrow (380 px)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    url = report.resolve().as_uri()
    out: dict = {"console": [], "page_errors": [], "requests": [], "blocked": [], "url": url}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            for width in (1100, 380):
                context = browser.new_context(viewport={"width": width, "height": 900})
                # the test never reaches the network: anything but the file is recorded, refused
                context.route(
                    re.compile(r"^(?!file:)"),
                    lambda route: (out["blocked"].append(route.request.url), route.abort()),
                )
                page = context.new_page()
                page.on("console", lambda m: out["console"].append((m.type, m.text)))
                page.on("pageerror", lambda e: out["page_errors"].append(str(e)))
                page.on("request", lambda r: out["requests"].append(r.url))
                page.on("requestfailed", lambda r: out["requests"].append(f"failed {r.url}"))
                response = page.goto(url, wait_until="load")
                assert response is None or response.ok
                page.wait_for_load_state("networkidle")
                out[width] = {
                    "plots": page.evaluate(MEASURE),
                    "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
                    "inner_width": page.evaluate("window.innerWidth"),
                    "title": page.title(),
                    "targets": page.evaluate(
                        "[...document.querySelectorAll('nav a')].map("
                        "a => document.getElementById(a.getAttribute('href').slice(1)) !== null)"
                    ),
                }
                context.close()
        finally:
            browser.close()
    return out


def test_report_renders_offline_in_chromium(rendered: dict, report: Path) -> None:
    assert [m for m in rendered["console"] if m[0] in ("error", "warning")] == []
    assert rendered["page_errors"] == []
    assert rendered["requests"] == [rendered["url"]] * 2 and rendered["blocked"] == []
    wide = rendered[1100]
    assert wide["title"] == "thermidor report: 1928-bloc"
    assert len(wide["plots"]) == len(figures(report.read_text(encoding="utf-8")))
    for plot in wide["plots"]:
        left, top, right, bottom = plot["box"]
        assert right - left > 0 and bottom - top > 0
    assert wide["targets"] and all(wide["targets"])  # every contents entry leads somewhere


def test_report_time_axes_are_calendar_years(rendered: dict) -> None:
    """Every time axis reads in calendar years (1929 ...), none in weeks or 'years from the
    start'; the runs span 1 October 1928 to WEEKS weeks later."""
    start, end = 1928.75, 1928.75 + WEEKS * 7 / 365.2425
    axes = [labels for plot in rendered[1100]["plots"] for labels in plot["calendar"]]
    # Q1, Q2, Q3, the line and one run's line at least; more where outcomes occurred
    assert len(axes) >= 5
    for labels in axes:
        assert labels, "a calendar axis without a tick"
        years = [int(y) for lab in labels for y in re.findall(r"\b(1[89]\d\d)\b", lab)]
        assert years, labels  # a year is named on every calendar axis
        assert all(int(start) <= y <= int(end) + 1 for y in years), labels
        for lab in labels:
            assert re.fullmatch(r"(?:(?:Jan|Apr|Jul|Oct) )?1[89]\d\d|Jan|Apr|Jul|Oct", lab), lab
    for plot in rendered[1100]["plots"]:
        for text, _ in plot["texts"]:
            assert "week" not in text.lower() and "from the start" not in text, text


def test_report_heat_map_is_labelled(rendered: dict) -> None:
    """The nuclei at a glance: its regions, its kinds of cell, its dates and its colour scale are
    written on it (which run of which scenario is in its caption, checked above)."""
    maps = [p for p in rendered[1100]["plots"] if any(t == "region 1" for t, _ in p["texts"])]
    assert len(maps) == 1
    texts = {t for t, _ in maps[0]["texts"]}
    assert {"factory", "rural", "institution"} <= texts
    assert "1 October 1928" in texts and "mean d of the cell" in texts
    assert sum(bool(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ 19\d\d", t)) for t in texts) == 3


def test_report_plots_have_no_overlapping_text_or_legend(rendered: dict) -> None:
    no_overlap(rendered)


def no_overlap(rendered: dict) -> None:
    for i, plot in enumerate(rendered[1100]["plots"]):
        texts = plot["texts"]
        for a in range(len(texts)):
            for b in range(a + 1, len(texts)):
                assert not overlap(texts[a][1], texts[b][1]), (i, texts[a][0], texts[b][0])
        for legend, axes in plot["legends"]:
            if axes is not None:  # a legend drawn for one axes sits outside it
                assert not overlap(legend, axes), (i, "legend over the axes")


def test_report_fits_a_narrow_window(rendered: dict) -> None:
    """At 380 px the plots shrink to the window and nothing makes the page scroll sideways
    (wide tables scroll inside their own box)."""
    fits(rendered)


def test_report_threshold_plots_render_cleanly(ended: tuple[Path, Path]) -> None:
    """The report with plots over thresholds (runs that end): no error in Chromium, no text or
    legend overlapping, and it fits a narrow window."""
    out = render(ended[1])
    assert out["page_errors"] == [] and out["blocked"] == []
    assert [m for m in out["console"] if m[0] in ("error", "warning")] == []
    assert len(out[1100]["plots"]) == len(figures(ended[1].read_text(encoding="utf-8")))
    no_overlap(out)
    fits(out)


def fits(rendered: dict) -> None:
    narrow = rendered[380]
    assert narrow["scroll_width"] <= narrow["inner_width"]
    for plot in narrow["plots"]:
        left, _, right, _ = plot["box"]
        assert left >= 0 and right <= narrow["inner_width"]
        assert right - left > 0
    # and they did shrink: each is no wider than on the wide page
    for wide, small in zip(rendered[1100]["plots"], narrow["plots"], strict=True):
        assert small["box"][2] - small["box"][0] <= wide["box"][2] - wide["box"][0] + 0.5


def test_report_of_one_experiment_reads_it_by_default(root: Path, dirs: dict[str, Path]) -> None:
    path = root / "one.html"
    code, _, stderr = cli("report", dirs["corpse"], "-o", path)
    assert code == 0, stderr
    text = path.read_text(encoding="utf-8")
    assert "<title>thermidor report: 1928-all-corpse</title>" in text
    s = sections(text)
    assert list(s) == [
        "reading", "ensembles", "answers", "nuclei", "compare", "thresholds", "claims", "glossary",
    ]  # fmt: skip
    assert "no bloc formed" in s["answers"][1]
    assert "No bloc formed in any scenario here" in s["answers"][1]
    drawn = check_thresholds(text, dirs["corpse"], "1928-all-corpse", RUNS, {})
    assert text.count("<svg") == sum(expected_figures(dirs, ["corpse"], "corpse").values()) + drawn
    assert s["claims"][1].count("not evaluated") == 9


def test_report_says_what_differs_when_not_only_strategies(
    root: Path, dirs: dict[str, Path]
) -> None:
    """Two scenarios that differ in their scale (not a strategy): the comparison is not filed
    under 'strategies' and the report names the difference."""
    path = root / "mixed.html"
    code, _, stderr = cli("report", dirs["corpse"], dirs["other_scale"], "-o", path)
    assert code == 0, stderr
    s = sections(path.read_text(encoding="utf-8"))
    assert s["compare"][0] == "The scenarios compared"
    assert "differ by more than their strategies" in s["compare"][1]
    assert "scale: 0.0005 → 0.0004" in s["compare"][1]
    assert "scale: 0.0005 → 0.0004" in s["ensembles"][1]


def test_report_keeps_experiments_of_the_same_scenario_apart(
    root: Path, dirs: dict[str, Path]
) -> None:
    """Two experiments of one scenario name (here at two scales): the report must show both
    (or refuse them with one line), never drop one silently."""
    path = root / "same-name.html"
    code, _, stderr = cli("report", dirs["reform"], dirs["other_scale"], "-o", path)
    if code == 2:
        assert stderr.startswith("thermidor: error: ") and stderr.count("\n") == 1, stderr
        assert not path.exists()
        return
    assert code == 0, stderr
    ens = sections(path.read_text(encoding="utf-8"))["ensembles"][1]
    assert html.escape(str(dirs["reform"])) in ens
    assert html.escape(str(dirs["other_scale"])) in ens


# --------------------------------------------------------------------------- answer and compare


def test_answer_plain(dirs: dict[str, Path], monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # no wrapping in rich's tables
    path = dirs["bloc"]
    code, text, stderr = cli("answer", path)
    assert code == 0, stderr
    assert f"1928-bloc: {RUNS} run(s), {WEEKS} weeks" in text
    for q in QUESTIONS:
        assert re.search(rf"^{q} ", text, re.M), q
    ens = load(path)
    answers = seven_answers(ens.timeseries, ens.outcomes, ens.horizon)
    for q in QUESTIONS:
        assert one_line(answers, q, 0.0005) in text  # counts in persons at the tiny scale
    for _, _, label in MEASURES:
        assert label in text


def test_answer_json(dirs: dict[str, Path]) -> None:
    path = dirs["bloc"]
    code, text, stderr = cli("answer", path, "--json")
    assert code == 0, stderr
    a = json.loads(text)
    assert list(a) == [*QUESTIONS, "thresholds"]
    curves = pd.DataFrame(a["thresholds"])  # each outcome's curve over its threshold
    assert set(curves.outcome) == {"Thermidor", "reform", "bureaucratic consolidation"}
    assert ((curves.p >= 0) & (curves.p <= curves.p_high) & (curves.p_high <= 1)).all()
    for q in QUESTIONS:
        assert a[q]["runs"] == RUNS and a[q]["question"] == QUESTIONS[q]
        assert [m["column"] for m in a[q]["measures"]] == [c for qq, c, _ in MEASURES if qq == q]
        for m in a[q]["measures"]:
            assert list(m["course"]) == ["start", "horizon"]  # 39 weeks: no "1 year"
    # the values, from the stored parts read here: outcome shares, pi's band at the horizon
    outcomes = stored_outcomes(path)
    for o in OUTCOMES:
        k = int((outcomes == o).sum())
        assert a["Q3"]["outcomes"][o] == pytest.approx(list(wilson(k, RUNS)))
    ts = pq.read_table(path / "timeseries", columns=["run", "week", "pi"]).to_pandas()
    last = ts.sort_values("week").groupby("run").tail(1)["pi"].to_numpy()
    pi = next(m for m in a["Q3"]["measures"] if m["column"] == "pi")
    assert pi["course"]["horizon"] == pytest.approx(list(band(last)))
    assert a["Q7"]["blocs"] is not None and a["Q7"]["blocs"]["formed_in_runs"] >= 1


def test_answer_on_a_run_directory(root: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    run = root / "one-run"
    code, _, stderr = cli("run", "tiny", "--weeks", 13, "--quiet", "--out", run)
    assert code == 0, stderr
    code, text, stderr = cli("answer", run, "--json")
    assert code == 0, stderr
    a = json.loads(text)
    assert all(a[q]["runs"] == 1 for q in QUESTIONS)
    outcome = json.loads((run / "outcome.json").read_text())["outcome"]
    assert a["Q3"]["outcomes"][outcome][0] == 1.0


def test_compare_prints_the_probabilities(dirs: dict[str, Path], monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    a, b = dirs["reform"], dirs["corpse"]
    code, text, stderr = cli("compare", a, b)
    assert code == 0, stderr
    lines = text.splitlines()
    assert "P [95 %]" in lines[0] and "minus 1928-all-reform [95 %]" in lines[0]
    oa, ob = stored_outcomes(a), stored_outcomes(b)
    for name, o in (("1928-all-reform", oa), ("1928-all-corpse", ob)):
        for outcome in OUTCOMES:
            k = int((o == outcome).sum())
            p, lo, hi = wilson(k, RUNS)
            pattern = rf"^\s*{re.escape(name)}\s+{re.escape(outcome)}\s+{RUNS}\s"
            row = [ln for ln in lines if re.match(pattern, ln)]
            assert len(row) == 1, (name, outcome)
            assert f"{p:.2f} [{lo:.2f}, {hi:.2f}]" in row[0]
            d = p - (oa == outcome).mean()
            assert f"{d:+.2f} [" in row[0]

    code, text, stderr = cli("compare", a, b, "--json")
    assert code == 0, stderr
    data = json.loads(text)
    rows = pd.DataFrame(data["outcomes"]).set_index(["experiment", "outcome"])
    # no run is censored (each runs to the horizon or to its outcome): the cumulative incidence
    # at the horizon is the plain share of runs that ended in the outcome
    for name, outcomes_ in (("1928-all-reform", oa), ("1928-all-corpse", ob)):
        curve = data["cumulative_incidence"][name]
        assert curve["week"][0] == 0
        for outcome in OUTCOMES[1:]:
            assert curve[outcome][-1] == pytest.approx((outcomes_ == outcome).mean())
            assert curve[outcome] == sorted(curve[outcome])  # never decreases
    assert len(rows) == 2 * len(OUTCOMES)
    for outcome in OUTCOMES:
        r = rows.loc[("1928-all-corpse", outcome)]
        k, kb = int((ob == outcome).sum()), int((oa == outcome).sum())
        assert (r["runs"], r["count"]) == (RUNS, k)
        assert r["p"] == pytest.approx(k / RUNS)
        assert r["diff"] == pytest.approx((k - kb) / RUNS)
        assert r["diff_low"] <= r["diff"] <= r["diff_high"]


def test_compare_mixed_scenarios_needs_allow_mixed(root: Path, dirs: dict[str, Path]) -> None:
    before = snapshot(root)
    a, other = dirs["reform"], dirs["other_scale"]
    code, _, stderr = cli("compare", a, other)
    assert code == 2
    assert stderr.startswith("thermidor: error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    assert str(other) in stderr and "--allow-mixed" in stderr
    assert snapshot(root) == before

    code, text, stderr = cli("compare", a, other, "--allow-mixed", "--json")
    assert code == 0, stderr
    rows = pd.DataFrame(json.loads(text)["outcomes"])
    # the same scenario name twice: the second is told apart by its directory
    assert set(rows["experiment"]) == {"1928-all-reform", f"1928-all-reform ({other})"}


# --------------------------------------------------------------------------- bad input


@pytest.fixture(scope="module")
def not_an_experiment(root: Path) -> Path:
    path = root / "not-an-experiment"
    path.mkdir()
    (path / "notes.txt").write_text("not a run\n")
    return path


BAD = {
    "answer: not a run": (["answer", "{bad}"], "{bad}", "nor an experiment directory"),
    "answer: missing": (["answer", "{missing}"], "{missing}", "nor an experiment directory"),
    "compare: not a run": (
        ["compare", "{reform}", "{bad}"], "{bad}", "nor an experiment directory",
    ),
    "compare: one directory": (["compare", "{reform}"], "compare", "at least two"),
    "report: not a run": (
        ["report", "{reform}", "{bad}", "-o", "{new}/r.html"], "{bad}",
        "nor an experiment directory",
    ),
    "report: unknown --main": (
        ["report", "{reform}", "--main", "nope", "-o", "{new}/r.html"], "--main",
        "is not one of 1928-all-reform",
    ),
    "report: no indices": (
        ["report", "{reform}", "--sensitivity", "{bad}", "-o", "{new}/r.html"], "{bad}",
        "has no indices.parquet",
    ),
    "report: -o in a missing directory": (
        ["report", "{reform}", "-o", "{missing}/r.html"], "{missing}", "",
    ),
    "sensitivity: unknown --params": (
        ["sensitivity", "tiny", "--out", "{new}/s", "--params", "influence.mu,influence.nope",
         "--samples", "2", "--weeks", "13"],
        "--params", "influence.nope: unknown or fixed parameter (allowed: ",
    ),
    "sensitivity: bad --method": (
        ["sensitivity", "tiny", "--out", "{new}/s", "--method", "fast", "--weeks", "13"],
        "--method", "'fast' is not one of sobol, morris",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_exit_2_nothing_touched(
    case: str,
    root: Path,
    dirs: dict[str, Path],
    not_an_experiment: Path,
    tmp_path: Path,
) -> None:
    args, names, message = BAD[case]
    where = {
        "bad": not_an_experiment,
        "missing": root / "no-such-directory",
        "new": tmp_path,
        **dirs,
    }
    args = [a.format(**where) for a in args]
    before = snapshot(root)
    code, stdout, stderr = cli(*args)
    assert code == 2, stderr
    assert stderr.startswith("thermidor: error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    assert names.format(**where) in stderr, stderr
    assert message in stderr, stderr
    assert snapshot(root) == before
    assert list(tmp_path.iterdir()) == []  # no report, no experiment directory
    assert not (root / "no-such-directory").exists()
