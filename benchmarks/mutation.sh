#!/usr/bin/env bash
# Mutation testing (issue #13): cosmic-ray mutates one source file at a time, runs the tests that
# concern it, and counts the mutants no test kills. A benchmark, not a CI step: figures in
# docs/testing.md.
#
#   benchmarks/mutation.sh GROUP [SAMPLE] [SEED]
#
# GROUP is one of the groups below (each: the files mutated, the tests run on every mutant);
# SAMPLE (default: all) keeps a random sample of that many mutants of the group (SEED, default 13),
# the others are recorded as skipped. The run works on a copy of the committed tree (`git
# archive HEAD`) in $MUTATION_DIR (default /tmp/thermidor-mutation), never on the worktree, and
# prints cosmic-ray's report; the session database stays in $MUTATION_DIR/GROUP.sqlite.
#
# Numba: the kernels (`thermidor.model.jit.compiled`) are cached on disk, and a cached kernel is
# keyed on its own source file's time stamp and size only. A mutant of a file that holds kernels
# changes that stamp, so its kernels are recompiled, and submodels never import each other: the
# groups that mutate submodels/, observe.py, init.py (and the packages outside model/, which hold
# no kernel) run with a cache of their own in the copy. But a mutant of cells.py or streams.py
# (functions compiled INTO the kernels of other files) would run stale kernels: that group
# (model-kernels) runs with NUMBA_DISABLE_JIT=1, the kernels as plain Python, on the small
# hand-built states of the fast tests only. So does model-state: state.py's constants are
# frozen into every kernel at compilation, and a cached kernel would not see their mutant.
set -euo pipefail

group=${1:?usage: benchmarks/mutation.sh GROUP [SAMPLE] [SEED]}
sample=${2:-all}
seed=${3:-13}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
py=${PYTHON:-$repo/.venv/bin/python}
[ -x "$py" ] || py=$(command -v python3)
out=${MUTATION_DIR:-/tmp/thermidor-mutation}

# the tests of each group: pytest argument lists separated by ';' (each its own pytest run, so
# that each can have its own -k); the fast ones that concern the files mutated, not the slow
# ensembles (a mutant is killed by the first one that fails)
fast_model="tests/test_submodels_by_hand.py tests/test_initial_population.py"
case $group in
  scenario)
    files="src/thermidor/scenario/load.py src/thermidor/scenario/schema.py src/thermidor/scenario/passive.py"
    tests="tests/test_scenarios.py -k 'not every_builtin and not history_rows'; tests/test_odd.py; tests/test_hardening.py -k 'extends or show'; tests/test_q5.py -k passive_changes_only"
    jit=on ;;
  analysis)
    files="src/thermidor/analysis/stats.py src/thermidor/analysis/measures.py src/thermidor/analysis/compare.py src/thermidor/analysis/seven.py"
    tests="tests/test_analysis.py -k 'not hold_claims_verdicts and not coverage'"
    jit=on ;;
  analysis-claims)
    files="src/thermidor/analysis/claims.py"
    tests="tests/test_analysis.py -k claims"
    jit=on ;;
  analysis-thresholds)
    files="src/thermidor/analysis/thresholds.py"
    tests="tests/test_thresholds_by_hand.py tests/test_type_hints.py; tests/test_thresholds.py"
    jit=on ;;
  analysis-discover)
    files="src/thermidor/analysis/discover.py"
    tests="tests/test_discover_by_hand.py tests/test_type_hints.py; tests/test_discover.py -k 'not reads_the_stored and not bad_inputs'"
    jit=on ;;
  analysis-load)
    files="src/thermidor/analysis/load.py"
    tests="tests/test_analysis_load.py tests/test_type_hints.py"
    jit=on ;;
  analysis-commands)
    files="src/thermidor/analysis/commands.py"
    tests="tests/test_analysis_commands.py"
    jit=on ;;
  analysis-sensitivity)
    files="src/thermidor/analysis/sensitivity.py"
    tests="tests/test_sensitivity_by_hand.py tests/test_type_hints.py; tests/test_analysis_commands.py -k sensitivity"
    jit=on ;;
  store)
    files="src/thermidor/experiments/store.py src/thermidor/experiments/runner.py"
    tests="tests/test_hardening.py -k 'fsynced or halfway or kills_its_worker or keep_dying or members or clean or part or foreign or pack_index or verify_reports or sessions_count'; tests/test_experiments_cli.py -k failed_run_is_recorded; tests/test_type_hints.py"
    jit=on ;;
  model-submodels)
    files="src/thermidor/model/submodels"
    tests="tests/test_submodels_by_hand.py tests/test_submodels.py"
    jit=on ;;
  model-core)
    files="src/thermidor/model/init.py src/thermidor/model/observe.py"
    tests="tests/test_initial_population.py tests/test_submodels_by_hand.py; tests/test_submodels.py -k observe"
    jit=on ;;
  model-schedule)
    files="src/thermidor/model/schedule.py src/thermidor/model/calendar.py"
    tests="tests/test_submodels_by_hand.py -k 'calendar or a_week_starts'; tests/test_submodels.py -k 'switching or s1_ or s4_switched'; tests/test_odd.py -k schedule"
    jit=on ;;
  model-state)
    files="src/thermidor/model/state.py"
    tests="$fast_model tests/test_streams.py"
    jit=off ;;
  model-kernels)
    files="src/thermidor/model/cells.py src/thermidor/model/streams.py src/thermidor/model/jit.py"
    tests="$fast_model tests/test_streams.py tests/test_streams_by_hand.py tests/test_jit.py tests/test_type_hints.py; tests/test_threads.py -k blocks"
    jit=off ;;
  *) echo "mutation.sh: unknown group '$group' (scenario, analysis, analysis-claims, analysis-thresholds, analysis-discover, analysis-load, analysis-commands, analysis-sensitivity, store, model-submodels, model-core, model-schedule, model-state, model-kernels)" >&2; exit 2 ;;
esac

"$py" -c "import cosmic_ray" 2>/dev/null || {
  echo "mutation.sh: cosmic-ray is not installed (pip install -e '.[mutation]')" >&2; exit 2; }
crbin=$(dirname "$py")

work=$out/$group
rm -rf "$work" && mkdir -p "$work/tree"
git -C "$repo" archive HEAD | tar -x -C "$work/tree"
cd "$work/tree"

# the command run on every mutant: a fresh interpreter on the copy's sources
if [ "$jit" = off ]; then jitenv="NUMBA_DISABLE_JIT=1"; else jitenv="NUMBA_CACHE_DIR=$work/numba"; fi
cat > "$work/run-tests.sh" <<SH
#!/usr/bin/env bash
cd "$work/tree"
export PYTHONPATH="$work/tree/src" $jitenv
SH
IFS=';' read -ra sets <<< "$tests"
for set in "${sets[@]}"; do
  echo "\"$py\" -m pytest -x -q -p no:cacheprovider -m 'not slow' $set || exit 1" >> "$work/run-tests.sh"
done
chmod +x "$work/run-tests.sh"

modules=$(for f in $files; do echo "\"$f\","; done | tr -d '\n')
cat > "$work/config.toml" <<TOML
[cosmic-ray]
module-path = [${modules%,}]
timeout = 300.0
excluded-modules = []
test-command = "$work/run-tests.sh"

[cosmic-ray.distributor]
name = "local"
TOML

db=$out/$group.sqlite
rm -f "$db"
echo "mutation.sh: $group: baseline (the tests must pass unmutated; this also warms the cache)"
"$work/run-tests.sh" > "$work/baseline.log" 2>&1 || {
  echo "mutation.sh: the tests fail without any mutant: see $work/baseline.log" >&2; exit 1; }
"$crbin/cosmic-ray" init "$work/config.toml" "$db"
if [ "$sample" != all ]; then
  "$py" "$repo/benchmarks/mutation_sample.py" "$db" "$sample" "$seed"
fi
start=$(date +%s)
"$crbin/cosmic-ray" exec "$work/config.toml" "$db"
echo "mutation.sh: $group: $(( $(date +%s) - start )) s"
"$py" "$repo/benchmarks/mutation_sample.py" "$db" score
