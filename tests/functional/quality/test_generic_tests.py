"""Tests of the project's generic dbt tests (macros/generic_tests/).

The fixture dbt project in fixtures/generic_tests/ holds tiny `select ... union all ...`
models with good and bad data, and applies every generic test both to data that must pass
(tag ``must_pass``) and to data that must fail (tag ``must_fail``, with
``meta.expected_failures``). One ``dbt build`` of a temporary copy of that project runs
them all; the results are read from ``target/run_results.json``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
MACROS = REPO / "macros" / "generic_tests"
FIXTURE = REPO / "tests" / "support" / "fixtures" / "generic_tests"
PROJECT_NAME = "generic_tests_fixture"
AUDIT_SCHEMA = "main_dbt_test__audit"  # where dbt stores failures of store_failures tests


@dataclass(frozen=True)
class Case:
    """One application of a generic test in the fixture's YAML."""

    name: str
    generic_test: str
    must_fail: bool
    expected_failures: int


def _fixture_cases() -> list[Case]:
    """Every generic test applied in the fixture project, read from its YAML files."""
    cases = []
    for path in sorted((FIXTURE / "models").glob("*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            entries = list(model.get("data_tests", []))
            for column in model.get("columns", []):
                entries += column.get("data_tests", [])
            for entry in entries:
                ((generic_test, spec),) = entry.items()
                config = spec.get("config", {})
                tags = set(config.get("tags", []))
                assert len(tags & {"must_pass", "must_fail"}) == 1, spec["name"]
                must_fail = "must_fail" in tags
                expected = config.get("meta", {}).get("expected_failures") if must_fail else 0
                assert isinstance(expected, int), f"{spec['name']}: no meta.expected_failures"
                cases.append(Case(spec["name"], generic_test, must_fail, expected))
    return cases


CASES = _fixture_cases()
GENERIC_TESTS = sorted(path.stem for path in MACROS.glob("*.sql"))


def test_every_generic_test_has_a_passing_and_a_failing_case() -> None:
    assert GENERIC_TESTS, f"no generic tests in {MACROS}"
    assert len({case.name for case in CASES}) == len(CASES), "test names must be unique"
    for name in GENERIC_TESTS:
        macro = (MACROS / f"{name}.sql").read_text()
        assert re.search(rf"{{%-?\s*test\s+{name}\s*\(\s*model\b", macro), name
        assert macro.lstrip().startswith("{#"), f"{name}: header comment missing"
        applied = [case for case in CASES if case.generic_test == name]
        assert any(not case.must_fail for case in applied), f"{name}: no must-pass case"
        assert any(case.must_fail for case in applied), f"{name}: no must-fail case"
    assert {case.generic_test for case in CASES} <= set(GENERIC_TESTS)


@dataclass(frozen=True)
class Build:
    results: dict[str, dict[str, Any]]  # run_results entry by node name
    resource_types: dict[str, str]  # node name -> model / test
    database: Path
    output: str


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Build a temporary copy of the fixture project once for the whole module."""
    dbt = Path(sys.executable).with_name("dbt")
    if not dbt.exists():
        pytest.skip(f"dbt is not installed next to {sys.executable}")
    tmp = tmp_path_factory.mktemp("generic_tests")
    project = tmp / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
    database = tmp / "fixture.duckdb"
    profile = {
        PROJECT_NAME: {
            "target": "test",
            "outputs": {"test": {"type": "duckdb", "path": str(database), "threads": 4}},
        }
    }
    (project / "profiles.yml").write_text(yaml.safe_dump(profile))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env |= {
        "LAKESIGHT_GENERIC_TESTS_MACROS": str(MACROS),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }
    proc = subprocess.run(
        [str(dbt), "build", "--project-dir", str(project), "--profiles-dir", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    # 1 = some tests failed (the must-fail ones); anything else is a dbt error
    assert proc.returncode == 1, output
    run_results = json.loads((project / "target" / "run_results.json").read_text())
    results = {r["unique_id"].split(".")[2]: r for r in run_results["results"]}
    assert len(results) == len(run_results["results"]), "node names must be unique"
    resource_types = {
        r["unique_id"].split(".")[2]: r["unique_id"].split(".")[0] for r in run_results["results"]
    }
    return Build(results, resource_types, database, output)


def _stored_failures(build: Build, test_name: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(build.database), read_only=True) as con:
        rel = con.sql(f'select * from {AUDIT_SCHEMA}."{test_name}"')
        return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def test_build_ran_every_model_and_case(build: Build) -> None:
    models = {n for n, kind in build.resource_types.items() if kind == "model"}
    tests = {n for n, kind in build.resource_types.items() if kind == "test"}
    assert models == {path.stem for path in (FIXTURE / "models").glob("*.sql")}
    assert all(build.results[m]["status"] == "success" for m in models), build.output
    assert tests == {case.name for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_case(build: Build, case: Case) -> None:
    result = build.results[case.name]
    expected_status = "fail" if case.must_fail else "pass"
    assert (result["status"], result["failures"]) == (expected_status, case.expected_failures), (
        result["message"]
    )


def test_row_conservation_failure_shows_every_count(build: Build) -> None:
    assert _stored_failures(build, "row_conservation__fail_row_missing__stored") == [
        {
            "model_rows": 10,
            "part_1__stg_events": 7,
            "part_2__stg_events__rejected_short": 2,
            "parts_rows": 9,
            "difference": 1,
        }
    ]
    [duplicated] = _stored_failures(build, "row_conservation__fail_duplicated__stored")
    assert (duplicated["parts_rows"], duplicated["difference"]) == (12, -2)


def test_equal_rowcount_failure_shows_both_counts(build: Build) -> None:
    assert _stored_failures(build, "equal_rowcount__fail__stored") == [
        {"model_rows": 3, "compare_model_rows": 2, "difference": 1}
    ]


def test_unique_combination_failure_lists_duplicates_with_counts(build: Build) -> None:
    rows = _stored_failures(build, "unique_combination_of_columns__fail__stored")
    assert sorted((r["order_id"], r["row_count"]) for r in rows) == [(1, 2), (3, 3)]


def test_recency_failure_on_empty_table(build: Build) -> None:
    [row] = _stored_failures(build, "recency__fail_empty__stored")
    assert row["most_recent"] is None
    assert row["threshold"] is not None
