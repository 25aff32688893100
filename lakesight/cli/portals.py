"""`lakesight portals`: a portal (folder and zip) per active principal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lakesight.cli.errors import built_warehouse
from lakesight.cli.options import DbtManifestPath, Extracts, OnlyPrincipal, Out
from lakesight.consume.profiles.run import MANIFEST
from lakesight.security.access import DEFAULT_EXTRACTS

DEFAULT_OUT = Path("portals")


def portals_command(
    as_: OnlyPrincipal = None,
    out: Out = DEFAULT_OUT,
    dashboards: Annotated[Path, typer.Option(help="Folder of the dashboard files (*.yml).")] = Path(
        "dashboards"
    ),
    notebooks: Annotated[Path, typer.Option(help="Folder of the notebooks (*.py).")] = Path(
        "notebooks"
    ),
    manifest: DbtManifestPath = MANIFEST,
    extracts: Extracts = DEFAULT_EXTRACTS,
) -> None:
    """Write a portal per active principal (or only --as) into --out: <slug>/ and <slug>.zip.

    A portal is made from that principal's extract only (built or refreshed in --extracts as for
    `query --as`): its dashboards, the profiles of its secure datasets, its executed notebooks
    and an index page (its name, the as-of date of its data, links). It works offline, every
    link stays inside it, and the zip is byte-for-byte reproducible. <slug> is the extract's
    file stem. --out is a generated folder: a principal no longer active loses its portal.
    """
    # the renderers (vl-convert, nbclient, nbconvert) are imported only to build
    from lakesight.site.portals.build import build_portals

    done = build_portals(
        built_warehouse(),
        out,
        extracts,
        dashboards,
        notebooks,
        manifest,
        as_,
        progress=lambda what: typer.echo(what, err=True),
    )
    for portal in done:
        typer.echo(f"{portal.principal}: {out / portal.slug} and {out / portal.slug}.zip")
