"""`lakesight spark …`: the Spark target's steps that dbt-spark cannot run itself."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from lakesight.cli.quality import outcome_table, verdict
from lakesight.config import lake_path
from lakesight.display import shown
from lakesight.engines.spark.session import SparkUnavailable, unavailable_reason
from lakesight.load.files import LakeLoadError, check_lake_folder

spark_app = typer.Typer(
    help="The Spark target (docs/scale-out.md): load the raw layer into Spark tables.",
    no_args_is_help=True,
)

_err = Console(stderr=True)


@spark_app.command("check")
def check() -> None:
    """Exit 0 when Java 17+ and PySpark are present, else say what to install (exit 1)."""
    reason = unavailable_reason()
    if reason:
        _err.print(Text(shown(reason), style="red"))
        raise typer.Exit(1)
    typer.echo("Spark target available")


@spark_app.command("load")
def load(
    lake: Annotated[
        str | None,
        typer.Option(
            "--lake", help="Lake folder. Default: $LAKESIGHT_LAKE if set, else data/lake."
        ),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option("--select", "-s", help="Only this raw model (repeatable).")
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Drop and reload the raw tables.")
    ] = False,
    project_dir: Annotated[Path, typer.Option(help="The dbt project (profiles.yml).")] = Path(),
) -> None:
    """Run the raw models (models/raw/*.py) into raw.* on Spark: new and changed lake files only;
    then (without --select) register the lake as the external tables lake.<system>__<table>.

    The session is the profile's `spark` output (metastore and warehouse under
    $LAKESIGHT_SPARK_DIR); run it before `dbt build --target spark`, not at the same time
    (embedded Derby admits one process)."""
    from lakesight.engines.spark.raw import load_raw
    from lakesight.engines.spark.session import spark_session

    root = str((Path(lake) if lake else lake_path()).resolve())
    started = time.perf_counter()
    try:
        check_lake_folder(root)  # before the JVM starts (docs/lake.md)
        spark = spark_session(project_dir)
        for result in load_raw(spark, project_dir, root, select or (), full_refresh):
            typer.echo(
                f"{result.schema}.{result.identifier}: {result.files} file(s), "
                f"{result.rows} row(s) in {result.seconds:.1f} s"
            )
        if not select:  # the lake's external tables, checked by the loads' rules first
            from lakesight.engines.spark.lake import register_lake

            for line in register_lake(spark, project_dir, root):
                typer.echo(line)
    except (SparkUnavailable, LakeLoadError) as exc:
        _err.print(Text(shown(exc), style="red"))
        raise typer.Exit(1) from exc
    typer.echo(f"Spark raw step done in {time.perf_counter() - started:.1f} s")


@spark_app.command("extract")
def extract(
    principal: Annotated[
        list[str], typer.Option("--principal", "-p", help="A principal to read as (repeatable).")
    ],
    out: Annotated[Path, typer.Option(help="Writes <out>/<principal>/<view>.parquet.")],
    project_dir: Annotated[Path, typer.Option(help="The dbt project (profiles.yml).")] = Path(),
) -> None:
    """Write every secure view as each principal sees it, as parquet (after the Spark build).

    current_user() is set for each principal the way Spark's Thrift Server sets it for an
    authenticated session (lakesight/engines/spark/secure.py): what that user would read there.
    Not a boundary of its own: run it where the warehouse's owner runs dbt, not as the
    principal."""
    from lakesight.engines.spark.secure import extract_as, principal_folder
    from lakesight.engines.spark.session import spark_session

    try:
        spark = spark_session(project_dir)
        for name, rows in extract_as(spark, principal, out).items():
            typer.echo(f"{name!r}: {rows} row(s) in {out / principal_folder(name)}")
    except SparkUnavailable as exc:
        _err.print(Text(shown(exc), style="red"))
        raise typer.Exit(1) from exc


@spark_app.command("validate")
def validate(
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write each suite's outcome here (JSON)."),
    ] = None,
    project_dir: Annotated[Path, typer.Option(help="The dbt project (profiles.yml).")] = Path(),
) -> None:
    """Validate the Spark warehouse with the GX mart suites, on GX's Spark engine (after the
    Spark build); fail on a critical expectation, as `lakesight validate` does on DuckDB.

    The raw landing contract is DuckDB's (its catalog and JSON functions) and the secure suites
    switch principal per query: on Spark the parity test compares those datasets instead."""
    from lakesight.engines.spark.session import spark_session
    from lakesight.engines.spark.validate import validate_marts

    try:
        spark = spark_session(project_dir)
    except SparkUnavailable as exc:
        _err.print(Text(shown(exc), style="red"))
        raise typer.Exit(1) from exc
    outcomes = validate_marts(spark)
    if json_out is not None:
        json_out.write_text(json.dumps([dataclasses.asdict(o) for o in outcomes], indent=2))
    console = Console()
    console.print(outcome_table(outcomes))
    verdict(console, outcomes)
