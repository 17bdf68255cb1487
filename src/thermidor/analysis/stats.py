"""Small statistics for ensembles: proportions with intervals, quantile bands, incidence curves.

Plain NumPy in and out (SALib's style). Every answer of docs/design.md is a distribution
over runs, so each estimate comes with its interval.
"""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """A proportion k/n with its Wilson score interval: (estimate, low, high).

    Wilson, E. B. (1927), JASA 22, 209. With n = 0 the estimate is NaN and the interval [0, 1].
    """
    if n == 0:
        return math.nan, 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """The difference p1 - p2 with Newcombe's hybrid score interval (method 10).

    Newcombe, R. G. (1998), Statistics in Medicine 17, 873: the interval combines the two Wilson
    intervals, and keeps its coverage near nominal for small n and extreme proportions.
    """
    p1, l1, u1 = wilson(k1, n1, z)
    p2, l2, u2 = wilson(k2, n2, z)
    if n1 == 0 or n2 == 0:
        return math.nan, -1.0, 1.0
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(-1.0, low), min(1.0, high)


def band(values: np.ndarray, level: float = 0.9) -> tuple[float, float, float]:
    """Median and the central `level` interval of `values` (NaNs ignored)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    lo, mid, hi = np.quantile(v, [(1 - level) / 2, 0.5, (1 + level) / 2])
    return float(mid), float(lo), float(hi)


def cumulative_incidence(
    event_week: np.ndarray, event: np.ndarray, weeks_run: np.ndarray, horizon: int
) -> np.ndarray:
    """Cumulative incidence of one outcome among competing absorbing outcomes, week 0..horizon.

    `event_week[i]` is the week run i ended in an outcome (any), `event[i]` whether that outcome
    was the one of interest, `weeks_run[i]` the weeks it ran (censoring when it ended open
    before the horizon). Aalen-Johansen estimator: CI(t) = sum over s <= t of S(s-) d(s)/n(s),
    with S the all-cause survival. With no censoring it is the plain share of runs ended in the
    outcome by week t.
    """
    ended = event_week >= 0
    ci = np.zeros(horizon + 1)
    surv = 1.0
    total = 0.0
    for t in range(horizon + 1):
        at_risk = np.sum(np.where(ended, event_week, weeks_run) >= t)
        if at_risk == 0:
            ci[t:] = total
            break
        all_cause = np.sum(ended & (event_week == t))
        this = np.sum(ended & event & (event_week == t))
        total += surv * this / at_risk
        surv *= 1.0 - all_cause / at_risk
        ci[t] = total
    return ci


def hazard_by_year(
    event_week: np.ndarray, event: np.ndarray, weeks_run: np.ndarray, years: int
) -> np.ndarray:
    """The yearly hazard of one outcome: events in the weeks (a, b] of year y over the runs still
    open after week a."""
    ended = event_week >= 0
    end = np.where(ended, event_week, weeks_run)
    out = np.full(years, math.nan)
    for y in range(years):
        a, b = round(y * 52.1775), round((y + 1) * 52.1775)
        at_risk = np.sum(end > a)  # still open after week a (steps are weeks 1, 2, ...)
        if at_risk:
            out[y] = np.sum(ended & event & (event_week > a) & (event_week <= b)) / at_risk
    return out


def kaplan_meier(duration: np.ndarray, event: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The Kaplan-Meier survival S(t) at `times`: `duration[i]` the weeks observed, `event[i]`
    whether it ended in the event (else censored there). S(t) = prod over event times s <= t of
    (1 - d(s) / n(s)), n(s) those still observed at s."""
    duration = np.asarray(duration)
    event = np.asarray(event, dtype=bool)
    out = np.ones(len(times))
    s = 1.0
    steps = sorted(set(duration[event].tolist()))
    j = 0
    for k, t in enumerate(times):
        while j < len(steps) and steps[j] <= t:
            at_risk = np.sum(duration >= steps[j])
            s *= 1.0 - np.sum(event & (duration == steps[j])) / at_risk
            j += 1
        out[k] = s
    return out
