"""Load new payment-event Avro files into raw.raw_payments__payments (read with polars)."""

from lakesight.load import load_avro

COLUMNS = {
    "payment_id": "VARCHAR",
    "order_id": "BIGINT",
    "event_type": "VARCHAR",
    "amount": "DOUBLE",
    "currency_code": "VARCHAR",
    "method": "VARCHAR",
    "event_at": "TIMESTAMP WITH TIME ZONE",
}


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_avro(dbt, session, dbt.source("payments", "payments"), COLUMNS)
