"""The lake's tables: where each lives, its format, and its deliberately bad record kinds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class TableSpec:
    """One lake table.

    `bad_kinds` are extra records the pipeline must reject (or, for duplicates, drop);
    `drift_kinds` are good records written with a drifted type that the pipeline must accept.
    """

    index: int
    name: str
    system: str
    files: tuple[str, ...]
    format: str
    bad_kinds: tuple[str, ...]
    drift_kinds: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """`<system>/<table>`, relative to the lake root."""
        return f"{self.system}/{self.name}"

    @property
    def kinds(self) -> tuple[str, ...]:
        """Bad kinds followed by drift kinds (the order records are placed in)."""
        return self.bad_kinds + self.drift_kinds


ORDERS: Final = TableSpec(
    0, "orders", "shop", ("part-0000.csv",), "csv",
    ("wrong_column_count", "unparseable_ordered_at", "unknown_country_code",
     "unknown_currency_code", "duplicate_row", "future_ordered_at"),
)  # fmt: skip
ORDER_ITEMS: Final = TableSpec(
    1,
    "order_items",
    "shop",
    ("part-0000.parquet",),
    "parquet",
    ("negative_quantity", "duplicate_line"),
)
CUSTOMERS: Final = TableSpec(
    2,
    "customers",
    "crm",
    ("part-0000.jsonl",),
    "jsonl",
    ("invalid_json", "unparseable_date_of_birth", "unknown_country_code"),
    ("customer_id_as_string",),
)
PRODUCTS: Final = TableSpec(
    3,
    "products",
    "catalog",
    ("part-0000.jsonl",),
    "jsonl",
    ("unparseable_unit_cost",),
    ("list_price_as_string",),
)
PAYMENTS: Final = TableSpec(
    4,
    "payments",
    "payments",
    ("part-0000.avro",),
    "avro",
    ("duplicate_event", "unknown_currency_code"),
)
SHIPMENTS: Final = TableSpec(
    5, "shipments", "fulfilment", ("part-0000.orc",), "orc", ("future_delivered_at",)
)
ACCESS_LOGS: Final = TableSpec(
    6, "access_logs", "web", ("part-0000.log", "part-0001.log"), "log", ("neither_format",)
)
REVIEW_LABELS: Final = TableSpec(
    7,
    "review_labels",
    "labelling",
    ("part-0000.jsonl",),
    "jsonl",
    ("missing_metadata", "invalid_json"),
)

ALL_TABLES: Final[tuple[TableSpec, ...]] = (
    ORDERS, ORDER_ITEMS, CUSTOMERS, PRODUCTS, PAYMENTS, SHIPMENTS, ACCESS_LOGS, REVIEW_LABELS,
)  # fmt: skip
"""Every table, in the order partitions are written."""

SYSTEMS: Final = frozenset(t.system for t in ALL_TABLES)
