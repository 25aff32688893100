"""Vega-Lite 5 specs (the version of the pinned npm vega-lite) for each visual, data inlined."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from typing import Any

from lakesight.consume.dashboards.definitions import Tile, kind
from lakesight.consume.dashboards.queries import Result

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH, HEIGHT = 420, 260


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


def vega_lite(tile: Tile, result: Result, columns: dict[str, str], world: Path) -> dict[str, Any]:
    data = {"values": values(result)}
    base: dict[str, Any] = {"$schema": SCHEMA, "width": WIDTH, "height": HEIGHT, "data": data}
    visual = tile.visual
    enc = tile.encoding
    if visual in ("line", "bar", "scatter"):
        mark = {"line": {"type": "line", "point": False}, "bar": "bar", "scatter": "point"}[visual]
        encoding = {"x": _field(tile, "x", columns), "y": _field(tile, "y", columns)}
        if visual == "bar" and _sort(tile):
            encoding["x"]["sort"] = {
                "field": tile.sort[0]["field"],
                "op": "sum",
                "order": tile.sort[0].get("order", "ascending"),
            }
        if "color" in enc:
            encoding["color"] = _field(tile, "color", columns)
        return base | {"mark": mark, "encoding": encoding}
    if visual == "heatmap":
        return base | {
            "mark": "rect",
            "encoding": {
                "x": _field(tile, "x", columns, type="ordinal"),
                "y": _field(tile, "y", columns, type="ordinal"),
                "color": _field(tile, "color", columns, type="quantitative"),
            },
        }
    if visual in ("pie", "donut"):
        arc: dict[str, Any] = {"type": "arc"}
        if visual == "donut":
            arc["innerRadius"] = 60
        return base | {
            "mark": arc,
            "encoding": {
                "theta": _field(tile, "theta", columns, stack=True),
                "color": _field(tile, "color", columns),
            },
        }
    if visual == "histogram":
        return base | {
            "mark": "rect",
            "encoding": {
                "x": {"field": "bin_lower", "type": "quantitative", "title": enc["x"].field},
                "x2": {"field": "bin_upper"},
                "y": {
                    "field": "density",
                    "type": "quantitative",
                    "title": "density (share / width)",
                },
                "tooltip": [{"field": "count", "type": "quantitative"}],
            },
        }
    if visual == "density":
        return base | {
            "mark": {"type": "area", "line": True, "opacity": 0.4},
            "encoding": {
                "x": {"field": "x", "type": "quantitative", "title": enc["x"].field},
                "y": {"field": "density", "type": "quantitative"},
            },
        }
    if visual in ("kpi", "gauge"):
        value = enc["value"].field
        target = enc["target"].field if "target" in enc else None
        row = data["values"][0] if data["values"] else {}
        actual = row.get(value) or 0.0
        goal = row.get(target) if target else None
        ratio = (actual / goal) if goal else None
        label = f"{actual:,.0f}" + (f" of {goal:,.0f} ({ratio:.1%})" if ratio is not None else "")
        kpi_values = [{"label": label, "value": actual, "ratio": min(ratio or 0.0, 1.0)}]
        if visual == "kpi":
            return base | {
                "data": {"values": kpi_values},
                "mark": {"type": "text", "fontSize": 28},
                "encoding": {"text": {"field": "label", "type": "nominal"}},
            }
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
    if visual == "pivot":  # cells as a grid, each labelled with its value
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
    if visual == "geospatial":
        topology = json.loads(world.read_text(encoding="utf-8"))
        key = enc["x"].field
        measure = enc["value"].field
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
                        {"lookup": "id", "from": {"data": data, "key": key, "fields": [measure]}},
                        {"filter": f"isValid(datum[{json.dumps(measure)}])"},
                    ],
                    "mark": {"type": "geoshape", "stroke": "#ffffff"},
                    "encoding": {"color": {"field": measure, "type": "quantitative"}},
                },
            ],
        }
    if visual == "waterfall":
        x, y = enc["x"].field, enc["y"].field
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
    if visual == "correlation":  # the matrix as a heat map, r in each cell
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
    raise ValueError(f"no Vega-Lite template for visual {visual}")
