"""Query as a principal, confined to that principal's extract (never the warehouse).

The extract (lakesight/security/extracts.py) is built or refreshed first when it is missing, stale
or altered, then opened read-only with external access disabled and the configuration locked:

- it holds only the tables `secure.<dataset>` as the principal sees them (rows filtered, masks
  applied): the marts, the policy tables, the views and the salt are not in it;
- no file can be read or written, no database attached, no extension installed or loaded, no
  setting changed (`enable_external_access=false`, `lock_configuration=true`, no temp directory);
- `SET VARIABLE` still works, but nothing in the extract reads a variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

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
DEFAULT_EXTRACTS = Path("target/extracts")


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
            raise ExtractError(_refusal(error, extract)) from None
    return Result(names, rows, extract, rebuilt)


def _refusal(error: duckdb.Error, extract: Extract) -> str:
    first = str(error).strip().splitlines()[0].rstrip(".!") if str(error).strip() else ""
    tables = ", ".join(f"secure.{name}" for name in extract.datasets) or "no table"
    return (
        f"The SQL failed on {extract.principal}'s extract ({first}):"
        f" a confined query reads only {tables} — no marts, policy, files, other extracts,"
        " extensions or settings."
    )
