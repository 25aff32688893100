"""Row- and column-level security: the secure views against an independent Python oracle.

The oracle (`tests.support.oracle`) reads the policy CSV files and the mart rows and decides in
plain Python what each principal sees; every secure view must equal it exactly, both ways.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.oracle import Policy
from tests.support.warehouse import REPO, Warehouse, project_copy

POLICY = REPO / "seeds" / "security"

#: secure view -> the mart it secures
DATASETS = {
    "orders": "fct_orders",
    "order_items": "fct_order_items",
    "customers": "dim_customers",
    "products": "dim_products",
    "sales_daily": "rpt_sales_daily",
    "order_value_histogram": "rpt_order_value_histogram",
    "revenue_bridge_monthly": "rpt_revenue_bridge_monthly",
    "revenue_by_country": "rpt_revenue_by_country",
    "customer_rfm": "rpt_customer_rfm",
    "revenue_vs_target_current": "rpt_revenue_vs_target_current",
    "customer_churn_features": "ml_customer_churn_features",
    "labelling_quality": "ml_labelling_quality",
    "labelling_threshold_sweep": "ml_labelling_threshold_sweep",
    "web_funnel_flows": "rpt_web_funnel_flows",
    "review_terms": "rpt_review_terms",
    "category_engagement": "rpt_category_engagement",
    "calendar": "dim_date",
    "geography": "dim_geography",
    "web_sessions": "fct_web_sessions",
    "revenue_vs_target_monthly": "rpt_revenue_vs_target_monthly",
}
PRINCIPALS = [
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dave@example.com",
    "erin@example.com",
    "frank@example.com",
    "grace@example.com",
    "heidi@example.com",
    "ivan@example.com",
]
#: principals that must see nothing at all: unset, empty, unknown, inactive, near-misses
NOBODY: list[Any] = [
    None,
    "",
    " ",
    "*",
    "nobody@example.com",
    "dave@example.com",
    "alice",
    "alice@example.com.",
    "alice@example.com' or '1'='1",
    "emea_sales",
    "analysts",
    42,
]


def rows_as(con: duckdb.DuckDBPyConnection, principal: Any, sql: str) -> list[tuple[Any, ...]]:
    con.execute("set variable lakesight_principal = ?", [principal])
    return con.execute(sql).fetchall()


def mart_rows(con: duckdb.DuckDBPyConnection, mart: str) -> list[dict[str, Any]]:
    cursor = con.execute(f"select * from marts.{mart}")
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def oracle_rows(
    con: duckdb.DuckDBPyConnection, policy: Policy, dataset: str, principal: Any
) -> list[tuple[Any, ...]]:
    rows = mart_rows(con, DATASETS[dataset])
    attributes = None
    if dataset == "order_items":
        orders = {
            order_id: {"country_code": country, "channel": channel}
            for order_id, country, channel in con.execute(
                "select order_id, country_code, channel from marts.fct_orders"
            ).fetchall()
        }
        attributes = [
            orders.get(row["order_id"], {"country_code": None, "channel": None}) for row in rows
        ]
    return policy.visible(dataset, principal, rows, attributes)


@pytest.fixture(scope="module")
def con(built: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built.database), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_secure_view_equals_the_oracle(
    con: duckdb.DuckDBPyConnection, principal: str, dataset: str
) -> None:
    policy = Policy.load(POLICY)
    expected = Counter(oracle_rows(con, policy, dataset, principal))
    actual = Counter(rows_as(con, principal, f"select * from secure.{dataset}"))
    assert actual - expected == Counter(), f"{principal} sees rows the policy does not allow"
    assert expected - actual == Counter(), f"{principal} misses rows the policy allows"


def test_the_audit_matrix_equals_the_oracle(con: duckdb.DuckDBPyConnection) -> None:
    """audit.audit_security_matrix: visible rows, clear and masked columns, as the oracle says."""
    policy = Policy.load(POLICY)
    matrix = {
        (principal, dataset): (visible, total, clear, masked)
        for principal, dataset, visible, total, clear, masked in con.execute(
            "select principal, dataset, rows_visible, rows_total, columns_clear, columns_masked"
            " from audit.audit_security_matrix"
        ).fetchall()
    }
    principals = [*PRINCIPALS, "(unknown principal)"]
    assert set(matrix) == {(p, d) for p in principals for d in DATASETS}
    for (principal, dataset), (visible, total, clear, masked) in matrix.items():
        expected_clear = policy.clear_columns(dataset, principal) if visible else set()
        expected_masked = set(policy.masks.get(dataset, {})) - expected_clear if visible else set()
        assert visible == len(oracle_rows(con, policy, dataset, principal)), (principal, dataset)
        assert total == len(mart_rows(con, DATASETS[dataset]))
        assert set(filter(None, clear.split(","))) == expected_clear, (principal, dataset)
        assert set(filter(None, masked.split(","))) == expected_masked, (principal, dataset)


def test_the_example_policy_is_not_trivial(con: duckdb.DuckDBPyConnection) -> None:
    """Every active principal with rules sees some but (except the analyst) not all orders."""
    total = con.execute("select count(*) from marts.fct_orders").fetchone()[0]
    counts = {p: len(rows_as(con, p, "select * from secure.orders")) for p in PRINCIPALS}
    assert counts["erin@example.com"] == total
    for principal in (
        "alice@example.com",
        "bob@example.com",
        "frank@example.com",
        "heidi@example.com",
    ):
        assert 0 < counts[principal] < total, counts


@pytest.mark.parametrize(
    "principal", [" Alice@Example.COM ", "ALICE@EXAMPLE.COM", "  heidi@example.com"]
)
def test_case_and_space_variants_are_the_same_principal(
    con: duckdb.DuckDBPyConnection, principal: str
) -> None:
    """Principals are trimmed and lower-cased, exactly as the seeds' identifiers are."""
    canonical = principal.strip().lower()
    for dataset in DATASETS:
        sql = f"select * from secure.{dataset}"
        assert Counter(rows_as(con, principal, sql)) == Counter(rows_as(con, canonical, sql))


@pytest.mark.parametrize("principal", NOBODY, ids=repr)
def test_unknown_null_and_inactive_principals_see_nothing(
    con: duckdb.DuckDBPyConnection, principal: Any
) -> None:
    for dataset in DATASETS:
        assert rows_as(con, principal, f"select * from secure.{dataset}") == [], dataset


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_principal_sees_the_base_columns_and_types(
    con: duckdb.DuckDBPyConnection, dataset: str
) -> None:
    base = con.execute(f"describe marts.{DATASETS[dataset]}").fetchall()
    expected = [(name, kind) for name, kind, *_ in base]
    for principal in [*PRINCIPALS, None]:
        con.execute("set variable lakesight_principal = ?", [principal])
        described = con.execute(f"describe secure.{dataset}").fetchall()
        assert [(name, kind) for name, kind, *_ in described] == expected


def test_secure_models_are_views_and_nothing_else(con: duckdb.DuckDBPyConnection) -> None:
    objects = con.execute(
        "select table_name, table_type from information_schema.tables where table_schema = 'secure'"
    ).fetchall()
    assert sorted(objects) == sorted((name, "VIEW") for name in DATASETS)


def test_masks_keep_null_and_pii_is_clear_only_for_the_granted_group(
    con: duckdb.DuckDBPyConnection,
) -> None:
    sql = "select email, phone, street from secure.customers"
    carol = rows_as(con, "carol@example.com", sql)
    erin = rows_as(con, "erin@example.com", sql)
    assert any("@" in row[0] and not row[0].startswith("****") for row in carol)
    assert erin and all(row[0] is None or row[0].startswith("****@") for row in erin)
    assert all(row[2] is None or row[2] == "****" for row in erin)


# --- malformed policies: each fails the build with a message naming seed, row and column ---------


def build_policy(
    built: Warehouse, tmp_path: Path, edits: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Reload the policy seeds with `edits` (file -> CSV text) and rebuild the secure views."""
    project = project_copy(tmp_path)
    for name, text in edits.items():
        (project / "seeds" / "security" / name).write_text(text)
    return built.database_copy(tmp_path).dbt(
        "build",
        "--full-refresh",
        "--resource-type",
        "seed",
        "--resource-type",
        "model",
        "-s",
        "path:seeds/security",
        "path:models/policy",
        "path:models/secure",
        expect_success=False,
        project=project,
    )


def seed_text(name: str) -> str:
    return (POLICY / name).read_text()


ORDERS_HEADER = "UserName,GroupName,country_code,channel\n"

#: one malformed policy holding every malformed case the policy check finds (one dbt build)
MALFORMED_POLICY = {
    "sec_rls__orders.csv": (
        ORDERS_HEADER + "erin@example.com,analysts,*,*\n"
        ",,DE,\n"
        "mallory@example.com,,DE,\n"
        ",auditors,*,*\n"
        ',analysts,"DE,,FR",\n'
        ',analysts,*,"web, app"\n'
    ),
    "sec_users.csv": seed_text("sec_users.csv") + " ALICE@example.com,false\n",
}
#: the malformed cases found per dataset against its mart, once the policy itself is sound
MALFORMED_VIEW_POLICY = {
    "sec_rls__orders.csv": "UserName,GroupName,country_code,channel,colour\n"
    + "".join(line + ",\n" for line in seed_text("sec_rls__orders.csv").splitlines()[1:]),
    "sec_rls__sales_daily.csv": "UserName,GroupName,region_name,channel\n",
    "sec_cls_columns.csv": seed_text("sec_cls_columns.csv").replace(
        "email,email_domain", "email,year"
    ),
}
#: case -> (seed file, row and column; problem) as the build must report it
MALFORMED = {
    "both UserName and GroupName": (
        "sec_rls__orders.csv row 1, column UserName",
        "rule fills both UserName and GroupName",
    ),
    "neither UserName nor GroupName": (
        "sec_rls__orders.csv row 2, column UserName",
        "rule fills neither UserName nor GroupName",
    ),
    "unknown user": (
        "sec_rls__orders.csv row 3, column UserName",
        "unknown user mallory@example.com",
    ),
    "unknown group": ("sec_rls__orders.csv row 4, column GroupName", "unknown group auditors"),
    "empty list element": (
        "sec_rls__orders.csv row 5, column country_code",
        "list has an empty or space-padded element: DE,,FR",
    ),
    "space-padded list element": (
        "sec_rls__orders.csv row 6, column channel",
        "list has an empty or space-padded element: web, app",
    ),
    "colliding user names": (
        "sec_users.csv row 10, column user_name",
        "user name  ALICE@example.com / alice@example.com collides",
    ),
}
MALFORMED_VIEW = {
    "rule column missing from the dataset": (
        "sec_rls__orders.csv header, column colour",
        "rule column is not a column of dataset orders",
    ),
    "rules dataset without rules": (
        "sec_rls__sales_daily.csv (whole file), column UserName",
        "dataset has rls_mode rules but no rule for an active user or a known group",
    ),
    "mask on the wrong type": (
        "sec_cls_columns.csv row 1, column mask",
        "mask year does not fit column email",
    ),
}


@pytest.fixture(scope="module")
def malformed_build(
    built: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> subprocess.CompletedProcess[str]:
    return build_policy(built, tmp_path_factory.mktemp("malformed"), MALFORMED_POLICY)


@pytest.fixture(scope="module")
def malformed_view_build(
    built: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> subprocess.CompletedProcess[str]:
    return build_policy(built, tmp_path_factory.mktemp("malformed_view"), MALFORMED_VIEW_POLICY)


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_policy_fails_the_build_naming_seed_row_and_column(
    malformed_build: subprocess.CompletedProcess[str], case: str
) -> None:
    where, problem = MALFORMED[case]
    output = malformed_build.stdout + malformed_build.stderr
    assert malformed_build.returncode != 0, output[-3000:]
    assert f"seeds/security/{where}: {problem}" in output, output[-6000:]


@pytest.mark.parametrize("case", MALFORMED_VIEW)
def test_a_policy_that_does_not_fit_its_mart_fails_naming_seed_row_and_column(
    malformed_view_build: subprocess.CompletedProcess[str], case: str
) -> None:
    where, problem = MALFORMED_VIEW[case]
    output = malformed_view_build.stdout + malformed_view_build.stderr
    assert malformed_view_build.returncode != 0, output[-3000:]
    assert f"seeds/security/{where}: {problem}" in output, output[-6000:]


def test_hostile_cell_text_cannot_change_the_sql(built: Warehouse, tmp_path: Path) -> None:
    """Quotes, quoted commas and SQL text in cells are only values: they match nothing."""
    hostile = (
        ORDERS_HEADER
        + ",analysts,\"DE' or '1'='1\",*\n"
        + ',emea_sales,"x""y",web\n'
        + 'bob@example.com,,"US\');drop table marts.fct_orders;--",*\n'
    )
    result = build_policy(built, tmp_path, {"sec_rls__orders.csv": hostile})
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_orders").fetchone()[0] > 0
        for principal in ("erin@example.com", "alice@example.com", "bob@example.com"):
            assert rows_as(con, principal, "select * from secure.orders") == []


def test_duplicate_rules_only_warn(built: Warehouse, tmp_path: Path) -> None:
    rules = seed_text("sec_rls__orders.csv")
    result = build_policy(
        built, tmp_path, {"sec_rls__orders.csv": rules + rules.splitlines()[1] + "\n"}
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "duplicate rules" in result.stdout


def test_never_matching_values_only_warn(built: Warehouse, tmp_path: Path) -> None:
    """A list value that no row holds (a typo such as `DEU`) warns, naming file, row and column."""
    rules = seed_text("sec_rls__order_items.csv") + 'bob@example.com,,"US,DEU",Web\n'
    result = build_policy(built, tmp_path, {"sec_rls__order_items.csv": rules})
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    row = len(rules.splitlines()) - 1
    assert (
        f"seeds/security/sec_rls__order_items.csv row {row}, column country_code: value(s) DEU"
        " occur in no row of the data" in result.stdout
    ), result.stdout[-3000:]
    assert f"row {row}, column channel: value(s) Web occur" in result.stdout
    assert "column country_code: value(s) US" not in result.stdout


def test_policy_edits_take_effect_on_the_next_build(built: Warehouse, tmp_path: Path) -> None:
    """Revoking the analysts' PII-free wildcard and removing a membership change what is seen."""
    members = seed_text("sec_group_members.csv").replace("analysts,erin@example.com\n", "")
    grants = seed_text("sec_cls_grants.csv") + "customers,email,user,erin@example.com\n"
    result = build_policy(
        built, tmp_path, {"sec_group_members.csv": members, "sec_cls_grants.csv": grants}
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert rows_as(con, "erin@example.com", "select * from secure.orders") == []
        assert rows_as(con, "erin@example.com", "select * from secure.customers") == []
        assert len(rows_as(con, "erin@example.com", "select * from secure.products")) > 0


# --- dbt's own tests on the secure layer --------------------------------------------------------


def stored_failures(warehouse: Warehouse, test: str) -> list[tuple[Any, ...]]:
    """(principal, problem) rows a secure-layer test stored with `dbt test --store-failures`."""
    (schema,) = warehouse.query(
        f"select table_schema from information_schema.tables where table_name = '{test}'"
    )
    return warehouse.query(f'select principal, problem from "{schema[0]}"."{test}"')


def test_dbt_tests_on_the_secure_layer_fail_on_a_leak(built: Warehouse, tmp_path: Path) -> None:
    """`dbt test` names the principals that see rows outside their rules or clear PII."""
    warehouse = built.database_copy(tmp_path)
    passing = warehouse.dbt("test", "-s", "secure")
    assert "secure_orders__no_row_outside_rules" in passing.stdout
    with duckdb.connect(str(warehouse.database)) as con:
        con.execute("create or replace view secure.orders as select * from marts.fct_orders")
        con.execute("create or replace view secure.customers as select * from marts.dim_customers")
    failing = warehouse.dbt("test", "-s", "secure", "--store-failures", expect_success=False)
    output = failing.stdout
    assert failing.returncode != 0, output[-3000:]
    failed = {
        result["unique_id"].split(".")[2]
        for result in warehouse.run_results()
        if result["status"] == "fail"
    }
    assert failed == {
        "secure_orders__no_row_outside_rules",
        "secure_customers__no_row_outside_rules",
        "secure_customers__masked_unless_granted",
    }, output[-3000:]
    leaks = stored_failures(warehouse, "secure_orders__no_row_outside_rules")
    assert {principal for principal, _ in leaks} >= {
        "nobody@example.com",
        "",
        None,
        "dave@example.com",
    }
    assert all(problem == "rows outside its rules" for _, problem in leaks)
    pii = stored_failures(warehouse, "secure_customers__masked_unless_granted")
    assert ("alice@example.com", "email is not mask email_domain") in pii
    assert not any(principal == "carol@example.com" for principal, _ in pii)  # customer_care: clear


def test_a_misconfigured_secure_test_fails_instead_of_checking_nothing(
    built: Warehouse, tmp_path: Path
) -> None:
    """A restricted join key is an error, never a pass."""
    project = project_copy(tmp_path)
    models = project / "models" / "secure" / "_secure__models.yml"
    text = models.read_text()
    assert "key: customer_id}" in text
    models.write_text(text.replace("key: customer_id}", "key: email}"))
    warehouse = built.database_copy(tmp_path)
    result = warehouse.dbt("test", "-s", "secure", expect_success=False, project=project)
    assert result.returncode != 0
    errors = {
        result["unique_id"].split(".")[2]: result["message"]
        for result in warehouse.run_results()
        if result["status"] == "error"
    }
    assert set(errors) == {"secure_customers__masked_unless_granted"}, result.stdout[-3000:]
    assert "key column email is restricted" in errors["secure_customers__masked_unless_granted"]
