"""The raw layer's schema, one table of truth: per raw table, its data columns in file order with
the DuckDB type each lands as, then the loader's audit columns (docs/lake.md).

The copies that must stay in step with it: the raw models that declare their columns
(models/raw/raw_*.py take COLUMNS from here), the raw landing contract's column check
(lakesight/quality/suites/raw.py builds it from here) and the columns of
models/raw/_raw__models.yml (tests/unit/test_raw_schema.py compares them, in order).
"""

from __future__ import annotations

#: the loader's audit columns, after the data columns of every raw table
AUDIT_COLUMNS = {
    "_source_file": "VARCHAR",
    "_line_number": "BIGINT",
    "_load_error": "VARCHAR",
    "_file_size": "BIGINT",
    "_file_hash": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
}

#: a table loaded one text line per record (JSON Lines, logs): parsed in staging
LINE = {"line": "VARCHAR"}

#: raw table -> data column -> DuckDB type, in file order
RAW_COLUMNS: dict[str, dict[str, str]] = {
    # CSV: every field lands as text, typed and checked in staging
    "raw_shop__orders": dict.fromkeys(
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
    "raw_shop__order_items": {
        "order_id": "BIGINT",
        "line_number": "INTEGER",
        "product_id": "BIGINT",
        "quantity": "INTEGER",
        "unit_price": "DECIMAL(12,2)",
        "discount_amount": "DECIMAL(12,2)",
    },
    "raw_payments__payments": {
        "payment_id": "VARCHAR",
        "order_id": "BIGINT",
        "event_type": "VARCHAR",
        "amount": "DOUBLE",
        "currency_code": "VARCHAR",
        "method": "VARCHAR",
        "event_at": "TIMESTAMP WITH TIME ZONE",
    },
    "raw_fulfilment__shipments": {
        "shipment_id": "VARCHAR",
        "order_id": "BIGINT",
        "carrier": "VARCHAR",
        "warehouse_code": "VARCHAR",
        "shipped_at": "TIMESTAMP_NS",
        "delivered_at": "TIMESTAMP_NS",
    },
    "raw_catalog__products": LINE,
    "raw_crm__customers": LINE,
    "raw_web__access_logs": LINE,
    "raw_labelling__review_labels": LINE,
}


def raw_types(table: str) -> dict[str, str]:
    """Every column of the raw table with its DuckDB type: its data columns, then the audit ones."""
    return {**RAW_COLUMNS[table], **AUDIT_COLUMNS}
