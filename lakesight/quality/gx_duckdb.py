"""Run Great Expectations' SQL datasource on the DuckDB warehouse, with every metric pushed down.

GX Core 1.24.1 has no DuckDB support. Its SQL datasource on `duckdb_engine` breaks in two ways,
and this module fixes both through public APIs, without touching GX or duckdb_engine:

1. Every metric fails with ``MetricResolutionError: list index out of range``. duckdb_engine's
   cursor is a view on the one DuckDB connection and it issues a real ``BEGIN``; GX runs a query in
   ``with engine.connect()`` and fetches the rows only after that block, once SQLAlchemy 2.x has
   rolled the connection back, which empties the DuckDB result, so GX reads ``[]``. Upstream:
   https://github.com/great-expectations/great_expectations/issues/10738,
   https://github.com/great-expectations/great_expectations/issues/11579,
   https://github.com/Mause/duckdb_engine/issues/1087; a native DuckDB engine
   (https://github.com/great-expectations/great_expectations/pull/12084) is not merged.
   Fix: a SQLAlchemy ``after_cursor_execute`` listener on the datasource's own engine fetches a
   result's rows while the connection is still open and hands them to the result
   (:func:`buffer_rows`). Results are small: GX's queries aggregate in DuckDB and cap unexpected
   rows, so nothing mart-sized ever reaches Python.
2. Regex expectations raise ``Regex is not supported for dialect duckdb``: GX picks its SQL for a
   regex by the dialect module it knows, and it knows none for ``duckdb``. DuckDB's ``~`` and
   ``!~`` are PostgreSQL's (partial match, POSIX-like RE2), and duckdb_engine's dialect is a
   PostgreSQL dialect, so the adapter maps the engine to SQLAlchemy's PostgreSQL dialect module
   (:func:`map_dialect`); type expectations then also use the PostgreSQL type names DuckDB reports.

The warehouse is opened read-only and GX is told not to create temporary tables
(``create_temp_table=False``): validation never writes to the warehouse. DuckDB gets
``MEMORY_LIMIT`` and spills beyond it, which keeps the checkpoint under 1 GB at scale 1. dbt and
GX must not hold the DuckDB file in one process, so validation runs in its own process
(`lakesight validate`).

Keep SQLAlchemy < 2.1: 2.1 breaks duckdb_engine's column-type reflection (``pg_collation``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.datasource.fluent import SQLDatasource
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.cursor import FullyBufferedCursorFetchStrategy
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext

DATASOURCE = "warehouse"
#: DuckDB memory for the checkpoint: the queries aggregate in DuckDB, which spills beyond this
MEMORY_LIMIT = "400MB"


def buffer_rows(
    conn: Connection,
    cursor: DBAPICursor,
    statement: str,
    parameters: Any,
    context: ExecutionContext,
    executemany: bool,
) -> None:
    """SQLAlchemy ``after_cursor_execute`` hook: fetch a result's rows before the rollback."""
    if cursor.description is not None:
        context.cursor_fetch_strategy = FullyBufferedCursorFetchStrategy(  # type: ignore[attr-defined]
            cursor, cursor.description, cursor.fetchall()
        )


def install_row_buffer(engine: Engine) -> None:
    """Make every result of a duckdb_engine engine outlive its connection's close."""
    if engine.dialect.name == "duckdb" and not event.contains(
        engine, "after_cursor_execute", buffer_rows
    ):
        event.listen(engine, "after_cursor_execute", buffer_rows)


def map_dialect(datasource: SQLDatasource) -> None:
    """Let GX emit PostgreSQL-style SQL (regex ``~``, type names) for the duckdb dialect."""
    execution_engine = datasource.get_execution_engine()
    if execution_engine.dialect_name == "duckdb":
        execution_engine.dialect_module = postgresql


def run_as(engine: Engine, principal: str) -> None:
    """Set ``lakesight_principal`` on every connection the engine hands out (the secure views'
    principal), whether the pool opens it or reuses it."""

    def set_principal(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        dbapi_connection.execute("set variable lakesight_principal = ?", [principal])

    event.listen(engine, "checkout", set_principal)


def add_warehouse(
    context: AbstractDataContext,
    database: Path,
    *,
    adapt: bool = True,
    principal: str | None = None,
) -> SQLDatasource:
    """The warehouse as a GX SQL datasource: read-only, no temp tables, adapted to DuckDB; with
    `principal`, every query runs as that principal (a datasource of its own)."""
    datasource = context.data_sources.add_sql(
        name=DATASOURCE if principal is None else f"{DATASOURCE} as {principal}",
        connection_string=f"duckdb:///{Path(database).resolve()}",
        create_temp_table=False,
        kwargs={"connect_args": {"read_only": True, "config": {"memory_limit": MEMORY_LIMIT}}},
    )
    if adapt:
        install_row_buffer(datasource.get_execution_engine().engine)
        map_dialect(datasource)
    if principal is not None:
        run_as(datasource.get_execution_engine().engine, principal)
    return datasource


def ephemeral_context() -> AbstractDataContext:
    """A GX data context that lives in memory only (suites are code, results are returned)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no usage statistics
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def close(datasource: SQLDatasource) -> None:
    """Release the warehouse file (dispose the SQLAlchemy engine's pooled connections)."""
    datasource.get_execution_engine().engine.dispose()
