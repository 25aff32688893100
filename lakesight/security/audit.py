"""The security audit matrix: for every principal x secure dataset, what the secure view shows.

`models/audit/audit_security_matrix.py` (a dbt Python model) calls `audit_rows` inside `dbt build`,
so the matrix is a warehouse table; `lakesight site` renders it as `site/security.html`.

Everything is *measured* through the views, as each principal: the rows it sees, and for each
restricted column whether the values it sees are the mart's (joined on the primary key): `clear`
when every one is, `masked` when any is not. A principal that sees no row has neither.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

#: the principal the matrix adds to the users of sec_users: someone the policy does not know
UNKNOWN_PRINCIPAL = "(unknown principal)"

SCHEMA = pa.schema(
    [
        ("principal", pa.string()),
        ("is_active", pa.bool_()),
        ("groups", pa.string()),
        ("dataset", pa.string()),
        ("rows_visible", pa.int64()),
        ("rows_total", pa.int64()),
        ("columns_clear", pa.string()),
        ("columns_masked", pa.string()),
    ]
)


@dataclass(frozen=True)
class Dataset:
    """A secure dataset: its name, the secure view's SQL, the base mart's SQL and its key."""

    name: str
    view_sql: str
    base_sql: str
    key: tuple[str, ...]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def audit_rows(
    con: duckdb.DuckDBPyConnection, datasets: list[Dataset], policy: dict[str, str]
) -> list[tuple[Any, ...]]:
    """One row per principal x dataset (in SCHEMA order).

    `policy` names the relations of the resolved policy (models/policy) the views read too:
    principals, members (of active users), restricted (columns). The session variable
    lakesight_principal is reset afterwards, so nothing later on this connection runs as someone.
    """
    users = con.execute(
        f"select principal, is_active from {policy['principals']}"
        " where principal_type = 'user' order by 1"
    ).fetchall()
    principals: list[tuple[str | None, bool]] = [*users, (None, False)]
    rows = []
    try:
        for user, active in principals:
            groups = _scalar(
                con,
                f"select string_agg(distinct group_name, ',' order by group_name)"
                f" from {policy['members']} where user_name = ?",
                [user],
            )
            con.execute(
                "set variable lakesight_principal = ?",
                [UNKNOWN_PRINCIPAL if user is None else user],
            )
            for dataset in datasets:
                restricted = [
                    name
                    for (name,) in con.execute(
                        f"select column_name from {policy['restricted']}"
                        " where dataset = ? order by 1",
                        [dataset.name],
                    ).fetchall()
                ]
                clear, masked = _column_states(con, dataset, restricted)
                rows.append(
                    (
                        UNKNOWN_PRINCIPAL if user is None else user,
                        active,
                        groups or "",
                        dataset.name,
                        _scalar(con, f"select count(*) from ({dataset.view_sql})"),
                        _scalar(con, f"select count(*) from ({dataset.base_sql})"),
                        ",".join(clear),
                        ",".join(masked),
                    )
                )
    finally:
        con.execute("reset variable lakesight_principal")
    return rows


def matrix_table(rows: list[tuple[Any, ...]]) -> pa.Table:
    """The rows as an Arrow table with the matrix's column names and types."""
    records = [dict(zip(SCHEMA.names, row, strict=True)) for row in rows]
    return pa.Table.from_pylist(records, schema=SCHEMA)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_states(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, restricted: list[str]
) -> tuple[list[str], list[str]]:
    """The restricted columns the current principal sees in clear, and those it sees masked."""
    if not restricted:
        return [], []
    differing = ", ".join(
        f"count(*) filter (where shown.{_ident(name)} is distinct from mart.{_ident(name)})"
        for name in restricted
    )
    keys = ", ".join(_ident(name) for name in dataset.key)
    row = con.execute(
        f"select count(*), {differing} from ({dataset.view_sql}) as shown"
        f" inner join ({dataset.base_sql}) as mart using ({keys})"
    ).fetchone()
    assert row is not None
    seen, counts = row[0], row[1:]
    clear = [name for name, count in zip(restricted, counts, strict=True) if seen and not count]
    masked = [name for name, count in zip(restricted, counts, strict=True) if count]
    return clear, masked


def _status(principal: str, active: bool) -> str:
    if principal == UNKNOWN_PRINCIPAL:
        return "not in the policy"
    return "active" if active else "inactive"


def render_scope_mismatches(mismatches: list[tuple[Any, ...]] | None) -> str:
    """The section of the page on scopes that disagree across datasets: one row per principal
    and pair (principal, dataset_a, dataset_b, compared_on, only_in_a, only_in_b, scope_a,
    scope_b), or a sentence when there are none or they were not compared."""
    heading = '<h2 id="scopes">Policy scopes that disagree</h2>'
    if mismatches is None:
        return (
            f'{heading}\n<p class="scopes-unknown">Not compared: the warehouse has no'
            " <code>policy.policy_scope_mismatches</code> (rebuild it with"
            " <code>dbt build</code>).</p>"
        )
    if not mismatches:
        return (
            f'{heading}\n<p class="scopes-agree">None: every principal\'s row scope agrees across'
            " the datasets that share a rule column.</p>"
        )

    def cell(value: Any) -> str:
        return f"<td>{html.escape(str(value)) if value else '—'}</td>"

    body = "\n".join(
        f"<tr><th>{html.escape(str(principal))}</th>{cell(a)}{cell(b)}{cell(on)}"
        f"{cell(only_a)}{cell(only_b)}{cell(scope_a)}{cell(scope_b)}</tr>"
        for principal, a, b, on, only_a, only_b, scope_a, scope_b in mismatches
    )
    return f"""{heading}
<p class="warn">{len(mismatches)} warning(s): these principals are given different rows by
datasets that share a rule column (region, country, channel); fix the seeds, or see
<code>docs/security.md</code>, "Scopes that disagree". Table
<code>policy.policy_scope_mismatches</code>.</p>
<table id="scope-mismatches">
<tr><th>principal</th><th>dataset a</th><th>dataset b</th><th>compared on</th>
<th>only a shows</th><th>only b shows</th><th>scope on a</th><th>scope on b</th></tr>
{body}
</table>"""


def render_html(
    rows: list[tuple[Any, ...]], built: str, mismatches: list[tuple[Any, ...]] | None = None
) -> str:
    """The matrix as one static page: principals down, datasets across; then the scopes that
    disagree across datasets (None: not compared, and the page says so)."""
    datasets = sorted({row[3] for row in rows})
    by_principal: dict[str, dict[str, tuple[Any, ...]]] = {}
    for row in rows:
        by_principal.setdefault(row[0], {})[row[3]] = row

    def cell(row: tuple[Any, ...] | None) -> str:
        if row is None:
            return "<td></td>"
        visible, total, clear, masked = row[4], row[5], row[6], row[7]
        css = "none" if visible == 0 else ("all" if visible == total else "some")
        parts = [f'<span class="rows {css}">{visible:,} / {total:,} rows</span>']
        if clear:
            parts.append(f'<span class="clear">clear: {html.escape(clear)}</span>')
        if masked:
            parts.append(f'<span class="masked">masked: {html.escape(masked)}</span>')
        return "<td>" + "<br>".join(parts) + "</td>"

    header = "".join(f"<th>{html.escape(name)}</th>" for name in datasets)
    body = "\n".join(
        f"<tr><th>{html.escape(principal)}"
        f'<div class="who">{_status(principal, cells[datasets[0]][1])}'
        f"{' · ' + html.escape(cells[datasets[0]][2]) if cells[datasets[0]][2] else ''}</div></th>"
        + "".join(cell(cells.get(name)) for name in datasets)
        + "</tr>"
        for principal, cells in by_principal.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lakesight — security audit matrix</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
.who {{ font-weight: normal; color: #666; font-size: .85em; }}
.rows.none {{ color: #999; }} .rows.all {{ color: #1a7f37; }} .rows.some {{ color: #9a6700; }}
.clear {{ color: #cf222e; font-size: .85em; }} .masked {{ color: #555; font-size: .85em; }}
.warn {{ color: #9a6700; }}
</style></head>
<body>
<h1>Security audit matrix</h1>
<p class="note" id="audience">For the warehouse's owners only: it names every principal, their
groups and what they see. Never give this page to a principal (docs/security.md, "Who may be given
what").</p>
<p>What each principal sees of each secure dataset, measured by the last build (page written
{html.escape(built)}): rows
visible (queried through the secure view as that principal) out of the dataset's rows, and which
restricted columns it reads in clear or masked. Table <code>audit.audit_security_matrix</code>
in the warehouse; policy in <code>seeds/security/</code>, semantics in
<code>docs/security.md</code>.</p>
<table id="matrix">
<tr><th>principal</th>{header}</tr>
{body}
</table>
{render_scope_mismatches(mismatches)}
</body></html>
"""
