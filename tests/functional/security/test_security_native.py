"""Native policy exports (QuickSight RLS/CLS, Lake Formation data-cells filters) against the oracle.

The exports are checked offline with botocore's service models; these tests prove that check is
really wired (malformed files are refused, naming the file), and that the exports mean what the
seeds mean: Lake Formation row filters evaluated in DuckDB over the built marts, and the QuickSight
permissions datasets read back through the oracle, give each principal the oracle's rows.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

import tests.functional.security.test_security as security
from lakesight.outputs import OWNERSHIP
from lakesight.security.datasets import TARGETS
from lakesight.security.exports_aws import (
    CLS_RULES,
    GROUP_MEMBERS,
    LF_FILTERS,
    RLS_FOLDER,
    NativeExportError,
    Settings,
    export_policies,
    validate_exports,
)
from lakesight.security.resolved import PolicyNotBuilt, ResolvedPolicy
from tests.support.oracle import Policy
from tests.support.warehouse import BIN, REPO, Warehouse, project_copy

POLICY = security.POLICY
SETTINGS = Settings()
#: every restricted column of the example policy, per dataset
PII = ["email", "phone", "date_of_birth", "street", "first_name"]


@pytest.fixture(scope="module")
def exported(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("native")
    export_policies(built.database, out, SETTINGS)
    return out


@pytest.fixture(scope="module")
def resolved(built: Warehouse) -> ResolvedPolicy:
    return ResolvedPolicy.load(built.database)


def policy_warehouse(
    built: Warehouse, root: Path, edits: dict[str, str], *, expect_success: bool = True
) -> Path:
    """A copy of the warehouse whose policy seeds (edited) and resolved policy are rebuilt."""
    project = project_copy(root)
    for name, text in edits.items():
        (project / "seeds" / "security" / name).write_text(text)
    warehouse = built.database_copy(root)
    warehouse.dbt(
        "build",
        "--full-refresh",
        "-s",
        "path:seeds/security",
        "path:models/policy",
        "--indirect-selection",
        "cautious",  # not the secure views' tests: the views are not rebuilt here
        expect_success=expect_success,
        project=project,
    )
    return warehouse.database


@pytest.fixture(scope="module")
def con(built: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built.database), read_only=True)
    yield connection
    connection.close()


def lake_formation(out: Path) -> dict[str, Any]:
    return json.loads((out / LF_FILTERS).read_text())


def granted_filter(document: dict[str, Any], principal: str, table: str) -> dict[str, Any] | None:
    """The data-cells filter granted to `principal` on `table` (at most one), or None."""
    arn = SETTINGS.iam_user(principal)
    names = [
        grant["Resource"]["DataCellsFilter"]["Name"]
        for grant in document["Grants"]
        if grant["Principal"]["DataLakePrincipalIdentifier"] == arn
        and grant["Resource"]["DataCellsFilter"]["TableName"] == table
    ]
    assert len(names) <= 1, names
    filters = {item["Name"]: item for item in document["DataCellsFilters"]}
    return filters[names[0]] if names else None


def seeds_copy(root: Path, edits: dict[str, str]) -> Path:
    folder = root / "seeds"
    shutil.copytree(POLICY, folder)
    for name, text in edits.items():
        (folder / name).write_text(text)
    return folder


# --- the example policy ---------------------------------------------------------------------------


def _rules_datasets() -> list[str]:
    with (REPO / "seeds" / "security" / "sec_datasets.csv").open() as handle:
        return [row["dataset"] for row in csv.DictReader(handle) if row["rls_mode"] == "rules"]


def test_every_file_is_written_and_checked(exported: Path, resolved: ResolvedPolicy) -> None:
    names = sorted(
        str(path.relative_to(exported)) for path in exported.rglob("*") if path.is_file()
    )
    assert names == sorted(
        [
            str(CLS_RULES),
            str(GROUP_MEMBERS),
            str(LF_FILTERS),
            OWNERSHIP,  # a generated folder: what export-policies wrote (lakesight/outputs.py)
            # one permissions dataset per `rules` dataset of the seed
            *(str(RLS_FOLDER / f"{dataset}.csv") for dataset in _rules_datasets()),
        ]
    )
    validate_exports(exported, resolved)  # raises on any problem


def test_rls_csv_has_the_quicksight_layout(exported: Path) -> None:
    text = (exported / RLS_FOLDER / "orders.csv").read_text()
    assert text.splitlines() == [
        "UserName,GroupName,country_code,channel",
        ',emea_sales,"DE,FR,GB,PL,ES",',
        ",web_team,,web",  # `*` is written as an empty cell: QuickSight's "all values"
        'bob@example.com,,"US,CA",',
        "frank@example.com,,DE,web",
        ",analysts,,",
        "grace@example.com,,,mobile_app",
        # dave@example.com is inactive: his rule is not exported
    ]
    members = (exported / GROUP_MEMBERS).read_text().splitlines()
    assert "web_team,heidi@example.com" in members  # `Web_Team ` /`  Heidi@Example.com ` normalised
    assert not any("dave@example.com" in line for line in members)


def test_cls_rules_name_the_granted_principals(exported: Path) -> None:
    document = json.loads((exported / CLS_RULES).read_text())
    arn = "arn:aws:quicksight:us-east-1:111122223333"
    assert document["DataSets"] == {
        "customers": {
            "ColumnLevelPermissionRules": [
                {"Principals": [f"{arn}:group/default/customer_care"], "ColumnNames": PII}
            ]
        },
        "products": {
            "ColumnLevelPermissionRules": [
                {
                    "Principals": [
                        f"{arn}:group/default/analysts",
                        f"{arn}:user/default/frank@example.com",
                    ],
                    "ColumnNames": ["unit_cost_usd"],
                }
            ]
        },
        "web_sessions": {
            "ColumnLevelPermissionRules": [
                {
                    "Principals": [
                        f"{arn}:group/default/analysts",
                        f"{arn}:group/default/web_team",
                    ],
                    "ColumnNames": ["visitor_id"],
                }
            ]
        },
    }


def test_targets_are_the_marts_of_the_secure_models() -> None:
    pattern = re.compile(r"secure_dataset\(\s*'(\w+)',\s*ref\('(\w+)'\)")
    lookup = re.compile(r"lookup=\{'relation': ref\('(\w+)'\)")
    found = {}
    for path in (REPO / "models" / "secure").glob("*.sql"):
        text = path.read_text()
        dataset, table = pattern.search(text).groups()  # type: ignore[union-attr]
        rules_from = lookup.search(text)
        found[dataset] = (table, rules_from.group(1) if rules_from else None)
    assert found == {name: (t.table, t.rules_from) for name, t in TARGETS.items()}


def test_the_audit_model_reads_the_same_views_and_marts() -> None:
    text = (REPO / "models" / "audit" / "audit_security_matrix.py").read_text()
    pairs = re.findall(r'"(\w+)": \(\s*dbt\.ref\("(\w+)"\),\s*dbt\.ref\("(\w+)"\),?\s*\)', text)
    found = {name: (view, mart) for name, view, mart in pairs}
    assert found == {name: (name, target.table) for name, target in TARGETS.items()}


# --- semantic equivalence with the oracle ---------------------------------------------------------

LF_DATASETS = [name for name, target in TARGETS.items() if target.rules_from is None]


def test_order_items_is_skipped_for_lake_formation_with_its_reason(exported: Path) -> None:
    document = lake_formation(exported)
    assert [item["Dataset"] for item in document["Skipped"]] == ["order_items"]
    assert "fct_orders" in document["Skipped"][0]["Reason"]
    assert all(item["TableName"] != "fct_order_items" for item in document["DataCellsFilters"])


@pytest.mark.parametrize("dataset", LF_DATASETS)
@pytest.mark.parametrize("principal", security.PRINCIPALS)
def test_lake_formation_filter_shows_the_oracle_rows_and_columns(
    exported: Path, con: duckdb.DuckDBPyConnection, principal: str, dataset: str
) -> None:
    """The granted filter, evaluated by DuckDB over the built mart, keeps the oracle's rows in clear
    and drops exactly the columns the oracle masks for this principal."""
    policy = Policy.load(POLICY)
    table = TARGETS[dataset].table
    clear = dataclasses.replace(policy, masks={})  # the oracle's rows, nothing masked
    expected_rows = clear.visible(dataset, principal, security.mart_rows(con, table))
    masked = set(policy.masks.get(dataset, {})) - policy.clear_columns(dataset, principal)
    found = granted_filter(lake_formation(exported), principal, table)
    if found is None:
        assert expected_rows == [], f"{principal} has no filter but the policy lets it see rows"
        return
    excluded = found["ColumnWildcard"].get("ExcludedColumnNames", [])
    assert set(excluded) == masked
    names = [row[0] for row in con.execute(f"describe marts.{table}").fetchall()]
    keep = [index for index, name in enumerate(names) if name not in excluded]
    expected = Counter(tuple(row[index] for index in keep) for row in expected_rows)
    select = ", ".join(f'"{names[index]}"' for index in keep)
    where = found["RowFilter"].get("FilterExpression")
    sql = f"select {select} from marts.{table}" + (f" where {where}" if where else "")
    actual = Counter(con.execute(sql).fetchall())
    assert actual - expected == Counter(), f"{principal} sees rows the policy does not allow"
    assert expected - actual == Counter(), f"{principal} misses rows the policy allows"


#: the columns each principal loses, by hand from the example seeds (not computed by the oracle)
EXCLUDED_BY_HAND = {
    ("customers", "carol@example.com"): [],
    ("customers", "alice@example.com"): PII,
    ("customers", "erin@example.com"): PII,
    ("products", "erin@example.com"): [],
    ("products", "frank@example.com"): [],
    ("products", "alice@example.com"): ["unit_cost_usd"],
    ("orders", "erin@example.com"): [],
}


@pytest.mark.parametrize(("dataset", "principal"), EXCLUDED_BY_HAND)
def test_excluded_columns_match_the_example_policy(
    exported: Path, dataset: str, principal: str
) -> None:
    found = granted_filter(lake_formation(exported), principal, TARGETS[dataset].table)
    assert found is not None
    excluded = found["ColumnWildcard"].get("ExcludedColumnNames", [])
    assert excluded == EXCLUDED_BY_HAND[dataset, principal]


def test_inactive_unknown_and_ruleless_principals_get_no_filter(exported: Path) -> None:
    document = lake_formation(exported)
    principals = {grant["Principal"]["DataLakePrincipalIdentifier"] for grant in document["Grants"]}
    assert SETTINGS.iam_user("dave@example.com") not in principals  # inactive
    assert SETTINGS.iam_user("mallory@example.com") not in principals  # unknown
    # ivan is active but has no rule anywhere: only the public dataset
    assert granted_filter(document, "ivan@example.com", "fct_orders") is None
    assert granted_filter(document, "ivan@example.com", "dim_products") is not None


@pytest.mark.parametrize("dataset", ["orders", "order_items", "customers", "sales_daily"])
def test_quicksight_rls_read_back_gives_the_seeds_rows(
    exported: Path, con: duckdb.DuckDBPyConnection, tmp_path: Path, dataset: str
) -> None:
    """The exported permissions dataset, put in place of the seed, lets everyone see the same."""
    rules = (exported / RLS_FOLDER / f"{dataset}.csv").read_text()
    replaced = Policy.load(seeds_copy(tmp_path, {f"sec_rls__{dataset}.csv": rules}))
    original = Policy.load(POLICY)
    for principal in [*security.PRINCIPALS, None, "nobody@example.com"]:
        expected = Counter(security.oracle_rows(con, original, dataset, principal))
        assert Counter(security.oracle_rows(con, replaced, dataset, principal)) == expected


# --- hostile cells --------------------------------------------------------------------------------

HOSTILE_ORDERS = (
    security.ORDERS_HEADER
    + ",analysts,\"DE' or '1'='1\",*\n"
    + ',emea_sales,"x""y",web\n'
    + 'bob@example.com,,"US\');drop table sentinel;--",*\n'
    + 'frank@example.com,,"DE,x\'y",web\n'
)
HOSTILE_VALUES = ["DE' or '1'='1", 'x"y', "US');drop table sentinel;--", "DE", "x'y", "US", None]


def test_hostile_cells_are_quoted_in_the_row_filter(built: Warehouse, tmp_path: Path) -> None:
    seeds = seeds_copy(tmp_path, {"sec_rls__orders.csv": HOSTILE_ORDERS})
    out = tmp_path / "out"
    export_policies(
        policy_warehouse(built, tmp_path, {"sec_rls__orders.csv": HOSTILE_ORDERS}), out, SETTINGS
    )
    document = lake_formation(out)
    erin = granted_filter(document, "erin@example.com", "fct_orders")
    assert erin is not None
    assert erin["RowFilter"] == {"FilterExpression": "country_code IN ('DE'' or ''1''=''1')"}
    # the permissions dataset keeps each cell as it was (CSV quoting)
    with (out / RLS_FOLDER / "orders.csv").open(newline="") as handle:
        cells = [row[2] for row in csv.reader(handle)][1:]
    assert cells == ["DE' or '1'='1", 'x"y', "US');drop table sentinel;--", "DE,x'y"]

    policy = Policy.load(seeds)
    rows = [
        {"country_code": country, "channel": channel}
        for country, channel in itertools.product(HOSTILE_VALUES, ["web", "app", None])
    ]
    with duckdb.connect() as memory:
        memory.execute("create table sentinel as select 1 as x")
        memory.execute("create table t (country_code varchar, channel varchar)")
        memory.executemany("insert into t values (?, ?)", [list(row.values()) for row in rows])
        for principal in security.PRINCIPALS:
            found = granted_filter(document, principal, "fct_orders")
            expected = Counter(policy.visible("orders", principal, rows))
            if found is None:
                assert expected == Counter(), principal
                continue
            where = found["RowFilter"].get("FilterExpression", "true")
            actual = Counter(memory.execute(f"select * from t where {where}").fetchall())
            assert actual == expected, (principal, where)
        assert memory.execute("select count(*) from sentinel").fetchone() == (1,)


# --- malformed exports are refused, naming the file -----------------------------------------------


def _drop_database(document: dict[str, Any]) -> None:
    del document["DataCellsFilters"][0]["DatabaseName"]


def _long_filter(document: dict[str, Any]) -> None:
    document["DataCellsFilters"][0]["RowFilter"] = {"FilterExpression": "x IN ('a') OR " * 200}


def _bad_permission(document: dict[str, Any]) -> None:
    document["Grants"][0]["Permissions"] = ["READ"]


def _principals_as_text(document: dict[str, Any]) -> None:
    rules = document["DataSets"]["customers"]["ColumnLevelPermissionRules"]
    rules[0]["Principals"] = rules[0]["Principals"][0]


def _no_principals(document: dict[str, Any]) -> None:
    document["DataSets"]["products"]["ColumnLevelPermissionRules"][0]["Principals"] = []


def _unknown_member(document: dict[str, Any]) -> None:
    document["DataSets"]["products"]["ColumnLevelPermissionRules"][0]["Columns"] = ["x"]


MALFORMED_JSON: dict[str, tuple[Path, Callable[[dict[str, Any]], None], str]] = {
    "missing DatabaseName": (
        LF_FILTERS,
        _drop_database,
        'Missing required parameter in TableData: "DatabaseName"',
    ),
    "filter over 2048 characters": (LF_FILTERS, _long_filter, "at most 2048 allowed"),
    "unknown permission": (LF_FILTERS, _bad_permission, "'READ' is not one of"),
    "principals not a list": (CLS_RULES, _principals_as_text, "Invalid type for parameter"),
    "no principals": (CLS_RULES, _no_principals, "Invalid length for parameter"),
    "unknown member": (CLS_RULES, _unknown_member, 'Unknown parameter in [0]: "Columns"'),
}


@pytest.mark.parametrize("case", MALFORMED_JSON)
def test_botocore_validation_refuses_malformed_json(
    exported: Path, resolved: ResolvedPolicy, tmp_path: Path, case: str
) -> None:
    relative, corrupt, message = MALFORMED_JSON[case]
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    document = json.loads((out / relative).read_text())
    corrupt(document)
    (out / relative).write_text(json.dumps(document))
    with pytest.raises(NativeExportError) as error:
        validate_exports(out, resolved)
    assert str(error.value).startswith(str(out / relative)), str(error.value)
    assert message in str(error.value)


MALFORMED_RLS = {
    "both names": (",emea_sales", "alice@example.com,emea_sales", "row 1: fill exactly one"),
    "star cell": ('bob@example.com,,"US,CA",', "bob@example.com,,*,", "row 3, column country_code"),
    "inactive user": ("grace@example.com,,", "dave@example.com,,", "row 6: UserName 'dave@"),
    "not lower case": ("frank@example.com,", "Frank@example.com,", "row 4: UserName 'Frank@"),
    "duplicate rule": (",analysts,,\n", ",analysts,,\n,analysts,,\n", "row 6: duplicate rule"),
    "header": ("UserName,GroupName,", "UserName,Group,", "header must be"),
}


@pytest.mark.parametrize("case", MALFORMED_RLS)
def test_rls_checks_refuse_malformed_permission_datasets(
    exported: Path, resolved: ResolvedPolicy, tmp_path: Path, case: str
) -> None:
    old, new, message = MALFORMED_RLS[case]
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    path = out / RLS_FOLDER / "orders.csv"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(NativeExportError, match=re.escape(message)) as error:
        validate_exports(out, resolved)
    assert str(error.value).startswith(str(path))


def test_an_unknown_group_in_the_seeds_fails_naming_seed_and_row(
    built: Warehouse, tmp_path: Path
) -> None:
    """The build refuses the policy, and the exports refuse the warehouse it left, naming why."""
    edits = {"sec_rls__orders.csv": security.ORDERS_HEADER + ",auditors,*,*\n"}
    database = policy_warehouse(built, tmp_path, edits, expect_success=False)
    with pytest.raises(PolicyNotBuilt, match=r"sec_rls__orders\.csv row 1, column GroupName"):
        export_policies(database, tmp_path / "out", SETTINGS)


def test_inactive_grants_stay_out_and_a_column_granted_to_nobody_needs_an_admin(
    built: Warehouse, tmp_path: Path
) -> None:
    grants = security.seed_text("sec_cls_grants.csv") + "customers,email,user,dave@example.com\n"
    columns = security.seed_text("sec_cls_columns.csv") + "customers,last_name,redact\n"
    seeds = policy_warehouse(
        built, tmp_path, {"sec_cls_grants.csv": grants, "sec_cls_columns.csv": columns}
    )
    with pytest.raises(NativeExportError, match="column last_name of dataset customers is granted"):
        export_policies(seeds, tmp_path / "out", SETTINGS)
    admin = Settings(cls_admin="Ivan@example.com")
    export_policies(seeds, tmp_path / "out", admin)
    document = json.loads((tmp_path / "out" / CLS_RULES).read_text())
    assert "dave@example.com" not in json.dumps(document["DataSets"])
    rules = document["DataSets"]["customers"]["ColumnLevelPermissionRules"]
    assert {
        "Principals": [admin.quicksight_user("ivan@example.com")],
        "ColumnNames": ["last_name"],
    } in rules
    lf = lake_formation(tmp_path / "out")
    carol = granted_filter(lf, "carol@example.com", "dim_customers")
    assert carol is not None and carol["ColumnWildcard"]["ExcludedColumnNames"] == ["last_name"]


def test_cli_writes_the_exports_and_lists_them(built: Warehouse, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(BIN / "lakesight"),
            "export-policies",
            "--out",
            str(tmp_path / "native"),
            "--region",
            "eu-west-1",
        ],
        cwd=REPO,
        env=built.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Lake Formation filters, grants" in result.stdout
    assert (tmp_path / "native" / LF_FILTERS).stat().st_size > 0
    assert ":eu-west-1:" in (tmp_path / "native" / CLS_RULES).read_text()
