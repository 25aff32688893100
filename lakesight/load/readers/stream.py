"""What every reader shares (the package's docstring says how a load reads): the stream of record
batches read in Python, a file at a time; the empty-file marker; the check of a file's columns
against the declared ones; and the relation that unions a load's parts, casts them to the declared
types and stamps every row with its file's fingerprint."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from lakesight.load.files import (
    LakeFile,
    LakeLoadError,
    file_error,
    load_timestamp,
)

#: the most rows of one record batch of the streams read in Python
BATCH_ROWS = 65_536

Columns = Mapping[str, str]  # column name -> DuckDB type, in file order

EMPTY_FILE = "empty file: no records"

#: the metadata columns of the Arrow streams, after the data columns
STREAM_META = (
    pa.field("_source_file", pa.string()),
    pa.field("_line_number", pa.int64()),
    pa.field("_load_error", pa.string()),
)

_names = itertools.count()


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def unique_name(what: str) -> str:
    """A name to register a load's Arrow objects under on the session; it stays registered
    until the session closes (the relation is run after the model returns), so every load
    gets names of its own."""
    return f"lakesight_{what}_{next(_names)}"


def empty_marker(lake_file: LakeFile) -> str:
    """A one-row part for a file without records: the file is counted and loaded once."""
    return (
        f"select {sql_string(lake_file.path)} as _source_file, null::bigint as _line_number, "
        f"{sql_string(EMPTY_FILE)} as _load_error"
    )


def assemble(
    session: duckdb.DuckDBPyConnection,
    parts: Sequence[str],
    columns: Columns,
    files: Sequence[LakeFile],
    arrow_parts: Mapping[str, Any] | None = None,
) -> duckdb.DuckDBPyRelation:
    """Union the parts (SQL selects) by name, cast to the declared types, stamp each row with
    its file's fingerprint and `_loaded_at`: a relation, run when dbt-duckdb materialises it.
    `arrow_parts` (Arrow tables, record batch readers, datasets) are registered on the session
    under their names, which the parts select from."""
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
    files_name = unique_name("files")
    registered = dict(arrow_parts or {})
    registered[files_name] = pa.table(
        {
            "path": pa.array([f.path for f in files], pa.string()),
            "_file_size": pa.array([f.size for f in files], pa.int64()),
            "_file_hash": pa.array([f.sha256 for f in files], pa.string()),
        }
    )
    for name, source in registered.items():
        session.register(name, source)
    return session.sql(
        f"select {', '.join(casts + meta)} from ({union}) as u "
        f"join {files_name} as f on u._source_file = f.path"
    )


def stream(
    files: Sequence[LakeFile],
    what: str,
    schema: pa.Schema,
    batches: Callable[[LakeFile], Iterable[pa.RecordBatch]],
) -> pa.RecordBatchReader:
    """One stream of record batches over the files, a file at a time: `batches(file)` yields
    that file's batches (already in `schema`); a file that yields none gets the empty-file
    marker row; any failure is raised as a LakeLoadError naming the file."""

    def generate() -> Iterator[pa.RecordBatch]:
        for lake_file in files:
            rows = 0
            try:
                for batch in batches(lake_file):
                    rows += batch.num_rows
                    if batch.num_rows:
                        yield batch
            except Exception as exc:  # the reader's own message follows the file name
                raise file_error(lake_file, what, exc) from exc
            if rows == 0:
                yield _marker_batch(schema, lake_file)

    return pa.RecordBatchReader.from_batches(schema, generate())


def _marker_batch(schema: pa.Schema, lake_file: LakeFile) -> pa.RecordBatch:
    """The empty-file marker row of `empty_marker`, as a batch of a stream."""
    values = {field.name: pa.nulls(1, field.type) for field in schema}
    values["_source_file"] = pa.array([lake_file.path], pa.string())
    values["_load_error"] = pa.array([EMPTY_FILE], pa.string())
    return pa.record_batch([values[field.name] for field in schema], schema=schema)


def check_schema(lake_file: LakeFile, found: Sequence[tuple[str, str]], columns: Columns) -> None:
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
