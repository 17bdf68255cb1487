"""DuckDB over an experiment's parts: the views `runs`, `timeseries`, `outcomes`, `cells`.

Only committed runs are visible (a run's parts are listed only once its `runs` part exists), so a
query made while the experiment is still running sees a consistent set of finished runs. A sweep
also has the view `design` (its points).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from thermidor.errors import InputError
from thermidor.experiments.store import DESIGN, TABLES, Store, part_path, write_atomic

VIEWS = (*TABLES, "design")


def connect(root: Path, tables: Sequence[str] = TABLES) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table of the experiment at `root`.

    Only `tables` get a view (binding a view reads every part's footer, so a query of `runs`
    does not depend on the cells' parts).
    """
    root = Path(root)
    runs = sorted(Store(root).committed())
    con = duckdb.connect(":memory:")
    with translated(root):
        if (root / DESIGN).is_file():
            con.read_parquet(str(root / DESIGN)).create_view("design")
        for table in [t for t in TABLES if t in tables] if runs else ():
            files = [str(part_path(root, table, r)) for r in runs]
            con.read_parquet(files, union_by_name=True).create_view(table)
    return con


@contextlib.contextmanager
def translated(root: Path, query: str | None = None) -> Iterator[None]:
    """Turn DuckDB's errors into one-line InputErrors (bad SQL, or an unreadable part)."""
    try:
        yield
    except duckdb.Error as err:
        msg = " ".join(str(err).split())
        if isinstance(err, duckdb.IOException | duckdb.InvalidInputException) and (
            ".parquet" in msg
        ):
            raise InputError(
                str(root),
                f"a part cannot be read ({msg}); rerun the experiment's command to recompute it",
            ) from None
        if query is not None and not Store(root).committed():
            msg = f"no run has finished yet, so the tables {', '.join(TABLES)} are empty ({msg})"
        raise InputError("query", msg) from None


def mentioned(text: str) -> list[str]:
    """The tables whose names occur as words in SQL `text`."""
    return [t for t in TABLES if re.search(rf"\b{t}\b", text, re.IGNORECASE)]


def frame(root: Path, text: str) -> pd.DataFrame:
    """The result of SQL query `text` over the experiment at `root`, as a DataFrame."""
    con = connect(root, mentioned(text))
    with translated(root, text):
        rel = con.sql(text)
        if rel is None:
            raise InputError("query", "is not a query that returns rows (use SELECT ...)")
        return rel.df()


def export(root: Path, text: str, path: Path, fmt: str) -> int:
    """Write the result of `text` to `path` as csv or parquet (atomically); return its rows."""
    con = connect(root, mentioned(text))
    with translated(root, text):
        rel = con.sql(text)
        if rel is None:
            raise InputError("query", "is not a query that returns rows (use SELECT ...)")
        rows = 0

        def write(tmp: Path) -> None:
            nonlocal rows
            if fmt == "csv":
                rel.write_csv(str(tmp))
            else:
                rel.write_parquet(str(tmp))
            rows = int(rel.shape[0])

        write_atomic(path, write)
    return rows
