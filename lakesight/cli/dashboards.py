"""`lakesight dashboards check|build`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lakesight.cli.options import Extracts, OnlyPrincipal, Out
from lakesight.config import warehouse_path
from lakesight.consume.dashboards.definitions import load_pages
from lakesight.consume.dashboards.exposures import EXPOSURES, exposures_yaml
from lakesight.consume.dashboards.queries import ROW_CAP
from lakesight.security.access import DEFAULT_EXTRACTS

dashboards_app = typer.Typer(
    help="Dashboards as code: dashboards/*.yml checked, then rendered per principal.",
    no_args_is_help=True,
)

FOLDER_HELP = "Folder of the dashboard files (*.yml)."


@dashboards_app.command(
    help="Check every dashboard file against the schema and the secure datasets' columns;"
    " print each problem as <file>: tile <n> (<title>): <what>, and exit 1 if there is one."
)
def check(
    folder: Annotated[Path, typer.Option("--dashboards", help=FOLDER_HELP)] = Path("dashboards"),
) -> None:
    pages = load_pages(folder)
    tiles = sum(len(page.tiles) for page in pages)
    typer.echo(f"{len(pages)} dashboard pages, {tiles} tiles: ok")


BUILD_HELP = f"""Render every dashboard page for each active principal (or only --as), into --out.

The files are checked first (as `dashboards check`); then each principal's pages are rendered from
that principal's extract only (built or refreshed in --extracts as for `query --as`, opened
read-only with external access off): per tile an aggregating SQL query, a Vega-Lite 5 spec shown by
vega-embed (copied from node_modules) and a static SVG. A tile whose result has more than
{ROW_CAP} rows fails the build. Writes <out>/index.html (every principal: for the owners) and
<out>/<extract-name>/<page>.html. `make build` puts each principal's pages in their portal
instead (`lakesight portals`).
"""


@dashboards_app.command(help=BUILD_HELP)
def build(
    as_: OnlyPrincipal = None,
    folder: Annotated[Path, typer.Option("--dashboards", help=FOLDER_HELP)] = Path("dashboards"),
    out: Out = Path("target/dashboards"),
    extracts: Extracts = DEFAULT_EXTRACTS,
) -> None:
    warehouse = warehouse_path()
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse} is missing: run `make build` (dbt build) first")
    from lakesight.consume.dashboards.build import (
        build_dashboards,  # vl-convert: imported to render
    )

    done = build_dashboards(warehouse, folder, out, extracts, None if as_ is None else [as_])
    for rendered in done:
        note = "" if rendered.any_rows else " (sees no rows of a restricted dataset)"
        left_out = f", {len(rendered.empty)} left out (no rows)" if rendered.empty else ""
        typer.echo(
            f"{rendered.principal}: {len(rendered.shown)} page(s){left_out}"
            f" in {out / rendered.folder}{note}"
        )


@dashboards_app.command(
    help="Write the dbt exposures of the dashboard pages (one per page, on the marts behind its"
    f" secure datasets) to {EXPOSURES.name}; --check only compares and exits 1 when they differ."
)
def exposures(
    folder: Annotated[Path, typer.Option("--dashboards", help=FOLDER_HELP)] = Path("dashboards"),
    check_only: Annotated[
        bool, typer.Option("--check", help="Compare only; write nothing.")
    ] = False,
) -> None:
    text = exposures_yaml(load_pages(folder))
    current = EXPOSURES.read_text(encoding="utf-8") if EXPOSURES.exists() else ""
    if check_only:
        if text != current:
            typer.echo(
                f"{EXPOSURES} is out of date: run `lakesight dashboards exposures`", err=True
            )
            raise typer.Exit(1)
        typer.echo(f"{EXPOSURES.name}: up to date")
        return
    EXPOSURES.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {EXPOSURES}")
