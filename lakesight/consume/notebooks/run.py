"""`lakesight notebooks build`: every notebook executed per principal, on its extract, to HTML.

notebooks/<name>.py                        Jupytext percent format (the reviewed source)
target/notebooks/index.html                  the principals and their notebooks (the owners')
target/notebooks/<extract-name>/<name>.html  one notebook executed as that principal
(`make build` executes them into each principal's portal: lakesight.site.portals, `execute_as`)

A notebook has one cell tagged `parameters` (PRINCIPAL, EXTRACT); the build inserts a cell after
it with the principal and the file name of the extract made for it (papermill's convention; the
extracts folder reaches the kernel in LAKESIGHT_EXTRACTS, so the shared page prints no path of the
build machine: docs/notebooks.md), runs
the notebook headless with nbclient in this Python's kernel, and exports it with nbconvert's lab
template minus the scripts it would load from a CDN. A cell that raises fails the build, naming
the notebook and the cell.
"""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import jupytext
import nbformat
from jupyter_client.manager import KernelManager
from jupyter_core.paths import jupyter_runtime_dir
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from traitlets.config import Config

from lakesight.config import dbt_target
from lakesight.consume.notebooks import NotebookError
from lakesight.consume.notebooks.data import EXTRACTS_VARIABLE
from lakesight.outputs import NOTEBOOKS, generation, output_lock
from lakesight.security.extracts import (
    Extract,
    active_principals,
    extract_file,
    fresh_extract,
    normalise_principal,
)

TEMPLATES = Path(__file__).with_name("templates")
#: the kernel ipykernel registers for the Python running lakesight (the project's venv)
KERNEL = "python3"
#: seconds one cell may run
CELL_TIMEOUT = 600
#: seconds a kernel may take to start and answer (nbclient's 60 s is too short on a busy
#: 2-core machine: the kernel imports the notebooks' libraries while builds run beside it)
KERNEL_START_TIMEOUT = 300
PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class Notebook:
    path: Path

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def title(self) -> str:
        """The first Markdown heading of the notebook, or its file name."""
        for cell in jupytext.read(self.path).cells:
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
        return self.name


def find_notebooks(folder: Path) -> list[Notebook]:
    notebooks = [Notebook(path) for path in sorted(folder.glob("*.py"))]
    if not notebooks:
        raise NotebookError(f"no notebooks (*.py, Jupytext percent format) in {folder}")
    return notebooks


def parameterised(
    notebook: Notebook, principal: str, extract: str, built_at: str
) -> nbformat.NotebookNode:
    """The notebook with the principal's parameters after its `parameters` cell and a first
    cell saying whose view it is. `extract` is the extract's file name, never a path: the page
    prints it."""
    if Path(extract).name != extract:
        raise NotebookError(f"the extract {extract!r} must be a file name, not a path")
    nb = jupytext.read(notebook.path)
    tagged = [i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])]
    if len(tagged) != 1:
        raise NotebookError(
            f"{notebook.path}: needs exactly one cell tagged parameters"
            f' (`# %% tags=["parameters"]`), found {len(tagged)}'
        )
    for cell in nb.cells:
        cell.metadata["lakesight_cell"] = nb.cells.index(cell) + 1
    injected = nbformat.v4.new_code_cell(
        "# injected by `lakesight notebooks build`\n"
        f"PRINCIPAL = {principal!r}\nEXTRACT = {extract!r}",
        metadata={"tags": ["injected-parameters"]},
    )
    nb.cells.insert(tagged[0] + 1, injected)
    whose = nbformat.v4.new_markdown_cell(
        f"*This notebook was run as **{principal}**, on that principal's extract"
        f" `{extract}` (built {built_at}): it shows only the rows and columns"
        " this principal may see.*",
        metadata={"tags": ["whose-view"]},
    )
    nb.cells.insert(0, whose)
    return nb


def execute(
    nb: nbformat.NotebookNode, notebook: Notebook, cwd: Path, extracts: Path | None = None
) -> None:
    """Run every cell in a fresh kernel; a cell that raises fails with notebook and cell.
    The kernel finds the extracts in `extracts` (LAKESIGHT_EXTRACTS), which no cell prints."""
    # dbt's target folder (the semantic manifest of the headline metrics), whatever the kernel's cwd
    env = dict(os.environ) | {"DBT_TARGET_PATH": str(dbt_target().resolve())}
    if extracts is not None:
        env[EXTRACTS_VARIABLE] = str(extracts.resolve())
    manager = kernel_manager()
    client = NotebookClient(
        nb,
        km=manager,
        timeout=CELL_TIMEOUT,
        startup_timeout=KERNEL_START_TIMEOUT,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute(env=env)
    except CellExecutionError as error:
        raise NotebookError(_failure(nb, notebook, error)) from None
    except RuntimeError as error:  # the kernel did not start, or died: nbclient's RuntimeError
        # nbclient 0.11 leaves its exit hook registered when the kernel client fails to start,
        # and the hook then fails at exit (it asserts a kernel manager it has already dropped)
        atexit.unregister(client._cleanup_kernel)
        raise NotebookError(f"{notebook.path.name}: the {KERNEL} kernel failed: {error}") from None
    finally:
        if manager.has_kernel:  # nbclient shuts down only the kernels it started itself
            manager.shutdown_kernel()


def kernel_manager() -> KernelManager:
    """A manager for one kernel that talks over IPC sockets, not TCP ports any local process
    could reach. The sockets are named after a connection file of its own in Jupyter's runtime
    folder: without one, jupyter_client names them kernel-ipc-<n> in the current folder, numbered
    from 1, so two builds (or test workers) in one folder connected to each other's kernels
    ("Invalid Signature")."""
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True)
    connection = runtime / f"lakesight-kernel-{uuid.uuid4()}.json"
    return KernelManager(kernel_name=KERNEL, transport="ipc", connection_file=str(connection))


def _failure(nb: nbformat.NotebookNode, notebook: Notebook, error: CellExecutionError) -> str:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                number = cell.metadata.get("lakesight_cell", "(injected)")
                first = next((line for line in cell.source.splitlines() if line.strip()), "")
                return (
                    f"{notebook.path}, cell {number} ({first.strip()[:60]!r}) failed:"
                    f" {output.get('ename')}: {output.get('evalue')}"
                )
    return f"{notebook.path} failed: {error.ename}: {error.evalue}"


def to_html(nb: nbformat.NotebookNode, title: str) -> str:
    """The executed notebook as a page, without the cell tagged `parameters`: its defaults name
    another principal (the injected cell after it says whose page it is; docs/notebooks.md)."""
    config = Config(TagRemovePreprocessor={"enabled": True, "remove_cell_tags": {"parameters"}})
    exporter = HTMLExporter(
        config=config, template_name="offline", extra_template_basedirs=[str(TEMPLATES)]
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


@dataclass
class Executed:
    principal: str
    folder: str
    notebooks: list[Notebook]


def plan(warehouse: Path, principals: list[str] | None) -> list[str]:
    """The principals to run as: the ones given, or every active one of the policy."""
    if principals is not None:
        return principals
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return active_principals(con)


def run_principal(
    warehouse: Path,
    extracts: Path,
    principal: str,
    notebooks: list[Notebook],
    out: Path,
    cwd: Path,
) -> Iterator[Notebook]:
    """Execute every notebook as the principal into out/<extract-name>/; yields each one done."""
    with fresh_extract(warehouse, extracts, principal) as (entry, _reason):
        yield from execute_as(
            principal, entry, notebooks, out / Path(entry.file).stem, cwd, extracts
        )


def execute_as(
    principal: str,
    entry: Extract,
    notebooks: list[Notebook],
    folder: Path,
    cwd: Path,
    extracts: Path,
) -> Iterator[Notebook]:
    """Execute every notebook as the principal on its extract `entry` (fresh, in `extracts`:
    hold its folder's lock) into `folder` (new), `<notebook>.html` each; yields each one done."""
    normal = normalise_principal(principal)
    folder.mkdir(parents=True)
    for notebook in notebooks:
        nb = parameterised(notebook, normal, entry.file, entry.built_at)
        execute(nb, notebook, cwd, extracts)
        html = to_html(nb, f"{notebook.title} — as {normal}")
        (folder / f"{notebook.name}.html").write_text(html, encoding="utf-8")
        yield notebook


def write_index(out: Path, done: list[Executed]) -> Path:
    index = out / "index.html"
    index.write_text(PAGES.get_template("index.html.j2").render(done=done), encoding="utf-8")
    return index


@dataclass(frozen=True)
class Built:
    """What `build_notebooks` wrote: how many notebooks, for how many principals, the index."""

    notebooks: int
    principals: int
    index: Path


def build_notebooks(
    warehouse: Path,
    folder: Path,
    out: Path,
    extracts: Path,
    only: str | None = None,
    progress: Callable[[int, str], None] = lambda _total, _what: None,
) -> Built:
    """Execute every notebook of `folder` as each active principal (or only `only`) into `out`.

    `out` is a generated folder (lakesight/outputs.py): written as a new generation, then
    switched to at once; with `only`, the other principals' pages are carried over from the
    previous generation. `progress(total, what)` is told of each notebook done."""
    notebooks = find_notebooks(folder)
    principals = plan(warehouse, None if only is None else [only])
    total = len(principals) * len(notebooks)
    done = []
    with output_lock(out, NOTEBOOKS), generation(out, NOTEBOOKS) as new:
        if only is not None and new.previous is not None:
            running = {Path(extract_file(p)).stem for p in principals}
            for kept in sorted(new.previous.iterdir()):
                if kept.is_dir() and kept.name not in running:
                    new.carry(kept.name)
        for principal in principals:
            folder_name = Path(extract_file(principal)).stem
            for notebook in run_principal(
                warehouse, extracts, principal, notebooks, new.folder, Path.cwd()
            ):
                progress(total, f"{principal}: {notebook.name}")
            done.append(Executed(normalise_principal(principal), folder_name, notebooks))
        write_index(new.folder, done)
    return Built(len(notebooks), len(done), out / "index.html")
