"""What a notebook reads: one principal's extract, confined, never the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from lakesight.security.access import DEFAULT_EXTRACTS, connect_confined
from lakesight.security.extracts import fresh_extract
from lakesight.summary import warehouse_path


def open_extract(principal: str, extract: str | None = None) -> duckdb.DuckDBPyConnection:
    """The principal's extract opened read-only with external access off (`secure` first).

    `lakesight notebooks build` passes the extract it made for the principal; run by hand (in
    Jupyter) a notebook passes None and the extract is built or refreshed from the warehouse in
    LAKESIGHT_DB, as for `lakesight query --as`.
    """
    if extract is not None:
        return connect_confined(Path(extract))
    with fresh_extract(warehouse_path(), DEFAULT_EXTRACTS, principal) as (entry, _reason):
        return connect_confined(DEFAULT_EXTRACTS / entry.file)
