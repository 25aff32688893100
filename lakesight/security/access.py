"""Query the secure views as a principal, and publish one extract per principal."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb


@dataclass(frozen=True)
class Extract:
    principal: str
    path: Path
    rows: dict[str, int]


def query_as(warehouse: Path, principal: str, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` on the warehouse opened read-only, with `lakesight_principal` set."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set variable lakesight_principal = ?", [principal])
        cursor = con.execute(sql)
        names = [column[0] for column in cursor.description or []]
        return names, cursor.fetchall()


def extract_name(principal: str) -> str:
    """A file name for a principal's extract (lower case, unsafe characters replaced)."""
    return re.sub(r"[^a-z0-9._-]", "_", principal.strip().lower()) + ".duckdb"


def publish(
    warehouse: Path, exports: Path, progress: Callable[[str, int], None] | None = None
) -> list[Extract]:
    """Write exports/<principal>.duckdb per active user: the secure datasets as that user sees them.

    An extract holds one table per secure dataset and nothing else: no marts, no policy tables.
    `progress(principal, total)` is called as each extract is done.
    """
    exports.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        users = [
            row[0]
            for row in con.execute(
                "select distinct lower(trim(user_name)) from security.sec_users "
                "where is_active order by 1"
            ).fetchall()
        ]
        datasets = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'secure' order by 1"
            ).fetchall()
        ]
        for user in users:
            path = exports / extract_name(user)
            path.unlink(missing_ok=True)
            con.execute("set variable lakesight_principal = ?", [user])
            con.execute("attach ? as extract (read_write)", [str(path)])
            rows = {}
            try:
                for dataset in datasets:
                    con.execute(
                        f'create table extract.main."{dataset}" as select * from secure."{dataset}"'
                    )
                    rows[dataset] = con.execute(
                        f'select count(*) from extract.main."{dataset}"'
                    ).fetchone()[0]
            finally:
                con.execute("detach extract")
            written.append(Extract(user, path, rows))
            if progress is not None:
                progress(user, len(users))
    return written
