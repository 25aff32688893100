"""`lakesight lake …` commands: generate a deterministic data lake, or append days to it."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from lakesight.config import lake_path
from lakesight.display import shown
from lakesight.lake.manifest import LakeError, LakeManifest
from lakesight.load.files import LakeLoadError, check_lake_folder

lake_app = typer.Typer(
    help="Generate or extend the local data lake (data/lake/).", no_args_is_help=True
)

_err = Console(stderr=True)


def _default_lake() -> Path:
    return lake_path()


def _checked(folder: Path) -> Path:
    """The lake folder, refused when its path holds a glob character (docs/lake.md): a lake
    the loads could not read is not written either."""
    check_lake_folder(str(folder))
    check_lake_folder(str(folder.resolve()))
    return folder


LakeOption = Annotated[
    Path | None,
    typer.Option(
        "--lake",
        help="Lake folder. Default: $LAKESIGHT_LAKE if set, else data/lake.",
        show_default=False,
        file_okay=False,
    ),
]


@contextmanager
def _progress(days: int, quiet: bool) -> Iterator[Callable[[dt.date], None]]:
    """A rich progress bar over the days being written (silent with --quiet)."""
    if quiet:
        yield lambda _day: None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[day]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_err, transient=not sys.stderr.isatty()) as bar:
        task = bar.add_task("writing days", total=days, day="")
        yield lambda day: bar.update(task, advance=1, day=day.isoformat())


def _parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LakeError(f"--start must be a date like 2025-01-01 (got {text!r}).") from None


def _fail(exc: Exception) -> typer.Exit:
    _err.print(Text.assemble(("error:", "red"), f" {shown(exc)}"), highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _summary(lake: Path, manifest: LakeManifest, seconds: float) -> None:
    counts = ", ".join(f"{name} {t['records']:,}" for name, t in manifest.tables.items())
    _err.print(
        Text(
            f"lake {shown(lake)}: {manifest.start} … {manifest.end} ({manifest.days} days, scale "
            f"{manifest.scale}, seed {manifest.seed}) in {seconds:.1f} s — records: {counts}"
        ),
        highlight=False,
    )


@lake_app.command("generate")
def generate_command(
    scale: Annotated[
        float,
        typer.Option(
            help="Size: 1 ≈ 1,000,000 order lines per 365 days; everything scales "
            "linearly (products: 200 + 800 * scale)."
        ),
    ] = 0.02,
    start: Annotated[
        str, typer.Option(help="First day (YYYY-MM-DD), from 2023-01-01.")
    ] = "2025-01-01",
    days: Annotated[
        int, typer.Option(help="Number of days; the last one must be at most 2027-12-31.")
    ] = 365,
    seed: Annotated[
        int, typer.Option(help="Random seed; same options → byte-identical files.")
    ] = 42,
    lake: LakeOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Delete an existing lake in the folder first.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
) -> None:
    """Write a new, deterministic data lake (refuses a non-empty folder without --force)."""
    folder = lake or _default_lake()
    began = time.perf_counter()
    try:
        _checked(folder)
        with _progress(days, quiet) as on_day:
            from lakesight.lake.generate import generate  # polars: imported to write

            manifest = generate(
                folder, scale=scale, start=_parse_day(start), days=days, seed=seed, force=force,
                on_day=on_day,
            )  # fmt: skip
    except (LakeError, LakeLoadError) as exc:
        raise _fail(exc) from None
    if not quiet:
        _summary(folder, manifest, time.perf_counter() - began)


@lake_app.command("append")
def append_command(
    days: Annotated[int, typer.Option(help="Number of days to add after the lake's last day.")] = 7,
    lake: LakeOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
) -> None:
    """Add the next days to an existing lake as new partitions (reads and updates _lake.json).

    The result is identical to having generated all the days in one go.
    """
    folder = lake or _default_lake()
    began = time.perf_counter()
    try:
        _checked(folder)
        with _progress(days, quiet) as on_day:
            from lakesight.lake.generate import append

            manifest = append(folder, days=days, on_day=on_day)
    except (LakeError, LakeLoadError) as exc:
        raise _fail(exc) from None
    if not quiet:
        _summary(folder, manifest, time.perf_counter() - began)
