"""Shared fixtures: a small generated lake and warehouses built from it by the real `dbt build`."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakesight_tests.support import LAKE_OPTIONS, Warehouse, lakesight

# A pytest-xdist worker runs in a __main__ with neither __spec__ nor __file__, which PySpark 4's
# pyspark.sql.connect takes for its own doctest run: without grpcio it calls sys.exit(0) on import,
# and Great Expectations imports it (great_expectations.compatibility.pyspark). Named, it is not.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"


#: run first: under pytest-xdist --dist loadfile a module runs whole on one worker, and the
#: longest one (the Spark parity test, about 20 minutes) run last kept `make test` going on one
#: core for its whole length while the other core sat idle. xdist hands out the modules with
#: the most tests first unless told --no-loadscope-reorder (the Makefile passes it): then in
#: this order
SLOW_MODULES = ("test_spark.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow modules first, the rest in collection order (a stable sort)."""
    items.sort(key=lambda item: item.path.name not in SLOW_MODULES)


@pytest.fixture(scope="session")
def base_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared small lake (generated once per test session; do not modify it)."""
    lake = tmp_path_factory.mktemp("lake") / "lake"
    lakesight("lake", "generate", *LAKE_OPTIONS, "--lake", str(lake))
    return lake


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, base_lake: Path) -> Warehouse:
    """A warehouse fully built from the shared lake (read it, do not change it)."""
    warehouse = Warehouse(tmp_path_factory.mktemp("built"), base_lake)
    warehouse.build()
    return warehouse


@pytest.fixture
def lake_copy(tmp_path: Path, base_lake: Path) -> Iterator[Warehouse]:
    """A private copy of the shared lake with an empty warehouse, free to modify."""
    shutil.copytree(base_lake, tmp_path / "lake")
    yield Warehouse(tmp_path, tmp_path / "lake")
