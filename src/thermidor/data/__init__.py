"""The letter and the historical figures, shipped with the package (sources in SOURCES.md).

`letter()` is Trotsky's letter to Borodai (end of 1928), the text every part of the model answers
to; `history()` is the table of sourced figures, 1921-1935, that the `1928` scenario cites by row
id (columns and the calibration/hold-out rule in README-history.md).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

LETTER = "letter-to-borodai-1928.txt"
HISTORY = "history_1923_1935.csv"


def path(name: str) -> Path:
    """The installed file `name` of this package (LETTER, HISTORY, SOURCES.md, ...)."""
    p = Path(str(resources.files(__name__).joinpath(name)))
    if not p.is_file():
        raise FileNotFoundError(f"thermidor.data has no file {name!r}")
    return p


def letter() -> str:
    """The full text of the letter to Borodai."""
    return path(LETTER).read_text(encoding="utf-8")


def history() -> pd.DataFrame:
    """The historical figures, one row a figure, indexed by their stable row id (`M13`, `C26`...).
    Values stay text: some are ranges ("5000-6000") or carry "~" or "<=" (see README-history.md)."""
    return pd.read_csv(path(HISTORY), dtype=str, keep_default_na=False).set_index("id")
