"""The project site (`make docs`): one folder of static pages that work from file:// offline.

The owners' site: what only the owners may be given (docs/security.md, "Who may be given what").

site/index.html     build date, git commit, headline figures, links to every page; the portals
                    listed (not linked: site/ is uploaded alone, and portals/ is beside it)
site/dbt-docs.html  `dbt docs generate --static` (one self-contained page)
site/quality.html   dbt tests and GX suites in one report (`lakesight validate --report`)
site/gx/index.html  GX Data Docs, made to work offline (`lakesight validate --data-docs`)
site/security.html  the security audit matrix (warehouse table audit.audit_security_matrix) and
                    the scopes that disagree across datasets (policy.policy_scope_mismatches)
site/profiles/      profiles of the marts, restricted columns masked (`lakesight profiles`)
site/ml/            the churn model card (`lakesight ml train`)

Each principal's pages are in its portal (lakesight.site.portals), never here; the index also
shows the last `make bench` (target/bench.json), when there is one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from lakesight.dbt_artifacts import last_build_results
from lakesight.outputs import DASHBOARDS, NOTEBOOKS, remove
from lakesight.security.audit import render_html as render_audit
from lakesight.security.extracts import ExtractError, active_principals, extract_file
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


_ENV = Environment(
    loader=PackageLoader("lakesight.site", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_index(
    commit: str,
    built_at: datetime,
    figures: list[tuple[str, str]],
    pages: list[tuple[str, str, str]],
    bench: tuple[str, list[tuple[str, str]]] = ("", []),
    portals: list[tuple[str, str]] | None = None,
    portals_folder: str = "portals",
) -> str:
    """The landing page: no script, no external resource; `portals` (principal, slug) listed,
    never linked (docs/security.md, "Who may be given what")."""
    heading, bench_rows = bench
    return _ENV.get_template("index.html.j2").render(
        commit=commit,
        built_at=built_at,
        figures=figures,
        pages=pages,
        bench_heading=heading,
        bench_rows=bench_rows,
        portals=portals or [],
        portals_folder=portals_folder,
    )


def portal_list(database: Path, portals: Path) -> list[tuple[str, str]]:
    """(principal, slug) of every active principal whose portal is in `portals`."""
    if not database.exists():
        return []
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            principals = active_principals(con)
    except ExtractError:  # no resolved policy: no principal has a portal
        return []
    listed = []
    for principal in principals:
        slug = Path(extract_file(principal)).stem
        if (portals / slug / "index.html").is_file():
            listed.append((principal, slug))
    return listed


def remove_principal_folders(out: Path) -> list[Path]:
    """Remove the per-principal folders an earlier build wrote into the owners' site
    (`dashboards/`, `notebooks/`, generated folders lakesight owns): they are in the portals
    now. Returns what was removed."""
    removed = []
    for name, kind in (("dashboards", DASHBOARDS), ("notebooks", NOTEBOOKS)):
        if remove(out / name, kind):
            removed.append(out / name)
    return removed


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


def build_site(
    repo: Path, target: Path, database: Path, out: Path, portals: Path | None = None
) -> Path:
    """Write the site folder from dbt's target folder; return the index page. The portals in
    `portals` (a folder beside the site) are listed on the index, not linked."""
    static = target / "static_index.html"
    if not static.exists():
        raise FileNotFoundError(f"{static} is missing: run `dbt docs generate --static` first")
    out.mkdir(parents=True, exist_ok=True)
    remove_principal_folders(out)
    shutil.copyfile(static, out / "dbt-docs.html")
    pages = [("dbt-docs.html", "dbt docs", "models, columns, tests and the lineage graph")]
    if (out / "quality.html").exists():  # written by `lakesight validate --report` in make build
        pages.append(("quality.html", "Quality report", "dbt tests and Great Expectations suites"))
    if (out / "gx" / "index.html").exists():  # `lakesight validate --data-docs site/gx`
        pages.append(
            ("gx/index.html", "GX Data Docs", "Great Expectations suites and validation results")
        )
    if (out / "profiles" / "index.html").exists():  # `lakesight profiles` in make docs
        pages.append(
            (
                "profiles/index.html",
                "Profiles",
                "statistics and charts of every mart, in DuckDB, restricted columns masked",
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
            git_commit(repo),
            built_at,
            _figures(target, database),
            pages,
            bench_figures(target),
            portal_list(database, portals) if portals is not None else None,
            portals.name if portals is not None else "portals",
        ),
        encoding="utf-8",
    )
    return index
