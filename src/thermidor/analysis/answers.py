"""The seven answers for one run, one graded line each (DESIGN.md section 3).

The letter refuses yes or no; so do these lines: each gives the measured quantities, never a
verdict.
"""

from __future__ import annotations

import pyarrow as pa

QUESTIONS = (
    "Q1 Has the party degenerated?",
    "Q2 Is the degeneration of the apparatus and of the Soviet power a fact?",
    "Q3 Do we still have a dictatorship of the working class? Who has hegemony?",
    "Q4 The 'Left course' and the 'shift'",
    "Q5 Can the workers who follow the Centre be won?",
    "Q6 Is this Thermidor with the dry guillotine?",
    "Q7 Unification with the Democratic Centralists?",
)


def _zigzags(line: list[float], right: list[bool], left: list[bool]) -> tuple[int, int]:
    starts_left = sum(1 for a, b in zip(right, right[1:], strict=False) if b and not a)
    starts_right = sum(1 for a, b in zip(left, left[1:], strict=False) if b and not a)
    return starts_left, starts_right


def seven_answers(timeseries: pa.Table, outcome: dict) -> list[tuple[str, str]]:
    """(question, graded answer) for each of the seven questions, for one run."""
    ts = timeseries.to_pydict()
    first = {k: v[0] for k, v in ts.items()}
    last = {k: v[-1] for k, v in ts.items()}
    years = (len(ts["week"]) - 1) / 52.18
    left_turns, right_turns = _zigzags(
        ts["line"], ts["campaign_against_right"], ts["campaign_against_left"]
    )
    bloc_cols = [k for k in ts if k.endswith("_bloc")]
    ever_bloc = any(any(ts[k]) for k in bloc_cols)
    if ever_bloc:
        alive = [k.removesuffix("_bloc") for k in bloc_cols if last[k]]
        q7 = f"a bloc was formed; united at the end: {', '.join(alive) or 'none (it split)'}"
    else:
        q7 = "no bloc in this run (see the scenario's [[blocs]]; measured across ensembles)"
    answers = [
        f"cells degenerated {last['cells_degenerated']:.0%}, healthy but amorphous "
        f"{last['cells_amorphous']:.0%}, hardly affected {last['cells_healthy']:.0%} "
        f"(start {first['cells_degenerated']:.0%}/{first['cells_amorphous']:.0%}/"
        f"{first['cells_healthy']:.0%}); hidden-versus-public gap {last['gap']:.3f}",
        f"mean d of the Soviet apparatus {last['institution_d']:.2f} against the party "
        f"apparatus {last['functionary_d']:.2f} (start {first['institution_d']:.2f} / "
        f"{first['functionary_d']:.2f})",
        f"pi {last['pi']:.2f} (start {first['pi']:.2f}), beta {last['beta']:.2f}; "
        f"the Central Committee is held by the {last['cc_holder']}; "
        f"Left delegates one level below it {last['left_top']:.0%}",
        f"line {first['line']:+.2f} -> {last['line']:+.2f}; {left_turns} campaigns against the "
        f"Right and {right_turns} against the Left in {years:.1f} years",
        f"{last['q5_moved_left']:.0%} of the worker members who trusted the Centre at the start "
        f"have moved left",
        f"outcome: {outcome['outcome']}"
        + (f" in week {outcome['week']} ({outcome['date']})" if outcome.get("week") else "")
        + f"; expelled {last['expelled']}, exiled {last['exiled']}, "
        f"capitulated {last['capitulated']}",
        q7,
    ]
    return list(zip(QUESTIONS, answers, strict=True))
