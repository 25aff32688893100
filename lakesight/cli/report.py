"""`lakesight summary` and `lakesight site`: the last build in the terminal and as a site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lakesight.cli.options import DEFAULT_RUN_RESULTS
from lakesight.config import spark_dir, warehouse_path
from lakesight.site.owner import build_site
from lakesight.site.summary import print_summary


def summary(
    run_results: Annotated[
        Path, typer.Option(help="dbt's run_results.json of the build to summarise.")
    ] = DEFAULT_RUN_RESULTS,
    spark: Annotated[
        bool,
        typer.Option(
            "--spark",
            help="The build was on Spark (make build ENGINE=spark): count the lake rows in the "
            "Spark warehouse ($LAKESIGHT_SPARK_DIR) instead of the DuckDB file.",
        ),
    ] = False,
) -> None:
    """Summarise the last dbt build: results per resource type, lake rows staged and quarantined."""
    if not run_results.exists():
        typer.echo(f"No dbt results at {run_results}: run `dbt build` first.", err=True)
        raise typer.Exit(1)
    counts = None
    if spark:
        from lakesight.engines.spark.summary import spark_table_counts

        counts = spark_table_counts()
    where = spark_dir() if spark else None
    if not print_summary(run_results, where or warehouse_path(), counts=counts):
        raise typer.Exit(1)


def site(
    target: Annotated[
        Path, typer.Option(help="dbt's target folder (after `dbt docs generate --static`).")
    ] = Path("target"),
    out: Annotated[Path, typer.Option(help="Folder to write the site into.")] = Path("site"),
    portals: Annotated[
        Path, typer.Option(help="Folder of the portals, listed on the index (never linked).")
    ] = Path("portals"),
) -> None:
    """Write the owners' site index: the build's figures, links to the owners' pages, the
    portals listed; removes principals' folders an earlier build wrote into the site."""
    try:
        index = build_site(Path.cwd(), target, warehouse_path(), out, portals)
    except FileNotFoundError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Site: {index.resolve()}")
