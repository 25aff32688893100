"""A relation's primary key, read from dbt's manifest (target/manifest.json).

In order: the contract's `primary_key` constraint (model-level `columns:`, or the column-level
constraints); else a `unique_combination_of_columns` test; else a single-column `unique` test; else,
for a model selecting from exactly one model that has a key, that model's key when every key
column is also a column of this one (so `secure.orders` is checked on `fct_orders`' key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class Manifest:
    """The models and tests of a manifest.json, looked up by schema and relation name."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.nodes: dict[str, dict[str, Any]] = data.get("nodes", {})
        self.tests: dict[str, list[dict[str, Any]]] = {}
        for node in self.nodes.values():
            if node.get("resource_type") == "test" and node.get("attached_node"):
                self.tests.setdefault(node["attached_node"], []).append(node)

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        """The manifest at `path`, or None when there is none."""
        if not path.exists():
            return None
        return cls(json.loads(path.read_text()))

    def models(self) -> list[dict[str, Any]]:
        return [node for node in self.nodes.values() if node.get("resource_type") == "model"]

    def find(self, schema: str, name: str) -> dict[str, Any] | None:
        for node in self.models():
            relation = node.get("alias") or node.get("name")
            if node.get("schema") == schema and relation == name:
                return node
        return None

    def key(self, node: dict[str, Any], _depth: int = 0) -> list[str] | None:
        """The node's primary key columns, or None (see the module's docstring)."""
        for constraint in node.get("constraints") or []:
            if constraint.get("type") == "primary_key" and constraint.get("columns"):
                return list(constraint["columns"])
        for name, column in (node.get("columns") or {}).items():
            for constraint in column.get("constraints") or []:
                if constraint.get("type") == "primary_key":
                    return [name]
        tests = self.tests.get(node["unique_id"], [])
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
            self.nodes[parent]
            for parent in node.get("depends_on", {}).get("nodes", [])
            if parent in self.nodes and self.nodes[parent].get("resource_type") == "model"
        ]
        if len(parents) == 1 and _depth < 3:
            key = self.key(parents[0], _depth + 1)
            if key and set(key) <= set(node.get("columns") or {}):
                return key
        return None
