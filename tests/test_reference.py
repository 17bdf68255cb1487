"""The Mesa twin (`thermidor.reference`) against the engine: docs/design.md, principle 4.

Three checks, from the strictest to the most robust:

1. Contract: the twin returns the engine's `Result`: the same time-series columns and types, the
   same cell-snapshot columns at the same weeks, the same outcome record.
2. Lockstep: the twin draws the same random numbers in the same order as the engine's kernels, so
   the same seed must give the engine's run to rounding (1e-9), week by week and column by
   column, on several scenarios and switches. This is the line-by-line check; it fails on any
   departure of either implementation, and also when one of them merely changes the order of
   its draws (then the statistical checks below say whether the model itself changed).
3. Statistics on independent ensembles (disjoint seeds) on `tiny` (2,394 persons, 28 cells):
   - metrics: `METRICS` at weeks 26, 52 and 104 with the outcome submodel switched off (S13 would
     end some runs early and leave no row at the later weeks, so outcomes are compared apart;
     `ensembles.metrics` raises if a run ends early), each compared by a two-sample permutation
     test of the difference of means (exact under the null hypothesis that both ensembles come
     from one distribution, whatever its shape: several columns are small counts or mostly
     zero), Holm-corrected over the 30 tests at a family-wise level of 5 %;
   - outcomes: on `tiny` with S13 made reachable within 104 weeks (OUTCOME_SETTING, Model 2:
     no procurement crisis; about two thirds Thermidor and a third consolidation; the Left
     never holds the CC there, so no reform), the outcome frequencies by a chi-square test of
     homogeneity and the week the run ended by a Mann-Whitney test, Holm-corrected over the two;
   - power: the same tests must detect a deliberate change of one parameter in the engine only
     (activation.k = 1.5 instead of 2.3 for the metrics: beta moves by 6-13 %, pi by 2-6 %;
     outcome.consolidation_weeks = 60 instead of 30 for the outcomes: consolidation falls from
     about a third of the runs to a tenth; 45 weeks, a fall to a fifth, gave p_holm 0.067 with
     60 twin runs), and the ensembles must be large enough to detect a 10 % change of the mean
     of the metrics in `PRECISE` (`test_ensembles_detect_a_ten_percent_change` recomputes this
     from the observed variance).

These ensembles are marked `slow` (`make test-slow`, about 10 minutes on two idle cores): with
Model 2 a twin run costs about twice what it did, and the lockstep checks above, in `make test`,
are the stronger test.

Ensemble sizes. A twin run costs about 2 s (104 weeks of `tiny`), an engine run 0.05 s, so the
engine ensembles are five times larger. A change delta of a mean is detected with 80 % power at
the Bonferroni level alpha / 30 (Holm's first step) when delta >= (z(1 - alpha / 60) + z(0.8))
sqrt(s2_twin / n_twin + s2_engine / n_engine) = 3.99 s sqrt(1/100 + 1/500) = 0.44 s, so a 10 %
change needs a coefficient of variation s / mean <= 0.23; at the ratio 1:5, a 10 % change needs
n_twin = 1.2 (3.99 CV / 0.1)^2 = 1,900 CV^2 twin runs. Observed on Model 2 (and printed by the
test): the detectable change is 1-7 % for pi, functionary_d and institution_d at every week and
for beta at weeks 26 and 52 (`PRECISE`). It is larger elsewhere, with the twin runs a 10 % change
would need: kernel_left_active 8 % at weeks 26 and 52 and worker_x 8-10 % (too close to 10 % to
promise; 17 % and 290 runs for the kernel at week 104), beta at week 104 19 % (360), line 11-14 %
(120-190), expelled 12-22 % (150-490), exiled 27-42 % (four cadres at this scale: 700-1,750),
q5_moved_left 29-43 % (a count of a few members: 860-1,840); more than this suite's budget. For
those the lockstep check is the stronger test.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from thermidor.engine import Model
from thermidor.engine import simulate as engine_simulate
from thermidor.reference import simulate as twin_simulate
from thermidor.reference.ensembles import METRICS, WEEKS, chunked, metrics, outcomes
from thermidor.scenario import load_scenario

ALPHA = 0.05  # family-wise level of each family of tests (Holm)
N_ENGINE, N_TWIN = 500, 100  # metric ensembles: engine seeds 0.., twin seeds 1_000_000..
N_ENGINE_OUT, N_TWIN_OUT = 500, 60  # outcome ensembles
TWIN_SEED0 = 1_000_000  # disjoint seeds: the two ensembles are independent
RESAMPLES = 19_999  # permutations: the smallest p-value is 1/20,000, below ALPHA / 30
NO_OUTCOME = ("outcome.enabled=false",)
OUTCOME_SETTING = (  # S13 reachable in 104 weeks of `tiny` (no Left CC, so no reform, there)
    "classes.grain0=1.0",  # no procurement crisis: no mass movement lifts pi out of reach
    "outcome.thermidor_pi=0.55",
    "outcome.thermidor_hazard=1.0",
    "outcome.consolidation_beta=0.46",
    "outcome.consolidation_weeks=30",
)
CHANGED_METRICS = ("activation.k=1.5",)  # power check: the engine only
CHANGED_OUTCOMES = ("outcome.consolidation_weeks=60",)
# (metric, week) whose coefficient of variation lets these ensembles resolve a 10 % change
# (observed on Model 2: 1-7 %; the others need more twin runs, see the module's docstring)
PRECISE = [
    *((m, w) for m in ("pi", "functionary_d", "institution_d") for w in WEEKS),
    ("beta", 26),
    ("beta", 52),
]


# --- the statistics -------------------------------------------------------------------------


def permutation_pvalues(
    a: np.ndarray, b: np.ndarray, resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """Two-sided permutation p-values of |mean(a) - mean(b)|, one per column of a and b.

    Each resample reassigns the pooled runs to two groups of the original sizes; the p-value is
    (1 + #{resampled difference >= observed}) / (1 + resamples), exact under exchangeability.
    """
    pooled = np.concatenate([a, b])
    n, na = len(pooled), len(a)
    total = pooled.sum(axis=0)
    observed = np.abs(a.mean(axis=0) - b.mean(axis=0))
    tol = 1e-9 * np.maximum(np.abs(pooled).max(axis=0), 1.0)  # rounding of the same split
    count = np.zeros(pooled.shape[1])
    done = 0
    while done < resamples:
        batch = min(2000, resamples - done)
        order = rng.permuted(np.tile(np.arange(n), (batch, 1)), axis=1)
        in_a = np.zeros((batch, n))
        np.put_along_axis(in_a, order[:, :na], 1.0, axis=1)
        sum_a = in_a @ pooled
        diff = np.abs(sum_a / na - (total - sum_a) / (n - na))
        count += (diff >= observed - tol).sum(axis=0)
        done += batch
    return (1.0 + count) / (1.0 + resamples)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (reject where adjusted <= the family-wise level)."""
    flat = np.asarray(p, float).ravel()
    order = np.argsort(flat)
    m = flat.size
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (m - rank) * flat[i])
        adjusted[i] = min(1.0, running)
    return adjusted.reshape(np.shape(p))


def compare_metrics(a: np.ndarray, b: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Means, raw and Holm-adjusted p-values of ensembles a, b [seed, week, metric]."""
    k = len(WEEKS) * len(METRICS)
    rng = np.random.default_rng(seed)
    p = permutation_pvalues(a.reshape(len(a), k), b.reshape(len(b), k), RESAMPLES, rng)
    p = p.reshape(len(WEEKS), len(METRICS))
    return {"mean_a": a.mean(0), "mean_b": b.mean(0), "p": p, "p_holm": holm(p)}


def compare_outcomes(a: list[tuple[str, int]], b: list[tuple[str, int]]) -> dict:
    """Chi-square of the outcome frequencies and Mann-Whitney of the week each run ended."""
    kinds = sorted({o for o, _ in a} | {o for o, _ in b})
    table = np.array([[sum(o == k for o, _ in runs) for k in kinds] for runs in (a, b)])
    p_freq = stats.chi2_contingency(table).pvalue if len(kinds) > 1 else 1.0
    p_week = stats.mannwhitneyu([w for _, w in a], [w for _, w in b]).pvalue
    p = np.array([p_freq, p_week])
    return {"kinds": kinds, "table": table, "p": p, "p_holm": holm(p)}


def detectable_change(a: np.ndarray, b: np.ndarray, tests: int, power: float = 0.8) -> np.ndarray:
    """The smallest relative change of each mean that the Bonferroni-level test detects with
    `power`: (z(1 - ALPHA / 2 tests) + z(power)) sqrt(s2_a / n_a + s2_b / n_b) / |mean|."""
    z = stats.norm.ppf(1 - ALPHA / (2 * tests)) + stats.norm.ppf(power)
    se = np.sqrt(a.var(0, ddof=1) / len(a) + b.var(0, ddof=1) / len(b))
    mean = np.abs(np.concatenate([a, b]).mean(0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, z * se / mean, np.inf)


def table(result: dict, label_a: str, label_b: str) -> str:
    lines = [f"{'metric':>20} {'week':>4} {label_a:>12} {label_b:>12} {'p':>8} {'p_holm':>8}"]
    for w, week in enumerate(WEEKS):
        for m, name in enumerate(METRICS):
            lines.append(
                f"{name:>20} {week:>4} {result['mean_a'][w, m]:>12.4g} "
                f"{result['mean_b'][w, m]:>12.4g} {result['p'][w, m]:>8.2g} "
                f"{result['p_holm'][w, m]:>8.2g}"
            )
    return "\n".join(lines)


# --- the ensembles --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ensembles() -> dict:
    """Every ensemble of the module, run once on two worker processes."""
    twin_seeds = range(TWIN_SEED0, TWIN_SEED0 + N_TWIN)
    twin_out_seeds = range(TWIN_SEED0, TWIN_SEED0 + N_TWIN_OUT)
    jobs = {  # name: (task function, tasks), the slow twin chunks first
        "twin": (metrics, chunked("reference", "tiny", NO_OUTCOME, twin_seeds, 5)),
        "twin_out": (outcomes, chunked("reference", "tiny", OUTCOME_SETTING, twin_out_seeds, 6)),
        "engine": (metrics, chunked("engine", "tiny", NO_OUTCOME, range(N_ENGINE), 50)),
        "engine_changed": (
            metrics,
            chunked("engine", "tiny", NO_OUTCOME + CHANGED_METRICS, range(N_ENGINE), 50),
        ),
        "engine_out": (
            outcomes,
            chunked("engine", "tiny", OUTCOME_SETTING, range(N_ENGINE_OUT), 100),
        ),
        "engine_out_changed": (
            outcomes,
            chunked("engine", "tiny", OUTCOME_SETTING + CHANGED_OUTCOMES, range(N_ENGINE_OUT), 100),
        ),
    }
    start = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")  # no fork of a possibly threaded pytest process
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        futures = {
            name: [pool.submit(fn, task) for task in tasks] for name, (fn, tasks) in jobs.items()
        }
        out: dict = {}
        for name, fs in futures.items():
            parts = [f.result() for f in fs]
            out[name] = (
                np.concatenate(parts)
                if name in ("twin", "engine", "engine_changed")
                else [run for part in parts for run in part]
            )
    out["seconds"] = time.perf_counter() - start
    return out


# --- 1. contract ----------------------------------------------------------------------------


def test_same_result_contract() -> None:
    """Same columns, types, snapshot weeks and outcome keys as the engine's `Result`."""
    sc = load_scenario("tiny")
    twin, engine = twin_simulate(sc, seed=3, weeks=30), engine_simulate(sc, seed=3, weeks=30)
    assert twin.timeseries.schema == engine.timeseries.schema
    assert twin.cells.schema == engine.cells.schema
    assert twin.timeseries.num_rows == engine.timeseries.num_rows == 31
    assert twin.cells["week"].to_pylist() == engine.cells["week"].to_pylist()
    assert twin.outcome.keys() == engine.outcome.keys()
    assert twin.outcome["final"].keys() == engine.outcome["final"].keys()
    assert twin.seed == engine.seed == 3


def test_beta_star_is_unset_in_week_0_and_s12s_from_week_1() -> None:
    """beta* (S12's passive equilibrium) is not defined before S12's first week: the week-0 row
    reports NaN, in the engine and the twin alike; week 1's is the value S12 left in the state,
    the same in both."""
    model = Model("tiny", seed=3, weeks=2)
    assert math.isnan(model.state.macro.beta_star)
    model.step()
    after_s12 = model.state.macro.beta_star
    assert 0.0 < after_s12 < 1.0 and after_s12 == model.state.macro.beta_star0
    sc = load_scenario("tiny")
    for result in (engine_simulate(sc, seed=3, weeks=2), twin_simulate(sc, seed=3, weeks=2)):
        first, second, _ = result.timeseries["beta_star"].to_pylist()
        assert math.isnan(first)
        assert second == pytest.approx(after_s12, abs=1e-12)


# --- 2. lockstep ----------------------------------------------------------------------------


def _differences(a: pa.Table, b: pa.Table, what: str) -> list[str]:
    found = []
    for name in b.column_names:
        for row, (x, y) in enumerate(zip(a[name].to_pylist(), b[name].to_pylist(), strict=True)):
            if isinstance(y, float):  # an unset value (nan: week 0's beta_star) on both sides
                same = abs(x - y) <= 1e-9 or (math.isnan(x) and math.isnan(y))
            else:
                same = x == y
            if not same:
                found.append(f"{what} row {row} {name}: twin {x!r} engine {y!r}")
                break
    return found


@pytest.mark.parametrize(
    ("scenario", "overrides", "seed"),
    [
        ("tiny", [], 0),
        ("tiny", ["classes.enabled=false", "hierarchy.appointed=0.0"], 1),
        ("1928-bloc", ["scale=0.0005", "weeks=104", "bloc_rules.clash_regime=0.0"], 2),
        ("1928-manifesto", ["scale=0.0005", "weeks=104"], 3),
        ("tiny", ['influence.rule="bounded_confidence"', 'activation.rounding="floor"'], 4),
        ("tiny", ["expression.enabled=false", 'activation.rounding="round"'], 5),
        ("tiny", list(OUTCOME_SETTING), 6),  # ends in an absorbing outcome
    ],
)
def test_lockstep_with_the_engine(scenario: str, overrides: list[str], seed: int) -> None:
    """Same scenario, same seed: the twin reproduces the engine's run to rounding."""
    sc = load_scenario(scenario, overrides)
    twin, engine = twin_simulate(sc, seed=seed), engine_simulate(sc, seed=seed)
    assert twin.timeseries.num_rows == engine.timeseries.num_rows
    assert twin.cells.num_rows == engine.cells.num_rows
    found = _differences(twin.timeseries, engine.timeseries, "timeseries")
    found += _differences(twin.cells, engine.cells, "cells")
    found.sort(key=lambda s: int(s.split()[2]))
    assert not found, "the twin left the engine's run:\n" + "\n".join(found[:10])
    for key in ("outcome", "week", "date", "weeks_run", "persons", "cells", "scenario_hash"):
        assert twin.outcome[key] == engine.outcome[key], key


# --- 3. statistics --------------------------------------------------------------------------


@pytest.mark.slow
def test_metrics_agree(ensembles: dict) -> None:
    """No metric at weeks 26, 52, 104 differs between the ensembles (Holm, 5 % family-wise)."""
    result = compare_metrics(ensembles["twin"], ensembles["engine"], seed=1)
    print(f"\ntwin (n={N_TWIN}) vs engine (n={N_ENGINE}), {ensembles['seconds']:.0f} s:")
    print(table(result, "twin", "engine"))
    rejected = [
        f"{METRICS[m]} week {WEEKS[w]}: twin {result['mean_a'][w, m]:.4g} engine "
        f"{result['mean_b'][w, m]:.4g} p_holm {result['p_holm'][w, m]:.2g}"
        for w, m in zip(*np.nonzero(result["p_holm"] <= ALPHA), strict=True)
    ]
    assert not rejected, "the twin and the engine differ:\n" + "\n".join(rejected)


@pytest.mark.slow
def test_metric_test_detects_a_changed_parameter(ensembles: dict) -> None:
    """Power: with activation.k = 1.5 in the engine only, the same test rejects."""
    result = compare_metrics(ensembles["twin"], ensembles["engine_changed"], seed=2)
    print(f"\ntwin vs engine with {CHANGED_METRICS}:")
    print(table(result, "twin", "engine k=1.5"))
    assert result["p_holm"].min() <= ALPHA


@pytest.mark.slow
def test_ensembles_detect_a_ten_percent_change(ensembles: dict) -> None:
    """The ensembles are large enough: a 10 % change of the mean of every PRECISE metric is
    detected with 80 % power at the Bonferroni level (ALPHA / 30), from the observed variance."""
    mdc = detectable_change(ensembles["twin"], ensembles["engine"], len(WEEKS) * len(METRICS))
    # at a fixed ratio n_engine / n_twin, the detectable change goes as 1 / sqrt(n_twin)
    needed = np.ceil(N_TWIN * (mdc / 0.10) ** 2)
    print("\nsmallest change of the mean detected with 80 % power (twin runs for 10 %):")
    for w, week in enumerate(WEEKS):
        cols = (f"{m} {mdc[w, i]:.1%} ({needed[w, i]:.0f})" for i, m in enumerate(METRICS))
        print(f"week {week}: " + ", ".join(cols))
    too_noisy = [
        f"{m} week {w}: {mdc[WEEKS.index(w), METRICS.index(m)]:.1%}"
        for m, w in PRECISE
        if mdc[WEEKS.index(w), METRICS.index(m)] > 0.10
    ]
    assert not too_noisy, "ensembles too small for a 10 % change:\n" + "\n".join(too_noisy)


@pytest.mark.slow
def test_outcomes_agree(ensembles: dict) -> None:
    """Outcome frequencies and the week of the outcome agree (Holm over the two tests)."""
    result = compare_outcomes(ensembles["twin_out"], ensembles["engine_out"])
    print(f"\noutcomes {result['kinds']}:\n{result['table']}\np {result['p']}")
    assert len(result["kinds"]) >= 2, "the outcome setting no longer reaches two outcomes"
    assert result["p_holm"].min() > ALPHA, f"outcomes differ: {result}"


@pytest.mark.slow
def test_outcome_test_detects_a_changed_parameter(ensembles: dict) -> None:
    """Power: with outcome.consolidation_weeks = 60 in the engine only, the same test rejects."""
    result = compare_outcomes(ensembles["twin_out"], ensembles["engine_out_changed"])
    print(f"\noutcomes with {CHANGED_OUTCOMES} {result['kinds']}:\n{result['table']}")
    print(f"p {result['p']}")
    assert result["p_holm"].min() <= ALPHA


# --- the statistics themselves --------------------------------------------------------------


def test_permutation_test_and_holm() -> None:
    """The batched permutation test agrees with scipy's on one column (to Monte Carlo error,
    sd 0.0015 at p ~ 0.05 with 20,000 resamples), is calibrated under the null hypothesis, and
    Holm's adjustment is the textbook one."""
    rng = np.random.default_rng(1)  # a sample whose two-sample t-test p is 0.040
    a, b = rng.normal(0.25, 1.0, (100, 1)), rng.normal(0.0, 1.0, (500, 1))
    student = stats.ttest_ind(a[:, 0], b[:, 0]).pvalue  # its large-sample equivalent
    ours = permutation_pvalues(a, b, RESAMPLES, np.random.default_rng(6))[0]
    theirs = stats.permutation_test(
        (a[:, 0], b[:, 0]),
        lambda x, y, axis: np.abs(x.mean(axis=axis) - y.mean(axis=axis)),
        permutation_type="independent",
        n_resamples=RESAMPLES,
        vectorized=True,
        alternative="greater",
        rng=np.random.default_rng(7),
    ).pvalue
    assert abs(ours - theirs) < 0.006
    assert abs(ours - student) < 0.006
    # null: 200 columns from one distribution, about 10 % of them below 0.1 (binomial sd 2 %)
    null = permutation_pvalues(
        rng.exponential(1.0, (100, 200)), rng.exponential(1.0, (500, 200)), 1999, rng
    )
    assert 0.04 <= np.mean(null <= 0.1) <= 0.16
    np.testing.assert_allclose(holm(np.array([0.01, 0.04, 0.03, 0.5])), [0.04, 0.09, 0.09, 0.5])
