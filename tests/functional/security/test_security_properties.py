"""Property-based tests: random policies through the compiled policy and secure-view SQL.

Each example loads a random policy (users, groups, memberships, row rules with wildcards, lists,
case and whitespace traps, and in the typo tests unknown or look-alike names) into an in-memory
DuckDB laid out like the warehouse, runs the very SQL dbt compiled for the policy check
(`policy_problems`), the resolved policy (`models/policy`) and `secure.orders`, and compares it
with the Python oracle: the build refuses the policy exactly when the oracle finds a problem, and
otherwise the view shows what the oracle says. No dbt run per example.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakesight.security.resolved import normalise
from tests.support import oracle as oracle_module
from tests.support.oracle import Policy, problems
from tests.support.seed_csv import BOOLEAN_SPELLINGS
from tests.support.warehouse import Warehouse

USERS = ["ann@x.io", "ben@x.io", "cat@x.io", "dan@x.io"]
GROUPS = ["sales", "ops", "audit"]
COUNTRIES = ["DE", "US", "GB", "de", "NG"]
CHANNELS = ["web", "mobile_app", "Web", "marketplace"]
RLS_HEADER = ["UserName", "GroupName", "country_code", "channel"]


def spelled(name: str) -> st.SearchStrategy[str]:
    """The same identifier as a seed might spell it: any case, padded with spaces."""
    return st.sampled_from([name, name.upper(), f" {name}", f"{name.title()} "])


def boolean() -> st.SearchStrategy[str]:
    """`is_active` as a seed may spell it: every spelling DuckDB loads, in any ASCII case."""
    return st.sampled_from(sorted(BOOLEAN_SPELLINGS)).flatmap(
        lambda word: st.sampled_from([word, word.upper(), word.title()])
    )


def cell(values: list[str]) -> st.SearchStrategy[str | None]:
    lists = st.lists(st.sampled_from(values), min_size=1, max_size=3).map(",".join)
    return st.one_of(st.none(), st.just(""), st.just("*"), lists)


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    users = [[draw(spelled(u)), draw(boolean())] for u in USERS]
    members = draw(st.lists(st.tuples(st.sampled_from(GROUPS), st.sampled_from(USERS)), max_size=6))
    # every group has a member (a rule for a group nobody is in is refused as an unknown group)
    members += [(group, draw(st.sampled_from(USERS))) for group in GROUPS]
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


#: typos and look-alikes: names the policy must refuse (unknown, or outside the safe characters)
TYPOS = [
    "eve@x.io",  # unknown user
    "ann@x.io.",
    "ann@x.i0",
    "\u212aat@x.io",  # Kelvin sign K: not k
    "\u0430nn@x.io",  # Cyrillic a
    "ann @x.io",  # inner space
    "sale",
    "ops team",
    "",
]


@st.composite
def policies_with_typos(draw: st.DrawFn) -> dict[str, Any]:
    """A random policy with one to three of its names replaced by a typo or a look-alike."""
    policy = draw(policies())
    policy = {
        key: [list(row) for row in value] if key != "principal" else value
        for key, value in policy.items()
    }
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        typo = draw(st.sampled_from(TYPOS))
        where = draw(st.sampled_from(["user", "active", "member_user", "member_group", "rule"]))
        if where == "user":
            policy["users"][draw(st.integers(0, len(USERS) - 1))][0] = typo
        elif where == "active":
            policy["users"][draw(st.integers(0, len(USERS) - 1))][1] = None
        elif where == "member_user":
            policy["members"].append([draw(st.sampled_from(GROUPS)), typo])
        elif where == "member_group":
            policy["members"].append([typo, draw(st.sampled_from(USERS))])
        else:
            user = draw(st.booleans())
            policy["rules"].append([typo, None, "*", "*"] if user else [None, typo, "*", "*"])
    return policy


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


#: the models of the resolved policy, in the order they read each other
POLICY_MODELS = (
    "policy_datasets",
    "policy_principals",
    "policy_group_members",
    "policy_restricted_columns",
    "policy_column_grants",
    "policy_row_rules",
)


class Engine:
    """An in-memory DuckDB with the warehouse's layout, running the compiled policy check, the
    compiled resolved policy and the compiled secure.orders SQL."""

    def __init__(self, built: Warehouse) -> None:
        compiled = built.target / "compiled" / "lakesight" / "models"
        self.sql = (compiled / "secure" / "orders.sql").read_text()
        self.problems_sql = (compiled / "policy" / "policy_problems.sql").read_text()
        self.policy_sql = {
            name: (compiled / "policy" / f"{name}.sql").read_text() for name in POLICY_MODELS
        }
        self.con = duckdb.connect()
        self.con.execute(f"attach '{built.database}' as source (read_only)")
        self.con.execute("attach ':memory:' as warehouse")
        for schema in ("security", "marts", "policy"):
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
        # every policy seed as built (the other datasets' rules and columns stay as they are)
        for (name,) in self.con.execute(
            "select table_name from information_schema.tables"
            " where table_catalog = 'source' and table_schema = 'security'"
        ).fetchall():
            self.con.execute(
                f"create table warehouse.security.{name} as select * from source.security.{name}"
            )
        self.con.execute("detach source")
        # this test's policy has no restricted columns on orders, no grants, and no rules on the
        # other datasets (their rules name the example's users)
        self.con.execute("delete from warehouse.security.sec_cls_grants")
        for (other,) in self.con.execute(
            "select table_name from information_schema.tables where table_catalog = 'warehouse'"
            " and table_schema = 'security' and table_name like 'sec\\_rls\\_\\_%' escape '\\'"
            " and table_name <> 'sec_rls__orders'"
        ).fetchall():
            self.con.execute(f"delete from warehouse.security.{other}")
        self.con.execute("delete from warehouse.security.sec_cls_columns where dataset = 'orders'")
        cursor = self.con.execute("select * from warehouse.marts.fct_orders")
        names = [column[0] for column in cursor.description]
        self.rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def load(self, policy: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Load the policy's seeds; the problems the compiled policy check finds (none: the
        resolved policy is rebuilt from its compiled SQL)."""
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
        self.con.execute(
            f"create or replace table warehouse.policy.policy_problems as {self.problems_sql}"
        )
        found = self.con.execute("select * from warehouse.policy.policy_problems").fetchall()
        if not found:
            for name, sql in self.policy_sql.items():
                self.con.execute(f"create or replace table warehouse.policy.{name} as {sql}")
        return found

    def visible(
        self, policy: dict[str, Any], principal: Any, *, refused_ok: bool = False
    ) -> Counter[tuple[Any, ...]]:
        """What the view shows the principal. A refused policy fails, unless `refused_ok`: then
        the view runs as after a refused build (the last resolved policy, problems recorded)."""
        found = self.load(policy)
        assert refused_ok or not found, found
        self.con.execute("set variable lakesight_principal = ?", [principal])
        return Counter(self.con.execute(self.sql).fetchall())


def policy_folder(root: Path, policy: dict[str, Any]) -> Path:
    """The policy as the CSV seed files the oracle reads (other datasets as in seeds/security)."""
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
    return root


def oracle(engine: Engine, policy: dict[str, Any], principal: Any) -> Counter[tuple[Any, ...]]:
    with tempfile.TemporaryDirectory() as folder:
        root = policy_folder(Path(folder), policy)
        return Counter(Policy.load(root).visible("orders", principal, engine.rows))


def oracle_problems(policy: dict[str, Any]) -> list[str]:
    """What the oracle finds wrong with the orders part of the policy (other datasets are sound)."""
    with tempfile.TemporaryDirectory() as folder:
        return problems(policy_folder(Path(folder), policy))


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
    assert oracle_problems(policy) == []
    assert engine.visible(policy, principal) == oracle(engine, policy, principal)


@EXAMPLES
@given(policy=policies_with_typos(), principal=st.sampled_from([*USERS, *TYPOS, None]))
def test_a_policy_with_typos_is_refused_or_the_view_still_equals_the_oracle(
    engine: Engine, policy: dict[str, Any], principal: Any
) -> None:
    """The compiled check refuses exactly the policies the oracle finds a problem in; a policy it
    accepts (a typo can be harmless, such as an unused one) shows what the oracle says."""
    refused = engine.load(policy)
    expected = oracle_problems(policy)
    assert bool(refused) == bool(expected), (refused, expected)
    if not refused:
        assert engine.visible(policy, principal) == oracle(engine, policy, principal)
    else:
        assert all(row[0].startswith("seeds/security/sec_") for row in refused), refused
        # the views of a build that refused its policy show nobody anything
        assert engine.visible(policy, principal, refused_ok=True) == Counter()


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
    # dropping a group's last member makes its rules name an unknown group: refused, nothing shown
    after = engine.visible(policy | {"members": members}, policy["principal"], refused_ok=True)
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


#: characters a name may hide: Unicode whitespace (DuckDB's one-argument trim() strips it, Python's
#: strip(" ") does not), controls, format characters, look-alikes and case-folding traps
TRAPS = (
    " \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
    "KkAZaz\u212a\u0130\u00c4\u0301@."
)


@EXAMPLES
@given(
    name=st.text(
        alphabet=st.one_of(st.sampled_from(TRAPS), st.characters(exclude_categories=["Cs"])),
        max_size=12,
    )
)
def test_the_compiled_normalisation_equals_pythons(engine: Engine, name: str) -> None:
    """`sec_normalise` as dbt compiled it (the resolved principals) equals `normalise` of
    resolved.py and of the oracle on any text: trim spaces only, lower-case A-Z only."""
    sql = engine.policy_sql["policy_principals"]
    found = re.search(r"(translate\(.*?'abcdefghijklmnopqrstuvwxyz'\)) as principal", sql)
    assert found is not None, sql
    expression = found[1].replace("user_name", "name")
    (compiled,) = engine.con.execute(
        f"select {expression} from (select ? as name)", [name]
    ).fetchone()
    assert compiled == normalise(name) == oracle_module.normalise(name)
