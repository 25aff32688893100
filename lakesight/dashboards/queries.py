"""The SQL of a tile: always an aggregate over one secure table of a principal's extract.

Column names come from the validated spec (checked against the secure models' columns) and are
quoted; filter values are bound parameters, never pasted into the SQL text. A result longer than
ROW_CAP rows is refused (TileTooLarge) instead of being written into a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from lakesight.dashboards.spec import Tile

#: most rows one tile may put into a page (a tile above it fails with TileTooLarge)
ROW_CAP = 2000
#: bins of a histogram over raw values; points of a density curve
HISTOGRAM_BINS = 20
DENSITY_POINTS = 100
AGGREGATES = {"sum": "sum", "mean": "avg", "count": "count", "min": "min", "max": "max"}


class TileTooLarge(RuntimeError):
    """A tile whose aggregated result has more rows than ROW_CAP."""


@dataclass
class Result:
    columns: list[str]
    rows: list[dict[str, Any]]


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _where(tile: Tile) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for rule in tile.filters:
        column = q(rule["column"])
        if rule["op"] == "in":
            clauses.append(f"{column} in ({', '.join('?' for _ in rule['value'])})")
            params.extend(rule["value"])
        else:
            clauses.append(f"{column} {rule['op']} ?")
            params.append(rule["value"])
    return (" where " + " and ".join(clauses)) if clauses else "", params


def grouped_sql(tile: Tile) -> tuple[str, list[Any]]:
    """keys (encoded columns without aggregate) grouped, the other encoded columns aggregated."""
    keys: list[str] = []
    measures: list[str] = []
    for enc in tile.encoding.values():
        if enc.aggregate is None:
            if enc.field not in keys:
                keys.append(enc.field)
        else:
            expression = f"{AGGREGATES[enc.aggregate]}({q(enc.field)})"
            if enc.aggregate in ("sum", "mean"):
                expression = f"cast({expression} as double)"
            measures.append(f"{expression} as {q(enc.field)}")
    where, params = _where(tile)
    select = ", ".join([q(k) for k in keys] + measures)
    group = f" group by {', '.join(q(k) for k in keys)}" if keys and measures else ""
    if measures and not keys:  # an aggregate over no rows is no row, not one row of NULLs
        group = " having count(*) > 0"
    distinct = "distinct " if keys and not measures else ""
    order = ", ".join(
        f"{q(s['field'])} {'desc' if s.get('order') == 'descending' else 'asc'}" for s in tile.sort
    ) or ", ".join(q(k) for k in keys)
    sql = f"select {distinct}{select} from secure.{q(tile.dataset)}{where}{group}"
    return sql + (f" order by {order}" if order else ""), params


def histogram_sql(tile: Tile, prebinned: bool) -> tuple[str, list[Any]]:
    where, params = _where(tile)
    x = tile.encoding["x"].field
    if prebinned:  # a dataset binned in the warehouse (bins may be unequal)
        y = q(tile.encoding["y"].field)
        sql = (
            "select cast(bin_lower as double) as bin_lower,"
            " cast(bin_upper as double) as bin_upper,"
            f" cast(sum({y}) as double) as count,"
            f" cast(sum({y}) as double) / cast(bin_upper - bin_lower as double)"
            f" / sum(sum({y})) over () as density from secure.{q(tile.dataset)}{where}"
            " group by bin_lower, bin_upper order by bin_lower"
        )
        return sql, params
    sql = f"""
        with v as (select cast({q(x)} as double) as x from secure.{q(tile.dataset)}{where}),
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
        with v as (select cast({q(x)} as double) as x from secure.{q(tile.dataset)}{where}),
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
    table = f"secure.{q(tile.dataset)}"
    latest = f"month_start_date = (select max(month_start_date) from {table}{where})"
    where = f"{where} and {latest}" if where else f" where {latest}"
    sql = (
        f"select step_number, {q(x)}, cast(sum({q(y)}) as double) as {q(y)},"
        f" cast(sum(running_total_usd) as double) as running_total,"
        f" any_value(month_start_date) as month_start_date"
        f" from {table}{where} group by step_number, {q(x)} order by step_number"
    )
    return sql, params + params


def tile_sql(tile: Tile, columns: dict[str, str]) -> tuple[str, list[Any]]:
    if tile.visual == "density":
        return density_sql(tile)
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
            f"tile {tile.title!r} ({tile.dataset}) returns more than {ROW_CAP} rows after"
            " aggregating: group by fewer or coarser columns, or filter it"
        )
    return Result(names, rows)
