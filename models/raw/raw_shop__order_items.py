"""Load new shop order-line Parquet files into raw.raw_shop__order_items."""

from lakesight.load import load_parquet

COLUMNS = {
    "order_id": "BIGINT",
    "line_number": "INTEGER",
    "product_id": "BIGINT",
    "quantity": "INTEGER",
    "unit_price": "DECIMAL(12,2)",
    "discount_amount": "DECIMAL(12,2)",
}


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_parquet(dbt, session, dbt.source("shop", "order_items"), COLUMNS)
