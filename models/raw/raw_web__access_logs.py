"""Load new web access-log files into raw.raw_web__access_logs.

One row per line; the log format is parsed in staging.
"""

from lakesight.load import LOG_EXTENSIONS, load_lines


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_lines(dbt, session, dbt.source("web", "access_logs"), LOG_EXTENSIONS)
