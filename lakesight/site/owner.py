"""The project site (`make docs`): one folder of static pages that work from file:// offline.

site/index.html     build date, git commit, headline figures, links to every page
site/dbt-docs.html  `dbt docs generate --static` (one self-contained page)
site/quality.html   dbt tests and GX suites in one report (`lakesight validate --report`)
site/gx/index.html  GX Data Docs, made to work offline (`lakesight validate --data-docs`)
site/security.html  the security audit matrix (warehouse table audit.audit_security_matrix) and
                    the scopes that disagree across datasets (policy.policy_scope_mismatches)
site/dashboards/    dashboards per principal (`lakesight dashboards build`, consume/dashboards)
site/profiles/      profiles of the marts and secure datasets (`lakesight profiles`)
site/notebooks/     notebooks executed per principal (`lakesight notebooks build`)
site/ml/            the churn model card (`lakesight ml train`)

The index also shows the last `make bench` (target/bench.json), when there is one.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from lakesight.dbt_artifacts import last_build_results
from lakesight.security.audit import render_html as render_audit
from lakesight.site.summary import run_outcomes, table_counts


def git_commit(repo: Path) -> str:
    """The checked-out commit, or 'unknown' outside a git work tree."""
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def _figures(target: Path, database: Path) -> list[tuple[str, str]]:
    """Headline figures of the last build: what ran, how it ended, what was quarantined."""
    figures: list[tuple[str, str]] = []
    # the build's own results, not those of `dbt docs generate` (lakesight.dbt_artifacts)
    run_results = last_build_results(target)
    if run_results is not None:
        for kind, statuses in run_outcomes(run_results).items():
            if statuses:
                ok = statuses["success"] + statuses["pass"]
                figures.append(
                    (
                        f"{kind}s ok / warn / failed",
                        f"{ok} / {statuses['warn']} / "
                        f"{statuses['error'] + statuses['fail'] + statuses['runtime error']}",
                    )
                )
    if database.exists():
        counts = table_counts(database)
        figures.append(("lake records loaded", f"{sum(c.raw for c in counts):,}"))
        figures.append(("records quarantined", f"{sum(c.rejected for c in counts):,}"))
    return figures


def bench_figures(target: Path) -> tuple[str, list[tuple[str, str]]]:
    """The last `make bench` (target/bench.json): its heading and its rows, none without one."""
    results = target / "bench.json"
    if not results.exists():
        return "", []
    bench = json.loads(results.read_text(encoding="utf-8"))
    heading = f"scale {bench['scale']:g}, {bench['cores']} cores, {bench['finished_at']}"
    rows = [
        (step["step"], f"{step['seconds']:.1f} s, peak RSS {step['peak_rss_mib']:,} MiB")
        for step in bench["steps"]
    ]
    rows += [
        (
            ratio["what"],
            f"{ratio['ratio']:.2f}x" + (f" (goal {ratio['goal']})" if ratio["goal"] else ""),
        )
        for ratio in bench["ratios"]
    ]
    rows += [("", note) for note in bench.get("notes", [])]
    return heading, rows


def _rows(figures: list[tuple[str, str]]) -> str:
    return "\n".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>"
        for name, value in figures
    )


def render_index(
    commit: str,
    built_at: datetime,
    figures: list[tuple[str, str]],
    pages: list[tuple[str, str, str]],
    bench: tuple[str, list[tuple[str, str]]] = ("", []),
) -> str:
    """The landing page: no script, no external resource."""
    rows = _rows(figures)
    heading, bench_rows = bench
    bench_section = (
        f'<h2>Last benchmark</h2>\n<p class="meta" id="bench-run">make bench: '
        f'{html.escape(heading)}</p>\n<table id="bench">\n{_rows(bench_rows)}\n</table>\n'
        if bench_rows
        else ""
    )
    links = "\n".join(
        f'<li><a href="{html.escape(href)}">{html.escape(title)}</a> — {html.escape(what)}</li>'
        for href, title, what in pages
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lakesight — project site</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; color: #222; }}
table {{ border-collapse: collapse; }} th, td {{ padding: .25rem 1rem .25rem 0; text-align: left; }}
th {{ font-weight: 600; }} .meta {{ color: #666; }}
</style></head>
<body>
<h1>lakesight</h1>
<p class="meta">Built <span id="built-at">{built_at:%Y-%m-%d %H:%M} UTC</span> from commit
<code id="commit">{html.escape(commit)}</code>.</p>
<p class="note" id="audience">The owners' site: its pages show figures of every principal's rows,
the policy and the audit of who sees what. A principal is given only their own folders
(<code>dashboards/&lt;extract&gt;/</code> with <code>dashboards/vendor/</code>,
<code>notebooks/&lt;extract&gt;/</code>, <code>profiles/as-&lt;extract&gt;/</code>) and their
extract; see docs/security.md, "Who may be given what".</p>
<h2>Pages</h2>
<ul id="pages">
{links}
</ul>
<h2>Last build</h2>
<table id="figures">
{rows}
</table>
{bench_section}</body></html>
"""


def audit_matrix(database: Path) -> list[tuple[object, ...]]:
    """The rows of audit.audit_security_matrix, or none when the warehouse has no such table."""
    if not database.exists():
        return []
    with duckdb.connect(str(database), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'audit' and table_name = 'audit_security_matrix'"
        ).fetchone()
        if not exists or not exists[0]:
            return []
        return con.execute(
            "select principal, is_active, groups, dataset, rows_visible, rows_total,"
            " columns_clear, columns_masked from audit.audit_security_matrix"
            " order by principal = '(unknown principal)', principal, dataset"
        ).fetchall()


def scope_mismatches(database: Path) -> list[tuple[object, ...]] | None:
    """The rows of policy.policy_scope_mismatches (principal, dataset_a, dataset_b, compared_on,
    only_in_a, only_in_b, scope_a, scope_b), or None when the warehouse has no such table
    (scopes not compared: the page says so)."""
    if not database.exists():
        return None
    with duckdb.connect(str(database), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'policy' and table_name = 'policy_scope_mismatches'"
        ).fetchone()
        if not exists or not exists[0]:
            return None
        return con.execute(
            "select principal, dataset_a, dataset_b, compared_on, only_in_a, only_in_b,"
            " scope_a, scope_b from policy.policy_scope_mismatches"
            " order by principal, dataset_a, dataset_b"
        ).fetchall()


def build_site(repo: Path, target: Path, database: Path, out: Path) -> Path:
    """Write the site folder from dbt's target folder; return the index page."""
    static = target / "static_index.html"
    if not static.exists():
        raise FileNotFoundError(f"{static} is missing: run `dbt docs generate --static` first")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(static, out / "dbt-docs.html")
    pages = [("dbt-docs.html", "dbt docs", "models, columns, tests and the lineage graph")]
    if (out / "quality.html").exists():  # written by `lakesight validate --report` in make build
        pages.append(("quality.html", "Quality report", "dbt tests and Great Expectations suites"))
    if (out / "gx" / "index.html").exists():  # `lakesight validate --data-docs site/gx`
        pages.append(
            ("gx/index.html", "GX Data Docs", "Great Expectations suites and validation results")
        )
    if (out / "dashboards" / "index.html").exists():  # `lakesight dashboards build` in make build
        pages.append(
            (
                "dashboards/index.html",
                "Dashboards",
                "every dashboard page as each principal sees it",
            )
        )
    if (out / "profiles" / "index.html").exists():  # `lakesight profiles` in make docs
        pages.append(
            ("profiles/index.html", "Profiles", "statistics and charts of every mart, in DuckDB")
        )
    if (out / "notebooks" / "index.html").exists():  # `lakesight notebooks build` in make build
        pages.append(
            (
                "notebooks/index.html",
                "Notebooks",
                "exploratory notebooks executed as each principal, on its extract",
            )
        )
    if (out / "ml" / "churn_model.html").exists():  # `lakesight ml train` in make build
        pages.append(("ml/churn_model.html", "Churn model", "model card: metrics vs baselines"))
    built_at = datetime.now(UTC)
    matrix = audit_matrix(database)
    (out / "security.html").unlink(missing_ok=True)  # never a page from an older build
    if matrix:
        (out / "security.html").write_text(
            render_audit(matrix, f"{built_at:%Y-%m-%d %H:%M} UTC", scope_mismatches(database)),
            encoding="utf-8",
        )
        pages.append(
            ("security.html", "Security audit matrix", "what each principal sees of each dataset")
        )
    index = out / "index.html"
    index.write_text(
        render_index(
            git_commit(repo), built_at, _figures(target, database), pages, bench_figures(target)
        ),
        encoding="utf-8",
    )
    return index
