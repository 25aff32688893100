"""Property-based tests: random policies through the compiled secure-view SQL against the oracle.

Each example loads a random policy (users, groups, memberships, row rules with wildcards, lists,
case and whitespace traps) into an in-memory DuckDB laid out like the warehouse, runs the very SQL
dbt compiled for `secure.orders`, and compares it with the Python oracle. No dbt run per example.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakesight.security.oracle import Policy
from lakesight_tests.support import Warehouse

USERS = ["ann@x.io", "ben@x.io", "cat@x.io", "dan@x.io"]
GROUPS = ["sales", "ops", "audit"]
COUNTRIES = ["DE", "US", "GB", "de", "NG"]
CHANNELS = ["web", "mobile_app", "Web", "marketplace"]
RLS_HEADER = ["UserName", "GroupName", "country_code", "channel"]


def spelled(name: str) -> st.SearchStrategy[str]:
    """The same identifier as a seed might spell it: any case, padded with spaces."""
    return st.sampled_from([name, name.upper(), f" {name}", f"{name.title()} "])


def cell(values: list[str]) -> st.SearchStrategy[str | None]:
    lists = st.lists(st.sampled_from(values), min_size=1, max_size=3).map(",".join)
    return st.one_of(st.none(), st.just(""), st.just("*"), lists)


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    users = [[draw(spelled(u)), draw(st.booleans())] for u in USERS]
    members = draw(st.lists(st.tuples(st.sampled_from(GROUPS), st.sampled_from(USERS)), max_size=6))
    memberships = [[draw(spelled(g)), draw(spelled(u))] for g, u in members]
    rule = st.one_of(
        st.tuples(st.sampled_from(USERS), st.just(None)),
        st.tuples(st.just(None), st.sampled_from(GROUPS)),
    ).flatmap(
        lambda who: st.tuples(
            st.just(who[0]),
            st.just(who[1]),
            cell(COUNTRIES),
            cell(CHANNELS),
        )
    )
    rules = [
        [None if u is None else draw(spelled(u)), None if g is None else draw(spelled(g)), c, h]
        for u, g, c, h in draw(st.lists(rule, max_size=6))
    ]
    principal = draw(st.one_of(st.sampled_from(USERS), spelled(USERS[0]), st.none()))
    return {"users": users, "members": memberships, "rules": rules, "principal": principal}


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(
            [
                ["" if v is None else str(v).lower() if v is True or v is False else v for v in row]
                for row in rows
            ]
        )


class Engine:
    """An in-memory DuckDB with the warehouse's layout, running the compiled secure.orders SQL."""

    def __init__(self, built: Warehouse) -> None:
        compiled = built.target / "compiled" / "lakesight" / "models" / "secure" / "orders.sql"
        self.sql = compiled.read_text()
        self.con = duckdb.connect()
        self.con.execute(f"attach '{built.database}' as source (read_only)")
        self.con.execute("attach ':memory:' as warehouse")
        for schema in ("security", "marts"):
            self.con.execute(f"create schema warehouse.{schema}")
        # the real orders, plus orders whose country or channel is NULL
        self.con.execute(
            "create table warehouse.marts.fct_orders as select * from source.marts.fct_orders"
        )
        for offset, column in ((1_000_000, "country_code"), (2_000_000, "channel")):
            self.con.execute(
                "insert into warehouse.marts.fct_orders by name "
                f"select order_id + {offset} as order_id, * exclude (order_id, {column}), "
                f"null as {column} from source.marts.fct_orders limit 3"
            )
        self.con.execute("detach source")
        for name, ddl in {
            "sec_users": "user_name varchar, is_active boolean",
            "sec_group_members": "group_name varchar, user_name varchar",
            "sec_cls_grants": "dataset varchar, column_name varchar, "
            "principal_type varchar, principal varchar",
            "sec_rls__orders": "UserName varchar, GroupName varchar, "
            "country_code varchar, channel varchar",
        }.items():
            self.con.execute(f"create table warehouse.security.{name} ({ddl})")
        cursor = self.con.execute("select * from warehouse.marts.fct_orders")
        names = [column[0] for column in cursor.description]
        self.rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def load(self, policy: dict[str, Any]) -> None:
        for table, rows in (
            ("sec_users", policy["users"]),
            ("sec_group_members", policy["members"]),
            ("sec_rls__orders", policy["rules"]),
        ):
            self.con.execute(f"delete from warehouse.security.{table}")
            if rows:
                marks = ", ".join("?" for _ in rows[0])
                self.con.executemany(
                    f"insert into warehouse.security.{table} values ({marks})", rows
                )

    def visible(self, policy: dict[str, Any], principal: Any) -> Counter[tuple[Any, ...]]:
        self.load(policy)
        self.con.execute("set variable lakesight_principal = ?", [principal])
        return Counter(self.con.execute(self.sql).fetchall())


def oracle(engine: Engine, policy: dict[str, Any], principal: Any) -> Counter[tuple[Any, ...]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_csv(root / "sec_users.csv", ["user_name", "is_active"], policy["users"])
        write_csv(root / "sec_group_members.csv", ["group_name", "user_name"], policy["members"])
        write_csv(root / "sec_datasets.csv", ["dataset", "rls_mode"], [["orders", "rules"]])
        write_csv(root / "sec_rls__orders.csv", RLS_HEADER, policy["rules"])
        write_csv(root / "sec_cls_columns.csv", ["dataset", "column_name", "mask"], [])
        write_csv(
            root / "sec_cls_grants.csv",
            ["dataset", "column_name", "principal_type", "principal"],
            [],
        )
        return Counter(Policy.load(root).visible("orders", principal, engine.rows))


@pytest.fixture(scope="module")
def engine(built: Warehouse) -> Engine:
    return Engine(built)


#: the oracle comparison runs 200 examples; each metamorphic property 50 (it runs several queries)
EXAMPLES = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
METAMORPHIC = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@EXAMPLES
@given(policy=policies())
def test_compiled_view_equals_the_oracle_on_random_policies(
    engine: Engine, policy: dict[str, Any]
) -> None:
    principal = policy["principal"]
    assert engine.visible(policy, principal) == oracle(engine, policy, principal)


@METAMORPHIC
@given(policy=policies(), extra=policies())
def test_adding_a_rule_never_removes_rows(
    engine: Engine, policy: dict[str, Any], extra: dict[str, Any]
) -> None:
    before = engine.visible(policy, policy["principal"])
    after = engine.visible(
        policy | {"rules": policy["rules"] + extra["rules"][:1]}, policy["principal"]
    )
    assert before - after == Counter()


@METAMORPHIC
@given(policy=policies(), drop=st.integers(min_value=0, max_value=5))
def test_removing_a_membership_never_adds_rows(
    engine: Engine, policy: dict[str, Any], drop: int
) -> None:
    members = [m for i, m in enumerate(policy["members"]) if i != drop]
    before = engine.visible(policy, policy["principal"])
    after = engine.visible(policy | {"members": members}, policy["principal"])
    assert after - before == Counter()


@METAMORPHIC
@given(policy=policies(), seed=st.randoms(use_true_random=False))
def test_reordering_or_duplicating_rules_changes_nothing(
    engine: Engine, policy: dict[str, Any], seed: Any
) -> None:
    rules = list(policy["rules"]) * 2
    seed.shuffle(rules)
    before = engine.visible(policy, policy["principal"])
    assert engine.visible(policy | {"rules": rules}, policy["principal"]) == before


@METAMORPHIC
@given(policy=policies())
def test_a_principal_sees_the_union_of_what_each_of_its_rules_grants(
    engine: Engine, policy: dict[str, Any]
) -> None:
    principal = policy["principal"]
    whole = engine.visible(policy, principal)
    union: set[tuple[Any, ...]] = set()
    for index in range(len(policy["rules"])):
        union |= set(engine.visible(policy | {"rules": [policy["rules"][index]]}, principal))
    assert set(whole) == union
