"""`make bench`'s floor for the raw loads: the same lake files read directly, no dbt.

One table per lake table in a fresh DuckDB file, each read in one scan with its file and row:
CSV, JSON Lines, logs and Parquet by DuckDB's readers, Avro by polars, ORC by a pyarrow dataset.
It skips what the raw loads add (line numbers of CSV records, bad-record capture, fingerprints,
schema checks, the incremental bookkeeping): the ratio is what those cost.

    python -m benchmarks.bench_direct LAKE OUT.duckdb
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds


def _paths(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def load(con: duckdb.DuckDBPyConnection, name: str, fmt: str, files: list[Path]) -> None:
    """Create table `name` from the files of one lake table."""
    paths = _paths(files)
    if fmt == "csv":
        # the dialect given, not sniffed: the sniffer gives up on files holding bad records (the
        # lake has some on purpose); a direct reader skips those rows instead of capturing them
        query = (
            f"select * from read_csv({paths}, all_varchar = true, header = true, filename = true, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = false, null_padding = true, "
            "ignore_errors = true, union_by_name = true)"
        )
    elif fmt in ("jsonl", "log"):
        query = (
            "select filename as _source_file, generate_subscripts(lines, 1) as _line_number, "
            "unnest(lines) as line from (select filename, "
            "string_split(regexp_replace(content, '\\r?\\n$', ''), chr(10)) as lines "
            f"from read_text({paths}))"
        )
    elif fmt == "parquet":
        query = f"select * from read_parquet({paths}, filename = true, file_row_number = true)"
    elif fmt == "avro":
        frame = pl.concat([pl.read_avro(f) for f in files], how="vertical_relaxed")  # noqa: F841
        query = "select * from frame"
    elif fmt == "orc":
        dataset = ds.dataset([str(f) for f in files], format="orc")  # noqa: F841
        query = "select * from dataset"
    else:
        raise ValueError(f"{name}: unknown lake format {fmt}")
    con.execute(f"create table {name} as {query}")


def main() -> None:
    lake, out = Path(sys.argv[1]), sys.argv[2]
    tables = json.loads((lake / "_lake.json").read_text(encoding="utf-8"))["tables"]
    with duckdb.connect(out) as con:
        for name, spec in tables.items():
            files = sorted(f for f in (lake / spec["path"]).glob("dt=*/*") if f.stat().st_size)
            if files:
                load(con, name, spec["format"], files)


if __name__ == "__main__":
    main()
