"""The raw loads' Arrow streams (lakesight/load/readers/), without dbt: a CSV longer than one
batch keeps the line of every record across batch boundaries, a gzip line file splits as the
plain one does, and a failure inside the stream reaches DuckDB's error naming the file."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from lakesight.load.files import LakeFile
from lakesight.load.readers.csv import _csv_batches, _csv_schema
from lakesight.load.readers.lines import _gzip_lines
from lakesight.load.readers.stream import EMPTY_FILE, stream

COLUMNS = ["id", "note"]


def lake_file(path: Path) -> LakeFile:
    return LakeFile(str(path), path.stat().st_size)


def test_csv_batches_keep_record_lines_across_batch_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "part-0000.csv"
    path.write_text(
        "id,note\n"  # line 1
        "1,a\n"  # 2
        "2,b\n"  # 3
        '3,"spans\nthree\nlines"\n'  # 4-6: the second batch's first record, straddling
        "\n"  # 7: blank, no record
        "4,x,extra\n"  # 8: too many columns
        '5,"broken\n',  # 9: an unterminated quote, to the end of the file
        encoding="utf-8",
    )
    batches = list(_csv_batches(lake_file(path), COLUMNS, batch_rows=2))
    assert [b.num_rows for b in batches] == [2, 2, 1]
    rows = pa.Table.from_batches(batches).to_pylist()
    assert [(r["id"], r["_line_number"]) for r in rows] == [
        ("1", 2),
        ("2", 3),
        ("3", 4),
        ("4,x,extra", 8),
        ('5,"broken', 9),
    ]
    assert rows[2]["note"] == "spans\nthree\nlines"
    assert rows[3]["_load_error"] == "TOO MANY COLUMNS: Expected Number of Columns: 2 Found: 3"
    assert rows[4]["_load_error"].startswith("CSV ERROR: ")
    assert all(r["_load_error"] is None for r in rows[:3])


def test_a_file_without_records_streams_its_empty_file_marker(tmp_path: Path) -> None:
    path = tmp_path / "part-0000.csv"
    path.write_text("id,note\n", encoding="utf-8")
    reader = stream(
        [lake_file(path)], "CSV", _csv_schema(COLUMNS), lambda f: _csv_batches(f, COLUMNS)
    )
    rows = reader.read_all().to_pylist()
    assert rows == [
        {"id": None, "note": None, "_source_file": str(path), "_line_number": None}
        | {"_load_error": EMPTY_FILE}
    ]


@pytest.mark.parametrize(
    "content", ["", "\n", "a\nb", "a\nb\n", "a\r\nb\r\n", "a\r\n\r\n", "a\n\nb\r", "é\nü\n"]
)
def test_gzip_lines_split_as_plain_files_do(tmp_path: Path, content: str) -> None:
    plain = tmp_path / "part-0000.log"
    plain.write_bytes(content.encode("utf-8"))
    packed = tmp_path / "part-0000.log.gz"
    packed.write_bytes(gzip.compress(content.encode("utf-8")))
    expected = (
        duckdb.sql(
            "select unnest(string_split(regexp_replace(content, '\\r?\\n$', ''), chr(10))) "
            f"from read_text('{plain}')"
        ).fetchall()
        if content
        else []
    )
    assert [(line,) for line in _gzip_lines(lake_file(packed))] == expected


def test_a_failure_inside_the_stream_names_the_file_in_duckdbs_error(tmp_path: Path) -> None:
    path = tmp_path / "part-0000.log.gz"
    packed = gzip.compress(b"line\n" * 100_000)
    path.write_bytes(packed[: len(packed) // 2])
    schema = pa.schema([("line", pa.string())])

    def batches(f: LakeFile) -> list[pa.RecordBatch]:
        return [pa.record_batch([pa.array(list(_gzip_lines(f)))], schema=schema)]

    reader = stream([lake_file(path)], "gzip-compressed UTF-8 text", schema, batches)
    con = duckdb.connect()
    con.register("lines", reader)
    with pytest.raises(duckdb.Error, match=f"{path}: cannot be read as gzip-compressed UTF-8"):
        con.execute("create table t as select * from lines")
