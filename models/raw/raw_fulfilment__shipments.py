"""Load new shipment-event ORC files into raw.raw_fulfilment__shipments (read with pyarrow)."""

from lakesight.load import load_orc

COLUMNS = {
    "shipment_id": "VARCHAR",
    "order_id": "BIGINT",
    "carrier": "VARCHAR",
    "warehouse_code": "VARCHAR",
    "shipped_at": "TIMESTAMP_NS",
    "delivered_at": "TIMESTAMP_NS",
}


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_orc(dbt, session, dbt.source("fulfilment", "shipments"), COLUMNS)
