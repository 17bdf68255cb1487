"""Figures of a calibration: posterior marginals, pairs, and the predictive against the record."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def marginals(particles: pd.DataFrame, priors: list[dict], path: Path) -> None:
    """One weighted histogram per parameter over its prior range."""
    plt = _plt()
    keys = [p["key"] for p in priors]
    fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 2.8), squeeze=False)
    w = particles["weight"].to_numpy()
    for ax, p in zip(axes[0], priors, strict=True):
        ax.hist(particles[p["key"]], bins=15, range=(p["low"], p["high"]), weights=w,
                color="#6a51a3", alpha=0.8)  # fmt: skip
        ax.axhline(1 / 15, color="grey", lw=0.8, ls="--", label="prior")
        ax.set_xlabel(p["key"], fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("posterior weight")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pairs(particles: pd.DataFrame, priors: list[dict], path: Path) -> None:
    """Every pair of parameters: the particles, sized by weight."""
    plt = _plt()
    keys = [p["key"] for p in priors]
    n = len(keys)
    fig, axes = plt.subplots(n, n, figsize=(2.0 * n, 2.0 * n), squeeze=False)
    size = 400 * particles["weight"].to_numpy()
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            ax = axes[i][j]
            if i == j:
                ax.hist(particles[a], bins=12, weights=particles["weight"], color="#6a51a3")
            else:
                ax.scatter(particles[b], particles[a], s=size, alpha=0.5, color="#6a51a3")
            ax.tick_params(labelsize=5)
            if i == n - 1:
                ax.set_xlabel(b.split(".")[-1], fontsize=6)
            if j == 0:
                ax.set_ylabel(a.split(".")[-1], fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def predictive(pred: pd.DataFrame, targets: list[dict], path: Path) -> None:
    """Each target: the posterior predictive (weighted) beside the record and its sd."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(targets), figsize=(3.0 * len(targets), 2.8), squeeze=False)
    w = pred["weight"].to_numpy() if "weight" in pred else np.ones(len(pred)) / len(pred)
    for ax, t in zip(axes[0], targets, strict=True):
        ax.hist(pred[t["id"]], bins=15, weights=w, color="#9e9ac8")
        ax.axvline(t["value"], color="black", lw=1.5, label="record")
        ax.axvspan(t["value"] - t["sd"], t["value"] + t["sd"], color="black", alpha=0.12)
        ax.set_xlabel(f"{t['id']}: {t['observable']}", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(out: Path) -> list[Path]:
    """The calibration's figures into `out`/report; their paths."""
    settings = json.loads((out / "settings.json").read_text(encoding="utf-8"))
    particles = pd.read_parquet(out / "particles.parquet")
    pred = pd.read_parquet(out / "predictive.parquet")
    folder = out / "report"
    folder.mkdir(exist_ok=True)
    paths = [folder / "marginals.png", folder / "pairs.png", folder / "predictive.png"]
    marginals(particles, settings["priors"], paths[0])
    pairs(particles, settings["priors"], paths[1])
    predictive(pred, settings["targets"], paths[2])
    return paths


def retrodiction(table: pd.DataFrame, path: Path) -> None:
    """Each hold-out row: the predictive's 50 % and 90 % intervals, median and the record,
    relative to the record."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 0.5 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    r = table["record"].to_numpy()
    ax.hlines(y, table["q05"] / r, table["q95"] / r, color="#9e9ac8", lw=3, label="90 %")
    ax.hlines(y, table["q25"] / r, table["q75"] / r, color="#54278f", lw=6, label="50 %")
    ax.plot(table["median"] / r, y, "o", color="white", mec="black", ms=5, label="median")
    ax.axvline(1.0, color="black", lw=1, label="record")
    ax.set_yticks(y, [f"{i} ({d})" for i, d in zip(table["id"], table["date"], strict=True)])
    ax.set_xlabel("posterior predictive / record")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
