"""`lakesight query`, `publish` and `export-policies`: the secure datasets as each principal sees
them, and the policy for AWS (docs/security.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from lakesight.cli.errors import UserError, built_warehouse
from lakesight.cli.options import Extracts, Principal
from lakesight.display import plain_console, shown
from lakesight.security.access import DEFAULT_EXTRACTS, query_as
from lakesight.security.exports_aws import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_DATABASE,
    DEFAULT_NAMESPACE,
    DEFAULT_REGION,
    Settings,
    export_policies,
    scope_warnings,
)
from lakesight.security.extracts import publish as publish_extracts
from lakesight.security.extracts import verify as verify_extracts
from lakesight.security.resolved import PolicyNotBuilt, ResolvedPolicy

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


def query(
    sql: Annotated[str, typer.Argument(help="The SQL to run, e.g. 'select * from secure.orders'.")],
    as_: Principal,
    extracts: Extracts = DEFAULT_EXTRACTS,
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
    (botocore's service models). Principals whose row scopes disagree across datasets are
    listed as warnings after the files (the exports carry the seeds as they are).

    See docs/security.md for how they differ from the secure views.
    """
    settings = Settings(account_id, region, namespace, database, cls_admin)
    table = Table(title=f"native policy exports in {shown(out)}")
    table.add_column("file", overflow="fold")
    table.add_column("bytes", justify="right")
    table.add_column("what")
    try:
        policy = ResolvedPolicy.load(warehouse or built_warehouse())
        written = export_policies(policy, out, settings)
    except PolicyNotBuilt as error:
        raise UserError(f"{error}.") from None
    for item in written:
        table.add_row(shown(item.path.relative_to(out)), f"{item.size:,}", shown(item.what))
    console = plain_console()
    console.print(table)
    # exported as they are, as the build only warns (docs/security.md, "Scopes that disagree")
    warnings = scope_warnings(policy)
    if warnings:
        console.print(
            f"{len(warnings)} warning(s): the exports carry these as the seeds have them;"
            ' fix the seeds or see docs/security.md, "Scopes that disagree":'
        )
        for line in warnings:
            console.print(shown(line), soft_wrap=True)
    else:
        console.print(
            "Every principal's scope agrees across the datasets that share a rule column."
        )
