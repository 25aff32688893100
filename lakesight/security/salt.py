"""The mask salt: where the build reads it, where the views find it, and which kind a warehouse has.

The salt reaches the warehouse by one path dbt neither renders nor logs (docs/security.md, "The
mask salt"): the Python model `policy.policy_mask_salt` reads `LAKESIGHT_MASK_SALT` when it runs
(`configured_salt`) and writes it as a one-row table. The `hash` mask compiles to
`sha256((select salt from policy.policy_mask_salt) || column)`
(macros/security/security_helpers.sql), so compiled SQL, the manifest, dbt's logs and docs,
and the GX suites name the table, never the value.

`warehouse_salt` reads the kind from the warehouse, not from the environment: DuckDB's own parser
(`json_serialize_sql`) finds the first operand of `||` inside every `sha256(…)` call of the secure
views, which must be that scalar subquery; then the table's one value is compared with the public
development salt. Anything else fails closed ("unknown").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import duckdb

from lakesight.config import DEFAULT_SALT, MASK_SALT, mask_salt

#: the environment variable the build reads the salt from
SALT_VARIABLE = MASK_SALT.name
#: the relation that holds it in the warehouse (schema, table) and its one column
SALT_SCHEMA, SALT_TABLE, SALT_COLUMN = "policy", "policy_mask_salt", "salt"
#: the scalar subquery the hash mask and the GX secure suites read the salt with
SALT_QUERY = f"(select {SALT_COLUMN} from {SALT_SCHEMA}.{SALT_TABLE})"


class Salt(StrEnum):
    """What the secure views' hash masks are salted with."""

    NONE = "none"  # no hash mask in any secure view: nothing is salted
    DEVELOPMENT = "development"  # the public default `lakesight-dev-salt`
    SECRET = "secret"  # a value other than the default, in policy.policy_mask_salt
    UNKNOWN = "unknown"  # a hash not salted from that table, or the table unreadable: unsafe


def configured_salt(environ: Mapping[str, str] | None = None) -> str:
    """The salt a build uses: `LAKESIGHT_MASK_SALT`, or the development salt when it is unset or
    empty (an empty salt would be no salt at all); lakesight.config.mask_salt."""
    return mask_salt(environ)


def _sha256_salts(node: Any, found: list[bool]) -> None:
    """Append, for each sha256(…) call under node, whether it is salted from the salt table."""
    if isinstance(node, list):
        for item in node:
            _sha256_salts(item, found)
        return
    if not isinstance(node, dict):
        return
    if node.get("class") == "FUNCTION" and str(node.get("function_name")).lower() == "sha256":
        found.append(_salted_from_table(node))
    for value in node.values():
        _sha256_salts(value, found)


def _leading_operand(call: dict[str, Any]) -> dict[str, Any] | None:
    """The expression that starts sha256's argument (`x` of `x || y || …`), or None."""
    arguments = call.get("arguments") or call.get("children") or []
    if not arguments:
        return None
    expression = arguments[0].get("expression", arguments[0])
    while expression.get("class") == "FUNCTION" and expression.get("function_name") == "||":
        inner = expression.get("arguments") or expression.get("children") or []
        if not inner:
            return None
        expression = inner[0].get("expression", inner[0])
    return expression


def _salted_from_table(call: dict[str, Any]) -> bool:
    """Whether sha256's argument starts with `(select salt from policy.policy_mask_salt)`."""
    operand = _leading_operand(call)
    if not operand or operand.get("class") != "SUBQUERY":
        return False
    if operand.get("subquery_type") != "SCALAR":
        return False
    node = (operand.get("subquery") or {}).get("node") or {}
    if node.get("type") != "SELECT_NODE" or (node.get("cte_map") or {}).get("map"):
        return False
    if node.get("modifiers") or any(
        node.get(part) for part in ("where_clause", "group_expressions", "having", "qualify")
    ):
        return False
    columns = node.get("select_list") or []
    source = node.get("from_table") or {}
    return (
        len(columns) == 1
        and columns[0].get("class") == "COLUMN_REF"
        and [name.lower() for name in columns[0].get("column_names", [])] == [SALT_COLUMN]
        and source.get("type") == "BASE_TABLE"
        and str(source.get("schema_name")).lower() == SALT_SCHEMA
        and str(source.get("table_name")).lower() == SALT_TABLE
    )


def _table_salt(con: duckdb.DuckDBPyConnection) -> Salt:
    """The kind of the one value of policy.policy_mask_salt (unknown unless exactly one text)."""
    present = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [SALT_SCHEMA, SALT_TABLE],
    ).fetchone()
    if not present or not present[0]:
        return Salt.UNKNOWN
    values = con.execute(f"select {SALT_COLUMN} from {SALT_SCHEMA}.{SALT_TABLE}").fetchall()
    if len(values) != 1 or not isinstance(values[0][0], str) or not values[0][0]:
        return Salt.UNKNOWN
    return Salt.DEVELOPMENT if values[0][0] == DEFAULT_SALT else Salt.SECRET


def warehouse_salt(con: duckdb.DuckDBPyConnection) -> Salt:
    """The salt of the hash masks in the `secure` views of the warehouse open on `con`."""
    views = con.execute(
        "select sql from duckdb_views() where schema_name = 'secure' and not internal"
    ).fetchall()
    dev_literal = "'" + DEFAULT_SALT.replace("'", "''") + "'"
    salted: list[bool] = []
    for (sql,) in views:
        if dev_literal in sql:
            return Salt.DEVELOPMENT  # a warehouse built before the salt table: still refused
        if "sha256" not in sql.lower():
            continue
        select = sql[sql.upper().index(" AS ") + 4 :].rstrip().rstrip(";")
        tree = json.loads(con.execute("select json_serialize_sql(?)", [select]).fetchone()[0])
        if tree.get("error"):
            return Salt.UNKNOWN
        found: list[bool] = []
        _sha256_salts(tree, found)
        if not found:
            return Salt.UNKNOWN  # "sha256" in the text but no call found: do not guess
        salted.extend(found)
    if not salted:
        return Salt.NONE
    if not all(salted):
        return Salt.UNKNOWN
    return _table_salt(con)
