"""The build, step by step: what `lakesight build` (and so `make build`) runs, in order.

The steps are a table (`build_steps`); `run_steps` applies one rule to it, the one the Makefile's
shell chain applied before:

- `dbt build` runs through the warehouse lock check (lakesight.load.lock): when another process
  holds the warehouse, nothing else runs and the build exits 75 (EX_TEMPFAIL); otherwise its
  exit status is the build's so far;
- its results are kept as build_run_results.json (lakesight.dbt_artifacts: `dbt docs generate`
  rewrites run_results.json later);
- the summary always runs and its failure is ignored; `validate` (the quality report and GX Data
  Docs) always runs, and its failure fails a build that had not failed yet (exit 1);
- every later step (the churn model, then the owners' site: dbt docs, the mart profiles; the
  portals, one per active principal; the site's index page) runs only while nothing has failed:
  a failure fails the build (exit 1) and skips the steps after it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lakesight.dbt_artifacts import BUILD_RUN_RESULTS, MANIFEST, RUN_RESULTS
from lakesight.load import lock

#: a step's outcome in the build's closing table
RAN, FAILED, IGNORED, SKIPPED = "ok", "failed", "failed (ignored)", "skipped"


@dataclass(frozen=True)
class Step:
    """One step of the build: how to run it (returns an exit status) and what a failure does."""

    name: str
    run: Callable[[], int]
    #: runs after an earlier failure too (dbt build, summary, validate)
    always: bool = False
    #: its failure fails the build (all but the summary)
    counts: bool = True
    #: its exit status becomes the build's (dbt build's), instead of 1
    keeps_status: bool = False
    #: exit statuses that end the build at once, with that status (a locked warehouse)
    ends_on: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Outcome:
    """What became of one step."""

    name: str
    outcome: str
    status: int | None
    seconds: float


@dataclass(frozen=True)
class BuildResult:
    """The build's exit status and each step's outcome, in order."""

    status: int
    steps: tuple[Outcome, ...]


def run_steps(
    steps: Iterable[Step], announce: Callable[[int, Step], None] = lambda _i, _s: None
) -> BuildResult:
    """Run the steps in order under the module's rule; `announce` is told of each step it runs."""
    steps = list(steps)
    status = 0
    done: list[Outcome] = []
    for index, step in enumerate(steps):
        if status != 0 and not step.always:
            done.append(Outcome(step.name, SKIPPED, None, 0.0))
            continue
        announce(index, step)
        started = time.perf_counter()
        code = step.run()
        seconds = time.perf_counter() - started
        if code in step.ends_on:
            done.append(Outcome(step.name, FAILED, code, seconds))
            done += [Outcome(later.name, SKIPPED, None, 0.0) for later in steps[index + 1 :]]
            return BuildResult(code, tuple(done))
        if code == 0:
            done.append(Outcome(step.name, RAN, 0, seconds))
            continue
        done.append(Outcome(step.name, FAILED if step.counts else IGNORED, code, seconds))
        if step.counts and (status == 0 or step.keeps_status):
            status = code if step.keeps_status else 1
    return BuildResult(status, tuple(done))


def _tool(name: str) -> str:
    """The venv's own executable `name` (beside this Python), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def _command(*argv: str) -> Callable[[], int]:
    """A step that runs a command, its output passed through as it comes."""
    return lambda: subprocess.run(list(argv), check=False).returncode


def _keep_results(target: Path) -> int:
    """Copy run_results.json to build_run_results.json; a missing file is said, not fatal (the
    summary and validate then say there are no results)."""
    try:
        shutil.copyfile(target / RUN_RESULTS, target / BUILD_RUN_RESULTS)
    except OSError as error:
        print(f"the build's results were not kept: {error}", file=sys.stderr)
    return 0


def _dbt_build() -> int:
    return lock.run([_tool("dbt"), "build"], lock.warehouse())


def build_steps(target: Path, site: Path, portals: Path = Path("portals")) -> list[Step]:
    """The steps of a DuckDB build, dbt's artifacts in `target`, the owners' site written to
    `site`, the principals' portals to `portals` (docs/security.md, "Who may be given what")."""
    lakesight, dbt = _tool("lakesight"), _tool("dbt")
    results = target / BUILD_RUN_RESULTS
    return [
        Step(
            "dbt build",
            _dbt_build,
            always=True,
            keeps_status=True,
            ends_on=frozenset({lock.LOCKED}),
        ),
        Step("keep the build's results", lambda: _keep_results(target), always=True),
        Step(
            "summary",
            _command(lakesight, "summary", "--run-results", str(target / RUN_RESULTS)),
            always=True,
            counts=False,
        ),
        Step(
            "validate",
            _command(
                lakesight,
                "validate",
                "--run-results",
                str(results),
                "--report",
                str(site / "quality.html"),
                "--data-docs",
                str(site / "gx"),
            ),
            always=True,
        ),
        Step("ml train", _command(lakesight, "ml", "train")),
        Step("dbt docs", _command(dbt, "docs", "generate", "--static", "--quiet")),
        Step(
            "profiles",
            _command(
                lakesight,
                "profiles",
                "--out",
                str(site / "profiles"),
                "--manifest",
                str(target / MANIFEST),
            ),
        ),
        Step(
            "portals",
            _command(
                lakesight, "portals", "--out", str(portals), "--manifest", str(target / MANIFEST)
            ),
        ),
        Step(
            "site",
            _command(
                lakesight,
                "site",
                "--target",
                str(target),
                "--out",
                str(site),
                "--portals",
                str(portals),
            ),
        ),
    ]
