"""The command line: every command listed, errors as one sentence, tracebacks only with --debug."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb

from lakesight_tests.support import BIN, REPO


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "lakesight"), *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in (
        "lake",
        "summary",
        "site",
        "validate",
        "query",
        "publish",
        "export-policies",
        "profile",
        "profiles",
    ):
        assert f" {command} " in result.stdout, command
    assert "--debug" in result.stdout


def test_an_unexpected_error_is_one_sentence_and_the_traceback_needs_debug(tmp_path: Path) -> None:
    broken = tmp_path / "run_results.json"
    broken.write_text("{not json")
    plain = run("summary", "--run-results", str(broken))
    assert plain.returncode == 1
    assert "Traceback" not in plain.stderr + plain.stdout
    assert plain.stderr.strip().startswith("lakesight: JSONDecodeError:")
    assert "run again with `lakesight --debug" in plain.stderr
    assert len(plain.stderr.strip().splitlines()) == 1
    debug = run("--debug", "summary", "--run-results", str(broken))
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr


def run_on(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "lakesight"), *args],
        cwd=REPO,
        env=os.environ | {"LAKESIGHT_DB": str(database)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_missing_warehouse_says_how_to_build_it(tmp_path: Path) -> None:
    for args in (
        ("publish", "--exports", str(tmp_path / "x")),
        ("query", "--as", "a", "select 1"),
        ("profile", "fct_orders"),
        ("profiles", "--out", str(tmp_path / "x")),
    ):
        result = run_on(tmp_path / "missing.duckdb", *args)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"lakesight: No warehouse at {tmp_path / 'missing.duckdb'}: run `make build` first"
            " (or point LAKESIGHT_DB at one)."
        )
    assert not (tmp_path / "x").exists()


def test_query_on_a_warehouse_without_a_policy_is_one_sentence(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    duckdb.connect(str(database)).close()
    result = run_on(
        database,
        "query",
        "--as",
        "alice@example.com",
        "select * from secure.orders",
        "--extracts",
        str(tmp_path / "extracts"),
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        "lakesight: No extract can be built: the warehouse has no resolved policy"
        " (policy.policy_problems is missing): run `make build` (or `dbt build -s +models/policy`)"
        " and fix what it reports."
    )
    assert not list((tmp_path / "extracts").glob("*.duckdb"))


def test_profiles_without_a_manifest_is_one_sentence(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    duckdb.connect(str(database)).close()
    manifest = tmp_path / "target" / "manifest.json"
    result = run_on(database, "profiles", "--out", str(tmp_path / "p"), "--manifest", str(manifest))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"lakesight: No dbt manifest at {manifest}: run `dbt parse` or `make build`."
    )
    assert not (tmp_path / "p").exists()
