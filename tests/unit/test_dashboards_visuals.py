"""Each visual in its canonical shape, labelled and formatted: the repository's tiles drawn by
vl-convert from rows made up here (no warehouse), the drawing's text read back."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import vl_convert
import yaml

from lakesight.consume.dashboards import atlas
from lakesight.consume.dashboards.build import VL_CONVERT_VERSION
from lakesight.consume.dashboards.definitions import SpecError, Tile, load_pages
from lakesight.consume.dashboards.formats import LABELS_FILE, figure
from lakesight.consume.dashboards.queries import Result
from lakesight.consume.dashboards.vega import wordcloud
from lakesight.consume.dashboards.vega_lite import DOWN, GAUGE_SPAN, UP, vega_lite
from tests.support.warehouse import REPO

SVG_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")
PAGES = {page.slug: page for page in load_pages(REPO / "dashboards")}


def tile(slug: str, number: int) -> Tile:
    return PAGES[slug].tiles[number - 1]


def drawn(one: Tile, rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The tile's Vega-Lite spec over the rows, and every text of its SVG."""
    spec = vega_lite(one, Result(list(rows[0]), rows), one.columns, Path("no-map"))
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VL_CONVERT_VERSION)
    return spec, [html.unescape(t) for t in SVG_TEXT.findall(svg)]


def test_a_field_without_a_label_is_named_with_the_label_map(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    shutil.copytree(REPO / "dashboards", folder)
    labels = yaml.safe_load((folder / LABELS_FILE).read_text(encoding="utf-8"))
    del labels["labels"]["order__channel"]
    (folder / LABELS_FILE).write_text(yaml.safe_dump(labels), encoding="utf-8")
    with pytest.raises(SpecError) as error:
        load_pages(folder)
    assert (
        "revenue_mix.yml: tile 1 (Net revenue by channel): no label for 'order__channel':"
        f" add it to {LABELS_FILE}"
    ) in str(error.value)


def test_a_label_map_entry_with_an_unknown_format_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    shutil.copytree(REPO / "dashboards", folder)
    (folder / LABELS_FILE).write_text("labels:\n  step: {label: Step, format: euro}\n")
    with pytest.raises(SpecError, match=r"_labels.yml: step: format 'euro' is not one of usd"):
        load_pages(folder)


def test_titles_are_labels_and_numbers_are_formatted() -> None:
    """The repository's bar of orders per channel: axis titles from the label map and the
    metric, the orders axis in compact units (1.5K, not 1500 or 1.5k), tooltips in full."""
    rows = [{"order__channel": "web", "orders": 4012.0}, {"order__channel": "app", "orders": 310.0}]
    spec, texts = drawn(tile("revenue_mix", 3), rows)
    assert {"Channel", "Orders"} <= set(texts)
    assert "order__channel" not in texts and "orders" not in texts
    assert "4K" in texts and "4000" not in texts and "4k" not in texts
    assert {"field": "orders", "type": "quantitative", "title": "Orders", "format": ",.0f"} in (
        spec["encoding"]["tooltip"]
    )


def test_a_donut_beyond_the_palette_groups_its_tail_into_other() -> None:
    """15 currencies on a 10-colour palette: the 9 largest and "Other (6)", shares printed."""
    rows = [{"order__currency_code": f"C{i:02d}", "net_revenue": 150.0 - i} for i in range(15)]
    _, texts = drawn(tile("revenue_mix", 2), rows)
    shown = {t for t in texts if re.fullmatch(r"C\d\d", t)}
    assert shown == {f"C{i:02d}" for i in range(9)}
    assert "Other (6)" in texts
    total = sum(r["net_revenue"] for r in rows)
    assert f"{round(150 / total * 100)}%" in texts  # the largest slice's share


def test_the_pivot_has_row_and_column_totals_and_a_grand_total() -> None:
    rows = [
        {"order__channel": channel, "country__region_name": region, "net_revenue": amount}
        for channel, region, amount in (
            ("web", "Europe", 1000.0),
            ("web", "Asia", 250.0),
            ("app", "Europe", 500.0),
            ("app", "Asia", 125.0),
        )
    ]
    _, texts = drawn(tile("sales", 3), rows)
    assert texts.count("Total") == 2  # the Total column's and the Total row's headers
    for amount in (1500.0, 375.0, 1250.0, 625.0, 1875.0):  # regions, channels, everything
        assert figure(amount, "usd") in texts


def test_the_gauge_is_a_three_quarter_ring_with_the_target_marked() -> None:
    spec, texts = drawn(tile("targets", 2), [{"net_revenue": 80_000.0, "target": 100_000.0}])
    parts = {row["part"]: row for row in spec["data"]["values"]}
    assert parts["track"]["end"] - parts["track"]["start"] == pytest.approx(GAUGE_SPAN)
    assert GAUGE_SPAN < 2 * 3.1416
    # the ring runs to 125 % of the target: the value at 80 / 125 of it, the target at 100 / 125
    assert parts["value"]["end"] - parts["value"]["start"] == pytest.approx(GAUGE_SPAN * 0.64)
    target = (parts["target"]["start"] + parts["target"]["end"]) / 2 - parts["track"]["start"]
    assert target == pytest.approx(GAUGE_SPAN * 0.8)
    assert all(
        layer.get("encoding", {}).get("color", {}).get("legend", None) is None
        for layer in spec["layer"]
    )
    assert {"$80K", "80.0% of target", "Revenue target $100K"} <= set(texts)


@pytest.mark.parametrize(
    ("net", "change", "colour"),
    [(90.0, "\u221210.0% vs target", DOWN), (125.0, "+25.0% vs target", UP)],
)
def test_the_kpi_shows_value_target_and_signed_change(net: float, change: str, colour: str) -> None:
    spec, texts = drawn(tile("targets", 1), [{"net_revenue": net * 1000, "target": 100_000.0}])
    assert {f"${net:g}K", change, "Revenue target $100K"} <= set(texts)
    (layer,) = [
        layer for layer in spec["layer"] if layer["encoding"]["text"].get("value") == change
    ]
    assert layer["mark"]["color"] == colour


def test_the_waterfall_colours_totals_increases_and_decreases_and_names_the_month() -> None:
    steps = [
        ("start", 1000.0, 1000.0),
        ("new", 300.0, 1300.0),
        ("lost", -200.0, 1100.0),
        ("end", 1100.0, 1100.0),
    ]
    rows = [
        {
            "step_number": n,
            "step": step,
            "amount_usd": amount,
            "running_total": running,
            "month_start_date": "2025-12-01",
        }
        for n, (step, amount, running) in enumerate(steps, start=1)
    ]
    spec, texts = drawn(tile("geography", 2), rows)
    assert "December 2025" in texts
    assert {"$1K", "$300", "\u2212$200", "$1.1K"} <= set(texts)
    colours = spec["layer"][0]["encoding"]["color"]["scale"]
    assert (
        colours["domain"] == ["total", "increase", "decrease"] and len(set(colours["range"])) == 3
    )


def test_the_word_cloud_is_the_same_picture_for_the_same_rows() -> None:
    one = tile("engagement", 2)
    rows = [
        {"term": term, "sentiment": sentiment, "term_count": float(count)}
        for term, sentiment, count in (
            ("great", "positive", 40),
            ("broken", "negative", 12),
            ("fine", "neutral", 7),
        )
    ]
    first, second = (wordcloud(one, Result(list(rows[0]), list(rows))) for _ in range(2))
    assert first == second
    assert all(t.get("type") != "wordcloud" for d in first["data"] for t in d.get("transform", []))
    assert first["legends"] and first["scales"][0]["domain"] == ["negative", "neutral", "positive"]


def test_a_country_too_small_for_the_map_is_a_point_and_one_in_no_atlas_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Germany has a shape on the map; Singapore none (a point at its centre in the detailed
    atlas); Réunion is in no atlas: named under the map with its figure. None is dropped."""
    world = tmp_path / "world.json"
    world.write_text(
        '{"type": "Topology", "objects": {"countries": {"type": "GeometryCollection",'
        ' "geometries": [{"type": "Polygon", "id": "276", "arcs": [[0]]}]}},'
        ' "arcs": [[[6, 47], [14, 47], [14, 55], [6, 55], [6, 47]]]}'
    )
    monkeypatch.setattr(atlas, "map_ids", lambda: frozenset({"276"}))
    monkeypatch.setattr(atlas, "points", lambda: {"702": (103.8, 1.35)})
    rows = [
        {"country__country_numeric": code, "country__country_name": name, "net_revenue": amount}
        for code, name, amount in (
            ("276", "Germany", 5000.0),
            ("702", "Singapore", 120.0),
            ("638", "Réunion", 45.5),
        )
    ]
    one = tile("geography", 1)
    spec = vega_lite(one, Result(list(rows[0]), rows), one.columns, world)
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VL_CONVERT_VERSION)
    texts = [html.unescape(t) for t in SVG_TEXT.findall(svg)]
    assert "Not on the map (no shape in the atlas): Réunion $45.50" in texts
    (dots,) = [layer for layer in spec["layer"] if layer["mark"].get("type") == "circle"]
    assert [
        (d["country__country_name"], d["longitude"], d["latitude"]) for d in dots["data"]["values"]
    ] == [("Singapore", 103.8, 1.35)]
    assert "mark-symbol" in svg  # the point is drawn
