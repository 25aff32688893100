"""Load new shop order CSV files into raw.raw_shop__orders (every field as text)."""

from lakesight.load import load_csv
from lakesight.load.schema import RAW_COLUMNS

COLUMNS = list(RAW_COLUMNS["raw_shop__orders"])


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_csv(dbt, session, dbt.source("shop", "orders"), COLUMNS)
