"""The DuckDB adapter for Great Expectations: each upstream failure, then its fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import great_expectations.expectations as gxe
import pytest
from great_expectations.core.batch import Batch
from great_expectations.datasource.fluent import SQLDatasource

from lakesight.quality.gx_duckdb import (
    add_warehouse,
    close,
    ephemeral_context,
    install_row_buffer,
    map_dialect,
)
from tests.support.warehouse import Warehouse

NOT_NEGATIVE = gxe.ExpectColumnValuesToBeBetween(column="gross_revenue_usd", min_value=0)
STATUS_PATTERN = gxe.ExpectColumnValuesToMatchRegex(column="status", regex="^[a-z_]+$")


@pytest.fixture(scope="module")
def warehouse_file(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shared warehouse: GX's engines keep DuckDB instances alive in this process,
    and DuckDB refuses a later connection to the same file with another configuration."""
    return built.copy(tmp_path_factory.mktemp("gx")).database


@pytest.fixture
def unadapted(warehouse_file: Path) -> Iterator[SQLDatasource]:
    """The warehouse as a plain GX SQL datasource on duckdb_engine, as upstream ships it."""
    datasource = add_warehouse(ephemeral_context(), warehouse_file, adapt=False)
    yield datasource
    close(datasource)


def orders(datasource: SQLDatasource) -> Batch:
    asset = datasource.add_table_asset(
        name="fct_orders", table_name="fct_orders", schema_name="marts"
    )
    return asset.add_batch_definition_whole_table("all").get_batch()


def error_message(result: object) -> str:
    return str(getattr(result, "exception_info", ""))


def test_without_the_adapter_every_metric_reads_no_rows(unadapted: SQLDatasource) -> None:
    """Upstream GX #10738/#11579, duckdb_engine #1087: the rows are gone after the rollback."""
    result = orders(unadapted).validate(NOT_NEGATIVE)
    assert not result.success
    assert "list index out of range" in error_message(result)


def test_the_row_buffer_fixes_metrics_but_regex_needs_the_dialect_map(
    unadapted: SQLDatasource,
) -> None:
    install_row_buffer(unadapted.get_execution_engine().engine)
    batch = orders(unadapted)
    passed = batch.validate(NOT_NEGATIVE)
    assert passed.success, error_message(passed)
    assert passed.result["element_count"] > 0
    regex = batch.validate(STATUS_PATTERN)
    assert not regex.success
    assert "Regex is not supported for dialect duckdb" in error_message(regex)


def test_with_the_adapter_regex_runs_in_duckdb(unadapted: SQLDatasource) -> None:
    install_row_buffer(unadapted.get_execution_engine().engine)
    map_dialect(unadapted)
    batch = orders(unadapted)
    assert batch.validate(STATUS_PATTERN).success
    # PostgreSQL semantics: `~` is a partial match, so an anchored pattern that no status fits fails
    failed = batch.validate(gxe.ExpectColumnValuesToMatchRegex(column="status", regex="^x{3}$"))
    assert not failed.success
    assert failed.result["unexpected_percent"] == 100
    assert not failed.exception_info.get("raised_exception", False)


def test_the_warehouse_is_opened_read_only(warehouse_file: Path) -> None:
    datasource = add_warehouse(ephemeral_context(), warehouse_file)
    try:
        engine = datasource.get_execution_engine().engine
        with engine.connect() as connection, pytest.raises(Exception, match="read-only"):
            connection.exec_driver_sql("create table marts.gx_probe (x int)")
    finally:
        close(datasource)
