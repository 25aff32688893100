"""Vega-Lite 5 specs (the version of the pinned npm vega-lite) for each visual, data inlined."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lakesight.consume.dashboards.definitions import Tile, kind
from lakesight.consume.dashboards.queries import Result

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH, HEIGHT = 420, 260

Spec = dict[str, Any]
Columns = dict[str, str]  # column -> declared type


def plain(value: Any) -> Any:
    """A JSON value for a DuckDB value (dates as ISO text, decimals as floats)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def values(result: Result) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in result.rows]


def _field(tile: Tile, channel: str, columns: dict[str, str], **extra: Any) -> dict[str, Any]:
    enc = tile.encoding[channel]
    measure = enc.aggregate is not None
    spec: dict[str, Any] = {
        "field": enc.field,
        "type": "quantitative" if measure else kind(columns[enc.field]),
        "title": enc.title or (f"{enc.aggregate} of {enc.field}" if measure else enc.field),
    }
    return spec | extra


def _sort(tile: Tile) -> Any:
    if tile.sort:
        first = tile.sort[0]
        return {"field": first["field"], "order": first.get("order", "ascending")}
    return None


def _xy(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """line, bar, scatter: x and y, a colour when encoded; a bar's x sorted by its sum."""
    mark = {"line": {"type": "line", "point": False}, "bar": "bar", "scatter": "point"}[tile.visual]
    encoding = {"x": _field(tile, "x", columns), "y": _field(tile, "y", columns)}
    if tile.visual == "bar" and _sort(tile):
        encoding["x"]["sort"] = {
            "field": tile.sort[0]["field"],
            "op": "sum",
            "order": tile.sort[0].get("order", "ascending"),
        }
    if "color" in tile.encoding:
        encoding["color"] = _field(tile, "color", columns)
    return base | {"mark": mark, "encoding": encoding}


def _heatmap(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    return base | {
        "mark": "rect",
        "encoding": {
            "x": _field(tile, "x", columns, type="ordinal"),
            "y": _field(tile, "y", columns, type="ordinal"),
            "color": _field(tile, "color", columns, type="quantitative"),
        },
    }


def _arc(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """pie, donut (a pie with a hole)."""
    arc: dict[str, Any] = {"type": "arc"}
    if tile.visual == "donut":
        arc["innerRadius"] = 60
    return base | {
        "mark": arc,
        "encoding": {
            "theta": _field(tile, "theta", columns, stack=True),
            "color": _field(tile, "color", columns),
        },
    }


def _histogram(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    return base | {
        "mark": "rect",
        "encoding": {
            "x": {"field": "bin_lower", "type": "quantitative", "title": tile.encoding["x"].field},
            "x2": {"field": "bin_upper"},
            "y": {
                "field": "density",
                "type": "quantitative",
                "title": "density (share / width)",
            },
            "tooltip": [{"field": "count", "type": "quantitative"}],
        },
    }


def _density(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    return base | {
        "mark": {"type": "area", "line": True, "opacity": 0.4},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": tile.encoding["x"].field},
            "y": {"field": "density", "type": "quantitative"},
        },
    }


def _kpi_values(tile: Tile, base: Spec) -> tuple[list[dict[str, Any]], float | None]:
    """The label of a KPI or gauge (the value, and of its target when given) and the share
    of the target attained (None without a target)."""
    enc = tile.encoding
    value = enc["value"].field
    target = enc["target"].field if "target" in enc else None
    rows = base["data"]["values"]
    row = rows[0] if rows else {}
    actual = row.get(value) or 0.0
    goal = row.get(target) if target else None
    ratio = (actual / goal) if goal else None
    label = f"{actual:,.0f}" + (f" of {goal:,.0f} ({ratio:.1%})" if ratio is not None else "")
    return [{"label": label, "value": actual, "ratio": min(ratio or 0.0, 1.0)}], ratio


def _kpi(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    kpi_values, _ = _kpi_values(tile, base)
    return base | {
        "data": {"values": kpi_values},
        "mark": {"type": "text", "fontSize": 28},
        "encoding": {"text": {"field": "label", "type": "nominal"}},
    }


def _gauge(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    kpi_values, ratio = _kpi_values(tile, base)
    arcs = [
        {"part": "attained", "share": min(ratio or 0.0, 1.0)},
        {"part": "remaining", "share": 1 - min(ratio or 0.0, 1.0)},
    ]
    return base | {
        "data": {"values": arcs},
        "layer": [
            {
                "mark": {"type": "arc", "innerRadius": 70},
                "encoding": {
                    "theta": {"field": "share", "type": "quantitative", "stack": True},
                    "color": {
                        "field": "part",
                        "type": "nominal",
                        "scale": {"range": ["#2a7ab0", "#dddddd"]},
                    },
                },
            },
            {
                "data": {"values": kpi_values},
                "mark": {"type": "text", "fontSize": 14},
                "encoding": {"text": {"field": "label", "type": "nominal"}},
            },
        ],
    }


def _pivot(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """Cells as a grid, each labelled with its value."""
    cells = {
        "x": _field(tile, "x", columns, type="ordinal"),
        "y": _field(tile, "y", columns, type="ordinal"),
    }
    return base | {
        "encoding": cells,
        "layer": [
            {
                "mark": "rect",
                "encoding": {"color": _field(tile, "value", columns, type="quantitative")},
            },
            {
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {"text": _field(tile, "value", columns, format=",.0f")},
            },
        ],
    }


def _geospatial(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """The world's countries, those with a value coloured by it (a lookup on the country id)."""
    topology = json.loads(world.read_text(encoding="utf-8"))
    key = tile.encoding["x"].field
    measure = tile.encoding["value"].field
    return {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "projection": {"type": "equalEarth"},
        "layer": [
            {
                "data": {
                    "values": topology,
                    "format": {"type": "topojson", "feature": "countries"},
                },
                "mark": {"type": "geoshape", "fill": "#eeeeee", "stroke": "#ffffff"},
            },
            {
                "data": {
                    "values": topology,
                    "format": {"type": "topojson", "feature": "countries"},
                },
                "transform": [
                    {
                        "lookup": "id",
                        "from": {"data": base["data"], "key": key, "fields": [measure]},
                    },
                    {"filter": f"isValid(datum[{json.dumps(measure)}])"},
                ],
                "mark": {"type": "geoshape", "stroke": "#ffffff"},
                "encoding": {"color": {"field": measure, "type": "quantitative"}},
            },
        ],
    }


def _waterfall(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    x, y = tile.encoding["x"].field, tile.encoding["y"].field
    return base | {
        "transform": [
            {
                "calculate": f"datum.step_number == 1 || datum[{json.dumps(x)}] == 'end'"
                f" ? 0 : datum.running_total - datum[{json.dumps(y)}]",
                "as": "bar_start",
            },
        ],
        "mark": "bar",
        "encoding": {
            "x": {"field": x, "type": "nominal", "sort": {"field": "step_number"}},
            "y": {"field": "bar_start", "type": "quantitative", "title": y},
            "y2": {"field": "running_total"},
        },
    }


def _correlation(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """The matrix as a heat map, r in each cell."""
    cell = {
        "x": {"field": "measure_x", "type": "nominal", "title": None, "sort": None},
        "y": {"field": "measure_y", "type": "nominal", "title": None, "sort": None},
    }
    return base | {
        "encoding": cell,
        "layer": [
            {
                "mark": "rect",
                "encoding": {
                    "color": {
                        "field": "r",
                        "type": "quantitative",
                        "title": "Pearson r",
                        "scale": {"domain": [-1, 1], "scheme": "redblue"},
                    }
                },
            },
            {
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {"text": {"field": "r", "type": "quantitative", "format": ".2f"}},
            },
        ],
    }


#: a builder: the tile, the spec's base (schema, size, the rows inlined), the columns' declared
#: types and the world map's TopoJSON file -> the tile's Vega-Lite spec
Builder = Callable[[Tile, Spec, Columns, Path], Spec]

#: visual -> its builder (the visuals Vega-Lite has no mark for are in vega.py's VEGA)
BUILDERS: dict[str, Builder] = {
    "line": _xy,
    "bar": _xy,
    "scatter": _xy,
    "heatmap": _heatmap,
    "pie": _arc,
    "donut": _arc,
    "histogram": _histogram,
    "density": _density,
    "kpi": _kpi,
    "gauge": _gauge,
    "pivot": _pivot,
    "geospatial": _geospatial,
    "waterfall": _waterfall,
    "correlation": _correlation,
}


def vega_lite(tile: Tile, result: Result, columns: Columns, world: Path) -> Spec:
    """The tile's Vega-Lite spec, its rows inlined, from the builder of its visual."""
    builder = BUILDERS.get(tile.visual)
    if builder is None:
        raise ValueError(f"no Vega-Lite template for visual {tile.visual}")
    base: Spec = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values(result)},
    }
    return builder(tile, base, columns, world)
