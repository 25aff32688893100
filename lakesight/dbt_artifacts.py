"""The one reader of dbt's artifacts in target/: manifest.json and run_results.json.

dbt writes them on every run (https://docs.getdbt.com/reference/artifacts/dbt-artifacts); lakesight
reads what it needs of them here, as small typed values: the manifest's models, tests and unit
tests (the profiles' primary keys, the quality report's tested models) and the results of a run
(the summary, the quality report, the site's figures).

`make build` keeps the build's results as `build_run_results.json`: `dbt docs generate` rewrites
`run_results.json` with its own (every node "success"), which would hide warnings and failures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the artifacts' file names in dbt's target folder
MANIFEST = "manifest.json"
RUN_RESULTS = "run_results.json"
#: the build's own results, kept by `make build` before `dbt docs generate` rewrites RUN_RESULTS
BUILD_RUN_RESULTS = "build_run_results.json"

Node = dict[str, Any]


@dataclass(frozen=True)
class RunResult:
    """One node's result in run_results.json."""

    unique_id: str
    status: str
    message: str
    compiled_code: str

    @property
    def resource_type(self) -> str:
        """seed, model, snapshot, test, unit_test … (the unique_id's first part)."""
        return self.unique_id.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The node's name (the unique_id's third part)."""
        return self.unique_id.split(".")[2]


def read_run_results(path: Path) -> list[RunResult]:
    """The results of the dbt run that wrote `path` (run_results.json), in dbt's order."""
    return [
        RunResult(
            unique_id=result["unique_id"],
            status=result["status"],
            message=result.get("message") or "",
            compiled_code=result.get("compiled_code") or "",
        )
        for result in json.loads(path.read_text())["results"]
    ]


def last_build_results(target: Path) -> Path | None:
    """The results of the last build in dbt's target folder: build_run_results.json, else
    run_results.json, else None."""
    for name in (BUILD_RUN_RESULTS, RUN_RESULTS):
        if (target / name).exists():
            return target / name
    return None


@dataclass(frozen=True)
class DbtManifest:
    """The nodes (models, seeds, tests …) and unit tests of a manifest.json, by unique_id."""

    nodes: dict[str, Node]
    unit_tests: dict[str, Node] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DbtManifest:
        return cls(data.get("nodes", {}), data.get("unit_tests", {}))

    def models(self) -> list[Node]:
        """Every model node."""
        return [node for node in self.nodes.values() if node.get("resource_type") == "model"]

    def find(self, schema: str, name: str) -> Node | None:
        """The model materialised as schema.name (its alias, else its name), or None."""
        for node in self.models():
            relation = node.get("alias") or node.get("name")
            if node.get("schema") == schema and relation == name:
                return node
        return None

    def tests_of(self, unique_id: str) -> list[Node]:
        """The data tests attached to the node `unique_id`, in the manifest's order."""
        return [
            node
            for node in self.nodes.values()
            if node.get("resource_type") == "test" and node.get("attached_node") == unique_id
        ]

    def node(self, unique_id: str) -> Node:
        """The node or unit test `unique_id`, or an empty dict when the manifest has neither."""
        return self.nodes.get(unique_id) or self.unit_tests.get(unique_id) or {}


def read_dbt_manifest(path: Path) -> DbtManifest | None:
    """The manifest at `path`, or None when there is none."""
    if not path.exists():
        return None
    return DbtManifest.from_json(json.loads(path.read_text()))
