"""Dashboard files: schema and semantic checks (one test per error kind) and AutoGraph."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from lakesight.consume.dashboards.build import script_json
from lakesight.consume.dashboards.definitions import (
    REQUIRED,
    Encoding,
    SpecError,
    autograph,
    catalogue,
    load_pages,
)
from lakesight.consume.dashboards.exposures import EXPOSURES, exposures_yaml
from lakesight.consume.dashboards.formats import LABELS_FILE
from lakesight.consume.dashboards.vega import VEGA
from lakesight.consume.dashboards.vega_lite import BUILDERS
from tests.support.warehouse import REPO

GOOD_TILE = {
    "title": "Net revenue per day",
    "dataset": "sales_daily",
    "visual": "line",
    "encoding": {
        "x": {"field": "order_date"},
        "y": {"field": "net_revenue_usd", "aggregate": "sum"},
    },
}


def write(folder: Path, tiles: list[dict], name: str = "page.yml", **page: object) -> Path:
    """A folder of dashboard files with this page and the repository's label map."""
    folder.mkdir(exist_ok=True)
    shutil.copy(REPO / "dashboards" / LABELS_FILE, folder / LABELS_FILE)
    body = {"title": "A page", "description": "What it shows.", "tiles": tiles} | page
    (folder / name).write_text(yaml.safe_dump(body), encoding="utf-8")
    return folder


def problems(folder: Path) -> str:
    with pytest.raises(SpecError) as error:
        load_pages(folder)
    return str(error.value)


def tile(**changes: object) -> dict:
    return GOOD_TILE | changes


def test_the_repository_dashboards_are_valid_and_cover_every_visual_family() -> None:
    pages = load_pages(REPO / "dashboards")
    visuals = {t.visual for page in pages for t in page.tiles}
    assert visuals == set(REQUIRED)
    assert any(t.autograph for page in pages for t in page.tiles)


def test_every_visual_has_one_builder() -> None:
    """Each visual the files may name is drawn by exactly one registry: Vega-Lite's or Vega's."""
    assert set(BUILDERS) | set(VEGA) == set(REQUIRED)
    assert set(BUILDERS) & set(VEGA) == set()


def test_a_good_file_loads(tmp_path: Path) -> None:
    [page] = load_pages(write(tmp_path / "d", [GOOD_TILE]))
    assert page.slug == "page" and page.tiles[0].visual == "line"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"visual": "sparkline"},
            "page.yml: tile 1 (Net revenue per day): visual: 'sparkline' is not one of",
        ),
        (
            {"colour": "red"},
            "tile 1 (Net revenue per day): Additional properties are not allowed ('colour'",
        ),
        ({"encoding": {"x": {"aggregate": "sum"}}}, "encoding/x: 'field' is a required property"),
        (
            {"encoding": {"x": {"field": "order_date", "aggregate": "median"}}},
            "'median' is not one of",
        ),
    ],
    ids=["unknown-visual", "unknown-property", "field-missing", "unknown-aggregate"],
)
def test_schema_errors_name_file_and_tile(tmp_path: Path, change: dict, expected: str) -> None:
    assert expected in problems(write(tmp_path / "d", [tile(**change)]))


def test_a_page_without_title_fails(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "x.yml").write_text("description: d\ntiles: []\n", encoding="utf-8")
    found = problems(folder)
    assert "x.yml: 'title' is a required property" in found
    assert "x.yml: tiles: [] should be non-empty" in found


def test_invalid_yaml_fails_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "broken.yml").write_text("title: [unclosed\n", encoding="utf-8")
    assert problems(folder).startswith("broken.yml: not valid YAML")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"dataset": "marts.fct_orders"}, "unknown dataset 'marts.fct_orders'"),
        ({"dataset": "rpt_sales_daily"}, "unknown dataset 'rpt_sales_daily'"),
        (
            {"encoding": {"x": {"field": "order_day"}, "y": GOOD_TILE["encoding"]["y"]}},
            "encoding x: unknown column 'order_day'",
        ),
        (
            {"filters": [{"column": "regio", "op": "=", "value": "Europe"}]},
            "filter: unknown column 'regio'",
        ),
        (
            {"filters": [{"column": "channel", "op": "in", "value": "web"}]},
            "filter on 'channel': 'in' needs a list",
        ),
        ({"sort": [{"field": "channel"}]}, "sort: 'channel' is not an encoded column"),
        (
            {
                "encoding": {
                    "x": {"field": "order_date"},
                    "y": {"field": "channel", "aggregate": "sum"},
                }
            },
            "encoding y: sum of non-numeric column 'channel'",
        ),
        ({"visual": "pie"}, "visual pie needs encoding theta, color"),
        (
            {"visual": "density", "encoding": {"x": {"field": "channel"}}},
            "visual density needs a numeric x column",
        ),
    ],
    ids=[
        "mart-not-secure",
        "unknown-dataset",
        "unknown-column",
        "unknown-filter-column",
        "in-needs-list",
        "sort-not-encoded",
        "sum-of-text",
        "missing-encoding",
        "distribution-of-text",
    ],
)
def test_semantic_errors_name_file_tile_and_problem(
    tmp_path: Path, change: dict, expected: str
) -> None:
    folder = write(tmp_path / "d", [GOOD_TILE, tile(**change)])
    assert f"page.yml: tile 2 (Net revenue per day): {expected}" in problems(folder)


TREEMAP = {
    "title": "Revenue by category",
    "dataset": "order_items",
    "visual": "treemap",
    "lookup": [{"dataset": "products", "key": "product_id"}],
    "path": ["category_level_1", "category_level_2"],
    "encoding": {"value": {"field": "line_amount_usd", "aggregate": "sum"}},
}
RADAR = {k: v for k, v in TREEMAP.items() if k != "path"} | {
    "visual": "radar",
    "encoding": {"color": {"field": "category_level_1"}},
    "measures": [
        {"field": "line_amount_usd", "aggregate": "sum"},
        {"field": "quantity", "aggregate": "mean"},
    ],
}
CORRELATION = {
    "title": "RFM",
    "dataset": "customer_rfm",
    "visual": "correlation",
    "measures": [{"field": "recency_days"}, {"field": "monetary_usd"}],
}


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            TREEMAP | {"lookup": [{"dataset": "goods", "key": "product_id"}]},
            "lookup: unknown dataset 'goods'",
        ),
        (
            TREEMAP | {"lookup": [{"dataset": "products", "key": "sku"}]},
            "lookup products: key 'sku' is not a column of both sides",
        ),
        (TREEMAP | {"path": ["category_level_9"]}, "path: unknown column 'category_level_9'"),
        ({k: v for k, v in TREEMAP.items() if k != "path"}, "visual treemap needs a path"),
        (TREEMAP | {"path": ["list_price_usd"]}, "visual treemap needs text path columns"),
        (RADAR | {"measures": RADAR["measures"][:1]}, "visual radar needs at least two measures"),
        (
            RADAR | {"measures": [{"field": "quantity"}, {"field": "line_amount_usd"}]},
            "visual radar needs an aggregate on every measure",
        ),
        (
            RADAR | {"measures": [{"field": "qty", "aggregate": "sum"}]},
            "measures: unknown column 'qty'",
        ),
        (
            CORRELATION | {"measures": [{"field": "segment"}, {"field": "frequency"}]},
            "visual correlation needs numeric measures without aggregate",
        ),
        (TREEMAP | {"measures": RADAR["measures"]}, "visual treemap takes no measures"),
        (RADAR | {"path": ["category_level_1"]}, "visual radar takes no path"),
        (
            RADAR | {"measures": [{"field": "sku", "aggregate": "share_positive"}] * 2},
            "measures: share_positive of non-numeric column 'sku'",
        ),
    ],
    ids=[
        "lookup-unknown-dataset",
        "lookup-key-not-on-both",
        "path-unknown-column",
        "treemap-without-path",
        "treemap-numeric-path",
        "radar-one-measure",
        "radar-measure-not-aggregated",
        "measure-unknown-column",
        "correlation-of-text",
        "measures-on-other-visual",
        "path-on-other-visual",
        "share-of-text",
    ],
)
def test_lookup_path_and_measure_errors_name_file_tile_and_problem(
    tmp_path: Path, bad: dict, expected: str
) -> None:
    folder = write(tmp_path / "d", [TREEMAP, RADAR, CORRELATION, bad])
    assert f"page.yml: tile 4 ({bad['title']}): {expected}" in problems(folder)


def test_a_lookup_adds_the_joined_datasets_columns(tmp_path: Path) -> None:
    [page] = load_pages(write(tmp_path / "d", [TREEMAP, RADAR, CORRELATION]))
    treemap = page.tiles[0]
    assert treemap.owners["category_level_1"] == 1 and treemap.owners["line_amount_usd"] == 0
    assert page.tiles[2].measures[1].field == "monetary_usd"


def test_autograph_that_fits_nothing_is_an_error(tmp_path: Path) -> None:
    lone = {
        "title": "Two categories",
        "dataset": "sales_daily",
        "encoding": {"x": {"field": "channel"}, "y": {"field": "region_name"}},
    }
    assert "tile 1 (Two categories): no visual given and AutoGraph fits none" in problems(
        write(tmp_path / "d", [lone])
    )


def test_every_problem_of_every_file_is_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "d", [tile(dataset="nope")], name="a.yml")
    write(folder, [tile(visual="sparkline")], name="b.yml")
    found = problems(folder).splitlines()
    assert found[0].startswith("a.yml: tile 1") and found[1].startswith("b.yml: tile 1")


COLUMNS = catalogue()["sales_daily"] | catalogue()["customer_rfm"]


@pytest.mark.parametrize(
    ("encoding", "visual"),
    [
        ({"x": Encoding("order_date"), "y": Encoding("net_revenue_usd", "sum")}, "line"),
        ({"x": Encoding("channel"), "y": Encoding("order_count", "sum")}, "bar"),
        ({"x": Encoding("recency_days", "mean"), "y": Encoding("monetary_usd", "mean")}, "scatter"),
        (
            {
                "x": Encoding("recency_days", "mean"),
                "y": Encoding("monetary_usd", "mean"),
                "color": Encoding("segment"),
            },
            "scatter",
        ),
        ({"x": Encoding("monetary_usd")}, "histogram"),
        ({"x": Encoding("channel"), "y": Encoding("region_name")}, None),
        ({"x": Encoding("channel")}, None),
    ],
    ids=[
        "time-line",
        "category-bar",
        "two-measures-scatter",
        "scatter-by-colour",
        "numeric-histogram",
        "two-categories-none",
        "one-category-none",
    ],
)
def test_autograph_chooses_from_the_columns(encoding: dict, visual: str | None) -> None:
    assert autograph(encoding, COLUMNS) == visual


def test_exposures_are_derived_from_the_dashboard_files() -> None:
    """One exposure per page, on the marts behind its datasets; the committed file is current."""
    pages = load_pages(REPO / "dashboards")
    assert EXPOSURES.read_text(encoding="utf-8") == exposures_yaml(pages)
    declared = yaml.safe_load(EXPOSURES.read_text(encoding="utf-8"))["exposures"]
    assert [e["name"] for e in declared] == [f"dashboard_{page.slug}" for page in pages]
    sales = next(e for e in declared if e["name"] == "dashboard_sales")
    assert sales["depends_on"] == ["metric('net_revenue')", "metric('orders')"]
    engagement = next(e for e in declared if e["name"] == "dashboard_engagement")
    assert engagement["depends_on"] == ["ref('rpt_review_terms')", "ref('rpt_web_funnel_flows')"]


METRIC_TILE = {
    "title": "Net revenue by channel",
    "metrics": ["net_revenue"],
    "group_by": ["order__channel"],
    "visual": "bar",
    "encoding": {"x": {"field": "order__channel"}, "y": {"field": "net_revenue"}},
}


def test_a_metric_tile_reads_a_metric_of_the_semantic_layer(tmp_path: Path) -> None:
    (page,) = load_pages(write(tmp_path / "d", [METRIC_TILE]))
    (metric_tile,) = page.tiles
    assert metric_tile.metrics == ["net_revenue"] and metric_tile.source.startswith("metric ")
    assert metric_tile.columns == {"order__channel": "varchar", "net_revenue": "double"}


def test_a_period_is_for_metric_tiles(tmp_path: Path) -> None:
    assert "period is for metric tiles" in problems(
        write(tmp_path / "d", [tile(period="latest_month")])
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"metrics": ["net_revenu"]}, "unknown metric 'net_revenu'"),
        (
            {
                "encoding": {
                    "x": {"field": "order__channel"},
                    "y": {"field": "net_revenue", "aggregate": "sum"},
                }
            },
            "encoding y: a metric tile takes no aggregate",
        ),
        ({"dataset": "orders"}, "a metric tile takes no dataset"),
        (
            {"period": "latest_month", "group_by": ["metric_time__month"]},
            "a tile of one period is not grouped by time",
        ),
        (
            {"encoding": {"x": {"field": "channel"}, "y": {"field": "net_revenue"}}},
            "unknown column 'channel'",
        ),
    ],
)
def test_a_metric_tile_names_what_is_wrong(tmp_path: Path, change: dict, problem: str) -> None:
    assert problem in problems(write(tmp_path / "d", [METRIC_TILE | change]))


def test_an_added_page_makes_the_exposures_stale(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    shutil.copytree(REPO / "dashboards", folder)
    write(folder, [GOOD_TILE], name="extra.yml")
    assert exposures_yaml(load_pages(folder)) != EXPOSURES.read_text(encoding="utf-8")


def test_embedded_specs_cannot_close_their_script_element() -> None:
    """A title or value with `</script>` stays inside the page's JSON block."""
    text = script_json({"title": "</script><script>alert(1)</script>", "note": "<!--"})
    assert "<" not in text
    assert json.loads(text)["title"] == "</script><script>alert(1)</script>"
