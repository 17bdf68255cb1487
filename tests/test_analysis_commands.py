"""The analysis commands (analysis/commands.py) in this process, on small inputs made here: run
directories of `tiny` (6 weeks) and ensembles of 3 runs whose outcomes are set by hand (a run
simulated, then its outcome replaced before its parts are written), a synthetic sweep (no engine,
as in test_sensitivity_by_hand.py). Each printed figure is worked out here from the files or by
the formulas written out (Wilson, Newcombe), not with the code's helpers. Seconds, not minutes.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from rich.console import Console

import thermidor.analysis.sensitivity as sens
import thermidor.experiments as tx
from test_sensitivity_by_hand import H, K, _Clock, _Model, synthetic, synthetic_run  # noqa: F401
from thermidor.analysis import commands as cm
from thermidor.cli import main
from thermidor.engine import simulate
from thermidor.experiments.plan import Task, run_seed
from thermidor.experiments.store import part_path, write_table
from thermidor.experiments.task import tables
from thermidor.runstore import write_run
from thermidor.scenario import load_scenario

WEEKS = 6
Z = 1.959963984540054  # the normal's 97.5 % quantile


def cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """Run the command line in this process: (exit status, stdout, stderr); the tables 200
    characters wide (no row wrapped)."""
    monkeypatch.setattr(sys, "argv", ["thermidor", *args])
    monkeypatch.setattr(cm, "out", Console(soft_wrap=True, width=200))
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def wilson(k: int, n: int) -> tuple[float, float]:
    p, d = k / n, 1 + Z * Z / n
    centre, half = (
        (p + Z * Z / (2 * n)) / d,
        Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d,
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def thermidor_in_run_1(task: Task) -> dict:
    """The run simulated, then run 1's outcome made Thermidor in week 3 by hand."""
    result = simulate(task.scenario, seed=run_seed(task.root_seed, task.run))
    if task.run == 1:
        result.outcome = {**result.outcome, "outcome": "Thermidor", "week": 3, "date": "1928-10-22"}
    for table, data in tables(result, task.run).items():
        write_table(part_path(Path(task.out), table, task.run), data)
    return {"run": task.run, "seconds": 0.0, "outcome": result.outcome["outcome"],
            "host": "here", "pid": 0}  # fmt: skip


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run directories (seeds 5 and 6; one of 8 weeks; one whose organisations all say
    'corpse'), an ensemble of 3 runs all open, one of 3 with run 1 a Thermidor."""
    root = tmp_path_factory.mktemp("c")
    sc = load_scenario("tiny", weeks=WEEKS)
    out = {
        "r5": write_run(simulate(sc, seed=5), root / "r5"),
        "r6": write_run(simulate(sc, seed=6), root / "r6"),
        "long": write_run(simulate(load_scenario("tiny", weeks=8), seed=5), root / "long"),
        "corpse": write_run(
            simulate(load_scenario("tiny", ["organisations.0.strategy=corpse"], weeks=WEEKS),
                     seed=5),
            root / "corpse",
        ),
    }  # fmt: skip
    with ThreadPoolExecutor(2) as pool:
        for name, fn in (("open", tx.run_task), ("thermidor", thermidor_in_run_1)):
            tx.ensemble("tiny", 3, weeks=WEEKS, out=root / name, executor=pool, task_fn=fn,
                        progress=False)  # fmt: skip
            out[name] = root / name
    return out


def test_fmt_and_duration_by_hand() -> None:
    assert cm._fmt([math.nan, 0.1, 0.2]) == "-"
    assert cm._fmt([0.5, 0.5, 0.5]) == "0.5"
    assert cm._fmt([0.123456, 0.1, 0.2]) == "0.123 [0.1, 0.2]"
    assert cm._fmt([0.5, 0.5, 0.6]) == "0.5 [0.5, 0.6]"
    assert cm._fmt([0.5, 0.4, 0.5]) == "0.5 [0.4, 0.5]"
    assert [cm._duration(s) for s in (0, 89.4, 90, 150, 5399, 5400, 9000)] == [
        "0 s", "89 s", "2 min", "2 min", "90 min", "1.5 h", "2.5 h"
    ]  # fmt: skip


def test_answer_prints_the_runs_own_numbers(dirs, capsys, monkeypatch) -> None:
    """One run: every course value is the run's own (start: week 0, horizon: week 6), to 3
    figures; the breakdown's worker row the workers' means at the horizon."""
    code, out, _ = cli(["answer", str(dirs["r5"])], capsys, monkeypatch)
    assert code == 0
    ts = pq.read_table(dirs["r5"] / "timeseries.parquet").to_pandas()
    assert out.startswith(f"tiny: 1 run(s), {WEEKS} weeks\n")
    for q in ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"):
        assert f"\n{q} " in out, q
    start, end = ts.iloc[0], ts.iloc[-1]
    row = re.search(r"the proletariat's share of power, pi +(\S+) +(\S+)", out)
    assert row.groups() == (f"{start.pi:.3g}", f"{end.pi:.3g}")
    row = re.search(r"the bureaucracy's autonomy, beta +(\S+) +(\S+)", out)
    assert row.groups() == (f"{start.beta:.3g}", f"{end.beta:.3g}")
    row = re.search(r"\n +worker +(\S+) +(\S+) +(\S+)", out)
    assert row.groups() == (f"{end.worker_d:.3g}", f"{end.worker_active:.3g}",
                            f"{end.worker_gap:.3g}")  # fmt: skip
    assert "mean d" in out and "P(outcome by the horizon) over its threshold" in out
    assert "P(Thermidor) over outcome.thermidor_pi" in out
    assert "no bloc formed (a scenario with [[blocs]] measures their durability)" in out  # as is


def test_answer_of_an_ensemble_gives_the_median_and_interval(dirs, capsys, monkeypatch) -> None:
    """3 runs: pi at the horizon as its median (the middle run's) [low, high]."""
    code, out, _ = cli(["answer", str(dirs["open"])], capsys, monkeypatch)
    assert code == 0 and out.startswith(f"tiny: 3 run(s), {WEEKS} weeks\n")
    last = sorted(
        pq.read_table(p).to_pandas().pi.iloc[-1]
        for p in sorted((dirs["open"] / "timeseries").glob("*.parquet"))
    )
    row = re.search(r"share of power, pi +\S+ +(\S+) \[(\S+), (\S+)\]", out)
    assert row[1] == f"{last[1]:.3g}"
    assert last[0] <= float(row[2].rstrip(",")) <= float(row[3]) <= last[2] + 1e-3


def test_answer_as_json(dirs, capsys, monkeypatch) -> None:
    code, out, _ = cli(["answer", str(dirs["thermidor"]), "--json"], capsys, monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "thresholds"]
    assert data["Q1"]["runs"] == 3
    assert {r["outcome"] for r in data["thresholds"]} >= {"Thermidor", "reform"}


def test_compare_by_hand(dirs, capsys, monkeypatch) -> None:
    """'open' (3 runs, none Thermidor) first, 'thermidor' (1 of 3) second: its P(Thermidor)
    1/3 with Wilson's interval, its difference from the first +1/3 with Newcombe's."""
    code, out, _ = cli(
        ["compare", str(dirs["open"]), str(dirs["thermidor"]), "--json"], capsys, monkeypatch
    )
    assert code == 0
    data = json.loads(out)
    rows = {(r["experiment"], r["outcome"]): r for r in data["outcomes"]}
    second = f"tiny ({dirs['thermidor']})"
    assert list(dict.fromkeys(r["experiment"] for r in data["outcomes"])) == ["tiny", second]
    t = rows[(second, "Thermidor")]
    lo1, hi1 = wilson(1, 3)
    lo0, hi0 = wilson(0, 3)
    assert (t["runs"], t["count"]) == (3, 1)
    assert (t["p"], t["p_low"], t["p_high"]) == pytest.approx((1 / 3, lo1, hi1), abs=1e-12)
    d_low = 1 / 3 - math.sqrt((1 / 3 - lo1) ** 2 + (hi0 - 0) ** 2)
    d_high = 1 / 3 + math.sqrt((hi1 - 1 / 3) ** 2 + (0 - lo0) ** 2)
    assert (t["diff"], t["diff_low"], t["diff_high"]) == pytest.approx(
        (1 / 3, d_low, d_high), abs=1e-12
    )
    assert rows[("tiny", "Thermidor")]["count"] == 0 and rows[("tiny", "duality open")]["p"] == 1
    curves = data["cumulative_incidence"]
    assert list(curves) == ["tiny", second]
    assert curves[second]["Thermidor"][-1] == pytest.approx(1 / 3)
    assert curves["tiny"]["Thermidor"][-1] == 0
    assert list(data["thresholds"]) == ["tiny", second]
    code, out, _ = cli(["compare", str(dirs["open"]), str(dirs["thermidor"])], capsys, monkeypatch)
    assert code == 0
    row = f"Thermidor  +3 +{re.escape(f'0.33 [{lo1:.2f}, {hi1:.2f}]')} +"
    assert re.search(row + re.escape(f"+0.33 [{d_low:+.2f}, {d_high:+.2f}]"), out)
    # the cumulative incidence of each absorbing outcome (not of 'duality open'), by year 1
    assert "P(duality open) by" not in out
    for outcome in ("Thermidor", "reform", "bureaucratic consolidation"):
        assert re.search(rf"^ *P\({outcome}\) by +year 1 *$", out, re.M), outcome
    assert re.search(rf"^ *{re.escape(second)} +0\.33 *$", out, re.M)
    assert f"P(outcome by the horizon) over its threshold {second}" in out


def test_compare_refuses_one_directory_and_mixed_scenarios(dirs, capsys, monkeypatch) -> None:
    code, _, err = cli(["compare", str(dirs["r5"])], capsys, monkeypatch)
    assert code == 2 and "needs at least two" in err
    code, _, err = cli(["compare", str(dirs["r5"]), str(dirs["long"])], capsys, monkeypatch)
    assert code == 2 and err.startswith(f"thermidor: error: {dirs['long']}: its scenario differs")
    assert f"differs from {dirs['r5']}'s in more than" in err and "--allow-mixed" in err
    code, out, _ = cli(["compare", str(dirs["r5"]), str(dirs["long"]), "--allow-mixed"], capsys,
                       monkeypatch)  # fmt: skip
    assert code == 0 and "duality open" in out
    # the seed, and the organisations' strategies, may differ
    for other in ("r6", "corpse"):
        code, out, err = cli(["compare", str(dirs["r5"]), str(dirs[other])], capsys, monkeypatch)
        assert code == 0, err


def test_sensitivity_dry_run_prints_the_design_and_its_time(capsys, monkeypatch, tmp_path):
    """2 parameters, 4 trajectories: 12 points x 2 runs x 3 = 72 runs; the pilot (fake clock,
    init 2 s, 4 weeks in 2 s): 54 s a run, x 72 / 4 workers = 972 s, '16 min'. Nothing run."""
    monkeypatch.setattr(sens, "Model", _Model)
    monkeypatch.setattr(sens.time, "perf_counter", _Clock())
    out = tmp_path / "sa"
    args = ["sensitivity", "tiny", "--out", str(out), "--params", f" {K} ,{H}", "--samples", "4",
            "--workers", "4", "--dry-run"]  # fmt: skip
    code, text, _ = cli(args, capsys, monkeypatch)
    assert code == 0
    assert (
        f"morris on 2 parameters ({K}, {H}): 12 points x 2 runs x 3 variants (as given, all "
        "reform, all corpse) = 72 runs of 104 weeks at scale 1:2000"
    ) in text
    assert "estimated time: at most 16 min on 4 worker processes" in text
    assert not out.exists()


@pytest.mark.usefixtures("synthetic")
def test_sensitivity_runs_and_prints_the_indices(capsys, monkeypatch, tmp_path):
    """The synthetic runs (test_sensitivity_by_hand.py): mu* of P(reform) 0.75 on k, 0 on h;
    each target's rows by decreasing index."""
    monkeypatch.setattr(sens, "Model", _Model)
    monkeypatch.setattr(sens.time, "perf_counter", _Clock())
    out = tmp_path / "sa"
    args = ["sensitivity", "tiny", "--out", str(out), "--params", f"{K},{H}", "--samples", "4",
            "--runs-per-point", "2"]  # fmt: skip
    code, text, _ = cli(args, capsys, monkeypatch)
    assert code == 0, text
    first = re.search(r"^ *target +parameter +index +conf *\n +(.+?)  ", text, re.M)
    assert first[1] == "P(Thermidor)"  # the targets in alphabetical order ('T' before 'r')
    rows = re.findall(r"^ +P\(reform\) +(\S+) +(\S+) +(\S+) *$", text, re.M)
    assert rows == [(K, "0.750", "0.000"), (H, "0.000", "0.000")]
    pi10 = re.findall(r"^ +pi at year 10 +(\S+) +(\S+)", text, re.M)
    assert pi10 == [(K, f"{10 * 0.05:.3f}"), (H, "0.000")]
    assert f"indices: {out / 'indices.parquet'}" in text and (out / "indices.parquet").is_file()


def test_sensitivity_parameters_all_and_a_bad_method(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(sens, "Model", _Model)
    monkeypatch.setattr(sens.time, "perf_counter", _Clock())
    code, _, err = cli(["sensitivity", "tiny", "--out", str(tmp_path / "x"), "--method", "fast"],
                       capsys, monkeypatch)  # fmt: skip
    assert code == 2 and "'fast' is not one of sobol, morris" in err
    code, text, _ = cli(["sensitivity", "tiny", "--out", str(tmp_path / "x"), "--params", " all ",
                         "--samples", "2", "--runs-per-point", "1", "--dry-run"],
                        capsys, monkeypatch)  # fmt: skip
    n = len(sens.parameters(load_scenario("tiny")))
    assert code == 0 and f"morris on {n} parameters (" in text
    assert f"{2 * (n + 1)} points x 1 runs x 3 variants" in text
    code, text, _ = cli(["sensitivity", "tiny", "--out", str(tmp_path / "x"), "--dry-run",
                         "--method", "sobol", "--samples", "4", "--weeks", "20"],
                        capsys, monkeypatch)  # fmt: skip
    assert code == 0 and "sobol on 10 parameters" in text and "= 288 runs of 20 weeks" in text


def test_report_of_a_run_and_its_refusals(dirs, capsys, monkeypatch, tmp_path) -> None:
    html = tmp_path / "r.html"
    code, _, err = cli(["report", str(dirs["r5"]), "-o", str(html), "--sensitivity",
                        str(tmp_path)], capsys, monkeypatch)  # fmt: skip
    assert code == 2 and "has no indices.parquet" in err and not html.exists()
    code, _, err = cli(["report", str(dirs["r5"]), "-o", str(html), "--main", "1928"], capsys,
                       monkeypatch)  # fmt: skip
    assert code == 2 and "--main" in err and "'1928' is not one of tiny" in err
    code, out, err = cli(["report", str(dirs["r5"]), str(dirs["r6"]), "-o", str(html)], capsys,
                         monkeypatch)  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"report: {html}"
    text = html.read_text()
    assert text.startswith("<!DOCTYPE html>") or text.startswith("<!doctype html>")
    assert str(dirs["r6"]) in text  # the second run, named by its directory
    code, _, err = cli(["report", str(dirs["r5"]), "-o", str(html)], capsys, monkeypatch)
    assert code == 2 and "--force" in err


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int]]:
    """Two synthetic sweeps of the same factors (k, h), Latin hypercubes of 20 and 12 points, 1
    run each: replicate 0 of `synthetic_run` is reform exactly when k > 0.05, so the hits are
    the points with k above it, read off each design. Each sweep: (directory, hits)."""
    root = tmp_path_factory.mktemp("s")
    out = {}
    for name, points in (("a", 20), ("b", 12)):
        with ThreadPoolExecutor(2) as pool:
            vary = [f"{K}=0.025:0.075", f"{H}=0.005:0.015"]
            sweep = tx.sweep("tiny", vary, out=root / name / "base", design="lhs",
                             samples=points, seed=points, executor=pool, task_fn=synthetic_run,
                             progress=False)  # fmt: skip
        out[name] = (root / name / "base", int((sweep.design()[K] > 0.05).sum()))
    return out


def test_discover_on_a_synthetic_sweep(sweeps, capsys, monkeypatch) -> None:
    out, hits = sweeps["a"]
    code, text, _ = cli(["discover", str(out), "--target", "reform", "--json"], capsys, monkeypatch)
    assert code == 0
    (found,) = json.loads(text)
    assert (found["target"], found["runs"], found["hits"]) == ("reform", 20, hits)
    code, text, _ = cli(["discover", str(out), "--target", "reform", "--trajectory"], capsys,
                        monkeypatch)  # fmt: skip
    assert code == 0 and re.search(rf"\n +reform +20 +{hits} ", text)
    assert "reform: peeling trajectory" in text
    code, text, _ = cli(["discover", str(out), "--target", "reform"], capsys, monkeypatch)
    assert "peeling trajectory" not in text


def test_discover_maps_two_sweeps_together(sweeps, capsys, monkeypatch) -> None:
    """Both sweeps' runs, 20 + 12, and both sweeps' hits."""
    (a, hits_a), (b, hits_b) = sweeps["a"], sweeps["b"]
    code, text, _ = cli(["discover", str(a), str(b), "--target", "reform", "--json"], capsys,
                        monkeypatch)  # fmt: skip
    assert code == 0
    (found,) = json.loads(text)
    assert (found["runs"], found["hits"]) == (32, hits_a + hits_b)


def test_report_with_a_discovery_map_and_a_calibration(dirs, sweeps, capsys, monkeypatch,
                                                       tmp_path) -> None:  # fmt: skip
    """--discover: the map titled by its sweep; --calibration: 'shipped' reads the posterior
    shipped (and then needs an experiment, which a run directory is not), a directory its own
    (an empty one holds none)."""
    a, _ = sweeps["a"]
    html = tmp_path / "r.html"
    code, _, err = cli(["report", str(dirs["r5"]), "-o", str(html), "--discover", str(a)], capsys,
                       monkeypatch)  # fmt: skip
    assert code == 0, err
    assert f"over {a}" in html.read_text()
    code, _, err = cli(["report", str(dirs["r5"]), "-o", str(tmp_path / "c.html"),
                        "--calibration", "shipped"], capsys, monkeypatch)  # fmt: skip
    assert code == 2 and f"{dirs['r5']}: is not an experiment directory" in err
    (tmp_path / "empty").mkdir()
    code, _, err = cli(["report", str(dirs["r5"]), "-o", str(tmp_path / "c.html"),
                        "--calibration", str(tmp_path / "empty")], capsys, monkeypatch)  # fmt: skip
    assert code == 2 and f"{tmp_path / 'empty'}: holds no posterior" in err


def test_the_commands_are_registered(capsys, monkeypatch) -> None:
    for command in ("answer", "compare", "sensitivity", "discover", "report"):
        code, out, _ = cli([command, "--help"], capsys, monkeypatch)
        assert code == 0 and "Usage" in out, command


def test_a_run_directory_copied_keeps_its_answer(dirs, capsys, monkeypatch, tmp_path) -> None:
    """The same numbers whichever directory the run is read from (nothing cached by path)."""
    copy = tmp_path / "copy"
    shutil.copytree(dirs["r5"], copy)
    _, a, _ = cli(["answer", str(dirs["r5"])], capsys, monkeypatch)
    _, b, _ = cli(["answer", str(copy)], capsys, monkeypatch)
    assert a == b
