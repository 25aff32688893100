"""Load new catalogue product JSON Lines files into raw.raw_catalog__products.

One row per line; the JSON is parsed in staging.
"""

from lakesight.load import load_lines


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_lines(dbt, session, dbt.source("catalog", "products"))
