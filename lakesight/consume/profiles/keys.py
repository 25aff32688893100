"""A relation's primary key, from dbt's manifest (lakesight.dbt_artifacts reads it).

In order: the contract's `primary_key` constraint (model-level `columns:`, or the column-level
constraints); else a `unique_combination_of_columns` test; else a single-column `unique` test; else,
for a model selecting from exactly one model that has a key, that model's key when every key
column is also a column of this one (so `secure.orders` is checked on `fct_orders`' key).
"""

from __future__ import annotations

from lakesight.dbt_artifacts import DbtManifest, Node


def primary_key(manifest: DbtManifest, node: Node, _depth: int = 0) -> list[str] | None:
    """The node's primary key columns, or None (see the module's docstring)."""
    for constraint in node.get("constraints") or []:
        if constraint.get("type") == "primary_key" and constraint.get("columns"):
            return list(constraint["columns"])
    for name, column in (node.get("columns") or {}).items():
        for constraint in column.get("constraints") or []:
            if constraint.get("type") == "primary_key":
                return [name]
    tests = manifest.tests_of(node["unique_id"])
    for test in tests:
        meta = test.get("test_metadata") or {}
        if meta.get("name") == "unique_combination_of_columns":
            columns = meta.get("kwargs", {}).get("combination_of_columns")
            if columns:
                return list(columns)
    for test in tests:
        meta = test.get("test_metadata") or {}
        if meta.get("name") == "unique" and test.get("column_name"):
            return [test["column_name"]]
    parents = [
        manifest.nodes[parent]
        for parent in node.get("depends_on", {}).get("nodes", [])
        if parent in manifest.nodes and manifest.nodes[parent].get("resource_type") == "model"
    ]
    if len(parents) == 1 and _depth < 3:
        key = primary_key(manifest, parents[0], _depth + 1)
        if key and set(key) <= set(node.get("columns") or {}):
            return key
    return None
