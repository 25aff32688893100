"""Policy scopes that disagree: per active user, pairs of rules datasets that share a rule
dimension (geography, channel) but give the user different rows there (docs/security.md,
"Scopes that disagree"). The comparison is lakesight.security.scopes; this model feeds it the
resolved policy and the geography lookup, and its test policy_scopes_agree warns (or,
with var policy_scope_mismatch = 'error', fails) on every row.
"""

import pyarrow as pa

from lakesight.security.datasets import REGION_ROWS
from lakesight.security.scopes import SCHEMA_COLUMNS, mismatches, read_policy

#: what the comparison reads: relation -> its columns (dbt needs a literal ref() for each)
COLUMNS = {
    "principals": "principal_type, principal, is_active",
    "members": "group_name, user_name",
    "datasets": "dataset, rls_mode, rule_columns",
    "rules": "dataset, rule_id, user_name, group_name, cells",
    "countries": "country_code, region_name",
}


def model(dbt, session):
    dbt.config(materialized="table")
    relations = {
        "principals": dbt.ref("policy_principals"),
        "members": dbt.ref("policy_group_members"),
        "datasets": dbt.ref("policy_datasets"),
        "rules": dbt.ref("policy_row_rules"),
        "countries": dbt.ref("ref_countries"),
    }
    rows = {
        key: session.execute(
            f"select {COLUMNS[key]} from ({relation.sql_query()}) order by all"
        ).fetchall()
        for key, relation in relations.items()
    }
    found = mismatches(read_policy(rows, REGION_ROWS))
    records = [dict(zip(SCHEMA_COLUMNS, item.row(), strict=True)) for item in found]
    schema = pa.schema([(name, pa.string()) for name in SCHEMA_COLUMNS])
    return pa.Table.from_pylist(records, schema=schema)
