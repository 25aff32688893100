"""CSV with a header row (plain or gzip), read through Python's csv module so that every record
keeps the line it starts on; a record of the wrong width lands with its text and `_load_error`."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator, Sequence
from typing import IO, Any

import duckdb
import pyarrow as pa

from lakesight.load.files import (
    LakeFile,
    LakeLoadError,
    pending_files,
    per_file,
)
from lakesight.load.readers.stream import (
    BATCH_ROWS,
    STREAM_META,
    assemble,
    empty_marker,
    stream,
    unique_name,
)

#: the extensions each reader claims in a table folder (docs/lake.md)
CSV_EXTENSIONS = (".csv", ".csv.gz")


def _open_text(lake_file: LakeFile) -> IO[str]:
    """The file as UTF-8 text, decompressed when it is gzip (`.gz`)."""
    if lake_file.is_gzip:
        return gzip.open(lake_file.path, "rt", encoding="utf-8", newline="")
    return open(lake_file.path, encoding="utf-8", newline="")


def _kept_lines(handle: IO[str], record: list[str]) -> Iterator[str]:
    """The file's lines, each also appended to `record` (the caller clears it before each
    record: the text of a record the reader rejects, a quoted field may span lines)."""
    for line in handle:
        record.append(line)
        yield line


def _csv_schema(columns: Sequence[str]) -> pa.Schema:
    """The stream of a CSV load: every declared column as text, then the metadata columns."""
    return pa.schema([pa.field(name, pa.string()) for name in columns] + list(STREAM_META))


def _check_csv_header(lake_file: LakeFile, columns: Sequence[str], first: str) -> None:
    """Fail, naming the file, when its header is not the declared one."""
    header = ",".join(columns)
    if first != header:
        raise LakeLoadError(
            f"{lake_file.path}: header {first!r} differs from the declared {header!r} "
            "(schema drift)"
        )


def _csv_first_line(lake_file: LakeFile) -> str | None:
    """The file's first line without its line break; None when the file has no line."""
    with _open_text(lake_file) as handle:
        first = next(handle, None)
    return None if first is None else first.rstrip("\r\n")


def _csv_batches(
    lake_file: LakeFile, columns: Sequence[str], batch_rows: int = BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """One CSV file as record batches of at most `batch_rows` rows: a row per record with its
    fields as text and the line it starts on; a record the reader cannot split into the
    declared columns lands with its raw text in the first column and the reason in
    `_load_error`. Blank lines hold no record and are skipped. A file without a line yields
    nothing (the stream adds the empty-file marker)."""
    schema = _csv_schema(columns)
    width = len(columns)
    filler = [None] * (width - 1)
    with _open_text(lake_file) as handle:
        first = next(handle, None)
        if first is None:
            return
        _check_csv_header(lake_file, columns, first.rstrip("\r\n"))
        record: list[str] = []
        reader = csv.reader(_kept_lines(handle, record), strict=True)
        rows: list[Sequence[str | None]] = []
        starts: list[int] = []
        errors: list[str | None] = []
        while True:
            record.clear()
            start = reader.line_num + 2  # the lines the reader took, and the header
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                error: str | None = f"CSV ERROR: {exc}"
            else:
                if not row:
                    continue
                if len(row) == width:
                    error = None
                else:
                    kind = "MISSING COLUMNS" if len(row) < width else "TOO MANY COLUMNS"
                    error = f"{kind}: Expected Number of Columns: {width} Found: {len(row)}"
            rows.append(row if error is None else ["".join(record).rstrip("\r\n"), *filler])
            starts.append(start)
            errors.append(error)
            if len(rows) >= batch_rows:
                yield _csv_batch(schema, lake_file, rows, starts, errors)
                rows, starts, errors = [], [], []
        if rows:
            yield _csv_batch(schema, lake_file, rows, starts, errors)


def _csv_batch(
    schema: pa.Schema,
    lake_file: LakeFile,
    rows: Sequence[Sequence[str | None]],
    starts: Sequence[int],
    errors: Sequence[str | None],
) -> pa.RecordBatch:
    """A batch of CSV records (rows of equal width) with their lines and errors."""
    fields = list(zip(*rows, strict=True))
    arrays = [pa.array(values, pa.string()) for values in fields]
    arrays += [
        pa.array([lake_file.path] * len(rows), pa.string()),
        pa.array(starts, pa.int64()),
        pa.array(errors, pa.string()),
    ]
    return pa.record_batch(arrays, schema=schema)


def load_csv(
    dbt: Any,
    session: duckdb.DuckDBPyConnection,
    inventory: Any,
    columns: Sequence[str],
    batch_rows: int = BATCH_ROWS,
) -> duckdb.DuckDBPyRelation:
    """CSV with a header row (plain or gzip), every field as text, each row with its line.
    Rows with the wrong column count (or a broken quote) land with their raw text in the first
    column and the reason in `_load_error`. Every header is checked before the rows stream."""
    files = pending_files(dbt, session, inventory, CSV_EXTENSIONS)
    declared = {name: "varchar" for name in columns}
    read = [f for f in files if f.size > 0]
    for lake_file, first in zip(read, per_file(read, "CSV", _csv_first_line), strict=True):
        if first is not None:
            _check_csv_header(lake_file, columns, first)
    parts = [empty_marker(f) for f in files if f.size == 0]
    arrow_parts = {}
    if read:
        name = unique_name("csv")
        arrow_parts[name] = stream(
            read, "CSV", _csv_schema(columns), lambda f: _csv_batches(f, columns, batch_rows)
        )
        parts.append(f"select * from {name}")
    return assemble(session, parts, declared, files, arrow_parts)
