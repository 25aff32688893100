"""Load new Ground Truth output-manifest files into raw.raw_labelling__review_labels.

One row per line; the JSON is parsed in staging.
"""

from lakesight.load import load_lines


def model(dbt, session):
    dbt.config(materialized="incremental")
    return load_lines(dbt, session, dbt.source("labelling", "review_labels"))
