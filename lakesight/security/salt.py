"""Which mask salt a warehouse was built with, read from its secure views (not the environment).

The `hash` mask compiles to `sha256('<salt>' || column)` (macros/security/security_helpers.sql), so
the salt is a string literal in the view text. DuckDB's own parser (`json_serialize_sql`) finds the
first operand of `||` inside every `sha256(…)` call; a literal in the text is also looked for, so a
change in how the mask is written fails closed ("unknown") rather than open.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import duckdb

from lakesight.security.oracle import DEFAULT_SALT


class Salt(StrEnum):
    """What the secure views' hash masks are salted with."""

    NONE = "none"  # no hash mask in any secure view: nothing is salted
    DEVELOPMENT = "development"  # the public default `lakesight-dev-salt`
    SECRET = "secret"  # a literal other than the default
    UNKNOWN = "unknown"  # a sha256 whose salt is not a literal: treated as unsafe


def _sha256_salts(node: Any, found: list[str | None]) -> None:
    """Append the salt literal of each sha256(literal || …) call under node (None if not one)."""
    if isinstance(node, list):
        for item in node:
            _sha256_salts(item, found)
        return
    if not isinstance(node, dict):
        return
    if node.get("class") == "FUNCTION" and str(node.get("function_name")).lower() == "sha256":
        found.append(_leading_literal(node))
    for value in node.values():
        _sha256_salts(value, found)


def _leading_literal(call: dict[str, Any]) -> str | None:
    """The string constant that starts sha256's argument (`'salt' || x`), or None."""
    arguments = call.get("arguments") or call.get("children") or []
    if not arguments:
        return None
    expression = arguments[0].get("expression", arguments[0])
    while expression.get("class") == "FUNCTION" and expression.get("function_name") == "||":
        inner = expression.get("arguments") or expression.get("children") or []
        if not inner:
            return None
        expression = inner[0].get("expression", inner[0])
    if expression.get("class") == "CONSTANT":
        literal = expression.get("literal") or expression.get("value") or {}
        text = literal.get("text") if isinstance(literal, dict) else None
        return text if isinstance(text, str) else None
    return None


def warehouse_salt(con: duckdb.DuckDBPyConnection) -> Salt:
    """The salt of the hash masks in the `secure` views of the warehouse open on `con`."""
    views = con.execute(
        "select sql from duckdb_views() where schema_name = 'secure' and not internal"
    ).fetchall()
    dev_literal = "'" + DEFAULT_SALT.replace("'", "''") + "'"
    salts: list[str | None] = []
    for (sql,) in views:
        if dev_literal in sql:
            return Salt.DEVELOPMENT
        if "sha256" not in sql.lower():
            continue
        select = sql[sql.upper().index(" AS ") + 4 :].rstrip().rstrip(";")
        tree = json.loads(con.execute("select json_serialize_sql(?)", [select]).fetchone()[0])
        found: list[str | None] = []
        if tree.get("error"):
            return Salt.UNKNOWN
        _sha256_salts(tree, found)
        if not found:
            return Salt.UNKNOWN  # "sha256" in the text but no call found: do not guess
        salts.extend(found)
    if not salts:
        return Salt.NONE
    if any(salt is None for salt in salts):
        return Salt.UNKNOWN
    return Salt.DEVELOPMENT if DEFAULT_SALT in salts else Salt.SECRET
