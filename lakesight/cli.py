"""The `lakesight` command line: lake generation, build summary and more."""

from __future__ import annotations

import typer

from lakesight.lake.cli import lake_app

app = typer.Typer(
    help="lakesight: generate the local data lake and inspect the DuckDB warehouse built by dbt.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(lake_app, name="lake")


@app.callback()
def main() -> None:
    """lakesight command line."""


if __name__ == "__main__":
    app()
