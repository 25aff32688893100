"""Vega 5 specs for the visuals Vega-Lite has no mark for: tree map, Sankey, word cloud, radar.

Each spec inlines the tile's rows (already aggregated in SQL on the principal's extract) and is
shown by vega-embed (a Vega `$schema`: `mode: "vega"`); vl-convert's `vega_to_svg` draws the
static SVG from the same spec. A word cloud is laid out here, in rows, not by Vega's `wordcloud`
transform: that one needs a canvas to measure the words (vl-convert has none) and places them at
random, so the same rows would look different on two pages.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from lakesight.consume.dashboards.definitions import Tile
from lakesight.consume.dashboards.formats import Label, tooltip
from lakesight.consume.dashboards.queries import Result, measure_title

SCHEMA = "https://vega.github.io/schema/vega/v5.json"
WIDTH, HEIGHT = 420, 260
#: font sizes of the least and the most frequent term of a word cloud
FONT_RANGE = (11, 34)
#: word cloud colours of the sentiment labels
SENTIMENT_COLOURS = {"negative": "#c0392b", "neutral": "#7f8c8d", "positive": "#27ae60"}
#: room below a word cloud for its legend, in pixels
LEGEND = 24
#: Sankey: node width and the vertical gap between the nodes of a column, in pixels
NODE_WIDTH, NODE_GAP = 12, 14


#: the tree map's root node's name, and the room above the map for the trail to it
ALL = "All"
TRAIL = 16
#: a tree map node's rectangle, as the treemap transform computes it
BOX = {"x": {"field": "x0"}, "y": {"field": "y0"}, "x2": {"field": "x1"}, "y2": {"field": "y1"}}


def _frame(**rest: Any) -> dict[str, Any]:
    """A fixed-size view (the marks are laid out in pixels, so the view must not resize)."""
    base = {"$schema": SCHEMA, "width": WIDTH, "height": HEIGHT, "padding": 5, "autosize": "none"}
    return base | rest


def treemap(tile: Tile, result: Result) -> dict[str, Any]:
    """Leaves sized by the measure, grouped by the path (top level first), coloured by level 1.

    The rows are the leaves; the parents are nodes without a size of their own, so each parent's
    area is the sum of its leaves (Vega's treemap sums them)."""
    value = tile.encoding["value"].field
    label = tile.labels[value]
    levels = ", ".join(
        f"{_js(tile.labels[level].text)}: datum.level_{depth}"
        for depth, level in enumerate(tile.path, start=1)
    )
    ids: dict[tuple[Any, ...], int] = {(): 0}
    nodes: list[dict[str, Any]] = [{"id": 0, "parent": None, "ancestors": [0], "trail": [ALL]}]
    for row in result.rows:
        path = tuple(row[level] for level in tile.path)
        for depth in range(1, len(path) + 1):
            if path[:depth] not in ids:
                ids[path[:depth]] = len(nodes)
                nodes.append(
                    {
                        "id": len(nodes),
                        "parent": ids[path[: depth - 1]],
                        "name": path[depth - 1],
                        "top": path[0],
                        **{f"level_{d}": path[d - 1] for d in range(1, depth + 1)},
                        # the node's ids and names from the top, itself last (for drilling)
                        "ancestors": [ids[path[:d]] for d in range(depth)] + [len(nodes)],
                        "trail": [ALL, *path[:depth]],
                    }
                )
        nodes[ids[path]]["size"] = float(row[value] or 0)
    tops = sorted({str(node["top"]) for node in nodes[1:]})
    return _frame(
        signals=[
            # the ids and names from the top to the node shown whole (the root), drilled into
            # by clicking a rectangle, climbed back by clicking the trail above the map
            {
                "name": "trail",
                "value": [0],
                "on": [
                    {
                        "events": "@leaf:click",
                        "update": f"length(trail) < {len(tile.path)}"
                        " ? slice(datum.ancestors, 0, length(trail) + 1) : trail",
                    },
                    {
                        "events": "@back:click",
                        "update": "length(trail) > 1 ? slice(trail, 0, -1) : trail",
                    },
                ],
            },
            {
                "name": "names",
                "value": [ALL],
                "on": [
                    {
                        "events": "@leaf:click",
                        "update": f"length(names) < {len(tile.path)}"
                        " ? slice(datum.trail, 0, length(names) + 1) : names",
                    },
                    {
                        "events": "@back:click",
                        "update": "length(names) > 1 ? slice(names, 0, -1) : names",
                    },
                ],
            },
            {"name": "root", "update": "peek(trail)"},
        ],
        padding={"left": 5, "right": 5, "top": 5 + TRAIL, "bottom": 5},
        data=[
            {
                "name": "tree",
                "values": nodes,
                "transform": [
                    {"type": "filter", "expr": "indexof(datum.ancestors, root) >= 0"},
                    {
                        "type": "formula",
                        "as": "parent",
                        "expr": "datum.id == root ? null"
                        " : datum.ancestors[length(datum.ancestors) - 2]",
                    },
                    {"type": "stratify", "key": "id", "parentKey": "parent"},
                    {
                        "type": "treemap",
                        "field": "size",
                        "sort": {"field": "value", "order": "descending"},
                        "round": True,
                        "method": "squarify",
                        "ratio": 1.6,
                        "paddingInner": 1,
                        "paddingTop": {"signal": "0"},
                        "size": [{"signal": "width"}, {"signal": "height"}],
                    },
                ],
            },
            {
                "name": "leaves",
                "source": "tree",
                "transform": [{"type": "filter", "expr": "!datum.children"}],
            },
            {
                "name": "tops",
                "source": "tree",
                "transform": [{"type": "filter", "expr": "datum.depth == 1"}],
            },
        ],
        scales=[
            {
                "name": "color",
                "type": "ordinal",
                "domain": tops,
                "range": {"scheme": "tableau20"},
            }
        ],
        marks=[
            {
                # where the tile is (All, then each level drilled into), and how to move
                "type": "text",
                "name": "back",
                "encode": {
                    "enter": {
                        "x": {"value": 0},
                        "y": {"value": -6},
                        "fontSize": {"value": 11},
                        "baseline": {"value": "bottom"},
                        "cursor": {"value": "pointer"},
                    },
                    "update": {
                        "text": {
                            "signal": "join(names, ' \u203a ') + (length(names) > 1"
                            " ? '   \u2190 back' : '   click to drill down')"
                        },
                    },
                },
            },
            {
                "type": "rect",
                "name": "leaf",
                "from": {"data": "leaves"},
                "encode": {
                    "enter": {
                        "fill": {"scale": "color", "field": "top"},
                        "stroke": {"value": "#ffffff"},
                        "tooltip": {
                            "signal": f"{{{levels}, {_js(label.text)}:"
                            f" format(datum.size, {_js(tooltip(label.format))})}}"
                        },
                    },
                    "update": BOX,
                },
            },
            {
                "type": "rect",
                "from": {"data": "tops"},
                "interactive": False,
                "encode": {
                    "enter": {"stroke": {"value": "#222222"}, "strokeWidth": {"value": 1.5}},
                    "update": BOX,
                },
            },
            {
                # a leaf's name where it fits: below its category's name, cut to the rectangle
                "type": "text",
                "from": {"data": "leaves"},
                "interactive": False,
                "encode": {
                    "enter": {
                        "text": {"field": "name"},
                        "fontSize": {"value": 9},
                        "fill": {"value": "#222222"},
                        "align": {"value": "left"},
                        "baseline": {"value": "bottom"},
                    },
                    "update": {
                        "x": {"signal": "datum.x0 + 3"},
                        "y": {"signal": "datum.y1 - 3"},
                        "limit": {"signal": "datum.x1 - datum.x0 - 6"},
                        "opacity": {
                            "signal": "datum.x1 - datum.x0 > 30 && datum.y1 - datum.y0 > 28 ? 1 : 0"
                        },
                    },
                },
            },
            {
                "type": "text",
                "from": {"data": "tops"},
                "interactive": False,
                "encode": {
                    "enter": {
                        "text": {"field": "name"},
                        "fontSize": {"value": 11},
                        "fontWeight": {"value": "bold"},
                        "fill": {"value": "#111111"},
                        "align": {"value": "left"},
                        "baseline": {"value": "top"},
                    },
                    "update": {
                        "x": {"signal": "datum.x0 + 3"},
                        "y": {"signal": "datum.y0 + 3"},
                        "opacity": {"signal": "datum.x1 - datum.x0 > 60 ? 1 : 0"},
                    },
                },
            },
        ],
    )


def sankey_layout(
    flows: list[tuple[str, str, float]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and links of a Sankey diagram in pixels: a node's column is its longest path from a
    source; its height is the larger of what flows in and out, so a conserved node is as tall
    on both sides; links leave and enter their nodes stacked, largest first."""
    names = list(dict.fromkeys([s for s, _, _ in flows] + [t for _, t, _ in flows]))
    column = dict.fromkeys(names, 0)
    for _ in names:  # longest path (the flows form a DAG: a funnel)
        for source, target, _ in flows:
            column[target] = max(column[target], column[source] + 1)
    inflow: dict[str, float] = defaultdict(float)
    outflow: dict[str, float] = defaultdict(float)
    for source, target, value in flows:
        outflow[source] += value
        inflow[target] += value
    size = {n: max(inflow[n], outflow[n]) for n in names}
    columns = max(column.values()) + 1
    per_column: dict[int, list[str]] = defaultdict(list)
    for name in names:
        per_column[column[name]].append(name)
    tallest = max(sum(size[n] for n in members) for members in per_column.values())
    gaps = max(len(members) for members in per_column.values()) - 1
    scale = (HEIGHT - NODE_GAP * gaps) / tallest if tallest else 0.0
    step = (WIDTH - NODE_WIDTH) / max(columns - 1, 1)
    nodes: dict[str, dict[str, Any]] = {}
    for number, members in per_column.items():
        y = 0.0
        for name in members:
            height = size[name] * scale
            nodes[name] = {
                "name": name,
                "x0": number * step,
                "x1": number * step + NODE_WIDTH,
                "y0": y,
                "y1": y + height,
                "sessions": size[name],
            }
            y += height + NODE_GAP
    out_at = {n: nodes[n]["y0"] for n in names}
    in_at = dict(out_at)
    links = []
    for source, target, value in sorted(flows, key=lambda f: (column[f[0]], -f[2], f[1])):
        width = value * scale
        links.append(
            {
                "source": source,
                "target": target,
                "value": value,
                "width": max(width, 0.5),
                "sx": nodes[source]["x1"],
                "sy": out_at[source] + width / 2,
                "tx": nodes[target]["x0"],
                "ty": in_at[target] + width / 2,
            }
        )
        out_at[source] += width
        in_at[target] += width
    return list(nodes.values()), links


def sankey(tile: Tile, result: Result) -> dict[str, Any]:
    """Flows from x to y, band width proportional to the measure (linkpath, diagonal)."""
    x, y, value = (tile.encoding[c].field for c in ("x", "y", "value"))
    measure = tile.labels[value]
    shown = tooltip(measure.format)
    flows = [(str(r[x]), str(r[y]), float(r[value] or 0)) for r in result.rows]
    nodes, links = sankey_layout([f for f in flows if f[2] > 0])
    return _frame(
        data=[
            {"name": "nodes", "values": nodes},
            {
                "name": "links",
                "values": links,
                "transform": [
                    {
                        "type": "linkpath",
                        "orient": "horizontal",
                        "shape": "diagonal",
                        "sourceX": "sx",
                        "sourceY": "sy",
                        "targetX": "tx",
                        "targetY": "ty",
                    }
                ],
            },
        ],
        scales=[
            {
                "name": "color",
                "type": "ordinal",
                "domain": {"data": "nodes", "field": "name"},
                "range": {"scheme": "category10"},
            }
        ],
        marks=[
            {
                "type": "path",
                "from": {"data": "links"},
                "encode": {
                    "enter": {
                        "path": {"field": "path"},
                        "stroke": {"scale": "color", "field": "source"},
                        "strokeOpacity": {"value": 0.35},
                        "strokeWidth": {"field": "width"},
                        "tooltip": {
                            "signal": f"{{'Flow': datum.source + ' → ' + datum.target,"
                            f" {_js(measure.text)}: format(datum.value, {_js(shown)})}}"
                        },
                    }
                },
            },
            {
                "type": "rect",
                "from": {"data": "nodes"},
                "encode": {
                    "enter": {
                        "x": {"field": "x0"},
                        "x2": {"field": "x1"},
                        "y": {"field": "y0"},
                        "y2": {"field": "y1"},
                        "fill": {"scale": "color", "field": "name"},
                        "tooltip": {
                            "signal": f"{{'Stage': datum.name,"
                            f" {_js(measure.text)}: format(datum.sessions, {_js(shown)})}}"
                        },
                    }
                },
            },
            {
                "type": "text",
                "from": {"data": "nodes"},
                "interactive": False,
                "encode": {
                    "enter": {
                        "text": {"field": "name"},
                        "fontSize": {"value": 10},
                        "x": {"signal": f"datum.x0 < {WIDTH / 2} ? datum.x1 + 3 : datum.x0 - 3"},
                        "align": {"signal": f"datum.x0 < {WIDTH / 2} ? 'left' : 'right'"},
                        "y": {"signal": "(datum.y0 + datum.y1) / 2"},
                        "baseline": {"value": "middle"},
                    }
                },
            },
        ],
    )


def _words(tile: Tile, result: Result) -> tuple[list[dict[str, Any]], str | None]:
    term, value = tile.encoding["x"].field, tile.encoding["value"].field
    colour = tile.encoding["color"].field if "color" in tile.encoding else None
    counts = [float(r[value] or 0) for r in result.rows]
    low, high = min(counts), max(counts)
    words = []
    for row, count in zip(result.rows, counts, strict=True):
        share = (math.sqrt(count) - math.sqrt(low)) / ((math.sqrt(high) - math.sqrt(low)) or 1)
        words.append(
            {
                "term": row[term],
                "group": row[colour] if colour else "",
                "count": count,
                "size": round(FONT_RANGE[0] + share * (FONT_RANGE[1] - FONT_RANGE[0]), 1),
            }
        )
    return words, colour


def _word_marks(colour: str | None, position: dict[str, Any], count: Label) -> list[dict[str, Any]]:
    fill = {"scale": "color", "field": "group"} if colour else {"value": "#2a7ab0"}
    return [
        {
            "type": "text",
            "from": {"data": "words"},
            "encode": {
                "enter": {
                    "text": {"field": "term"},
                    "fill": fill,
                    "align": {"value": "center"},
                    "baseline": {"value": "alphabetic"},
                    "fontSize": {"field": "size"},
                    "tooltip": {
                        "signal": f"{{'Term': datum.term, {_js(count.text)}: format(datum.count,"
                        f" {_js(tooltip(count.format))})}}"
                    },
                },
                "update": position,
            },
        }
    ]


def _word_scales(colour: str | None, words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Colour by group over every group of the rows (also those the static layout leaves out);
    sentiments red / grey / green, other groups a categorical scheme."""
    if not colour:
        return []
    groups = sorted({str(w["group"]) for w in words})
    sentiment = set(groups) <= set(SENTIMENT_COLOURS)
    return [
        {
            "name": "color",
            "type": "ordinal",
            "domain": groups,
            "range": [SENTIMENT_COLOURS[g] for g in groups]
            if sentiment
            else {"scheme": "category10"},
        }
    ]


def wordcloud(tile: Tile, result: Result) -> dict[str, Any]:
    """A word cloud laid out by this module, not by Vega's canvas-measured, randomly seeded
    wordcloud transform: the same rows give the same picture to every principal and in print.
    Words in centred rows, each group's most frequent word first, then each group's second, and
    so on, so every group shows its top; font size ∝ √count; colour = the sentiment (or other
    colour), with its legend."""
    words, colour = _words(tile, result)
    rank: dict[Any, int] = defaultdict(int)
    ranked = []
    for word in sorted(words, key=lambda w: (-w["count"], w["term"])):
        rank[word["group"]] += 1
        ranked.append((rank[word["group"]], -word["count"], word["term"], word))
    rows: list[list[tuple[dict[str, Any], float]]] = [[]]
    for *_, word in sorted(ranked, key=lambda r: r[:3]):
        width = 0.6 * word["size"] * len(word["term"]) + 8  # a sans-serif's mean advance
        if sum(w for _, w in rows[-1]) + width > WIDTH and rows[-1]:
            rows.append([])
        rows[-1].append((word, width))
    placed, y = [], 0.0
    for row in rows:
        y += max(word["size"] for word, _ in row) * 1.15
        if y > HEIGHT:  # the least frequent words that do not fit are left out, as Vega does
            break
        x = (WIDTH - sum(w for _, w in row)) / 2
        for word, width in row:
            placed.append(word | {"x": x + width / 2, "y": y})
            x += width
    legends = (
        [{"fill": "color", "orient": "bottom", "direction": "horizontal", "title": None}]
        if colour
        else []
    )
    return _frame(
        padding={"left": 5, "right": 5, "top": 5, "bottom": 5 + (LEGEND if colour else 0)},
        data=[{"name": "words", "values": placed}],
        scales=_word_scales(colour, words),
        legends=legends,
        marks=_word_marks(
            colour,
            {"x": {"field": "x"}, "y": {"field": "y"}},
            tile.labels[tile.encoding["value"].field],
        ),
    )


def radar(tile: Tile, result: Result) -> dict[str, Any]:
    """One closed line per colour over the measures' axes, radius = the normalised value (0 at
    the centre for the category with the least, the outer ring for the one with the most), with
    rings at a quarter, half, three quarters and the whole of that range; the tooltip gives the
    value itself."""
    colour = tile.encoding["color"].title or tile.encoding["color"].field
    group = tile.encoding["color"].field
    axes = [measure_title(m) for m in tile.measures]
    shapes = (
        "{"
        + ", ".join(f"{_js(measure_title(m))}: {_js(tooltip(m.format))}" for m in tile.measures)
        + "}"
    )
    points = [
        {
            "group": r[group],
            "measure": r["measure"],
            "axis": axes.index(r["measure"]),
            "value": r["value"],
            "normalised": r["normalised"],
        }
        for r in result.rows
        if r["normalised"] is not None
    ]
    rings: list[dict[str, Any]] = [
        {
            "type": "arc",
            "from": {"data": "rings"},
            "interactive": False,
            "encode": {
                "enter": {
                    "x": {"value": 0},
                    "y": {"value": 0},
                    "startAngle": {"value": 0},
                    "endAngle": {"signal": "2 * PI"},
                    "innerRadius": {"signal": "scale('radial', datum.ring) - 0.5"},
                    "outerRadius": {"signal": "scale('radial', datum.ring)"},
                    "fill": {"value": "#dddddd"},
                }
            },
        },
        {
            "type": "text",
            "from": {"data": "rings"},
            "interactive": False,
            "encode": {
                "enter": {
                    "x": {"value": 2},
                    "y": {"signal": "-scale('radial', datum.ring)"},
                    "text": {"signal": "format(datum.ring, '.0%')"},
                    "fontSize": {"value": 8},
                    "fill": {"value": "#888888"},
                    "baseline": {"value": "bottom"},
                }
            },
        },
    ]
    radius = min(WIDTH, HEIGHT) / 2 - 30
    angle = "scale('angular', datum.measure)"
    at = f"radius * cos({angle})", f"radius * sin({angle})"
    axes_marks: list[dict[str, Any]] = [
        {
            "type": "rule",
            "from": {"data": "axes"},
            "encode": {
                "enter": {
                    "x": {"value": 0},
                    "y": {"value": 0},
                    "x2": {"signal": at[0]},
                    "y2": {"signal": at[1]},
                    "stroke": {"value": "#cccccc"},
                }
            },
        },
        {
            "type": "text",
            "from": {"data": "axes"},
            "encode": {
                "enter": {
                    "text": {"field": "measure"},
                    "fontSize": {"value": 10},
                    "x": {"signal": f"(radius + 6) * cos({angle})"},
                    "y": {"signal": f"(radius + 6) * sin({angle})"},
                    "align": {
                        "signal": f"cos({angle}) > 0.1 ? 'left'"
                        f" : cos({angle}) < -0.1 ? 'right' : 'center'"
                    },
                    "baseline": {
                        "signal": f"sin({angle}) > 0.1 ? 'top'"
                        f" : sin({angle}) < -0.1 ? 'bottom' : 'middle'"
                    },
                }
            },
        },
    ]
    polygons = {
        "type": "group",
        "from": {"facet": {"data": "points", "name": "polygon", "groupby": ["group"]}},
        "marks": [
            {
                "type": "line",
                "from": {"data": "polygon"},
                "sort": {"field": "datum.axis"},
                "encode": {
                    "enter": {
                        "interpolate": {"value": "linear-closed"},
                        "x": {"signal": f"scale('radial', datum.normalised) * cos({angle})"},
                        "y": {"signal": f"scale('radial', datum.normalised) * sin({angle})"},
                        "stroke": {"scale": "color", "field": "group"},
                        "fill": {"scale": "color", "field": "group"},
                        "fillOpacity": {"value": 0.08},
                        "strokeWidth": {"value": 1.5},
                        "tooltip": {
                            "signal": f"{{{_js(colour)}: datum.group, 'Measure': datum.measure,"
                            f" 'Value': format(datum.value, {shapes}[datum.measure]),"
                            " 'Of the range across categories': format(datum.normalised, '.0%')}"
                        },
                    }
                },
            }
        ],
    }
    return {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "padding": 5,
        "signals": [{"name": "radius", "value": radius}],
        "data": [
            {"name": "points", "values": points},
            {"name": "axes", "values": [{"measure": a} for a in axes]},
            {"name": "rings", "values": [{"ring": r} for r in (0.25, 0.5, 0.75, 1.0)]},
        ],
        "scales": [
            {
                "name": "angular",
                "type": "point",
                "range": {"signal": "[-PI, PI]"},
                "padding": 0.5,
                "domain": axes,
            },
            {
                "name": "radial",
                "type": "linear",
                "range": {"signal": "[0, radius]"},
                "domain": [0, 1],
            },
            {
                "name": "color",
                "type": "ordinal",
                "domain": {"data": "points", "field": "group", "sort": True},
                "range": {"scheme": "category10"},
            },
        ],
        "legends": [{"fill": "color", "orient": "right", "title": colour}],
        "marks": [
            {
                "type": "group",
                "encode": {"enter": {"x": {"signal": "width / 2"}, "y": {"signal": "height / 2"}}},
                "marks": [*rings, *axes_marks, polygons],
            }
        ],
    }


def _js(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


#: visual -> its Vega spec
VEGA = {"treemap": treemap, "sankey": sankey, "wordcloud": wordcloud, "radar": radar}
