"""Load new shipment-event ORC files into raw.raw_fulfilment__shipments (read with pyarrow)."""

from lakesight.load import load_orc
from lakesight.load.schema import RAW_COLUMNS

COLUMNS = RAW_COLUMNS["raw_fulfilment__shipments"]


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_orc(dbt, session, dbt.source("fulfilment", "shipments"), COLUMNS)
