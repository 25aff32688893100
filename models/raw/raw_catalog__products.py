"""Load new catalogue product JSON Lines files into raw.raw_catalog__products, one row per line (parsed in staging)."""

from lakesight.load import load_lines


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_lines(dbt, session, dbt.source("catalog", "products"))
