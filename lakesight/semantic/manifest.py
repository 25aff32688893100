"""The semantic manifest dbt writes (target/semantic_manifest.json), and its copy for an extract.

The semantic models are defined over the marts (models/marts/semantic/): that is what the owners'
`mf query` reads in the warehouse. A principal's metric query must read that principal's extract
only, which holds `secure.<dataset>` tables with the marts' columns (rows filtered, masks applied).
`for_extract` re-points every semantic model, and the time spine, at the secure dataset its
`config.meta.secure_dataset` names; MetricFlow then writes its SQL against the extract's tables
and nothing in that SQL can name a mart (docs/semantic-layer.md, "Per principal").
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from metricflow_semantics.model.dbt_manifest_parser import (
    parse_manifest_from_dbt_generated_manifest,
)
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

#: the file dbt writes beside manifest.json on every parse or build
SEMANTIC_MANIFEST = "semantic_manifest.json"
#: the schema of the secure datasets in the warehouse and in an extract
SECURE_SCHEMA = "secure"
#: the secure dataset that holds the time spine (dim_date) in an extract
CALENDAR = "calendar"


class SemanticError(Exception):
    """A metric query that cannot be answered, said in one or a few sentences."""


def read(target: Path) -> dict[str, Any]:
    """The semantic manifest in dbt's `target` folder, as JSON."""
    path = target / SEMANTIC_MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise SemanticError(
            f"{path} does not exist: run `dbt parse` or `make build` first (dbt writes the"
            " semantic manifest)."
        ) from None


def secure_dataset(semantic_model: dict[str, Any]) -> str:
    """The secure dataset a semantic model's rows are in for one principal."""
    meta = (semantic_model.get("config") or {}).get("meta") or {}
    dataset = meta.get("secure_dataset")
    if not isinstance(dataset, str) or not dataset:
        raise SemanticError(
            f"semantic model {semantic_model['name']} names no config.meta.secure_dataset, so no"
            " principal can query it (models/marts/semantic/_semantic__models.yml)."
        )
    return dataset


def _relation(dataset: str) -> dict[str, Any]:
    return {
        "alias": dataset,
        "schema_name": SECURE_SCHEMA,
        "database": None,
        "relation_name": f"{SECURE_SCHEMA}.{dataset}",
    }


def for_extract(manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy of the manifest whose semantic models and time spines read the secure datasets."""
    repointed = copy.deepcopy(manifest)
    for semantic_model in repointed["semantic_models"]:
        semantic_model["node_relation"] = _relation(secure_dataset(semantic_model))
    configuration = repointed["project_configuration"]
    for spine in configuration.get("time_spines", []):
        spine["node_relation"] = _relation(CALENDAR)
    if configuration.get("time_spine_table_configurations"):
        raise SemanticError("legacy time spine configurations are not supported: use time_spine:")
    return repointed


def lookup(manifest: dict[str, Any]) -> SemanticManifestLookup:
    """MetricFlow's view of a semantic manifest."""
    return SemanticManifestLookup(parse_manifest_from_dbt_generated_manifest(json.dumps(manifest)))


def relations(manifest: dict[str, Any]) -> set[str]:
    """Every relation the manifest's semantic models and time spines read (relation_name)."""
    found = {model["node_relation"]["relation_name"] for model in manifest["semantic_models"]}
    spines = manifest["project_configuration"].get("time_spines", [])
    return found | {spine["node_relation"]["relation_name"] for spine in spines}
