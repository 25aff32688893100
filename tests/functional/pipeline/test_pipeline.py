"""End to end: the generated lake through `dbt build` into the marts, checked from outside dbt."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from tests.support.warehouse import MART_TABLES, NO_TESTS, Warehouse, lakesight


def _csv_records(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def _lines(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    return len(text.removesuffix("\n").split("\n")) if text else 0


#: raw table -> (lake folder, file suffix, independent record counter)
LAKE_TABLES: dict[str, tuple[str, str, Callable[[Path], int]]] = {
    "raw_shop__orders": ("shop/orders", ".csv", _csv_records),
    "raw_shop__order_items": (
        "shop/order_items",
        ".parquet",
        lambda p: pq.read_metadata(p).num_rows,
    ),
    "raw_crm__customers": ("crm/customers", ".jsonl", _lines),
    "raw_catalog__products": ("catalog/products", ".jsonl", _lines),
    "raw_payments__payments": ("payments/payments", ".avro", lambda p: pl.read_avro(p).height),
    "raw_fulfilment__shipments": ("fulfilment/shipments", ".orc", lambda p: orc.ORCFile(p).nrows),
    "raw_web__access_logs": ("web/access_logs", ".log", _lines),
    "raw_labelling__review_labels": ("labelling/review_labels", ".jsonl", _lines),
}


def expected_raw_rows(lake: Path, folder: str, suffix: str, count: Callable[[Path], int]) -> int:
    """Records in the lake files, counted by an independent reader; an empty file counts once
    (it lands as one quarantined marker row)."""
    files = sorted((lake / folder).glob(f"dt=*/part-*{suffix}"))
    assert files, f"no {suffix} files under {lake / folder}"
    return sum(max(count(path), 1) for path in files)


def mart_fingerprints(warehouse: Warehouse) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every mart table."""
    return {
        table: tuple(
            warehouse.query(
                f"select count(*), coalesce(bit_xor(hash(t)), 0) from marts.{table} as t"
            )[0]
        )
        for table in MART_TABLES
    }


def test_build_is_green_and_every_mart_is_populated(built: Warehouse) -> None:
    # warn is the deliberate severity of orphan checks (late events of not-yet-seen orders);
    # exposures are reported as no-op
    statuses = {result["status"] for result in built.run_results()}
    assert statuses <= {"success", "pass", "warn", "no-op"}, statuses
    for table in MART_TABLES:
        assert built.scalar(f"select count(*) from marts.{table}") > 0, table


@pytest.mark.parametrize("raw_table", sorted(LAKE_TABLES))
def test_every_lake_record_lands_in_raw(built: Warehouse, raw_table: str) -> None:
    """Nothing is lost on the way in: raw rows = records an independent reader finds."""
    folder, suffix, count = LAKE_TABLES[raw_table]
    expected = expected_raw_rows(built.lake, folder, suffix, count)
    assert built.scalar(f"select count(*) from raw.{raw_table}") == expected


@pytest.mark.parametrize("raw_table", sorted(LAKE_TABLES))
def test_every_raw_row_is_staged_superseded_or_quarantined(
    built: Warehouse, raw_table: str
) -> None:
    entity = raw_table.removeprefix("raw_")
    raw = built.scalar(f"select count(*) from raw.{raw_table}")
    staged = built.scalar(f"select count(*) from staging.stg_{entity}")
    rejected = built.scalar(f"select count(*) from staging.stg_{entity}__rejected")
    kept_back = built.scalar(
        f"select count(*) from staging.base_{entity} where _reject_reason is null "
        f"and (_is_superseded{' or _is_directive' if entity == 'web__access_logs' else ''})"
    )
    assert raw == staged + rejected + kept_back
    assert rejected > 0, "the generated lake has bad records in every table"


def test_revenue_reconciles_from_lines_to_orders_to_reports(built: Warehouse) -> None:
    mismatched = built.scalar(
        """
        select count(*) from marts.fct_orders as o
        left join (
            select order_id, sum(line_amount_usd) as lines_usd
            from marts.fct_order_items group by order_id
        ) as l using (order_id)
        where o.gross_revenue_usd != coalesce(l.lines_usd, 0)
           or o.net_revenue_usd != o.gross_revenue_usd - o.refunded_usd
        """
    )
    assert mismatched == 0
    report_orders, report_net = built.query(
        "select sum(order_count), sum(net_revenue_usd) from marts.rpt_sales_daily"
    )[0]
    fact_orders, fact_net = built.query(
        "select count(*), sum(net_revenue_usd) from marts.fct_orders where status != 'cancelled'"
    )[0]
    assert (report_orders, report_net) == (fact_orders, fact_net)
    assert built.scalar("select count(*) from marts.fct_orders where status = 'cancelled'") > 0


def test_line_amounts_follow_the_business_definition(built: Warehouse) -> None:
    """line_amount = quantity * unit_price - discount; USD at the order month's seed rate."""
    rows = built.query(
        """
        select i.quantity, i.unit_price, i.discount_amount, i.line_amount, i.line_amount_usd,
               f.usd_per_unit
        from marts.fct_order_items as i
        join marts.fct_orders as o using (order_id)
        join reference.ref_fx_rates_monthly as f
          on f.currency_code = o.currency_code and f.month = date_trunc('month', o.ordered_at)
        """
    )
    assert rows
    for quantity, unit_price, discount, amount, amount_usd, rate in rows:
        assert amount == quantity * unit_price - discount
        assert abs(amount_usd - amount * rate) <= 0.005 + 1e-9


def test_rerunning_the_build_changes_nothing(built: Warehouse, tmp_path: Path) -> None:
    warehouse = built.copy(tmp_path)
    raw_before = {t: warehouse.scalar(f"select count(*) from raw.{t}") for t in LAKE_TABLES}
    marts_before = mart_fingerprints(warehouse)
    warehouse.build()
    assert {t: warehouse.scalar(f"select count(*) from raw.{t}") for t in LAKE_TABLES} == raw_before
    assert mart_fingerprints(warehouse) == marts_before


@pytest.fixture(scope="module")
def appended(
    built: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Warehouse, Warehouse, int]:
    """The built warehouse after `lake append --days 3` and an incremental build, a full build
    of the same lake, and the number of loads raw_shop__orders had before the append."""
    root = tmp_path_factory.mktemp("appended")
    incremental = built.copy(root / "incremental")
    loads_before = incremental.scalar("select count(distinct _loaded_at) from raw.raw_shop__orders")
    lakesight("lake", "append", "--days", "3", "--lake", str(incremental.lake))
    incremental.build()
    full = Warehouse(root / "full", incremental.lake)
    full.root.mkdir()
    full.build(*NO_TESTS)  # the reference: its models are what is compared
    return incremental, full, loads_before


def rows_only_in_one(left: Warehouse, right: Warehouse, relation: str, exclude: str = "") -> tuple:
    """Rows of the relation only in the left warehouse, and only in the right (multisets), over
    the right's columns but those named in `exclude`."""
    schema, table = relation.split(".")
    columns = ", ".join(
        f'"{name}"'
        for (name,) in right.query(
            f"select column_name from information_schema.columns where table_schema = '{schema}' "
            f"and table_name = '{table}' order by ordinal_position"
        )
        if name not in exclude.split()
    )
    with duckdb.connect(str(right.database), read_only=True) as con:
        con.execute(f"attach '{left.database}' as other (read_only)")
        (here,) = con.execute("select current_database()").fetchone()
        return tuple(
            con.execute(
                f"select count(*) from (select {columns} from {a}.{relation} "
                f"except all select {columns} from {b}.{relation})"
            ).fetchone()[0]
            for a, b in (("other", here), (here, "other"))
        )


def test_incremental_load_after_append_equals_a_full_rebuild(
    appended: tuple[Warehouse, Warehouse, int],
) -> None:
    incremental, full, loads_before = appended
    # only the appended partitions were loaded, in one new load
    new_files = incremental.scalar(
        "select count(distinct _source_file) from raw.raw_shop__orders "
        "where _loaded_at = (select max(_loaded_at) from raw.raw_shop__orders)"
    )
    assert new_files == 3
    assert (
        incremental.scalar("select count(distinct _loaded_at) from raw.raw_shop__orders")
        == loads_before + 1
    )
    for table in MART_TABLES:
        if table == "dim_customers_history":  # the snapshot keeps versions seen between builds
            continue
        assert rows_only_in_one(incremental, full, f"marts.{table}") == (0, 0), table


BASE_MODELS = [
    "base_catalog__products",
    "base_crm__customers",
    "base_fulfilment__shipments",
    "base_labelling__review_labels",
    "base_payments__payments",
    "base_shop__order_items",
    "base_shop__orders",
    "base_web__access_logs",
]


@pytest.mark.parametrize("model", ["int_web_requests_parsed", "int_web_sessions_sessionised"])
def test_an_incremental_web_intermediate_equals_its_full_rebuild(
    appended: tuple[Warehouse, Warehouse, int], model: str
) -> None:
    """Parsed by file, sessionised by visitor over the visitor's whole history: after the
    incremental build every row equals the full rebuild's, load times aside."""
    incremental, full, _ = appended
    relation = f"intermediate.{model}"
    assert rows_only_in_one(incremental, full, relation, exclude="_loaded_at") == (0, 0)
    assert incremental.scalar(f"select count(*) from {relation}") > 0


@pytest.mark.parametrize("model", BASE_MODELS)
def test_an_incremental_base_model_equals_its_full_rebuild(
    appended: tuple[Warehouse, Warehouse, int], model: str
) -> None:
    """Every verdict (staged, superseded, rejected and why) after the incremental build is the
    full rebuild's; only the load times differ (each warehouse loaded the lake itself), in
    `_loaded_at` and in the raw record's JSON of rejected rows."""
    incremental, full, _ = appended
    assert rows_only_in_one(
        incremental, full, f"staging.{model}", exclude="_loaded_at _raw_record _checked_at"
    ) == (0, 0)
    assert incremental.scalar(
        f"select count(*) from staging.{model} where _raw_record is not null"
    ) == full.scalar(f"select count(*) from staging.{model} where _raw_record is not null")
    # the incremental build re-checked the rows of the appended files (loaded after the first
    # load, the only other load of the built warehouse), and not every row
    raw = f"raw.raw_{model.removeprefix('base_')}"
    appended_rows = f"_loaded_at > (select min(_loaded_at) from {raw})"
    rechecked, appended_rechecked, total = incremental.query(
        "select count(*) filter (where _checked_at > first), "
        f"count(*) filter (where _checked_at > first and {appended_rows}), count(*) "
        f"from staging.{model}, (select min(_checked_at) as first from staging.{model})"
    )[0]
    assert appended_rechecked == incremental.scalar(
        f"select count(*) from {raw} where {appended_rows}"
    )
    assert rechecked < total


def test_lake_manifest_drives_the_target_scale(built: Warehouse) -> None:
    scale = json.loads((built.lake / "_lake.json").read_text())["scale"]
    assert built.scalar("select lake_scale from staging.stg_lake__manifest") == pytest.approx(scale)
    ratio = built.scalar(
        """
        select max(abs(r.target_revenue_usd - t.target_revenue_usd * m.lake_scale))
        from marts.rpt_revenue_vs_target_monthly as r
        join reference.ref_sales_targets_monthly as t
          on t.month = r.month_start_date and t.region_name = r.region_name
        cross join staging.stg_lake__manifest as m
        """
    )
    assert ratio <= 0.005


#: generator bad-record kind (docs/lake.md, _lake.json "bad_records") -> the quarantine reason
BAD_RECORD_REASONS = {
    ("orders", "wrong_column_count"): "Expected Number of Columns",
    ("orders", "unparseable_ordered_at"): "ordered_at is missing or not a timestamp",
    ("orders", "unknown_country_code"): "unknown country_code",
    ("orders", "unknown_currency_code"): "unknown currency_code",
    ("orders", "duplicate_row"): "duplicate record",
    ("orders", "future_ordered_at"): "ordered_at is in the future",
    ("order_items", "negative_quantity"): "quantity is missing or not positive",
    ("order_items", "duplicate_line"): "duplicate record",
    ("customers", "invalid_json"): "invalid JSON",
    ("customers", "unparseable_date_of_birth"): "date_of_birth is not a date",
    ("customers", "unknown_country_code"): "unknown country_code",
    ("products", "unparseable_unit_cost"): "unit_cost is missing, not a number or negative",
    ("payments", "duplicate_event"): "duplicate record",
    ("payments", "unknown_currency_code"): "unknown currency_code",
    ("shipments", "future_delivered_at"): "delivered_at is in the future",
    (
        "access_logs",
        "neither_format",
    ): "log line in neither W3C extended nor Apache combined format",
    ("review_labels", "missing_metadata"): "manifest line without a label and its -metadata object",
    ("review_labels", "invalid_json"): "invalid JSON",
}


def test_every_generated_bad_record_is_quarantined_with_its_reason(built: Warehouse) -> None:
    """The generator records where it put bad records; the pipeline must catch exactly those."""
    manifest = json.loads((built.lake / "_lake.json").read_text())
    for table, kinds in manifest["bad_records"].items():
        entity = manifest["tables"][table]["path"].replace("/", "__")
        rejected = [
            r for (r,) in built.query(f"select reject_reason from staging.stg_{entity}__rejected")
        ]
        assert len(rejected) == sum(kinds.values()), (table, rejected)
        for kind, count in kinds.items():
            reason = BAD_RECORD_REASONS[(table, kind)]
            assert sum(reason in found for found in rejected) == count, (table, kind, rejected)
