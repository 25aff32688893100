"""One quality report: dbt's test results and the GX checkpoint, per model / suite, in one page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from lakesight.dbt_artifacts import MANIFEST, DbtManifest, read_dbt_manifest, read_run_results
from lakesight.quality.outcome import SuiteOutcome

CHECKS = ("test", "unit_test")


@dataclass(frozen=True)
class Row:
    """One model's dbt tests or one GX suite: its verdict and what failed."""

    source: str
    name: str
    status: str
    passed: int
    warned: int
    failed: int
    details: tuple[tuple[str, str], ...]


def dbt_rows(run_results: Path) -> list[Row]:
    """dbt's data and unit tests from run_results.json, grouped by the model they test."""
    manifest = read_dbt_manifest(run_results.with_name(MANIFEST)) or DbtManifest({})
    grouped: dict[str, Counter[str]] = {}
    details: dict[str, list[tuple[str, str]]] = {}
    for result in read_run_results(run_results):
        if result.resource_type not in CHECKS:
            continue
        name = result.name
        node = manifest.node(result.unique_id)
        tested = node.get("attached_node") or next(
            iter(node.get("depends_on", {}).get("nodes", [])), ""
        )
        model = tested.split(".")[-1] if tested else name
        status = {"success": "pass", "error": "fail"}.get(result.status, result.status)
        grouped.setdefault(model, Counter())[status] += 1
        if status in {"warn", "fail"}:
            title = f"{status}: {name} — {result.message}"
            details.setdefault(model, []).append((title, result.compiled_code))
    return [
        Row(
            "dbt",
            model,
            "fail" if counts["fail"] else "warn" if counts["warn"] else "pass",
            counts["pass"],
            counts["warn"],
            counts["fail"],
            tuple(details.get(model, [])),
        )
        for model, counts in sorted(grouped.items())
    ]


def gx_rows(outcomes: list[SuiteOutcome]) -> list[Row]:
    """The GX suites: fail on a critical failure, warn on a warning."""
    rows = []
    for outcome in outcomes:
        critical = len(outcome.critical)
        warned = len(outcome.failures) - critical
        rows.append(
            Row(
                "gx",
                outcome.suite,
                "fail" if critical else "warn" if warned else "pass",
                outcome.met,
                warned,
                critical,
                tuple(
                    (f"{failure.severity}: {failure.expectation}", failure.offenders)
                    for failure in outcome.failures
                ),
            )
        )
    return rows


def totals(rows: list[Row]) -> dict[str, Counter[str]]:
    """Per source (dbt, gx): how many models / suites passed, warned, failed."""
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        counts.setdefault(row.source, Counter())[row.status] += 1
    return counts


def write_html(rows: list[Row], out: Path) -> Path:
    """A self-contained page (no external assets): one table, failures first, SQL in details."""
    order = {"fail": 0, "warn": 1, "pass": 2}
    body = []
    for row in sorted(rows, key=lambda row: (order.get(row.status, 3), row.source, row.name)):
        notes = "".join(
            f"<details><summary>{escape(title)}</summary><pre>{escape(text)}</pre></details>"
            for title, text in row.details
        )
        body.append(
            f'<tr class="{escape(row.status)}"><td>{row.source}</td><td>{escape(row.name)}</td>'
            f"<td>{escape(row.status)}</td><td>{row.passed}</td><td>{row.warned}</td>"
            f"<td>{row.failed}</td><td>{notes}</td></tr>"
        )
    summary = ", ".join(
        f"{source}: " + " / ".join(f"{counts[s]} {s}" for s in ("pass", "warn", "fail"))
        for source, counts in totals(rows).items()
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>lakesight quality report</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left;"
        "vertical-align:top}tr.fail{background:#fdd}tr.warn{background:#ffd}</style></head><body>"
        f"<h1>Quality report</h1><p>{escape(summary)} — "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC</p><table><tr><th>source</th>"
        "<th>model / suite</th><th>status</th><th>pass</th><th>warn</th><th>fail</th>"
        f"<th>failures</th></tr>{''.join(body)}</table></body></html>",
        encoding="utf-8",
    )
    return out
