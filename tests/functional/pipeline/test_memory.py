"""A build that spills to disk under a small memory limit passes and gives the same marts.

dbt-duckdb re-runs every profile `settings:` entry as `SET` on each new cursor; once DuckDB has
spilled to its temp_directory, `SET temp_directory` fails ("Cannot switch temporary directory after
the current one has been used"), so any build large enough to spill used to fail. The profile now
sets them once, as `config_options:`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.functional.pipeline.test_pipeline import mart_fingerprints
from tests.support.warehouse import NO_TESTS, Warehouse, lakesight

#: one month at scale 0.2 (about 17,000 orders and 44,000 log lines)
SPILL_LAKE = ("--scale", "0.2", "--start", "2025-01-01", "--days", "30", "--seed", "42")
#: the memory limits searched, in MB: a limit must lie above what the steps that cannot spill
#: need and below what the sorts and joins of this lake need. On duckdb 2.0.1 with 2 threads that
#: window is about 55-80 MB (52 MB runs out of memory in base_shop__orders, 85 MB does not spill);
#: models change it, so the test searches it (geometric bisection) instead of fixing one limit,
#: starting at the middle of the window last measured (each attempt is a build of about a minute)
LOWEST_MB, HIGHEST_MB, FIRST_MB, ATTEMPTS = 20, 400, 64, 6


@dataclass
class LimitedWarehouse(Warehouse):
    memory_limit: str = "100MB"

    @property
    def temp_directory(self) -> Path:
        return self.root / "duckdb_tmp"

    def env(self) -> dict[str, str]:
        return super().env() | {"LAKESIGHT_MEMORY_LIMIT": self.memory_limit}


@pytest.fixture(scope="module")
def spill_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("spill_lake") / "lake"
    lakesight("lake", "generate", *SPILL_LAKE, "--lake", str(lake))
    return lake


def test_a_build_that_spills_passes_with_the_same_marts(
    spill_lake: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    reference = Warehouse(tmp_path_factory.mktemp("unlimited"), spill_lake)
    reference.build(*NO_TESTS)

    low, high = LOWEST_MB, HIGHEST_MB
    outcomes = []
    for attempt in range(ATTEMPTS):
        middle = FIRST_MB if attempt == 0 else round(math.sqrt(low * high))
        limit = f"{middle}MB"
        limited = LimitedWarehouse(tmp_path_factory.mktemp("limited"), spill_lake, limit)
        # DuckDB removes a temp directory it created; one that exists is kept, and its
        # modification time moves when DuckDB writes (and removes) spill files in it
        limited.temp_directory.mkdir()
        os.utime(limited.temp_directory, (0, 0))
        result = limited.build(*NO_TESTS, expect_success=False)
        assert "Cannot switch temporary directory" not in result.stdout, result.stdout[-4000:]
        spilled = limited.temp_directory.stat().st_mtime > 0
        if result.returncode == 0 and spilled:
            assert mart_fingerprints(limited) == mart_fingerprints(reference)
            return
        ran_out = "Out of Memory Error" in result.stdout
        assert result.returncode == 0 or ran_out, result.stdout[-4000:]
        outcomes.append(f"{limit}: {'out of memory' if ran_out else 'did not spill'}")
        low, high = (middle, high) if ran_out else (low, middle)
    pytest.fail(f"no memory limit made this lake spill and pass: {', '.join(outcomes)}")
