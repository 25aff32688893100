"""The policy's column masks applied to a profile of the warehouse (docs/security.md).

A profile of a warehouse relation (the marts on the owners' site, `lakesight profile`) reads every
row, so it must not show a column the policy restricts in clear. A column is restricted here when
a restricted column of *any* secure dataset (seeds/security/sec_cls_columns.csv, resolved in
`policy.policy_restricted_columns`) has its name: `dim_customers_history.email` is masked like
`secure.customers.email`, whatever relation carries it. Its figures are then computed on the
masked value, the mask being the most restrictive one any dataset gives that name, exactly as
macros/security/security_helpers.sql (`sec_mask_expr`) renders it for a principal without a grant;
a principal's grant never makes the owners' pages show it in clear.

- `hash` is taken with a random salt drawn for each profile and never stored, so equal values
  stay equal (distinct counts, frequencies) but no hash on a page matches one in an extract and
  none can be reversed with a dictionary: the project's salt never enters a profile.
- A mask that does not fit the column's type (the same name with another type) becomes `null`.
"""

from __future__ import annotations

import secrets

import duckdb

from lakesight.consume.profiles.stats import quote
from lakesight.security.resolved import ResolvedPolicy

#: from most to least restrictive; masks of the last rank show part of the value
RANK = {"null": 0, "redact": 1, "hash": 2, "email_domain": 3, "last4": 3, "year": 3}
#: the relation a masked profile reads (a temporary view: works on a read-only file)
VIEW = "lakesight_profile_masked"


def strictest(first: str, second: str) -> str:
    """The more restrictive of two masks; two different partial masks give `redact`."""
    if first == second:
        return first
    a, b = RANK.get(first, 0), RANK.get(second, 0)
    if a == b:
        return "redact" if a == RANK["email_domain"] else "null"
    return first if a < b else second


def restricted(policy: ResolvedPolicy) -> dict[str, str]:
    """Restricted column name (lower case) -> the most restrictive mask any dataset gives it."""
    masks: dict[str, str] = {}
    for columns in policy.masks.values():
        for column, mask in columns.items():
            name = column.lower()
            masks[name] = strictest(masks[name], mask) if name in masks else mask
    return masks


def _text(data_type: str) -> bool:
    return data_type.upper() == "VARCHAR" or data_type.upper().startswith("VARCHAR")


def fits(mask: str, data_type: str) -> bool:
    """Whether the mask applies to the type (as `sec_mask_accepts`)."""
    if mask == "null":
        return True
    if mask == "year":
        return data_type.upper() in ("DATE", "TIMESTAMP")
    return _text(data_type)


def expression(mask: str, column: str, data_type: str, salt: str) -> str:
    """The SQL of a masked column (as `sec_mask_expr`, the hash salted with `salt`)."""
    c = quote(column)
    if mask == "redact":
        return f"case when {c} is null then null else '****' end"
    if mask == "hash":
        return f"sha256('{salt}' || {c})"
    if mask == "email_domain":
        return (
            f"case when {c} is null then null when contains({c}, '@')"
            f" then '****@' || string_split({c}, '@')[-1] else '****' end"
        )
    if mask == "last4":
        return (
            f"case when {c} is null then null when length({c}) > 4"
            f" then '****' || right({c}, 4) else '****' end"
        )
    if mask == "year":
        return f"cast(make_date(year({c}), 1, 1) as {data_type})"
    return f"cast(null as {data_type})"


def masked_view(
    con: duckdb.DuckDBPyConnection, relation: str, masks: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """A temporary view of `relation` (quoted) with its restricted columns masked, and the masks
    applied (column -> mask); the relation itself when none of its columns is restricted."""
    described = con.execute(f"describe select * from {relation}").fetchall()
    salt = secrets.token_hex(16)
    applied: dict[str, str] = {}
    selected = []
    for name, data_type, *_ in described:
        mask = masks.get(name.lower())
        if mask is None:
            selected.append(quote(name))
            continue
        mask = mask if fits(mask, data_type) else "null"
        applied[name] = mask
        selected.append(f"{expression(mask, name, data_type, salt)} as {quote(name)}")
    if not applied:
        return relation, applied
    con.execute(
        f"create or replace temp view {VIEW} as select {', '.join(selected)} from {relation}"
    )
    return f"temp.main.{VIEW}", applied
