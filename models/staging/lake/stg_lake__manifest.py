"""The lake's generation parameters from _lake.json, typed, and the lake folder as an absolute path.

A Python model because only Python knows the directory dbt runs in: DuckDB resolves a relative
LAKESIGHT_LAKE against it, and the warehouse must name the lake it was built from wherever dbt ran.
"""

import os

from lakesight.load.files import check_lake_folder


def model(dbt, session):
    dbt.config(materialized="table")
    # read_json would read a lake path holding *, ?, [ as a pattern (docs/lake.md)
    check_lake_folder(os.environ.get("LAKESIGHT_LAKE") or "data/lake")
    manifest = dbt.source("lake", "manifest")
    ((filename,),) = manifest.project("filename").limit(1).fetchall()
    lake_path = os.path.dirname(os.path.abspath(filename)).replace("'", "''")
    return manifest.query(
        "manifest",
        "select cast(scale as double) as lake_scale, cast(seed as integer) as lake_seed, "
        "cast(start as date) as lake_start_date, cast(days as integer) as lake_days, "
        f"'{lake_path}' as lake_path from manifest",
    )
