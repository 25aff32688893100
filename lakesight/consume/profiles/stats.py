"""Column statistics of one relation, computed where the data is: DuckDB SQL, never a `df()`.

Only aggregates leave DuckDB (a few hundred numbers per column). Above :data:`SAMPLE_ABOVE` rows
the per-column statistics, histograms, KDEs, missing-values matrix and correlations are computed on
a reservoir sample of :data:`SAMPLE_ROWS` rows (`using sample reservoir(… rows) repeatable (42)`),
and the profile says so; the row count and the primary-key duplicates always use every row.

What each figure is (and the pandas/numpy call it equals, in
tests/functional/consume/test_profile.py):

- null share `count(*) - count(c)` / rows (`isna().mean()`); distinct `count(distinct c)`
  (`nunique()`); min/max; mean `avg`; std `stddev_samp` (`std()`, ddof 1); quantiles
  `quantile_cont` (`quantile()`, linear interpolation) at 5, 25, 50, 75 and 95 %;
- top values: the :data:`TOP` most frequent non-null values (`value_counts()`);
- histogram: :data:`BINS` equal-width bins from min to max, the last one closed
  (`numpy.histogram(x, BINS)`); dates and timestamps are binned on their epoch seconds;
- KDE: a Gaussian kernel with Scott's bandwidth `std * n ** (-1/5)` (`scipy.stats.gaussian_kde`),
  evaluated at :data:`KDE_POINTS` points from min to max over the counts of :data:`KDE_BINS` fine
  bins (a binned KDE: exact up to a bin width, 1/2048 of the range);
- missing-values matrix: the null share of each column in :data:`MATRIX_BLOCKS` consecutive blocks
  of rows, in scan order;
- Pearson `corr(a, b)` over the rows where both are set (`DataFrame.corr()`); Spearman: Pearson of
  the average ranks, each column ranked over its own non-null values (equal to
  `corr(method="spearman")` when the columns have no nulls), above :data:`SPEARMAN_ROWS` profiled
  rows on a repeatable sample of that many (the page says so);
- primary key: key values held by more than one row, the rows beyond the first of each, and rows
  with a null key part.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

#: above this many rows, statistics are computed on a sample (the page says so)
SAMPLE_ABOVE = 2_000_000
#: the sample's size
SAMPLE_ROWS = 1_000_000
SAMPLE_SEED = 42
#: above this many profiled rows the Spearman ranks are taken on a repeatable sample of this many
#: rows: ranking sorts every numeric column (17 s and 1.7 GiB of the 20 s for 1 M rows x 10
#: columns), and the sampling error of a rank correlation on 200,000 rows is about 0.002
SPEARMAN_ROWS = 200_000
BINS = 20
KDE_POINTS = 64
KDE_BINS = 2048
TOP = 10
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
MATRIX_BLOCKS = 50
#: at most this many numeric columns enter the correlation matrices
MAX_CORRELATED = 24

_NUMBER = re.compile(
    r"(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
    r"|FLOAT|DOUBLE|REAL|DECIMAL.*)"
)
_DATE = re.compile(r"(DATE|TIMESTAMP.*)")
_CATEGORY = re.compile(r"(VARCHAR|BOOLEAN|ENUM.*|UUID)")


def quote(name: str) -> str:
    """A SQL identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def kind_of(duckdb_type: str) -> str:
    """'number', 'date', 'category' or 'other' for a DuckDB column type."""
    for kind, pattern in (("number", _NUMBER), ("date", _DATE), ("category", _CATEGORY)):
        if pattern.fullmatch(duckdb_type.upper()):
            return kind
    return "other"


@dataclass
class Column:
    name: str
    type: str
    kind: str
    rows: int
    nulls: int
    distinct: int
    minimum: Any = None
    maximum: Any = None
    mean: float | None = None
    std: float | None = None
    quantiles: dict[float, float | None] = field(default_factory=dict)
    top: list[tuple[str, int]] = field(default_factory=list)
    #: (low edge, high edge, rows); epoch seconds for dates
    histogram: list[tuple[float, float, int]] = field(default_factory=list)
    #: (x, density)
    kde: list[tuple[float, float]] = field(default_factory=list)

    @property
    def null_share(self) -> float:
        return self.nulls / self.rows if self.rows else 0.0


@dataclass
class Keys:
    columns: list[str]
    duplicated_keys: int
    duplicate_rows: int
    null_keys: int


@dataclass
class Profile:
    relation: str
    source: str
    rows: int
    profiled_rows: int
    columns: list[Column]
    #: per block of rows, the null share of each column (in column order)
    missing: list[list[float]]
    numeric: list[str]
    pearson: list[list[float | None]]
    spearman: list[list[float | None]]
    keys: Keys | None
    computed_at: str
    #: the rows the Spearman ranks were taken over (profiled_rows, or a sample of them)
    spearman_rows: int = 0
    #: restricted columns profiled on their masked values: column -> mask
    #: (lakesight.consume.profiles.masks)
    masked: dict[str, str] = field(default_factory=dict)

    @property
    def sampled(self) -> bool:
        return self.profiled_rows < self.rows


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _basic(con: duckdb.DuckDBPyConnection, rel: str, columns: list[Column]) -> None:
    """Nulls, distinct, min/max, mean, std and quantiles, one column per query.

    A column store reads only that column each time, so the scans cost little; one query for
    all columns would hold every column's distinct-value and quantile state at once.
    """
    for column in columns:
        c = quote(column.name)
        parts = [f"count({c})", f"count(distinct {c})"]
        if column.kind == "number":
            x = f"cast({c} as double)"
            parts += [
                f"min({x}) filter (where isfinite({x}))",
                f"max({x}) filter (where isfinite({x}))",
                f"avg({x})",
                f"stddev_samp({x})",
                f"quantile_cont({x}, {list(QUANTILES)})",
            ]
        elif column.kind == "date":
            parts += [f"min({c})", f"max({c})"]
        row = _one(con, f"select {', '.join(parts)} from {rel}")
        count, column.distinct = row[0], row[1]
        column.nulls = column.rows - count
        if column.kind == "number":
            column.minimum, column.maximum = _finite(row[2]), _finite(row[3])
            column.mean, column.std = _finite(row[4]), _finite(row[5])
            values = row[6] or [None] * len(QUANTILES)
            column.quantiles = dict(zip(QUANTILES, map(_finite, values), strict=True))
        elif column.kind == "date":
            column.minimum, column.maximum = row[2], row[3]


def _epoch(column: Column) -> str:
    c = quote(column.name)
    return f"cast(epoch({c}) as double)" if column.kind == "date" else f"cast({c} as double)"


def _bounds(
    con: duckdb.DuckDBPyConnection, rel: str, column: Column
) -> tuple[float | None, float | None]:
    """Min and max of the finite values (NaN and infinities are left out of the charts)."""
    if column.kind == "number":
        return column.minimum, column.maximum
    x = _epoch(column)
    low, high = _one(con, f"select min({x}), max({x}) from {rel} where isfinite({x})")
    return float(low), float(high)


def _f(value: float) -> str:
    """A float as a SQL DOUBLE literal (a bare 0.1 would be a DECIMAL)."""
    return f"cast({value!r} as double)"


def _histogram(con: duckdb.DuckDBPyConnection, rel: str, column: Column) -> None:
    """numpy.histogram's bins: equal widths from min to max, the last bin closed."""
    low, high = _bounds(con, rel, column)
    x = _epoch(column)
    if low is None or high is None:
        return
    low, high = float(low), float(high)
    if high == low:
        (finite,) = _one(con, f"select count(*) from {rel} where isfinite({x})")
        column.histogram = [(low, high, int(finite))]
        return
    step = (high - low) / BINS
    lo, st, last = _f(low), _f(step), BINS - 1
    # numpy's index: floor((x - low) * bins / (high - low)), then corrected against the edges
    index = f"least(cast(floor(({x} - {lo}) * {_f(BINS / (high - low))}) as bigint), {last})"
    rows = con.execute(
        f"""
        with indexed as (select {x} as x, {index} as i from {rel} where isfinite({x})),
        corrected as (
            select case
                when x < {lo} + i * {st} then i - 1
                when i < {last} and x >= {lo} + (i + 1) * {st} then i + 1
                else i end as i
            from indexed
        )
        select i, count(*) from corrected group by i
        """
    ).fetchall()
    counts = dict(rows)
    column.histogram = [
        (low + i * step, high if i == last else low + (i + 1) * step, counts.get(i, 0))
        for i in range(BINS)
    ]


def _kde(con: duckdb.DuckDBPyConnection, rel: str, column: Column) -> None:
    """A Gaussian KDE (Scott's bandwidth) over the counts of KDE_BINS fine bins."""
    n = column.rows - column.nulls
    if n < 2 or not column.std or column.minimum is None or column.maximum is None:
        return
    low, high = column.minimum, column.maximum
    if high == low:
        return
    x, lo, w = _epoch(column), _f(low), _f((high - low) / KDE_BINS)
    h, gap = _f(column.std * n ** (-1 / 5)), _f((high - low) / (KDE_POINTS - 1))
    rows = con.execute(
        f"""
        with bins as (
            select least(cast(floor(({x} - {lo}) / {w}) as bigint), {KDE_BINS - 1}) as j,
                   count(*) as n
            from {rel} where isfinite({x}) group by j
        ),
        grid as (select i, {lo} + i * {gap} as g from range({KDE_POINTS}) as t(i))
        select i, any_value(g),
               sum(n * exp(-0.5 * pow((g - ({lo} + (j + 0.5) * {w})) / {h}, 2)))
                 / ({n} * {h} * sqrt(2 * pi()))
        from grid cross join bins group by i order by i
        """
    ).fetchall()
    column.kde = [(float(g), float(d)) for _, g, d in rows]


def _top(con: duckdb.DuckDBPyConnection, rel: str, column: Column) -> None:
    c = quote(column.name)
    column.top = [
        (str(value), int(count))
        for value, count in con.execute(
            f"select cast({c} as varchar) as v, count(*) as n from {rel} where {c} is not null"
            f" group by v order by n desc, v limit {TOP}"
        ).fetchall()
    ]


def _missing(
    con: duckdb.DuckDBPyConnection, rel: str, columns: list[Column], rows: int
) -> list[list[float]]:
    if rows == 0 or not columns:
        return []
    blocks = min(MATRIX_BLOCKS, rows)
    flags = ", ".join(f"{quote(c.name)} is null as m{i}" for i, c in enumerate(columns))
    shares = ", ".join(f"avg(cast(m{i} as double))" for i in range(len(columns)))
    result = con.execute(
        f"""
        with flagged as (select row_number() over () - 1 as r, {flags} from {rel})
        select r * {blocks} // {rows} as block, {shares} from flagged group by block order by block
        """
    ).fetchall()
    return [[float(share) for share in row[1:]] for row in result]


def _sample(
    con: duckdb.DuckDBPyConnection, rel: str, rows: int, name: str, columns: list[str] | None = None
) -> str:
    """A repeatable reservoir sample of `rel` (of `columns`, else all) as a temporary table
    (works on a read-only file)."""
    selected = ", ".join(quote(c) for c in columns) if columns else "*"
    con.execute(
        f"create or replace temp table {name} as select {selected} from {rel}"
        f" using sample reservoir({int(rows)} rows) repeatable ({SAMPLE_SEED})"
    )
    return f"temp.main.{name}"


def _correlations(
    con: duckdb.DuckDBPyConnection, rel: str, names: list[str], ranked_rel: str
) -> tuple[list[list[float | None]], list[list[float | None]]]:
    """Pearson over `rel`, Spearman over `ranked_rel` (`rel` or a sample of it)."""
    k = len(names)
    if k < 2:
        return [], []
    pairs = [(a, b) for a in range(k) for b in range(a + 1, k)]
    xs = [f"cast({quote(name)} as double)" for name in names]
    pearson_row = _one(
        con, f"select {', '.join(f'corr({xs[a]}, {xs[b]})' for a, b in pairs)} from {rel}"
    )
    ranks = _ranks(con, ranked_rel, xs)
    spearman_row = _one(
        con, f"select {', '.join(f'corr(r{a}, r{b})' for a, b in pairs)} from {ranks}"
    )

    def matrix(values: tuple[Any, ...]) -> list[list[float | None]]:
        out: list[list[float | None]] = [
            [1.0 if a == b else None for b in range(k)] for a in range(k)
        ]
        for (a, b), value in zip(pairs, values, strict=True):
            out[a][b] = out[b][a] = _finite(value)
        return out

    return matrix(pearson_row), matrix(spearman_row)


_VALUES = "temp.main.lakesight_profile_values"


def _ranks(con: duckdb.DuckDBPyConnection, rel: str, xs: list[str]) -> str:
    """A temporary table of the average ranks r0, r1, … of the expressions `xs` over `rel`.

    The average rank of a value is (its first rank + its last rank) / 2: rank() and count(x)
    over one ordered window (whose default frame ends after the current row's peers); nulls
    sort last and get no rank. One column is ranked per query and joined on a row number: one
    query with every window would sort all of them at once, in about twice the memory.
    """
    values = ", ".join(f"{x} as x{i}" for i, x in enumerate(xs))
    con.execute(
        "create or replace temp table lakesight_profile_values as"
        f" select row_number() over () as rid, {values} from {rel}"
    )
    ranks = "temp.main.lakesight_profile_ranks"
    con.execute(
        f"create or replace temp table lakesight_profile_ranks as select rid from {_VALUES}"
    )
    for i in range(len(xs)):
        con.execute(
            "create or replace temp table lakesight_profile_rank as select rid, case when"
            f" x{i} is null then null else (rank() over w + count(x{i}) over w) / 2.0 end as r"
            f" from {_VALUES} window w as (order by x{i})"
        )
        con.execute(
            f"create or replace temp table lakesight_profile_ranks as select ranks.*, one.r as r{i}"
            f" from {ranks} as ranks join temp.main.lakesight_profile_rank as one using (rid)"
        )
    return ranks


def _keys(con: duckdb.DuckDBPyConnection, rel: str, key: list[str]) -> Keys:
    columns = ", ".join(quote(name) for name in key)
    any_null = " or ".join(f"{quote(name)} is null" for name in key)
    duplicated, extra = _one(
        con,
        f"select count(*), coalesce(sum(n - 1), 0) from"
        f" (select count(*) as n from {rel} group by {columns}) where n > 1",
    )
    (nulls,) = _one(con, f"select count(*) from {rel} where {any_null}")
    return Keys(key, int(duplicated), int(extra), int(nulls))


def profile(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    *,
    display: str,
    source: str,
    key: list[str] | None = None,
    sample_above: int = SAMPLE_ABOVE,
    sample_rows: int = SAMPLE_ROWS,
    spearman_rows: int = SPEARMAN_ROWS,
    keys_relation: str | None = None,
) -> Profile:
    """Profile `relation` (a quoted, existing relation name) on an open connection; the
    primary-key duplicates are counted on `keys_relation` (the same rows unmasked), else on it."""
    described = con.execute(f"describe select * from {relation}").fetchall()
    (rows,) = _one(con, f"select count(*) from {relation}")
    keys = None
    if key:
        known = {name for name, *_ in described}
        missing = [name for name in key if name not in known]
        if missing:
            raise ValueError(f"{display}: primary-key column(s) {missing} are not in the relation")
        keys = _keys(con, keys_relation or relation, key)
    rel = relation
    profiled = rows
    if rows > sample_above:
        rel = _sample(con, relation, sample_rows, "lakesight_profile_sample")
        (profiled,) = _one(con, f"select count(*) from {rel}")
    columns = [Column(name, type_, kind_of(type_), profiled, 0, 0) for name, type_, *_ in described]
    if columns:
        _basic(con, rel, columns)
    for column in columns:
        if column.kind in ("number", "date") and column.nulls < column.rows:
            _histogram(con, rel, column)
        if column.kind == "number":
            _kde(con, rel, column)
        if column.kind == "category" and column.nulls < column.rows:
            _top(con, rel, column)
    numeric = [c.name for c in columns if c.kind == "number" and c.std and c.distinct > 1][
        :MAX_CORRELATED
    ]
    ranked_rel, ranked = rel, profiled
    if len(numeric) > 1 and profiled > spearman_rows:
        ranked_rel = _sample(con, rel, spearman_rows, "lakesight_profile_ranked", numeric)
        (ranked,) = _one(con, f"select count(*) from {ranked_rel}")
    pearson, spearman = _correlations(con, rel, numeric, ranked_rel)
    return Profile(
        relation=display,
        source=source,
        rows=int(rows),
        profiled_rows=int(profiled),
        columns=columns,
        missing=_missing(con, rel, columns, int(profiled)),
        numeric=numeric,
        pearson=pearson,
        spearman=spearman,
        keys=keys,
        computed_at=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        spearman_rows=int(ranked),
    )
