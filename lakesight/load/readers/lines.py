"""Line-oriented text, JSON Lines and web logs alike (plain or gzip): one row per line, parsed in
staging. Plain files go through DuckDB's read_text, gzip-compressed ones through Python's gzip."""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from lakesight.load.files import (
    LakeFile,
    pending_files,
)
from lakesight.load.readers.stream import (
    BATCH_ROWS,
    STREAM_META,
    assemble,
    empty_marker,
    sql_string,
    stream,
    unique_name,
)

#: the extensions each reader claims in a table folder (docs/lake.md)
JSONL_EXTENSIONS = (".jsonl", ".jsonl.gz")
LOG_EXTENSIONS = (".log", ".log.gz")

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
    parts = [empty_marker(f) for f in files if f.size == 0]
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
        name = unique_name("gzip_lines")
        arrow_parts[name] = stream(
            compressed,
            "gzip-compressed UTF-8 text",
            _LINE_SCHEMA,
            lambda f: _gzip_line_batches(f, batch_rows),
        )
        parts.append(f"select * from {name}")
    return assemble(session, parts, {"line": "varchar"}, files, arrow_parts)
