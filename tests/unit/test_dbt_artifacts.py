"""lakesight.dbt_artifacts: the one reader of dbt's manifest.json and run_results.json."""

from __future__ import annotations

import json
from pathlib import Path

from lakesight.dbt_artifacts import last_build_results, read_dbt_manifest, read_run_results


def test_the_build_results_come_before_those_of_dbt_docs_generate(tmp_path: Path) -> None:
    assert last_build_results(tmp_path) is None
    (tmp_path / "run_results.json").write_text('{"results": []}')
    assert last_build_results(tmp_path) == tmp_path / "run_results.json"
    (tmp_path / "build_run_results.json").write_text('{"results": []}')
    assert last_build_results(tmp_path) == tmp_path / "build_run_results.json"


def test_run_results_and_manifest_read_as_dbt_writes_them(tmp_path: Path) -> None:
    results = [
        {"unique_id": "test.p.unique_x_id.abc", "status": "fail", "message": None},
        {"unique_id": "model.p.x", "status": "success", "compiled_code": "select 1"},
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))
    first, second = read_run_results(tmp_path / "run_results.json")
    assert (first.resource_type, first.name, first.message, first.compiled_code) == (
        "test",
        "unique_x_id",
        "",
        "",
    )
    assert (second.resource_type, second.status, second.compiled_code) == (
        "model",
        "success",
        "select 1",
    )
    assert read_dbt_manifest(tmp_path / "manifest.json") is None
    model = {"unique_id": "model.p.x", "resource_type": "model", "schema": "marts", "name": "x"}
    test = {"unique_id": "test.p.t", "resource_type": "test", "attached_node": "model.p.x"}
    unit = {"unique_id": "unit_test.p.x.u", "resource_type": "unit_test"}
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "nodes": {"model.p.x": model, "test.p.t": test},
                "unit_tests": {"unit_test.p.x.u": unit},
            }
        )
    )
    manifest = read_dbt_manifest(tmp_path / "manifest.json")
    assert manifest is not None
    assert manifest.find("marts", "x") == model and manifest.find("staging", "x") is None
    assert manifest.tests_of("model.p.x") == [test]
    assert manifest.node("unit_test.p.x.u") == unit and manifest.node("model.p.y") == {}
