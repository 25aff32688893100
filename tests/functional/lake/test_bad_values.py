"""No value can stop the loads (docs/lake.md, "What the loads guarantee"): every cast from raw is
total, so NaN, ±infinity, overflowing numbers, impossible or out-of-range dates and a currency
without an FX rate are quarantined with a reason naming the column and the value — in every reader
format —, the build stays green, and the next build is not blocked by the rows already in raw."""

from __future__ import annotations

import pytest

from tests.support.bad_partition import DAY, VALUES
from tests.support.warehouse import Warehouse


@pytest.fixture(scope="module")
def bad_values(bad_partition: Warehouse) -> Warehouse:
    """The shared lake plus one partition of bad values (and the bad records of
    test_bad_input.py, in files of their own), built twice: the second build proves the rows
    already in raw block nothing."""
    return bad_partition


def reasons(warehouse: Warehouse, entity: str) -> list[str]:
    return [
        reason
        for (reason,) in warehouse.query(
            f"select reject_reason from staging.stg_{entity}__rejected "
            f"where _source_file like '%{DAY}/{VALUES}%'"
        )
    ]


@pytest.mark.parametrize(
    ("entity", "reason"),
    [
        # CSV
        ("shop__orders", "order_id is missing or not an integer: 9223372036854775808"),
        ("shop__orders", "ordered_at is missing or not a timestamp: 99999-01-01 00:00:00"),
        ("shop__orders", "ordered_at is missing or not a timestamp: 2025-02-30 10:00:00"),
        ("shop__orders", "customer_id is missing or not an integer: "),
        ("shop__orders", "no FX rate for NOK in 2025-03"),
        ("shop__orders", "CSV ERROR: ',' expected after '\"'"),
        # Parquet
        ("shop__order_items", "order 9100001 (NOK in 2025-03) is quarantined: no FX rate"),
        ("shop__order_items", "line value quantity * unit_price does not fit decimal(14,2)"),
        ("shop__order_items", "quantity is missing or not positive"),
        # Avro
        ("payments__payments", "amount is not a finite number within decimal(14,2): nan"),
        ("payments__payments", "amount is not a finite number within decimal(14,2): inf"),
        ("payments__payments", "amount is not a finite number within decimal(14,2): -inf"),
        ("payments__payments", "amount is not a finite number within decimal(14,2): 1e+20"),
        # JSON Lines
        ("crm__customers", "date_of_birth is before 1900 or in the future: 99999-01-01"),
        ("crm__customers", "date_of_birth is not a date: 2025-02-30"),
        ("crm__customers", "customer_id is missing or not an integer: 9223372036854775808"),
        ("catalog__products", "list_price is missing, not a number or negative: -inf"),
        ("catalog__products", "list_price is missing, not a number or negative: 1000000000000000"),
        ("catalog__products", "unit_cost is missing, not a number or negative: "),
        ("catalog__products", "list_price is missing, not a number or negative: NaN"),
        # ORC
        ("fulfilment__shipments", "shipped_at is in the future"),
        ("fulfilment__shipments", "delivered_at is before shipped_at"),
    ],
)
def test_bad_value_is_quarantined_naming_column_and_value(
    bad_values: Warehouse, entity: str, reason: str
) -> None:
    found = reasons(bad_values, entity)
    copies = 2 if reason.startswith("order 9100001") else 1  # the NOK order has two lines
    assert sum(reason in r for r in found) == copies, found


def test_every_bad_record_is_quarantined_and_the_builds_stay_green(bad_values: Warehouse) -> None:
    """Both builds passed (row conservation included); nothing of the partition got through."""
    statuses = {r["status"] for r in bad_values.run_results()}
    assert statuses <= {"success", "pass", "warn", "no-op"}, statuses
    expected = {
        "shop__orders": 6,
        "shop__order_items": 4,
        "payments__payments": 4,
        "crm__customers": 3,
        "catalog__products": 4,
        "fulfilment__shipments": 2,
    }
    assert {entity: len(reasons(bad_values, entity)) for entity in expected} == expected


def test_an_order_without_fx_rate_is_quarantined_with_its_lines(bad_values: Warehouse) -> None:
    """Case 8: the NOK order and both its lines are quarantined before intermediate; no
    intermediate or mart row has a NULL rate."""
    assert (
        bad_values.scalar("select count(*) from staging.stg_shop__orders where order_id = 9100001")
        == 0
    )
    lines = bad_values.query(
        "select reject_reason from staging.stg_shop__order_items__rejected "
        "where raw_record like '%\"order_id\":9100001%'"
    )
    assert len(lines) == 2
    assert (
        bad_values.scalar(
            "select count(*) from intermediate.int_order_items_converted where usd_per_unit is null"
        )
        == 0
    )
    assert bad_values.scalar("select count(*) from marts.fct_orders where order_id = 9100001") == 0
