"""Read new lake files into one DuckDB relation per raw model, one row per source record.

Every reader returns the declared data columns followed by `_source_file`, `_line_number`,
`_load_error`, `_file_size`, `_file_hash` and `_loaded_at`: every row names the file and the line
(CSV, JSON Lines, logs: the 1-based line where the record starts, the header being line 1) or
record (Parquet, Avro, ORC: 1-based row) it came from. A file without records (no bytes, or a
Parquet/Avro/ORC schema without rows) leaves one marker row, `_load_error` = EMPTY_FILE, so it
is counted and not loaded again. A record the reader cannot split into
fields (a CSV row with the wrong column count, say) still lands, with its text and
`_load_error`; staging quarantines it. A file that cannot be read at all (truncated
Parquet/ORC/Avro/gzip, schema drift) fails the load with a LakeLoadError naming the file:
nothing is silently dropped or mis-loaded.

A reader returns a lazy DuckDB relation, not a table: dbt-duckdb's Python materialisation runs it
as `create table … as select * from <relation>`, so the rows stream into the table inside DuckDB
(under its memory_limit, spilling to its temp_directory). What is read in Python comes as one
stream of Arrow record batches per load (`pyarrow.RecordBatchReader`), a file at a time, a batch
of at most `BATCH_ROWS` rows at a time: CSV through Python's csv module (DuckDB's CSV reader does
not report the line of the rows it reads), gzip-compressed line files through Python's gzip,
Avro through polars and ORC through a pyarrow dataset (the duckdb wheel bundles no Avro/ORC
reader and cannot install one offline). JSON Lines, logs and Parquet go through DuckDB's own
readers, one scan over all new files.

What is cheap to check is checked before the relation is returned, so it fails with the
LakeLoadError itself: CSV headers, and the schema of every Parquet, Avro and ORC file (read from
its footer or header). A failure found while the rows stream (a truncated gzip or Avro body, an
ORC timestamp out of range) is raised as the same LakeLoadError inside the stream; DuckDB then
fails the statement with a message that carries it, file name first ("reading the stream … failed:
Unknown error: <file>: cannot be read as …"). Bytes of a plain line file that are not UTF-8 fail
with DuckDB's read_text message, which names the file too. Either way nothing of the load is
committed.
"""

from __future__ import annotations

import csv
import gzip
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.orc as orc
import pyarrow.parquet as pq

from lakesight.load.files import (
    LakeFile,
    LakeLoadError,
    file_error,
    load_timestamp,
    pending_files,
    per_file,
)

#: the extensions each reader claims in a table folder (docs/lake.md)
CSV_EXTENSIONS = (".csv", ".csv.gz")
JSONL_EXTENSIONS = (".jsonl", ".jsonl.gz")
LOG_EXTENSIONS = (".log", ".log.gz")

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


def _unique_name(what: str) -> str:
    """A name to register a load's Arrow objects under on the session; it stays registered
    until the session closes (the relation is run after the model returns), so every load
    gets names of its own."""
    return f"lakesight_{what}_{next(_names)}"


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
    files_name = _unique_name("files")
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


def _stream(
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
    """The empty-file marker row of `_empty_marker`, as a batch of a stream."""
    values = {field.name: pa.nulls(1, field.type) for field in schema}
    values["_source_file"] = pa.array([lake_file.path], pa.string())
    values["_load_error"] = pa.array([EMPTY_FILE], pa.string())
    return pa.record_batch([values[field.name] for field in schema], schema=schema)


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
    parts = [_empty_marker(f) for f in files if f.size == 0]
    arrow_parts = {}
    if read:
        name = _unique_name("csv")
        arrow_parts[name] = _stream(
            read, "CSV", _csv_schema(columns), lambda f: _csv_batches(f, columns, batch_rows)
        )
        parts.append(f"select * from {name}")
    return _assemble(session, parts, declared, files, arrow_parts)


_LINE_SCHEMA = pa.schema([pa.field("line", pa.string()), *STREAM_META])


def _gzip_lines(lake_file: LakeFile) -> Iterator[str]:
    """The lines of a gzip-compressed UTF-8 file, split as `load_lines` splits plain files: on
    LF only (a CR before it stays, but for the last line's), a final line break ending the last
    line rather than starting an empty one."""
    with gzip.open(lake_file.path, "rb") as handle:
        pending: str | None = None  # a complete line, held back until it is known not last
        for raw in handle:
            if pending is not None:
                yield pending
                pending = None
            if raw.endswith(b"\n"):
                pending = raw[:-1].decode("utf-8")
            else:  # the last line, without a line break
                yield raw.decode("utf-8")
        if pending is not None:
            yield pending.removesuffix("\r")


def _gzip_line_batches(
    lake_file: LakeFile, batch_rows: int = BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """A gzip-compressed line file as record batches of at most `batch_rows` lines."""
    lines = _gzip_lines(lake_file)
    number = 0
    while chunk := list(itertools.islice(lines, batch_rows)):
        yield pa.record_batch(
            [
                pa.array(chunk, pa.string()),
                pa.array([lake_file.path] * len(chunk), pa.string()),
                pa.array(range(number + 1, number + len(chunk) + 1), pa.int64()),
                pa.nulls(len(chunk), pa.string()),
            ],
            schema=_LINE_SCHEMA,
        )
        number += len(chunk)


def load_lines(
    dbt: Any,
    session: duckdb.DuckDBPyConnection,
    inventory: Any,
    extensions: Sequence[str] = JSONL_EXTENSIONS,
    batch_rows: int = BATCH_ROWS,
) -> duckdb.DuckDBPyRelation:
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
    arrow_parts = {}
    if compressed:
        name = _unique_name("gzip_lines")
        arrow_parts[name] = _stream(
            compressed,
            "gzip-compressed UTF-8 text",
            _LINE_SCHEMA,
            lambda f: _gzip_line_batches(f, batch_rows),
        )
        parts.append(f"select * from {name}")
    return _assemble(session, parts, {"line": "varchar"}, files, arrow_parts)


def _duckdb_columns(session: duckdb.DuckDBPyConnection, schema: pa.Schema) -> list[tuple[str, str]]:
    """The columns of an Arrow schema with the DuckDB types they load as."""
    relation = session.from_arrow(schema.empty_table())
    return list(zip(relation.columns, [str(t) for t in relation.types], strict=True))


def load_parquet(
    dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any, columns: Columns
) -> duckdb.DuckDBPyRelation:
    """Parquet through DuckDB, one scan over the new files; every file's schema is checked
    against the declared one first. A file without rows leaves the empty-file marker row."""
    files = pending_files(dbt, session, inventory, (".parquet",))
    read = [f for f in files if f.size > 0]

    def rows(lake_file: LakeFile) -> int:
        """The file's row count, from its footer, once its schema is checked."""
        relation = session.read_parquet(lake_file.path)
        _check_schema(lake_file, list(zip(relation.columns, relation.types, strict=True)), columns)
        return pq.read_metadata(lake_file.path).num_rows

    counts = per_file(read, "Parquet", rows)
    # a file with a schema and no rows gets the empty-file marker, as an empty file does
    read = [f for f, count in zip(read, counts, strict=True) if count > 0]
    kept = set(read)
    parts = [_empty_marker(f) for f in files if f not in kept]
    if read:
        paths = "[" + ", ".join(sql_string(f.path) for f in read) + "]"
        parts.append(
            "select * exclude (filename, file_row_number), filename as _source_file, "
            "file_row_number + 1 as _line_number, null as _load_error "
            f"from read_parquet({paths}, filename = true, file_row_number = true, "
            "union_by_name = true)"
        )
    return _assemble(session, parts, columns, files)


def _with_position(
    batch: pa.RecordBatch, schema: pa.Schema, lake_file: LakeFile, first: int
) -> pa.RecordBatch:
    """A batch of a file's records in the stream's schema, with the file and the 1-based record
    number of each row (`first` being the number of the batch's first row)."""
    count = batch.num_rows
    data = [
        batch.column(field.name).cast(field.type) for field in schema if field not in STREAM_META
    ]
    return pa.record_batch(
        [
            *data,
            pa.array([lake_file.path] * count, pa.string()),
            pa.array(range(first, first + count), pa.int64()),
            pa.nulls(count, pa.string()),
        ],
        schema=schema,
    )


def _positioned(
    batches: Iterable[pa.RecordBatch], schema: pa.Schema, lake_file: LakeFile
) -> Iterator[pa.RecordBatch]:
    """A file's batches, in file order, with `_with_position`'s columns."""
    number = 1
    for batch in batches:
        yield _with_position(batch, schema, lake_file, number)
        number += batch.num_rows


def _load_stream(
    session: duckdb.DuckDBPyConnection,
    files: Sequence[LakeFile],
    columns: Columns,
    what: str,
    file_schema: Callable[[LakeFile], pa.Schema],
    batches: Callable[[LakeFile, pa.Schema], Iterable[pa.RecordBatch]],
    records: Callable[[LakeFile], int] | None = None,
) -> duckdb.DuckDBPyRelation:
    """Shared path of the formats read in Python (Avro, ORC): every file's schema (`file_schema`)
    is checked first, then all files are read as one stream of batches (`batches`), whose data
    columns are cast to the Arrow types of the first file (same DuckDB types, say `string` and
    `large_string`). A file `records` counts none of is not read: it leaves the empty-file
    marker row, as a file of no bytes does (and a file the stream finds no row in)."""
    read = [f for f in files if f.size > 0]
    if records is not None:
        counts = per_file(read, what, records)
        read = [f for f, count in zip(read, counts, strict=True) if count > 0]
    schemas = per_file(read, what, file_schema)
    for lake_file, schema in zip(read, schemas, strict=True):
        _check_schema(lake_file, _duckdb_columns(session, schema), columns)
    kept = set(read)
    parts = [_empty_marker(f) for f in files if f not in kept]
    arrow_parts = {}
    if read:
        first = schemas[0]
        stream_schema = pa.schema(
            [first.field(first.get_field_index(name)) for name in columns] + list(STREAM_META)
        )
        name = _unique_name(what.lower())
        arrow_parts[name] = _stream(
            read,
            what,
            stream_schema,
            lambda f: _positioned(batches(f, stream_schema), stream_schema, f),
        )
        parts.append(f"select * from {name}")
    return _assemble(session, parts, columns, files, arrow_parts)


def _avro_long(handle: IO[bytes]) -> int:
    """One Avro zig-zag varint read from the handle."""
    shift = value = 0
    while byte := handle.read(1):
        value |= (byte[0] & 0x7F) << shift
        shift += 7
        if not byte[0] & 0x80:
            return (value >> 1) ^ -(value & 1)
    raise LakeLoadError(f"{handle.name}: cannot be read as Avro: the file ends inside a block")


def _avro_records(lake_file: LakeFile) -> int:
    """The number of records of an Avro object container, from its block headers (the blocks
    themselves are skipped, not decoded). polars fails on a compressed block of no records,
    which writers (polars among them) emit for a frame without rows."""
    with open(lake_file.path, "rb") as handle:
        if handle.read(4) != b"Obj\x01":
            raise LakeLoadError(f"{lake_file.path}: cannot be read as Avro: not an Avro file")
        while count := _avro_long(handle):  # the header's metadata map, in blocks
            if count < 0:
                _avro_long(handle)  # the block's size in bytes
            for _ in range(abs(count) * 2):  # key and value, each a length and its bytes
                handle.seek(_avro_long(handle), 1)
        handle.seek(16, 1)  # the sync marker
        records = 0
        while handle.peek(1):
            records += _avro_long(handle)
            handle.seek(_avro_long(handle) + 16, 1)
        return records


def _avro_schema(lake_file: LakeFile) -> pa.Schema:
    """An Avro file's schema as Arrow, from its header (no records read)."""
    return pl.read_avro(lake_file.path, n_rows=0).to_arrow().schema


def _avro_batches(lake_file: LakeFile, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """An Avro file's records, read by polars (a file at a time), as record batches."""
    yield from pl.read_avro(lake_file.path).to_arrow().to_batches(max_chunksize=BATCH_ROWS)


def load_avro(
    dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any, columns: Columns
) -> duckdb.DuckDBPyRelation:
    """Avro through polars (much faster than fastavro), one stream over the new files."""
    files = pending_files(dbt, session, inventory, (".avro",))
    return _load_stream(
        session, files, columns, "Avro", _avro_schema, _avro_batches, records=_avro_records
    )


def load_orc(
    dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any, columns: Columns
) -> duckdb.DuckDBPyRelation:
    """ORC through one pyarrow dataset over the new files, scanned a fragment (file) at a time,
    in stripe order, so each row keeps its file and record number."""
    files = pending_files(dbt, session, inventory, (".orc",))
    fragments: dict[str, ds.Fragment] = {}

    def batches(lake_file: LakeFile, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        return fragments[lake_file.path].to_batches(batch_size=BATCH_ROWS, use_threads=False)

    def file_schema(lake_file: LakeFile) -> pa.Schema:
        return orc.ORCFile(lake_file.path).schema  # the footer: a truncated file fails here

    read = [f for f in files if f.size > 0]
    relation = _load_stream(session, files, columns, "ORC", file_schema, batches)
    if read:  # after the footers are checked (a dataset reads the first file's unchecked)
        dataset = ds.dataset([f.path for f in read], format="orc")
        fragments.update({fragment.path: fragment for fragment in dataset.get_fragments()})
    return relation
