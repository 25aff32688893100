"""Slim CI as the GitHub workflow runs it on a pull request: what changed and what depends on it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.warehouse import Warehouse, project_copy


def test_state_modified_builds_only_the_changed_model_and_its_children(
    built: Warehouse, tmp_path: Path
) -> None:
    """`dbt build --select state:modified+ --defer --state <main's target>` on a changed mart."""
    project = project_copy(tmp_path)
    model = project / "models" / "marts" / "reporting" / "rpt_sales_daily.sql"
    model.write_text(model.read_text() + "\n-- a change under review\n")
    warehouse = built.database_copy(tmp_path)
    result = warehouse.dbt(
        "build",
        "--select",
        "state:modified+",
        "--defer",
        "--state",
        str(built.target),
        expect_success=False,
        project=project,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((warehouse.target / "run_results.json").read_text())["results"]
    ran = {item["unique_id"] for item in results}
    models = {unique_id.split(".")[-1] for unique_id in ran if unique_id.startswith("model.")}
    # the changed mart, the marts built on it, their secure views and the audit of the secure views
    assert models == {
        "rpt_sales_daily",
        "rpt_revenue_vs_target_monthly",
        "rpt_revenue_vs_target_current",
        "sales_daily",
        "revenue_vs_target_current",
        "revenue_vs_target_monthly",
        "audit_security_matrix",
    }, models
    assert any(
        unique_id.startswith("test.") and "rpt_sales_daily" in unique_id for unique_id in ran
    )
    assert not any("fct_orders" in unique_id for unique_id in ran if unique_id.startswith("model."))
    statuses = {item["unique_id"]: item["status"] for item in results}
    assert set(statuses.values()) <= {"success", "pass", "no-op"}, statuses  # exposures: no-op
