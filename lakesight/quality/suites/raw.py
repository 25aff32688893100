"""The raw landing contract: per raw table, its columns and types, records landed with their file
and line, the share of quarantined records, and the codes within the reference seeds."""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations import Expectation

from lakesight.load.schema import raw_types
from lakesight.quality.suites.common import (
    MAX_REJECTED_SHARE,
    Severity,
    Suite,
    expect,
    rows,
    seed_values,
)

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


def suite_name(table: str) -> str:
    """raw_<system>__<table> -> its suite, raw.<system>__<table>."""
    return "raw." + table.removeprefix("raw_")


def rejected_of(table: str) -> str:
    """raw_<system>__<table> -> its quarantine view, stg_<system>__<table>__rejected."""
    return f"stg_{table.removeprefix('raw_')}__rejected"


def in_seed(column: str, seed: str, seed_column: str) -> Expectation:
    """At least 95 % of the column's values are values of the seed's column (warning)."""
    values = seed_values(seed, seed_column)
    return expect(
        "warning", gxe.ExpectColumnValuesToBeInSet, column=column, value_set=values, mostly=0.95
    )


def file_table(
    table: str,
    *,
    not_null: tuple[str, ...],
    codes: tuple[tuple[str, str, str], ...] = (),
    extra: tuple[Expectation, ...] = (),
    row_count: bool = False,
    daily: bool = False,
) -> Suite:
    """The landing contract of a raw table loaded with typed columns (CSV, Parquet, Avro, ORC):
    the columns and types of lakesight/load/schema.py, records landed (`row_count`), the key
    columns not null, the codes within the seeds (`codes`: column, seed, seed column), the
    `extra` checks, the rejected share, and (`daily`) every partition landed."""
    expectations = [column_types(table, raw_types(table))]
    if row_count:
        expectations.append(expect("critical", gxe.ExpectTableRowCountToBeBetween, min_value=1))
    expectations += [
        expect("critical", gxe.ExpectColumnValuesToNotBeNull, column=column) for column in not_null
    ]
    expectations += [in_seed(*code) for code in codes]
    expectations += [*extra, rejected_share(table, rejected_of(table))]
    if daily:
        expectations.append(per_partition(table))
    return Suite(suite_name(table), "raw", table, tuple(expectations))


def line_table(
    table: str,
    *,
    key: str | None,
    daily: bool,
    rejected_severity: Severity = "critical",
    extra: tuple[Expectation, ...] = (),
) -> Suite:
    """The landing contract of a raw table loaded one text line per record (JSON Lines, logs):
    the line columns, records landed, no line lost, every parseable JSON line carries its key."""
    expectations = [
        column_types(table, raw_types(table)),
        expect("critical", gxe.ExpectTableRowCountToBeBetween, min_value=1),
        expect("critical", gxe.ExpectColumnValuesToNotBeNull, column="_source_file"),
        rows(
            "critical",
            f"{table}: every loaded record has its line",
            "select _source_file, _line_number from {batch}"
            " where line is null and _load_error is null",
        ),
        rejected_share(table, rejected_of(table), rejected_severity),
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
    return Suite(suite_name(table), "raw", table, (*expectations, *extra))


def raw_contract() -> tuple[Suite, ...]:
    """One suite per raw table: its landing contract (all_suites adds partition_days to each)."""
    currency = ("currency_code", "ref_currencies", "currency_code")
    country = ("raw_crm__customers", "$.address.country_code", "ref_countries", "country_code")
    return (
        file_table(
            "raw_shop__orders",
            row_count=True,
            not_null=("order_id", "_source_file"),
            codes=(
                ("status", "ref_order_statuses", "status"),
                ("channel", "ref_channels", "channel"),
                currency,
            ),
            extra=(
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToMatchRegex,
                    column="country_code",
                    regex="^[A-Z]{2}$",
                    mostly=0.95,
                ),
            ),
            daily=True,
        ),
        file_table("raw_shop__order_items", not_null=("order_id", "line_number")),
        file_table(
            "raw_payments__payments", not_null=("payment_id", "order_id"), codes=(currency,)
        ),
        file_table("raw_fulfilment__shipments", not_null=("shipment_id", "order_id")),
        # the catalogue changes on some days only: its partitions are not daily
        line_table("raw_catalog__products", key="product_id", daily=False),
        line_table(
            "raw_crm__customers", key="customer_id", daily=True, extra=(code_share(*country),)
        ),
        line_table("raw_web__access_logs", key=None, daily=True),
        # labelling jobs are small: at small lake scales some days have no labels, and the lake
        # writes at least one bad record of each kind, so the quarantined share is only reported
        line_table(
            "raw_labelling__review_labels",
            key="review_id",
            daily=False,
            rejected_severity="warning",
        ),
    )
