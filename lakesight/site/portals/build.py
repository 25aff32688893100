"""`lakesight portals`: write each active principal's portal, and its zip, from its extract.

`portals/` is one generated folder (lakesight/outputs.py): every run writes a complete new
generation (with `only`, the other active principals' portals are carried over unchanged) and
switches to it at once, so a principal who is no longer active loses its portal at the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from lakesight.consume.dashboards.build import (
    copy_vendor,
    public_datasets,
    render_principal,
    world_shapes,
)
from lakesight.consume.dashboards.definitions import Page, load_pages
from lakesight.consume.notebooks.run import Notebook, execute_as, find_notebooks
from lakesight.consume.profiles.pages import Entry
from lakesight.consume.profiles.run import write_secure_profiles
from lakesight.dbt_artifacts import DbtManifest, read_dbt_manifest
from lakesight.outputs import PORTALS, generation, output_lock
from lakesight.security.access import connect_confined
from lakesight.security.extracts import (
    Extract,
    active_principals,
    extract_file,
    fresh_extract,
    normalise_principal,
)
from lakesight.semantic import manifest as semantic_manifest
from lakesight.site.portals.archive import write_zip
from lakesight.site.portals.pages import render_portal

Progress = Callable[[str], None]


def portal_slug(principal: str) -> str:
    """The portal's folder name: the stem of the principal's extract file (a readable slug and
    16 hex of the normalised principal's sha256, so two principals never share one)."""
    return Path(extract_file(principal)).stem


@dataclass(frozen=True)
class Portal:
    """What one portal holds (its index page is made from this)."""

    principal: str
    slug: str
    extract: Extract
    #: the newest order day in the principal's own orders (None: it sees no order)
    newest_order: dt.date | None
    #: the dashboard pages with rows in this principal's view, and those without (left out)
    dashboards: list[Page]
    left_out: list[Page]
    #: rows in a dashboard tile over a dataset with row rules
    any_rows: bool
    notebooks: list[Notebook]
    profiles: list[Entry]


def newest_order(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """max(order_date) of the extract's secure.orders: the as-of date of the principal's data."""
    try:
        row = con.execute("select max(order_date) from secure.orders").fetchone()
    except duckdb.Error:  # an extract without orders (or without that column)
        return None
    return row[0] if row else None


@dataclass(frozen=True)
class Sources:
    """What every portal is made of: the dashboard pages, the notebooks, dbt's manifest and
    semantic manifest (the metric tiles' definitions)."""

    pages: list[Page]
    notebooks: list[Notebook]
    manifest: DbtManifest | None
    public: frozenset[str]
    semantic: dict[str, Any] | None = None


def write_portal(
    warehouse: Path,
    extracts: Path,
    principal: str,
    root: Path,
    sources: Sources,
    progress: Progress = lambda _what: None,
) -> Portal:
    """Write the principal's portal into `root` (new), everything from its extract only."""
    normal = normalise_principal(principal)
    with fresh_extract(warehouse, extracts, principal) as (entry, _reason):
        copy_vendor(root)
        world = world_shapes(root)
        con = connect_confined(extracts / entry.file)
        try:
            progress(f"{normal}: dashboards")
            rendered = render_principal(
                con,
                normal,
                entry,
                sources.pages,
                root / "dashboards",
                world,
                sources.public,
                up="portal",
                semantic=sources.semantic,
            )
            progress(f"{normal}: profiles")
            profiles = write_secure_profiles(con, entry, root / "profiles", sources.manifest)
            newest = newest_order(con)
        finally:
            con.close()
        for notebook in execute_as(
            principal, entry, sources.notebooks, root / "notebooks", Path.cwd(), extracts
        ):
            progress(f"{normal}: notebook {notebook.name}")
    portal = Portal(
        principal=normal,
        slug=root.name,
        extract=entry,
        newest_order=newest,
        dashboards=rendered.shown,
        left_out=rendered.empty,
        any_rows=rendered.any_rows,
        notebooks=sources.notebooks,
        profiles=profiles,
    )
    (root / "index.html").write_text(render_portal(portal), encoding="utf-8")
    return portal


def build_portals(
    warehouse: Path,
    out: Path,
    extracts: Path,
    dashboards: Path,
    notebooks: Path,
    manifest: Path,
    only: str | None = None,
    progress: Progress = lambda _what: None,
) -> list[Portal]:
    """Write the portal and zip of every active principal (or only `only`) into `out`.

    With `only`, the portals of the other principals that are still active are carried over
    from the current generation; any other portal (a principal no longer active) is dropped."""
    pages, executed = load_pages(dashboards), find_notebooks(notebooks)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        active = active_principals(con)
        public = public_datasets(con)
    principals = active if only is None else [only]
    done: list[Portal] = []
    with output_lock(out, PORTALS), generation(out, PORTALS) as new:
        # the metric tiles' definitions, read once the folder is known to be ours to write
        uses_metrics = any(tile.metrics for page in pages for tile in page.tiles)
        semantic = semantic_manifest.read(manifest.parent) if uses_metrics else None
        sources = Sources(pages, executed, read_dbt_manifest(manifest), public, semantic)
        if only is not None and new.previous is not None:
            writing = portal_slug(only)
            for slug in sorted({portal_slug(p) for p in active} - {writing}):
                if new.carry(slug):
                    new.carry(f"{slug}.zip")
        for principal in principals:
            root = new.folder / portal_slug(principal)
            done.append(write_portal(warehouse, extracts, principal, root, sources, progress))
            write_zip(root, new.folder / f"{root.name}.zip")
    return done
