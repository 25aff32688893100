"""Dashboards rendered per principal from its extract: data, leaks, no rows, row cap, Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lakesight.dashboards import queries
from lakesight.dashboards.build import build_dashboards
from lakesight.dashboards.spec import Encoding, Tile, catalogue, load_pages
from lakesight.security.access import connect_confined
from lakesight.security.extracts import active_principals, extract_file, read_manifest
from lakesight.security.oracle import Policy
from lakesight_tests.support import REPO, Warehouse

DASHBOARDS = REPO / "dashboards"
SCREENSHOTS = REPO / "target" / "screenshots"
NOBODY = "ivan@example.com"  # active, in no group, no rule: sees no rows
SPEC = re.compile(r'<script type="application/json" id="spec-(\d+)">(.*?)</script>', re.S)
SVG_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


@pytest.fixture(scope="module")
def rendered(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("dashboards")
    out, extracts = root / "site" / "dashboards", root / "extracts"
    build_dashboards(built.database, DASHBOARDS, out, extracts)
    return out, extracts


def principals(built: Warehouse) -> list[str]:
    with duckdb.connect(str(built.database), read_only=True) as con:
        return active_principals(con)


def page_specs(html: str) -> dict[int, dict[str, Any]]:
    return {int(n): json.loads(text.replace("<\\/", "</")) for n, text in SPEC.findall(html)}


def data_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The tile's own rows (a geospatial layer's lookup data, not the public base map)."""
    rows: list[dict[str, Any]] = []
    if isinstance(spec.get("data", {}).get("values"), list):
        rows.extend(spec["data"]["values"])
    for layer in spec.get("layer", []):
        if isinstance(layer.get("data", {}).get("values"), list):
            rows.extend(layer["data"]["values"])
        for step in layer.get("transform", []):
            if "lookup" in step:
                rows.extend(step["from"]["data"]["values"])
    return rows


def folder_of(out: Path, principal: str) -> Path:
    return out / Path(extract_file(principal)).stem


def test_every_active_principal_gets_every_page(built: Warehouse, rendered) -> None:
    out, _ = rendered
    slugs = {page.slug for page in load_pages(DASHBOARDS)}
    index = (out / "index.html").read_text(encoding="utf-8")
    for principal in principals(built):
        folder = folder_of(out, principal)
        assert {p.stem for p in folder.glob("*.html")} == slugs | {"index"}, principal
        for slug in slugs:
            html = (folder / f"{slug}.html").read_text(encoding="utf-8")
            assert f"The view of <strong>{principal}</strong>" in html
            assert f'href="{folder.name}/{slug}.html"' in index
    assert "dave@example.com" not in index  # inactive: no pages


def test_chart_data_matches_sql_on_the_marts(built: Warehouse, rendered) -> None:
    """frank's line tile holds exactly the marts' rows his sales_daily rules allow, summed."""
    out, _ = rendered
    with duckdb.connect(str(built.database), read_only=True) as con:
        cursor = con.execute("select * from marts.rpt_sales_daily")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    visible = Policy.load(REPO / "seeds" / "security").visible(
        "sales_daily", "frank@example.com", rows
    )
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for row in visible:
        record = dict(zip(names, row, strict=True))
        key = (record["order_date"].isoformat(), record["region_name"])
        expected[key] += float(record["net_revenue_usd"])
    assert expected and len(visible) < len(rows)
    html = (folder_of(out, "frank@example.com") / "sales.html").read_text(encoding="utf-8")
    line = page_specs(html)[1]["data"]["values"]
    got = {(r["order_date"], r["region_name"]): r["net_revenue_usd"] for r in line}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=0.005), key


def _extract_strings(path: Path) -> set[str]:
    con = connect_confined(path)
    try:
        found: set[str] = set()
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'secure'"
        ).fetchall()
        for (table,) in tables:
            columns = con.execute(
                "select column_name from information_schema.columns where table_schema = 'secure'"
                " and table_name = ? and data_type = 'VARCHAR'",
                [table],
            ).fetchall()
            for (column,) in columns:
                found |= {
                    v
                    for (v,) in con.execute(
                        f'select distinct "{column}" from secure."{table}"'
                    ).fetchall()
                    if v is not None
                }
        return found
    finally:
        con.close()


def test_no_page_holds_anything_outside_its_principals_extract(built: Warehouse, rendered) -> None:
    """Every text value in a page's embedded data and SVG labels is in the principal's extract,
    and no country, region or channel of the warehouse outside the extract appears anywhere."""
    out, extracts = rendered
    with duckdb.connect(str(built.database), read_only=True) as con:
        everywhere = {
            v
            for (v,) in con.execute(
                "select country_code from marts.fct_orders"
                " union select channel from marts.fct_orders"
                " union select region_name from marts.rpt_sales_daily"
                " union select country_numeric from marts.rpt_revenue_by_country"
                " union select country_name from marts.rpt_revenue_by_country"
            ).fetchall()
            if v
        }
        pii = {
            value
            for row in con.execute(
                "select email, phone, street from marts.dim_customers"
            ).fetchall()
            for value in row
            if value
        }
    manifest = read_manifest(extracts)
    checked = 0
    for principal in principals(built):
        own = _extract_strings(extracts / manifest[principal].file)
        # numeric codes are checked in the data; in SVG labels they could be axis ticks
        forbidden = {v for v in everywhere - own if not v.isdigit()}
        folder = folder_of(out, principal)
        for page in folder.glob("*.html"):
            html = page.read_text(encoding="utf-8")
            assert not {value for value in pii if value in html}, (principal, page.name)
            for number, spec in page_specs(html).items():
                for row in data_rows(spec):
                    for value in row.values():
                        if isinstance(value, str) and not value.startswith(("19", "20")):
                            assert value in own | {
                                "start",
                                "new",
                                "returning",
                                "lost",
                                "refunds",
                                "end",
                                "attained",
                                "remaining",
                            } or re.match(r"^[\d,.]+( of [\d,.]+ \([\d.]+%\))?$", value), (
                                principal,
                                page.name,
                                number,
                                value,
                            )
                        checked += 1
        for svg in list(folder.glob("*.svg")) + list(folder.glob("*.html")):
            labels = {t.strip() for t in SVG_TEXT.findall(svg.read_text(encoding="utf-8"))}
            assert not labels & forbidden, (principal, svg.name, labels & forbidden)
    assert checked > 0


def test_a_principal_with_no_rows_gets_pages_that_say_so(rendered) -> None:
    out, _ = rendered
    folder = folder_of(out, NOBODY)
    for page in folder.glob("*.html"):
        if page.name == "index.html":
            continue
        html = page.read_text(encoding="utf-8")
        assert f"{NOBODY} sees no rows of this page's" in html
        assert not page_specs(html) and "<svg" not in html
    assert not list(folder.glob("*.svg"))
    assert f"<strong>{NOBODY}</strong> (sees no rows)" in (out / "index.html").read_text()


def test_a_tile_over_the_row_cap_fails(rendered, monkeypatch: pytest.MonkeyPatch) -> None:
    _, extracts = rendered
    entry = read_manifest(extracts)["erin@example.com"]  # analysts: every row
    tile = Tile(
        "Every day",
        "sales_daily",
        "line",
        {"x": Encoding("order_date"), "y": Encoding("net_revenue_usd", "sum")},
    )
    con = connect_confined(extracts / entry.file)
    try:
        days = len(queries.run_tile(con, tile, catalogue()["sales_daily"]).rows)
        assert days > 3
        monkeypatch.setattr(queries, "ROW_CAP", days - 1)
        with pytest.raises(queries.TileTooLarge, match=f"more than {days - 1} rows"):
            queries.run_tile(con, tile, catalogue()["sales_daily"])
    finally:
        con.close()


def test_filters_are_parameters_not_sql(rendered) -> None:
    _, extracts = rendered
    entry = read_manifest(extracts)["erin@example.com"]
    tile = Tile(
        "x",
        "sales_daily",
        "bar",
        {"x": Encoding("channel"), "y": Encoding("order_count", "sum")},
        filters=[{"column": "channel", "op": "=", "value": "web' or '1'='1"}],
    )
    con = connect_confined(extracts / entry.file)
    try:
        assert queries.run_tile(con, tile, catalogue()["sales_daily"]).rows == []
    finally:
        con.close()


sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium")
def test_every_page_renders_in_chromium_offline(built: Warehouse, rendered) -> None:
    """Network blocked: no console error, no request leaves file://, marks in every tile."""
    out, _ = rendered
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000})

        def guard(route) -> None:
            if route.request.url.startswith(("file://", "data:", "blob:", "about:")):
                route.continue_()
            else:
                problems.append(f"request: {route.request.url}")
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"error: {error}"))
        for principal in principals(built):
            folder = folder_of(out, principal)
            for html in sorted(folder.glob("*.html")):
                if html.name == "index.html":
                    continue
                page.goto(html.as_uri())
                tiles = page.locator("section.tile")
                for i in range(tiles.count()):
                    tile = tiles.nth(i)
                    if tile.get_attribute("data-rows") == "0":
                        continue
                    chart = tile.locator(".chart svg")
                    chart.wait_for(timeout=15000)
                    marks = tile.locator(".chart svg .mark-group, .chart svg path, .chart svg text")
                    assert marks.count() > 3, (principal, html.name, i + 1)
                name = f"{folder.name.split('-')[0]}-{html.stem}.png"
                page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        browser.close()
    assert problems == []
