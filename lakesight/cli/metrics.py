"""`lakesight metrics`: metrics of the semantic layer as one principal sees them
(docs/semantic-layer.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lakesight.cli.errors import built_warehouse
from lakesight.cli.options import Extracts, Principal
from lakesight.display import plain_console, shown
from lakesight.security.access import DEFAULT_EXTRACTS
from lakesight.semantic.query import MetricRequest, query_as

METRICS_HELP = """Query metrics of the semantic layer as a principal, on their extract only.

MetricFlow answers from the metrics and semantic models in models/marts/semantic/, re-pointed at
the secure datasets of the principal's extract (built or refreshed first, like `lakesight query`):
the same definition, filters included, as every page and notebook. Group by
metric_time__day|week|month|quarter|year, country__region_name, country__country_name,
order__channel, order__currency_code, customer__segment, product__category_level_1..3, …
(`mf list dimensions --metrics M` lists them). The owners query the whole warehouse with `mf query`.
"""


def metrics(
    metric: Annotated[
        list[str], typer.Option("--metrics", help="Metrics (comma list or repeated).")
    ],
    as_: Principal,
    group_by: Annotated[
        list[str] | None,
        typer.Option("--group-by", help="Group-by items (comma list or repeated)."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="A filter, e.g. \"{{ Dimension('order__channel') }} = 'web'\"."),
    ] = None,
    order: Annotated[
        list[str] | None, typer.Option(help="Order by this (a leading - descends).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object: columns, rows, sql.")
    ] = False,
    show_sql: Annotated[bool, typer.Option("--sql", help="Also print MetricFlow's SQL.")] = False,
    target: Annotated[
        Path | None,
        typer.Option(help="dbt's target folder (default: $DBT_TARGET_PATH, else target)."),
    ] = None,
    extracts: Extracts = DEFAULT_EXTRACTS,
) -> None:
    request = MetricRequest(
        metrics=_items(metric),
        group_by=_items(group_by or []),
        where=tuple(where or ()),
        order_by=tuple(order or ()),
        limit=limit,
    )
    answer = query_as(built_warehouse(), as_, request, target, extracts)
    if answer.rebuilt is not None and answer.extract is not None:
        typer.echo(f"built {extracts / answer.extract.file} ({answer.rebuilt})", err=True)
    if as_json:
        rows = [[_json_value(value) for value in row] for row in answer.rows]
        typer.echo(json.dumps({"columns": answer.columns, "rows": rows, "sql": answer.sql}))
        return
    principal = answer.extract.principal if answer.extract else as_
    table = Table(*(shown(name) for name in answer.columns), title=f"as {shown(principal)}")
    for row in answer.rows:
        table.add_row(*(shown(value) for value in row))
    plain_console().print(table)
    if show_sql:
        typer.echo(answer.sql)


def _items(values: list[str]) -> tuple[str, ...]:
    """Repeated options and comma lists alike (`--metrics a,b --metrics c`), as `mf` takes them."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def _json_value(value: object) -> object:
    """Numbers as JSON numbers, dates and times as ISO strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    return float(value)  # type: ignore[arg-type]
