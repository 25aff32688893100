"""The mask salt of the `hash` mask: one row, read from LAKESIGHT_MASK_SALT when the model runs.

A Python model so that the value never becomes SQL text: dbt stores and logs this code, not what
it reads (docs/security.md, "The mask salt"). The secure views read it when they are queried.
"""

import pyarrow as pa

from lakesight.security.salt import SALT_COLUMN, configured_salt


def model(dbt, session):
    dbt.config(materialized="table")
    return pa.table({SALT_COLUMN: pa.array([configured_salt()], pa.string())})
