"""`lakesight build`: the whole DuckDB build in order (lakesight.pipeline says which steps, and
what a failure skips); `make build` runs it after generating the lake."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lakesight.config import dbt_target
from lakesight.display import plain_console, shown
from lakesight.pipeline import FAILED, Step, build_steps, run_steps


def build(
    target: Annotated[
        Path | None,
        typer.Option(help="dbt's target folder (default: $DBT_TARGET_PATH, else target)."),
    ] = None,
    site: Annotated[Path, typer.Option(help="Folder of the owners' site.")] = Path("site"),
    portals: Annotated[
        Path, typer.Option(help="Folder of the principals' portals (one each, and its zip).")
    ] = Path("portals"),
) -> None:
    """Build the warehouse from the lake and everything made from it, in order.

    dbt build (after a warehouse lock check), summary, validate (quality report, GX Data Docs),
    the churn model, dbt docs and the mart profiles (the owners' site), a portal per active
    principal (its dashboards, profiles and notebooks, from its extract), then the site's index.
    The summary and validate run after a failed dbt build too; the steps after them run only
    while nothing has failed. Exit 75 when the warehouse is locked (lakesight/pipeline.py)."""
    steps = build_steps(target or dbt_target(), site, portals)
    console = plain_console(stderr=True)

    def announce(index: int, step: Step) -> None:
        console.rule(f"lakesight build [{index + 1}/{len(steps)}]: {step.name}")

    result = run_steps(steps, announce)
    table = Table(title=f"lakesight build: exit {result.status}")
    for name in ("step", "outcome", "seconds"):
        table.add_column(name, justify="right" if name == "seconds" else "left")
    for outcome in result.steps:
        status = f" ({outcome.status})" if outcome.outcome == FAILED else ""
        seconds = f"{outcome.seconds:,.1f}" if outcome.status is not None else ""
        table.add_row(shown(outcome.name), outcome.outcome + status, seconds)
    console.print(table)
    raise typer.Exit(result.status)
