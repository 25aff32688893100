"""The command line: every command listed, errors as one sentence, tracebacks only with --debug."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import duckdb
from rich.console import Console

from lakesight.cli.quality import outcome_table
from lakesight.quality.outcome import Failure, SuiteOutcome
from tests.support.warehouse import BIN, REPO, Warehouse


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
        "portals",
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


#: names Rich read as markup (`[/x]` a closing tag: a crash), an emoji code or an escaped bracket;
#: ESC went to the terminal and a carriage return was dropped
TRAPS = ("[de]", "[b]bold[/b]", "[/x]", ":smile:", "\\[x]", "\x1b[31m", "a\rb")


def test_profile_prints_column_names_as_data(tmp_path: Path) -> None:
    # a warehouse profile masks what the policy restricts, so it needs the resolved policy
    warehouse = Warehouse(tmp_path, tmp_path / "lake")
    # (and the geography lookup policy_scope_mismatches reads: docs/security.md)
    warehouse.dbt("seed", "--select", "path:seeds/security", "ref_countries")
    warehouse.dbt("run", "--select", "path:models/policy")
    database = warehouse.database
    with duckdb.connect(str(database)) as con:
        columns = ", ".join('"' + name + '" integer' for name in TRAPS)
        con.execute(f"create table t ({columns})")
        con.execute(f"insert into t values ({', '.join('1' for _ in TRAPS)})")
    result = subprocess.run(
        [str(BIN / "lakesight"), "profile", "t", "--manifest", str(tmp_path / "none.json")],
        cwd=REPO,
        env=os.environ | {"LAKESIGHT_DB": str(database), "COLUMNS": "300"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names = [
        cells[0]
        for line in result.stdout.splitlines()
        if len(cells := [cell.strip() for cell in line.strip("│┃ ").split("│")]) == 9
    ]
    assert names == [name.replace("\x1b", "\\x1b").replace("\r", "\\x0d") for name in TRAPS]
    assert "\x1b" not in result.stdout and "\r" not in result.stdout


def test_summary_prints_the_warehouse_path_as_data(tmp_path: Path) -> None:
    # a path holding "[b]/[/x]…[/b]", longer than a terminal line (a wrapped path is not one)
    folder = tmp_path / ("p" * 100) / "[b]" / "[" / "x] :smile: [" / "b]"
    folder.mkdir(parents=True)
    results = folder / "run_results.json"
    results.write_text('{"results": [{"unique_id": "model.p.m", "status": "success"}]}')
    result = run_on(folder / "w.duckdb", "summary", "--run-results", str(results))
    assert result.returncode == 0, result.stderr
    assert f"Warehouse: {folder / 'w.duckdb'}\n" in result.stdout  # whole, on one line


def test_the_validate_table_prints_offenders_as_data() -> None:
    outcome = SuiteOutcome(
        "marts.[b]x[/b]",
        met=1,
        failures=[Failure("expect_[/x]", "critical", "[de] :smile: \x1b[31m")],
    )
    console = Console(file=io.StringIO(), width=300, color_system=None)
    console.print(outcome_table([outcome]))
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "marts.[b]x[/b]" in printed
    assert "critical expect_[/x] — [de] :smile: \\x1b[31m" in printed


def test_a_lake_error_quoting_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    result = run("lake", "generate", "--start", "[/x] [b]y[/b]", "--lake", str(tmp_path / "l"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: --start must be a date like 2025-01-01 (got '[/x] [b]y[/b]')."
    )
