"""The real boundary: `query --as` confined to the principal's extract, and `publish`.

`query --as` escapes, `publish` collisions and stale extracts, and the development salt
(docs/security.md, "Using it"), plus escapes of our own.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lakesight.lake import reference
from lakesight.outputs import OutputError
from lakesight.quality.suites.secure import secure_suites
from lakesight.security import extracts as extracts_module
from lakesight.security.access import position, query_as
from lakesight.security.extracts import (
    ExtractError,
    check_names,
    extract_file,
    file_sha256,
    publish,
    read_manifest,
    verify,
)
from lakesight.security.resolved import ResolvedPolicy
from lakesight.security.salt import Salt, warehouse_salt
from tests.support.oracle import mask_value
from tests.support.warehouse import BIN, REPO, Warehouse, project_copy

DATASETS = (
    "calendar",
    "category_engagement",
    "customer_churn_features",
    "customer_rfm",
    "customers",
    "geography",
    "labelling_quality",
    "labelling_threshold_sweep",
    "order_items",
    "order_value_histogram",
    "orders",
    "products",
    "revenue_bridge_monthly",
    "revenue_by_country",
    "revenue_vs_target_current",
    "revenue_vs_target_monthly",
    "review_terms",
    "sales_daily",
    "web_funnel_flows",
    "web_sessions",
)
#: a secret mask salt, random per run, so that finding its bytes anywhere is no coincidence
SECRET = f"salt-{secrets.token_hex(16)}"


def view_rows(database: Path, principal: str, dataset: str) -> Counter[tuple[Any, ...]]:
    """What the warehouse's secure view shows the principal (the reference for an extract)."""
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute("set variable lakesight_principal = ?", [principal])
        return Counter(con.execute(f"select * from secure.{dataset}").fetchall())


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "lakesight"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (no traceback)."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("lakesight: ")
    return line


# --- case 3: `query --as` is confined to the principal's extract ---------------------------------


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of on-demand extracts shared by the query tests of this module."""
    return tmp_path_factory.mktemp("query-extracts")


ESCAPES = {
    "the marts": "select * from marts.fct_orders",
    "the policy": "select * from security.sec_users",
    "the policy, rules": "select * from security.sec_rls__orders",
    "writing a file": "copy secure.customers to '{tmp}/x.csv'",
    "copy of a query": "copy (select * from secure.orders) to '{tmp}/x.parquet' (format parquet)",
    "export database": "export database '{tmp}/dump'",
    "reading a file": "select * from read_csv('/etc/passwd')",
    "reading text": "select * from read_text('/etc/hostname')",
    "listing files": "select * from glob('/*')",
    "another principal's extract": "attach '{alice}' as other",
    "the warehouse": "attach '{warehouse}' as w (read_only)",
    "install": "install avro",
    "load": "load avro",
    "set a setting": "set enable_external_access = true",
    "pragma a setting": "pragma threads = 1",
    "unlock": "set lock_configuration = false",
    "reset": "reset enable_external_access",
    "a table in the extract": "create table secure.mine as select 1 as x",
    "secrets": "select * from duckdb_secrets()",
}


@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_query_as_refuses_each_escape_with_one_sentence(
    built: Warehouse, cache: Path, tmp_path: Path, escape: str
) -> None:
    alice = query_as(built.database, "alice@example.com", "select 1", cache).extract
    sql = ESCAPES[escape].format(tmp=tmp_path, alice=cache / alice.file, warehouse=built.database)
    with pytest.raises(ExtractError) as refused:
        query_as(built.database, "bob@example.com", sql, cache)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("The SQL failed on bob@example.com's extract (")
    tables = ", ".join(f"secure.{name}" for name in DATASETS)
    assert f"a confined query reads only {tables} — no marts" in message
    assert list(tmp_path.iterdir()) == []  # nothing was written


def test_query_as_escapes_through_the_command_line_are_one_sentence(
    built: Warehouse, cache: Path, tmp_path: Path
) -> None:
    env = built.env()
    for sql in ("select * from marts.fct_orders", f"copy secure.customers to '{tmp_path}/x.csv'"):
        line = one_sentence(
            cli(env, "query", "--as", "bob@example.com", sql, "--extracts", str(cache))
        )
        assert "The SQL failed on bob@example.com's extract" in line
    assert not (tmp_path / "x.csv").exists()


def test_query_prints_cells_and_column_names_as_data(built: Warehouse, cache: Path) -> None:
    """Rich read `[de]` and `[b]…[/b]` as markup (gone), `[/x]` as a closing tag (a crash) and
    `:smile:` as an emoji, passed ESC to the terminal and dropped a carriage return."""
    values = ("[de]", "[b]bold[/b]", "[/x]", ":smile:", "\\[x]", "\x1b[31mred", "a\rb")
    sql = "select " + ", ".join(
        f"'{value}' as \"{value}\"" if "\x1b" not in value and "\r" not in value else f"'{value}'"
        for value in values
    )
    env = built.env() | {"COLUMNS": "400"}
    result = cli(env, "query", "--as", "bob@example.com", sql, "--extracts", str(cache))
    assert result.returncode == 0, result.stderr
    lines = [line.strip("│┃ ") for line in result.stdout.splitlines() if line[:1] in "│┃"]
    header, row = (
        [cell.strip() for cell in line.split(sep)] for line, sep in zip(lines, "┃│", strict=True)
    )
    assert header[:5] == list(values[:5])
    assert row == [*values[:5], "\\x1b[31mred", "a\\x0db"]
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    settings = cli(
        env,
        "query",
        "--as",
        "bob@example.com",
        "select * from duckdb_settings()",
        "--extracts",
        str(cache),
    )
    assert settings.returncode == 0, settings.stderr
    assert "lock_configuration" in settings.stdout


@pytest.mark.parametrize(
    ("sql", "where", "near"),
    [
        ("selec 1", "line 1, column 1", '"selec"'),
        ("select 1; selec * from orders", "line 1, column 11", '"selec"'),
        ("select *\nfrom orders\nwhere (", "line 3, column 7", '"("'),
        ("select 'é€', 'ü' selec 1", "line 1, column 24", '"1"'),
        ("select 'abc", "line 1, column 8", None),
    ],
)
def test_a_syntax_error_says_so_and_where(
    built: Warehouse, cache: Path, sql: str, where: str, near: str | None
) -> None:
    with pytest.raises(ExtractError) as failed:
        query_as(built.database, "bob@example.com", sql, cache)
    message = str(failed.value)
    assert message.startswith(f"The SQL has a syntax error at {where} (")
    assert near is None or f"syntax error at or near {near}" in message
    assert "confined" not in message and "\n" not in message


def test_the_position_of_a_syntax_error_in_a_long_line() -> None:
    """DuckDB shortens a long line with `...`: the column is still the one in the SQL."""
    sql = "select " + ", ".join(f"c{i}" for i in range(60)) + " fro t where x = 1 and "
    sql += ", ".join(f"d{i}" for i in range(60))
    with duckdb.connect() as con, pytest.raises(duckdb.ParserException) as failed:
        con.execute(sql)
    assert "LINE 1: ..." in str(failed.value)
    assert position(sql, str(failed.value)) == (1, sql.index(" t where") + 2)


def test_a_missing_table_or_column_is_not_called_a_refusal(built: Warehouse, cache: Path) -> None:
    tables = ", ".join(f"secure.{name}" for name in DATASETS)
    with pytest.raises(ExtractError) as missing:
        query_as(built.database, "bob@example.com", "select * from secure.order", cache)
    assert str(missing.value) == (
        "bob@example.com's extract has no table order at line 1, column 15; it holds only"
        f" {tables}."
    )
    with pytest.raises(ExtractError) as column:
        query_as(built.database, "bob@example.com", "select nosuch from orders", cache)
    assert str(column.value) == (
        "The SQL failed on bob@example.com's extract at line 1, column 8 (Binder Error:"
        ' Referenced column "nosuch" not found in FROM clause).'
    )
    line = one_sentence(
        cli(built.env(), "query", "--as", "bob@example.com", "selec 1", "--extracts", str(cache))
    )
    assert line == (
        "lakesight: The SQL has a syntax error at line 1, column 1"
        ' (syntax error at or near "selec"), so nothing ran: correct it.'
    )


def test_set_variable_cannot_switch_principal(built: Warehouse, cache: Path) -> None:
    bob = query_as(built.database, "bob@example.com", "select * from secure.orders", cache)
    alice = view_rows(built.database, "alice@example.com", "orders")
    assert alice and Counter(bob.rows) != alice  # the two principals see different orders
    for variable in ("alice@example.com", "*", "", "heidi@example.com"):
        switched = query_as(
            built.database,
            "bob@example.com",
            f"set variable lakesight_principal = '{variable}'; select * from secure.orders",
            cache,
        )
        assert (
            Counter(switched.rows)
            == Counter(bob.rows)
            == view_rows(built.database, "bob@example.com", "orders")
        )


def test_query_as_sees_exactly_the_view_as_that_principal(built: Warehouse, cache: Path) -> None:
    for principal in ("alice@example.com", "carol@example.com", "ivan@example.com"):
        for dataset in DATASETS:
            result = query_as(built.database, principal, f"select * from secure.{dataset}", cache)
            assert Counter(result.rows) == view_rows(built.database, principal, dataset), dataset
    # unqualified names read the same tables (search path secure, main)
    short = query_as(built.database, "bob@example.com", "select count(*) from orders", cache)
    assert short.rows == [(sum(view_rows(built.database, "bob@example.com", "orders").values()),)]


def test_the_extract_holds_plain_tables_and_nothing_sensitive(
    built: Warehouse, cache: Path
) -> None:
    def ask(sql: str) -> list[tuple[Any, ...]]:
        return query_as(built.database, "bob@example.com", sql, cache).rows

    assert sorted(
        ask("select table_schema, table_name, table_type from information_schema.tables")
    ) == [("secure", name, "BASE TABLE") for name in DATASETS]
    assert ask("select count(*) from duckdb_views() where not internal") == [(0,)]
    assert ask("select count(*) from duckdb_functions() where not internal") == [(0,)]
    settings = dict(ask("select name, value from duckdb_settings()"))
    assert settings["enable_external_access"] == "false"
    assert settings["lock_configuration"] == "true"
    assert settings["temp_directory"] == ""
    assert settings["allowed_directories"] in ("[]", "")
    leaks = [
        name
        for name, value in settings.items()
        if value and (str(built.database) in value or "lakesight-dev-salt" in value)
    ]
    assert leaks == []
    databases = {name for (name,) in ask("select database_name from duckdb_databases()")}
    assert databases == {extract_file("bob@example.com").removesuffix(".duckdb"), "system", "temp"}


def test_the_extracts_temp_folder_cannot_be_written(built: Warehouse, cache: Path) -> None:
    """DuckDB allows `<database>.tmp/` by default; the confined connection has no temp folder."""
    bob = query_as(built.database, "bob@example.com", "select 1", cache).extract
    spill = cache / f"{bob.file}.tmp"
    spill.mkdir()
    try:
        with pytest.raises(ExtractError, match="Permission Error"):
            query_as(
                built.database, "bob@example.com", f"copy (select 1) to '{spill}/a.csv'", cache
            )
        assert list(spill.iterdir()) == []
    finally:
        shutil.rmtree(spill)


@pytest.mark.parametrize(
    "principal",
    [
        "dave@example.com",  # inactive
        "nobody@example.com",
        "",
        "   ",
        "../x",
        "../../etc/passwd",
        "fran\u212a@example.com",  # Kelvin sign: not frank
        "bob@example.com' or '1'='1",
        "*",
    ],
)
def test_an_unknown_or_inactive_principal_is_an_error_and_gets_no_file(
    built: Warehouse, tmp_path: Path, principal: str
) -> None:
    folder = tmp_path / "extracts"
    with pytest.raises(ExtractError, match="is not an active user of the warehouse's policy"):
        query_as(built.database, principal, "select * from secure.orders", folder)
    assert not list(tmp_path.rglob("*.duckdb"))  # no extract, not even in a generation folder
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("suffix", "named"),
    [
        ("\t", "U+0009 (TAB)"),
        ("\u00a0", "U+00A0 (NO-BREAK SPACE)"),
        ("\u200b", "U+200B (ZERO WIDTH SPACE)"),
        ("\u3000", "U+3000 (IDEOGRAPHIC SPACE)"),
        ("\u2028", "U+2028 (LINE SEPARATOR)"),
        ("\ufeff", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("\x1b", "U+001B (ESC)"),
        ("\u00ad", "U+00AD (SOFT HYPHEN)"),
    ],
)
def test_a_principal_with_an_invisible_character_is_told_which(
    built: Warehouse, tmp_path: Path, suffix: str, named: str
) -> None:
    """bob is active; `bob@example.com<TAB>` is not, and the message names the character (it
    printed 'bob@example.com', stripped of it)."""
    with pytest.raises(ExtractError) as refused:
        query_as(built.database, f"bob@example.com{suffix}", "select 1", tmp_path)
    assert f"): it contains {named} at position 16, so it has no extract" in str(refused.value)
    assert not list(tmp_path.glob("*.duckdb"))


def test_the_command_line_names_the_character_that_makes_a_principal_unknown(
    built: Warehouse, tmp_path: Path
) -> None:
    for principal, shown in (
        (" bob@example.com\t", "'bob@example.com\\t'"),
        ("  fran\u212a@example.com", "'fran\u212a@example.com'"),
    ):
        line = one_sentence(
            cli(built.env(), "query", "--as", principal, "select 1", "--extracts", str(tmp_path))
        )
        at = (
            "U+0009 (TAB) at position 17"
            if "\t" in principal
            else "U+212A (KELVIN SIGN) at position 7"
        )
        assert line == (
            f"lakesight: {shown} is not an active user of the warehouse's policy"
            f" (policy.policy_principals): it contains {at}, so it has no extract"
            " and sees nothing."
        )


def test_the_command_line_says_an_inactive_principal_sees_nothing(
    built: Warehouse, tmp_path: Path
) -> None:
    line = one_sentence(
        cli(
            built.env(),
            "query",
            "--as",
            "dave@example.com",
            "select 1",
            "--extracts",
            str(tmp_path),
        )
    )
    assert line == (
        "lakesight: 'dave@example.com' is not an active user of the warehouse's policy"
        " (policy.policy_principals), so it has no extract and sees nothing."
    )


def test_case_and_spaces_name_the_same_principal(built: Warehouse, cache: Path) -> None:
    plain = query_as(built.database, "heidi@example.com", "select * from secure.orders", cache)
    for spelling in (" Heidi@Example.com ", "HEIDI@EXAMPLE.COM"):
        other = query_as(built.database, spelling, "select * from secure.orders", cache)
        assert other.extract.file == plain.extract.file
        assert other.rows == plain.rows
        assert other.rebuilt is None  # the same extract, still fresh


def test_an_altered_extract_is_detected_and_rebuilt(built: Warehouse, tmp_path: Path) -> None:
    folder = tmp_path / "extracts"
    first = query_as(built.database, "carol@example.com", "select * from secure.customers", folder)
    assert first.rebuilt == "no extract yet"
    path = folder / first.extract.file
    with path.open("r+b") as handle:  # truncate the file
        handle.truncate(path.stat().st_size // 2)
    again = query_as(built.database, "carol@example.com", "select * from secure.customers", folder)
    assert again.rebuilt == "its file did not match the manifest's sha256"
    assert Counter(again.rows) == Counter(first.rows)
    assert query_as(built.database, "carol@example.com", "select 1", folder).rebuilt is None


def test_a_manifest_pointing_at_another_extract_is_not_followed(
    built: Warehouse, tmp_path: Path
) -> None:
    folder = tmp_path / "extracts"
    alice = query_as(built.database, "alice@example.com", "select 1", folder).extract
    bob = query_as(built.database, "bob@example.com", "select 1", folder).extract
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["extracts"]:
        if entry["principal"] == "bob@example.com":
            entry |= {"file": alice.file, "bytes": alice.bytes, "sha256": alice.sha256}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    again = query_as(built.database, "bob@example.com", "select * from secure.orders", folder)
    assert again.rebuilt == "its manifest entry named another file"
    assert again.extract.file == bob.file
    assert Counter(again.rows) == view_rows(built.database, "bob@example.com", "orders")


# --- case 4: publish is collision-free, atomic, and removes what is no longer active ------------


@dataclass
class Salted(Warehouse):
    """A warehouse whose dbt runs use a secret mask salt."""

    salt: str = SECRET

    def env(self) -> dict[str, str]:
        return super().env() | {"LAKESIGHT_MASK_SALT": self.salt}


@dataclass
class Policies:
    before: Salted  # pat+a and pat_a active, secret salt
    after: Salted  # pat_a deactivated
    root: Path  # everything the builds wrote: project copy, target/, logs/, both warehouses


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory, built: Warehouse) -> Policies:
    """Two principals whose old file names collided, built with a secret salt; then one of them
    deactivated (the policy seeds edited in a copy of the project, rebuilt by dbt), and the dbt
    docs generated (`dbt docs generate --static`, as `make docs` does)."""
    root = tmp_path_factory.mktemp("policies")
    shutil.copy2(built.database, root / "warehouse.duckdb")
    warehouse = Salted(root, built.lake)
    project = project_copy(root)
    seeds = project / "seeds" / "security"
    with (seeds / "sec_users.csv").open("a") as users:
        users.write("pat+a@example.com,true\npat_a@example.com,true\n")
    with (seeds / "sec_rls__orders.csv").open("a") as rules:
        rules.write('pat+a@example.com,,DE,\npat_a@example.com,,"US,CA",\n')
    # the secure layer and the salt it reads (built from the environment's salt by its model)
    selection = ("--select", "path:seeds/security+", "policy_mask_salt")
    warehouse.dbt("build", *selection, project=project)
    before = root / "before"
    before.mkdir()
    shutil.copy2(warehouse.database, before / "warehouse.duckdb")
    users = (seeds / "sec_users.csv").read_text()
    (seeds / "sec_users.csv").write_text(
        users.replace("pat_a@example.com,true", "pat_a@example.com,false")
    )
    warehouse.dbt("build", *selection, project=project)
    # the static docs of the secure layer (compiled views and their tests), as `make docs` has
    warehouse.dbt(
        "docs",
        "generate",
        "--static",
        "--select",
        "path:models/secure",
        "path:models/policy",
        project=project,
    )
    return Policies(Salted(before, built.lake), warehouse, root)


def check_folder(folder: Path, database: Path) -> dict[str, Any]:
    """The folder holds exactly the manifest's extracts, each equal to the views as its owner."""
    manifest = json.loads((folder / "manifest.json").read_text())
    files = {entry["file"] for entry in manifest["extracts"]}
    assert {path.name for path in folder.iterdir() if path.name.endswith(".duckdb")} == files
    assert not [
        path for path in folder.iterdir() if ".tmp" in path.name or path.name.endswith(".wal")
    ]
    assert verify(folder) == []
    for entry in manifest["extracts"]:
        path = folder / entry["file"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == file_sha256(path)
        with duckdb.connect(str(path), read_only=True) as con:
            for dataset, stats in entry["datasets"].items():
                rows = Counter(con.execute(f"select * from secure.{dataset}").fetchall())
                assert rows == view_rows(database, entry["principal"], dataset), dataset
                assert stats["rows"] == sum(rows.values())
                assert stats["sha256"] == extracts_module.table_sha256(con, f"secure.{dataset}")[1]
    return manifest


def test_principals_whose_old_names_collided_get_their_own_extracts(
    policies: Policies, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    extracts = {e.principal: e for e in publish(policies.before.database, folder)}
    plus, underscore = extracts["pat+a@example.com"], extracts["pat_a@example.com"]
    assert plus.file != underscore.file
    assert plus.rows["orders"] and underscore.rows["orders"]
    assert view_rows(policies.before.database, "pat+a@example.com", "orders") != view_rows(
        policies.before.database, "pat_a@example.com", "orders"
    )
    manifest = check_folder(folder, policies.before.database)
    assert {entry["principal"] for entry in manifest["extracts"]} == set(extracts)
    assert {entry["mask_salt"] for entry in manifest["extracts"]} == {"secret"}


def test_the_printed_table_matches_the_manifest(policies: Policies, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    # wide enough that rich wraps no cell: the rows cell lists every secure dataset
    env = policies.before.env() | {"COLUMNS": "2000"}
    result = cli(env, "publish", "--exports", str(folder))
    assert result.returncode == 0, result.stderr
    printed = {}
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if len(cells) == 5 and "@" in cells[0]:
            printed[cells[0]] = cells
    manifest = read_manifest(folder)
    assert set(printed) == set(manifest)
    for principal, (_, file, size, digest, rows) in printed.items():
        entry = manifest[principal]
        assert (file, size.replace(",", ""), digest) == (
            entry.file,
            str(entry.bytes),
            entry.sha256[:12],
        )
        assert rows == ", ".join(f"{name} {count:,}" for name, count in entry.rows.items())


def test_publish_removes_deactivated_principals_and_unlisted_extracts(
    policies: Policies, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()  # a folder the previous version wrote: its names only, taken over once
    (folder / "pat_a_example.com.duckdb").write_bytes(b"an extract named by the old scheme")
    (folder / ".bob.duckdb.123.abcd.tmp").write_bytes(b"left by a killed publish")
    (folder / ".lock").write_bytes(b"")
    publish(policies.before.database, folder)
    old = folder / extract_file("pat_a@example.com")
    assert old.exists()
    assert not (folder / "pat_a_example.com.duckdb").exists()
    assert not (folder / ".bob.duckdb.123.abcd.tmp").exists()
    publish(policies.after.database, folder)
    assert not old.exists()
    manifest = check_folder(folder, policies.after.database)
    principals = {entry["principal"] for entry in manifest["extracts"]}
    assert "pat+a@example.com" in principals and "pat_a@example.com" not in principals


def test_publish_refuses_a_folder_holding_what_it_did_not_write(
    policies: Policies, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    publish(policies.before.database, folder)
    (folder / "README.txt").write_text("not ours")
    (folder / "native").mkdir()
    (folder / "native" / "x.duckdb").write_text("not ours either")
    with pytest.raises(OutputError, match=r"holds README\.txt, native/x\.duckdb, which"):
        publish(policies.after.database, folder)
    assert (folder / "README.txt").exists() and (folder / "native" / "x.duckdb").exists()
    check_folder(folder, policies.before.database)


def test_a_stale_extract_is_rebuilt_after_the_policy_changed(
    policies: Policies, tmp_path: Path
) -> None:
    shutil.copy2(policies.before.database, tmp_path / "warehouse.duckdb")
    database, folder = tmp_path / "warehouse.duckdb", tmp_path / "extracts"
    seen = query_as(database, "pat_a@example.com", "select * from secure.orders", folder)
    assert seen.rows and seen.rebuilt == "no extract yet"
    assert query_as(database, "pat_a@example.com", "select 1", folder).rebuilt is None
    shutil.copy2(policies.after.database, database)  # the same file, now with pat_a inactive
    with pytest.raises(ExtractError, match="is not an active user"):
        query_as(database, "pat_a@example.com", "select * from secure.orders", folder)
    assert not (folder / seen.extract.file).exists()
    assert "pat_a@example.com" not in read_manifest(folder)
    other = query_as(database, "pat+a@example.com", "select 1", folder)
    assert other.rebuilt == "no extract yet"


def test_an_interrupted_publish_keeps_the_previous_extracts(
    built: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "exports"
    publish(built.database, folder, dev=True)
    before = (folder / "manifest.json").read_text()
    calls = 0
    real = extracts_module.table_sha256

    def failing(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, str]:
        nonlocal calls
        calls += 1
        if calls == 13:
            raise RuntimeError("killed")
        return real(con, relation)

    monkeypatch.setattr(extracts_module, "table_sha256", failing)
    with pytest.raises(RuntimeError, match="killed"):
        publish(built.database, folder, dev=True)
    assert (folder / "manifest.json").read_text() == before
    check_folder(folder, built.database)


def test_concurrent_publishes_leave_one_consistent_folder(built: Warehouse, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    command = [str(BIN / "lakesight"), "publish", "--dev", "--exports", str(folder)]
    runs = [
        subprocess.Popen(
            command, cwd=REPO, env=built.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for run in runs:
        _, err = run.communicate()
        assert run.returncode == 0, err.decode()
    check_folder(folder, built.database)


def test_verify_names_a_missing_or_edited_extract(built: Warehouse, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    first = {
        extract.principal: extract.datasets for extract in publish(built.database, folder, dev=True)
    }
    grace, ivan = (
        folder / extract_file("grace@example.com"),
        folder / extract_file("ivan@example.com"),
    )
    with grace.open("r+b") as handle:
        handle.seek(grace.stat().st_size // 2)
        handle.write(b"\x00edited\x00")
    ivan.unlink()
    assert sorted(verify(folder)) == [
        f"{grace.name} (grace@example.com) does not match its sha256",
        f"{ivan.name} (ivan@example.com) is missing",
    ]
    line = one_sentence(cli(built.env(), "publish", "--check", "--exports", str(folder)))
    assert f"{grace.name} (grace@example.com) does not match its sha256" in line
    again = {
        extract.principal: extract.datasets for extract in publish(built.database, folder, dev=True)
    }
    assert again == first  # the content hashes are reproducible (the file bytes are not)
    ok = cli(built.env(), "publish", "--check", "--exports", str(folder))
    assert ok.returncode == 0 and "matches its sha256" in ok.stdout, ok.stderr


def test_file_names_are_a_function_of_the_normalised_principal() -> None:
    names = {
        principal: extract_file(principal)
        for principal in (
            "pat+a@example.com",
            "pat_a@example.com",
            "pat.a@example.com",
            "pat-a@example.com",
            "../x",
            "x",
            "/etc/passwd",
            "frank@example.com",
            "fran\u212a@example.com",
        )
    }
    assert len(set(names.values())) == len(names)
    for name in names.values():
        assert "/" not in name and not name.startswith(".") and name.endswith(".duckdb")
        assert Path(name).name == name
    assert extract_file(" Pat+A@Example.COM ") == names["pat+a@example.com"]
    with pytest.raises(
        ExtractError, match="Principals 'pat@x' and 'PAT@x' map to one extract file"
    ):
        check_names(["pat@x", "PAT@x"])


# --- case 5: the development salt ------------------------------------------------------------


def test_the_development_salt_is_reversed_by_a_dictionary_of_first_names(
    built: Warehouse, cache: Path
) -> None:
    """Why publish refuses it: bob's hashed first names, reversed with a list of first names."""
    dictionary = {
        hashlib.sha256(("lakesight-dev-salt" + name).encode()).hexdigest(): name
        for first_names, _ in reference.NAME_POOLS.values()
        for name in first_names
    }
    hashed = query_as(
        built.database, "bob@example.com", "select customer_id, first_name from customers", cache
    ).rows
    clear = dict(built.query("select customer_id, first_name from marts.dim_customers"))
    assert hashed and all(value != clear[key] for key, value in hashed)  # masked for bob
    assert {key: dictionary.get(value) for key, value in hashed} == {
        key: clear[key] for key, _ in hashed
    }


def test_publish_refuses_a_warehouse_built_with_the_development_salt(
    built: Warehouse, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    unset = {name: value for name, value in built.env().items() if name != "LAKESIGHT_MASK_SALT"}
    for env in (unset, unset | {"LAKESIGHT_MASK_SALT": SECRET}):
        line = one_sentence(cli(env, "publish", "--exports", str(folder)))
        assert "was built with the development mask salt `lakesight-dev-salt`" in line
        assert "pass --dev" in line
        assert not list(folder.glob("*.duckdb")) and not (folder / "manifest.json").exists()
    with pytest.raises(ExtractError, match="development mask salt"):
        publish(built.database, folder)
    allowed = cli(built.env(), "publish", "--dev", "--exports", str(folder))
    assert allowed.returncode == 0, allowed.stderr
    assert "development mask salt: do not hand them out" in allowed.stderr
    manifest = check_folder(folder, built.database)
    assert {entry["mask_salt"] for entry in manifest["extracts"]} == {"development"}


def test_a_secret_salt_is_read_from_the_warehouse_not_the_environment(policies: Policies) -> None:
    with duckdb.connect(str(policies.before.database), read_only=True) as con:
        assert warehouse_salt(con) is Salt.SECRET
        assert con.execute("select salt from policy.policy_mask_salt").fetchall() == [(SECRET,)]
        sql = con.execute(
            "select sql from duckdb_views()"
            " where schema_name = 'secure' and view_name = 'customers'"
        ).fetchone()[0]
        # the view reads the salt when queried: its text names the table, not the value
        assert SECRET not in sql and "policy_mask_salt" in sql


def files_holding(folder: Path, secret: bytes, skip: set[Path]) -> list[str]:
    """Every file under `folder` (but `skip`) whose bytes hold `secret`."""
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and path not in skip and secret in path.read_bytes()
    )


def test_the_secret_salt_is_in_no_artifact_but_the_warehouse(
    policies: Policies, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/security.md, "The mask salt": compiled and run SQL, the manifest, run results, the
    partial-parse state, dbt's debug log, the static dbt docs, the extracts and their manifest,
    and the GX secure suites hold no byte of the salt; the hashes are still salted with it."""
    exports = policies.root / "exports"
    publish(policies.before.database, exports)
    assert (policies.root / "target" / "static_index.html").exists()
    assert (policies.root / "logs" / "dbt.log").exists()
    assert list(exports.glob("*.duckdb")) and (exports / "manifest.json").exists()
    warehouses = {policies.before.database, policies.after.database}
    warehouses |= {Path(f"{path}.wal") for path in warehouses}
    assert files_holding(policies.root, SECRET.encode(), warehouses) == []
    # the GX secure suites (their queries are what the Data Docs and checkpoint results show)
    monkeypatch.setenv("LAKESIGHT_MASK_SALT", SECRET)
    with duckdb.connect(str(policies.before.database), read_only=True) as con:
        policy = ResolvedPolicy.read(con)
        columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'secure' order by table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append(column)
    suites = secure_suites(columns, policy)
    queries = [e.unexpected_rows_query for suite in suites for e in suite.expectations]
    assert any("policy_mask_salt" in query for query in queries)
    assert not [query for query in queries if SECRET in query]
    # the hash is still sha256(salt || value), as the oracle computes it, in view and extract
    bob = "bob@example.com"
    clear = dict(policies.before.query("select customer_id, first_name from marts.dim_customers"))
    with duckdb.connect(str(policies.before.database), read_only=True) as con:
        con.execute("set variable lakesight_principal = ?", [bob])
        shown = dict(con.execute("select customer_id, first_name from secure.customers").fetchall())
    assert shown and all(shown[key] != clear[key] for key in shown)  # masked for bob
    assert shown == {key: mask_value("hash", clear[key], SECRET) for key in shown}
    with duckdb.connect(str(exports / extract_file(bob)), read_only=True) as con:
        extracted = con.execute("select customer_id, first_name from secure.customers").fetchall()
    assert dict(extracted) == shown


SALTED = "select sha256((select salt from policy.policy_mask_salt) || name) as h from t"


@pytest.mark.parametrize(
    ("view", "table", "salt"),
    [
        (SALTED, ["s3cret"], Salt.SECRET),
        (SALTED, ["it's {x}"], Salt.SECRET),
        (SALTED, ["lakesight-dev-salt"], Salt.DEVELOPMENT),
        (SALTED.replace("|| name", "|| name || 'x'"), ["s3cret"], Salt.SECRET),
        (SALTED, None, Salt.UNKNOWN),  # no salt table
        (SALTED, [], Salt.UNKNOWN),
        (SALTED, ["a", "b"], Salt.UNKNOWN),
        (SALTED, [""], Salt.UNKNOWN),
        (SALTED, [None], Salt.UNKNOWN),
        # a warehouse built before the salt table, its salt a literal in the view text
        ("select sha256('lakesight-dev-salt' || name) as h from t", ["s3cret"], Salt.DEVELOPMENT),
        ("select sha256('s3cret' || name) as h from t", ["s3cret"], Salt.UNKNOWN),
        ("select sha256(name) as h from t", ["s3cret"], Salt.UNKNOWN),
        (
            "select sha256(name || (select salt from policy.policy_mask_salt)) from t",
            ["k"],
            Salt.UNKNOWN,
        ),
        (SALTED.replace("policy_mask_salt", "policy_mask_salt where false"), ["k"], Salt.UNKNOWN),
        (SALTED.replace("select salt", "select 'k'"), ["k"], Salt.UNKNOWN),
        (
            SALTED.replace("salt from policy.policy_mask_salt", "name from main.t"),
            ["k"],
            Salt.UNKNOWN,
        ),
        (
            "select sha256(salt.value || name) as h from t, (select 'k' as value) as salt",
            ["k"],
            Salt.UNKNOWN,
        ),
        (SALTED + " union all select sha256(name) from t", ["k"], Salt.UNKNOWN),
        ("select name from t", ["k"], Salt.NONE),
    ],
)
def test_the_salt_is_read_from_the_views_and_the_salt_table_and_fails_closed(
    view: str, table: list[str | None] | None, salt: Salt
) -> None:
    with duckdb.connect() as con:
        con.execute("create table t as select 'ann' as name")
        con.execute("create schema policy")
        con.execute("create table policy.policy_mask_salt (salt varchar)")
        for value in table or []:
            con.execute("insert into policy.policy_mask_salt values (?)", [value])
        con.execute("create schema secure")
        con.execute(f"create view secure.v as {view}")
        if table is None:
            con.execute("drop table policy.policy_mask_salt")
        assert warehouse_salt(con) is salt
