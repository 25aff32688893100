"""Test support: run the lakesight CLI and dbt against a lake and warehouse in a temp folder.

Every warehouse lives in its own temporary folder (DuckDB file, dbt target and logs), so tests
never touch the developer's `lakesight.duckdb`, `target/` or `data/lake/`.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from filelock import FileLock

from tests.support.command_process import CommandProcess

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

#: the small lake most tests share: two weeks, a few hundred orders
LAKE_OPTIONS = ("--scale", "0.002", "--start", "2025-03-01", "--days", "14", "--seed", "7")

#: `dbt build` without the data and unit tests: a reference build that tests compare against
NO_TESTS = ("--exclude", "resource_type:test", "resource_type:unit_test")

MART_TABLES = (
    "dim_date",
    "dim_geography",
    "dim_products",
    "dim_customers",
    "dim_customers_history",
    "fct_orders",
    "fct_order_items",
    "fct_payments",
    "fct_shipments",
    "fct_web_sessions",
    "rpt_sales_daily",
    "rpt_revenue_vs_target_monthly",
    "rpt_revenue_vs_target_current",
    "rpt_category_revenue",
    "rpt_revenue_share",
    "rpt_revenue_by_country",
    "rpt_order_value_histogram",
    "rpt_order_value_density",
    "rpt_customer_rfm",
    "rpt_customer_rfm_correlation",
    "rpt_revenue_bridge_monthly",
    "rpt_web_funnel_flows",
    "rpt_review_terms",
    "rpt_category_engagement",
    "rpt_category_profile",
)


def lakesight(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the lakesight CLI; fail the test with its output when it fails."""
    result = subprocess.run(
        [str(BIN / "lakesight"), *args], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def run_checked(
    command: list[str], cwd: Path, env: dict[str, str], expect_success: bool
) -> subprocess.CompletedProcess[str]:
    """Run a command; when it must succeed, fail the test with the tail of its output."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return checked(result, expect_success)


def checked(
    result: subprocess.CompletedProcess[str], expect_success: bool
) -> subprocess.CompletedProcess[str]:
    if expect_success:
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return result


_DBT_PROCESS: CommandProcess | None = None


def run_dbt(
    args: list[str], cwd: Path, env: dict[str, str], expect_success: bool
) -> subprocess.CompletedProcess[str]:
    """Run `dbt ARGS` as `dbt` would run in `cwd` with `env`, in this test process's one dbt
    process (tests/support/command_process.py: dbt imported once, not once per command)."""
    global _DBT_PROCESS
    if _DBT_PROCESS is None or not _DBT_PROCESS.alive():
        log = Path(tempfile.mkstemp(prefix="lakesight-dbt-process-", suffix=".log")[1])
        _DBT_PROCESS = CommandProcess(log)
        atexit.register(_DBT_PROCESS.close)
    return checked(_DBT_PROCESS.run("dbt", args, cwd, env), expect_success)


#: a folder every test process of a run shares, set by tests/conftest.py; None: no sharing
SHARED_PARSE: Path | None = None


def shared_parse(target: Path) -> None:
    """Give a new dbt target folder the run's parse of the project (dbt's partial_parse.msgpack).

    dbt re-reads what changed since (files by checksum, the models reading an environment
    variable whose value changed, everything when the profile or the vars change), so the copy
    saves the 10 s of a full parse of the repository's project and changes no result. (In a
    `project_copy`, a seed the test did not edit is still read from the repository's file, the
    same bytes: dbt keeps a parsed seed's root path.) The first
    process of the run that asks parses once, under a file lock.
    """
    msgpack = target / "partial_parse.msgpack"
    if SHARED_PARSE is None or msgpack.exists():
        return
    parsed = SHARED_PARSE / "target" / "partial_parse.msgpack"
    with FileLock(f"{SHARED_PARSE}.lock"):
        if not parsed.exists():
            SHARED_PARSE.mkdir(parents=True, exist_ok=True)
            parser = Warehouse(SHARED_PARSE, SHARED_PARSE / "lake")
            run_dbt(["parse"], parser.root, parser.dbt_env(), True)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(parsed, msgpack)


@dataclass
class Warehouse:
    """A lake and the DuckDB warehouse dbt builds from it, in one temporary folder."""

    root: Path
    lake: Path

    @property
    def database(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def target(self) -> Path:
        return self.root / "target"

    def env(self) -> dict[str, str]:
        return os.environ | {
            "LAKESIGHT_LAKE": str(self.lake),
            "LAKESIGHT_DB": str(self.database),
            "LAKESIGHT_TEMP_DIR": str(self.root / "duckdb_tmp"),
            "DBT_TARGET_PATH": str(self.target),
            "DBT_LOG_PATH": str(self.root / "logs"),
            "DBT_PROFILES_DIR": str(REPO),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def dbt(
        self, *args: str, expect_success: bool = True, project: Path = REPO
    ) -> subprocess.CompletedProcess[str]:
        """Run dbt against this warehouse, in the repository or in a copy of the project.

        dbt runs in the warehouse's folder with the warehouse and temp paths relative to it, so
        the profile dbt sees is the same for every test and dbt parses partially (see
        `shared_parse`); it re-parses in full whenever a path in the profile changes. A copy of
        the project (`project_copy`) has the repository's layout, so its first call re-parses
        only the files the test edited (and drops those the copy leaves out).
        """
        shared_parse(self.target)
        return run_dbt(list(args), self.root, self.dbt_env(project), expect_success)

    def dbt_env(self, project: Path = REPO) -> dict[str, str]:
        """dbt's environment: the warehouse and temp paths relative to the warehouse's folder."""
        return self.env() | {
            "DBT_PROFILES_DIR": str(project),
            "DBT_PROJECT_DIR": str(project),
            "LAKESIGHT_DB": self.database.name,
            "LAKESIGHT_TEMP_DIR": "duckdb_tmp",
        }

    def lakesight(
        self, *args: str, expect_success: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run the lakesight CLI against this warehouse (from the repository)."""
        return run_checked([str(BIN / "lakesight"), *args], REPO, self.env(), expect_success)

    def build(self, *args: str, expect_success: bool = True) -> subprocess.CompletedProcess[str]:
        return self.dbt("build", *args, expect_success=expect_success)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql).fetchall()

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]

    def run_results(self) -> list[dict[str, Any]]:
        return json.loads((self.target / "run_results.json").read_text())["results"]

    def database_copy(self, root: Path) -> Warehouse:
        """A copy of the warehouse file in another folder, reading the same lake."""
        copied = Warehouse(root, self.lake)
        shutil.copy2(self.database, copied.database)
        return copied

    def copy(self, root: Path) -> Warehouse:
        """A copy of lake and warehouse in another folder (the warehouse file must be closed)."""
        shutil.copytree(self.lake, root / "lake")
        copied = Warehouse(root, root / "lake")
        if self.database.exists():
            shutil.copy2(self.database, copied.database)
        return copied


@dataclass(frozen=True)
class Published:
    """What `make build` hands out, for one copy of a warehouse: the owners' site and the
    principals' portals (docs/security.md, "Who may be given what")."""

    root: Path

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.root / "warehouse", self.root / "warehouse" / "lake")

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def portals(self) -> Path:
        return self.root / "portals"

    @property
    def extracts(self) -> Path:
        return self.root / "extracts"


def publish(built: Warehouse, root: Path, notebooks: tuple[str, ...]) -> Published:
    """Write the portals and the owners' site of a copy of `built` into `root`, as `make build`
    writes them after `dbt build` (its steps from `validate`, without the churn model), the
    portals running only `notebooks` (names in notebooks/)."""
    from lakesight.quality.datadocs import NODE_MODULES

    if not NODE_MODULES.is_dir():
        raise AssertionError(
            f"{NODE_MODULES} is missing: `make test` installs the Data Docs assets (npm ci)"
        )
    published = Published(root)
    warehouse = built.copy(published.warehouse.root)
    warehouse.target.mkdir()
    shutil.copyfile(built.target / "run_results.json", warehouse.target / "build_run_results.json")
    warehouse.dbt("docs", "generate", "--static")
    manifest = str(warehouse.target / "manifest.json")
    chosen = root / "notebooks"
    chosen.mkdir()
    for name in notebooks:
        shutil.copy(REPO / "notebooks" / name, chosen)
    site, extracts, portals = published.site, str(published.extracts), str(published.portals)
    for command in (
        ["validate", "--database", str(warehouse.database), "--data-docs", str(site / "gx")],
        ["profiles", "--out", str(site / "profiles"), "--manifest", manifest],
        [
            "portals",
            "--out",
            portals,
            "--manifest",
            manifest,
            "--extracts",
            extracts,
            "--notebooks",
            str(chosen),
        ],
        ["site", "--target", str(warehouse.target), "--out", str(site), "--portals", portals],
    ):
        warehouse.lakesight(*command)
    return published


def project_copy(root: Path) -> Path:
    """A copy of the dbt project (no venv, no data) that a test may edit."""
    project = root / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(REPO / name, project / name)
    for name in ("models", "macros", "seeds", "snapshots"):
        shutil.copytree(REPO / name, project / name)
    return project


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: the URL schemes a page may load from when the network is blocked
OFFLINE_SCHEMES = ("file://", "data:", "blob:", "about:")


@contextmanager
def offline_page(
    width: int = 1280,
    height: int = 900,
    console: tuple[str, ...] = ("error",),
    color_scheme: str = "light",
) -> Iterator[tuple[Any, list[str]]]:
    """A headless Chromium page with the network blocked, and the list of what went wrong.

    Every request outside file:// is refused and recorded (``request: <url>``), as are script
    errors (``error: …``) and console messages of the types in `console` (``console <type>: …``).
    """
    from playwright import sync_api

    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=color_scheme,
            accept_downloads=True,
        )

        def guard(route: Any) -> None:
            if route.request.url.startswith(OFFLINE_SCHEMES):
                route.continue_()
            else:
                problems.append(f"request: {route.request.url}")
                route.abort()

        def on_console(message: Any) -> None:
            if message.type in console:
                problems.append(f"console {message.type}: {message.text}")

        context.route("**/*", guard)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"error: {error}"))
        page.on("console", on_console)
        try:
            yield page, problems
        finally:
            browser.close()
