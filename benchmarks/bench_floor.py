"""`make bench`'s floor for the SQL models: their compiled SQL run in one DuckDB process.

Every SQL model of the manifest, in dependency order, as `create or replace table|view ... as`
its compiled code, against the warehouse of a build (the Python models' tables are there). No
dbt: no contracts, hooks, tests or adapter round trips; the ratio of `dbt run` on the same models
to this is dbt's overhead.

    python -m benchmarks.bench_floor WAREHOUSE MANIFEST
"""

from __future__ import annotations

import json
import sys
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb


def sql_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The compiled SQL models (not ephemeral), parents first."""
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node.get("language") == "sql"
        and node["config"]["materialized"] != "ephemeral"
        and node.get("compiled_code")
    }
    graph = {
        uid: [p for p in node["depends_on"]["nodes"] if p in nodes] for uid, node in nodes.items()
    }
    return [nodes[uid] for uid in TopologicalSorter(graph).static_order()]


def main() -> None:
    warehouse, manifest = sys.argv[1], Path(sys.argv[2])
    models = sql_models(json.loads(manifest.read_text(encoding="utf-8")))
    with duckdb.connect(warehouse) as con:
        existing = dict(
            ((schema, name), "view" if kind == "VIEW" else "table")
            for schema, name, kind in con.execute(
                "select table_schema, table_name, table_type from information_schema.tables"
            ).fetchall()
        )
        for node in models:
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            before = existing.get((node["schema"], node["alias"]))
            if before:
                con.execute(f"drop {before} {node['relation_name']} cascade")
            con.execute(f"create {kind} {node['relation_name']} as {node['compiled_code']}")


if __name__ == "__main__":
    main()
