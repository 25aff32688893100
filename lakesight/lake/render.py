"""Turn a partition's internal (numeric) rows into each table's published columns and types."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from lakesight.lake import reference
from lakesight.lake.entities.orders import CARRIERS, WAREHOUSES
from lakesight.lake.timefmt import seconds_expr
from lakesight.lake.writers import money

ORDERS_HEADER = (
    "order_id,customer_id,ordered_at,updated_at,status,channel,currency_code,country_code"
)


def _lookup(frame: pl.DataFrame, column: str, values: tuple[str, ...]) -> pl.Series:
    return pl.Series(values).gather(frame[column]).alias(column)


def orders_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Order export rows as the CSV's text fields, ordered by `updated_at`."""
    frame = frame.sort(["updated_at", "order_id", "status"])
    codes = tuple(c.code for c in reference.COUNTRIES)
    return frame.select(
        pl.col("order_id").cast(pl.String),
        pl.col("customer_id").cast(pl.String),
        seconds_expr("ordered_at").alias("ordered_at"),
        seconds_expr("updated_at").alias("updated_at"),
        _lookup(frame, "status", reference.STATUSES),
        _lookup(frame, "channel", reference.CHANNELS),
        _lookup(frame, "currency", reference.CURRENCIES).alias("currency_code"),
        _lookup(frame, "country", codes).alias("country_code"),
    )


def orders_lines(frame: pl.DataFrame) -> pl.Series:
    """CSV lines of text order rows (no field needs quoting)."""
    return frame.select(pl.concat_str(pl.all(), separator=",").alias("line"))["line"]


def order_items(frame: pl.DataFrame) -> pl.DataFrame:
    """Order lines ordered by (order_id, line_number); money still in cents."""
    return frame.sort(["order_id", "line_number"]).select(
        "order_id", "line_number", "product_id", "quantity", "unit_price", "discount_amount"
    )


def order_items_arrow(frame: pl.DataFrame) -> pa.Table:
    """Order lines with the published Arrow/Parquet types (money as decimal(12,2))."""
    return pa.table(
        {
            "order_id": pa.array(frame["order_id"].to_numpy(), pa.int64()),
            "line_number": pa.array(frame["line_number"].to_numpy(), pa.int32()),
            "product_id": pa.array(frame["product_id"].to_numpy(), pa.int64()),
            "quantity": pa.array(frame["quantity"].to_numpy(), pa.int32()),
            "unit_price": money(frame["unit_price"].to_numpy()),
            "discount_amount": money(frame["discount_amount"].to_numpy()),
        }
    )


def payments(frame: pl.DataFrame) -> pl.DataFrame:
    """Payment events with the published columns, ordered by `event_at`."""
    frame = frame.sort(["event_us", "order_id", "kind"])
    return frame.select(
        pl.concat_str(
            [
                pl.lit("PAY-"),
                pl.col("order_id").cast(pl.String).str.zfill(10),
                pl.lit("-"),
                (pl.col("kind") + 1).cast(pl.String),
            ]
        ).alias("payment_id"),
        pl.col("order_id").cast(pl.Int64),
        _lookup(frame, "kind", reference.PAYMENT_EVENTS).alias("event_type"),
        (pl.col("amount_cents") / 100).alias("amount"),
        _lookup(frame, "currency", reference.CURRENCIES).alias("currency_code"),
        _lookup(frame, "method", reference.PAYMENT_METHODS).alias("method"),
        pl.from_epoch(pl.col("event_us"), time_unit="us").alias("event_at"),
    )


def shipments(frame: pl.DataFrame) -> pl.DataFrame:
    """Shipment events with the published columns, ordered by event time."""
    frame = frame.sort(["event_at", "order_id", "delivered_at"], nulls_last=False)
    return frame.select(
        pl.concat_str([pl.lit("SHP-"), pl.col("order_id").cast(pl.String).str.zfill(10)]).alias(
            "shipment_id"
        ),
        pl.col("order_id").cast(pl.Int64),
        _lookup(frame, "carrier", CARRIERS),
        _lookup(frame, "warehouse", WAREHOUSES).alias("warehouse_code"),
        pl.from_epoch(pl.col("shipped_at"), time_unit="s").dt.cast_time_unit("us"),
        pl.from_epoch(pl.col("delivered_at"), time_unit="s").dt.cast_time_unit("us"),
    )


def shipments_arrow(frame: pl.DataFrame) -> pa.Table:
    """Shipment events with the published Arrow/ORC types."""
    return frame.to_arrow().cast(
        pa.schema(
            [
                ("shipment_id", pa.string()),
                ("order_id", pa.int64()),
                ("carrier", pa.string()),
                ("warehouse_code", pa.string()),
                ("shipped_at", pa.timestamp("us")),
                ("delivered_at", pa.timestamp("us")),
            ]
        )
    )
