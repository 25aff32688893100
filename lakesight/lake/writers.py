"""File writers, one per format, producing byte-identical output for identical input.

No writer records wall-clock time: CSV, JSON Lines and logs are plain text, Parquet's
`created_by` names only the library version, ORC records no time, and the Avro header is
rewritten with a fixed schema and sorted metadata keys (polars writes them in hash order;
its sync marker is constant).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq

_MONEY = pa.decimal128(12, 2)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_lines(path: Path, lines: pl.Series, header: tuple[str, ...] = ()) -> None:
    """A UTF-8 text file: header lines, then one line per value, each ending in `\\n`."""
    body = "\n".join([*header, *lines.to_list()])
    _write(path, (body + "\n").encode("utf-8"))


def money(cents: np.ndarray) -> pa.Array:
    """Exact `decimal(12,2)` values from integer cents (no float rounding)."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)
    return pa.Array.from_buffers(_MONEY, len(cents), [None, pa.py_buffer(words.tobytes())])


def write_parquet(path: Path, table: pa.Table) -> None:
    """Parquet with Snappy compression."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy")
    _write(path, buffer.getvalue())


def write_orc(path: Path, table: pa.Table) -> None:
    """ORC with ZLIB compression (what Hive writes by default)."""
    buffer = io.BytesIO()
    orc.write_table(table, buffer, compression="zlib")
    _write(path, buffer.getvalue())


def write_avro(path: Path, frame: pl.DataFrame, name: str, utc_columns: tuple[str, ...]) -> None:
    """Avro object container (deflate) via polars, with UTC timestamp columns.

    polars writes naive datetimes as `local-timestamp-micros` and cannot write zoned ones, so
    the header's schema is rewritten to declare `utc_columns` as `timestamp-micros` (the
    encoded values — microseconds since the epoch — are the same).
    """
    buffer = io.BytesIO()
    frame.rechunk().write_avro(buffer, compression="deflate", name=name)
    _write(path, _retag_timestamps(buffer.getvalue(), utc_columns))


def _read_long(data: bytes, pos: int) -> tuple[int, int]:
    """Decode an Avro zig-zag varint at `pos`; returns (value, next position)."""
    shift = acc = 0
    while True:
        byte = data[pos]
        pos += 1
        acc |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return (acc >> 1) ^ -(acc & 1), pos


def _long(value: int) -> bytes:
    """Encode an Avro zig-zag varint."""
    n = (value << 1) ^ (value >> 63)
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _retag_timestamps(data: bytes, columns: tuple[str, ...]) -> bytes:
    """Rewrite an Avro container header so `columns` are `timestamp-micros` (UTC)."""
    if data[:4] != b"Obj\x01":
        raise ValueError("not an Avro object container")
    pos, meta = 4, {}
    while True:
        count, pos = _read_long(data, pos)
        if count == 0:
            break
        if count < 0:
            _, pos = _read_long(data, pos)
            count = -count
        for _ in range(count):
            size, pos = _read_long(data, pos)
            key = data[pos : pos + size].decode()
            pos += size
            size, pos = _read_long(data, pos)
            meta[key] = data[pos : pos + size]
            pos += size
    schema = json.loads(meta["avro.schema"])
    for field in schema["fields"]:
        if field["name"] in columns:
            for branch in field["type"] if isinstance(field["type"], list) else [field["type"]]:
                if isinstance(branch, dict) and branch.get("logicalType", "").endswith("-micros"):
                    branch["logicalType"] = "timestamp-micros"
    meta["avro.schema"] = json.dumps(schema, separators=(",", ":")).encode()
    header = bytearray(b"Obj\x01")
    header += _long(len(meta))
    for key, value in sorted(meta.items()):
        header += _long(len(key)) + key.encode() + _long(len(value)) + value
    header += _long(0)
    return bytes(header) + data[pos:]
