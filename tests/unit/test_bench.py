"""The bench's pieces that need no build: the floor's model order, the site's bench section."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench_floor import sql_models
from lakesight.site.owner import bench_figures, render_index


def _node(name: str, parents: list[str], materialized: str = "table", language: str = "sql"):
    return {
        "resource_type": "model",
        "name": name,
        "language": language,
        "config": {"materialized": materialized},
        "depends_on": {"nodes": [f"model.p.{p}" for p in parents]},
        "compiled_code": f"select 1 as {name}",
    }


def test_the_floor_runs_the_sql_models_parents_first_and_skips_the_others() -> None:
    manifest = {
        "nodes": {
            "model.p.mart": _node("mart", ["inter", "raw"]),
            "model.p.inter": _node("inter", ["base"], "view"),
            "model.p.base": _node("base", ["raw"]),
            "model.p.raw": _node("raw", [], "incremental", "python"),
            "model.p.inlined": _node("inlined", ["base"], "ephemeral"),
        }
    }
    assert [node["name"] for node in sql_models(manifest)] == ["base", "inter", "mart"]


def test_the_site_shows_the_last_bench_and_nothing_without_one(tmp_path: Path) -> None:
    assert bench_figures(tmp_path) == ("", [])
    without = render_index("abc", datetime.now(UTC), [], [])
    assert "Last benchmark" not in without
    (tmp_path / "bench.json").write_text(
        json.dumps(
            {
                "finished_at": "2026-12-02T01:00:00+00:00",
                "scale": 0.1,
                "days": 365,
                "cores": 2,
                "steps": [
                    {"step": "dbt build (first, full load)", "seconds": 61.5, "peak_rss_mib": 900}
                ],
                "ratios": [{"what": "no-op build / full build", "ratio": 0.4, "goal": "<= 0.15"}],
                "notes": ["rpt_sales_daily: 10 of 11 rows agree between pandas and dbt"],
            }
        ),
        encoding="utf-8",
    )
    page = render_index("abc", datetime.now(UTC), [], [], bench_figures(tmp_path))
    assert "scale 0.1, 2 cores" in page
    assert "61.5 s, peak RSS 900 MiB" in page
    assert "0.40x (goal &lt;= 0.15)" in page
    assert "10 of 11 rows agree" in page
