"""Read new lake files into one Arrow table per raw model, one row per source record.

Every reader returns the declared data columns followed by `_source_file`, `_line_number`,
`_load_error`, `_file_size`, `_file_hash` and `_loaded_at`: every row names the file and the line
(CSV, JSON Lines, logs: the 1-based line where the record starts, the header being line 1) or
record (Parquet, Avro, ORC: 1-based row) it came from. A record the reader cannot split into
fields (a CSV row with the wrong column count, say) still lands, with its text and
`_load_error`; staging quarantines it. A file that cannot be read at all (truncated
Parquet/ORC/Avro/gzip, schema drift) fails the load with a LakeLoadError naming the file:
nothing is silently dropped or mis-loaded.

CSV goes through Python's csv module (DuckDB's CSV reader does not report the line of the rows it
reads), JSON Lines, logs and Parquet through DuckDB's own readers (gzip-compressed text through
Python's gzip), Avro through polars and ORC through pyarrow (the duckdb wheel bundles no Avro/ORC
reader and cannot install one offline).
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.orc as orc

from lakesight.load.files import LakeFile, LakeLoadError, load_timestamp, pending_files, per_file

#: the extensions each reader claims in a table folder (docs/lake.md)
CSV_EXTENSIONS = (".csv", ".csv.gz")
JSONL_EXTENSIONS = (".jsonl", ".jsonl.gz")
LOG_EXTENSIONS = (".log", ".log.gz")

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
    files: Sequence[LakeFile],
    arrow_parts: Mapping[str, pa.Table] | None = None,
) -> pa.Table:
    """Union the parts (SQL selects) by name, cast to the declared types, stamp each row with
    its file's fingerprint and `_loaded_at`."""
    casts = [
        f"cast(u.{ident(name)} as {dtype}) as {ident(name)}" for name, dtype in columns.items()
    ]
    meta = [
        # the lake key <system>/<table>/dt=…/part-… (LakeFile.key), whatever the lake's folder
        "array_to_string(string_split(u._source_file, '/')[-4:], '/') as _source_file",
        "cast(u._line_number as bigint) as _line_number",
        "cast(u._load_error as varchar) as _load_error",
        "f._file_size",
        "f._file_hash",
        f"cast({sql_string(load_timestamp().isoformat(sep=' '))} as timestamp) as _loaded_at",
    ]
    # a typed empty first part fixes the column set, even when no file is new
    template = ", ".join(
        [f"cast(null as {dtype}) as {ident(name)}" for name, dtype in columns.items()]
        + ["null as _source_file", "null as _line_number", "null as _load_error"]
    )
    union = " union all by name ".join([f"select {template} where false", *parts])
    registered = dict(arrow_parts or {})
    registered["lakesight_load_files"] = pa.table(
        {
            "path": pa.array([f.path for f in files], pa.string()),
            "_file_size": pa.array([f.size for f in files], pa.int64()),
            "_file_hash": pa.array([f.sha256 for f in files], pa.string()),
        }
    )
    for name, table in registered.items():
        session.register(name, table)
    try:
        return session.sql(
            f"select {', '.join(casts + meta)} from ({union}) as u "
            "join lakesight_load_files as f on u._source_file = f.path"
        ).fetch_arrow_table()
    finally:
        for name in registered:
            session.unregister(name)


def _open_text(lake_file: LakeFile) -> IO[str]:
    """The file as UTF-8 text, decompressed when it is gzip (`.gz`)."""
    if lake_file.is_gzip:
        return gzip.open(lake_file.path, "rt", encoding="utf-8", newline="")
    return open(lake_file.path, encoding="utf-8", newline="")


class _CountedLines:
    """An iterator over a file's lines that counts them and keeps the text of the current
    record (a quoted CSV field may span lines)."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self.number = 0
        self.record: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self.number += 1
        self.record.append(line)
        return line


def _read_csv_file(lake_file: LakeFile, columns: Sequence[str]) -> pa.Table:
    """One CSV file: a row per record with its fields as text and the line it starts on; a
    record the reader cannot split into the declared columns lands with its raw text in the
    first column and the reason in `_load_error`. Blank lines hold no record and are skipped."""
    header = ",".join(columns)
    good: list[list[str]] = []
    good_lines: list[int] = []
    bad: list[tuple[int, str, str]] = []
    with _open_text(lake_file) as handle:
        lines = _CountedLines(handle)
        first = next(lines, "").rstrip("\r\n")
        if lines.number == 0:
            return _csv_table(lake_file, columns, good, good_lines, bad)
        if first != header:
            raise LakeLoadError(
                f"{lake_file.path}: header {first!r} differs from the declared {header!r} "
                "(schema drift)"
            )
        reader = csv.reader(lines, strict=True)
        width = len(columns)
        while True:
            lines.record.clear()
            start = lines.number + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                bad.append((start, "".join(lines.record).rstrip("\r\n"), f"CSV ERROR: {exc}"))
                continue
            if not row:
                continue
            if len(row) == width:
                good.append(row)
                good_lines.append(start)
                continue
            kind = "MISSING COLUMNS" if len(row) < width else "TOO MANY COLUMNS"
            bad.append(
                (
                    start,
                    "".join(lines.record).rstrip("\r\n"),
                    f"{kind}: Expected Number of Columns: {width} Found: {len(row)}",
                )
            )
    return _csv_table(lake_file, columns, good, good_lines, bad)


def _csv_table(
    lake_file: LakeFile,
    columns: Sequence[str],
    good: Sequence[Sequence[str]],
    good_lines: Sequence[int],
    bad: Sequence[tuple[int, str, str]],
) -> pa.Table:
    """The Arrow part of one CSV file: good rows, then rejected ones, then nothing (the caller
    adds the empty-file marker when there is no row at all)."""
    fields = list(zip(*good, strict=True)) if good else [() for _ in columns]
    data: dict[str, pa.Array] = {}
    for index, name in enumerate(columns):
        values = list(fields[index])
        if index == 0:
            values += [text for _, text, _ in bad]
        else:
            values += [None] * len(bad)
        data[name] = pa.array(values, pa.string())
    count = len(good) + len(bad)
    data["_source_file"] = pa.array([lake_file.path] * count, pa.string())
    data["_line_number"] = pa.array([*good_lines, *(line for line, _, _ in bad)], pa.int64())
    data["_load_error"] = pa.array([None] * len(good) + [error for _, _, error in bad], pa.string())
    return pa.table(data)


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
    """CSV with a header row (plain or gzip), every field as text, each row with its line.
    Rows with the wrong column count (or a broken quote) land with their raw text in the first
    column and the reason in `_load_error`."""
    files = pending_files(dbt, session, inventory, CSV_EXTENSIONS)
    declared = {name: "varchar" for name in columns}
    parts = [_empty_marker(f) for f in files if f.size == 0]
    tables = per_file([f for f in files if f.size > 0], "CSV", lambda f: _read_csv_file(f, columns))
    read = [f for f in files if f.size > 0]
    parts += [_empty_marker(f) for f, t in zip(read, tables, strict=True) if t.num_rows == 0]
    arrow_parts = {}
    if any(t.num_rows for t in tables):
        arrow_parts["lakesight_csv_rows"] = pa.concat_tables([t for t in tables if t.num_rows])
        parts.append("select * from lakesight_csv_rows")
    return _assemble(session, parts, declared, files, arrow_parts)


def _read_gzip_lines(lake_file: LakeFile) -> pa.Table:
    """A gzip-compressed line file, split into lines as `load_lines` splits plain files."""
    with _open_text(lake_file) as handle:
        content = handle.read()
    lines = re.sub(r"\r?\n$", "", content).split("\n") if content else []
    return pa.table(
        {
            "_source_file": pa.array([lake_file.path] * len(lines), pa.string()),
            "_line_number": pa.array(range(1, len(lines) + 1), pa.int64()),
            "line": pa.array(lines, pa.string()),
            "_load_error": pa.nulls(len(lines), pa.string()),
        }
    )


def load_lines(
    dbt: Any,
    session: duckdb.DuckDBPyConnection,
    inventory: Any,
    extensions: Sequence[str] = JSONL_EXTENSIONS,
) -> pa.Table:
    """Line-oriented text (JSON Lines, web logs, manifests; plain or gzip): one row per line,
    `line` as text, with its 1-based line number. Parsing happens in staging, where bad lines
    are quarantined."""
    files = pending_files(dbt, session, inventory, extensions)
    parts = [_empty_marker(f) for f in files if f.size == 0]
    plain = [f for f in files if f.size > 0 and not f.is_gzip]
    compressed = [f for f in files if f.size > 0 and f.is_gzip]
    if plain:
        paths = "[" + ", ".join(sql_string(f.path) for f in plain) + "]"
        parts.append(
            "select filename as _source_file, generate_subscripts(lines, 1) as _line_number, "
            "unnest(lines) as line, null as _load_error from ("
            "select filename, "
            "string_split(regexp_replace(content, '\\r?\\n$', ''), chr(10)) as lines "
            f"from read_text({paths}))"
        )
    tables = per_file(compressed, "gzip-compressed UTF-8 text", _read_gzip_lines)
    parts += [_empty_marker(f) for f, t in zip(compressed, tables, strict=True) if t.num_rows == 0]
    arrow_parts = {}
    if any(t.num_rows for t in tables):
        arrow_parts["lakesight_gzip_lines"] = pa.concat_tables([t for t in tables if t.num_rows])
        parts.append("select * from lakesight_gzip_lines")
    try:
        return _assemble(session, parts, {"line": "varchar"}, files, arrow_parts)
    except duckdb.Error:
        # find the file the reader choked on (for example bytes that are not UTF-8)
        per_file(
            plain,
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
    files = pending_files(dbt, session, inventory, (".parquet",))

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
    return _assemble(session, parts, columns, files)


def _load_arrow(
    dbt: Any,
    session: duckdb.DuckDBPyConnection,
    inventory: Any,
    columns: Columns,
    what: str,
    read: Any,
) -> pa.Table:
    """Shared path of the formats read in Python (Avro, ORC): one Arrow table per file."""
    files = pending_files(dbt, session, inventory, (f".{what.lower()}",))

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
    return _assemble(session, parts, columns, files, arrow_parts)


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
