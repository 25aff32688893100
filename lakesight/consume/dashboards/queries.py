"""What a tile reads from a principal's extract: a metric, or an aggregate of a secure table.

A metric tile asks the semantic layer (lakesight.semantic: MetricFlow writes the SQL, on the same
confined extract), so its figure is the metric's on every page; its total, without the group-by,
is asked the same way. The other tiles are the SQL below.

Column names come from the validated spec (checked against the secure models' columns) and are
quoted; filter values are bound parameters, never pasted into the SQL text. A tile's `lookup`
joins other secure tables of the same extract (inner join on the key), so a query never reads
anything but the principal's own rows. A result longer than ROW_CAP rows is refused
(TileTooLarge) instead of being written into a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from lakesight.consume.dashboards.definitions import Encoding, Tile
from lakesight.semantic.manifest import SECURE_SCHEMA, SemanticError
from lakesight.semantic.query import MetricRequest, run

#: most rows one tile may put into a page (a tile above it fails with TileTooLarge)
ROW_CAP = 2000
#: bins of a histogram over raw values; points of a density curve
HISTOGRAM_BINS = 20
DENSITY_POINTS = 100
#: terms per colour (sentiment) of a word cloud, the most frequent first
WORDCLOUD_TERMS = 40
AGGREGATES = {
    "sum": "sum({})",
    "mean": "avg({})",
    "count": "count({})",
    "min": "min({})",
    "max": "max({})",
    "share_positive": "avg(case when {} > 0 then 1.0 else 0.0 end)",
}


class TileTooLarge(RuntimeError):
    """A tile whose aggregated result has more rows than ROW_CAP."""


@dataclass
class Result:
    columns: list[str]
    rows: list[dict[str, Any]]
    #: the secure datasets a metric tile's SQL read (MetricFlow chose the joins); empty for SQL
    #: tiles, whose dataset and lookups say it
    reads: frozenset[str] = frozenset()
    #: the period a tile of one period shows, for people ("December 2025")
    period: str = ""


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def source(tile: Tile) -> str:
    """The tile's dataset and its lookups (inner joins on their keys), all of the extract."""
    sql = f"secure.{q(tile.dataset)} as t0"
    for number, join in enumerate(tile.lookup, start=1):
        sql += f" inner join secure.{q(join['dataset'])} as t{number} using ({q(join['key'])})"
    return sql


def col(tile: Tile, name: str) -> str:
    """A column, qualified by the first of the tile's tables that has it."""
    return f"t{tile.owners.get(name, 0)}.{q(name)}"


def aggregate(tile: Tile, enc: Encoding) -> str:
    expression = AGGREGATES[enc.aggregate or "sum"].format(col(tile, enc.field))
    return f"cast({expression} as double)" if enc.aggregate != "count" else expression


def _where(tile: Tile) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for rule in tile.filters:
        column = col(tile, rule["column"])
        if rule["op"] == "in":
            clauses.append(f"{column} in ({', '.join('?' for _ in rule['value'])})")
            params.extend(rule["value"])
        else:
            clauses.append(f"{column} {rule['op']} ?")
            params.append(rule["value"])
    return (" where " + " and ".join(clauses)) if clauses else "", params


def grouped_sql(tile: Tile) -> tuple[str, list[Any]]:
    """keys (a tree map's path, then the encoded columns without aggregate) grouped, the other
    encoded columns and the measures aggregated."""
    keys: list[str] = list(tile.path)
    measures: list[str] = []
    for enc in [*tile.encoding.values(), *tile.measures]:
        if enc.aggregate is None:
            if enc.field not in keys:
                keys.append(enc.field)
        else:
            measures.append(f"{aggregate(tile, enc)} as {q(enc.field)}")
    where, params = _where(tile)
    select = ", ".join([f"{col(tile, k)} as {q(k)}" for k in keys] + measures)
    group = f" group by {', '.join(col(tile, k) for k in keys)}" if keys and measures else ""
    if measures and not keys:  # an aggregate over no rows is no row, not one row of NULLs
        group = " having count(*) > 0"
    distinct = "distinct " if keys and not measures else ""
    order = ", ".join(
        f"{q(s['field'])} {'desc' if s.get('order') == 'descending' else 'asc'}" for s in tile.sort
    ) or ", ".join(q(k) for k in keys)
    sql = f"select {distinct}{select} from {source(tile)}{where}{group}"
    return f"select * from ({sql})" + (f" order by {order}" if order else ""), params


def histogram_sql(tile: Tile, prebinned: bool) -> tuple[str, list[Any]]:
    where, params = _where(tile)
    x = tile.encoding["x"].field
    if prebinned:  # a dataset binned in the warehouse (bins may be unequal)
        # the open last bin's rows each end at their own largest value: the bar ends at the
        # largest of the principal's rows, never at a warehouse-wide edge (docs/security.md)
        y = col(tile, tile.encoding["y"].field)
        lower, upper = col(tile, "bin_lower"), f"max({col(tile, 'bin_upper')})"
        sql = (
            f"select cast({lower} as double) as bin_lower,"
            f" cast({upper} as double) as bin_upper,"
            f" cast(sum({y}) as double) as count,"
            f" cast(sum({y}) as double) / cast({upper} - {lower} as double)"
            f" / sum(sum({y})) over () as density from {source(tile)}{where}"
            f" group by {lower} order by bin_lower"
        )
        return sql, params
    sql = f"""
        with v as (select cast({col(tile, x)} as double) as x from {source(tile)}{where}),
        s as (select min(x) as lo, max(x) as hi, count(x) as n from v),
        w as (select lo, n, case when hi > lo then (hi - lo) / {HISTOGRAM_BINS} else 1 end as w
              from s where n > 0),
        b as (select least(floor((v.x - w.lo) / w.w), {HISTOGRAM_BINS - 1}) as bin, w.lo, w.w, w.n
              from v, w where v.x is not null)
        select lo + bin * w as bin_lower, lo + (bin + 1) * w as bin_upper,
               cast(count(*) as double) as count, count(*) / (any_value(n) * w) as density
        from b group by bin, lo, w order by bin"""
    return sql, params


def density_sql(tile: Tile) -> tuple[str, list[Any]]:
    """Gaussian KDE with Silverman's bandwidth 0.9 min(sd, IQR/1.34) n^(-1/5), in SQL."""
    where, params = _where(tile)
    x = tile.encoding["x"].field
    sql = f"""
        with v as (select cast({col(tile, x)} as double) as x from {source(tile)}{where}),
        s as (select count(x) as n, stddev_samp(x) as sd, min(x) as lo, max(x) as hi,
                     quantile_cont(x, 0.75) - quantile_cont(x, 0.25) as iqr from v),
        h as (select n, lo, hi, 0.9 * case when iqr > 0 then least(sd, iqr / 1.34) else sd end
                     * power(n, -0.2) as h from s where n > 1 and sd > 0),
        grid as (select lo - 3 * h + i * (hi - lo + 6 * h) / {DENSITY_POINTS - 1} as gx, n, h
                 from h, range({DENSITY_POINTS}) as t(i))
        select gx as x, sum(exp(-0.5 * power((gx - v.x) / h, 2))) / (n * h * sqrt(2 * pi()))
               as density, h as bandwidth
        from grid, v where v.x is not null group by gx, n, h order by gx"""
    return sql, params


def waterfall_sql(tile: Tile) -> tuple[str, list[Any]]:
    """The bridge of the latest month in the principal's rows: steps summed over its cells."""
    where, params = _where(tile)
    x, y = tile.encoding["x"].field, tile.encoding["y"].field
    table = source(tile)
    month = col(tile, "month_start_date")
    latest = f"{month} = (select max({month}) from {table}{where})"
    where = f"{where} and {latest}" if where else f" where {latest}"
    step = col(tile, "step_number")
    sql = (
        f"select {step} as step_number, {col(tile, x)} as {q(x)},"
        f" cast(sum({col(tile, y)}) as double) as {q(y)},"
        f" cast(sum({col(tile, 'running_total_usd')}) as double) as running_total,"
        f" any_value({month}) as month_start_date"
        f" from {table}{where} group by {step}, {col(tile, x)} order by step_number"
    )
    return sql, params + params


def wordcloud_sql(tile: Tile) -> tuple[str, list[Any]]:
    """The WORDCLOUD_TERMS most frequent terms of each colour (ties: alphabetical)."""
    sql, params = grouped_sql(tile)
    value, term = q(tile.encoding["value"].field), q(tile.encoding["x"].field)
    colour = q(tile.encoding["color"].field) if "color" in tile.encoding else "1"
    ranked = (
        f"select * from ({sql}) qualify row_number() over"
        f" (partition by {colour} order by {value} desc, {term}) <= {WORDCLOUD_TERMS}"
    )
    return f"select * from ({ranked}) order by {colour}, {value} desc, {term}", params


def radar_sql(tile: Tile) -> tuple[str, list[Any]]:
    """Per colour (a polygon) each measure, long form, normalised min-max to [0, 1] across the
    colours of the principal's rows (1 when all are equal, NULL when the value is)."""
    sql, params = grouped_sql(tile)
    group = q(tile.encoding["color"].field)
    parts = []
    for enc in tile.measures:
        value = q(enc.field)
        low, high = f"min({value}) over ()", f"max({value}) over ()"
        params = [*params, measure_title(enc)]
        parts.append(
            f"select {group}, cast(? as varchar) as measure,"
            f" cast({value} as double) as value,"
            f" case when {value} is null then null when {high} = {low} then 1.0"
            f" else round(({value} - {low}) / ({high} - {low}), 12) end as normalised"
            f" from grouped"
        )
    body = " union all ".join(parts)
    return f"with grouped as ({sql}) select * from ({body}) order by {group}, measure", params


def correlation_sql(tile: Tile) -> tuple[str, list[Any]]:
    """Pearson's r of every ordered pair of measures over the rows (1 on the diagonal where the
    measure varies, NULL where it is constant), clamped to [-1, 1]."""
    where, params = _where(tile)
    names = [m.field for m in tile.measures]
    values = ", ".join(f"cast({col(tile, n)} as double) as {q(n)}" for n in names)
    pairs = []
    for x in names:
        for y in names:
            varies = f"var_samp({q(x)}) > 0 and var_samp({q(y)}) > 0"
            r = "1.0" if x == y else f"greatest(-1.0, least(1.0, corr({q(x)}, {q(y)})))"
            r = f"case when {varies} then {r} end"  # NULL, not NaN, for a constant measure
            params = [*params, x, y]
            pairs.append(
                "select cast(? as varchar) as measure_x, cast(? as varchar) as measure_y,"
                f" round({r}, 12) as r, count(*) as n from v having count(*) > 1"
            )
    body = " union all ".join(pairs)
    sql = f"with v as (select {values} from {source(tile)}{where}) {body}"
    return sql, params


def measure_title(enc: Encoding) -> str:
    return enc.title or f"{enc.aggregate} of {enc.field}"


def tile_sql(tile: Tile, columns: dict[str, str]) -> tuple[str, list[Any]]:
    if tile.visual == "density":
        return density_sql(tile)
    if tile.visual == "wordcloud":
        return wordcloud_sql(tile)
    if tile.visual == "radar":
        return radar_sql(tile)
    if tile.visual == "correlation":
        return correlation_sql(tile)
    if tile.visual == "histogram":
        return histogram_sql(tile, prebinned="bin_upper" in columns and "y" in tile.encoding)
    if tile.visual == "waterfall":
        return waterfall_sql(tile)
    return grouped_sql(tile)


def run_tile(con: duckdb.DuckDBPyConnection, tile: Tile, columns: dict[str, str]) -> Result:
    sql, params = tile_sql(tile, columns)
    cursor = con.execute(f"select * from ({sql}) limit {ROW_CAP + 1}", params)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if len(rows) > ROW_CAP:
        raise TileTooLarge(
            f"tile {tile.title!r} ({tile.source}) returns more than {ROW_CAP} rows after"
            " aggregating: group by fewer or coarser columns, or filter it"
        )
    return Result(names, rows)


def metric_request(
    tile: Tile, grouped: bool = True, limit: int | None = None, where: tuple[str, ...] = ()
) -> MetricRequest:
    """The tile's metrics by its group-by items (or none: its total), ordered by its sort."""
    order = tuple(
        ("-" if rule.get("order") == "descending" else "") + rule["field"] for rule in tile.sort
    )
    return MetricRequest(
        metrics=tuple(tile.metrics),
        group_by=tuple(tile.group_by) if grouped else (),
        where=(*tile.where, *where),
        order_by=order if grouped else (),
        limit=limit,
    )


MONTH = "{{ TimeDimension('metric_time', 'month') }}"
YEAR = "{{ TimeDimension('metric_time', 'year') }}"


def period_filters(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any], tile: Tile
) -> tuple[tuple[str, ...], str] | None:
    """The filters and the name of a tile's period, anchored on the newest month of its first
    metric in the principal's own data (never the warehouse's); None when there is none."""
    newest = run(
        con,
        manifest,
        MetricRequest(
            (tile.metrics[0],),
            ("metric_time__month",),
            tuple(tile.where),
            ("-metric_time__month",),
            limit=1,
        ),
    )
    if not newest.rows or newest.rows[0][0] is None:
        return None
    month = newest.rows[0][0]
    if tile.period == "latest_month":
        return (f"{MONTH} = '{month:%Y-%m-%d}'",), f"{month:%B %Y}, the newest month in this view"
    return (
        f"{YEAR} = '{month:%Y}-01-01'",
        f"{MONTH} <= '{month:%Y-%m-%d}'",
    ), f"{month:%Y} to date: January to {month:%B}, the newest month in this view"


def run_metric_tile(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any], tile: Tile
) -> tuple[Result, dict[str, Any] | None]:
    """The tile's rows and, when it groups, its total (each metric without the group-by)."""
    try:
        period = period_filters(con, manifest, tile) if tile.period else None
        if tile.period and period is None:  # no data of the principal: no period, no rows
            return Result(list(tile.columns), []), None
        where, named = period or ((), "")
        answer = run(con, manifest, metric_request(tile, limit=ROW_CAP + 1, where=where))
        total = (
            run(con, manifest, metric_request(tile, grouped=False, where=where))
            if tile.group_by
            else None
        )
    except SemanticError as error:
        raise SemanticError(f"tile {tile.title!r}: {error}") from None
    rows = [dict(zip(answer.columns, row, strict=True)) for row in answer.rows]
    if len(rows) > ROW_CAP:
        raise TileTooLarge(
            f"tile {tile.title!r} ({tile.source}) returns more than {ROW_CAP} rows:"
            " group by fewer or coarser items, or filter it"
        )
    totals = None
    if total is not None and total.rows:
        totals = dict(zip(total.columns, total.rows[0], strict=True))
    reads = frozenset(re.findall(rf"\b{SECURE_SCHEMA}\.(\w+)", answer.sql))
    return Result(answer.columns, rows, reads, named), totals
