"""`make bench ENGINE=spark`: the same build on Spark (local, in-process) and on DuckDB.

On one generated lake (`--scale`, `SCALE=` in make), in a temporary folder, the part of the
project that runs on Spark (the Makefile's SPARK_SELECT and SPARK_EXCLUDE, tests included) is
built on each engine as `make build` builds it:

- DuckDB: `dbt build` of the raw Python models and that selection;
- Spark: `lakesight spark load` (the raw step and the lake's external tables), then
  `dbt build --target spark` of that selection.

Each step runs as a child process; its peak resident memory is that of the child's whole process
tree (dbt-spark's JVM is a child of the dbt process), sampled every 0.2 s. A benchmark, not a
test: it prints figures and asserts nothing. The figures go to target/bench-spark.json.

    python -m benchmarks.bench_spark --scale 0.1 --select "…" --exclude "…"
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

from benchmarks.bench import bench_env

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = REPO / "target" / "bench-spark.json"


def measure_tree(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall seconds and the peak RSS of its process tree in MiB."""
    started = time.perf_counter()
    child = psutil.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    peak = 0
    while child.poll() is None:
        total = 0
        for process in [child, *child.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # ended between listing and reading
                total += process.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {child.returncode}")
    return seconds, peak / 2**20


@dataclass(frozen=True)
class Step:
    engine: str
    name: str
    command: list[str]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="0.1", help="lake scale (1 = about 1,000,000 lines)")
    parser.add_argument("--days", default="365", help="days of data")
    parser.add_argument("--select", required=True, help="dbt selectors (the Makefile's)")
    parser.add_argument("--exclude", required=True, help="dbt exclusions (the Makefile's)")
    args = parser.parse_args()
    select, exclude = args.select.split(), args.exclude.split()

    with tempfile.TemporaryDirectory(prefix="lakesight-bench-spark-") as folder:
        root = Path(folder)
        lake = root / "lake"
        env = bench_env(root, lake) | {
            "LAKESIGHT_SPARK_DIR": str(root / "spark"),
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
        dbt, lakesight = str(BIN / "dbt"), str(BIN / "lakesight")
        selection = ["--exclude", *exclude, "--indirect-selection", "cautious"]
        # DuckDB runs the Python models in dbt: the raw ones, the lake manifest and the mask
        # salt, which the Spark raw step runs there
        duck_selection = [
            "--exclude",
            *(e for e in exclude if e not in ("stg_lake__manifest", "policy_mask_salt")),
            "--indirect-selection",
            "cautious",
        ]
        generate = [lakesight, "lake", "generate", "--scale", args.scale, "--days", args.days]
        steps = [
            Step("lake", f"lakesight lake generate --scale {args.scale}", [*generate, "-q"]),
            Step(
                "duckdb",
                "dbt build (raw + the Spark selection)",
                [dbt, "build", "--select", "path:models/raw", *select, *duck_selection],
            ),
            Step(
                "spark",
                "lakesight spark load (raw step, lake tables)",
                [lakesight, "spark", "load"],
            ),
            Step(
                "spark",
                "dbt build --target spark",
                [dbt, "build", "--target", "spark", "--select", *select, *selection],
            ),
        ]
        console = Console()
        figures: list[tuple[Step, float, float]] = []
        for step in steps:
            seconds, peak = measure_tree(step.command, env)
            console.print(f"{step.name}: {seconds:.1f} s, peak RSS {peak:.0f} MiB")
            figures.append((step, seconds, peak))

    totals = {
        engine: (
            sum(seconds for step, seconds, _ in figures if step.engine == engine),
            max(peak for step, _, peak in figures if step.engine == engine),
        )
        for engine in ("duckdb", "spark")
    }
    table = Table(title=f"Spark local vs DuckDB, scale {args.scale}, {os.cpu_count()} cores")
    for column in ("engine", "step", "seconds", "peak RSS (MiB)"):
        table.add_column(column, justify="left" if column in ("engine", "step") else "right")
    for step, seconds, peak in figures:
        table.add_row(step.engine, step.name, f"{seconds:.1f}", f"{peak:.0f}")
    for engine, (seconds, peak) in totals.items():
        table.add_row(
            engine, "whole build (peak: its largest step)", f"{seconds:.1f}", f"{peak:.0f}"
        )
    console.print(table)
    (spark_s, spark_mib), (duck_s, duck_mib) = totals["spark"], totals["duckdb"]
    console.print(
        f"Spark / DuckDB: {spark_s / duck_s:.2f}x the time, "
        f"{spark_mib / duck_mib:.2f}x the peak memory"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "scale": args.scale,
                "days": args.days,
                "cores": os.cpu_count(),
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "steps": [
                    {
                        "engine": step.engine,
                        "step": step.name,
                        "seconds": round(seconds, 2),
                        "peak_rss_mib": round(peak),
                    }
                    for step, seconds, peak in figures
                ],
                "totals": {
                    engine: {"seconds": round(seconds, 1), "peak_rss_mib": round(peak)}
                    for engine, (seconds, peak) in totals.items()
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
