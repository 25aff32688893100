"""Query as a principal, confined to that principal's extract (never the warehouse).

The extract (lakesight/security/extracts.py) is built or refreshed first when it is missing, stale
or altered, then opened read-only with external access disabled and the configuration locked:

- it holds only the tables `secure.<dataset>` as the principal sees them (rows filtered, masks
  applied): the marts, the policy tables, the views and the salt are not in it;
- no file can be read or written, no database attached, no extension installed or loaded, no
  setting changed (`enable_external_access=false`, `lock_configuration=true`, no temp directory);
- `SET VARIABLE` still works, but nothing in the extract reads a variable.

A failed query is one sentence saying which kind of failure it is (docs/security.md): a syntax error
(with its line and column), a table the extract does not have, a refusal of the confinement (a
schema outside the extract, a file, an extension, a setting, a write), or another error of the SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from lakesight.config import EXTRACTS
from lakesight.security.extracts import Extract, ExtractError, fresh_extract

#: how a confined query's DuckDB is opened
CONFINED = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "temp_directory": "",
    "lock_configuration": True,
}
DEFAULT_EXTRACTS = Path(EXTRACTS.default)


@dataclass(frozen=True)
class Result:
    names: list[str]
    rows: list[tuple[Any, ...]]
    extract: Extract
    rebuilt: str | None  # why the extract was (re)built first, None if it was fresh


def connect_confined(path: Path) -> duckdb.DuckDBPyConnection:
    """Open an extract read-only, external access off, configuration locked, `secure` first."""
    con = duckdb.connect(str(path), read_only=True, config=CONFINED)
    con.execute("set search_path = 'secure,main'")
    return con


def query_as(
    warehouse: Path, principal: str, sql: str, extracts: Path = DEFAULT_EXTRACTS
) -> Result:
    """Run `sql` on the principal's extract in `extracts` (built or refreshed first if needed)."""
    with fresh_extract(warehouse, extracts, principal) as (extract, rebuilt):
        con = connect_confined(extracts / extract.file)
    with con:
        try:
            cursor = con.execute(sql)
            names = [column[0] for column in cursor.description or []]
            rows = cursor.fetchall()
        except duckdb.Error as error:
            raise ExtractError(failure(error, sql, extract)) from None
    return Result(names, rows, extract, rebuilt)


#: a table missing from a schema the extract has (not a refusal): DuckDB names no schema then
_NO_TABLE = re.compile(r"Catalog Error: Table with name (?P<name>.+?) does not exist")


def failure(error: duckdb.Error, sql: str, extract: Extract) -> str:
    """One sentence for a failed confined query, saying which kind of failure it is."""
    first = str(error).strip().splitlines()[0].rstrip(".!") if str(error).strip() else ""
    where = position(sql, str(error))
    at = f" at line {where[0]}, column {where[1]}" if where else ""
    tables = ", ".join(f"secure.{name}" for name in extract.datasets) or "no table"
    if isinstance(error, duckdb.ParserException):
        detail = first.removeprefix("Parser Error: ")
        return f"The SQL has a syntax error{at} ({detail}), so nothing ran: correct it."
    if refused(error, first):
        return (
            f"The SQL failed on {extract.principal}'s extract ({first}):"
            f" a confined query reads only {tables} — no marts, policy, files, other extracts,"
            " extensions or settings."
        )
    missing = _NO_TABLE.match(first)
    if isinstance(error, duckdb.CatalogException) and missing and "because" not in first:
        return (
            f"{extract.principal}'s extract has no table {missing['name']}{at}; it holds only"
            f" {tables}."
        )
    return f"The SQL failed on {extract.principal}'s extract{at} ({first})."


def refused(error: duckdb.Error, first: str) -> bool:
    """Whether DuckDB refused the query for the confinement: a file, an extension, a setting, a
    write, or a schema the extract does not have (the marts, the policy, another database)."""
    if isinstance(error, duckdb.PermissionException):
        return True
    if isinstance(error, duckdb.InvalidInputException):
        return "configuration" in first or "read-only" in first or "Cannot execute" in first
    if isinstance(error, duckdb.CatalogException):
        return "because schema" in first or "extension" in first or "database" in first
    return False


def position(sql: str, message: str) -> tuple[int, int] | None:
    """The (line, column) of the SQL an error's `LINE n:` excerpt and caret point at, from 1.

    DuckDB shows the offending line (shortened with `...` around a long one) and a caret line."""
    found = re.search(r"^LINE (\d+): (.*)\n( *)\^", message, re.MULTILINE)
    if found is None:
        return None
    number, excerpt = int(found[1]), found[2]
    caret = len(found[3]) - len(f"LINE {number}: ")
    lines = sql.split("\n")
    if not 0 < number <= len(lines) or caret < 0:
        return None
    if excerpt.startswith("..."):
        core = excerpt[3:].removesuffix("...")
        start = lines[number - 1].find(core)
        if start < 0:
            return None
        caret += start - 3
    return number, caret + 1
