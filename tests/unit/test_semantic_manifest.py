"""The semantic layer's definitions and their copy for an extract (docs/semantic-layer.md)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from lakesight.semantic.manifest import SemanticError, for_extract, relations

REPO = Path(__file__).resolve().parents[2]
SEMANTIC = REPO / "models" / "marts" / "semantic"


def semantic_models() -> list[dict[str, Any]]:
    return yaml.safe_load((SEMANTIC / "_semantic__models.yml").read_text())["semantic_models"]


def manifest(*models: dict[str, Any]) -> dict[str, Any]:
    """A semantic manifest shaped like dbt's target/semantic_manifest.json."""
    return {
        "semantic_models": list(models),
        "metrics": [],
        "saved_queries": [],
        "project_configuration": {
            "time_spine_table_configurations": [],
            "time_spines": [
                {
                    "node_relation": {
                        "alias": "dim_date",
                        "schema_name": "marts",
                        "database": "lakesight",
                        "relation_name": '"lakesight"."marts"."dim_date"',
                    },
                    "primary_column": {"name": "date_day", "time_granularity": "day"},
                }
            ],
        },
    }


def model(name: str, mart: str, dataset: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "node_relation": {
            "alias": mart,
            "schema_name": "marts",
            "database": "lakesight",
            "relation_name": f'"lakesight"."marts"."{mart}"',
        },
        "config": {"meta": {} if dataset is None else {"secure_dataset": dataset}},
    }


def test_an_extracts_manifest_reads_only_secure_datasets() -> None:
    original = manifest(model("orders", "fct_orders", "orders"), model("x", "dim_x", "things"))
    repointed = for_extract(original)
    assert relations(repointed) == {"secure.orders", "secure.things", "secure.calendar"}
    # the owners' manifest is left as it was
    assert '"lakesight"."marts"."fct_orders"' in relations(original)


def test_a_semantic_model_without_a_secure_dataset_is_refused() -> None:
    with pytest.raises(SemanticError, match="semantic model loose names no"):
        for_extract(manifest(model("orders", "fct_orders", "orders"), model("loose", "m", None)))


def test_each_semantic_models_secure_dataset_secures_its_mart() -> None:
    """The dataset a principal's query reads holds the rows of the mart the owners' query reads."""
    with (REPO / "seeds" / "security" / "sec_datasets.csv").open() as handle:
        datasets = {row["dataset"] for row in csv.DictReader(handle)}
    for semantic_model in semantic_models():
        dataset = semantic_model["config"]["meta"]["secure_dataset"]
        assert dataset in datasets, semantic_model["name"]
        secure_sql = (REPO / "models" / "secure" / f"{dataset}.sql").read_text()
        mart = re.fullmatch(r"ref\('(\w+)'\)", semantic_model["model"])
        assert mart is not None, semantic_model["model"]
        assert re.search(rf"secure_dataset\(\s*'{dataset}',\s*ref\('{mart[1]}'\)", secure_sql), (
            semantic_model["name"],
            dataset,
        )


def test_the_time_spine_has_its_secure_dataset() -> None:
    secure_sql = (REPO / "models" / "secure" / "calendar.sql").read_text()
    assert "ref('dim_date')" in secure_sql
    core = yaml.safe_load((REPO / "models" / "marts" / "core" / "_core__models.yml").read_text())
    spine = next(m for m in core["models"] if m["name"] == "dim_date")
    assert spine["time_spine"]["standard_granularity_column"] == "date_day"


def test_every_metric_is_described_and_labelled() -> None:
    metrics = yaml.safe_load((SEMANTIC / "_semantic__metrics.yml").read_text())["metrics"]
    assert len(metrics) >= 19
    for metric in metrics:
        assert metric.get("label") and len(metric.get("description", "")) > 20, metric["name"]
