"""Expectation suites as code: the raw landing contract and the marts' business rules.

Each suite validates one warehouse table. Every expectation carries its severity, both in GX's own
``severity`` field and in ``meta["severity"]``: a failed ``critical`` expectation fails
`lakesight validate` (and so `make build` and `make test`), a failed ``warning`` is only reported.
All checks run as SQL inside DuckDB; value sets come from the reference seeds in this repository.
The mart suites' SQL is portable: on the Spark target they run on GX's Spark engine
(`lakesight spark validate`); the raw landing contract reads DuckDB's catalog and JSON functions.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import great_expectations.expectations as gxe
from great_expectations.expectations import Expectation

Severity = Literal["critical", "warning"]
SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "reference"

#: largest share of a raw table's records that may be quarantined
MAX_REJECTED_SHARE = 0.10
#: the newest mart date may trail the newest lake partition by this many days
MAX_LAG_DAYS = 2


@dataclass(frozen=True)
class Suite:
    """The expectations on one warehouse table, run as `principal` when one is given."""

    name: str
    schema: str
    table: str
    expectations: tuple[Expectation, ...]
    principal: str | None = None


def expect(severity: Severity, kind: type[Expectation], **kwargs: Any) -> Expectation:
    """An expectation of the given kind, tagged with its severity."""
    return kind(severity=severity, meta={"severity": severity}, **kwargs)


def rows(severity: Severity, description: str, query: str) -> Expectation:
    """No row may come back from `query` (``{batch}`` is the suite's table)."""
    kind = gxe.UnexpectedRowsExpectation
    return expect(severity, kind, description=description, unexpected_rows_query=query)


def seed_values(seed: str, column: str) -> list[str]:
    """The values of one column of a reference seed (the dbt seed CSV in this repository)."""
    with (SEEDS / f"{seed}.csv").open(newline="", encoding="utf-8") as file:
        return sorted({row[column] for row in csv.DictReader(file)})


def column_types(table: str, types: dict[str, str]) -> Expectation:
    """The raw table has exactly these columns with these DuckDB types (the landing contract).

    The always-true ``count(*) >= 0`` is there because GX prints a warning for any query without
    ``{batch}``; DuckDB answers it from metadata.
    """
    expected = ", ".join(f"('{name}', '{kind}')" for name, kind in types.items())
    query = f"""
        with actual as (
            select column_name, data_type from information_schema.columns
            where table_schema = 'raw' and table_name = '{table}'
                and (select count(*) from {{batch}}) >= 0
        ), expected(column_name, data_type) as (values {expected})
        (select 'unexpected' as problem, * from actual except select 'unexpected', * from expected)
        union all
        (select 'missing', * from expected except select 'missing', * from actual)
    """
    return rows("critical", f"{table}: columns and types are the landing contract", query)


def rejected_share(table: str, rejected: str, severity: Severity = "critical") -> Expectation:
    """At most MAX_REJECTED_SHARE of the table's records were quarantined."""
    query = f"""
        select (select count(*) from staging.{rejected}) as rejected, count(*) as landed
        from {{batch}}
        having (select count(*) from staging.{rejected}) > {MAX_REJECTED_SHARE} * count(*)
    """
    return rows(severity, f"{table}: rejected share ≤ {MAX_REJECTED_SHARE:.0%}", query)


def per_partition(table: str) -> Expectation:
    """No lake partition (dt=…) between the first and the last landed empty."""
    query = """
        with landed as (
            select distinct try_cast(regexp_extract(_source_file, 'dt=([0-9-]+)', 1) as date) as dt
            from {batch}
            where dt is not null
        ), days as (
            select unnest(generate_series(min(dt), max(dt), interval 1 day))::date as dt
            from landed
        )
        select dt as empty_partition from days anti join landed using (dt)
    """
    return rows("warning", f"{table}: every daily partition landed records", query)


def partition_days(table: str) -> Expectation:
    """Every row comes from a partition that is a past day (the loads refuse any other,
    docs/lake.md): the check reads the partition without a cast that could fail."""
    query = """
        select distinct _source_file from {batch}
        where coalesce(
            try_cast(regexp_extract(_source_file, '/dt=([^/]*)/', 1) as date)
                > current_date + 1,
            true
        )
    """
    return rows("critical", f"{table}: every row comes from a partition dt=<a past day>", query)


#: the loader's audit columns on every raw table
AUDIT_COLUMNS = {
    "_source_file": "VARCHAR",
    "_line_number": "BIGINT",
    "_load_error": "VARCHAR",
    "_file_size": "BIGINT",
    "_file_hash": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
}
#: share of parseable lines whose code may fall outside its seed's values (warning)
MAX_UNKNOWN_CODE_SHARE = 0.05


def code_share(table: str, path: str, seed: str, column: str) -> Expectation:
    """At most MAX_UNKNOWN_CODE_SHARE of the JSON lines hold a `path` value outside the seed's."""
    values = ", ".join(f"'{value}'" for value in seed_values(seed, column))
    query = f"""
        with codes as (
            select json_extract_string(line, '{path}') as code from {{batch}}
            where _load_error is null and json_valid(line)
        )
        select count(*) filter (where code not in ({values})) as unknown, count(*) as lines
        from codes
        having count(*) filter (where code not in ({values})) > {MAX_UNKNOWN_CODE_SHARE} * count(*)
    """
    return rows("warning", f"{table}: {path} within {seed}.{column} (≥ 95 %)", query)


def line_table(
    name: str,
    table: str,
    rejected: str,
    *,
    key: str | None,
    daily: bool,
    rejected_severity: Severity = "critical",
    extra: tuple[Expectation, ...] = (),
) -> Suite:
    """The landing contract of a raw table loaded one text line per record (JSON Lines, logs):
    the line columns, records landed, no line lost, every parseable JSON line carries its key."""
    expectations = [
        column_types(table, {"line": "VARCHAR", **AUDIT_COLUMNS}),
        expect("critical", gxe.ExpectTableRowCountToBeBetween, min_value=1),
        expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="_source_file"),
        rows(
            "critical",
            f"{table}: every loaded record has its line",
            "select _source_file, _line_number from {batch}"
            " where line is null and _load_error is null",
        ),
        rejected_share(table, rejected, rejected_severity),
    ]
    if key is not None:
        expectations.append(
            rows(
                "critical",
                f"{table}: every line that parses as JSON has {key}",
                "select _source_file, _line_number from {batch} where _load_error is null"
                f" and json_valid(line) and json_extract(line, '$.{key}') is null",
            )
        )
    if daily:
        expectations.append(per_partition(table))
    return Suite(name, "raw", table, (*expectations, *extra))


def _raw_contract() -> tuple[Suite, ...]:
    audit = AUDIT_COLUMNS
    orders = "raw_shop__orders"
    items = "raw_shop__order_items"
    payments = "raw_payments__payments"
    shipments = "raw_fulfilment__shipments"
    return (
        Suite(
            "raw.shop__orders",
            "raw",
            orders,
            (
                column_types(
                    orders,
                    {
                        **dict.fromkeys(
                            (
                                "order_id",
                                "customer_id",
                                "ordered_at",
                                "updated_at",
                                "status",
                                "channel",
                                "currency_code",
                                "country_code",
                            ),
                            "VARCHAR",
                        ),
                        **audit,
                    },
                ),
                expect("critical", gxe.ExpectTableRowCountToBeBetween, min_value=1),
                expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="order_id"),
                expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="_source_file"),
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToBeInSet,
                    column="status",
                    value_set=seed_values("ref_order_statuses", "status"),
                    mostly=0.95,
                ),
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToBeInSet,
                    column="channel",
                    value_set=seed_values("ref_channels", "channel"),
                    mostly=0.95,
                ),
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToBeInSet,
                    column="currency_code",
                    value_set=seed_values("ref_currencies", "currency_code"),
                    mostly=0.95,
                ),
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToMatchRegex,
                    column="country_code",
                    regex="^[A-Z]{2}$",
                    mostly=0.95,
                ),
                rejected_share(orders, "stg_shop__orders__rejected"),
                per_partition(orders),
            ),
        ),
        Suite(
            "raw.shop__order_items",
            "raw",
            items,
            (
                column_types(
                    items,
                    {
                        "order_id": "BIGINT",
                        "line_number": "INTEGER",
                        "product_id": "BIGINT",
                        "quantity": "INTEGER",
                        "unit_price": "DECIMAL(12,2)",
                        "discount_amount": "DECIMAL(12,2)",
                        **audit,
                    },
                ),
                expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="order_id"),
                expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="line_number"),
                rejected_share(items, "stg_shop__order_items__rejected"),
            ),
        ),
        Suite(
            "raw.payments__payments",
            "raw",
            payments,
            (
                column_types(
                    payments,
                    {
                        "payment_id": "VARCHAR",
                        "order_id": "BIGINT",
                        "event_type": "VARCHAR",
                        "amount": "DOUBLE",
                        "currency_code": "VARCHAR",
                        "method": "VARCHAR",
                        "event_at": "TIMESTAMP WITH TIME ZONE",
                        **audit,
                    },
                ),
                expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="payment_id"),
                expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="order_id"),
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToBeInSet,
                    column="currency_code",
                    value_set=seed_values("ref_currencies", "currency_code"),
                    mostly=0.95,
                ),
                rejected_share(payments, "stg_payments__payments__rejected"),
            ),
        ),
        Suite(
            "raw.fulfilment__shipments",
            "raw",
            shipments,
            (
                column_types(
                    shipments,
                    {
                        "shipment_id": "VARCHAR",
                        "order_id": "BIGINT",
                        "carrier": "VARCHAR",
                        "warehouse_code": "VARCHAR",
                        "shipped_at": "TIMESTAMP_NS",
                        "delivered_at": "TIMESTAMP_NS",
                        **audit,
                    },
                ),
                expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="shipment_id"),
                expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="order_id"),
                rejected_share(shipments, "stg_fulfilment__shipments__rejected"),
            ),
        ),
        # the catalogue changes on some days only: its partitions are not daily
        line_table(
            "raw.catalog__products",
            "raw_catalog__products",
            "stg_catalog__products__rejected",
            key="product_id",
            daily=False,
        ),
        line_table(
            "raw.crm__customers",
            "raw_crm__customers",
            "stg_crm__customers__rejected",
            key="customer_id",
            daily=True,
            extra=(
                code_share(
                    "raw_crm__customers", "$.address.country_code", "ref_countries", "country_code"
                ),
            ),
        ),
        line_table(
            "raw.web__access_logs",
            "raw_web__access_logs",
            "stg_web__access_logs__rejected",
            key=None,
            daily=True,
        ),
        # labelling jobs are small: at small lake scales some days have no labels, and the lake
        # writes at least one bad record of each kind, so the quarantined share is only reported
        line_table(
            "raw.labelling__review_labels",
            "raw_labelling__review_labels",
            "stg_labelling__review_labels__rejected",
            key="review_id",
            daily=False,
            rejected_severity="warning",
        ),
    )


def mart_suites() -> tuple[Suite, ...]:
    """The marts' business rules (portable SQL: `lakesight spark validate` runs them on Spark)."""
    return (
        Suite(
            "marts.fct_orders",
            "marts",
            "fct_orders",
            (
                expect("critical", gxe.ExpectTableRowCountToBeBetween, min_value=1),
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="gross_revenue_usd",
                    min_value=0,
                ),
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="net_revenue_usd",
                    min_value=0,
                ),
                rows(
                    "critical",
                    "fct_orders.gross_revenue_usd equals the sum of its fct_order_items"
                    ".line_amount_usd",
                    """
                    select order_id, gross_revenue_usd, coalesce(items_usd, 0) as items_usd
                    from {batch}
                    left join (
                        select order_id, sum(line_amount_usd) as items_usd
                        from marts.fct_order_items group by order_id
                    ) as items using (order_id)
                    where abs(gross_revenue_usd - coalesce(items_usd, 0)) > 0.01
                    order by abs(gross_revenue_usd - coalesce(items_usd, 0)) desc
                    """,
                ),
                rows(
                    "critical",
                    f"the newest order date is at most {MAX_LAG_DAYS} days behind the newest"
                    " lake partition",
                    f"""
                    select max(order_date) as newest_order_date, (
                        select max(
                            try_cast(regexp_extract(_source_file, 'dt=([0-9-]+)', 1) as date)
                        )
                        from raw.raw_shop__orders
                    ) as newest_partition
                    from {{batch}}
                    having max(order_date) < newest_partition - {MAX_LAG_DAYS}
                    """,
                ),
            ),
        ),
        Suite(
            "marts.fct_order_items",
            "marts",
            "fct_order_items",
            (
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="line_amount_usd",
                    min_value=0,
                ),
                expect(
                    "critical", gxe.ExpectColumnValuesToBeBetween, column="quantity", min_value=1
                ),
            ),
        ),
        Suite(
            "marts.fct_payments",
            "marts",
            "fct_payments",
            (
                expect(
                    "critical", gxe.ExpectColumnValuesToBeBetween, column="amount_usd", min_value=0
                ),
                rows(
                    "critical",
                    "every order's refunds are at most its captures",
                    """
                    select order_id,
                        sum(amount_usd) filter (where event_type = 'captured') as captured_usd,
                        sum(amount_usd) filter (where event_type = 'refunded') as refunded_usd
                    from {batch}
                    group by order_id
                    having coalesce(sum(amount_usd) filter (where event_type = 'refunded'), 0)
                        > coalesce(sum(amount_usd) filter (where event_type = 'captured'), 0)
                    order by refunded_usd - coalesce(captured_usd, 0) desc
                    """,
                ),
            ),
        ),
        Suite(
            "marts.fct_shipments",
            "marts",
            "fct_shipments",
            (
                rows(
                    "critical",
                    "every shipment is delivered after it was shipped",
                    "select shipment_id, shipped_at, delivered_at from {batch}"
                    " where delivered_at < shipped_at order by shipped_at - delivered_at desc",
                ),
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="delivery_hours",
                    min_value=0,
                    max_value=24 * 60,
                ),
            ),
        ),
        Suite(
            "marts.fct_web_sessions",
            "marts",
            "fct_web_sessions",
            (
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="duration_seconds",
                    min_value=0,
                    max_value=24 * 3600,
                ),
                expect(
                    "critical", gxe.ExpectColumnValuesToBeBetween, column="page_views", min_value=1
                ),
                expect(
                    "warning",
                    gxe.ExpectColumnMeanToBeBetween,
                    column="duration_seconds",
                    min_value=1,
                    max_value=3600,
                ),
            ),
        ),
        Suite(
            "marts.rpt_sales_daily",
            "marts",
            "rpt_sales_daily",
            (
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="gross_revenue_usd",
                    min_value=0,
                ),
                rows(
                    "critical",
                    "net revenue is gross revenue less refunds",
                    "select * from {batch}"
                    " where net_revenue_usd <> gross_revenue_usd - refunded_usd",
                ),
            ),
        ),
        Suite(
            "marts.rpt_revenue_vs_target_monthly",
            "marts",
            "rpt_revenue_vs_target_monthly",
            (
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="target_attainment",
                    min_value=0,
                    max_value=5,
                ),
            ),
        ),
        Suite(
            "intermediate.int_review_labels_resolved",
            "intermediate",
            "int_review_labels_resolved",
            (
                rows(
                    "warning",
                    "the share of auto-labelled reviews is between 20% and 95%",
                    """
                    select avg(case when is_human_annotated then 0 else 1 end) as auto_share
                    from {batch}
                    having count(*) > 0 and (auto_share < 0.2 or auto_share > 0.95)
                    """,
                ),
            ),
        ),
    )


def all_suites() -> tuple[Suite, ...]:
    """Every suite the checkpoint runs: the raw landing contract first, then the marts."""
    raw = tuple(
        Suite(s.name, s.schema, s.table, (*s.expectations, partition_days(s.table)))
        for s in _raw_contract()
    )
    return raw + mart_suites()
