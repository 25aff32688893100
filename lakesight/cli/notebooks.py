"""`lakesight notebooks build`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from lakesight.cli.options import Extracts, OnlyPrincipal, Out
from lakesight.config import warehouse_path
from lakesight.security.access import DEFAULT_EXTRACTS

notebooks_app = typer.Typer(
    help="Notebooks (notebooks/*.py, Jupytext) executed per principal on its extract, to HTML.",
    no_args_is_help=True,
)

BUILD_HELP = (
    "Execute every notebook for each active principal (or only --as), into --out.\n\n"
    "Each run gets the principal and the path of its extract (built or refreshed in --extracts"
    " as for `query --as`) in a cell inserted after the notebook's `parameters` cell; the"
    " notebook opens that extract confined (read-only, external access off), so it sees only"
    " what the principal may see. Cells run headless (nbclient, this Python's kernel); a cell"
    " that raises stops the build, naming the notebook and the cell. Writes <out>/index.html"
    " (every principal: for the owners) and <out>/<extract-name>/<notebook>.html; `make build`"
    " puts each principal's notebooks in their portal instead (`lakesight portals`)."
)


@notebooks_app.command(help=BUILD_HELP)
def build(
    as_: OnlyPrincipal = None,
    folder: Annotated[
        Path, typer.Option("--notebooks", help="Folder of the notebooks (*.py).")
    ] = Path("notebooks"),
    out: Out = Path("target/notebooks"),
    extracts: Extracts = DEFAULT_EXTRACTS,
) -> None:
    # nbconvert, nbclient and jupytext are imported only to build notebooks
    from lakesight.consume.notebooks.run import build_notebooks

    warehouse = warehouse_path()
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse} is missing: run `make build` (dbt build) first")
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("notebooks", total=None)

        def advance(total: int, what: str) -> None:
            bar.update(task, total=total, advance=1, description=what)

        built = build_notebooks(warehouse, folder, out, extracts, as_, advance)
    typer.echo(f"{built.notebooks} notebooks x {built.principals} principals: {built.index}")
