"""`lakesight profile`: every statistic, computed in DuckDB SQL, equals pandas/numpy/scipy's."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import gaussian_kde

from lakesight.consume.profiles import stats
from lakesight.consume.profiles.masks import fits, restricted, strictest
from lakesight.consume.profiles.pages import render_profile
from lakesight.consume.profiles.run import profile_warehouse
from lakesight.dbt_artifacts import read_dbt_manifest
from lakesight.security.access import connect_confined
from lakesight.security.resolved import ResolvedPolicy
from lakesight_tests.support import BIN, REPO, Warehouse

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


# -- the command line, on the shared warehouse ------------------------------------------------


def run(built: Warehouse, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "lakesight"),
            "profile",
            *args,
            "--manifest",
            str(built.target / "manifest.json"),
        ],
        cwd=REPO,
        env=built.env(),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def warehouse(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """A copy of the shared warehouse (profiles --as build extracts next to it)."""
    copy = built.database_copy(tmp_path_factory.mktemp("profile"))
    copy.target.mkdir()
    (copy.target / "manifest.json").write_bytes((built.target / "manifest.json").read_bytes())
    return copy


def test_profile_a_mart_reads_its_key_from_the_manifest(warehouse: Warehouse, tmp_path) -> None:
    page = tmp_path / "fct_order_items.html"
    result = run(warehouse, "fct_order_items", "--html", str(page))
    assert result.returncode == 0, result.stderr
    rows = warehouse.scalar("select count(*) from marts.fct_order_items")
    assert f"marts.fct_order_items: {rows:,} rows" in result.stdout
    assert "primary key (order_id, line_number): 0 duplicated keys" in result.stdout
    assert "line_amount_usd" in page.read_text()


def test_profile_as_a_principal_reads_the_extract_only(warehouse: Warehouse) -> None:
    extracts = warehouse.root / "extracts"
    # bob sees the orders of US and CA only (seeds/security/sec_rls__orders.csv)
    result = run(warehouse, "orders", "--as", " Bob@example.com", "--extracts", str(extracts))
    assert result.returncode == 0, result.stderr
    output = " ".join(result.stdout.split())
    assert "from the extract of bob@example.com" in output
    manifest = json.loads((extracts / "manifest.json").read_text())
    (bob,) = [e for e in manifest["extracts"] if e["principal"] == "bob@example.com"]
    seen = bob["datasets"]["orders"]["rows"]
    assert seen == warehouse.scalar(
        "select count(*) from marts.fct_orders where country_code in ('US', 'CA')"
    )
    assert f"secure.orders: {seen:,} rows" in output
    assert seen < warehouse.scalar("select count(*) from marts.fct_orders")  # rows filtered
    refused = run(
        warehouse, "marts.fct_orders", "--as", "erin@example.com", "--extracts", str(extracts)
    )
    assert refused.returncode == 1
    assert "No relation 'marts.fct_orders' in the extract of erin@example.com" in refused.stderr
    inactive = run(warehouse, "orders", "--as", "dave@example.com", "--extracts", str(extracts))
    assert inactive.returncode == 1 and "not an active user" in inactive.stderr


def test_a_warehouse_profile_shows_no_restricted_column_in_clear(
    warehouse: Warehouse, tmp_path
) -> None:
    """Every mart carrying a column the policy restricts (for anyone) is profiled on its masked
    values, on the page and in the terminal: e-mails, phones, streets and first names of
    dim_customers and dim_customers_history never appear (docs/security.md)."""
    manifest = read_dbt_manifest(warehouse.target / "manifest.json")
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        clear = {
            value
            for (value,) in con.execute(
                "select email from marts.dim_customers union select phone from marts.dim_customers"
                " union select street from marts.dim_customers"
                " union select email from marts.dim_customers_history"
                " union select street from marts.dim_customers_history"
            ).fetchall()
            if value
        }
        names = {
            v for (v,) in con.execute("select first_name from marts.dim_customers").fetchall() if v
        }
    assert len(clear) > 20
    for relation, expected in (
        ("marts.dim_customers", {"email": "email_domain", "phone": "last4", "street": "redact"}),
        ("marts.dim_customers_history", {"email": "email_domain", "street": "redact"}),
        ("marts.dim_products", {"unit_cost_usd": "null"}),
    ):
        result = profile_warehouse(warehouse.database, relation, manifest)
        page = render_profile(result)
        assert not {value for value in clear if value in page}, relation
        for column in result.columns:
            shown = {value for value, _ in column.top} | {column.minimum, column.maximum}
            assert not shown & (clear | names), (relation, column.name)
            if column.name == "email":
                assert column.top and all(v.startswith("****@") for v, _ in column.top)
            if column.name == "date_of_birth":
                assert (column.minimum.month, column.minimum.day) == (1, 1)
                assert (column.maximum.month, column.maximum.day) == (1, 1)
            if column.name == "unit_cost_usd":
                assert column.maximum is None and not column.histogram
                assert "unit_cost_usd" not in result.numeric
        assert expected.items() <= result.masked.items(), relation
        assert 'id="masked"' in page
    terminal = run(warehouse, "dim_customers", "--html", str(tmp_path / "c.html"))
    assert terminal.returncode == 0, terminal.stderr
    assert "restricted by the policy, profiled masked:" in terminal.stdout
    assert not {value for value in clear if value in terminal.stdout}


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


def test_an_unknown_or_odd_relation_is_one_sentence(warehouse: Warehouse) -> None:
    result = run(warehouse, "fct_order_itemz")
    assert result.returncode == 1
    assert "No relation 'fct_order_itemz' in the warehouse" in result.stderr
    assert "marts.fct_order_items" in result.stderr  # the hint
    odd = run(warehouse, 'x"; drop table marts.fct_orders; --')
    assert odd.returncode == 1 and "No relation" in odd.stderr and "Traceback" not in odd.stderr
