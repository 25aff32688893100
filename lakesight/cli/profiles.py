"""`lakesight profile` and `profiles`: column statistics of a relation, and the site's pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lakesight.cli.errors import built_warehouse
from lakesight.cli.options import DbtManifestPath, Extracts
from lakesight.consume.profiles.pages import render_profile
from lakesight.consume.profiles.run import MANIFEST, build_profiles, profile_as, profile_warehouse
from lakesight.consume.profiles.stats import SAMPLE_ABOVE, SAMPLE_ROWS
from lakesight.dbt_artifacts import read_dbt_manifest
from lakesight.display import plain_console, shown
from lakesight.security.access import DEFAULT_EXTRACTS

PROFILE_HELP = f"""Profile a relation: per column type, null share, distinct values, min/max,
mean/std, quantiles, top values, histogram and KDE; a missing-values matrix; Pearson and
Spearman correlations; duplicates on the primary key (from dbt's manifest).

Every statistic is computed in DuckDB SQL where the data is (the table is never loaded into
pandas). Above {SAMPLE_ABOVE:,} rows the statistics use a repeatable reservoir sample of
{SAMPLE_ROWS:,} rows (the row count and key duplicates use every row), and the output says so.

RELATION is `name` or `schema.name` (e.g. fct_order_items, marts.fct_orders). With --as the
relation is a secure dataset (e.g. orders) read from that principal's extract (built or
refreshed first, as `lakesight query --as` does), never from the warehouse. Without --as, a
column the security policy restricts for anyone is profiled on its masked values (the most
restrictive mask of that column name; docs/security.md), never in clear.
"""


def profile(
    relation: Annotated[str, typer.Argument(help="The relation: name or schema.name.")],
    as_: Annotated[
        str | None,
        typer.Option("--as", help="Profile the secure dataset as this principal sees it."),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write the profile page (HTML) to this file.")
    ] = None,
    manifest: DbtManifestPath = MANIFEST,
    extracts: Extracts = DEFAULT_EXTRACTS,
) -> None:
    warehouse = built_warehouse()
    known = read_dbt_manifest(manifest)
    if as_ is None:
        result = profile_warehouse(warehouse, relation, known)
    else:
        result = profile_as(warehouse, as_, relation, known, extracts)
    title = f"{shown(result.relation)}: {result.rows:,} rows, from {shown(result.source)}"
    if result.sampled:
        title += f" (statistics on a sample of {result.profiled_rows:,} rows)"
    table = Table(title=title)
    for name in ("column", "type", "nulls", "distinct", "min", "max", "mean", "std", "median"):
        table.add_column(name, justify="left" if name in ("column", "type") else "right")
    for column in result.columns:

        def show(value: object) -> str:
            return f"{value:,.4g}" if isinstance(value, float) else shown(value)

        table.add_row(
            shown(column.name),
            shown(column.type),
            f"{column.null_share:.1%}",
            f"{column.distinct:,}",
            show(column.minimum),
            show(column.maximum),
            show(column.mean),
            show(column.std),
            show(column.quantiles.get(0.5)),
        )
    console = plain_console()
    console.print(table)
    if result.masked:
        masked = ", ".join(f"{name} ({mask})" for name, mask in sorted(result.masked.items()))
        console.print(f"restricted by the policy, profiled masked: {shown(masked)}")
    if result.keys is None:
        console.print("primary key: none declared in dbt's manifest")
    else:
        keys = result.keys
        console.print(
            f"primary key ({', '.join(map(shown, keys.columns))}):"
            f" {keys.duplicated_keys:,} duplicated keys"
            f" ({keys.duplicate_rows:,} extra rows), {keys.null_keys:,} rows with a null key"
        )
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_profile(result, home="index.html"), encoding="utf-8")
        console.print(f"page: {shown(html.resolve())}")


def profiles_command(
    out: Annotated[Path, typer.Option(help="Folder for the pages.")] = Path("site/profiles"),
    manifest: DbtManifestPath = MANIFEST,
) -> None:
    """Write the owners' profile pages: every mart, restricted columns masked, and an index (see
    `profile --help`). The secure datasets as each principal sees them are in their portal
    (`lakesight portals`)."""
    index = build_profiles(
        built_warehouse(),
        out,
        manifest,
        progress=lambda name: typer.echo(f"profiling {name}", err=True),
    )
    typer.echo(f"Profiles: {index.absolute()}")
