"""The raw landing contract: per raw table, its columns and types, records landed with their file
and line, the share of quarantined records, and the codes within the reference seeds."""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations import Expectation

from lakesight.quality.suites.common import (
    MAX_REJECTED_SHARE,
    Severity,
    Suite,
    expect,
    rows,
    seed_values,
)

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


def raw_contract() -> tuple[Suite, ...]:
    """One suite per raw table: its landing contract (all_suites adds partition_days to each)."""
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
