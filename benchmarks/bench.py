"""`make bench`: time and peak memory of every step, and docs/performance.md's ratios in one run.

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
#: the names of the steps the ratios and notes read
FULL = "dbt build (first, full load)"
NOTHING_NEW = "dbt build (again, nothing new)"
PROFILE = f"lakesight profile {PROFILED} (DuckDB SQL)"
YDATA = f"ydata-profiling minimal, {PROFILED} (pandas)"
#: the SQL models' names, known once the manifest exists
PLACEHOLDER = "placeholder"


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


@dataclass(frozen=True)
class Tools:
    """The programs the steps run and the folders they run in (the bench's temporary root)."""

    root: Path
    lake: Path
    dbt: str = str(BIN / "dbt")
    lakesight: str = str(BIN / "lakesight")
    python: str = str(BIN / "python")

    def apart(self, name: str) -> dict[str, str]:
        """A warehouse and target folder of their own (a fresh load, the main one kept)."""
        return {
            "LAKESIGHT_DB": str(self.root / f"{name}.duckdb"),
            "LAKESIGHT_TEMP_DIR": str(self.root / f"{name}_tmp"),
            "DBT_TARGET_PATH": str(self.root / f"target-{name}"),
        }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1", help="lake scale (1 = about 1,000,000 order lines)")
    parser.add_argument("--days", default="365", help="days of data")
    parser.add_argument(
        "--extras",
        choices=("auto", "yes", "no"),
        default="auto",
        help="also time GX, extracts, dashboards and profiles (auto: at scale 1 and below)",
    )
    return parser.parse_args()


def build_steps(tools: Tools, scale: str, days: str) -> list[Step]:
    """Generate the lake, build in full, again with nothing new, append ~1 % and build."""
    append_days = str(max(1, round(int(days) / 100)))
    dbt, lakesight, lake = tools.dbt, tools.lakesight, str(tools.lake)
    generate = [lakesight, "lake", "generate", "--scale", scale, "--days", days, "--lake", lake]
    return [
        Step(f"lakesight lake generate --scale {scale}", generate),
        Step(FULL, [dbt, "build"]),
        Step(NOTHING_NEW, [dbt, "build"]),
        Step(
            f"lakesight lake append --days {append_days}",
            [lakesight, "lake", "append", "--days", append_days, "--lake", lake, "-q"],
        ),
        Step(f"dbt build (after {append_days} more days, ~1 %)", [dbt, "build"]),
    ]


def comparison_steps(tools: Tools) -> list[Step]:
    """Each of docs/performance.md's comparisons as a pair of steps: ours, then what it is held
    against."""
    dbt, python, root = tools.dbt, tools.python, tools.root
    no_tests = ["--exclude", "resource_type:test", "resource_type:unit_test"]
    return [
        Step(
            "SQL models: dbt run",
            # in full (the incremental models too), as the floor runs them; the names are
            # filled in once the manifest exists
            [dbt, "run", "--full-refresh", "--select", PLACEHOLDER],
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
            tools.apart("raw"),
        ),
        Step(
            "raw loads: direct readers (duckdb, polars, pyarrow)",
            [python, "-m", "benchmarks.bench_direct", str(tools.lake), str(root / "direct.duckdb")],
        ),
        Step(
            "rpt_sales_daily: dbt build +rpt_sales_daily, fresh warehouse, no tests",
            [dbt, "build", "--select", "+rpt_sales_daily", *no_tests],
            tools.apart("sales"),
        ),
        Step(
            "rpt_sales_daily: pandas from the lake files",
            [
                python,
                "-m",
                "benchmarks.bench_pandas",
                str(tools.lake),
                str(REPO / "seeds" / "reference"),
                str(root / "sales_pandas.parquet"),
            ],
        ),
    ]


def extra_steps(tools: Tools) -> list[Step]:
    """The consumption side (not docs/performance.md's ratios): at scale 10, ydata-profiling alone
    would hold ~10 M pandas rows. The ydata-profiling step only when its venv exists."""
    lakesight, root = tools.lakesight, tools.root
    manifest = str(root / "target" / "manifest.json")
    steps = [
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
            PROFILE,
            [
                lakesight,
                "profile",
                PROFILED,
                "--manifest",
                manifest,
                "--html",
                str(root / "profile-lakesight.html"),
            ],
        ),
    ]
    if YDATA_PYTHON.exists():
        ydata = [
            str(YDATA_PYTHON),
            str(REPO / "benchmarks" / "bench_ydata.py"),
            str(root / "bench.duckdb"),
            PROFILED,
            str(root / "profile-ydata.html"),
        ]
        steps.append(Step(YDATA, ydata, optional=True))
    profiles = [lakesight, "profiles", "--out", str(root / "profiles"), "--manifest", manifest]
    steps.append(Step("lakesight profiles (site/profiles: every mart)", profiles))
    return steps


def run_steps(
    steps: list[Step], env: dict[str, str], root: Path, title: str
) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Run and measure each step, printing it and rewriting PROGRESS after each one; the
    figures (seconds, peak RSS in MiB) by step, and the optional steps that failed."""
    table = Table(title=title)
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("peak RSS (MiB)", justify="right")
    figures: dict[str, tuple[float, float]] = {}
    failed: list[str] = []
    console = Console()
    for step in steps:
        if step.command[-1] == PLACEHOLDER:
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
    return figures, failed


def ratios(build: list[Step], compared: list[Step]) -> list[Ratio]:
    """Issue 12's ratios, each of one step's figure to another's."""
    return [
        Ratio("no-op build / full build", NOTHING_NEW, FULL, "<= 0.15"),
        Ratio("+1 % build / full build", build[4].name, FULL, "<= 0.20"),
        Ratio("SQL models: dbt run / floor", compared[0].name, compared[1].name, "<= 1.1"),
        Ratio("raw loads: dbt / direct readers", compared[2].name, compared[3].name, "<= 1.2"),
        Ratio("raw loads: dbt / direct, peak RSS", compared[2].name, compared[3].name, "", True),
        Ratio("rpt_sales_daily: dbt / pandas", compared[4].name, compared[5].name, "< 1"),
        Ratio(
            "rpt_sales_daily: dbt / pandas, peak RSS", compared[4].name, compared[5].name, "", True
        ),
    ]


def ratio_rows(
    wanted: list[Ratio], figures: dict[str, tuple[float, float]]
) -> list[dict[str, object]]:
    """Each ratio's value against its goal, printed as a table."""
    summary = Table(title="ratios (same run)")
    summary.add_column("what")
    summary.add_column("ratio", justify="right")
    summary.add_column("goal (docs/performance.md)", justify="right")
    results: list[dict[str, object]] = []
    for ratio in wanted:
        index = 1 if ratio.memory else 0
        value = figures[ratio.ours][index] / figures[ratio.against][index]
        results.append({"what": ratio.what, "ratio": round(value, 3), "goal": ratio.goal})
        summary.add_row(ratio.what, f"{value:.2f}x", ratio.goal)
    Console().print(summary)
    return results


def run_notes(
    tools: Tools, figures: dict[str, tuple[float, float]], failed: list[str], with_extras: bool
) -> list[str]:
    """The figures that are not steps: peak memory, rows agreeing, sizes, the profile's
    comparison with ydata-profiling (or why it is missing)."""
    root = tools.root
    agree, rows = rows_agreeing(root / "sales.duckdb", root / "sales_pandas.parquet")
    size = (root / "bench.duckdb").stat().st_size / 2**20
    extracts = sum(path.stat().st_size for path in (root / "exports").glob("*.duckdb"))
    notes = [
        f"peak RSS of the full build: {figures[FULL][1]:.0f} MiB (goal at scale 1: <= 2048)",
        f"rpt_sales_daily: {agree:,} of {rows:,} rows agree between pandas and dbt",
        f"lake: {disk_mib(tools.lake):,.0f} MiB; warehouse file: {size:,.0f} MiB;"
        f" extracts: {extracts / 2**20:,.0f} MiB; the bench folder at the end (lake, four"
        f" warehouses, targets): {disk_mib(root):,.0f} MiB",
    ]
    if not with_extras:
        notes.append("GX, extracts, dashboards and profiles not timed (--extras yes)")
    elif YDATA in figures:
        ours = figures[PROFILE]
        theirs = figures[YDATA]
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
    return notes


def write_results(
    args: argparse.Namespace,
    figures: dict[str, tuple[float, float]],
    results: list[dict[str, object]],
    notes: list[str],
) -> None:
    """target/bench.json, which the project site shows."""
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


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="lakesight-bench-") as folder:
        tools = Tools(Path(folder), Path(folder) / "lake")
        build = build_steps(tools, args.scale, args.days)
        compared = comparison_steps(tools)
        with_extras = args.extras == "yes" or (args.extras == "auto" and float(args.scale) <= 1)
        steps = build + compared + (extra_steps(tools) if with_extras else [])
        title = f"lakesight benchmark, scale {args.scale}, {os.cpu_count()} cores"
        env = bench_env(tools.root, tools.lake)
        figures, failed = run_steps(steps, env, tools.root, title)
        results = ratio_rows(ratios(build, compared), figures)
        notes = run_notes(tools, figures, failed, with_extras)
    write_results(args, figures, results, notes)


if __name__ == "__main__":
    main()
