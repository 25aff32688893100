"""Load new CRM customer JSON Lines files into raw.raw_crm__customers.

One row per line; the JSON is parsed in staging.
"""

from lakesight.load import load_lines


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_lines(dbt, session, dbt.source("crm", "customers"))
