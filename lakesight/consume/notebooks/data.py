"""What a notebook reads: one principal's extract, confined, never the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from lakesight.config import EXTRACTS, dbt_target, extracts_dir, warehouse_path
from lakesight.security.access import DEFAULT_EXTRACTS, connect_confined
from lakesight.security.extracts import fresh_extract
from lakesight.semantic import manifest as semantic_manifest
from lakesight.semantic.query import MetricRequest, run

#: the folder of the extracts, set by `lakesight notebooks build` for the kernel (not printed)
EXTRACTS_VARIABLE = EXTRACTS.name


def extract_path(extract: str) -> Path:
    """The extract `extract` names: a file name is looked up in LAKESIGHT_EXTRACTS (else
    target/extracts); a path is taken as it is."""
    path = Path(extract)
    if path.name != extract:
        return path
    return extracts_dir() / path


def open_extract(principal: str, extract: str | None = None) -> duckdb.DuckDBPyConnection:
    """The principal's extract opened read-only with external access off (`secure` first).

    `lakesight notebooks build` passes the file name of the extract it made for the principal
    (the folder in LAKESIGHT_EXTRACTS, so the page shows no path of the build machine); run by
    hand (in Jupyter) a notebook passes None and the extract is built or refreshed from the
    warehouse in LAKESIGHT_DB, as for `lakesight query --as`.
    """
    if extract is not None:
        return connect_confined(extract_path(extract))
    with fresh_extract(warehouse_path(), DEFAULT_EXTRACTS, principal) as (entry, _reason):
        return connect_confined(DEFAULT_EXTRACTS / entry.file)


def headline(con: duckdb.DuckDBPyConnection, *metrics: str) -> dict[str, Any]:
    """The metrics' totals over the extract, from the semantic layer (the same figures as every
    dashboard page's totals, docs/semantic-layer.md); the manifest is dbt's target folder's."""
    answer = run(con, semantic_manifest.read(dbt_target()), MetricRequest(metrics))
    return dict(zip(answer.columns, answer.rows[0], strict=True)) if answer.rows else {}
