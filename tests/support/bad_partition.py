"""One partition of bad input for the shared lake (docs/lake.md, "What the loads guarantee"):
bad records of every kind (tests/functional/lake/test_bad_input.py) and bad values in every reader
format (tests/functional/lake/test_bad_values.py), each set in files of its own on one day, so one
warehouse built from the lake plus this partition serves both modules (tests/conftest.py,
`bad_partition`)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq

from lakesight.lake.writers import write_avro

DAY = "dt=2025-03-20"
#: the file stem of the bad values (the bad records: part-0009, and empty part-0010 files)
VALUES = "part-0011"
ORDERS_HEADER = (
    "order_id,customer_id,ordered_at,updated_at,status,channel,currency_code,country_code"
)
GOOD_ORDER = "2025-03-20 10:00:00,2025-03-20 10:00:00,paid,web,EUR,DE"
LATER = "2025-03-20 10:00:00"


def write(lake: Path, folder: str, name: str, content: str | bytes) -> Path:
    path = lake / folder / DAY / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


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


def write_bad_records(lake: Path) -> None:
    """One bad record of every kind (files part-0009, and empty part-0010 files)."""
    write(
        lake,
        "shop/orders",
        "part-0009.csv",
        "\n".join(
            [
                ORDERS_HEADER,
                "9000001,1,2025-03-20 10:00:00,2025-03-20 10:00:00,paid,web,EUR",  # 7 columns
                f"9000009,1,{GOOD_ORDER},extra",  # 9 columns
                f"abc,1,{GOOD_ORDER}",  # unparseable number
                "9000003,1,yesterday,2025-03-20 10:00:00,paid,web,EUR,DE",  # unparseable date
                "9000004,1,2025-03-20 10:00:00,2025-03-20 10:00:00,paid,web,EUR,XX",
                "9000005,1,2025-03-20 10:00:00,2025-03-20 10:00:00,paid,web,XXX,DE",
                f"9000002,1,{GOOD_ORDER}",
                f"9000002,1,{GOOD_ORDER}",  # exact duplicate
                "9000006,1,2099-01-01 10:00:00,2099-01-01 10:00:00,paid,web,EUR,DE",  # future
                # an offset is not the lake's CSV format (docs/lake.md, Timestamps)
                "9000011,1,2025-03-20 10:00:00,2025-03-20T10:00:00+05:00,paid,web,EUR,DE",
            ]
        )
        + "\n",
    )
    write(lake, "shop/orders", "part-0010.csv", "")  # empty file
    schema_only = pq.read_table(sorted((lake / "shop/order_items").glob("dt=*/*.parquet"))[0])
    pq.write_table(  # a schema and no rows
        schema_only.schema.empty_table(),
        write(lake, "shop/order_items", "part-0010.parquet", b""),
    )
    pq.write_table(
        pa.table(
            {
                "order_id": pa.array([9000002, 9000002, 9000002], pa.int64()),
                "line_number": pa.array([1, 2, 2], pa.int32()),
                "product_id": pa.array([1, 1, 1], pa.int64()),
                "quantity": pa.array([-1, 2, 2], pa.int32()),  # negative; duplicate line 2
                "unit_price": pa.array([Decimal("5.00")] * 3, pa.decimal128(12, 2)),
                "discount_amount": pa.array([Decimal("0.00")] * 3, pa.decimal128(12, 2)),
            }
        ),
        write(lake, "shop/order_items", "part-0009.parquet", b""),
    )
    customer = {
        "customer_id": "9000007",  # type drift: a string, but a valid integer
        "first_name": "Ana",
        "last_name": "Silva",
        "email": "ana@example.com",
        "phone": "+351 1",
        "date_of_birth": "1987-04-02",
        "segment": "consumer",
        "address": {
            "street": "1 Rua",
            "city": "Lisboa",
            "postal_code": "1100",
            "country_code": "PT",
        },
        "signed_up_at": "2025-03-20 09:00:00",
        "updated_at": "2025-03-20 09:00:00",
    }
    write(
        lake,
        "crm/customers",
        "part-0009.jsonl",
        "\n".join(
            [
                json.dumps(customer),
                '{"customer_id": 9000008, "first_name": ',  # invalid JSON
                json.dumps(customer | {"customer_id": "seven"}),  # type drift, not a number
                json.dumps(customer | {"customer_id": 9000010, "date_of_birth": "not a date"}),
            ]
        )
        + "\n",
    )
    events = pl.DataFrame(
        {
            "payment_id": ["PX1", "PX1"],  # duplicate event
            "order_id": [9000002, 9000002],
            "event_type": ["captured", "captured"],
            "amount": [10.0, 10.0],
            "currency_code": ["EUR", "EUR"],
            "method": ["card", "card"],
            "event_at": [datetime(2025, 3, 20, 10, 5)] * 2,
        }
    )
    write_avro(
        write(lake, "payments/payments", "part-0009.avro", b""), events, "payment", ("event_at",)
    )
    write(
        lake,
        "web/access_logs",
        "part-0009.log",
        "this is not a log line\n"
        # an Apache line whose time names no month: strptime would have stopped the build
        '192.0.2.9 - - [31/Foo/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.5"\n'
        # a local time with its offset: stored in UTC
        '192.0.2.10 - - [20/Mar/2025:23:30:00 +0530] "GET /tz HTTP/1.1" 200 5 "-" "curl/8.5"\n',
    )
    write(
        lake,
        "labelling/review_labels",
        "part-0009.jsonl",
        json.dumps({"source": "ok", "review_id": "RX1", "product_id": 1, "review-sentiment": 2})
        + "\n",
    )
