"""Dashboard files (`dashboards/*.yml`): JSON Schema, then semantic checks, then AutoGraph.

A page has a title, a description and tiles. A tile reads either metrics of the semantic layer
(`metrics`, `group_by`, optional MetricFlow `where` filters: every additive figure, so that it is
the same number on every page, docs/semantic-layer.md) or a secure dataset (a model in
models/secure/: the visuals no metric answers, such as a distribution, a correlation or a word
cloud). It has a visual (optional: AutoGraph chooses one from the encoded columns), encodings
(`x`, `y`, `color`, `theta`, `value`, `target`: a column, a metric or a group-by item, with an
aggregate on a dataset's column only), filters and a sort; `lookup` joins further secure datasets
on a key (their columns become the tile's), `path` lists a tree map's levels and `measures` the
columns of a radar or a correlation matrix. Every field a tile shows has a label and a number
format: a metric's own, or the label map's (lakesight.consume.dashboards.formats), never its raw
name. Every problem is reported as
`<file>: tile <n> (<title>): <what is wrong>`, and nothing is rendered while any file has one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from lakesight.consume.dashboards.formats import (
    LABELS_FILE,
    Label,
    aggregated,
    figure,
    read_labels,
)

SCHEMA = json.loads((Path(__file__).with_name("schema.json")).read_text(encoding="utf-8"))
SECURE_MODELS = Path(__file__).resolve().parents[3] / "models" / "secure" / "_secure__models.yml"
SEMANTIC_METRICS = (
    Path(__file__).resolve().parents[3] / "models" / "marts" / "semantic" / "_semantic__metrics.yml"
)
#: the semantic models' file beside the metrics' (their measures' aggregations)
SEMANTIC_MODELS = "_semantic__models.yml"
#: a metric tile's group-by items that are times (MetricFlow's metric_time at a grain)
METRIC_TIME = "metric_time__"

#: aggregates that need a numeric column (share_positive: the share of rows whose value is > 0)
NUMERIC_AGGREGATES = ("sum", "mean", "share_positive")
NUMERIC = ("integer", "bigint", "double", "decimal", "float", "hugeint", "smallint")
TEMPORAL = ("date", "timestamp")

#: visual -> encodings it needs
REQUIRED = {
    "line": ("x", "y"),
    "bar": ("x", "y"),
    "histogram": ("x",),
    "density": ("x",),
    "scatter": ("x", "y"),
    "heatmap": ("x", "y", "color"),
    "pie": ("theta", "color"),
    "donut": ("theta", "color"),
    "kpi": ("value",),
    "gauge": ("value", "target"),
    "pivot": ("x", "y", "value"),
    "geospatial": ("x", "value"),
    "waterfall": ("x", "y"),
    "treemap": ("value",),
    "sankey": ("x", "y", "value"),
    "wordcloud": ("x", "value"),
    "radar": ("color",),
    "correlation": (),
}
#: visuals that read the raw values of one numeric column (binned or smoothed in SQL)
DISTRIBUTIONS = ("histogram", "density")
#: visuals over a list of measures: radar (aggregated, one polygon per colour), correlation (raw)
MEASURED = ("radar", "correlation")


class SpecError(ValueError):
    """One or more problems in the dashboard files, one per line."""


@dataclass(frozen=True)
class Encoding:
    field: str
    aggregate: str | None = None
    #: the label people read (set for every encoding of a loaded page)
    title: str | None = None
    #: the number format (formats.FORMATS; None: not a number)
    format: str | None = None
    #: the figures add up across rows (an additive metric, or a column's sum or count)
    additive: bool = False


@dataclass
class Tile:
    title: str
    dataset: str
    visual: str
    encoding: dict[str, Encoding]
    filters: list[dict[str, Any]] = field(default_factory=list)
    sort: list[dict[str, str]] = field(default_factory=list)
    autograph: bool = False
    lookup: list[dict[str, str]] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    measures: list[Encoding] = field(default_factory=list)
    #: column -> declared type, the dataset's and its lookups' (empty: the dataset's own)
    columns: dict[str, str] = field(default_factory=dict)
    #: column -> the table it is read from (0: the dataset, n: the n-th lookup)
    owners: dict[str, int] = field(default_factory=dict)
    #: a metric tile: the semantic layer's metrics, grouped by these items, filtered by `where`
    metrics: list[str] = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    #: a metric tile of one period: the newest month of the principal's data, or its year to date
    period: str | None = None
    #: field -> its label and format, for every field the tile shows (encodings, measures, path,
    #: group-by items)
    labels: dict[str, Label] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """What the tile reads, for people: `metric <names> by <items>`, or `secure.<dataset>`
        said to be aggregated on the page (a distribution, a bridge: no metric answers it)."""
        if self.metrics:
            by = f" by {', '.join(self.group_by)}" if self.group_by else ""
            return f"metric {', '.join(self.metrics)}{by}"
        return f"secure.{self.dataset}, aggregated for this tile (not a metric)"


@dataclass
class Page:
    slug: str
    title: str
    description: str
    tiles: list[Tile]
    source: str


def catalogue(models: Path = SECURE_MODELS) -> dict[str, dict[str, str]]:
    """Secure dataset -> column -> declared data type (from models/secure/_secure__models.yml)."""
    data = yaml.safe_load(models.read_text(encoding="utf-8"))
    return {
        model["name"]: {c["name"]: str(c.get("data_type", "")).lower() for c in model["columns"]}
        for model in data["models"]
    }


def time_columns(models: Path = SECURE_MODELS) -> dict[str, str]:
    """Secure dataset -> the date column its rows fall on (`meta: time_column` of the model in
    models/secure/_secure__models.yml), for the datasets that have one."""
    data = yaml.safe_load(models.read_text(encoding="utf-8"))
    return {
        model["name"]: model["config"]["meta"]["time_column"]
        for model in data["models"]
        if "time_column" in model.get("config", {}).get("meta", {})
    }


@dataclass(frozen=True)
class Metric:
    """A metric as pages show it: its label and how its figures print (usd, count, percent)."""

    label: str
    format: str
    #: its figures add up across rows of any grouping (a simple metric over a summed measure),
    #: so a page may sum a daily series into weeks or months
    additive: bool = False

    def figure(self, value: Any) -> str:
        """The value as people read it: $1,234,567, 1,234 or 12.3 %; a dash for none."""
        return figure(value, self.format)


def metric_catalogue(path: Path = SEMANTIC_METRICS) -> dict[str, Metric]:
    """The semantic layer's metrics (models/marts/semantic/_semantic__metrics.yml) by name; a
    simple metric over a summed measure (_semantic__models.yml beside it) is additive."""
    metrics = yaml.safe_load(path.read_text(encoding="utf-8"))["metrics"]
    models = yaml.safe_load(path.with_name(SEMANTIC_MODELS).read_text(encoding="utf-8"))
    summed = {
        measure["name"]
        for model in models["semantic_models"]
        for measure in model.get("measures", [])
        if measure["agg"] in ("sum", "count")
    }
    return {
        m["name"]: Metric(
            m.get("label", m["name"]),
            m["config"]["meta"]["format"],
            m["type"] == "simple" and _measure_name(m) in summed,
        )
        for m in metrics
    }


def _measure_name(metric: dict[str, Any]) -> str:
    """The measure of a simple metric (`measure: name` or `measure: {name: …}`)."""
    measure = metric.get("type_params", {}).get("measure", "")
    return measure["name"] if isinstance(measure, dict) else str(measure)


def metric_columns(
    raw: dict[str, Any], metrics: Mapping[str, Metric]
) -> tuple[dict[str, str], list[str]]:
    """A metric tile's columns (each metric a number, `metric_time__<grain>` a timestamp, other
    group-by items text) and its problems: unknown metrics, aggregates (the metric aggregates),
    lookups and filters (a metric tile filters with `where`)."""
    unknown = [name for name in raw["metrics"] if name not in metrics]
    problems = [f"unknown metric {name!r}" for name in unknown]
    for channel, enc in [
        *raw.get("encoding", {}).items(),
        *(("measures", m) for m in raw.get("measures", [])),
    ]:
        if enc.get("aggregate"):
            problems.append(
                f"encoding {channel}: a metric tile takes no aggregate (the metric is one)"
            )
    for key in ("dataset", "lookup", "filters"):
        if key in raw:
            problems.append(f"a metric tile takes no {key} (filter with where)")
    if "period" in raw and any(item.startswith(METRIC_TIME) for item in raw.get("group_by", [])):
        problems.append("a tile of one period is not grouped by time")
    columns = {
        item: "timestamp" if item.startswith(METRIC_TIME) else "varchar"
        for item in raw.get("group_by", [])
    }
    return columns | dict.fromkeys(raw["metrics"], "double"), problems


def kind(data_type: str) -> str:
    """'temporal', 'quantitative' or 'nominal' for a declared column type."""
    if data_type.startswith(TEMPORAL):
        return "temporal"
    if data_type.startswith(NUMERIC):
        return "quantitative"
    return "nominal"


def autograph(
    encoding: dict[str, Encoding], columns: dict[str, str], metrics: frozenset[str] = frozenset()
) -> str | None:
    """QuickSight's AutoGraph: the visual for the encoded columns, or None when none fits.

    A time column and a measure -> line; one category and one measure -> bar; two measures ->
    scatter; one numeric column alone -> histogram (a measure is an aggregated numeric column or
    a metric).
    """
    kinds = [
        (kind(columns[e.field]), e.aggregate is not None or e.field in metrics)
        for e in encoding.values()
        if e.field in columns
    ]
    measures = sum(1 for k, aggregated in kinds if aggregated and k == "quantitative")
    times = sum(1 for k, aggregated in kinds if k == "temporal" and not aggregated)
    categories = sum(1 for k, aggregated in kinds if k == "nominal" and not aggregated)
    if len(kinds) == 1 and kinds[0] == ("quantitative", False):
        return "histogram"
    if times == 1 and measures >= 1:
        return "line"
    if measures == 2 and times == 0 and categories <= 1:
        return "scatter"
    if categories == 1 and measures == 1 and len(kinds) == 2:
        return "bar"
    return None


def tile_columns(
    raw: dict[str, Any], datasets: dict[str, dict[str, str]]
) -> tuple[dict[str, str] | None, dict[str, int], list[str]]:
    """The columns a tile may use: its dataset's, then those of each lookup (joined on its key);
    and for each, the table it is read from (0: the dataset, n: the n-th lookup)."""
    columns = datasets.get(raw["dataset"])
    if columns is None:
        return None, {}, [f"unknown dataset {raw['dataset']!r}"]
    merged, owners, problems = dict(columns), dict.fromkeys(columns, 0), []
    for number, join in enumerate(raw.get("lookup", []), start=1):
        other = datasets.get(join["dataset"])
        if other is None:
            problems.append(f"lookup: unknown dataset {join['dataset']!r}")
        elif join["key"] not in merged or join["key"] not in other:
            problems.append(
                f"lookup {join['dataset']}: key {join['key']!r} is not a column of both sides"
            )
        else:
            for name, data_type in other.items():
                merged.setdefault(name, data_type)
                owners.setdefault(name, number)
    return (None if problems else merged), owners, problems


def _encoding_problems(where: str, enc: dict[str, Any], columns: dict[str, str]) -> list[str]:
    if enc["field"] not in columns:
        return [f"{where}: unknown column {enc['field']!r}"]
    if enc.get("aggregate") in NUMERIC_AGGREGATES and kind(columns[enc["field"]]) != "quantitative":
        return [f"{where}: {enc['aggregate']} of non-numeric column {enc['field']!r}"]
    return []


def _tile_problems(raw: dict[str, Any], columns: dict[str, str]) -> list[str]:
    problems = []
    for channel, enc in raw.get("encoding", {}).items():
        problems.extend(_encoding_problems(f"encoding {channel}", enc, columns))
    for enc in raw.get("measures", []):
        problems.extend(_encoding_problems("measures", enc, columns))
    for level in raw.get("path", []):
        if level not in columns:
            problems.append(f"path: unknown column {level!r}")
    for rule in raw.get("filters", []):
        if rule["column"] not in columns:
            problems.append(f"filter: unknown column {rule['column']!r}")
        elif rule["op"] == "in" and not isinstance(rule["value"], list):
            problems.append(f"filter on {rule['column']!r}: 'in' needs a list")
    encoded = {enc["field"] for enc in raw.get("encoding", {}).values()}
    for order in raw.get("sort", []):
        if order["field"] not in encoded:
            problems.append(f"sort: {order['field']!r} is not an encoded column")
    return problems


def load_page(
    path: Path,
    datasets: dict[str, dict[str, str]],
    metrics: Mapping[str, Metric] | None = None,
    labels: Mapping[str, Label] | None = None,
) -> tuple[Page | None, list[str]]:
    """One dashboard file: the page, or the problems (each naming the file and the tile)."""
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return None, [f"{name}: not valid YAML ({str(error).splitlines()[0]})"]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        return None, [f"{name}: {_where(raw, e)}{e.message}" for e in errors]
    problems: list[str] = []
    tiles = []
    for number, tile in enumerate(raw["tiles"], start=1):
        where = f"{name}: tile {number} ({tile['title']}): "
        if "metrics" in tile:
            columns, found = metric_columns(tile, metrics or {})
            owners: dict[str, int] = {}
            found = found or _tile_problems(tile, columns)
        else:
            columns, owners, found = tile_columns(tile, datasets)
            if columns is not None:
                found = _tile_problems(tile, columns)
            if "period" in tile:
                found = [*found, "period is for metric tiles"]
        if found or columns is None:
            problems.extend(where + p for p in found)
            continue
        encoding = {k: Encoding(**v) for k, v in tile.get("encoding", {}).items()}
        tile_metrics = frozenset(tile.get("metrics", []))
        visual = tile.get("visual") or autograph(encoding, columns, tile_metrics)
        if visual is None:
            problems.append(
                where + "no visual given and AutoGraph fits none (a time column and a measure,"
                " one category and a measure, two measures, or one numeric column)"
            )
            continue
        missing = [c for c in REQUIRED[visual] if c not in encoding]
        if missing:
            problems.append(where + f"visual {visual} needs encoding {', '.join(missing)}")
            continue
        if visual in DISTRIBUTIONS and kind(columns[encoding["x"].field]) != "quantitative":
            problems.append(where + f"visual {visual} needs a numeric x column")
            continue
        measures = [Encoding(**m) for m in tile.get("measures", [])]
        shape = _shape_problem(visual, tile.get("path", []), measures, columns)
        if shape:
            problems.append(where + shape)
            continue
        encoding, measures, shown, unlabelled = _labels(tile, columns, metrics or {}, labels or {})
        if unlabelled:
            problems.extend(where + p for p in unlabelled)
            continue
        tiles.append(
            Tile(
                title=tile["title"],
                dataset=tile.get("dataset", ""),
                visual=visual,
                encoding=encoding,
                filters=tile.get("filters", []),
                sort=tile.get("sort", []),
                autograph="visual" not in tile,
                lookup=tile.get("lookup", []),
                path=tile.get("path", []),
                measures=measures,
                columns=columns,
                owners=owners,
                metrics=tile.get("metrics", []),
                group_by=tile.get("group_by", []),
                where=tile.get("where", []),
                period=tile.get("period"),
                labels=shown,
            )
        )
    if problems:
        return None, problems
    page = Page(path.stem, raw["title"], raw["description"], tiles, name)
    return page, []


def _shape_problem(
    visual: str, path: list[str], measures: list[Encoding], columns: dict[str, str]
) -> str | None:
    """What a tree map, radar or correlation matrix lacks beyond its encodings, if anything."""
    if visual == "treemap" and not path:
        return "visual treemap needs a path (its levels, top first)"
    if visual == "treemap" and any(kind(columns[level]) != "nominal" for level in path):
        return "visual treemap needs text path columns"
    if visual in MEASURED and len(measures) < 2:
        return f"visual {visual} needs at least two measures"
    if visual == "radar" and any(m.aggregate is None for m in measures):
        return "visual radar needs an aggregate on every measure"
    if visual == "correlation" and any(
        m.aggregate is not None or kind(columns[m.field]) != "quantitative" for m in measures
    ):
        return "visual correlation needs numeric measures without aggregate"
    if visual not in MEASURED and measures:
        return f"visual {visual} takes no measures"
    if visual != "treemap" and path:
        return f"visual {visual} takes no path"
    return None


def _labelled(
    enc: dict[str, Any],
    columns: dict[str, str],
    metrics: Mapping[str, Metric],
    labels: Mapping[str, Label],
) -> Label | None:
    """The label and format of an encoded field: the encoding's title over the label of the
    metric (`metrics`: the tile's own), or of the column (aggregated when the encoding
    aggregates it); None without one."""
    name = enc["field"]
    if name in metrics:
        base = Label(metrics[name].label, metrics[name].format)
    elif name in labels:
        base = labels[name]
        if base.format is None and kind(columns[name]) == "quantitative":
            base = Label(base.text, "number")
    elif enc.get("title"):
        base = Label(enc["title"], "number" if kind(columns[name]) == "quantitative" else None)
    else:
        return None
    if enc.get("aggregate"):
        base = aggregated(base, enc["aggregate"])
    return Label(enc.get("title") or base.text, base.format)


def _labels(
    raw: dict[str, Any],
    columns: dict[str, str],
    metrics: Mapping[str, Metric],
    labels: Mapping[str, Label],
) -> tuple[dict[str, Encoding], list[Encoding], dict[str, Label], list[str]]:
    """The tile's encodings and measures with their labels and formats, every shown field's
    label, and a problem for each field without one."""
    shown: dict[str, Label] = {}
    problems: list[str] = []
    own = {name: metrics[name] for name in raw.get("metrics", []) if name in metrics}

    def encoding(enc: dict[str, Any]) -> Encoding:
        label = _labelled(enc, columns, own, labels)
        if label is None:
            problems.append(f"no label for {enc['field']!r}: add it to {LABELS_FILE}")
            label = Label(enc["field"])
        shown.setdefault(enc["field"], label)
        name, aggregate = enc["field"], enc.get("aggregate")
        additive = own[name].additive if name in own else aggregate in ("sum", "count")
        return Encoding(name, aggregate, label.text, label.format, additive)

    encodings = {channel: encoding(enc) for channel, enc in raw.get("encoding", {}).items()}
    measures = [encoding(enc) for enc in raw.get("measures", [])]
    for level in [*raw.get("path", []), *raw.get("group_by", [])]:
        if level not in shown:
            encoding({"field": level})
    return encodings, measures, shown, problems


def _where(raw: Any, error: jsonschema.ValidationError) -> str:
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "tiles" and isinstance(path[1], int):
        tile = raw["tiles"][path[1]]
        title = tile.get("title", "untitled") if isinstance(tile, dict) else "untitled"
        rest = "/".join(map(str, path[2:]))
        return f"tile {path[1] + 1} ({title}): " + (f"{rest}: " if rest else "")
    return f"{'/'.join(map(str, path))}: " if path else ""


def load_pages(
    folder: Path,
    datasets: dict[str, dict[str, str]] | None = None,
    metrics: Mapping[str, Metric] | None = None,
) -> list[Page]:
    """Every `*.yml` of the folder but the label map (`_*.yml`), checked with its labels
    (formats.LABELS_FILE); raises SpecError listing every problem."""
    datasets = catalogue() if datasets is None else datasets
    metrics = metric_catalogue() if metrics is None else metrics
    try:
        labels = read_labels(folder)
    except ValueError as error:
        raise SpecError(str(error)) from None
    files = sorted(p for p in folder.glob("*.yml") if not p.name.startswith("_"))
    if not files:
        raise SpecError(f"{folder}: no dashboard files (*.yml)")
    pages, problems = [], []
    for path in files:
        page, found = load_page(path, datasets, metrics, labels)
        problems.extend(found)
        if page is not None:
            pages.append(page)
    if problems:
        raise SpecError("\n".join(problems))
    return pages
