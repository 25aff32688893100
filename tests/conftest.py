"""Shared fixtures: a small generated lake and warehouses built from it by the real `dbt build`."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from tests.support import warehouse as support
from tests.support.bad_partition import write_bad_records, write_bad_values
from tests.support.warehouse import LAKE_OPTIONS, Published, Warehouse, lakesight, publish

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


TESTS = Path(__file__).parent
#: the fixtures that generate a lake or build a warehouse: a unit test may not ask for them
BUILD_FIXTURES = frozenset({"bad_partition", "base_lake", "built", "lake_copy", "published"})
#: the notebooks the shared portals run: one (a kernel start per principal is most of a portal's
#: time); tests/functional/consume/test_notebooks.py runs every notebook as every principal
PORTAL_NOTEBOOKS = ("sales_eda.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by its folder (`unit`, or `functional` and its area), refuse a unit test
    that asks for a lake or a warehouse, then sort: the slow modules first, the rest in
    collection order (a stable sort)."""
    for item in items:
        kind, *area = item.path.relative_to(TESTS).parts[:2]
        if kind == "unit":
            wanted = BUILD_FIXTURES & set(getattr(item, "fixturenames", ()))
            if wanted:
                raise pytest.UsageError(
                    f"{item.nodeid} is a unit test but asks for {', '.join(sorted(wanted))}: "
                    "move it to tests/functional/<area>/"
                )
            item.add_marker(pytest.mark.unit)
        elif kind == "functional" and area:
            item.add_marker(pytest.mark.functional)
            item.add_marker(getattr(pytest.mark, area[0]))
    items.sort(key=lambda item: item.path.name not in SLOW_MODULES)


def _run_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder every pytest-xdist worker of this run shares (each has a base folder of its own
    under it); the base folder itself without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def _once(folder: Path, make: Callable[[Path], None]) -> Path:
    """`folder`, made by `make` by the first worker that asks for it in this run; the others wait
    for it. A worker that failed half-way leaves no `.done`: the next one starts afresh."""
    done = folder / ".done"
    with FileLock(f"{folder}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session", autouse=True)
def shared_parse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> None:
    """Where the run's one parse of the dbt project lives (made on first use, shared by every
    worker: tests.support.warehouse.shared_parse)."""
    support.SHARED_PARSE = _run_folder(tmp_path_factory, worker_id) / "shared-parse"


@pytest.fixture(scope="session")
def base_lake(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The shared small lake, generated once per test run (every worker reads it: do not modify
    it; `lake_copy` gives a private copy)."""
    shared = _run_folder(tmp_path_factory, worker_id) / "shared-lake"
    _once(
        shared,
        lambda folder: lakesight("lake", "generate", *LAKE_OPTIONS, "--lake", str(folder / "lake")),
    )
    return shared / "lake"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, worker_id: str, base_lake: Path) -> Warehouse:
    """A warehouse fully built from the shared lake (read it, do not change it): built once per
    test run by the real `dbt build`, and each worker reads a file copy of its own (warehouse and
    dbt target folder), so no two processes ever share a DuckDB file."""
    shared = _run_folder(tmp_path_factory, worker_id) / "shared-built"
    _once(shared, lambda folder: Warehouse(folder, base_lake).build())
    return _worker_copy(tmp_path_factory, shared, "built", base_lake)


def _worker_copy(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, name: str, lake: Path | None = None
) -> Warehouse:
    """This worker's file copy of a shared warehouse (database and dbt target folder), reading
    `lake` (default: the shared folder's own)."""
    warehouse = Warehouse(tmp_path_factory.mktemp(name), lake or shared / "lake")
    shutil.copy2(Warehouse(shared, warehouse.lake).database, warehouse.database)
    shutil.copytree(shared / "target", warehouse.target)
    return warehouse


@pytest.fixture(scope="session")
def bad_partition(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, base_lake: Path
) -> Warehouse:
    """The shared lake plus one partition of bad records and bad values
    (tests/support/bad_partition.py), built twice by the real `dbt build` (the second build
    proves the rows already in raw block nothing): once per test run, each worker reading a file
    copy of its own, as `built`."""
    shared = _run_folder(tmp_path_factory, worker_id) / "shared-bad-partition"

    def make(folder: Path) -> None:
        shutil.copytree(base_lake, folder / "lake")
        write_bad_records(folder / "lake")
        write_bad_values(folder / "lake")
        warehouse = Warehouse(folder, folder / "lake")
        warehouse.build()
        warehouse.build()

    _once(shared, make)
    return _worker_copy(tmp_path_factory, shared, "bad_partition")


@pytest.fixture
def lake_copy(tmp_path: Path, base_lake: Path) -> Iterator[Warehouse]:
    """A private copy of the shared lake with an empty warehouse, free to modify."""
    shutil.copytree(base_lake, tmp_path / "lake")
    yield Warehouse(tmp_path, tmp_path / "lake")


@pytest.fixture(scope="session")
def published(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, built: Warehouse
) -> Published:
    """The owners' site and every active principal's portal of a copy of the shared warehouse,
    written once per test run (tests.support.warehouse.publish; read them, do not change them):
    the browser test and the leak test read the same files."""
    shared = _run_folder(tmp_path_factory, worker_id) / "shared-published"
    _once(shared, lambda folder: publish(built, folder, PORTAL_NOTEBOOKS))
    return Published(shared)
