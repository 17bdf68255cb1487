"""Helpers of benchmarks/mutation.sh on a cosmic-ray session database.

    python benchmarks/mutation_sample.py DB N SEED    keep a random sample of N pending mutants
                                                      (the others are recorded as skipped)
    python benchmarks/mutation_sample.py DB score     the score by file, and every survivor's diff

The score is killed / (killed + survived) over the mutants run (a timeout counts as killed, as in
cosmic-ray; skipped ones are not run and count nowhere).
"""

from __future__ import annotations

import random
import sys
from collections import Counter

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult


def sample(path: str, n: int, seed: int) -> None:
    with use_db(path, WorkDB.Mode.open) as db:

        def where(w):  # job ids are random: order by the mutation itself, so a seed repeats
            m = w.mutations[0]
            return (str(m.module_path), tuple(m.start_pos), m.operator_name, m.occurrence)

        items = sorted(db.pending_work_items, key=where)
        keep = set(random.Random(seed).sample(range(len(items)), min(n, len(items))))
        skip = [w.job_id for i, w in enumerate(items) if i not in keep]
        db.set_multiple_results(skip, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
        print(f"mutation_sample: {len(items)} mutants, {len(items) - len(skip)} kept (seed {seed})")


def score(path: str) -> None:
    tally: dict[str, Counter] = {}
    survivors = []
    with use_db(path, WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            spec = item.mutations[0]
            t = tally.setdefault(str(spec.module_path), Counter())
            if result.worker_outcome != WorkerOutcome.NORMAL:
                t["error"] += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                t["survived"] += 1
                survivors.append((spec, result.diff))
            else:
                t["killed"] += 1
    total = Counter()
    for f, t in sorted(tally.items()):
        total.update(t)
        run = t["killed"] + t["survived"]
        print(
            f"{f}: {t['killed']}/{run} killed ({100 * t['killed'] / max(run, 1):.0f} %)"
            + (f", {t['error']} not run (error)" if t["error"] else "")
        )
    run = total["killed"] + total["survived"]
    print(f"TOTAL: {total['killed']}/{run} killed ({100 * total['killed'] / max(run, 1):.1f} %)")
    for spec, diff in survivors:
        print(f"\n--- survived: {spec.module_path}:{spec.start_pos[0]} {spec.operator_name}")
        print("\n".join(line for line in (diff or "").splitlines() if line[:1] in "+-")[:600])


if __name__ == "__main__":
    if sys.argv[2] == "score":
        score(sys.argv[1])
    else:
        sample(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
