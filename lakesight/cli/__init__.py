"""The `lakesight` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from lakesight.config import spark_dir, warehouse_path
from lakesight.dashboards.cli import dashboards_app
from lakesight.dashboards.queries import TileTooLarge
from lakesight.dashboards.spec import SpecError
from lakesight.dbt_artifacts import read_manifest
from lakesight.display import plain_console, shown
from lakesight.lake.cli import lake_app
from lakesight.ml import TrainError
from lakesight.ml.cli import ml_app
from lakesight.notebooks import NotebookError
from lakesight.notebooks.cli import notebooks_app
from lakesight.outputs import OutputError
from lakesight.profile.pages import render_profile
from lakesight.profile.run import (
    MANIFEST,
    ProfileError,
    build_profiles,
    profile_as,
    profile_warehouse,
)
from lakesight.profile.stats import SAMPLE_ABOVE, SAMPLE_ROWS
from lakesight.quality.cli import validate
from lakesight.security.access import DEFAULT_EXTRACTS, query_as
from lakesight.security.extracts import ExtractError
from lakesight.security.extracts import publish as publish_extracts
from lakesight.security.extracts import verify as verify_extracts
from lakesight.security.native import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_DATABASE,
    DEFAULT_NAMESPACE,
    DEFAULT_REGION,
    Settings,
    export_policies,
)
from lakesight.security.resolved import PolicyNotBuilt
from lakesight.site import build_site
from lakesight.spark.cli import spark_app
from lakesight.summary import print_summary

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
app.command(name="validate")(validate)

_debug = False


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an unexpected error.")
    ] = False,
) -> None:
    global _debug
    _debug = debug


class UserError(Exception):
    """A failure the user can fix: one sentence saying what is wrong and what to do."""


def built_warehouse() -> Path:
    """The warehouse file, which must exist (dbt builds it)."""
    path = warehouse_path()
    if not path.exists():
        raise UserError(
            f"No warehouse at {path}: run `make build` first (or point LAKESIGHT_DB at one)."
        )
    return path


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
        | TrainError,
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


@app.command()
def summary(
    run_results: Annotated[
        Path, typer.Option(help="dbt's run_results.json of the build to summarise.")
    ] = Path("target/run_results.json"),
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
        from lakesight.summary import spark_table_counts

        counts = spark_table_counts()
    where = spark_dir() if spark else None
    if not print_summary(run_results, where or warehouse_path(), counts=counts):
        raise typer.Exit(1)


@app.command()
def site(
    target: Annotated[
        Path, typer.Option(help="dbt's target folder (after `dbt docs generate --static`).")
    ] = Path("target"),
    out: Annotated[Path, typer.Option(help="Folder to write the site into.")] = Path("site"),
) -> None:
    """Write the project site: an index with the build's figures, linking the dbt docs page."""
    try:
        index = build_site(Path.cwd(), target, warehouse_path(), out)
    except FileNotFoundError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Site: {index.resolve()}")


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


@app.command(help=PROFILE_HELP)
def profile(
    relation: Annotated[str, typer.Argument(help="The relation: name or schema.name.")],
    as_: Annotated[
        str | None,
        typer.Option("--as", help="Profile the secure dataset as this principal sees it."),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write the profile page (HTML) to this file.")
    ] = None,
    manifest: Annotated[
        Path, typer.Option(help="dbt's manifest.json, for the primary key.")
    ] = MANIFEST,
    extracts: Annotated[
        Path, typer.Option(help="Folder of the on-demand extracts (with --as).")
    ] = DEFAULT_EXTRACTS,
) -> None:
    warehouse = built_warehouse()
    known = read_manifest(manifest)
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


@app.command(name="profiles")
def profiles_command(
    out: Annotated[Path, typer.Option(help="Folder for the pages.")] = Path("site/profiles"),
    manifest: Annotated[Path, typer.Option(help="dbt's manifest.json.")] = MANIFEST,
    extracts: Annotated[
        Path, typer.Option(help="Folder of the on-demand extracts.")
    ] = DEFAULT_EXTRACTS,
) -> None:
    """Write the site's profile pages: every mart, and every secure dataset as each active
    principal sees it (from that principal's extract), with an index (see `profile --help`)."""
    index = build_profiles(
        built_warehouse(),
        out,
        manifest,
        extracts,
        progress=lambda name: typer.echo(f"profiling {name}", err=True),
    )
    typer.echo(f"Profiles: {index.absolute()}")


QUERY_HELP = """Run SQL as a principal, on that principal's extract only, and print the result.

The SQL never runs on the warehouse. It runs on the principal's extract in --extracts (built, or
rebuilt when the warehouse changed since or the file no longer matches its manifest hash), which
holds only the tables secure.<dataset> as the principal sees them: rows filtered, masks applied.
It is opened read-only with external access disabled and the configuration locked.

Guaranteed: the marts, the policy tables, other principals' extracts, any file (read or write),
ATTACH, INSTALL/LOAD and SET/PRAGMA of settings are refused with one sentence; SET VARIABLE works
but changes nothing (nothing in the extract reads a variable). A syntax error, a table the extract
does not have or another SQL error is named as such, with its line and column. An unknown or
inactive principal is an error and gets no data (naming a character such as a tab that makes the
name unknown). Cells print as they are: never as markup, control characters as escapes.

Not guaranteed: this is not authentication (whoever runs it may name any principal: on this
machine the warehouse file itself is readable too), and a query may use all memory and CPU.
"""


@app.command(help=QUERY_HELP)
def query(
    sql: Annotated[str, typer.Argument(help="The SQL to run, e.g. 'select * from secure.orders'.")],
    as_: Annotated[str, typer.Option("--as", help="The principal (user name) to query as.")],
    extracts: Annotated[
        Path, typer.Option(help="Folder of the on-demand extracts (and their manifest.json).")
    ] = DEFAULT_EXTRACTS,
) -> None:
    result = query_as(built_warehouse(), as_, sql, extracts)
    if result.rebuilt is not None:
        typer.echo(
            f"built {extracts / result.extract.file} for {result.extract.principal}"
            f" ({result.rebuilt})",
            err=True,
        )
    table = Table(
        *(shown(name) for name in result.names),
        title=f"as {shown(result.extract.principal)}: {len(result.rows):,} rows",
    )
    for row in result.rows:
        table.add_row(*(shown(value) for value in row))
    plain_console().print(table)


PUBLISH_HELP = """Write one DuckDB extract per active principal, and exports/manifest.json.

Each extract holds only the tables secure.<dataset> as that principal sees them. File names are
<slug>-<hash of the principal>.duckdb (never two principals in one file). The folder is written as
a new generation and switched to at once (a kill leaves the old extracts or the new ones, each with
its manifest); only what publish wrote is removed, and a folder holding anything else (or the
current folder, the repository, the lake) is refused. The manifest lists principal, file, bytes,
sha256, and rows and a content hash per dataset. A warehouse built with the development mask
salt is refused unless --dev. --check only compares the extracts with the manifest.
"""


@app.command(help=PUBLISH_HELP)
def publish(
    exports: Annotated[Path, typer.Option(help="Folder for the extracts.")] = Path("exports"),
    dev: Annotated[
        bool,
        typer.Option(
            "--dev",
            help="Allow the development mask salt (extracts that never leave this machine).",
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Only check the extracts against manifest.json (size, sha256); write nothing.",
        ),
    ] = False,
) -> None:
    if check:
        problems = verify_extracts(exports)
        if problems:
            raise UserError(
                f"{exports / 'manifest.json'}: " + "; ".join(problems) + ": publish again."
            )
        typer.echo(f"Every extract listed in {exports / 'manifest.json'} matches its sha256.")
        return
    table = Table(title=shown(exports / "manifest.json"))
    for name in ("principal", "file", "bytes", "sha256", "rows per dataset"):
        table.add_column(name, overflow="fold", justify="right" if name == "bytes" else "left")
    columns = (
        TextColumn("extracts", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[who]}", markup=False),
    )
    with Progress(*columns, console=plain_console(stderr=True), transient=True) as bar:
        task = bar.add_task("extracts", total=None, who="")

        def advance(principal: str, total: int) -> None:
            bar.update(task, total=total, advance=1, who=shown(principal))

        written = publish_extracts(built_warehouse(), exports, dev=dev, progress=advance)
    for extract in written:
        rows = ", ".join(f"{name} {count:,}" for name, count in extract.rows.items())
        table.add_row(
            shown(extract.principal),
            shown(extract.file),
            f"{extract.bytes:,}",
            extract.sha256[:12],
            shown(rows),
        )
    console = plain_console()
    console.print(table)
    if written and written[0].mask_salt == "development":
        typer.echo("These extracts use the development mask salt: do not hand them out.", err=True)
    console.print("Open an extract read-only with external access disabled (docs/security.md).")


@app.command(name="export-policies")
def export_policies_command(
    out: Annotated[Path, typer.Option(help="Folder for the native exports.")] = Path(
        "exports-native"
    ),
    warehouse: Annotated[
        Path | None,
        typer.Option(
            help="Built warehouse whose resolved policy (schema policy) is exported"
            " (default: env LAKESIGHT_DB or lakesight.duckdb)."
        ),
    ] = None,
    account_id: Annotated[str, typer.Option(help="AWS account id in ARNs.")] = DEFAULT_ACCOUNT_ID,
    region: Annotated[str, typer.Option(help="QuickSight region in ARNs.")] = DEFAULT_REGION,
    namespace: Annotated[str, typer.Option(help="QuickSight namespace.")] = DEFAULT_NAMESPACE,
    database: Annotated[
        str, typer.Option(help="Glue database holding the marts (Lake Formation).")
    ] = DEFAULT_DATABASE,
    cls_admin: Annotated[
        str | None,
        typer.Option(help="QuickSight user given the restricted columns granted to nobody."),
    ] = None,
) -> None:
    """Write the policy as QuickSight RLS/CLS files and Lake Formation data-cells filters.

    Reads the resolved policy `dbt build` wrote after checking the seeds (the rows the secure views
    read), so run the build first. Nothing is sent to AWS: every file is checked offline
    (botocore's service models).

    See docs/security.md for how they differ from the secure views.
    """
    settings = Settings(account_id, region, namespace, database, cls_admin)
    table = Table(title=f"native policy exports in {shown(out)}")
    table.add_column("file", overflow="fold")
    table.add_column("bytes", justify="right")
    table.add_column("what")
    try:
        written = export_policies(warehouse or built_warehouse(), out, settings)
    except PolicyNotBuilt as error:
        raise UserError(f"{error}.") from None
    for item in written:
        table.add_row(shown(item.path.relative_to(out)), f"{item.size:,}", shown(item.what))
    plain_console().print(table)


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
