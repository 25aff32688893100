"""`lakesight profile` on the shared warehouse: a mart's key from the manifest, a principal's
extract only, restricted columns masked, one sentence for an unknown relation (the statistics
themselves: tests/unit/test_profile_stats.py)."""

from __future__ import annotations

import json
import subprocess

import duckdb
import pytest

from lakesight.consume.profiles.pages import render_profile
from lakesight.consume.profiles.run import profile_warehouse
from lakesight.dbt_artifacts import read_dbt_manifest
from tests.support.warehouse import BIN, REPO, Warehouse

# -- the command line, on the shared warehouse ------------------------------------------------


def run(built: Warehouse, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "lakesight"),
            "profile",
            *args,
            "--manifest",
            str(built.target / "manifest.json"),
        ],
        cwd=REPO,
        env=built.env(),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def warehouse(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """A copy of the shared warehouse (profiles --as build extracts next to it)."""
    copy = built.database_copy(tmp_path_factory.mktemp("profile"))
    copy.target.mkdir()
    (copy.target / "manifest.json").write_bytes((built.target / "manifest.json").read_bytes())
    return copy


def test_profile_a_mart_reads_its_key_from_the_manifest(warehouse: Warehouse, tmp_path) -> None:
    page = tmp_path / "fct_order_items.html"
    result = run(warehouse, "fct_order_items", "--html", str(page))
    assert result.returncode == 0, result.stderr
    rows = warehouse.scalar("select count(*) from marts.fct_order_items")
    assert f"marts.fct_order_items: {rows:,} rows" in result.stdout
    assert "primary key (order_id, line_number): 0 duplicated keys" in result.stdout
    assert "line_amount_usd" in page.read_text()


def test_profile_as_a_principal_reads_the_extract_only(warehouse: Warehouse) -> None:
    extracts = warehouse.root / "extracts"
    # bob sees the orders of US and CA only (seeds/security/sec_rls__orders.csv)
    result = run(warehouse, "orders", "--as", " Bob@example.com", "--extracts", str(extracts))
    assert result.returncode == 0, result.stderr
    output = " ".join(result.stdout.split())
    assert "from the extract of bob@example.com" in output
    manifest = json.loads((extracts / "manifest.json").read_text())
    (bob,) = [e for e in manifest["extracts"] if e["principal"] == "bob@example.com"]
    seen = bob["datasets"]["orders"]["rows"]
    assert seen == warehouse.scalar(
        "select count(*) from marts.fct_orders where country_code in ('US', 'CA')"
    )
    assert f"secure.orders: {seen:,} rows" in output
    assert seen < warehouse.scalar("select count(*) from marts.fct_orders")  # rows filtered
    refused = run(
        warehouse, "marts.fct_orders", "--as", "erin@example.com", "--extracts", str(extracts)
    )
    assert refused.returncode == 1
    assert "No relation 'marts.fct_orders' in the extract of erin@example.com" in refused.stderr
    inactive = run(warehouse, "orders", "--as", "dave@example.com", "--extracts", str(extracts))
    assert inactive.returncode == 1 and "not an active user" in inactive.stderr


def test_a_warehouse_profile_shows_no_restricted_column_in_clear(
    warehouse: Warehouse, tmp_path
) -> None:
    """Every mart carrying a column the policy restricts (for anyone) is profiled on its masked
    values, on the page and in the terminal: e-mails, phones, streets and first names of
    dim_customers and dim_customers_history never appear (docs/security.md)."""
    manifest = read_dbt_manifest(warehouse.target / "manifest.json")
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        clear = {
            value
            for (value,) in con.execute(
                "select email from marts.dim_customers union select phone from marts.dim_customers"
                " union select street from marts.dim_customers"
                " union select email from marts.dim_customers_history"
                " union select street from marts.dim_customers_history"
            ).fetchall()
            if value
        }
        names = {
            v for (v,) in con.execute("select first_name from marts.dim_customers").fetchall() if v
        }
    assert len(clear) > 20
    for relation, expected in (
        ("marts.dim_customers", {"email": "email_domain", "phone": "last4", "street": "redact"}),
        ("marts.dim_customers_history", {"email": "email_domain", "street": "redact"}),
        ("marts.dim_products", {"unit_cost_usd": "null"}),
    ):
        result = profile_warehouse(warehouse.database, relation, manifest)
        page = render_profile(result)
        assert not {value for value in clear if value in page}, relation
        for column in result.columns:
            shown = {value for value, _ in column.top} | {column.minimum, column.maximum}
            assert not shown & (clear | names), (relation, column.name)
            if column.name == "email":
                assert column.top and all(v.startswith("****@") for v, _ in column.top)
            if column.name == "date_of_birth":
                assert (column.minimum.month, column.minimum.day) == (1, 1)
                assert (column.maximum.month, column.maximum.day) == (1, 1)
            if column.name == "unit_cost_usd":
                assert column.maximum is None and not column.histogram
                assert "unit_cost_usd" not in result.numeric
        assert expected.items() <= result.masked.items(), relation
        assert 'id="masked"' in page
    terminal = run(warehouse, "dim_customers", "--html", str(tmp_path / "c.html"))
    assert terminal.returncode == 0, terminal.stderr
    assert "restricted by the policy, profiled masked:" in terminal.stdout
    assert not {value for value in clear if value in terminal.stdout}


def test_an_unknown_or_odd_relation_is_one_sentence(warehouse: Warehouse) -> None:
    result = run(warehouse, "fct_order_itemz")
    assert result.returncode == 1
    assert "No relation 'fct_order_itemz' in the warehouse" in result.stderr
    assert "marts.fct_order_items" in result.stderr  # the hint
    odd = run(warehouse, 'x"; drop table marts.fct_orders; --')
    assert odd.returncode == 1 and "No relation" in odd.stderr and "Traceback" not in odd.stderr
