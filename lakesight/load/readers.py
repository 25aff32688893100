"""Read new lake files into one Arrow table per raw model, one row per source record.

Every reader returns the declared data columns followed by `_source_file`, `_line_number`,
`_load_error` and `_loaded_at`. A record the reader cannot split into fields (a CSV row with the
wrong column count, say) still lands, with its text and `_load_error`; staging quarantines it.
A file that cannot be read at all (truncated Parquet/ORC/Avro, schema drift) fails the load with a
LakeLoadError naming the file: nothing is silently dropped or mis-loaded.

CSV, JSON Lines, logs and Parquet go through DuckDB's own readers; Avro through polars and ORC
through pyarrow (the duckdb wheel bundles no Avro/ORC reader and cannot install one offline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.orc as orc

from lakesight.load.files import LakeFile, LakeLoadError, load_timestamp, pending_files, per_file

Columns = Mapping[str, str]  # column name -> DuckDB type, in file order

EMPTY_FILE = "empty file: no records"


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _empty_marker(lake_file: LakeFile) -> str:
    """A one-row part for a file without records: the file is counted and loaded once."""
    return (
        f"select {sql_string(lake_file.path)} as _source_file, null::bigint as _line_number, "
        f"{sql_string(EMPTY_FILE)} as _load_error"
    )


def _assemble(
    session: duckdb.DuckDBPyConnection,
    parts: Sequence[str],
    columns: Columns,
    arrow_parts: Mapping[str, pa.Table] | None = None,
) -> pa.Table:
    """Union the parts (SQL selects) by name, cast to the declared types, stamp `_loaded_at`."""
    casts = [f"cast({ident(name)} as {dtype}) as {ident(name)}" for name, dtype in columns.items()]
    meta = [
        # the lake key <system>/<table>/dt=…/part-… (LakeFile.key), whatever the lake's folder
        "array_to_string(string_split(_source_file, '/')[-4:], '/') as _source_file",
        "cast(_line_number as bigint) as _line_number",
        "cast(_load_error as varchar) as _load_error",
        f"cast({sql_string(load_timestamp().isoformat(sep=' '))} as timestamp) as _loaded_at",
    ]
    # a typed empty first part fixes the column set, even when no file is new
    template = ", ".join(
        [f"cast(null as {dtype}) as {ident(name)}" for name, dtype in columns.items()]
        + ["null as _source_file", "null as _line_number", "null as _load_error"]
    )
    union = " union all by name ".join([f"select {template} where false", *parts])
    registered = dict(arrow_parts or {})
    for name, table in registered.items():
        session.register(name, table)
    try:
        return session.sql(f"select {', '.join(casts + meta)} from ({union})").fetch_arrow_table()
    finally:
        for name in registered:
            session.unregister(name)


def _check_schema(lake_file: LakeFile, found: Sequence[tuple[str, str]], columns: Columns) -> None:
    """Fail, naming the file, when its columns or types differ from the declared landing schema."""
    expected = [(name, dtype.upper()) for name, dtype in columns.items()]
    actual = [(name, str(dtype).upper()) for name, dtype in found]
    if sorted(actual) != sorted(expected):
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        raise LakeLoadError(
            f"{lake_file.path}: schema drift: expected columns {missing} are missing or differ, "
            f"found {extra}; fix the file or declare the new schema in the raw model"
        )


def load_csv(
    dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any, columns: Sequence[str]
) -> pa.Table:
    """CSV with a header row; every field lands as text. Rows with the wrong column count land
    with their raw text in the first column and the reader's error in `_load_error`."""
    files = pending_files(dbt, session, inventory)
    declared = {name: "varchar" for name in columns}
    header = ",".join(columns)

    def check_header(lake_file: LakeFile) -> LakeFile | None:
        if lake_file.size == 0:
            return None
        with open(lake_file.path, encoding="utf-8", newline="") as handle:
            first = handle.readline().rstrip("\r\n")
        if first != header:
            raise LakeLoadError(
                f"{lake_file.path}: header {first!r} differs from the declared {header!r} "
                "(schema drift)"
            )
        return lake_file

    readable = [f for f in per_file(files, "CSV", check_header) if f is not None]
    parts = [_empty_marker(f) for f in files if f.size == 0]
    if readable:
        paths = "[" + ", ".join(sql_string(f.path) for f in readable) + "]"
        spec = "{" + ", ".join(f"{sql_string(c)}: 'varchar'" for c in columns) + "}"
        reject_table = f"lakesight_rejects_{dbt.this.identifier}"
        reject_scan = f"lakesight_reject_scans_{dbt.this.identifier}"
        session.execute(f"drop table if exists {reject_table}")
        session.execute(f"drop table if exists {reject_scan}")
        good = session.sql(
            f"select *, filename as _source_file, null as _line_number, null as _load_error "
            f"from read_csv({paths}, header = true, columns = {spec}, auto_detect = false, "
            f"delim = ',', quote = '\"', escape = '\"', filename = true, "
            f"store_rejects = true, rejects_table = '{reject_table}', "
            f"rejects_scan = '{reject_scan}')"
        ).fetch_arrow_table()
        rejected = session.sql(
            f"select s.file_path as _source_file, r.line as _line_number, "
            f"string_agg(r.error_type || ': ' || r.error_message, '; ' order by r.column_idx) "
            f"as _load_error, any_value(r.csv_line) as {ident(columns[0])} "
            f"from {reject_table} as r join {reject_scan} as s using (scan_id, file_id) "
            f"group by all"
        ).fetch_arrow_table()
        parts += ["select * from lakesight_csv_good", "select * from lakesight_csv_rejected"]
        with_records = set(good["_source_file"].to_pylist()) | set(
            rejected["_source_file"].to_pylist()
        )
        parts += [_empty_marker(f) for f in readable if f.path not in with_records]
        return _assemble(
            session,
            parts,
            declared,
            {"lakesight_csv_good": good, "lakesight_csv_rejected": rejected},
        )
    return _assemble(session, parts, declared)


def load_lines(dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any) -> pa.Table:
    """Line-oriented text (JSON Lines, web logs, manifests): one row per line, `line` as text,
    with its 1-based line number. Parsing happens in staging, where bad lines are quarantined."""
    files = pending_files(dbt, session, inventory)
    parts = [_empty_marker(f) for f in files if f.size == 0]
    nonempty = [f for f in files if f.size > 0]
    if nonempty:
        paths = "[" + ", ".join(sql_string(f.path) for f in nonempty) + "]"
        parts.append(
            "select filename as _source_file, generate_subscripts(lines, 1) as _line_number, "
            "unnest(lines) as line, null as _load_error from ("
            "select filename, "
            "string_split(regexp_replace(content, '\\r?\\n$', ''), chr(10)) as lines "
            f"from read_text({paths}))"
        )
    try:
        return _assemble(session, parts, {"line": "varchar"})
    except duckdb.Error:
        # find the file the reader choked on (for example bytes that are not UTF-8)
        per_file(
            nonempty,
            "UTF-8 text",
            lambda f: session.sql(
                f"select count(*) from read_text({sql_string(f.path)})"
            ).fetchall(),
        )
        raise


def load_parquet(
    dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any, columns: Columns
) -> pa.Table:
    """Parquet through DuckDB; every file's schema is checked against the declared one first."""
    files = pending_files(dbt, session, inventory)

    def check(lake_file: LakeFile) -> None:
        relation = session.read_parquet(lake_file.path)
        _check_schema(lake_file, list(zip(relation.columns, relation.types, strict=True)), columns)

    per_file([f for f in files if f.size > 0], "Parquet", check)
    parts = [_empty_marker(f) for f in files if f.size == 0]
    parts += [
        f"select * exclude (file_row_number), {sql_string(f.path)} as _source_file, "
        f"file_row_number + 1 as _line_number, null as _load_error "
        f"from read_parquet({sql_string(f.path)}, file_row_number = true)"
        for f in files
        if f.size > 0
    ]
    return _assemble(session, parts, columns)


def _load_arrow(
    dbt: Any,
    session: duckdb.DuckDBPyConnection,
    inventory: Any,
    columns: Columns,
    what: str,
    read: Any,
) -> pa.Table:
    """Shared path of the formats read in Python (Avro, ORC): one Arrow table per file."""
    files = pending_files(dbt, session, inventory)

    def read_one(lake_file: LakeFile) -> pa.Table:
        table: pa.Table = read(lake_file.path)
        relation = session.from_arrow(table)
        _check_schema(lake_file, list(zip(relation.columns, relation.types, strict=True)), columns)
        return (
            table.append_column("_source_file", pa.array([lake_file.path] * table.num_rows))
            .append_column("_line_number", pa.array(range(1, table.num_rows + 1), pa.int64()))
            .append_column("_load_error", pa.nulls(table.num_rows, pa.string()))
        )

    parts = [_empty_marker(f) for f in files if f.size == 0]
    tables = per_file([f for f in files if f.size > 0], what, read_one)
    arrow_parts = {f"lakesight_{what.lower()}_{i}": t for i, t in enumerate(tables)}
    parts += [f"select * from {name}" for name in arrow_parts]
    parts += [
        _empty_marker(f)
        for f, t in zip([f for f in files if f.size > 0], tables, strict=True)
        if t.num_rows == 0
    ]
    return _assemble(session, parts, columns, arrow_parts)


def load_avro(
    dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any, columns: Columns
) -> pa.Table:
    """Avro through polars (much faster than fastavro)."""
    return _load_arrow(
        dbt, session, inventory, columns, "Avro", lambda p: pl.read_avro(p).to_arrow()
    )


def load_orc(
    dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any, columns: Columns
) -> pa.Table:
    """ORC through pyarrow."""
    return _load_arrow(dbt, session, inventory, columns, "ORC", lambda p: orc.read_table(p))
