"""Vega-Lite 5 specs (the version of the pinned npm vega-lite) for each visual, data inlined."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lakesight.consume.dashboards import atlas, formats
from lakesight.consume.dashboards.definitions import Tile, kind
from lakesight.consume.dashboards.queries import Result

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH, HEIGHT = 420, 260

Spec = dict[str, Any]
#: the group-by item a map's tooltip names its countries by, when the tile groups by it
NAME = "country__country_name"
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


#: distinct colours of the categorical palette; a pie or donut with more categories keeps the
#: largest PALETTE - 1 and groups the rest into one "Other (n)" slice
PALETTE = 10
SCHEME = {"scheme": "tableau10"}
#: how a date prints in a tooltip
DAY = "%a %d %b %Y"
#: the colours of a figure above (or at) and below its target, and of neither
UP, DOWN, NEUTRAL = "#1a7f37", "#c62828", "#555555"
MINUS = "\u2212"


def _field(tile: Tile, channel: str, columns: dict[str, str], **extra: Any) -> dict[str, Any]:
    """An encoding channel: its field, type and label; a quantitative axis or legend printed in
    the field's format (compact units), a nominal colour in the palette."""
    enc = tile.encoding[channel]
    measure = enc.aggregate is not None or enc.field in tile.metrics
    spec: dict[str, Any] = {
        "field": enc.field,
        "type": "quantitative" if measure else kind(columns[enc.field]),
        "title": enc.title,
    }
    spec |= extra
    if spec["type"] == "quantitative" and channel in ("x", "y"):
        spec["axis"] = formats.axis(enc.format)
    elif spec["type"] == "quantitative" and channel == "color":
        spec["legend"] = {"labelExpr": formats.compact(enc.format)}
    elif channel == "color":
        spec["scale"] = SCHEME
    elif channel == "x" and spec["type"] in ("nominal", "ordinal"):
        spec["axis"] = {"labelAngle": 0, "labelLimit": 90}
    return spec


def _tip(field: str, title: str | None, type_: str, format_: str | None) -> dict[str, Any]:
    tip: dict[str, Any] = {"field": field, "type": type_, "title": title}
    if type_ == "quantitative":
        tip["format"] = formats.tooltip(format_)
    elif type_ == "temporal":
        tip["format"] = DAY
    return tip


def _tooltip(tile: Tile, columns: Columns, *channels: str) -> list[dict[str, Any]]:
    """The tooltip of a mark: each encoded field (by default every channel) in full format."""
    tips = []
    for channel in channels or tuple(tile.encoding):
        spec = _field(tile, channel, columns)
        tips.append(_tip(spec["field"], spec["title"], spec["type"], tile.encoding[channel].format))
    return tips


def _sort(tile: Tile) -> Any:
    if tile.sort:
        first = tile.sort[0]
        return {"field": first["field"], "order": first.get("order", "ascending")}
    return None


#: the grains a daily series can be summed to, and the most points per series a grain may draw
#: to be the default
GRAINS = ("day", "week", "month")
MOST_POINTS = 60
#: a day's Monday and its month's first day, as Vega expressions over `datum._day`
BUCKETS = {
    "week": "datetime(year(datum._day), month(datum._day),"
    " date(datum._day) - (day(datum._day) + 6) % 7)",
    "month": "datetime(year(datum._day), month(datum._day), 1)",
}


def default_grain(days: int) -> str:
    """The finest grain that draws at most MOST_POINTS points for this many days."""
    for grain, length in (("day", 1), ("week", 7), ("month", 31)):
        if days / length <= MOST_POINTS:
            return grain
    return "month"


def _grained(tile: Tile, spec: Spec, columns: Columns) -> Spec:
    """A line over days whose figures add up, summed in the chart to the grain a select under
    the chart picks (day, week from Monday, month); by default the finest that draws at most
    MOST_POINTS points. The embedded rows stay the query's daily rows."""
    x, y = tile.encoding["x"], tile.encoding["y"]
    days = {row[x.field] for row in spec["data"]["values"]}
    groups = [tile.encoding["color"].field] if "color" in tile.encoding else []
    bucket = (
        f"grain == 'month' ? {BUCKETS['month']} : grain == 'week' ? {BUCKETS['week']} : datum._day"
    )
    encoding = spec["encoding"] | {
        "x": {"field": "_period", "type": "temporal", "title": "Date"},
        "tooltip": [
            _tip("_period", "Period from", "temporal", None),
            *(_tooltip(tile, columns, "color") if groups else []),
            _tip(y.field, y.title, "quantitative", y.format),
        ],
    }
    return spec | {
        "params": [
            {
                "name": "grain",
                "value": default_grain(len(days)),
                "bind": {"input": "select", "options": list(GRAINS), "name": "Sum by "},
            }
        ],
        "transform": [
            {"calculate": f"toDate(datum[{json.dumps(x.field)}])", "as": "_day"},
            {"calculate": bucket, "as": "_period"},
            {
                "aggregate": [{"op": "sum", "field": y.field, "as": y.field}],
                "groupby": ["_period", *groups],
            },
        ],
        "encoding": encoding,
    }


def _daily(tile: Tile) -> bool:
    """The tile's x is a day: MetricFlow's metric_time__day, or a dataset's date column."""
    x = tile.encoding["x"].field
    return x == "metric_time__day" or (not tile.metrics and tile.columns.get(x) == "date")


def _xy(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """line, bar, scatter: x and y, a colour when encoded; a bar's x sorted by its sum. A line
    carries a point on each value for its tooltip (a path shows only one)."""
    mark: Any = {
        "line": {
            "type": "line",
            "point": {"filled": True, "size": 40, "opacity": 0},
            "strokeWidth": 1.5,
        },
        "bar": "bar",
        "scatter": {"type": "point", "filled": True},
    }[tile.visual]
    encoding = {"x": _field(tile, "x", columns), "y": _field(tile, "y", columns)}
    if tile.visual == "bar" and _sort(tile):
        encoding["x"]["sort"] = {
            "field": tile.sort[0]["field"],
            "op": "sum",
            "order": tile.sort[0].get("order", "ascending"),
        }
    if "color" in tile.encoding:
        encoding["color"] = _field(tile, "color", columns)
    encoding["tooltip"] = _tooltip(tile, columns)
    spec = base | {"mark": mark, "encoding": encoding}
    daily = tile.visual == "line" and encoding["x"]["type"] == "temporal"
    if daily and tile.encoding["y"].additive and _daily(tile):
        return _grained(tile, spec, columns)
    return spec


def _heatmap(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    return base | {
        "mark": "rect",
        "encoding": {
            "x": _field(tile, "x", columns, type="ordinal"),
            "y": _field(tile, "y", columns, type="ordinal"),
            "color": _field(tile, "color", columns, type="quantitative"),
            "tooltip": _tooltip(tile, columns),
        },
    }


def _arc(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """pie, donut (a pie with a hole): slices largest first, each labelled with its share when
    it is 4 % or more; beyond the palette, the smallest categories are one "Other (n)" slice."""
    theta, colour = tile.encoding["theta"].field, tile.encoding["color"].field
    value = f"datum[{json.dumps(theta)}]"
    inner, outer = (60, 120) if tile.visual == "donut" else (0, 120)
    fold = [
        {"joinaggregate": [{"op": "count", "as": "_categories"}]},
        {
            "window": [{"op": "row_number", "as": "_rank"}],
            "sort": [{"field": theta, "order": "descending"}],
        },
        {
            "calculate": f"datum._categories <= {PALETTE} || datum._rank < {PALETTE}"
            f" ? datum[{json.dumps(colour)}] : 'Other'",
            "as": colour,
        },
        {
            "aggregate": [
                {"op": "sum", "field": theta, "as": theta},
                {"op": "count", "as": "_members"},
            ],
            "groupby": [colour],
        },
        {
            "calculate": f"datum._members > 1 ? 'Other (' + datum._members + ')'"
            f" : datum[{json.dumps(colour)}]",
            "as": colour,
        },
        {"joinaggregate": [{"op": "sum", "field": theta, "as": "_total"}]},
        {"calculate": f"datum._total ? {value} / datum._total : 0", "as": "_share"},
    ]
    slice_title = tile.encoding["theta"].title
    tooltip = [
        _tip(colour, tile.encoding["color"].title, "nominal", None),
        _tip(theta, slice_title, "quantitative", tile.encoding["theta"].format),
        _tip("_share", "Share", "quantitative", "percent"),
    ]
    return base | {
        "transform": fold,
        "encoding": {
            "theta": {"field": theta, "type": "quantitative", "stack": True, "title": slice_title},
            "order": {"field": theta, "type": "quantitative", "sort": "descending"},
            "color": {
                "field": colour,
                "type": "nominal",
                "title": tile.encoding["color"].title,
                "scale": SCHEME,
                "sort": {"field": theta, "order": "descending"},
            },
            "tooltip": tooltip,
        },
        "layer": [
            {"mark": {"type": "arc", "innerRadius": inner, "outerRadius": outer}},
            {
                "mark": {"type": "text", "radius": (inner + outer) / 2 or outer * 0.65},
                "encoding": {
                    "text": {
                        "condition": {
                            "test": "datum._share >= 0.04",
                            "field": "_share",
                            "type": "quantitative",
                            "format": ".0%",
                        },
                        "value": "",
                    },
                    "color": {"value": "#ffffff"},
                },
            },
        ],
    }


def _histogram(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    x = tile.encoding["x"]
    bounds = f"{x.title}, from"
    return base | {
        "mark": "rect",
        "encoding": {
            "x": {
                "field": "bin_lower",
                "type": "quantitative",
                "title": x.title,
                "axis": formats.axis(x.format),
            },
            "x2": {"field": "bin_upper"},
            "y": {
                "field": "density",
                "type": "quantitative",
                "title": "Share of orders per unit of value",
                "axis": {"format": ",.4~f"},
            },
            "tooltip": [
                _tip("bin_lower", bounds, "quantitative", x.format),
                _tip("bin_upper", "to", "quantitative", x.format),
                _tip("count", "Orders", "quantitative", "count"),
            ],
        },
    }


def _density(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    x = tile.encoding["x"]
    return base | {
        "mark": {
            "type": "area",
            "line": True,
            "opacity": 0.4,
            "point": {"filled": True, "size": 40, "opacity": 0},
        },
        "encoding": {
            "x": {
                "field": "x",
                "type": "quantitative",
                "title": x.title,
                "axis": formats.axis(x.format),
            },
            "y": {
                "field": "density",
                "type": "quantitative",
                "title": "Density",
                "axis": {"format": ",.4~f"},
            },
            "tooltip": [
                _tip("x", x.title, "quantitative", x.format),
                {"field": "density", "type": "quantitative", "title": "Density", "format": ".3~g"},
            ],
        },
    }


def _kpi_values(tile: Tile, base: Spec) -> dict[str, Any]:
    """What a KPI or gauge shows: the value, its target (None without one), the share of the
    target attained, the value and target as text, and the change against the target."""
    enc = tile.encoding
    value = enc["value"]
    target = enc.get("target")
    rows = base["data"]["values"]
    row = rows[0] if rows else {}
    actual = float(row.get(value.field) or 0.0)
    goal = row.get(target.field) if target else None
    ratio = actual / goal if goal else None
    delta = ratio - 1 if ratio is not None else None
    return {
        "value": actual,
        "shown": formats.figure(actual, value.format, short=True),
        "target": goal,
        "target_shown": (
            f"{target.title} {formats.figure(goal, target.format, short=True)}"
            if goal and target
            else "No target in this view"
        ),
        "ratio": ratio,
        "delta": delta,
        "delta_shown": (
            f"{'+' if delta >= 0 else MINUS}{abs(delta):.1%} vs target" if delta is not None else ""
        ),
        "period": base.get("description", ""),
    }


def _text(
    text: str,
    y: float,
    size: int,
    colour: str | None = None,
    weight: str = "normal",
    tooltip: Any = None,
) -> Spec:
    """One line of text at height y (the theme's colour unless given), with the tile's
    tooltip."""
    mark: Spec = {"type": "text", "y": y, "fontSize": size, "fontWeight": weight}
    mark |= {"baseline": "middle"} | ({"color": colour} if colour else {})
    encoding: Spec = {"text": {"value": text}}
    if tooltip is not None:
        encoding["tooltip"] = tooltip
    return {"mark": mark, "encoding": encoding}


def _kpi(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """The value (compact), the change against the target coloured by its sign, the target and
    the period; each line's tooltip gives the value and the target in full."""
    kpi = _kpi_values(tile, base)
    colour = NEUTRAL if kpi["delta"] is None else UP if kpi["delta"] >= 0 else DOWN
    shown = [tile.encoding["value"]]
    if "target" in tile.encoding and kpi["target"]:
        shown.append(tile.encoding["target"])
    row = {enc.field: kpi["value" if enc is shown[0] else "target"] for enc in shown}
    tip = [_tip(enc.field, enc.title, "quantitative", enc.format) for enc in shown]
    return base | {
        "data": {"values": [row]},
        "layer": [
            _text(kpi["shown"], HEIGHT * 0.32, 40, weight="bold", tooltip=tip),
            _text(kpi["delta_shown"], HEIGHT * 0.55, 16, colour, "bold", tip),
            _text(kpi["target_shown"], HEIGHT * 0.68, 13, NEUTRAL, tooltip=tip),
            _text(kpi["period"], HEIGHT * 0.82, 12, NEUTRAL, tooltip=tip),
        ],
    }


#: a gauge's arc: three quarters of a ring, from -3/4 pi to 3/4 pi (0 is the top)
GAUGE_START, GAUGE_SPAN = -0.75 * math.pi, 1.5 * math.pi


def _gauge(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """A three-quarter ring from 0 to 125 % of the target (or the value, when above): the value
    as an arc, the target as a tick, the value and its share of the target in the hole."""
    kpi = _kpi_values(tile, base)
    goal = kpi["target"] or 0.0
    top = max(goal * 1.25, kpi["value"], 1e-9)

    def angle(amount: float) -> float:
        return GAUGE_START + GAUGE_SPAN * max(0.0, min(amount / top, 1.0))

    parts = [
        {"part": "track", "start": GAUGE_START, "end": GAUGE_START + GAUGE_SPAN},
        {"part": "value", "start": GAUGE_START, "end": angle(kpi["value"])},
    ]
    if goal:
        parts.append({"part": "target", "start": angle(goal) - 0.015, "end": angle(goal) + 0.015})
    colour = NEUTRAL if kpi["delta"] is None else UP if kpi["delta"] >= 0 else DOWN
    share = f"{kpi['ratio']:.1%} of target" if kpi["ratio"] is not None else "no target"
    summary = {"value": f"{kpi['shown']}, {share} ({kpi['target_shown']})"}
    arc = {
        "theta": {"field": "start", "type": "quantitative", "scale": None},
        "theta2": {"field": "end"},
        "color": {
            "field": "part",
            "type": "nominal",
            "legend": None,
            "scale": {
                "domain": ["track", "value", "target"],
                "range": ["#e4e4e4", "#2a7ab0", "#222222"],
            },
        },
    }
    return base | {
        "data": {"values": parts},
        "layer": [
            {
                "transform": [{"filter": "datum.part != 'target'"}],
                "mark": {"type": "arc", "innerRadius": 78, "outerRadius": 104},
                "encoding": arc | {"tooltip": summary},
            },
            {
                "transform": [{"filter": "datum.part == 'target'"}],
                "mark": {"type": "arc", "innerRadius": 72, "outerRadius": 112},
                "encoding": arc | {"tooltip": {"value": kpi["target_shown"]}},
            },
            _text(kpi["shown"], HEIGHT / 2 - 8, 22, weight="bold", tooltip=summary),
            _text(share, HEIGHT / 2 + 16, 12, colour, tooltip=summary),
            _text(kpi["target_shown"], HEIGHT - 14, 12, NEUTRAL, tooltip=summary),
        ],
    }


def _pivot(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """Cells as a grid, each labelled with its value; a Total column, a Total row and the grand
    total, summed from the cells."""
    x, y, value = (tile.encoding[c] for c in ("x", "y", "value"))
    rows = base["data"]["values"]
    order = {axis.field: [*sorted({str(r[axis.field]) for r in rows}), "Total"] for axis in (x, y)}
    cells = {
        "x": _field(tile, "x", columns, type="ordinal", scale={"domain": order[x.field]}),
        "y": _field(tile, "y", columns, type="ordinal", scale={"domain": order[y.field]}),
    }
    text = {"field": value.field, "type": "quantitative", "format": formats.tooltip(value.format)}
    total = {
        "mark": {"type": "text", "fontSize": 12, "fontWeight": "bold"},
        "encoding": {"text": text},
    }

    def totals(by: list[str], **fixed: str) -> Spec:
        return {
            "transform": [
                {
                    "aggregate": [{"op": "sum", "field": value.field, "as": value.field}],
                    "groupby": by,
                },
                *({"calculate": json.dumps(v), "as": k} for k, v in fixed.items()),
            ],
            **total,
            "encoding": {
                "text": text,
                "tooltip": [
                    _tip(value.field, f"{value.title}, total", "quantitative", value.format)
                ],
            },
        }

    return base | {
        "encoding": cells,
        "layer": [
            {
                "mark": "rect",
                "encoding": {
                    "color": _field(
                        tile,
                        "value",
                        columns,
                        type="quantitative",
                        legend={"labelExpr": formats.compact(value.format)},
                    ),
                    "tooltip": _tooltip(tile, columns, "y", "x", "value"),
                },
            },
            {
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {"text": text, "tooltip": _tooltip(tile, columns, "y", "x", "value")},
            },
            totals([y.field], **{x.field: "Total"}),
            totals([x.field], **{y.field: "Total"}),
            totals([], **{x.field: "Total", y.field: "Total"}),
        ],
    }


def _geospatial(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """The world's countries, those with a value coloured by it (a lookup on the country id);
    a country too small for the map's atlas a point at its centre (atlas.points); one in no
    atlas named under the map with its figure."""
    topology = json.loads(world.read_text(encoding="utf-8"))
    key, value = tile.encoding["x"].field, tile.encoding["value"]
    rows = base["data"]["values"]
    drawn, centres = atlas.map_ids(), atlas.points()
    named = [NAME] if NAME in tile.labels else []
    colour = {
        "field": value.field,
        "type": "quantitative",
        "title": value.title,
        "legend": {"labelExpr": formats.compact(value.format)},
    }
    tooltip = [
        *(_tip(NAME, tile.labels[NAME].text, "nominal", None) for _ in named),
        _tip(value.field, value.title, "quantitative", value.format),
    ]
    dots = [
        row | {"longitude": centres[row[key]][0], "latitude": centres[row[key]][1]}
        for row in rows
        if row[key] not in drawn and row[key] in centres
    ]
    unplaced = [row for row in rows if row[key] not in drawn and row[key] not in centres]
    countries = {"values": topology, "format": {"type": "topojson", "feature": "countries"}}
    layers: list[Spec] = [
        {"data": countries, "mark": {"type": "geoshape", "fill": "#eeeeee", "stroke": "#ffffff"}},
        {
            "data": countries,
            "transform": [
                {
                    "lookup": "id",
                    "from": {"data": base["data"], "key": key, "fields": [value.field, *named]},
                },
                {"filter": f"isValid(datum[{json.dumps(value.field)}])"},
            ],
            "mark": {"type": "geoshape", "stroke": "#ffffff"},
            "encoding": {"color": colour, "tooltip": tooltip},
        },
    ]
    if dots:
        layers.append(
            {
                "data": {"values": dots},
                "mark": {
                    "type": "circle",
                    "size": 36,
                    "opacity": 1,
                    "stroke": "#555555",
                    "strokeWidth": 0.5,
                },
                "encoding": {
                    "longitude": {"field": "longitude", "type": "quantitative"},
                    "latitude": {"field": "latitude", "type": "quantitative"},
                    "color": colour,
                    "tooltip": tooltip,
                },
            }
        )
    spec: Spec = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "projection": {"type": "equalEarth"},
        "layer": layers,
    }
    if unplaced:
        listed = "; ".join(
            f"{row.get(NAME) or row[key]} {formats.figure(row[value.field], value.format)}"
            for row in unplaced
        )
        spec["title"] = {
            "text": f"Not on the map (no shape in the atlas): {listed}",
            "orient": "bottom",
            "anchor": "start",
            "fontSize": 10,
            "fontWeight": "normal",
            "limit": WIDTH,
        }
    return spec


def _waterfall(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """The month's bridge: the opening and closing totals in grey, increases in green and
    decreases in red, each bar labelled with its amount; the month named in the title."""
    x, y = tile.encoding["x"], tile.encoding["y"]
    rows = base["data"]["values"]
    month = rows[0].get("month_start_date") if rows else None
    title = f"{dt.date.fromisoformat(str(month)[:10]):%B %Y}" if month else ""
    total = f"datum.step_number == 1 || datum[{json.dumps(x.field)}] == 'end'"
    amount = f"datum[{json.dumps(y.field)}]"
    return base | {
        "title": {"text": title, "fontSize": 12, "anchor": "start"},
        "transform": [
            {"calculate": f"{total} ? 0 : datum.running_total - {amount}", "as": "bar_start"},
            {
                "calculate": f"{total} ? 'total' : {amount} >= 0 ? 'increase' : 'decrease'",
                "as": "kind",
            },
            {"calculate": f"{total} ? datum.running_total : {amount}", "as": "shown"},
            {"calculate": "max(datum.bar_start, datum.running_total)", "as": "top"},
            {
                "calculate": f"replace({formats.compact(y.format, 'datum.shown')}, '-', '{MINUS}')",
                "as": "label",
            },
        ],
        "encoding": {
            "x": {
                "field": x.field,
                "type": "nominal",
                "title": x.title,
                "sort": {"field": "step_number"},
                "axis": {"labelAngle": 0},
            },
        },
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "y": {
                        "field": "bar_start",
                        "type": "quantitative",
                        "title": "Net revenue",
                        "axis": formats.axis(y.format),
                    },
                    "y2": {"field": "running_total"},
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": ["total", "increase", "decrease"],
                            "range": ["#7f8c8d", UP, DOWN],
                        },
                    },
                    "tooltip": [
                        _tip(x.field, x.title, "nominal", None),
                        _tip("shown", y.title, "quantitative", y.format),
                        _tip("running_total", "Running total", "quantitative", y.format),
                    ],
                },
            },
            {
                "mark": {"type": "text", "dy": -6, "fontSize": 10},
                "encoding": {
                    "y": {"field": "top", "type": "quantitative"},
                    "text": {"field": "label", "type": "nominal"},
                },
            },
        ],
    }


def _correlation(tile: Tile, base: Spec, columns: Columns, world: Path) -> Spec:
    """The matrix as a heat map, r in each cell; the measures named by their labels."""
    names = json.dumps({m.field: m.title for m in tile.measures})
    cell = {
        "x": {"field": "label_x", "type": "nominal", "title": None, "sort": None},
        "y": {"field": "label_y", "type": "nominal", "title": None, "sort": None},
        "tooltip": [
            {"field": "label_x", "type": "nominal", "title": "Measure"},
            {"field": "label_y", "type": "nominal", "title": "and"},
            {"field": "r", "type": "quantitative", "title": "Pearson r", "format": ".2f"},
            {"field": "n", "type": "quantitative", "title": "Customers", "format": ",.0f"},
        ],
    }
    return base | {
        "transform": [
            {"calculate": f"{names}[datum.measure_x]", "as": "label_x"},
            {"calculate": f"{names}[datum.measure_y]", "as": "label_y"},
        ],
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
        "description": result.period or tile.title,
        "data": {"values": values(result)},
    }
    return builder(tile, base, columns, world)
