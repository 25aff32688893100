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

Modules: `stream` (what every reader shares: the stream, the empty-file marker, the assembled
relation), `csv`, `lines` (JSON Lines and web logs) and `columnar` (Parquet, Avro, ORC).
"""

from lakesight.load.readers.columnar import load_avro, load_orc, load_parquet
from lakesight.load.readers.csv import CSV_EXTENSIONS, load_csv
from lakesight.load.readers.lines import JSONL_EXTENSIONS, LOG_EXTENSIONS, load_lines
from lakesight.load.readers.stream import EMPTY_FILE, sql_string

__all__ = [
    "CSV_EXTENSIONS",
    "EMPTY_FILE",
    "JSONL_EXTENSIONS",
    "LOG_EXTENSIONS",
    "load_avro",
    "load_csv",
    "load_lines",
    "load_orc",
    "load_parquet",
    "sql_string",
]
