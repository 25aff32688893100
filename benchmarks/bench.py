"""`make bench`: time and peak memory of every step, and the ratios of docs/performance.md.

On one generated lake (`--scale`, `SCALE=` in make), in a temporary folder:

- dbt build in full, again with nothing new, and after `lakesight lake append` of about 1 % more
  days: the last two as ratios of the full build (first: the comparisons below read the appended
  lake on both sides);
- the SQL models: `dbt run` of every SQL model against their compiled SQL run in one DuckDB
  process (benchmarks.bench_floor), the raw-SQL floor;
- the raw loads (the dbt Python models of models/raw, into a fresh warehouse) against a script
  reading the same lake files directly (benchmarks.bench_direct);
- rpt_sales_daily: dbt's path to it (seeds and models, fresh warehouse) against a pandas
  implementation from the same lake files (benchmarks.bench_pandas), with how many rows agree;
- then (at scale 1 and below, or with `--extras yes`) GX, extracts, dashboards, and the profile
  of fct_order_items: `lakesight profile` (DuckDB SQL) against ydata-profiling in minimal mode
  (from its own venv, target/ydata-venv, which `make bench` makes from
  benchmarks/ydata-requirements.txt; without it that row is skipped, saying so).

A benchmark, not a test: it prints figures and asserts nothing. Each step runs as a child
process; its peak resident memory is that child's own ru_maxrss (os.wait4). The figures go to
target/bench.json, which the project site (`lakesight site`) shows; target/bench-progress.json holds
the steps finished so far while it runs.

    python -m benchmarks.bench --scale 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YDATA_PYTHON = REPO / "target" / "ydata-venv" / "bin" / "python"
PROFILED = "marts.fct_order_items"
RESULTS = REPO / "target" / "bench.json"
#: the steps finished so far, rewritten after each one
PROGRESS = REPO / "target" / "bench-progress.json"


def bench_env(root: Path, lake: Path) -> dict[str, str]:
    """The environment of the bench's children: the lake, warehouse and dbt folders under root."""
    return os.environ | {
        "LAKESIGHT_LAKE": str(lake),
        "LAKESIGHT_DB": str(root / "bench.duckdb"),
        "LAKESIGHT_TEMP_DIR": str(root / "duckdb_tmp"),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
        "DBT_PROFILES_DIR": str(REPO),
    }


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall seconds and its own peak RSS in MiB."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {child.returncode}")
    return seconds, usage.ru_maxrss / 1024


@dataclass(frozen=True)
class Step:
    name: str
    command: list[str]
    #: environment overrides: another warehouse or target folder than the main build's
    env: dict[str, str] | None = None
    #: a comparison outside docs/performance.md's ratios: its failure is noted, the bench goes on
    optional: bool = False


@dataclass(frozen=True)
class Ratio:
    what: str
    ours: str
    against: str
    goal: str
    #: compare peak memory instead of time
    memory: bool = False


def step_rows(figures: dict[str, tuple[float, float]]) -> list[dict[str, object]]:
    return [
        {"step": name, "seconds": round(sec, 2), "peak_rss_mib": round(peak)}
        for name, (sec, peak) in figures.items()
    ]


def disk_mib(folder: Path) -> float:
    """The bytes of every file under a folder, in MiB."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 2**20


def sql_model_names(manifest: Path) -> list[str]:
    """The SQL models of a build's manifest (what the floor runs)."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return sorted(
        node["name"]
        for node in nodes
        if node["resource_type"] == "model"
        and node.get("language") == "sql"
        and node["config"]["materialized"] != "ephemeral"
    )


def rows_agreeing(warehouse: Path, pandas_result: Path) -> tuple[int, int]:
    """Rows of rpt_sales_daily equal in the warehouse and the pandas result, and all rows."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            f"""
            select
                count(*) filter (
                    where p.order_count = d.order_count and p.item_quantity = d.item_quantity
                    and abs(p.gross_revenue_usd - d.gross_revenue_usd) < 0.005
                    and abs(p.refunded_usd - d.refunded_usd) < 0.005
                    and abs(p.net_revenue_usd - d.net_revenue_usd) < 0.005
                ),
                count(*)
            from read_parquet('{pandas_result}') as p
            full join marts.rpt_sales_daily as d using (order_date, country_code, channel)
            """
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1", help="lake scale (1 = about 1,000,000 order lines)")
    parser.add_argument("--days", default="365", help="days of data")
    parser.add_argument(
        "--extras",
        choices=("auto", "yes", "no"),
        default="auto",
        help="also time GX, extracts, dashboards and profiles (auto: at scale 1 and below)",
    )
    args = parser.parse_args()
    append_days = str(max(1, round(int(args.days) / 100)))

    with tempfile.TemporaryDirectory(prefix="lakesight-bench-") as folder:
        root = Path(folder)
        lake = root / "lake"
        env = bench_env(root, lake)

        def apart(name: str) -> dict[str, str]:
            """A warehouse and target folder of their own (a fresh load, the main one kept)."""
            return {
                "LAKESIGHT_DB": str(root / f"{name}.duckdb"),
                "LAKESIGHT_TEMP_DIR": str(root / f"{name}_tmp"),
                "DBT_TARGET_PATH": str(root / f"target-{name}"),
            }

        dbt, lakesight = str(BIN / "dbt"), str(BIN / "lakesight")
        python = str(BIN / "python")
        no_tests = ["--exclude", "resource_type:test", "resource_type:unit_test"]
        first: list[Step] = [
            Step(
                f"lakesight lake generate --scale {args.scale}",
                [
                    lakesight,
                    "lake",
                    "generate",
                    "--scale",
                    args.scale,
                    "--days",
                    args.days,
                    "--lake",
                    str(lake),
                ],
            ),
            Step("dbt build (first, full load)", [dbt, "build"]),
            Step("dbt build (again, nothing new)", [dbt, "build"]),
            Step(
                f"lakesight lake append --days {append_days}",
                [lakesight, "lake", "append", "--days", append_days, "--lake", str(lake), "-q"],
            ),
            Step(f"dbt build (after {append_days} more days, ~1 %)", [dbt, "build"]),
        ]
        then: list[Step] = [
            Step(
                "SQL models: dbt run",
                # in full (the incremental models too), as the floor runs them; the names are
                # filled in once the manifest exists
                [dbt, "run", "--full-refresh", "--select", "placeholder"],
            ),
            Step(
                "SQL models: compiled SQL in one DuckDB process (floor)",
                [
                    python,
                    "-m",
                    "benchmarks.bench_floor",
                    str(root / "bench.duckdb"),
                    str(root / "target" / "manifest.json"),
                ],
            ),
            Step(
                "raw loads: dbt Python models, fresh warehouse",
                [dbt, "run", "--select", "path:models/raw"],
                apart("raw"),
            ),
            Step(
                "raw loads: direct readers (duckdb, polars, pyarrow)",
                [python, "-m", "benchmarks.bench_direct", str(lake), str(root / "direct.duckdb")],
            ),
            Step(
                "rpt_sales_daily: dbt build +rpt_sales_daily, fresh warehouse, no tests",
                [dbt, "build", "--select", "+rpt_sales_daily", *no_tests],
                apart("sales"),
            ),
            Step(
                "rpt_sales_daily: pandas from the lake files",
                [
                    python,
                    "-m",
                    "benchmarks.bench_pandas",
                    str(lake),
                    str(REPO / "seeds" / "reference"),
                    str(root / "sales_pandas.parquet"),
                ],
            ),
        ]
        # the consumption side (not docs/performance.md's ratios): at scale 10, ydata-profiling
        # alone would hold ~10 M pandas rows
        extras: list[Step] = [
            Step("lakesight validate (GX checkpoint)", [lakesight, "validate"]),
            Step(
                "lakesight publish (extracts)",
                # the bench builds with whatever salt the environment has
                [lakesight, "publish", "--dev", "--exports", str(root / "exports")],
            ),
            Step(
                "lakesight dashboards build (every principal)",
                [
                    lakesight,
                    "dashboards",
                    "build",
                    "--dashboards",
                    str(REPO / "dashboards"),
                    "--out",
                    str(root / "site" / "dashboards"),
                    "--extracts",
                    str(root / "extracts"),
                ],
            ),
            Step(
                f"lakesight profile {PROFILED} (DuckDB SQL)",
                [
                    lakesight,
                    "profile",
                    PROFILED,
                    "--manifest",
                    str(root / "target" / "manifest.json"),
                    "--html",
                    str(root / "profile-lakesight.html"),
                ],
            ),
        ]
        ydata = f"ydata-profiling minimal, {PROFILED} (pandas)"
        if YDATA_PYTHON.exists():
            extras.append(
                Step(
                    ydata,
                    [
                        str(YDATA_PYTHON),
                        str(REPO / "benchmarks" / "bench_ydata.py"),
                        str(root / "bench.duckdb"),
                        PROFILED,
                        str(root / "profile-ydata.html"),
                    ],
                    optional=True,
                )
            )
        extras.append(
            Step(
                "lakesight profiles (site/profiles: every mart, secure datasets per principal)",
                [
                    lakesight,
                    "profiles",
                    "--out",
                    str(root / "profiles"),
                    "--manifest",
                    str(root / "target" / "manifest.json"),
                    "--extracts",
                    str(root / "extracts"),
                ],
            )
        )
        table = Table(title=f"lakesight benchmark, scale {args.scale}, {os.cpu_count()} cores")
        table.add_column("step")
        table.add_column("seconds", justify="right")
        table.add_column("peak RSS (MiB)", justify="right")
        figures: dict[str, tuple[float, float]] = {}
        failed: list[str] = []
        console = Console()
        with_extras = args.extras == "yes" or (args.extras == "auto" and float(args.scale) <= 1)
        for step in first + then + (extras if with_extras else []):
            if step.command[-1] == "placeholder":
                names = sql_model_names(root / "target" / "manifest.json")
                step = Step(step.name, [*step.command[:-1], *names])
            try:
                seconds, peak = measure(step.command, env | (step.env or {}))
            except SystemExit as failure:
                if not step.optional:
                    raise
                failed.append(f"{step.name}: {failure}")
                continue
            figures[step.name] = (seconds, peak)
            table.add_row(step.name, f"{seconds:.1f}", f"{peak:.0f}")
            # a long run (scale 10) that is cut off still leaves the steps it finished
            console.print(f"{step.name}: {seconds:.1f} s, peak RSS {peak:.0f} MiB")
            PROGRESS.parent.mkdir(parents=True, exist_ok=True)
            PROGRESS.write_text(json.dumps(step_rows(figures), indent=2) + "\n", encoding="utf-8")
        console.print(table)

        full = "dbt build (first, full load)"
        ratios = [
            Ratio("no-op build / full build", "dbt build (again, nothing new)", full, "<= 0.15"),
            Ratio("+1 % build / full build", first[4].name, full, "<= 0.20"),
            Ratio("SQL models: dbt run / floor", then[0].name, then[1].name, "<= 1.1"),
            Ratio("raw loads: dbt / direct readers", then[2].name, then[3].name, "<= 1.2"),
            Ratio("raw loads: dbt / direct, peak RSS", then[2].name, then[3].name, "", True),
            Ratio("rpt_sales_daily: dbt / pandas", then[4].name, then[5].name, "< 1"),
            Ratio("rpt_sales_daily: dbt / pandas, peak RSS", then[4].name, then[5].name, "", True),
        ]
        summary = Table(title="ratios (same run)")
        summary.add_column("what")
        summary.add_column("ratio", justify="right")
        summary.add_column("goal (issue 12)", justify="right")
        results = []
        for ratio in ratios:
            index = 1 if ratio.memory else 0
            value = figures[ratio.ours][index] / figures[ratio.against][index]
            results.append({"what": ratio.what, "ratio": round(value, 3), "goal": ratio.goal})
            summary.add_row(ratio.what, f"{value:.2f}x", ratio.goal)
        Console().print(summary)

        agree, rows = rows_agreeing(root / "sales.duckdb", root / "sales_pandas.parquet")
        size = (root / "bench.duckdb").stat().st_size / 2**20
        extracts = sum(path.stat().st_size for path in (root / "exports").glob("*.duckdb"))
        notes = [
            f"peak RSS of the full build: {figures[full][1]:.0f} MiB (goal at scale 1: <= 2048)",
            f"rpt_sales_daily: {agree:,} of {rows:,} rows agree between pandas and dbt",
            f"lake: {disk_mib(lake):,.0f} MiB; warehouse file: {size:,.0f} MiB;"
            f" extracts: {extracts / 2**20:,.0f} MiB; the bench folder at the end (lake, four"
            f" warehouses, targets): {disk_mib(root):,.0f} MiB",
        ]
        if not with_extras:
            notes.append("GX, extracts, dashboards and profiles not timed (--extras yes)")
        elif ydata in figures:
            ours = figures[f"lakesight profile {PROFILED} (DuckDB SQL)"]
            theirs = figures[ydata]
            notes.append(
                f"profile of {PROFILED}: {theirs[0] / ours[0]:.1f}x faster than ydata-profiling,"
                f" {ours[1] / theirs[1]:.2f} of its peak memory (goal: >= 5x, <= 0.25)"
            )
        elif YDATA_PYTHON.exists():
            notes.append(f"ydata-profiling failed: {' '.join(failed)}")
        else:
            notes.append(f"ydata-profiling skipped: no {YDATA_PYTHON} (see benchmarks/)")
        for note in notes:
            Console().print(note)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "scale": float(args.scale),
                "days": int(args.days),
                "cores": os.cpu_count(),
                "steps": step_rows(figures),
                "ratios": results,
                "notes": notes,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    Console().print(f"written: {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
