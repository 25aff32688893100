"""The options several commands share, declared once (name, type, help)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lakesight.dbt_artifacts import RUN_RESULTS

#: the folder of the per-principal extracts: built or refreshed on demand (security/extracts.py)
Extracts = Annotated[
    Path, typer.Option(help="Folder of the per-principal extracts (and their manifest.json).")
]
#: dbt's manifest.json (the primary keys, the mart list)
DbtManifestPath = Annotated[Path, typer.Option(help="dbt's manifest.json, for the primary keys.")]
#: a principal (user name) whose extract a command reads
Principal = Annotated[str, typer.Option("--as", help="The principal (user name).")]
#: the same, optional: without it, every active principal (or the warehouse itself)
OnlyPrincipal = Annotated[
    str | None,
    typer.Option("--as", help="Only this principal (default: every active principal)."),
]
#: a folder a command writes (a generated folder, lakesight/outputs.py)
Out = Annotated[Path, typer.Option(help="Output folder.")]
#: dbt's run_results.json of a build
DEFAULT_RUN_RESULTS = Path("target") / RUN_RESULTS
