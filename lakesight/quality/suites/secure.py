"""Expectation suites on the secure views: one suite per principal of the policy, run as it.

A suite's datasource sets the DuckDB variable ``lakesight_principal`` on every connection it checks
out (`lakesight.quality.gx_duckdb.add_warehouse(principal=...)`), so its queries read the secure
views exactly as that principal would. For each secure dataset the suite holds:

- an ``UnexpectedRowsExpectation`` comparing the rows the principal sees (primary key and a hash
  of every unrestricted column) with the mart rows its rules allow, both ways (``outside its
  rules`` / ``missing``); the allowed rows come from the row filter of the native exports
  (`lakesight.security.exports_aws`), built in Python from the warehouse's resolved policy
  (`lakesight.security.resolved`, the rows the views read), not from the SQL under test;
- one ``UnexpectedRowsExpectation`` per restricted column not granted to the principal: rows whose
  value, compared with the mart's on the primary key, is the clear value or lacks its mask's shape
  (a hash must be the sha256 of the clear value salted with `policy.policy_mask_salt`).

An unknown principal (not in the policy) and every inactive user get the same suite, in which the
allowed set is empty: they must see no row at all.
"""

from __future__ import annotations

from lakesight.quality.suites.common import Suite, rows
from lakesight.security.datasets import TARGETS
from lakesight.security.exports_aws import (
    applicable_rules,
    filter_expression,
    read_rules,
    sql_column,
)
from lakesight.security.resolved import ResolvedPolicy as Policy
from lakesight.security.salt import SALT_QUERY

#: a principal the policy does not know
UNKNOWN = "nobody@example.com"

#: GX prints a warning (on stdout, each time it builds the expectation) for a query without
#: {batch}; the secure queries name their views themselves, so they carry the suite's batch as an
#: unused CTE
BATCH_CTE = "suite_batch as (select * from {batch} limit 0)"

#: per mask, a SQL predicate true when the value `{c}` has the mask's shape (NULL stays NULL)
MASKED_SHAPE = {
    "null": "{c} is null",
    "redact": "{c} is null or {c} = '****'",
    "hash": "{c} is null or (regexp_full_match({c}, '[0-9a-f]+') and length({c}) = 64)",
    "email_domain": "{c} is null or {c} = '****' or {c} like '****@%'",
    "last4": "{c} is null or (starts_with({c}, '****') and length({c}) <= 8)",
    "year": "{c} is null or (month({c}) = 1 and day({c}) = 1)",
}


def allowed_filter(policy: Policy, dataset: str, principal: str) -> str:
    """The SQL condition on the mart (and its rules table) of the rows the principal may see."""
    user = policy.active_user(principal)
    if user is None:
        return "false"
    if policy.modes.get(dataset) == "public":
        return "true"
    mine = applicable_rules(policy, read_rules(policy, dataset), user)
    if not mine:
        return "false"
    expression = filter_expression(mine)
    return "true" if expression is None else f"coalesce({expression}, false)"


def rows_expectation(policy: Policy, dataset: str, principal: str, columns: list[str]):
    """The principal sees exactly the allowed rows: the same keys, each with the same unrestricted
    values (compared as one hash per row, so mart-sized sets stay small in DuckDB's memory)."""
    target = TARGETS[dataset]
    keys = [sql_column(name) for name in target.key]
    values = ", ".join(sql_column(name) for name in columns)
    source = f"marts.{target.table} as base"
    if target.rules_from is not None:
        key = sql_column(str(target.rules_key))
        source += f" left join marts.{target.rules_from} as rules_from using ({key})"
    based = ", ".join(f"base.{name}" for name in keys)
    base_values = ", ".join(f"base.{sql_column(name)}" for name in columns)
    query = f"""
        with
        {BATCH_CTE},
        seen as (select {", ".join(keys)}, hash({values}) as row_hash from secure.{dataset}),
        allowed as (
            select {based}, hash({base_values}) as row_hash
            from {source}
            where {allowed_filter(policy, dataset, principal)}
        )
        (select 'outside its rules' as problem, * from seen except all
         select 'outside its rules', * from allowed)
        union all
        (select 'missing' as problem, * from allowed except all select 'missing', * from seen)
    """
    return rows("critical", f"{principal} sees exactly the {dataset} rows its rules allow", query)


def masked_expectation(dataset: str, principal: str, column: str, mask: str):
    """Every value of a restricted, not granted column is masked: it has its mask's shape (a hash
    is exactly the salted sha256 of the clear value), and it is not the mart's clear value unless
    that value itself has the mask's shape (a birthday on 1 January is its own year mask)."""
    target = TARGETS[dataset]
    c = sql_column(column)
    keys = ", ".join(sql_column(name) for name in target.key)
    if mask == "hash":
        # the warehouse's salt, read when the query runs: the suite, its results and the Data
        # Docs name the table, never the value (docs/security.md, "The mask salt")
        wrong = f"shown.{c} is distinct from sha256({SALT_QUERY} || mart.{c})"
    else:
        wrong = f"not ({MASKED_SHAPE[mask].format(c=f'shown.{c}')})"
    clear = (
        f"mart.{c} is not null and shown.{c} = mart.{c}"
        f" and not ({MASKED_SHAPE[mask].format(c=f'mart.{c}')})"
    )
    query = f"""
        with {BATCH_CTE}
        select shown.{c}, mart.{c} as clear_value
        from secure.{dataset} as shown
        inner join marts.{target.table} as mart using ({keys})
        where ({wrong}) or ({clear})
    """
    return rows(
        "critical", f"{principal} sees {dataset}.{column} masked ({mask}), never in clear", query
    )


def principal_suite(policy: Policy, principal: str, columns: dict[str, list[str]]) -> Suite:
    """Every expectation on the secure views for one principal."""
    expectations = []
    for dataset in TARGETS:
        masks = policy.masks.get(dataset, {})
        unrestricted = [name for name in columns[dataset] if name not in masks]
        expectations.append(rows_expectation(policy, dataset, principal, unrestricted))
        clear = policy.clear_columns(dataset, principal)
        for column, mask in masks.items():
            if column not in clear:
                expectations.append(masked_expectation(dataset, principal, column, mask))
    return Suite(f"secure as {principal}", "secure", "orders", tuple(expectations), principal)


def secure_suites(columns: dict[str, list[str]], policy: Policy) -> tuple[Suite, ...]:
    """One suite per user of the policy (active or not) and one for an unknown principal.

    `columns` holds each secure dataset's column names and `policy` the resolved policy, both read
    from the warehouse by the runner.
    """
    return tuple(principal_suite(policy, principal, columns) for principal in principals(policy))


def principals(policy: Policy) -> list[str]:
    """Whom the secure suites run as: every user of the policy, then an unknown principal."""
    return [*sorted(policy.users), UNKNOWN]
