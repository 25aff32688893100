"""The columnar formats: Parquet through DuckDB's reader (one scan over the new files), Avro
through polars and ORC through a pyarrow dataset, both as one stream of record batches; every
file's schema is checked against the declared one before a row is read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
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
    pending_files,
    per_file,
)
from lakesight.load.readers.stream import (
    BATCH_ROWS,
    STREAM_META,
    Columns,
    assemble,
    check_schema,
    empty_marker,
    sql_string,
    stream,
    unique_name,
)


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
        check_schema(lake_file, list(zip(relation.columns, relation.types, strict=True)), columns)
        return pq.read_metadata(lake_file.path).num_rows

    counts = per_file(read, "Parquet", rows)
    # a file with a schema and no rows gets the empty-file marker, as an empty file does
    read = [f for f, count in zip(read, counts, strict=True) if count > 0]
    kept = set(read)
    parts = [empty_marker(f) for f in files if f not in kept]
    if read:
        paths = "[" + ", ".join(sql_string(f.path) for f in read) + "]"
        parts.append(
            "select * exclude (filename, file_row_number), filename as _source_file, "
            "file_row_number + 1 as _line_number, null as _load_error "
            f"from read_parquet({paths}, filename = true, file_row_number = true, "
            "union_by_name = true)"
        )
    return assemble(session, parts, columns, files)


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
        check_schema(lake_file, _duckdb_columns(session, schema), columns)
    kept = set(read)
    parts = [empty_marker(f) for f in files if f not in kept]
    arrow_parts = {}
    if read:
        first = schemas[0]
        stream_schema = pa.schema(
            [first.field(first.get_field_index(name)) for name in columns] + list(STREAM_META)
        )
        name = unique_name(what.lower())
        arrow_parts[name] = stream(
            read,
            what,
            stream_schema,
            lambda f: _positioned(batches(f, stream_schema), stream_schema, f),
        )
        parts.append(f"select * from {name}")
    return assemble(session, parts, columns, files, arrow_parts)


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
