"""Load new payment-event Avro files into raw.raw_payments__payments (read with polars)."""

from lakesight.load import load_avro
from lakesight.load.schema import RAW_COLUMNS

COLUMNS = RAW_COLUMNS["raw_payments__payments"]


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_avro(dbt, session, dbt.source("payments", "payments"), COLUMNS)
