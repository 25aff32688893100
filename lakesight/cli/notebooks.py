"""`lakesight notebooks build`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from lakesight.cli.options import Extracts, OnlyPrincipal, Out
from lakesight.config import warehouse_path
from lakesight.outputs import NOTEBOOKS, generation, output_lock
from lakesight.security.access import DEFAULT_EXTRACTS
from lakesight.security.extracts import extract_file, normalise_principal

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
    " and <out>/<extract-name>/<notebook>.html."
)


@notebooks_app.command(help=BUILD_HELP)
def build(
    as_: OnlyPrincipal = None,
    folder: Annotated[
        Path, typer.Option("--notebooks", help="Folder of the notebooks (*.py).")
    ] = Path("notebooks"),
    out: Out = Path("site/notebooks"),
    extracts: Extracts = DEFAULT_EXTRACTS,
) -> None:
    # nbconvert, nbclient and jupytext are imported only to build notebooks
    from lakesight.notebooks.run import (
        Executed,
        find_notebooks,
        plan,
        run_principal,
        write_index,
    )

    warehouse = warehouse_path()
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse} is missing: run `make build` (dbt build) first")
    notebooks = find_notebooks(folder)
    principals = plan(warehouse, None if as_ is None else [as_])
    done = []
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn())
    # a generated folder (lakesight/outputs.py): written as a new generation, then switched to
    with output_lock(out, NOTEBOOKS), generation(out, NOTEBOOKS) as new:
        if as_ is not None and new.previous is not None:
            running = {Path(extract_file(p)).stem for p in principals}
            for kept in sorted(new.previous.iterdir()):
                if kept.is_dir() and kept.name not in running:
                    new.carry(kept.name)
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task("notebooks", total=len(principals) * len(notebooks))
            for principal in principals:
                folder_name = Path(extract_file(principal)).stem
                for notebook in run_principal(
                    warehouse, extracts, principal, notebooks, new.folder, Path.cwd()
                ):
                    progress.update(task, advance=1, description=f"{principal}: {notebook.name}")
                done.append(Executed(normalise_principal(principal), folder_name, notebooks))
        write_index(new.folder, done)
    index = out / "index.html"
    typer.echo(f"{len(notebooks)} notebooks x {len(done)} principals: {index}")
