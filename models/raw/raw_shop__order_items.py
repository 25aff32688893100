"""Load new shop order-line Parquet files into raw.raw_shop__order_items."""

from lakesight.load import load_parquet
from lakesight.load.schema import RAW_COLUMNS

COLUMNS = RAW_COLUMNS["raw_shop__order_items"]


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_parquet(dbt, session, dbt.source("shop", "order_items"), COLUMNS)
