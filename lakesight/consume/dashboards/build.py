"""`lakesight dashboards build`: every page of dashboards/*.yml per principal, from its extract.

target/dashboards/index.html                 the principals and their pages (the owners')
target/dashboards/<extract-name>/<page>.html one page as that principal sees it (vega-embed + SVG)
target/dashboards/<extract-name>/<page>-<n>.svg  each tile as a static SVG (prints, mails)
target/dashboards/vendor/                    vega, vega-lite, vega-embed copied from node_modules

`make build` renders the same pages into each principal's portal (lakesight.site.portals,
`render_principal` into portals/<slug>/dashboards/).

Each principal's extract is taken from lakesight.security.extracts (built or refreshed as for
`query --as`) and opened with lakesight.security.access.connect_confined: read-only, external
access off. Nothing reads the warehouse's marts or secure views to render a page.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import vl_convert

from lakesight.config import dbt_target
from lakesight.consume.dashboards.atlas import AssetsMissing, world_shapes
from lakesight.consume.dashboards.definitions import (
    Metric,
    Page,
    Tile,
    catalogue,
    load_pages,
    metric_catalogue,
    time_columns,
)
from lakesight.consume.dashboards.queries import Result, q, run_metric_tile, run_tile
from lakesight.consume.dashboards.vega import VEGA
from lakesight.consume.dashboards.vega_lite import plain, vega_lite
from lakesight.outputs import DASHBOARDS, generation, output_lock
from lakesight.quality.datadocs import NODE_MODULES
from lakesight.security.access import connect_confined
from lakesight.security.extracts import (
    Extract,
    active_principals,
    extract_file,
    fresh_extract,
    normalise_principal,
)
from lakesight.semantic import manifest as semantic_manifest

#: vl-convert 1.9 bundles Vega-Lite 5.21 as its newest 5.x (npm pins 5.23: same major, same specs)
VL_CONVERT_VERSION = "5.21"
VENDOR = {
    "vega.min.js": "vega/build/vega.min.js",
    "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
}
#: npm packages only the dashboards use (package.json pins them exactly; vega* are the GX assets')
NPM_PACKAGES = {"world-atlas": "2.0.2"}
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


class StaticSvgFailed(RuntimeError):
    """vl-convert drew no mark for a tile (it reports errors on stderr, not by raising)."""


def tile_spec(
    tile: Tile, result: Result, columns: dict[str, str], world: Path
) -> tuple[dict[str, Any], str]:
    """The tile's spec for vega-embed (Vega-Lite, or Vega for the marks it lacks) and its SVG."""
    if tile.visual in VEGA:
        spec = VEGA[tile.visual](tile, result)
        svg = vl_convert.vega_to_svg(spec)
    else:
        spec = vega_lite(tile, result, columns, world)
        svg = vl_convert.vegalite_to_svg(spec, vl_version=VL_CONVERT_VERSION)
    if "role-mark" not in svg:
        raise StaticSvgFailed(f"tile {tile.title!r}: vl-convert drew no mark (see its stderr)")
    return spec, svg


@dataclass
class Rendered:
    principal: str
    folder: str
    pages: list[Page]
    #: rows in a tile that reads a dataset with row rules (public datasets show every principal
    #: their rows, so they do not count)
    any_rows: bool
    files: list[Path] = field(default_factory=list)
    #: the pages whose every tile is empty for this principal (written, but left out of its
    #: indexes, which say so)
    empty: list[Page] = field(default_factory=list)

    @property
    def shown(self) -> list[Page]:
        """The pages with rows, in order: what the principal's indexes list."""
        return [page for page in self.pages if page not in self.empty]


def csv_text(tile: Tile, result: Result) -> str:
    """The tile's rows as its query returned them (RFC 4180), headed by the fields' labels (a
    column without one, such as a bin's upper edge, by its name)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(
        tile.labels[name].text if name in tile.labels else name for name in result.columns
    )
    for row in result.rows:
        writer.writerow(plain(row[name]) for name in result.columns)
    return text.getvalue()


def script_json(spec: Any) -> str:
    """JSON safe inside <script type="application/json">: no `<` (no `</script>`, no `<!--`)."""
    return json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c")


def copy_vendor(out: Path, node_modules: Path = NODE_MODULES) -> None:
    for name, source in VENDOR.items():
        path = node_modules / source
        if not path.exists():
            raise AssetsMissing(f"{path} is missing: run `make assets` (npm ci)")
        (out / "vendor").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out / "vendor" / name)


def totals_line(tile: Tile, totals: dict[str, Any] | None, metrics: dict[str, Metric]) -> str:
    """`Total: Net revenue $1,007,320 · Orders 2,743` for a tile that shows parts, else ''."""
    if totals is None:
        return ""
    parts = [
        f"{metrics[name].label} {metrics[name].figure(totals.get(name))}" for name in tile.metrics
    ]
    return "Total: " + " · ".join(parts)


def public_datasets(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The datasets every active principal sees whole (`rls_mode = 'public'`), from the
    warehouse's resolved policy."""
    return frozenset(
        name
        for (name,) in con.execute(
            "select dataset from policy.policy_datasets where rls_mode = 'public'"
        ).fetchall()
    )


def period_line(con: duckdb.DuckDBPyConnection, datasets: set[str], times: dict[str, str]) -> str:
    """What a page says of its data's period: the first and last day of the principal's rows in
    these datasets, read on their time columns (`times`)."""
    dated = sorted(dataset for dataset in datasets if dataset in times)
    if not dated:
        return "Its data carries no date."
    bounds = [
        con.execute(
            f"select cast(min({q(times[dataset])}) as date), cast(max({q(times[dataset])}) as date)"
            f" from secure.{q(dataset)}"
        ).fetchone()
        for dataset in dated
    ]
    found = [(low, high) for low, high in filter(None, bounds) if low is not None]
    if not found:
        return "No dated row in your view."
    first, last = min(low for low, _ in found), max(high for _, high in found)
    return (
        f"Its data runs from {first.day} {first:%B %Y} to {last.day} {last:%B %Y}"
        " (the last day in your view)."
    )


def empty_reason(
    con: duckdb.DuckDBPyConnection, principal: str, reads: set[str], public: frozenset[str]
) -> str:
    """Why a tile has no rows: the datasets it reads that hold none of the principal's rows, or
    else that none of them matches the tile."""
    empty = [
        name
        for name in sorted(reads - public)
        if con.execute(f"select count(*) from secure.{q(name)}").fetchone() == (0,)
    ]
    if empty:
        held = ", ".join(f"secure.{name}" for name in empty)
        return f"No rows in {principal}'s view: its extract holds none of {held}."
    return f"No rows in {principal}'s view match this tile."


def render_principal(
    con: duckdb.DuckDBPyConnection,
    principal: str,
    extract: Extract,
    pages: list[Page],
    folder: Path,
    world: Path,
    public: frozenset[str] = frozenset(),
    up: str = "principals",
    semantic: dict[str, Any] | None = None,
) -> Rendered:
    """Render every page as the principal into `folder` (new), with `folder/index.html`; the
    pages load `../vendor/` and link `../index.html`, named `up` (the list of principals in
    `dashboards build`, the portal's own index in a portal)."""
    datasets = catalogue()
    metrics = metric_catalogue()
    times = time_columns()
    folder.mkdir(parents=True)
    rendered = Rendered(principal, folder.name, pages, any_rows=False)
    template = TEMPLATES.get_template("page.html.j2")
    for page in pages:
        tiles = []
        page_rows = False
        page_reads: set[str] = set()
        for number, tile in enumerate(page.tiles, start=1):
            columns = tile.columns or datasets[tile.dataset]
            if tile.metrics:
                if semantic is None:
                    raise semantic_manifest.SemanticError("metric tiles need the semantic manifest")
                result, totals = run_metric_tile(con, semantic, tile)
            else:
                result, totals = run_tile(con, tile, columns), None
            entry: dict[str, Any] = {
                "title": tile.title,
                "visual": tile.visual,
                "autograph": tile.autograph,
                "source": tile.source,
                "rows": len(result.rows),
                "total": totals_line(tile, totals, metrics) if result.rows else "",
                "period": result.period,
            }
            reads = result.reads or {tile.dataset, *(join["dataset"] for join in tile.lookup)}
            reads -= {""}  # a metric tile of one period that found no period read nothing
            page_reads |= reads
            if not result.rows:
                entry["empty"] = empty_reason(con, principal, reads, public)
            if result.rows:
                page_rows = True
                rendered.any_rows |= not reads <= public
                spec, svg = tile_spec(tile, result, columns, world)
                svg_file = folder / f"{page.slug}-{number}.svg"
                svg_file.write_text(svg, encoding="utf-8")
                rendered.files.append(svg_file)
                entry |= {
                    "spec": script_json(spec),
                    "svg": svg,
                    "csv": script_json(csv_text(tile, result)),
                    "files": f"{page.slug}-{number}",
                }
            tiles.append(entry)
        html_file = folder / f"{page.slug}.html"
        html_file.write_text(
            template.render(
                page=page,
                principal=principal,
                extract=extract,
                period=period_line(con, page_reads, times),
                tiles=tiles,
                any_rows=page_rows,
                up=up,
            ),
            encoding="utf-8",
        )
        rendered.files.append(html_file)
        if not page_rows:
            rendered.empty.append(page)
    (folder / "index.html").write_text(
        TEMPLATES.get_template("principal.html.j2").render(rendered=rendered, up=up),
        encoding="utf-8",
    )
    return rendered


def build_dashboards(
    warehouse: Path,
    dashboards: Path,
    out: Path,
    extracts: Path,
    principals: list[str] | None = None,
    target: Path | None = None,
) -> list[Rendered]:
    """Validate every dashboard file, then render the pages of each principal (default: every
    active one) from its extract; write the index. Returns what was rendered.

    `out` is a generated folder (lakesight/outputs.py): the pages are written into a new
    generation and `out` switches to it at once; with `principals` given, the other principals'
    folders are carried over from the current generation unchanged."""
    pages = load_pages(dashboards)
    uses_metrics = any(tile.metrics for page in pages for tile in page.tiles)
    everyone = principals is None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        public = public_datasets(con)
        if principals is None:
            principals = active_principals(con)
    with output_lock(out, DASHBOARDS), generation(out, DASHBOARDS) as new:
        # the metric tiles' definitions, read once the folder is known to be ours to write
        semantic = semantic_manifest.read(target or dbt_target()) if uses_metrics else None
        copy_vendor(new.folder)
        world = world_shapes(new.folder)
        if not everyone and new.previous is not None:
            rendering = {Path(extract_file(principal)).stem for principal in principals}
            for kept in sorted(new.previous.iterdir()):
                if kept.is_dir() and kept.name not in rendering | {"vendor"}:
                    new.carry(kept.name)
        done = []
        for principal in principals:
            with fresh_extract(warehouse, extracts, principal) as (entry, _reason):
                con = connect_confined(extracts / entry.file)
                try:
                    done.append(
                        render_principal(
                            con,
                            normalise_principal(principal),
                            entry,
                            pages,
                            new.folder / Path(entry.file).stem,
                            world,
                            public,
                            semantic=semantic,
                        )
                    )
                finally:
                    con.close()
        (new.folder / "index.html").write_text(
            TEMPLATES.get_template("index.html.j2").render(principals=done), encoding="utf-8"
        )
    return done
