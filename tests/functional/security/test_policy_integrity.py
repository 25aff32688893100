"""The resolved policy: referential integrity of the policy seeds, and one policy for everyone.

Bad policies are built (seeds, resolved policy, secure views) on a copy of the shared warehouse and
must fail the build naming seed file, row and column; the example policy, built, must be what the
views, the audit, the native exports and the GX suites all read.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import dbt.include.duckdb as dbt_duckdb
import duckdb
import pytest

from lakesight.quality.suites.secure import allowed_filter
from lakesight.security.exports_aws import export_policies
from lakesight.security.resolved import PolicyNotBuilt, ResolvedPolicy, normalise
from tests.support import oracle
from tests.support.seed_csv import BOOLEAN_SPELLINGS, SeedValueError, parse_boolean, read_seed
from tests.support.warehouse import REPO, Warehouse, project_copy

POLICY = REPO / "seeds" / "security"
KELVIN = "\u212a"  # KELVIN SIGN: Unicode lower-cases it to k, the policy must not


def seed_text(name: str) -> str:
    return (POLICY / name).read_text()


def build_policy(
    built: Warehouse, root: Path, edits: dict[str, str | None]
) -> subprocess.CompletedProcess[str]:
    """Edit the policy seeds (file -> CSV text, None deletes the file) in a copy of the project
    and build seeds, resolved policy and secure views on a copy of the warehouse."""
    project = project_copy(root)
    for name, text in edits.items():
        path = project / "seeds" / "security" / name
        if text is None:
            path.unlink()
        else:
            path.write_text(text)
    return built.database_copy(root).dbt(
        "build",
        "--full-refresh",
        "-s",
        "path:seeds/security",
        "path:models/policy",
        "path:models/secure",
        expect_success=False,
        project=project,
    )


def assert_refused(result: subprocess.CompletedProcess[str], *lines: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    for line in lines:
        assert line in output, (line, output[-6000:])


def rows_as(con: duckdb.DuckDBPyConnection, principal: Any, sql: str) -> list[tuple[Any, ...]]:
    con.execute("set variable lakesight_principal = ?", [principal])
    try:
        return con.execute(sql).fetchall()
    finally:
        con.execute("reset variable lakesight_principal")


# --- case 1: a typo in a dataset name ------------------------------------------------------------


def test_case_1_a_typoed_dataset_fails_the_build_naming_file_row_and_column(
    built: Warehouse, tmp_path: Path
) -> None:
    """`customer` for `customers` in the email rows of both CLS seeds: the build fails (it used to
    pass, with bob reading every email in clear)."""
    columns = seed_text("sec_cls_columns.csv").replace("customers,email,", "customer,email,")
    grants = seed_text("sec_cls_grants.csv").replace("customers,email,", "customer,email,")
    result = build_policy(
        built, tmp_path, {"sec_cls_columns.csv": columns, "sec_cls_grants.csv": grants}
    )
    assert_refused(
        result,
        "seeds/security/sec_cls_columns.csv row 1, column dataset: unknown dataset customer"
        " (not in sec_datasets)",
        "seeds/security/sec_cls_grants.csv row 1, column dataset: unknown dataset customer",
    )
    # nothing downstream of the refused policy was rebuilt, and the views of the last build
    # show nobody anything while the policy is refused; the exports refuse too
    statuses = {r["unique_id"].split(".")[-1]: r["status"] for r in _results(tmp_path)}
    assert statuses["policy_datasets"] == "error"
    assert statuses["customers"] == "skipped"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        for principal in ("bob@example.com", "carol@example.com"):
            assert rows_as(con, principal, "select email from secure.customers") == []
    with pytest.raises(PolicyNotBuilt, match=r"sec_cls_columns\.csv row 1, column dataset"):
        export_policies(tmp_path / "warehouse.duckdb", tmp_path / "native")


def _results(root: Path) -> list[dict[str, Any]]:
    return json.loads((root / "target" / "run_results.json").read_text())["results"]


# --- case 2: rls_mode is what the views and the exports do ---------------------------------------


def test_case_2_rls_mode_that_contradicts_the_rules_seeds_fails_the_build(
    built: Warehouse, tmp_path: Path
) -> None:
    """`products,rules` without sec_rls__products.csv used to show every row to ivan;
    `customers,public` kept filtering in the views while Lake Formation granted all rows."""
    datasets = (
        seed_text("sec_datasets.csv")
        .replace("products,public", "products,rules")
        .replace("customers,rules", "customers,public")
    )
    assert_refused(
        build_policy(built, tmp_path, {"sec_datasets.csv": datasets}),
        "seeds/security/sec_datasets.csv row 3, column rls_mode: dataset customers has rls_mode"
        " public but rules in seeds/security/sec_rls__customers.csv",
        "seeds/security/sec_datasets.csv row 4, column rls_mode: dataset products has rls_mode"
        " rules but no seeds/security/sec_rls__products.csv",
    )


def test_case_2_views_audit_and_exports_follow_rls_mode(built: Warehouse, tmp_path: Path) -> None:
    """ivan has no rule and no group: every row of a public dataset, none of a rules one — in the
    views, in the audit matrix, in the Lake Formation grants and in the QuickSight RLS files."""
    out = tmp_path / "native"
    export_policies(built.database, out)
    lake_formation = json.loads((out / "lakeformation" / "data_cells_filters.json").read_text())
    filters = {item["Name"]: item for item in lake_formation["DataCellsFilters"]}
    ivan = "arn:aws:iam::111122223333:user/ivan@example.com"
    granted = {
        filters[g["Resource"]["DataCellsFilter"]["Name"]]["TableName"]: filters[
            g["Resource"]["DataCellsFilter"]["Name"]
        ]["RowFilter"]
        for g in lake_formation["Grants"]
        if g["Principal"]["DataLakePrincipalIdentifier"] == ivan
    }
    policy = ResolvedPolicy.load(built.database)
    with duckdb.connect(str(built.database), read_only=True) as con:
        modes = dict(con.execute("select dataset, rls_mode from policy.policy_datasets").fetchall())
        assert set(modes) == {
            "orders",
            "order_items",
            "customers",
            "products",
            "sales_daily",
            "order_value_histogram",
            "revenue_bridge_monthly",
            "revenue_by_country",
            "customer_rfm",
            "revenue_vs_target_current",
            "customer_churn_features",
            "labelling_quality",
            "labelling_threshold_sweep",
            "web_funnel_flows",
            "review_terms",
            "category_engagement",
            "calendar",
            "geography",
            "web_sessions",
            "revenue_vs_target_monthly",
        }
        audit = {
            dataset: (visible, total)
            for dataset, visible, total in con.execute(
                "select dataset, rows_visible, rows_total from audit.audit_security_matrix"
                " where principal = 'ivan@example.com'"
            ).fetchall()
        }
        for dataset, mode in modes.items():
            seen = len(rows_as(con, "ivan@example.com", f"select * from secure.{dataset}"))
            total = audit[dataset][1]
            rls_file = out / "quicksight" / "rls" / f"{dataset}.csv"
            if mode == "public":
                assert seen == total > 0 and audit[dataset][0] == total, dataset
                assert not rls_file.exists()
                assert allowed_filter(policy, dataset, "ivan@example.com") == "true"
            else:
                assert seen == 0 and audit[dataset][0] == 0, dataset
                assert rls_file.exists()
                assert allowed_filter(policy, dataset, "ivan@example.com") == "false"
    assert granted == {
        mart: {"AllRowsWildcard": {}}
        for mart in (
            "dim_products",
            "rpt_web_funnel_flows",
            "rpt_review_terms",
            "rpt_category_engagement",
            "ml_labelling_quality",
            "ml_labelling_threshold_sweep",
            "dim_date",
            "dim_geography",
            "fct_web_sessions",
        )
    }


# --- case 6: the Kelvin sign is not a k ----------------------------------------------------------


def test_case_6_a_kelvin_sign_principal_is_not_frank(built: Warehouse) -> None:
    """Only A-Z are lower-cased: frank with a Kelvin sign sees nothing; FRANK@EXAMPLE.COM does."""
    assert normalise(f"FRAN{KELVIN}@Example.com") == f"fran{KELVIN}@example.com"
    with duckdb.connect(str(built.database), read_only=True) as con:
        # (frank, DE x web, has no rule on customers: a customer has no channel)
        for dataset in (
            "orders",
            "order_items",
            "revenue_bridge_monthly",
            "products",
            "sales_daily",
        ):
            sql = f"select * from secure.{dataset}"
            frank = Counter(rows_as(con, "frank@example.com", sql))
            assert frank, dataset
            assert Counter(rows_as(con, " FRANK@EXAMPLE.COM ", sql)) == frank, dataset
            assert rows_as(con, f"fran{KELVIN}@example.com", sql) == [], dataset
            assert rows_as(con, f"FRAN{KELVIN}@EXAMPLE.COM", sql) == [], dataset


def test_a_principal_padded_with_other_whitespace_is_nobody(built: Warehouse) -> None:
    """The views trim spaces only, as Python does: DuckDB's trim() also stripped a no-break space,
    so `bob@example.com` + U+00A0 read bob's rows in the views while query --as refused it."""
    sql = "select * from secure.orders"
    with duckdb.connect(str(built.database), read_only=True) as con:
        assert rows_as(con, " bob@example.com  ", sql) == rows_as(con, "bob@example.com", sql) != []
        for pad in ("\u00a0", "\u3000", "\u2000", "\u202f", "\u1680", "\t", "\u200b"):
            assert rows_as(con, f"bob@example.com{pad}", sql) == [], repr(pad)
            assert rows_as(con, f"{pad}bob@example.com", sql) == [], repr(pad)
            assert ResolvedPolicy.load(built.database).active_user(f"bob@example.com{pad}") is None


# --- the seed files, read as dbt seed reads them -------------------------------------------------

#: the statement dbt-duckdb's seed macro runs (its fast path), which seed_csv mirrors
DBT_DUCKDB_COPY = (
    "COPY {{ this.render() }} FROM '{{ seed_file_path }}' (FORMAT CSV, HEADER TRUE,"
    " DELIMITER '{{ delimiter }}')"
)
BOOLEAN_CELLS = [
    *BOOLEAN_SPELLINGS,
    *(word.upper() for word in BOOLEAN_SPELLINGS),
    "tRuE",
    "Yes",
    " true",
    "true ",
    "\ttrue",
    "on",
    "off",
    "2",
    "01",
    "-1",
    "1.0",
    "null",
    "NULL",
    "\uff54rue",  # fullwidth t
    "tru\u0435",  # Cyrillic e
    "true\u200b",
    "\u00a0no",
]


def copied(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[tuple[Any, ...]]:
    """The rows DuckDB loads from a seed file with dbt-duckdb's COPY (empty table first)."""
    con.execute(f"delete from {table}")
    con.execute(f"copy {table} from '{path}' (format csv, header true, delimiter ',')")
    return con.execute(f"select * from {table}").fetchall()


def test_the_seed_reading_is_dbt_duckdbs(tmp_path: Path) -> None:
    """seed_csv against DuckDB's own COPY, the statement dbt-duckdb's seed macro runs: the same
    booleans accepted (any other text fails the seed), a byte order mark skipped, empty as NULL."""
    macro = Path(dbt_duckdb.__file__).parent / "macros" / "seed.sql"
    assert DBT_DUCKDB_COPY in " ".join(macro.read_text().split())
    path = tmp_path / "sec_users.csv"
    with duckdb.connect() as con:
        con.execute("create table users (user_name varchar, is_active boolean)")
        for bom in ("", "\ufeff"):
            for cell in BOOLEAN_CELLS:
                path.write_text(f"{bom}user_name,is_active\nbob,{cell}\n", encoding="utf-8")
                rows = read_seed(path)
                try:
                    loaded = copied(con, path, "users")
                except duckdb.ConversionException:
                    with pytest.raises(SeedValueError):
                        parse_boolean(rows[0]["is_active"])
                    continue
                assert loaded == [(r["user_name"], parse_boolean(r["is_active"])) for r in rows]
        path.write_text('a,b,c\n"",x, y \n,"null",NULL\n"q""q","a,b",\u00a0z\n\n')
        con.execute("create table cells (a varchar, b varchar, c varchar)")
        assert copied(con, path, "cells") == [tuple(row.values()) for row in read_seed(path)]


def test_the_oracle_reads_the_seeds_as_the_build_does(built: Warehouse, tmp_path: Path) -> None:
    """A sec_users.csv with a byte order mark and is_active spelled yes/1/Y/no/0/F: dbt builds it,
    and the oracle reads the same users, active or not (it crashed on the mark, and read yes and 1
    as inactive)."""
    users = USERS.splitlines()
    spellings = ["yes", "1", "Y", "no", "0", "F", "TRUE", "t", "True"]
    rows = [
        f"{row.rsplit(',', 1)[0]},{spellings[number % len(spellings)]}"
        for number, row in enumerate(users[1:])
    ]
    text = "\ufeff" + "\n".join([users[0], *rows]) + "\n"
    result = build_policy(built, tmp_path, {"sec_users.csv": text})
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    resolved = ResolvedPolicy.load(tmp_path / "warehouse.duckdb").users
    seeds = tmp_path / "project" / "seeds" / "security"
    assert oracle.Policy.load(seeds).users == resolved
    assert sorted(resolved.values()) != [True] * len(resolved)  # some inactive, some active
    assert resolved["alice@example.com"] is True  # yes
    assert oracle.problems(seeds) == []


# --- bad policy edits, all in one build ----------------------------------------------------------

USERS = seed_text("sec_users.csv")
MEMBERS = seed_text("sec_group_members.csv")
ORDERS = seed_text("sec_rls__orders.csv")
GRANTS = seed_text("sec_cls_grants.csv")
DATASETS = seed_text("sec_datasets.csv")
#: data rows of the example sec_datasets.csv (the bad edits append after them)
DATASET_ROWS = len(DATASETS.strip().splitlines()) - 1

#: one policy holding many bad edits at once; rows are counted from 1 after the header
BAD_POLICY: dict[str, str | None] = {
    "sec_users.csv": USERS
    + f"{KELVIN}ate@example.com,true\n"  # row 10: the Kelvin sign
    + "\u0430lice@example.com,true\n"  # row 11: a Cyrillic a
    + "judy@example.com,\n"  # row 12: is_active empty
    + ",true\n",  # row 13: no name
    "sec_group_members.csv": MEMBERS
    + "web team,ivan@example.com\n"  # row 8: a space in a group name
    + "analysts,mallory@example.com\n",  # row 9: a member nobody listed
    "sec_rls__orders.csv": ORDERS
    + f"fran{KELVIN}@example.com,,US,\n"  # row 8: would be frank under Unicode lower()
    + ",emea_sale,*,*\n",  # row 9: typoed group
    "sec_cls_grants.csv": GRANTS
    + "customers,email,group,customer_cares\n"  # row 10: unknown group
    + "customers,phone,user,frank@exampel.com\n"  # row 11: unknown user
    + "customers,country_code,group,analysts\n"  # row 12: not a restricted column
    + "customers,street,users,frank@example.com\n"  # row 13: bad principal_type
    + "product,unit_cost_usd,user,frank@example.com\n",  # row 14: typoed dataset
    "sec_datasets.csv": DATASETS.replace("sales_daily,rules", "sales_daily,rule")  # row 5
    + "Orders ,rules\n"  # row DATASET_ROWS + 1: a duplicate after trim + lower-case
    + "returns,public\n",  # row DATASET_ROWS + 2: no secure model
    "sec_rls__order.csv": "UserName,GroupName,country_code\n,analysts,*\n",  # rules of no dataset
}

#: case -> what the build must print (seed file, row, column: problem)
BAD = {
    "kelvin sign in a user name": "seeds/security/sec_users.csv row 10, column user_name: user name"
    f" {KELVIN}ate@example.com has a character outside [a-z0-9._@+-]+",
    "cyrillic look-alike": "seeds/security/sec_users.csv row 11, column user_name: user name"
    " \u0430lice@example.com has a character outside",
    "empty is_active": "seeds/security/sec_users.csv row 12, column is_active: is_active is empty",
    "empty user name": "seeds/security/sec_users.csv row 13, column user_name: user name is empty",
    "space in a group name": "seeds/security/sec_group_members.csv row 8, column group_name: group"
    " name web team has a character outside",
    "member not in sec_users": "seeds/security/sec_group_members.csv row 9, column user_name:"
    " unknown user mallory@example.com",
    "kelvin sign in a rule": "seeds/security/sec_rls__orders.csv row 8, column UserName: unknown"
    f" user fran{KELVIN}@example.com",
    "typoed group in a rule": "seeds/security/sec_rls__orders.csv row 9, column GroupName: unknown"
    " group emea_sale",
    "grant to an unknown group": "seeds/security/sec_cls_grants.csv row 10, column principal:"
    " unknown group customer_cares",
    "grant to a typoed user": "seeds/security/sec_cls_grants.csv row 11, column principal: unknown"
    " user frank@exampel.com",
    "grant on an unrestricted column": "seeds/security/sec_cls_grants.csv row 12, column"
    " column_name: column country_code of dataset customers is not a restricted column",
    "bad principal_type": "seeds/security/sec_cls_grants.csv row 13, column principal_type:"
    " principal_type users is neither user nor group",
    "grant on a typoed dataset": "seeds/security/sec_cls_grants.csv row 14, column dataset:"
    " unknown dataset product",
    "unknown rls_mode": "seeds/security/sec_datasets.csv row 5, column rls_mode: unknown rls_mode"
    " rule",
    "duplicate dataset": f"seeds/security/sec_datasets.csv row {DATASET_ROWS + 1}, column dataset:"
    " dataset Orders  / orders collides with another row",
    "dataset without a secure model": f"seeds/security/sec_datasets.csv row {DATASET_ROWS + 2},"
    " column dataset: dataset returns has no secure model (models/secure/returns.sql)",
    "rules for an unknown dataset": "seeds/security/sec_rls__order.csv (whole file), column"
    " dataset: rules for dataset order, which is not in sec_datasets",
    "rules seed the policy does not read": "seeds/security/sec_rls__order.csv (whole file), column"
    " dataset: rules seed not read by the resolved policy",
}


@pytest.fixture(scope="module")
def bad_build(
    built: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> subprocess.CompletedProcess[str]:
    return build_policy(built, tmp_path_factory.mktemp("bad_policy"), BAD_POLICY)


@pytest.mark.parametrize("case", BAD)
def test_a_bad_policy_edit_fails_the_build_naming_file_row_and_column(
    bad_build: subprocess.CompletedProcess[str], case: str
) -> None:
    assert_refused(bad_build, BAD[case])


def test_a_restricted_column_typo_fails_naming_the_row(built: Warehouse, tmp_path: Path) -> None:
    """A mask on `emial` (a column the dataset lacks) fails where the mart is known."""
    columns = seed_text("sec_cls_columns.csv").replace("customers,email,", "customers,emial,")
    grants = seed_text("sec_cls_grants.csv").replace("customers,email,", "customers,emial,")
    assert_refused(
        build_policy(
            built, tmp_path, {"sec_cls_columns.csv": columns, "sec_cls_grants.csv": grants}
        ),
        "seeds/security/sec_cls_columns.csv row 1, column column_name: restricted column emial is"
        " not a column of dataset customers",
    )


def test_a_secure_model_missing_from_sec_datasets_fails(built: Warehouse, tmp_path: Path) -> None:
    """A secure view the policy does not list (here sales_daily, its row deleted) fails the build;
    its rules seed then names no dataset either."""
    datasets = seed_text("sec_datasets.csv").replace("sales_daily,rules\n", "")
    assert_refused(
        build_policy(built, tmp_path, {"sec_datasets.csv": datasets}),
        "models/secure/sales_daily.sql (whole file), column dataset: secure model sales_daily is"
        " not in sec_datasets",
        "seeds/security/sec_rls__sales_daily.csv (whole file), column dataset: rules for dataset"
        " sales_daily, which is not in sec_datasets",
    )


# --- one resolved policy for everyone ------------------------------------------------------------


def test_the_resolved_policy_is_the_seeds_as_documented(built: Warehouse) -> None:
    """Names trimmed and A-Z lower-cased; memberships of active users only; rules of active users
    and known groups; every problem list empty in a built warehouse."""
    policy = ResolvedPolicy.load(built.database)
    assert built.scalar("select count(*) from policy.policy_problems") == 0
    assert policy.users["heidi@example.com"] is True  # "  Heidi@Example.com " in the seed
    assert policy.users["dave@example.com"] is False
    assert "web_team" in policy.groups  # "Web_Team " in the seed
    assert "heidi@example.com" in policy.groups["web_team"]
    assert "dave@example.com" not in policy.groups["analysts"]  # inactive: no membership
    assert not any(rule.user == "dave@example.com" for rule in policy.rules("orders"))
    assert policy.modes["products"] == "public" and policy.rules("products") == []
    assert policy.rule_columns["sales_daily"] == ["country_code", "channel"]
    assert policy.masks["customers"]["email"] == "email_domain"
    assert policy.clear_columns("customers", "carol@example.com") == {
        "email",
        "phone",
        "date_of_birth",
        "street",
        "first_name",
    }
    assert policy.clear_columns("customers", "bob@example.com") == set()


def test_exports_refuse_a_warehouse_without_a_resolved_policy(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(PolicyNotBuilt, match="run `make build`"):
        export_policies(empty, tmp_path / "out")
