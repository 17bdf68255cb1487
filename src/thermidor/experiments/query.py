"""DuckDB over an experiment's parts: the views `runs`, `timeseries`, `outcomes`, `cells`.

Only committed runs of the experiment's plan are visible (a run's parts are listed only once its
`runs` part exists; a compacted run's rows are in its pack's files), so a query made while the
experiment is still running sees a consistent set of finished runs. A sweep also has the view
`design` (its points).

A query is a reader of its experiment and nothing more: one statement, a SELECT (or WITH ...,
FROM ..., VALUES, DESCRIBE, SUMMARIZE); once the views exist, DuckDB's external access is off (it
may read exactly the experiment's committed parts, nothing else: no other file, no COPY, ATTACH
or EXPORT, no extension installed or loaded) and its configuration is locked.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from thermidor.errors import InputError
from thermidor.experiments.store import DESIGN, TABLES, Store, write_atomic

VIEWS = (*TABLES, "design")
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def connect(root: Path, tables: Sequence[str] = TABLES) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table of the experiment at `root`.

    Only `tables` get a view (binding a view reads every part's footer, so a query of `runs`
    does not depend on the cells' parts).
    """
    root = Path(root)
    store = Store.of(root)
    runs = store.committed()
    con = duckdb.connect(":memory:", config=dict(_CONFIG))
    allowed: list[str] = []
    with translated(root):
        if (root / DESIGN).is_file():
            allowed.append(str(root / DESIGN))
            con.read_parquet(str(root / DESIGN)).create_view("design")
        for table in [t for t in TABLES if t in tables] if runs else ():
            files = [str(f) for f in store.files(table)]  # packs, then runs' own parts
            allowed += files
            con.read_parquet(files, union_by_name=True).create_view(table)
    _lock(con, allowed)
    return con


def _lock(con: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    """Let `con` read exactly `files`, nothing else on any filesystem, and lock its settings."""
    con.execute("SET allowed_paths = ?", [files])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def check_query(text: str) -> str:
    """`text` if it is one read-only query (SELECT, WITH, ...); InputError otherwise."""
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as err:
        raise InputError("query", " ".join(str(err).split())) from None
    if len(statements) != 1:
        raise InputError(
            "query", f"give exactly one statement (got {len(statements)}); a query only"
        )
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise InputError(
            "query",
            f"only a query may be run (SELECT, WITH, FROM, VALUES, DESCRIBE, SUMMARIZE), not "
            f"{kind.name}",
        )
    return text


_SQL_ERRORS = (
    duckdb.ParserException,
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.ConversionException,
    duckdb.OutOfRangeException,
    duckdb.NotImplementedException,
    duckdb.PermissionException,
    duckdb.SyntaxException,
    duckdb.TypeMismatchException,
    duckdb.InvalidInputException,
)


@contextlib.contextmanager
def translated(root: Path, query: str | None = None) -> Iterator[None]:
    """Turn DuckDB's errors into one-line InputErrors (bad SQL, or an unreadable part, named)."""
    try:
        yield
    except duckdb.Error as err:
        msg = " ".join(str(err).split())
        if isinstance(err, duckdb.PermissionException):
            raise InputError(
                "query", f"a query may read only the experiment's tables ({msg})"
            ) from None
        if ".parquet" in msg or not isinstance(err, _SQL_ERRORS):
            damaged = Store.of(root).damaged()
            if damaged:
                path, why = next(iter(damaged.values()))
                raise InputError(
                    str(path), f"{why}; run the experiment's command again to recompute it"
                ) from None
            if ".parquet" in msg:
                raise InputError(
                    str(root),
                    f"a part cannot be read ({msg}); run the experiment's command again to "
                    "recompute it",
                ) from None
        if query is not None and not Store.of(root).committed():
            msg = f"no run has finished yet, so the tables {', '.join(TABLES)} are empty ({msg})"
        raise InputError("query", msg) from None


def mentioned(text: str) -> list[str]:
    """The tables whose names occur as words in SQL `text`."""
    return [t for t in TABLES if re.search(rf"\b{t}\b", text, re.IGNORECASE)]


def frame(root: Path, text: str, limit: int | None = None) -> pd.DataFrame:
    """The result of SQL query `text` over the experiment at `root`, as a DataFrame (its first
    `limit` rows only, if given: a result too large for memory is never fetched whole)."""
    check_query(text)
    con = connect(root, mentioned(text))
    with translated(root, text):
        rel = con.sql(text)
        if rel is None:
            raise InputError("query", "is not a query that returns rows (use SELECT ...)")
        return rel.df() if limit is None else rel.limit(limit).df()


def export(root: Path, text: str, path: Path, fmt: str) -> int:
    """Write the result of `text` to `path` as csv or parquet (atomically); return its rows.

    The file is written by this process (pyarrow), never by DuckDB, which may not write at all.
    """
    check_query(text)
    con = connect(root, mentioned(text))
    with translated(root, text):
        rel = con.sql(text)
        if rel is None:
            raise InputError("query", "is not a query that returns rows (use SELECT ...)")
        reader = rel.to_arrow_reader()
        rows = 0

        def write(tmp: Path) -> None:  # batch by batch: the result is never whole in memory
            nonlocal rows
            cls = pacsv.CSVWriter if fmt == "csv" else pq.ParquetWriter
            with cls(str(tmp), reader.schema) as writer:
                for batch in reader:
                    writer.write_batch(batch)
                    rows += batch.num_rows

        write_atomic(path, write)
    return rows
