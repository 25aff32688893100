"""Metric queries: MetricFlow's answer to metrics by group-by items, on a principal's extract only.

`query_as` builds or refreshes the principal's extract, opens it confined
(lakesight.security.access.connect_confined: read-only, no file, no attach, no setting) and asks
MetricFlow for the metrics over the semantic manifest re-pointed at the extract's secure datasets
(manifest.for_extract). MetricFlow writes the SQL: lakesight writes none of a metric's logic.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from metricflow.engine.metricflow_engine import (
    MetricFlowEngine,
    MetricFlowQueryRequest,
    OutputColumnOrderMode,
)
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

from lakesight.config import dbt_target
from lakesight.security.access import DEFAULT_EXTRACTS, connect_confined, failure
from lakesight.security.extracts import Extract, ExtractError, fresh_extract
from lakesight.semantic import manifest as semantic_manifest
from lakesight.semantic.client import DuckDbClient
from lakesight.semantic.manifest import SemanticError


@dataclass(frozen=True)
class MetricRequest:
    """Metrics by group-by items (`metric_time__month`, `country__region_name`, `order__channel`),
    with optional where filters in MetricFlow's template syntax, order (`-net_revenue` descends;
    default: the group-by items) and a row limit."""

    metrics: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    limit: int | None = None

    def to_mf(self) -> MetricFlowQueryRequest:
        return MetricFlowQueryRequest.create(
            metric_names=list(self.metrics),
            group_by_names=list(self.group_by) or None,
            where_constraints=list(self.where) or None,
            order_by_names=list(self.order_by or self.group_by) or None,
            limit=self.limit,
            # the group-by items, then the metrics, in the order asked (MetricFlow's default
            # groups them by kind in an order of its own)
            output_column_order_mode=OutputColumnOrderMode.INPUT_ORDER,
        )


@dataclass(frozen=True)
class Answer:
    """A metric query's result: its columns, rows and the SQL MetricFlow ran."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    sql: str
    extract: Extract | None = field(default=None, compare=False)
    rebuilt: str | None = field(default=None, compare=False)


@functools.lru_cache(maxsize=4)
def _extract_engine_lookup(manifest_json: str) -> SemanticManifestLookup:
    return semantic_manifest.lookup(semantic_manifest.for_extract(json.loads(manifest_json)))


def run(
    connection: duckdb.DuckDBPyConnection, manifest: dict[str, Any], request: MetricRequest
) -> Answer:
    """Answer `request` on `connection` (an extract) with the manifest re-pointed at it."""
    lookup = _extract_engine_lookup(json.dumps(manifest, sort_keys=True))
    engine = MetricFlowEngine(semantic_manifest_lookup=lookup, sql_client=DuckDbClient(connection))
    try:
        result = engine.query(request.to_mf())
    except duckdb.Error:
        raise  # the extract refused or failed the SQL: the caller says which (access.failure)
    except Exception as error:  # MetricFlow's query errors have no common base class
        raise SemanticError(explain(error)) from None
    table = result.result_df
    if table is None:
        raise SemanticError("MetricFlow returned no table")
    return Answer(list(table.column_names), [tuple(row) for row in table.rows], result.sql)


def query_as(
    warehouse: Path,
    principal: str,
    request: MetricRequest,
    target: Path | None = None,
    extracts: Path = DEFAULT_EXTRACTS,
) -> Answer:
    """Answer `request` as `principal`: on that principal's extract, never on the warehouse."""
    manifest = semantic_manifest.read(target or dbt_target())
    with fresh_extract(warehouse, extracts, principal) as (extract, rebuilt):
        connection = connect_confined(extracts / extract.file)
    with connection:
        try:
            answer = run(connection, manifest, request)
        except duckdb.Error as error:
            raise ExtractError(failure(error, "", extract)) from None
    return Answer(answer.columns, answer.rows, answer.sql, extract, rebuilt)


#: one error of MetricFlow's query resolution: its message and the input it is about
_RESOLUTION_ERROR = re.compile(
    r"Error #\d+:\s*Message:\s*(?P<message>.*?)\s*Query Input:\s*(?P<input>.*?)\s*"
    r"(?=Issue Location:|Error #\d+:|\Z)",
    re.DOTALL,
)


def explain(error: Exception) -> str:
    """MetricFlow's error as lines `<input>: <message>` (its suggestions kept, its trace of where
    in the query it was found left out); the order-by echo of a bad group-by only when alone."""
    text = str(error).strip() or type(error).__name__
    found = [
        (" ".join(match["input"].split()), " ".join(match["message"].split()))
        for match in _RESOLUTION_ERROR.finditer(text)
    ]
    kept = [item for item in found if not item[1].startswith("The order-by item")] or found
    if not kept:
        return text.split("\n\n")[0].strip()
    return "\n".join(f"{where}: {message}" for where, message in kept)
