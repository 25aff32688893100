"""`make bench`: time and peak memory of lake generation, dbt build, GX checkpoint and extracts.

Then the profile of fct_order_items: `lakesight profile` (DuckDB SQL) against ydata-profiling in
minimal mode on the same table (read into pandas as its users do), side by side, and the ratios.
ydata-profiling runs from its own venv (target/ydata-venv, `make bench` makes it from
bench/ydata-requirements.txt); without that venv its row is skipped, saying so.

A benchmark, not a test: it prints figures and asserts nothing. Each step runs as a child
process; its peak resident memory is that child's own ru_maxrss (os.wait4).

    python -m lakesight.bench --scale 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YDATA_PYTHON = REPO / "target" / "ydata-venv" / "bin" / "python"
PROFILED = "marts.fct_order_items"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1", help="lake scale (1 = about 1,000,000 order lines)")
    parser.add_argument("--days", default="365", help="days of data")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lakesight-bench-") as folder:
        root = Path(folder)
        env = os.environ | {
            "LAKESIGHT_LAKE": str(root / "lake"),
            "LAKESIGHT_DB": str(root / "bench.duckdb"),
            "LAKESIGHT_TEMP_DIR": str(root / "duckdb_tmp"),
            "DBT_TARGET_PATH": str(root / "target"),
            "DBT_LOG_PATH": str(root / "logs"),
            "DBT_PROFILES_DIR": str(REPO),
        }
        steps = {
            f"lakesight lake generate --scale {args.scale}": [
                str(BIN / "lakesight"),
                "lake",
                "generate",
                "--scale",
                args.scale,
                "--days",
                args.days,
                "--lake",
                str(root / "lake"),
            ],
            "dbt build (first, full load)": [str(BIN / "dbt"), "build"],
            "dbt build (again, nothing new)": [str(BIN / "dbt"), "build"],
            "lakesight validate (GX checkpoint)": [str(BIN / "lakesight"), "validate"],
            "lakesight publish (extracts)": [
                str(BIN / "lakesight"),
                "publish",
                "--dev",  # the bench builds with whatever salt the environment has
                "--exports",
                str(root / "exports"),
            ],
            "lakesight dashboards build (every principal)": [
                str(BIN / "lakesight"),
                "dashboards",
                "build",
                "--dashboards",
                str(REPO / "dashboards"),
                "--out",
                str(root / "site" / "dashboards"),
                "--extracts",
                str(root / "extracts"),
            ],
        }
        steps[f"lakesight profile {PROFILED} (DuckDB SQL)"] = [
            str(BIN / "lakesight"),
            "profile",
            PROFILED,
            "--manifest",
            str(root / "target" / "manifest.json"),
            "--html",
            str(root / "profile-lakesight.html"),
        ]
        ydata = f"ydata-profiling minimal, {PROFILED} (pandas)"
        if YDATA_PYTHON.exists():
            steps[ydata] = [
                str(YDATA_PYTHON),
                str(REPO / "lakesight" / "bench_ydata.py"),
                str(root / "bench.duckdb"),
                PROFILED,
                str(root / "profile-ydata.html"),
            ]
        steps["lakesight profiles (site/profiles: every mart, secure datasets per principal)"] = [
            str(BIN / "lakesight"),
            "profiles",
            "--out",
            str(root / "profiles"),
            "--manifest",
            str(root / "target" / "manifest.json"),
            "--extracts",
            str(root / "extracts"),
        ]
        table = Table(title=f"lakesight benchmark, scale {args.scale}, {os.cpu_count()} cores")
        table.add_column("step")
        table.add_column("seconds", justify="right")
        table.add_column("peak RSS (MiB)", justify="right")
        figures = {}
        for name, command in steps.items():
            seconds, peak = measure(command, env)
            figures[name] = (seconds, peak)
            table.add_row(name, f"{seconds:.1f}", f"{peak:.0f}")
        size = (root / "bench.duckdb").stat().st_size / 2**20
        Console().print(table)
        extracts = sum(path.stat().st_size for path in (root / "exports").glob("*.duckdb"))
        Console().print(f"warehouse file: {size:.0f} MiB; extracts: {extracts / 2**20:.0f} MiB")
        ours = figures[f"lakesight profile {PROFILED} (DuckDB SQL)"]
        if ydata in figures:
            theirs = figures[ydata]
            Console().print(
                f"profile of {PROFILED}: {theirs[0] / ours[0]:.1f}x faster than ydata-profiling,"
                f" {ours[1] / theirs[1]:.2f} of its peak memory (goal: >= 5x, <= 0.25)"
            )
        else:
            Console().print(f"ydata-profiling skipped: no {YDATA_PYTHON} (see bench/)")


if __name__ == "__main__":
    main()
