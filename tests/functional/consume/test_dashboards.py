"""Dashboards rendered per principal from its extract: data, leaks, no rows, row cap, Chromium."""

from __future__ import annotations

import csv
import json
import os
import re
from collections import defaultdict
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lakesight.consume.dashboards import atlas, queries
from lakesight.consume.dashboards.build import build_dashboards
from lakesight.consume.dashboards.definitions import (
    Encoding,
    Tile,
    catalogue,
    load_pages,
    metric_catalogue,
)
from lakesight.consume.dashboards.formats import figure
from lakesight.security.access import connect_confined, query_as
from lakesight.security.extracts import (
    active_principals,
    extract_file,
    fresh_extract,
    read_manifest,
)
from tests.support.leaks import extract_strings
from tests.support.oracle import Policy
from tests.support.warehouse import CHROMIUM, REPO, Warehouse, offline_page

DASHBOARDS = REPO / "dashboards"
SCREENSHOTS = REPO / "target" / "screenshots"
NOBODY = "ivan@example.com"  # active, in no group, no rule: sees no rows
SPEC = re.compile(r'<script type="application/json" id="spec-(\d+)">(.*?)</script>', re.S)
SVG_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


@pytest.fixture(scope="module")
def rendered(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("dashboards")
    out, extracts = root / "site" / "dashboards", root / "extracts"
    build_dashboards(built.database, DASHBOARDS, out, extracts, target=built.target)
    return out, extracts


def principals(built: Warehouse) -> list[str]:
    with duckdb.connect(str(built.database), read_only=True) as con:
        return active_principals(con)


def page_specs(html: str) -> dict[int, dict[str, Any]]:
    return {int(n): json.loads(text.replace("<\\/", "</")) for n, text in SPEC.findall(html)}


def data_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The tile's own rows (a geospatial layer's lookup data, not the public base map; every
    named data set of a Vega spec)."""
    rows: list[dict[str, Any]] = []
    if isinstance(spec.get("data"), list):  # Vega: named data sets
        for data in spec["data"]:
            rows.extend(data.get("values", []))
        return rows
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


def tile_data(out: Path, principal: str, slug: str, number: int) -> list[dict[str, Any]]:
    html = (folder_of(out, principal) / f"{slug}.html").read_text(encoding="utf-8")
    return data_rows(page_specs(html)[number])


def named(spec_rows: list[dict[str, Any]], *fields: str) -> list[dict[str, Any]]:
    """The rows of a Vega spec's data that have all these fields (one of its data sets)."""
    return [row for row in spec_rows if all(f in row for f in fields)]


def mart(built: Warehouse, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(built.database), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


EVERYONE = "erin@example.com"  # analysts: every row of every dataset


def test_tree_map_and_radar_hold_the_principals_own_sales(built: Warehouse, rendered) -> None:
    """The tree map's leaves are rpt_category_revenue's for a principal who sees every row, and
    add up to the gross revenue of bob's own non-cancelled orders for bob; the radar's sales
    axes are rpt_category_profile's for everyone's view, every value within [0, 1]."""
    out, _ = rendered
    leaves = {
        (r["category_level_1"], r["category_level_2"], r["category_level_3"]): float(
            r["gross_revenue_usd"]
        )
        for r in mart(built, "select * from marts.rpt_category_revenue")
    }
    nodes = named(tile_data(out, EVERYONE, "categories", 1), "id", "parent")
    by_id = {node["id"]: node for node in nodes}

    def path(node: dict[str, Any]) -> tuple[str, ...]:
        parent = by_id[node["parent"]]
        return (*path(parent), node["name"]) if parent["parent"] is not None else (node["name"],)

    got = {path(n): n["size"] for n in nodes if "size" in n}
    assert got.keys() == leaves.keys() and leaves
    for key, value in leaves.items():
        assert got[key] == pytest.approx(value, abs=0.005), key

    orders = mart(built, "select * from marts.fct_orders")
    policy = Policy.load(REPO / "seeds" / "security")
    names = list(orders[0])
    bob = [
        dict(zip(names, row, strict=True))
        for row in policy.visible("orders", "bob@example.com", orders)
    ]
    assert 0 < len(bob) < len(orders)
    own = sum(float(o["gross_revenue_usd"]) for o in bob if not o["is_cancelled"])
    bob_leaves = [
        n["size"] for n in named(tile_data(out, "bob@example.com", "categories", 1), "size")
    ]
    assert sum(bob_leaves) == pytest.approx(own, abs=0.01)

    profile = {
        (r["category_level_1"], r["measure_name"]): r["normalised_value"]
        for r in mart(built, "select * from marts.rpt_category_profile")
    }
    for principal in (EVERYONE, "bob@example.com"):
        points = named(tile_data(out, principal, "categories", 2), "normalised")
        assert points and all(0 <= p["normalised"] <= 1 for p in points), principal
    points = named(tile_data(out, EVERYONE, "categories", 2), "normalised")
    for point in points:
        measure = {"revenue": "revenue_usd", "refund rate": "refund_rate"}.get(point["measure"])
        if measure:
            expected = profile[(point["group"], measure)]
            assert point["normalised"] == pytest.approx(expected, abs=1e-9), point


def test_sankey_and_word_cloud_hold_the_public_datasets(built: Warehouse, rendered) -> None:
    """Public datasets: every active principal's Sankey is rpt_web_funnel_flows summed over the
    device classes, conserved at every stage between landing and purchase/exit; its word cloud
    holds, per sentiment, the most frequent terms of rpt_review_terms (ties alphabetical, at
    most WORDCLOUD_TERMS, however few terms the lake has)."""
    out, _ = rendered
    flows: dict[tuple[str, str], float] = defaultdict(float)
    for row in mart(built, "select * from marts.rpt_web_funnel_flows"):
        flows[(row["source_stage"], row["target_stage"])] += row["session_count"]
    terms: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for row in mart(built, "select * from marts.rpt_review_terms"):
        terms[row["sentiment"]].append((-row["term_count"], row["term"]))
    expected_words = {
        (term, sentiment, -count)
        for sentiment, found in terms.items()
        for count, term in sorted(found)[: queries.WORDCLOUD_TERMS]
    }
    for principal in principals(built):
        links = named(tile_data(out, principal, "engagement", 1), "source", "target", "value")
        assert {(link["source"], link["target"]): link["value"] for link in links} == flows
        for stage in ("product", "cart", "checkout"):
            inflow = sum(v for (_, target), v in flows.items() if target == stage)
            assert inflow == sum(v for (source, _), v in flows.items() if source == stage) > 0
        words = named(tile_data(out, principal, "engagement", 2), "term", "group", "count")
        assert {(w["term"], w["group"], w["count"]) for w in words} == expected_words, principal


def test_rfm_correlation_is_computed_over_the_principals_customers(
    built: Warehouse, rendered
) -> None:
    """Everyone's matrix is rpt_customer_rfm_correlation's; bob's is corr() over his own rows
    of customer_rfm (his extract), symmetric, 1 on the diagonal, within [-1, 1]."""
    out, extracts = rendered
    expected = {
        (r["measure_x"], r["measure_y"]): r["pearson_r"]
        for r in mart(built, "select * from marts.rpt_customer_rfm_correlation")
    }
    cells = {
        (c["measure_x"], c["measure_y"]): c["r"] for c in tile_data(out, EVERYONE, "customers", 3)
    }
    assert cells.keys() == expected.keys()
    for key, value in expected.items():
        assert cells[key] == pytest.approx(value, abs=1e-9), key
    con = connect_confined(extracts / read_manifest(extracts)["bob@example.com"].file)
    try:
        own = con.execute(
            "select corr(recency_days, monetary_usd), count(*) from secure.customer_rfm"
        ).fetchone()
    finally:
        con.close()
    cells = {
        (c["measure_x"], c["measure_y"]): c
        for c in tile_data(out, "bob@example.com", "customers", 3)
    }
    assert cells[("recency_days", "monetary_usd")]["r"] == pytest.approx(own[0], abs=1e-9)
    assert (
        cells[("recency_days", "monetary_usd")]["n"]
        == own[1]
        < len(mart(built, "select 1 from marts.rpt_customer_rfm"))
    )
    for (x, y), cell in cells.items():  # NULL where a measure is constant among bob's customers
        assert cell["r"] == cells[(y, x)]["r"]
        assert cell["r"] is None or (-1 <= cell["r"] <= 1 and (x != y or cell["r"] == 1))


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
            # listed in the owners' index unless the principal sees none of its rows
            linked = f'href="{folder.name}/{slug}.html"' in index
            assert linked != ("sees no rows of this page's" in html), (principal, slug)
    assert "dave@example.com" not in index  # inactive: no pages


def test_chart_data_matches_sql_on_the_marts(built: Warehouse, rendered) -> None:
    """frank's line tile (the metric net_revenue by day and region) holds exactly the marts'
    orders his orders rules allow, cancelled ones left out, summed per day and region."""
    out, _ = rendered
    with duckdb.connect(str(built.database), read_only=True) as con:
        cursor = con.execute(
            "select o.*, g.region_name from marts.fct_orders as o"
            " left join marts.dim_geography as g using (country_code)"
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    visible = Policy.load(REPO / "seeds" / "security").visible("orders", "frank@example.com", rows)
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for row in visible:
        record = dict(zip(names, row, strict=True))
        if not record["is_cancelled"]:
            key = (record["order_date"].isoformat(), record["region_name"])
            expected[key] += float(record["net_revenue_usd"])
    assert expected and len(visible) < len(rows)
    html = (folder_of(out, "frank@example.com") / "sales.html").read_text(encoding="utf-8")
    line = page_specs(html)[1]["data"]["values"]
    got = {(r["metric_time__day"][:10], r["country__region_name"]): r["net_revenue"] for r in line}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=0.005), key


TOTAL = re.compile(r'<p class="total">Total: ([^<]*)</p>')


def test_one_metric_is_one_number_on_every_page(built: Warehouse, rendered) -> None:
    """Every page that shows net revenue or orders shows the principal's one total of it, and it
    is the hand-written SQL's over the principal's extract (cancelled orders left out)."""
    out, extracts = rendered
    metrics = metric_catalogue()
    for principal in principals(built):
        shown: dict[str, set[str]] = defaultdict(set)
        for page in (folder_of(out, principal)).glob("*.html"):
            for line in TOTAL.findall(page.read_text(encoding="utf-8")):
                for part in line.split(" · "):
                    label, _, figure = part.rpartition(" ")
                    shown[label].add(figure)
        if principal == NOBODY:
            assert not shown  # no rows, no total
            continue
        net, orders = query_as(
            built.database,
            principal,
            "select sum(net_revenue_usd), count(*) from secure.orders where not is_cancelled",
            extracts,
        ).rows[0]
        assert shown["Net revenue"] == {metrics["net_revenue"].figure(net)}, principal
        assert shown["Orders"] == {metrics["orders"].figure(orders)}, principal


def test_the_kpi_is_the_newest_month_of_the_principals_own_data(built: Warehouse, rendered) -> None:
    """alice's KPI: net revenue and target of the newest month with her orders, as SQL over her
    extract computes them; ivan (no rows) gets no KPI."""
    out, extracts = rendered
    month, net, target = query_as(
        built.database,
        "alice@example.com",
        "with newest as (select max(date_trunc('month', order_date)) as month from secure.orders"
        " where not is_cancelled) select newest.month,"
        " (select sum(net_revenue_usd) from secure.orders where not is_cancelled"
        "  and date_trunc('month', order_date) = newest.month),"
        " (select sum(target_revenue_usd) from secure.revenue_vs_target_monthly"
        "  where month_start_date = newest.month) from newest",
        extracts,
    ).rows[0]
    html = (folder_of(out, "alice@example.com") / "targets.html").read_text(encoding="utf-8")
    assert f"{month:%B %Y}, the newest month in this view" in html
    (row,) = data_rows(page_specs(html)[1])
    assert row == {"net_revenue": pytest.approx(float(net)), "target": pytest.approx(float(target))}
    change = float(net) / float(target) - 1
    sign = "+" if change >= 0 else "\u2212"
    texts = SVG_TEXT.findall(html)
    assert f"{sign}{abs(change):.1%} vs target" in texts
    assert f"Revenue target {figure(target, 'usd', short=True)}" in texts
    ivan = (folder_of(out, NOBODY) / "targets.html").read_text(encoding="utf-8")
    assert not page_specs(ivan)


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
    labels_of_specs = {
        text
        for page in load_pages(DASHBOARDS)
        for tile in page.tiles
        for m in tile.measures
        for text in (m.field, queries.measure_title(m))
    }
    manifest = read_manifest(extracts)
    checked = 0
    for principal in principals(built):
        own = extract_strings(extracts / manifest[principal].file)
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
                            assert value in own | labels_of_specs | {
                                "start",
                                "new",
                                "returning",
                                "lost",
                                "refunds",
                                "end",
                                "track",
                                "value",
                                "target",
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


def _numbers(value: Any) -> list[float]:
    """Every number in a spec's value (nested lists and objects too)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


def test_histogram_edges_come_from_the_principals_own_orders(built: Warehouse, rendered) -> None:
    """The open top bin ends at the principal's own largest order, in the page and in the
    extract (docs/security.md); no order value only other principals have appears in a page."""
    out, extracts = rendered
    manifest = read_manifest(extracts)
    with duckdb.connect(str(built.database), read_only=True) as con:
        edges = {
            float(v)
            for (v,) in con.execute(
                "select bin_lower from reference.ref_order_value_bins"
            ).fetchall()
        }
        values = {
            float(v)
            for (v,) in con.execute(
                "select distinct gross_revenue_usd from marts.fct_orders where not is_cancelled"
            ).fetchall()
        }
    checked = 0
    for principal in principals(built):
        with connect_confined(extracts / manifest[principal].file) as con:
            (own,) = con.execute(
                "select max(gross_revenue_usd) from orders where not is_cancelled"
            ).fetchone()
            (top_in_extract,) = con.execute(
                "select max(bin_upper) from order_value_histogram"
            ).fetchone()
            mine = {
                float(v)
                for (v,) in con.execute("select distinct gross_revenue_usd from orders").fetchall()
            }
        html = (folder_of(out, principal) / "order_values.html").read_text(encoding="utf-8")
        specs = page_specs(html)
        if own is None:
            assert top_in_extract is None, principal
            continue
        own = float(own)
        for number in (1, 2):  # the warehouse's bins; the equal bins over the orders
            rows = data_rows(specs[number])
            assert rows, (principal, number)
            top = max(float(row["bin_upper"]) for row in rows)
            # the top bar ends at the principal's largest order, or at a configured bin edge
            assert top == pytest.approx(own, abs=0.005) or (top in edges and top > own), (
                principal,
                number,
                top,
                own,
            )
            checked += 1
        assert top_in_extract is None or float(top_in_extract) <= max(own, *edges) + 0.005
        if float(top_in_extract or 0) > max(edges):
            assert float(top_in_extract) == pytest.approx(own, abs=0.005), principal
        # the order values above the principal's largest that only other principals have
        others = {v for v in values - mine if v > own}
        for number, spec in specs.items():
            shown = {round(n, 2) for n in _numbers(spec)}
            assert not shown & {round(v, 2) for v in others}, (principal, number)
    assert checked


def test_the_open_top_bin_ends_at_the_principals_own_largest_order(
    built: Warehouse, tmp_path: Path
) -> None:
    """The open top bin, on a copy of the warehouse: an order of 15,100 in DE (which bob does not
    see) and one of 7,898 in the US (which he does); the histogram mart is rebuilt. Bob's extract
    and his histogram tile end at 7,898, his own largest order computed by SQL on his extract;
    15,100 appears in neither (docs/security.md)."""
    copy = built.database_copy(tmp_path)
    with duckdb.connect(str(copy.database)) as con:
        for country, value in (("DE", 15_100), ("US", 7_898)):
            con.execute(
                "insert into marts.fct_orders select * replace ("
                " (select max(order_id) + 1 from marts.fct_orders) as order_id,"
                " cast(? as decimal(18, 2)) as gross_revenue_usd, false as is_cancelled)"
                " from marts.fct_orders where country_code = ? limit 1",
                [value, country],
            )
    copy.dbt("run", "--select", "rpt_order_value_histogram")
    largest = "select max(gross_revenue_usd) from marts.fct_orders where not is_cancelled"
    assert copy.scalar(largest) == 15_100
    (page,) = [page for page in load_pages(DASHBOARDS) if page.slug == "order_values"]
    tile = page.tiles[0]
    assert tile.dataset == "order_value_histogram"
    extracts = tmp_path / "extracts"
    with fresh_extract(copy.database, extracts, "bob@example.com") as (entry, _):
        con = connect_confined(extracts / entry.file)
    with con:
        (own,) = con.execute(
            "select max(gross_revenue_usd) from orders where not is_cancelled"
        ).fetchone()
        assert float(own) == 7_898
        (top_in_extract,) = con.execute(
            "select max(bin_upper) from order_value_histogram"
        ).fetchone()
        result = queries.run_tile(con, tile, catalogue()[tile.dataset])
    assert float(top_in_extract) <= float(own)
    top = max(row["bin_upper"] for row in result.rows)
    assert top == pytest.approx(float(own))
    # the bar's height is its share over its own (shorter) width
    last = max(result.rows, key=lambda row: row["bin_upper"])
    total = sum(row["count"] for row in result.rows)
    width = last["bin_upper"] - last["bin_lower"]
    assert last["density"] == pytest.approx(last["count"] / width / total)


def test_rfm_figures_come_from_the_principals_own_customers(built: Warehouse, rendered) -> None:
    """Recency and the RFM scores of every row in a principal's extract are computed from the
    customers of its own country, all of which the principal sees (the row rules filter by
    country): no figure is a rank among, or a date of, other principals' customers."""
    _, extracts = rendered
    manifest = read_manifest(extracts)
    checked = 0
    for principal in principals(built):
        with connect_confined(extracts / manifest[principal].file) as con:
            rows, wrong = con.execute(
                """
                with own as (
                    select *,
                        max(last_order_date) over (partition by country_code) - last_order_date
                            as own_recency,
                        ntile(5) over (partition by country_code
                                       order by recency_days desc, customer_id) as own_r,
                        ntile(5) over (partition by country_code
                                       order by frequency, customer_id) as own_f,
                        ntile(5) over (partition by country_code
                                       order by monetary_usd, customer_id) as own_m
                    from customer_rfm
                )
                select count(*), count(*) filter (where recency_days <> own_recency
                    or recency_score <> own_r or frequency_score <> own_f
                    or monetary_score <> own_m)
                from own
                """
            ).fetchone()
        assert wrong == 0, (principal, wrong, rows)
        checked += rows
    assert checked


def reads(tile: Tile) -> set[str]:
    """The secure datasets a tile reads; a metric tile's are MetricFlow's choice (the sales
    metrics of these pages read secure.orders, which has row rules)."""
    if tile.metrics:
        return {"orders"}
    return {tile.dataset, *(join["dataset"] for join in tile.lookup)}


def test_a_principal_with_no_rows_gets_pages_that_say_so(built: Warehouse, rendered) -> None:
    """ivan has no rule: every page over a dataset with row rules says so and holds no chart;
    a page over public datasets only (every active principal sees them) shows him its charts."""
    out, _ = rendered
    public = {
        d
        for (d,) in built.query(
            "select dataset from policy.policy_datasets where rls_mode = 'public'"
        )
    }
    folder = folder_of(out, NOBODY)
    for page in load_pages(DASHBOARDS):
        html = (folder / f"{page.slug}.html").read_text(encoding="utf-8")
        if all(reads(t) <= public for t in page.tiles):
            assert len(page_specs(html)) == len(page.tiles), page.slug
            continue
        assert f"{NOBODY} sees no rows of this page's" in html
        assert not page_specs(html) and "<svg" not in html
        assert not list(folder.glob(f"{page.slug}-*.svg"))
    assert any(all(reads(t) <= public for t in p.tiles) for p in load_pages(DASHBOARDS))
    index = (out / "index.html").read_text()
    assert f"<strong>{NOBODY}</strong> (sees no rows of a restricted dataset" in index


def test_indexes_leave_out_the_pages_without_rows_saying_so_in_one_line(rendered) -> None:
    """ivan's index lists the pages of public data only, then one line naming the others;
    erin (every row) gets every page and no such line. An empty tile names what it reads."""
    out, _ = rendered
    pages = load_pages(DASHBOARDS)
    ivan = (folder_of(out, NOBODY) / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="(\w+)\.html">', ivan)
    assert listed == ["engagement"]
    (left_out,) = re.findall(r'<p class="meta" id="left-out">([^<]*)</p>', ivan)
    others = [page.title for page in pages if page.slug != "engagement"]
    assert left_out == f"Left out, as you see no rows of their data: {', '.join(others)}."
    erin = (folder_of(out, "erin@example.com") / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<li><a href="(\w+)\.html">', erin) == [page.slug for page in pages]
    assert "left-out" not in erin
    sales = unescape((folder_of(out, NOBODY) / "sales.html").read_text(encoding="utf-8"))
    assert f"No rows in {NOBODY}'s view: its extract holds none of secure.orders" in sales


def test_every_page_says_the_period_of_its_data_and_when_its_extract_was_built(
    built: Warehouse, rendered
) -> None:
    """alice's sales page: the first and last order day of her own orders; a page of public
    data without dates says so; every page names its extract's build time."""
    out, extracts = rendered
    first, last = query_as(
        built.database,
        "alice@example.com",
        "select min(order_date), max(order_date) from secure.orders",
        extracts,
    ).rows[0]
    entry = read_manifest(extracts)["alice@example.com"]
    folder = folder_of(out, "alice@example.com")
    sales = (folder / "sales.html").read_text(encoding="utf-8")
    assert (
        f"Its data runs from {first.day} {first:%B %Y} to {last.day} {last:%B %Y}"
        " (the last day in your view)."
    ) in sales
    engagement = (folder / "engagement.html").read_text(encoding="utf-8")
    assert "Its data carries no date." in engagement
    for page in folder.glob("*.html"):
        if page.name != "index.html":
            assert f"built {entry.built_at}" in page.read_text(encoding="utf-8"), page.name


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


pytest.importorskip("playwright.sync_api")
#: Chromium's performance advice when a canvas is read back often: Vega's wordcloud transform
#: measures words on a canvas it creates itself (vega-canvas), so the page cannot set the
#: `willReadFrequently` it suggests; it is advice, not an error of the page
CANVAS_ADVICE = "Canvas2D: Multiple readback operations using getImageData are faster"


#: whose pages the browser test hovers: every tile must show a tooltip
HOVERED = ("erin@example.com", "bob@example.com")


def tooltip_of(page: Any, number: int) -> str:
    """The text of the tooltip of the first mark of chart `number` that shows one ('' if none
    of its first 40 marks does)."""
    from playwright.sync_api import Error

    marks = page.locator(f"#chart-{number} svg g.role-mark > *")
    for index in range(min(marks.count(), 40)):
        try:
            marks.nth(index).hover(force=True, timeout=2000)
        except Error:  # a mark without a box to hover (an empty group)
            continue
        tip = page.locator("#vg-tooltip-element.visible")
        if tip.count() and tip.inner_text().strip():
            return tip.inner_text().strip()
    return ""


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium")
def test_every_page_renders_in_chromium_offline(built: Warehouse, rendered) -> None:
    """Network blocked: no console error, no request leaves file://, marks in every tile; for
    erin and bob, every tile shows a tooltip of labelled, formatted figures."""
    out, _ = rendered
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with offline_page(1400, 1000, console=("error", "warning")) as (page, problems):
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
                    if principal in HOVERED:
                        page.wait_for_function(f"window.lakesightViews['{i + 1}']")
                        tip = tooltip_of(page, i + 1)
                        assert tip and "__" not in tip, (principal, html.name, i + 1, tip)
                name = f"{folder.name.split('-')[0]}-{html.stem}.png"
                page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    problems = [p for p in problems if not p.split(": ", 1)[-1].startswith(CANVAS_ADVICE)]
    assert problems == [], "\n".join(problems)


#: a tile's rows as its chart draws them after its own transforms (Vega-Lite names the
#: transformed data sets data_0, data_1 …): [[period as local YYYY-MM-DD, colour, value]]
DRAWN = """([number, value, colour]) => {
  const view = window.lakesightViews[number];
  for (let i = 0; i < 5; i++) {
    let rows;
    try { rows = view.data('data_' + i); } catch (e) { continue; }
    if (!rows.length || !('_period' in rows[0])) continue;
    const day = d => d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0')
      + '-' + String(d.getDate()).padStart(2, '0');
    return rows.map(r => [day(new Date(r._period)), colour ? r[colour] : null, r[value]]);
  }
  return null;
}"""


@pytest.mark.parametrize("grain", ["week", "month"])
def test_a_daily_series_sums_to_the_grain_picked_under_it(
    built: Warehouse, rendered, grain: str
) -> None:
    """frank's net revenue by region over time (daily rows, a 14-day lake: drawn by day),
    summed by the week or month picked under the chart in Chromium, offline: SQL's weekly
    (from Monday) or monthly sums over his extract."""
    out, extracts = rendered
    expected = {
        (f"{period:%Y-%m-%d}", region): float(value)
        for period, region, value in query_as(
            built.database,
            "frank@example.com",
            f"select date_trunc('{grain}', o.order_date), g.region_name, sum(o.net_revenue_usd)"
            " from secure.orders as o join secure.geography as g using (country_code)"
            " where not o.is_cancelled group by all",
            extracts,
        ).rows
    }
    page_file = folder_of(out, "frank@example.com") / "sales.html"
    with offline_page(1400, 1000) as (page, problems):
        page.goto(page_file.as_uri())
        page.wait_for_function("window.lakesightViews && window.lakesightViews['1']")
        before = page.evaluate(DRAWN, ["1", "net_revenue", "country__region_name"])
        assert len(before) == len(page_specs(page_file.read_text())[1]["data"]["values"])
        page.select_option("#tile-1 select", grain)
        page.wait_for_function(f"window.lakesightViews['1'].signal('grain') === '{grain}'")
        drawn = page.evaluate(DRAWN, ["1", "net_revenue", "country__region_name"])
    assert problems == []
    got = {(period, region): value for period, region, value in drawn}
    assert got.keys() == expected.keys() and len(got) < len(before)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=0.005), key


def test_pages_fit_a_phone_and_offer_each_tiles_data_and_picture(rendered) -> None:
    """erin's pages at 390 px wide scroll no sideways; a tile's CSV download holds the rows its
    chart embeds (headed by their labels), its SVG and PNG downloads the chart as drawn."""
    out, _ = rendered
    folder = folder_of(out, "erin@example.com")
    with offline_page(390, 844) as (page, problems):
        for html_file in sorted(folder.glob("*.html")):
            page.goto(html_file.as_uri())
            if html_file.name == "index.html":
                continue
            tiles = page.locator("section.tile").count()
            page.wait_for_function(f"Object.keys(window.lakesightViews).length === {tiles}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (html_file.name, width)
        page.goto((folder / "sales.html").as_uri())
        page.wait_for_function("window.lakesightViews['1']")
        with page.expect_download() as csv_download:
            page.click("#tile-1 a.csv")
        with page.expect_download() as png_download:
            page.click("#tile-1 a.png")
        with page.expect_download() as svg_download:
            page.click("#tile-1 a.svg")
        saved = {
            kind: Path(download.value.path()).read_bytes()
            for kind, download in (
                ("csv", csv_download),
                ("png", png_download),
                ("svg", svg_download),
            )
        }
    assert problems == []
    header, *rows = csv.reader(saved["csv"].decode("utf-8").splitlines())
    assert header == ["Day", "Region", "Net revenue"]
    embedded = page_specs((folder / "sales.html").read_text(encoding="utf-8"))[1]["data"]["values"]
    assert rows == [
        [r["metric_time__day"], r["country__region_name"], str(r["net_revenue"])] for r in embedded
    ]
    assert saved["png"].startswith(b"\x89PNG\r\n\x1a\n") and len(saved["png"]) > 5000
    assert saved["svg"].startswith(b"<svg") and b"Net revenue" in saved["svg"]


def test_a_dark_system_gets_dark_pages(rendered) -> None:
    """prefers-color-scheme: dark gives a dark page and Vega's dark theme; light, the light."""
    out, _ = rendered
    sales = (folder_of(out, "erin@example.com") / "sales.html").as_uri()
    seen = {}
    for scheme in ("light", "dark"):
        with offline_page(1400, 1000, color_scheme=scheme) as (page, problems):
            page.goto(sales)
            page.wait_for_function("window.lakesightViews['1']")
            seen[scheme] = (
                page.evaluate("getComputedStyle(document.body).backgroundColor"),
                page.evaluate("window.lakesightViews['1'].background()"),
            )
        assert problems == []
    assert seen["light"] == ("rgb(255, 255, 255)", "white")
    assert seen["dark"] == ("rgb(30, 30, 30)", "#333")


def test_the_detailed_atlas_places_the_countries_the_map_has_no_shape_for() -> None:
    """Singapore and Malta have no shape in the 110m map: points at their centres in the 10m
    atlas (the pinned npm world-atlas)."""
    assert {"702", "470"}.isdisjoint(atlas.map_ids()) and "276" in atlas.map_ids()
    centres = atlas.points()
    assert centres["702"] == pytest.approx((103.82, 1.35), abs=0.3)
    assert centres["470"] == pytest.approx((14.4, 35.9), abs=0.3)


def test_the_tree_map_drills_down_a_level_and_back(built: Warehouse, rendered) -> None:
    """In Chromium, offline: clicking a rectangle of erin's tree map shows its top category
    alone, its subcategories summing its leaves as SQL over erin's extract sums gross revenue;
    clicking again goes one level further; clicking the trail above the map climbs back, level
    by level."""
    out, extracts = rendered
    page_file = folder_of(out, "erin@example.com") / "categories.html"
    state = """() => {
      const view = window.lakesightViews['1'];
      return {names: view.signal('names'), tops: view.data('tops').map(d => d.name),
              leaves: view.data('leaves').map(d => [d.level_2, d.size])};
    }"""
    with offline_page(1400, 1000) as (page, problems):
        page.goto(page_file.as_uri())
        page.wait_for_function("window.lakesightViews['1']")
        first = page.evaluate(state)
        leaf = page.locator("#chart-1 svg g.mark-rect.role-mark").first.locator("path").first
        leaf.click(force=True)
        drilled = page.evaluate(state)
        leaf = page.locator("#chart-1 svg g.mark-rect.role-mark").first.locator("path").first
        leaf.click(force=True)
        deeper = page.evaluate(state)
        trail = page.locator("#chart-1 svg g.mark-text.role-mark").first.locator("text")
        trail.click()
        back = page.evaluate(state)
        trail.click()
        home = page.evaluate(state)
    assert problems == []
    assert first["names"] == ["All"] and len(first["tops"]) > 2
    all_, category = drilled["names"]
    sums: dict[str, float] = defaultdict(float)
    for level_2, size in drilled["leaves"]:
        sums[level_2] += size
    expected = {
        name: float(total)
        for name, total in query_as(
            built.database,
            "erin@example.com",
            "select p.category_level_2, sum(i.line_amount_usd) from secure.order_items as i"
            " join secure.orders as o using (order_id) join secure.products as p using"
            " (product_id) where not o.is_cancelled and p.category_level_1 = "
            + "'"
            + category.replace("'", "''")
            + "' group by 1",
            extracts,
        ).rows
    }
    assert sorted(drilled["tops"]) == sorted(expected)
    assert sums == pytest.approx(expected, abs=0.01)
    assert len(deeper["names"]) == 3 and deeper["names"][:2] == [all_, category]
    assert back["names"] == drilled["names"] and sorted(back["tops"]) == sorted(drilled["tops"])
    assert home["names"] == first["names"] and sorted(home["tops"]) == sorted(first["tops"])
