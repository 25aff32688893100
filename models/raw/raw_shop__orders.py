"""Load new shop order CSV files into raw.raw_shop__orders (every field as text)."""

from lakesight.load import load_csv

COLUMNS = [
    "order_id",
    "customer_id",
    "ordered_at",
    "updated_at",
    "status",
    "channel",
    "currency_code",
    "country_code",
]


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_csv(dbt, session, dbt.source("shop", "orders"), COLUMNS)
