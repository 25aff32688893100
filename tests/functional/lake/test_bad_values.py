"""No value can stop the loads (docs/lake.md, "What the loads guarantee"): every cast from raw is
total, so NaN, ±infinity, overflowing numbers, impossible or out-of-range dates and a currency
without an FX rate are quarantined with a reason naming the column and the value — in every reader
format —, the build stays green, and the next build is not blocked by the rows already in raw."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from lakesight.lake.writers import write_avro
from tests.support.warehouse import Warehouse

DAY = "dt=2025-03-20"
ORDERS_HEADER = (
    "order_id,customer_id,ordered_at,updated_at,status,channel,currency_code,country_code"
)
LATER = "2025-03-20 10:00:00"


def part(lake: Path, folder: str, name: str) -> Path:
    path = lake / folder / DAY / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def customer(customer_id: int | str, **changes: object) -> str:
    record = {
        "customer_id": customer_id,
        "first_name": "Ana",
        "last_name": "Silva",
        "email": f"c{customer_id}@example.com",
        "phone": "+351 1",
        "date_of_birth": "1987-04-02",
        "segment": "consumer",
        "address": {"street": "1 Rua", "city": "Lisboa", "postal_code": "1", "country_code": "PT"},
        "signed_up_at": LATER,
        "updated_at": LATER,
    }
    return json.dumps(record | changes)


def product(product_id: int, **changes: object) -> str:
    record = {
        "product_id": product_id,
        "sku": f"SKU-{product_id}",
        "product_name": "Thing",
        "category": {"level_1": "A", "level_2": "B", "level_3": "C"},
        "list_price": 10.0,
        "unit_cost": 5.0,
        "updated_at": LATER,
    }
    return json.dumps(record | changes)


def write_bad_values(lake: Path) -> None:
    """One partition holding one bad value per record, in every reader format."""
    orders = [
        ORDERS_HEADER,
        f"9223372036854775808,1,{LATER},{LATER},paid,web,EUR,DE",  # 2^63: no bigint
        f"9100010,1,99999-01-01 00:00:00,{LATER},paid,web,EUR,DE",  # year 99999
        f"9100011,1,2025-02-30 10:00:00,{LATER},paid,web,EUR,DE",  # no such day
        f"9100012,,{LATER},{LATER},paid,web,EUR,DE",  # empty customer_id
        f"9100001,1,{LATER},{LATER},paid,web,NOK,NO",  # ISO 4217, but no FX rate
        f'9100013,"1"x,{LATER},{LATER},paid,web,EUR,DE',  # text after a closing quote
    ]
    part(lake, "shop/orders", "part-0011.csv").write_text("\n".join(orders) + "\n")
    pq.write_table(
        pa.table(
            {
                "order_id": pa.array([9100001, 9100001, 9100004, 9100005], pa.int64()),
                "line_number": pa.array([1, 2, 1, 1], pa.int32()),
                "product_id": pa.array([1, 2, 1, 1], pa.int64()),
                # NOK lines; 2^31-1 units at the largest price: overflows every amount; negative
                "quantity": pa.array([1, 2, 2**31 - 1, -5], pa.int32()),
                "unit_price": pa.array(
                    [Decimal("5.00"), Decimal("5.00"), Decimal("9999999999.99"), Decimal("1.00")],
                    pa.decimal128(12, 2),
                ),
                "discount_amount": pa.array([Decimal("0.00")] * 4, pa.decimal128(12, 2)),
            }
        ),
        part(lake, "shop/order_items", "part-0011.parquet"),
    )
    amounts = [float("nan"), float("inf"), float("-inf"), 1e20]
    write_avro(
        part(lake, "payments/payments", "part-0011.avro"),
        pl.DataFrame(
            {
                "payment_id": [f"PBAD{i}" for i in range(len(amounts))],
                "order_id": [9100002] * len(amounts),
                "event_type": ["captured"] * len(amounts),
                "amount": amounts,
                "currency_code": ["EUR"] * len(amounts),
                "method": ["card"] * len(amounts),
                "event_at": [datetime(2025, 3, 20, 10, 5)] * len(amounts),
            }
        ),
        "payment",
        ("event_at",),
    )
    part(lake, "crm/customers", "part-0011.jsonl").write_text(
        "\n".join(
            [
                customer(9100020, date_of_birth="99999-01-01"),
                customer(9100021, date_of_birth="2025-02-30"),
                customer(str(2**63)),
            ]
        )
        + "\n"
    )
    part(lake, "catalog/products", "part-0011.jsonl").write_text(
        "\n".join(
            [
                product(9100030, list_price="-inf"),
                product(9100031, list_price=1e20),
                product(9100032, unit_cost=""),
                product(9100033, list_price="NaN"),
            ]
        )
        + "\n"
    )
    near_limit = datetime(2262, 4, 11)  # the last day of a nanosecond timestamp
    orc.write_table(
        pa.table(
            {
                "shipment_id": ["SBAD1", "SBAD2"],
                "order_id": pa.array([9100002, 9100002], pa.int64()),
                "carrier": ["DHL", "DHL"],
                "warehouse_code": ["W1", "W1"],
                "shipped_at": pa.array([near_limit, datetime(2025, 3, 20)], pa.timestamp("ns")),
                "delivered_at": pa.array([None, datetime(1677, 9, 22)], pa.timestamp("ns")),
            }
        ),
        str(part(lake, "fulfilment/shipments", "part-0011.orc")),
    )


@pytest.fixture(scope="module")
def bad_values(tmp_path_factory: pytest.TempPathFactory, base_lake: Path) -> Warehouse:
    """The shared lake plus one partition of bad values, built twice (the second build proves
    the rows already in raw block nothing)."""
    root = tmp_path_factory.mktemp("bad_values")
    shutil.copytree(base_lake, root / "lake")
    warehouse = Warehouse(root, root / "lake")
    write_bad_values(warehouse.lake)
    warehouse.build()
    warehouse.build()
    return warehouse


def reasons(warehouse: Warehouse, entity: str) -> list[str]:
    return [
        reason
        for (reason,) in warehouse.query(
            f"select reject_reason from staging.stg_{entity}__rejected "
            f"where _source_file like '%{DAY}/part-0011%'"
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
