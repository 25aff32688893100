"""`make bench`'s comparison: ydata-profiling (minimal mode) on one warehouse table.

Runs in its own venv (target/ydata-venv, from benchmarks/ydata-requirements.txt: ydata-profiling's
pins of numpy/pandas/scipy conflict with constraints.txt), as a script, not as part of lakesight:

    target/ydata-venv/bin/python benchmarks/bench_ydata.py WAREHOUSE SCHEMA.TABLE OUT.html

The table is read into pandas the way a user of ydata-profiling does (DuckDB's `df()`), then
profiled and written as HTML; the bench measures the whole process (time and peak RSS).
"""

from __future__ import annotations

import sys


def main() -> None:
    import duckdb
    from ydata_profiling import ProfileReport

    warehouse, table, out = sys.argv[1:4]
    with duckdb.connect(warehouse, read_only=True) as con:
        frame = con.table(table).df()
    ProfileReport(frame, minimal=True, progress_bar=False, title=table).to_file(out)


if __name__ == "__main__":
    main()
