"""The one-screen summary `make build` prints after `dbt build`.

It reads dbt's `run_results.json` (what ran and how it ended) and the warehouse itself (how many
rows each lake table landed, staged, superseded and quarantined): the DuckDB file, opened
read-only, or with `make build ENGINE=spark` the Spark warehouse through a session of its own
(lakesight/engines/spark/summary.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lakesight.dbt_artifacts import read_run_results
from lakesight.display import data, shown

#: resource types in run order, as dbt names them in unique_id prefixes
RESOURCE_TYPES = ("seed", "model", "snapshot", "test", "unit_test")


@dataclass(frozen=True)
class TableCounts:
    """Where the records of one lake table ended up: staged (current), quarantined, or
    superseded (an older version or duplicate export of a record, or a log directive line)."""

    source_table: str
    raw: int
    staged: int
    superseded: int
    rejected: int


def run_outcomes(run_results: Path) -> dict[str, Counter[str]]:
    """Status counts per resource type from dbt's run_results.json."""
    outcomes: dict[str, Counter[str]] = {kind: Counter() for kind in RESOURCE_TYPES}
    for result in read_run_results(run_results):
        if result.resource_type in outcomes:  # exposures are listed as no-op: nothing ran
            outcomes[result.resource_type][result.status] += 1
    return outcomes


def base_counts(
    bases: list[str], row: Callable[[str], tuple[int, ...]], quote: str
) -> list[TableCounts]:
    """The counts of each base table (`row` runs one query, `quote` quotes an identifier)."""
    counts = []
    for base in bases:
        system, entity = base.removeprefix("base_").split("__", 1)
        raw, rejected = row(
            f"select count(*), count(_reject_reason) from staging.{quote}{base}{quote}"
        )
        (staged,) = row(f"select count(*) from staging.{quote}stg_{system}__{entity}{quote}")
        superseded = raw - staged - rejected
        counts.append(TableCounts(f"{system}.{entity}", raw, staged, superseded, rejected))
    return counts


def table_counts(database: Path) -> list[TableCounts]:
    """Raw, staged, superseded and rejected rows of every lake table (base and stg models)."""
    with duckdb.connect(str(database), read_only=True) as con:
        bases = [
            row[0]
            for row in con.sql(
                "select table_name from information_schema.tables "
                "where table_schema = 'staging' and table_name like 'base\\_%' escape '\\' "
                "order by table_name"
            ).fetchall()
        ]
        return base_counts(bases, lambda sql: tuple(con.execute(sql).fetchone() or (0, 0)), '"')


def print_summary(
    run_results: Path,
    database: Path,
    console: Console | None = None,
    counts: list[TableCounts] | None = None,
) -> bool:
    """Print the summary; True when dbt reported no error or failure. `counts`: the lake rows
    when they are not read from the DuckDB file `database` (Spark), which then only names
    where they are."""
    console = console or Console()
    outcomes = run_outcomes(run_results)
    runs = Table(title="dbt build", title_justify="left")
    for column in ("resource", "ok", "warn", "error/fail", "skipped"):
        runs.add_column(column, justify="left" if column == "resource" else "right")
    for kind, statuses in outcomes.items():
        if not statuses:
            continue
        ok = statuses["success"] + statuses["pass"]
        bad = statuses["error"] + statuses["fail"] + statuses["runtime error"]
        runs.add_row(data(kind), str(ok), str(statuses["warn"]), str(bad), str(statuses["skipped"]))
    console.print(runs)

    if counts is None and database.exists():
        counts = table_counts(database)
    if counts is not None:
        lake = Table(title="lake records", title_justify="left")
        for column in ("table", "raw", "staged", "superseded", "quarantined"):
            lake.add_column(column, justify="left" if column == "table" else "right")
        for table in counts:
            lake.add_row(
                data(table.source_table),
                f"{table.raw:,}",
                f"{table.staged:,}",
                f"{table.superseded:,}",
                f"[yellow]{table.rejected:,}[/]" if table.rejected else "0",
            )
        console.print(lake)
        console.print(
            "Quarantined rows and their reasons: staging.stg_<system>__<entity>__rejected"
        )
    console.print(Text(f"Warehouse: {shown(database)}"), soft_wrap=True)  # a path on one line
    failed = sum(s["error"] + s["fail"] + s["runtime error"] for s in outcomes.values())
    return failed == 0
