"""`lakesight profile`'s statistics, computed in DuckDB SQL on a table made here, equal
pandas/numpy/scipy's; the strictest mask of a column name wins (no warehouse: the warehouse's
profiles are tests/functional/consume/test_profile.py)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import gaussian_kde

from lakesight.consume.profiles import stats
from lakesight.consume.profiles.masks import fits, restricted, strictest
from lakesight.consume.profiles.pages import render_profile
from lakesight.security.access import connect_confined
from lakesight.security.resolved import ResolvedPolicy

N = 240


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    x = rng.normal(10, 3, N)
    amount = rng.lognormal(3, 0.8, N).round(2)
    amount[rng.choice(N, 30, replace=False)] = np.nan
    quantity = rng.integers(1, 6, N).astype(float)
    quantity[rng.choice(N, 12, replace=False)] = np.nan
    status = rng.choice(["shipped", "placed", "returned", "cancelled"], N, p=[0.6, 0.2, 0.15, 0.05])
    status = status.astype(object)
    status[rng.choice(N, 20, replace=False)] = None
    day0 = date(2025, 1, 1)
    return pd.DataFrame(
        {
            "order_id": [i // 2 if i in (10, 11, 50, 51, 52) else i for i in range(N)],
            "x": x,
            "y": 2 * x + rng.normal(0, 2, N),
            "z": rng.uniform(0, 1, N),
            "amount": amount,
            "quantity": quantity,
            "status": status,
            "is_gift": rng.random(N) < 0.3,
            "order_date": [day0 + timedelta(days=int(d)) for d in rng.integers(0, 90, N)],
            "placed_at": [
                datetime(2025, 1, 1) + timedelta(seconds=int(s))
                for s in rng.integers(0, 86400 * 30, N)
            ],
            "constant": [7] * N,
        }
    )


@pytest.fixture(scope="module")
def con(frame: pd.DataFrame):
    connection = duckdb.connect()
    connection.register("frame", frame)
    connection.execute(
        "create table t as select * exclude (quantity, order_date, placed_at),"
        " cast(quantity as integer) as quantity, cast(order_date as date) as order_date,"
        " cast(placed_at as timestamp) as placed_at, [1, 2] as tags from frame"
    )
    connection.unregister("frame")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def result(con) -> stats.Profile:
    return stats.profile(con, "t", display="t", source="a test table", key=["order_id"])


def col(result: stats.Profile, name: str) -> stats.Column:
    return next(c for c in result.columns if c.name == name)


def test_types_nulls_and_distinct_equal_pandas(result: stats.Profile, frame: pd.DataFrame) -> None:
    assert result.rows == result.profiled_rows == N and not result.sampled
    kinds = {c.name: c.kind for c in result.columns}
    assert kinds == {
        "order_id": "number",
        "x": "number",
        "y": "number",
        "z": "number",
        "amount": "number",
        "status": "category",
        "is_gift": "category",
        "constant": "number",
        "quantity": "number",
        "order_date": "date",
        "placed_at": "date",
        "tags": "other",
    }
    for name in frame.columns:
        column = col(result, name)
        assert column.null_share == pytest.approx(frame[name].isna().mean()), name
        assert column.distinct == frame[name].nunique(), name
    assert col(result, "tags").distinct == 1


@pytest.mark.parametrize("name", ["x", "y", "z", "amount", "quantity", "order_id", "constant"])
def test_moments_and_quantiles_equal_pandas(
    result: stats.Profile, frame: pd.DataFrame, name: str
) -> None:
    column, series = col(result, name), frame[name].astype(float)
    assert column.minimum == pytest.approx(series.min())
    assert column.maximum == pytest.approx(series.max())
    assert column.mean == pytest.approx(series.mean())
    assert column.std == pytest.approx(series.std(), abs=1e-12)
    for q in stats.QUANTILES:
        assert column.quantiles[q] == pytest.approx(series.quantile(q)), q


def test_dates_min_max(result: stats.Profile, frame: pd.DataFrame) -> None:
    assert col(result, "order_date").minimum == frame["order_date"].min()
    assert col(result, "placed_at").maximum == frame["placed_at"].max()


@pytest.mark.parametrize("name", ["status", "is_gift"])
def test_top_values_equal_value_counts(
    result: stats.Profile, frame: pd.DataFrame, name: str
) -> None:
    counts = frame[name].value_counts()
    top = col(result, name).top
    assert [n for _, n in top] == list(counts.values[: stats.TOP])
    for value, n in top:
        key = {"true": True, "false": False}.get(value, value)
        assert counts[key] == n


@pytest.mark.parametrize("name", ["x", "amount", "quantity", "constant"])
def test_histogram_equals_numpy(result: stats.Profile, frame: pd.DataFrame, name: str) -> None:
    values = frame[name].dropna().astype(float).to_numpy()
    histogram = col(result, name).histogram
    if values.min() == values.max():
        assert histogram == [(values.min(), values.max(), len(values))]
        return
    counts, edges = np.histogram(values, bins=stats.BINS)
    assert [n for *_, n in histogram] == list(counts)
    assert [lo for lo, *_ in histogram] == pytest.approx(list(edges[:-1]))
    assert histogram[-1][1] == pytest.approx(edges[-1])


def test_date_histogram_bins_epoch_seconds_like_numpy(
    result: stats.Profile, frame: pd.DataFrame
) -> None:
    seconds = frame["placed_at"].map(lambda t: t.timestamp() - datetime(1970, 1, 1).timestamp())
    counts, _ = np.histogram(seconds.to_numpy(dtype=float), bins=stats.BINS)
    assert [n for *_, n in col(result, "placed_at").histogram] == list(counts)
    days = frame["order_date"].map(lambda d: (d - date(1970, 1, 1)).days * 86400)
    counts, _ = np.histogram(days.to_numpy(dtype=float), bins=stats.BINS)
    assert [n for *_, n in col(result, "order_date").histogram] == list(counts)


@pytest.mark.parametrize("name", ["x", "amount", "z"])
def test_kde_equals_scipy_gaussian_kde(
    result: stats.Profile, frame: pd.DataFrame, name: str
) -> None:
    values = frame[name].dropna().to_numpy(dtype=float)
    kde = col(result, name).kde
    assert len(kde) == stats.KDE_POINTS
    grid = np.array([x for x, _ in kde])
    assert grid[0] == pytest.approx(values.min()) and grid[-1] == pytest.approx(values.max())
    expected = gaussian_kde(values)(grid)  # Scott's rule, like the SQL
    assert [d for _, d in kde] == pytest.approx(list(expected), rel=2e-3, abs=1e-6)
    assert col(result, "constant").kde == []  # no spread, no density


def test_missing_matrix_equals_pandas_blocks(result: stats.Profile, frame: pd.DataFrame) -> None:
    names = [c.name for c in result.columns]
    nulls = frame.reindex(columns=names).isna()
    nulls["tags"] = False
    blocks = nulls.groupby(np.arange(N) * stats.MATRIX_BLOCKS // N).mean()
    assert len(result.missing) == stats.MATRIX_BLOCKS
    assert np.allclose(np.array(result.missing), blocks[names].to_numpy(dtype=float))


def test_correlations_equal_pandas(result: stats.Profile, frame: pd.DataFrame) -> None:
    assert "constant" not in result.numeric and "x" in result.numeric
    numeric = frame[result.numeric].astype(float)
    pearson = numeric.corr()  # pairwise complete rows, as corr(a, b) in SQL
    assert np.allclose(np.array(result.pearson, dtype=float), pearson.to_numpy())
    complete = [name for name in result.numeric if not frame[name].isna().any()]
    assert {"x", "y", "z", "order_id"} <= set(complete)
    spearman = numeric[complete].corr(method="spearman")
    at = [result.numeric.index(name) for name in complete]
    ours = np.array(result.spearman, dtype=float)[np.ix_(at, at)]
    assert np.allclose(ours, spearman.to_numpy())
    assert result.pearson[result.numeric.index("x")][result.numeric.index("y")] > 0.8


def test_above_the_documented_size_spearman_ranks_a_sample_and_says_so(con) -> None:
    sampled = stats.profile(con, "t", display="t", source="x", spearman_rows=50)
    assert sampled.profiled_rows == N and sampled.spearman_rows == 50
    # the same repeatable sample, ranked by pandas
    sample = con.execute(
        f"select * from t using sample reservoir(50 rows) repeatable ({stats.SAMPLE_SEED})"
    ).df()
    complete = [name for name in sampled.numeric if not sample[name].isna().any()]
    expected = sample[complete].astype(float).corr(method="spearman")
    at = [sampled.numeric.index(name) for name in complete]
    assert np.allclose(np.array(sampled.spearman, dtype=float)[np.ix_(at, at)], expected)
    # Pearson still reads every row
    full = stats.profile(con, "t", display="t", source="x")
    assert sampled.pearson == full.pearson and full.spearman_rows == N
    page = render_profile(sampled)
    assert "ranked on a repeatable sample of 50 of the" in page


def test_primary_key_duplicates_equal_pandas(result: stats.Profile, frame: pd.DataFrame) -> None:
    assert result.keys is not None
    duplicated = frame["order_id"].value_counts()
    assert result.keys.duplicated_keys == int((duplicated > 1).sum()) == 3
    assert result.keys.duplicate_rows == int(frame["order_id"].duplicated().sum()) == 5
    assert result.keys.null_keys == 0


def test_a_key_column_that_does_not_exist_is_named(con) -> None:
    with pytest.raises(ValueError, match=r"primary-key column\(s\) \['nope'\]"):
        stats.profile(con, "t", display="t", source="x", key=["nope"])


def test_above_the_documented_size_a_repeatable_sample_is_used_and_said(con) -> None:
    first = stats.profile(
        con, "t", display="t", source="x", key=["order_id"], sample_above=100, sample_rows=50
    )
    again = stats.profile(con, "t", display="t", source="x", sample_above=100, sample_rows=50)
    assert first.sampled and first.rows == N and first.profiled_rows == 50
    assert first.keys is not None and first.keys.duplicate_rows == 5  # keys: every row
    assert sum(n for *_, n in col(first, "x").histogram) == 50
    assert col(first, "x").mean == col(again, "x").mean  # repeatable
    page = render_profile(first)
    assert "Sampled" in page and "sample of 50 rows" in page
    assert "Sampled" not in render_profile(stats.profile(con, "t", display="t", source="x"))


def test_a_confined_extract_can_be_sampled(tmp_path) -> None:
    """The sample is a temporary table: it works on an extract opened read-only and locked."""
    path = tmp_path / "extract.duckdb"
    with duckdb.connect(str(path)) as writer:
        writer.execute("create schema secure")
        writer.execute("create table secure.t as select range as id, random() as x from range(500)")
    with connect_confined(path) as confined:
        sampled = stats.profile(
            confined,
            "secure.t",
            display="t",
            source="x",
            key=["id"],
            sample_above=100,
            sample_rows=50,
        )
        with pytest.raises(duckdb.Error):
            confined.execute("create table secure.u as select 1")  # still read-only
    assert sampled.sampled and sampled.profiled_rows == 50 and sampled.rows == 500


def test_nan_and_infinity_are_left_out_of_min_max_and_charts(con) -> None:
    con.execute(
        "create or replace table odd as select * from (values (1.0), (2.0), (3.0),"
        " ('nan'::double), ('inf'::double), (null)) as v(x)"
    )
    odd = col(stats.profile(con, "odd", display="odd", source="x"), "x")
    assert (odd.minimum, odd.maximum) == (1.0, 3.0)
    assert sum(n for *_, n in odd.histogram) == 3 and odd.nulls == 1
    assert odd.mean is None and odd.kde == []  # not a finite mean, no density


def test_an_empty_table_profiles(con) -> None:
    con.execute("create or replace table empty as select * from t limit 0")
    empty = stats.profile(con, "empty", display="empty", source="x", key=["order_id"])
    assert empty.rows == 0 and col(empty, "x").histogram == [] and empty.missing == []
    assert "Profile of" in render_profile(empty)


def test_the_most_restrictive_mask_of_a_column_name_wins() -> None:
    policy = ResolvedPolicy(
        masks={
            "a": {"email": "email_domain", "note": "hash"},
            "b": {"Email": "last4", "note": "null"},
        }
    )
    assert restricted(policy) == {"email": "redact", "note": "null"}
    assert strictest("year", "hash") == "hash" and strictest("year", "last4") == "redact"
    assert not fits("redact", "DATE") and fits("redact", "VARCHAR")  # a misfit becomes null


def test_a_date_masked_to_its_year_is_shown_by_year_only() -> None:
    """A bin edge or a bound between two January-firsts is some day of the year, which may be a
    customer's birth day in clear (docs/security.md, "Who may be given what"): shown as years."""
    with duckdb.connect() as con:
        con.execute(
            "create table t as select make_date(1940 + (i % 60), 1, 1) as date_of_birth"
            " from range(500) as r(i)"
        )
        result = stats.profile(con, "t", display="marts.t", source="x")
    plain = render_profile(result)
    result.masked = {"date_of_birth": "year"}
    page = render_profile(result)
    day = re.compile(r"\b19\d\d-\d\d-\d\d\b")  # the data's days (the page also shows today)
    assert day.findall(page) == [] and day.findall(plain)
    assert "<title>1940 to 1942: " in page and '<td class="num">1999</td>' in page
