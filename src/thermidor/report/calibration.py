"""The report's section "Calibrated to 1928-29, tested on 1930-32": the posterior the runs draw
from, how ABC-SMC reached it, its fit to the targets, and the retrodiction of the record it never
saw (docs/calibration.md holds the same tables, made by `thermidor calibrate` and `retrodict`).
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from thermidor.calibration.abc import weighted_quantile
from thermidor.calibration.posterior import Posterior, load_posterior
from thermidor.calibration.retrodict import compare, from_experiment, holdout, markdown
from thermidor.errors import InputError


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, border=0)


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def posterior_table(post: Posterior) -> pd.DataFrame:
    """Each calibrated parameter: its prior range, posterior median, 50 % and 90 % intervals."""
    priors = {p["key"]: p for p in post.settings.get("priors", [])}
    rows = []
    for key in post.keys:
        q05, q25, q50, q75, q95 = weighted_quantile(
            post.particles[key].to_numpy(), post.weights, [0.05, 0.25, 0.5, 0.75, 0.95]
        )
        p = priors.get(key, {})
        rows.append(
            {
                "parameter": key,
                "prior (uniform)": f"[{p['low']:.3g}, {p['high']:.3g}]" if p else "–",
                "median": f"{q50:.3g}",
                "50 % interval": f"[{q25:.3g}, {q75:.3g}]",
                "90 % interval": f"[{q05:.3g}, {q95:.3g}]",
            }
        )
    return pd.DataFrame(rows)


def fit_table(predictive: pd.DataFrame, post: Posterior) -> pd.DataFrame:
    """The last generation's simulated targets (weighted) against each target's record."""
    w = predictive["weight"].to_numpy(np.float64)
    rows = []
    for t in post.settings.get("targets", []):
        if t["id"] not in predictive:
            continue
        q05, q50, q95 = weighted_quantile(predictive[t["id"]].to_numpy(), w, [0.05, 0.5, 0.95])
        rows.append(
            {
                "rows": t["id"],
                "quantity": t["quantity"],
                "date": t["date"],
                "record": _number(t["value"]),
                "record's sd": _number(t["sd"]),
                "posterior median": _number(q50),
                "90 % interval": f"[{_number(q05)}, {_number(q95)}]",
                "inside": "yes" if q05 <= t["value"] <= q95 else "no",
            }
        )
    return pd.DataFrame(rows)


def section(
    post: Posterior,
    history: pd.DataFrame,
    predictive: pd.DataFrame,
    retrodiction: pd.DataFrame | None,
    retro_from: str,
) -> str:
    """The section's HTML. `retrodiction`: `calibration.retrodict.compare`'s table (None: not
    made), `retro_from` what it was computed from."""
    s = post.settings
    sims = int(history["simulations"].sum())
    last = history.iloc[-1]
    intro = (
        f"<p>The parameters below are not set by hand: they are drawn from a posterior "
        f"distribution, fitted by approximate Bayesian computation (ABC-SMC, pyabc) to "
        f"{len(s.get('targets', []))} quantities of the record dated up to 1929-12-31 "
        f"(membership, the purge, arrests, exiles, capitulations), at scale "
        f"1:{round(1 / s['scale']):,}, {s.get('population')} particles a generation. "
        f"{len(history)} generations took {sims:,} simulations; the last accepted "
        f"{last['acceptance_rate']:.1%} of its proposals at epsilon {last['epsilon']:.3g} "
        f"(the distance in units of each target's uncertainty). Posterior: "
        f"{html.escape(post.where)}.</p>"
    )
    gens = history.assign(
        epsilon=history["epsilon"].map(lambda v: f"{v:.3g}"),
        acceptance_rate=history["acceptance_rate"].map(lambda v: f"{v:.1%}"),
    ).rename(columns={"acceptance_rate": "acceptance"})
    parts = [
        intro,
        "<h3>The posterior</h3>",
        _table(posterior_table(post)),
        "<h3>ABC-SMC, generation by generation</h3>",
        _table(gens),
        "<h3>The fit: the targets against the last generation's simulations</h3>",
        _table(fit_table(predictive, post)),
    ]
    parts.append("<h3>Retrodiction: 1930-32, which the calibration never saw</h3>")
    if retrodiction is None:
        parts.append(
            f"<p>Not made: {html.escape(retro_from)}. `thermidor retrodict` runs the posterior "
            "predictive and writes the table.</p>"
        )
    else:
        coverage = markdown(retrodiction).splitlines()[-1]
        r = retrodiction
        shown = pd.DataFrame(
            {
                "rows": r["id"],
                "quantity": r["quantity"],
                "date": r["date"],
                "record": r["record"].map(_number),
                "median": r["median"].map(_number),
                "50 %": [
                    f"[{_number(a)}, {_number(b)}]" for a, b in zip(r.q25, r.q75, strict=True)
                ],
                "90 %": [
                    f"[{_number(a)}, {_number(b)}]" for a, b in zip(r.q05, r.q95, strict=True)
                ],
                "in 50 %": r["in_50"].map({True: "yes", False: "no"}),
                "in 90 %": r["in_90"].map({True: "yes", False: "no"}),
            }
        )
        parts.append(
            f"<p>The posterior predictive, read from {html.escape(retro_from)}, beside the "
            "record's rows after the cut-off. No hold-out row is ever a target: the coverage "
            f"is reported as it comes out. <strong>{html.escape(coverage)}</strong></p>"
            + _table(shown)
        )
    return "".join(parts)


def inputs(posterior: str | Path | None = None, experiment: str | Path | None = None) -> dict:
    """The section's data: the posterior (`posterior`, None: the shipped one), its ABC history
    and predictive, and the retrodiction read from `experiment`'s runs when it is a sweep over
    that posterior's draws that reaches the last hold-out date (else said why not)."""
    post = load_posterior(posterior)
    retro, where = None, "no experiment over the posterior's draws was given"
    if experiment is not None:
        from thermidor.experiments.handle import open_experiment

        design = open_experiment(experiment).manifest.get("design") or {}
        if design.get("name") != "posterior":
            where = f"{experiment} is not a sweep over a posterior's draws"
        else:
            held = holdout()
            try:
                pred = from_experiment(experiment, held)
                retro = compare(pred, held)
                where = f"the {len(pred)} runs of {experiment}, one a draw"
            except InputError as err:
                where = str(err)
    return {
        "post": post,
        "history": post.table("history"),
        "predictive": post.table("predictive"),
        "retrodiction": retro,
        "retro_from": where,
    }
