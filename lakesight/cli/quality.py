"""`lakesight validate`: the GX checkpoint over the warehouse, as a short rich table."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lakesight.config import warehouse_path
from lakesight.display import data, shown
from lakesight.outputs import DATA_DOCS, generation, output_lock
from lakesight.quality.datadocs import NODE_MODULES, OfflineError, make_offline
from lakesight.quality.outcome import SuiteOutcome
from lakesight.quality.report import dbt_rows, gx_rows, totals, write_html


def outcome_table(outcomes: list[SuiteOutcome]) -> Table:
    """One row per suite: expectations met and failed, and what failed with its worst offenders."""
    table = Table(title="Great Expectations checkpoint", title_justify="left")
    table.add_column("suite")
    table.add_column("met", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("failed expectations and worst offenders", overflow="fold")
    for outcome in outcomes:
        lines = Text("\n").join(
            Text.assemble(
                (failure.severity, "red" if failure.severity == "critical" else "yellow"),
                f" {shown(failure.expectation)} — {shown(failure.offenders)}",
            )
            for failure in outcome.failures
        )
        failed = str(len(outcome.failures))
        table.add_row(
            data(outcome.suite),
            str(outcome.met),
            Text(failed, style="red") if outcome.critical else failed,
            lines,
        )
    return table


def validate(
    database: Annotated[
        Path | None,
        typer.Option(help="Warehouse file (default: env LAKESIGHT_DB or lakesight.duckdb)."),
    ] = None,
    run_results: Annotated[
        Path | None,
        typer.Option(help="dbt's run_results.json to merge into the quality report."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write the merged quality report (HTML) here.")
    ] = None,
    data_docs: Annotated[
        Path | None,
        typer.Option(
            help="Write GX Data Docs (suites and this run's results) into this folder, "
            "made to work offline with the npm assets in node_modules/."
        ),
    ] = None,
) -> None:
    """Validate the warehouse with the GX suites (read-only); fail on a critical expectation."""
    path = database or warehouse_path()
    if not path.exists():
        typer.echo(f"No warehouse at {path}: run `dbt build` first.", err=True)
        raise typer.Exit(1)
    if data_docs is not None and not NODE_MODULES.is_dir():
        typer.echo(
            f"No {NODE_MODULES}: the Data Docs need the npm assets, run `make build` "
            "(or `npm ci`) first.",
            err=True,
        )
        raise typer.Exit(1)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    from lakesight.quality.runner import run_checkpoint  # GX is slow to import: only when used

    if data_docs is None:
        outcomes = run_checkpoint(path)
    else:  # a generated folder (lakesight/outputs.py): a new generation, then the switch
        with output_lock(data_docs, DATA_DOCS), generation(data_docs, DATA_DOCS) as new:
            outcomes = run_checkpoint(path, data_docs=new.folder)
            try:
                pages = make_offline(new.folder)
            except OfflineError as error:
                typer.echo(f"GX Data Docs in {data_docs} are not offline: {error}", err=True)
                raise typer.Exit(1) from error
    console = Console()
    console.print(outcome_table(outcomes))
    rows = gx_rows(outcomes)
    if run_results is not None:
        if not run_results.exists():
            typer.echo(f"No dbt results at {run_results}: run `dbt build` first.", err=True)
            raise typer.Exit(1)
        rows = dbt_rows(run_results) + rows
    for source, counts in totals(rows).items():
        kind = "models tested" if source == "dbt" else "suites"
        console.print(
            f"quality {source}: {sum(counts.values())} {kind} — {counts['pass']} pass,"
            f" {counts['warn']} warn, {counts['fail']} fail"
        )
    if report is not None:
        console.print(
            Text(f"Quality report: {shown(write_html(rows, report).resolve())}"), soft_wrap=True
        )
    if data_docs is not None:
        index = (data_docs / "index.html").absolute()
        console.print(
            Text(f"GX Data Docs: {shown(index)} ({len(pages)} pages, no network needed)"),
            soft_wrap=True,
        )
    verdict(console, outcomes)


def verdict(console: Console, outcomes: list[SuiteOutcome]) -> None:
    """Print the totals; exit 1 when a critical expectation failed."""
    critical = sum(len(outcome.critical) for outcome in outcomes)
    warned = sum(len(outcome.failures) for outcome in outcomes) - critical
    met = sum(outcome.met for outcome in outcomes)
    if critical:
        console.print(f"[red]{critical} critical expectation(s) failed[/] ({warned} warning(s)).")
        raise typer.Exit(1)
    console.print(f"[green]{met} expectation(s) met[/], {warned} warning(s), no critical failure.")
