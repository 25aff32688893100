"""Load new web access-log files into raw.raw_web__access_logs, one row per line (parsed in staging)."""

from lakesight.load import load_lines


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_lines(dbt, session, dbt.source("web", "access_logs"))
