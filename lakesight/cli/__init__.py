"""The `lakesight` command line: the app, its command groups, and one sentence per error.

One module per command group (docs/ and each command's --help say what it does); the options
several commands share are declared once in options.py. Commands are thin: the work is in the
library modules they call.
"""

from __future__ import annotations

import sys
from typing import Annotated

import duckdb
import typer

from lakesight.cli import metrics, portals, profiles, report, security
from lakesight.cli.build import build
from lakesight.cli.dashboards import dashboards_app
from lakesight.cli.errors import UserError, built_warehouse
from lakesight.cli.lake import lake_app
from lakesight.cli.ml import ml_app
from lakesight.cli.notebooks import notebooks_app
from lakesight.cli.quality import validate
from lakesight.cli.spark import spark_app
from lakesight.consume.dashboards.definitions import SpecError
from lakesight.consume.dashboards.queries import TileTooLarge
from lakesight.consume.ml import TrainError
from lakesight.consume.notebooks import NotebookError
from lakesight.consume.profiles.run import ProfileError
from lakesight.display import shown
from lakesight.outputs import OutputError
from lakesight.security.extracts import ExtractError
from lakesight.semantic.manifest import SemanticError

__all__ = ["UserError", "app", "built_warehouse", "explain", "main"]

app = typer.Typer(
    help="lakesight: generate the local data lake and inspect the warehouse dbt builds from it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(lake_app, name="lake")
app.add_typer(dashboards_app, name="dashboards")
app.add_typer(notebooks_app, name="notebooks")
app.add_typer(ml_app, name="ml")
app.add_typer(spark_app, name="spark")
# the commands in the order --help lists them
app.command(name="build")(build)
app.command(name="validate")(validate)
app.command()(report.summary)
app.command()(report.site)
app.command(help=profiles.PROFILE_HELP)(profiles.profile)
app.command(name="profiles")(profiles.profiles_command)
app.command(name="portals")(portals.portals_command)
app.command(help=security.QUERY_HELP)(security.query)
app.command(help=metrics.METRICS_HELP)(metrics.metrics)
app.command(help=security.PUBLISH_HELP)(security.publish)
app.command(name="export-policies")(security.export_policies_command)

_debug = False


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an unexpected error.")
    ] = False,
) -> None:
    global _debug
    _debug = debug


def explain(error: Exception) -> str | None:
    """One sentence with the fix for the errors a user meets, or None for a bug."""
    if isinstance(
        error,
        UserError
        | ExtractError
        | OutputError
        | TileTooLarge
        | ProfileError
        | NotebookError
        | TrainError
        | SemanticError,
    ):
        return str(error)
    if isinstance(error, SpecError):
        return "the dashboard files have problems:\n" + str(error)
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, duckdb.IOException) and "lock" in first.lower():
        return (
            f"The warehouse is in use by another process ({first}): wait for the running"
            " `dbt build` to finish, then try again."
        )
    if isinstance(error, duckdb.CatalogException | duckdb.ParserException | duckdb.BinderException):
        return (
            f"The SQL failed: {first.rstrip('.!')}. List the tables with: lakesight query"
            ' --as <user> "select table_schema, table_name from information_schema.tables"'
        )
    return None


def main() -> None:
    """Console entry point: an unexpected error is one sentence, its traceback only with --debug."""
    try:
        app()
    except Exception as error:  # typer.Exit and SystemExit are not Exceptions: they pass through
        if _debug:
            raise
        sentence = explain(error)
        if sentence is None:
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            sentence = (
                f"{type(error).__name__}: {message} (an unexpected error: run again with"
                " `lakesight --debug …` for the traceback, and report it)"
            )
        typer.echo(f"lakesight: {shown(sentence)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
