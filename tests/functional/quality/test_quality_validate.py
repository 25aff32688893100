"""`lakesight validate`: a clean build passes, a mart broken on purpose fails naming the rule."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from lakesight.quality.suites import all_suites
from lakesight.quality.suites.secure import principals
from lakesight.security.resolved import ResolvedPolicy
from tests.support.warehouse import BIN, REPO, Warehouse


def validate(database: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run `lakesight validate` in its own process (as `make build` does), wide output."""
    return subprocess.run(
        [str(BIN / "lakesight"), "validate", "--database", str(database), *options],
        cwd=REPO,
        env=os.environ | {"COLUMNS": "250"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_expectation_has_a_severity() -> None:
    for suite in all_suites():
        for expectation in suite.expectations:
            assert (expectation.meta or {}).get("severity") in {"critical", "warning"}, suite.name


def test_a_clean_build_passes_and_reports_dbt_and_gx_together(
    built: Warehouse, tmp_path: Path
) -> None:
    report = tmp_path / "site" / "quality.html"
    run_results = built.target / "run_results.json"
    result = validate(built.database, "--run-results", str(run_results), "--report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no critical failure" in result.stdout
    assert "{batch}" not in result.stdout  # GX prints that for a query without it
    assert "marts.fct_orders" in result.stdout
    assert "quality dbt:" in result.stdout
    secure = len(principals(ResolvedPolicy.load(built.database)))  # one suite per principal
    assert f"quality gx: {len(all_suites()) + secure} suites" in result.stdout
    assert "secure as alice@example.com" in result.stdout
    page = report.read_text()
    assert "fct_orders" in page and "marts.fct_payments" in page
    assert "http://" not in page and "https://" not in page  # offline: nothing to fetch


def test_partition_checks_name_an_impossible_or_future_partition_without_failing() -> None:
    """A raw row from `dt=2025-13-45` or `dt=2099-01-01` (loaded before the loads refused them,
    docs/lake.md) is reported by name; no check casts the partition in a way that fails."""
    keys = [
        "shop/orders/dt=2025-03-01/part-0000.csv",
        "shop/orders/dt=2025-13-45/part-0000.csv",
        "shop/orders/dt=2099-01-01/part-0000.csv",
    ]
    with duckdb.connect() as con:
        con.execute("create table orders as select unnest(?) as _source_file", [keys])
        found: dict[str, list[tuple[object, ...]]] = {}
        for suite in all_suites():
            if suite.table != "raw_shop__orders":
                continue
            for expectation in suite.expectations:
                query = getattr(expectation, "unexpected_rows_query", None)
                if query and "dt=" in query and "raw." not in query:
                    found[expectation.description] = con.execute(
                        query.replace("{batch}", "orders")
                    ).fetchall()
    refused = found["raw_shop__orders: every row comes from a partition dt=<a past day>"]
    assert sorted(refused) == [(keys[1],), (keys[2],)]
    assert "raw_shop__orders: every daily partition landed records" in found


def test_a_missing_warehouse_is_one_clear_sentence(tmp_path: Path) -> None:
    result = validate(tmp_path / "nowhere.duckdb")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("run `dbt build` first.")


#: each breaks one rule on rows of its own, so one broken warehouse (and one `validate`, the GX
#: checkpoint being most of this module's time) holds every case: (id, statement, the expectation
#: the failure names)
MART_CORRUPTIONS = [
    (
        "negative-revenue",
        "update marts.fct_orders set gross_revenue_usd = -gross_revenue_usd - 1"
        " where order_id = (select min(order_id) from marts.fct_orders)",
        "expect_column_values_to_be_between(gross_revenue_usd)",
    ),
    (
        "unreconciled-revenue",
        "update marts.fct_orders set gross_revenue_usd = gross_revenue_usd + 5"
        " where order_id = (select max(order_id) from marts.fct_orders)",
        # 2 orders: the negative one above, and this one's 5 USD
        "fct_orders.gross_revenue_usd equals the sum of its fct_order_items.line_amount_usd"
        " — observed 2",
    ),
    (
        "delivered-before-shipped",
        "update marts.fct_shipments set delivered_at = shipped_at - interval 1 day"
        " where shipment_id = (select min(shipment_id) from marts.fct_shipments)",
        "every shipment is delivered after it was shipped",
    ),
    (
        "line-without-key",
        'update raw.raw_crm__customers set line = \'{"first_name": "Ann"}\''
        " where _line_number = 1 and _source_file = (select min(_source_file)"
        " from raw.raw_crm__customers)",
        "raw_crm__customers: every line that parses as JSON has customer_id",
    ),
]
#: (id, statements replacing a secure view, the expectation the failure names), each on a view of
#: its own
BROKEN_VIEWS = [
    (
        "rows-leak",
        "create or replace view secure.orders as select * from marts.fct_orders",
        "alice@example.com sees exactly the orders rows its rules allow",
    ),
    (
        "rows-missing",
        "create or replace view secure.sales_daily as"
        " select * from marts.rpt_sales_daily where channel <> 'web'",
        "heidi@example.com sees exactly the sales_daily rows its rules allow",
    ),
    (
        "clear-pii",
        "create or replace view secure.customers as select * from marts.dim_customers"
        " where getvariable('lakesight_principal') = 'erin@example.com'",
        "erin@example.com sees customers.email masked (email_domain), never in clear",
    ),
    (
        "unsalted-hash",
        "alter view secure.web_sessions rename to web_sessions_compiled;"
        " create view secure.web_sessions as select shown.* replace (sha256(mart.visitor_id)"
        " as visitor_id) from secure.web_sessions_compiled as shown"
        " join marts.fct_web_sessions as mart using (session_id)",
        "bob@example.com sees web_sessions.visitor_id masked (hash), never in clear",
    ),
]


@pytest.fixture(scope="module")
def broken(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> str:
    """`lakesight validate`'s output on a copy of the built warehouse with every corruption and
    broken view above; it must fail."""
    database = tmp_path_factory.mktemp("broken") / "broken.duckdb"
    shutil.copy2(built.database, database)
    with duckdb.connect(str(database)) as con:
        for case, corruption, _ in MART_CORRUPTIONS:
            assert con.execute(corruption).fetchone() == (1,), case
        for _, view, _ in BROKEN_VIEWS:
            con.execute(view)
    result = validate(database)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "critical expectation(s) failed" in result.stdout
    return result.stdout


@pytest.mark.parametrize(
    "expectation",
    [expectation for _, _, expectation in MART_CORRUPTIONS],
    ids=[case for case, _, _ in MART_CORRUPTIONS],
)
def test_a_corrupted_mart_fails_naming_the_expectation(broken: str, expectation: str) -> None:
    assert expectation in broken, broken[-4000:]


@pytest.mark.parametrize(
    "expectation",
    [expectation for _, _, expectation in BROKEN_VIEWS],
    ids=[case for case, _, _ in BROKEN_VIEWS],
)
def test_a_broken_secure_view_fails_naming_principal_and_rule(
    broken: str, expectation: str
) -> None:
    assert expectation in broken, broken[-4000:]
