"""The report, `answer`, `compare` and `sensitivity` on small real experiments.

Three built-in strategy scenarios are run at the `tiny` scale for a few weeks through the command
line; the report built from them must hold every section with its plots, reference no network
resource, and open in headless Chromium (Debian's /usr/bin/chromium driven by playwright) with no
console error, no page error and no request but the file itself, every plot drawn. Bad input to
the analysis commands gets one line on stderr and exit status 2, and touches nothing stored.
"""

from __future__ import annotations

import contextlib
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

from thermidor.analysis.claims import CLAIMS, hold_claims
from thermidor.analysis.load import load
from thermidor.analysis.sensitivity import TARGETS
from thermidor.analysis.seven import MEASURES, QUESTIONS, blocs_line, one_line, seven_answers
from thermidor.analysis.stats import band, wilson
from thermidor.cli import main
from thermidor.model.state import OUTCOMES
from thermidor.report.html import CLAIM_TARGETS

CHROMIUM = Path("/usr/bin/chromium")
SCALE = "scale=0.0005"  # the `tiny` scale
WEEKS = 39
RUNS = 6
# name in the fixture -> (built-in scenario, extra arguments)
EXPERIMENTS = {
    "reform": ("1928-all-reform", []),
    "corpse": ("1928-all-corpse", []),
    "bloc": ("1928-bloc", []),
    # the same strategy scenario at another scale: not comparable without --allow-mixed
    "other_scale": ("1928-all-reform", ["--set", "scale=0.0004"]),
}
# the plots the report is built to have: one or two per question, one for the nuclei, three
# incidence curves for the comparison, one ranking per sensitivity target
PLOTS_PER_QUESTION = {"Q1": 1, "Q2": 1, "Q3": 1, "Q4": 2, "Q5": 1, "Q6": 2, "Q7": 1}
SENSITIVITY_TARGETS = len(TARGETS)
PLOTS = sum(PLOTS_PER_QUESTION.values()) + 1 + 3 + SENSITIVITY_TARGETS


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


# --------------------------------------------------------------------------- the report


def test_report_has_every_section(report: Path, dirs: dict[str, Path]) -> None:
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</html>")
    assert "<title>thermidor report: 1928-bloc</title>" in text
    s = sections(text)
    assert list(s) == ["ensembles", "answers", "nuclei", "compare", "sensitivity", "claims"]
    assert s["ensembles"][0] == "The ensembles"
    assert s["answers"][0] == "The seven answers"
    assert s["nuclei"][0] == "The nuclei at a glance"
    assert s["compare"][0] == "The strategies compared"
    assert s["claims"][0] == "The letter against the model"

    # the ensembles: each experiment with its runs, weeks, scale and directory
    ens = s["ensembles"][1]
    for key in ("reform", "corpse", "bloc"):
        name = EXPERIMENTS[key][0]
        row = re.search(rf"<tr><td>{re.escape(name)}</td>(.*?)</tr>", ens)
        assert row, name
        cells = re.findall(r"<td>(.*?)</td>", row.group(1))
        assert cells[:3] == [str(RUNS), str(WEEKS), "0.0005"]
        assert html.escape(str(dirs[key])) in cells

    # the seven answers, read on 1928-bloc: each question, its measured line and its plots
    bloc = load(dirs["bloc"])
    answers = seven_answers(bloc.timeseries, bloc.outcomes, bloc.horizon)
    parts = re.split(r"<h3>(Q\d)</h3>", s["answers"][1])[1:]
    got = dict(zip(parts[::2], parts[1::2], strict=True))
    assert list(got) == list(QUESTIONS)
    loaded = {e.name: e for e in (load(dirs[k]) for k in ("reform", "corpse", "bloc"))}
    # Q7 is answered across every experiment with a bloc (here only 1928-bloc)
    q7 = blocs_line({n: e.timeseries for n, e in loaded.items()})
    assert q7 is not None and q7.startswith("1928-bloc: united at the end in ")
    assert q7.endswith(f" of {RUNS}")  # the bloc of 1 January 1929 formed in every run
    for q, body in got.items():
        line = q7 if q == "Q7" else one_line(answers, q)
        assert f"<blockquote>{html.escape(QUESTIONS[q])}</blockquote>" in body
        assert f"<b>Measured:</b> {html.escape(line)}</p>" in body
        assert len(figures(body)) == PLOTS_PER_QUESTION[q], q

    assert len(figures(s["nuclei"][1])) == 1
    assert len(figures(s["sensitivity"][1])) == SENSITIVITY_TARGETS

    # the comparison: every experiment and outcome with its probability from the stored runs
    cmp = s["compare"][1]
    assert len(figures(cmp)) == 3
    for key in ("reform", "corpse", "bloc"):
        outcomes = stored_outcomes(dirs[key])
        for o in OUTCOMES:
            p, lo, hi = wilson(int((outcomes == o).sum()), len(outcomes))
            cells = f"<td>{EXPERIMENTS[key][0]}</td><td>{html.escape(o)}</td><td>{RUNS}</td>"
            assert f"{cells}<td>{p:.3f}</td><td>{lo:.3f}</td><td>{hi:.3f}</td>" in cmp

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
        if c.number in CLAIM_TARGETS:
            assert "Parameters that decide " in body or "No varied parameter moved " in body
        else:
            assert "(its measure is not a target of the sensitivity analysis)" in body
    assert {c.number for c in CLAIMS if all(n in loaded for n in c.needs)} == {3, 9}

    # every plot is one inline SVG inside its figure
    all_figures = figures(text)
    assert len(all_figures) == PLOTS
    assert all(f.count("<svg") == 1 and f.count("</svg>") == 1 for f in all_figures)
    assert text.count("<svg") == PLOTS


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


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_report_renders_offline_in_chromium(report: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    url = report.resolve().as_uri()
    console, page_errors, requests, blocked = [], [], [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic",
            ],
        )  # fmt: skip
        try:
            context = browser.new_context()
            # the test never reaches the network: anything but the file is recorded and refused
            context.route(
                re.compile(r"^(?!file:)"),
                lambda route: (blocked.append(route.request.url), route.abort()),
            )
            page = context.new_page()
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: requests.append(f"failed {r.url}"))
            response = page.goto(url, wait_until="load")
            assert response is None or response.ok
            page.wait_for_load_state("networkidle")
            boxes = page.eval_on_selector_all(
                "svg",
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return [r.width, r.height, e.closest('figure') !== null]; })",
            )
            title = page.title()
        finally:
            browser.close()
    assert [m for m in console if m[0] in ("error", "warning")] == []
    assert page_errors == []
    assert requests == [url] and blocked == []
    assert title == "thermidor report: 1928-bloc"
    assert len(boxes) == PLOTS
    for width, height, in_figure in boxes:
        assert width > 0 and height > 0 and in_figure


def test_report_of_one_experiment_reads_it_by_default(root: Path, dirs: dict[str, Path]) -> None:
    path = root / "one.html"
    code, _, stderr = cli("report", dirs["corpse"], "-o", path)
    assert code == 0, stderr
    text = path.read_text(encoding="utf-8")
    assert "<title>thermidor report: 1928-all-corpse</title>" in text
    s = sections(text)
    assert list(s) == ["ensembles", "answers", "nuclei", "compare", "claims"]
    assert "(no sensitivity analysis given)" in s["claims"][1]
    assert "no bloc formed" in s["answers"][1]
    assert text.count("<svg") == PLOTS - SENSITIVITY_TARGETS
    assert s["claims"][1].count("not evaluated") == 9


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
        assert one_line(answers, q) in text
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
