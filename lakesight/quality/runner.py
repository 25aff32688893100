"""Run every suite against the warehouse as one GX checkpoint and condense the results."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.core.run_identifier import RunIdentifier

from lakesight.quality.gx_duckdb import add_warehouse, close, ephemeral_context
from lakesight.quality.outcome import Failure, SuiteOutcome
from lakesight.quality.suites import Suite, all_suites
from lakesight.quality.suites.secure import secure_suites
from lakesight.security.resolved import ResolvedPolicy

#: how many offending values or rows a failure lists
OFFENDERS = 3
#: the Data Docs site `lakesight validate --data-docs` builds, and the run name its pages show
DATA_DOCS_SITE = "lakesight"
RUN_NAME = "lakesight-validate"
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": OFFENDERS}


def expectation_name(result: ExpectationValidationResult) -> str:
    """`expectation_type(column)` or, for an unexpected-rows query, its description."""
    config = result.expectation_config
    kwargs = config.kwargs
    if config.type == "unexpected_rows_expectation":
        return f"unexpected_rows_expectation: {config.description}"
    column = kwargs.get("column")
    return f"{config.type}({column})" if column else config.type


def offenders(result: ExpectationValidationResult) -> str:
    """The worst offenders of a failed expectation, in one short line."""
    message = error_message(result.exception_info or {})
    if message:
        return f"error: {message}"
    details: dict[str, Any] = result.result or {}
    unexpected_rows = (details.get("details") or {}).get("unexpected_rows")
    if unexpected_rows:
        shown = [str(row) for row in list(unexpected_rows)[:OFFENDERS]]
        return f"{details.get('observed_value')} rows: " + "; ".join(shown)
    values = details.get("partial_unexpected_list")
    if values:
        count = details.get("unexpected_count")
        return f"{count} unexpected: " + ", ".join(map(str, values[:OFFENDERS]))
    return f"observed {details.get('observed_value')}"


def error_message(info: dict[str, Any]) -> str | None:
    """The first error GX recorded (at the top or per metric), if any."""
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    nested = (error_message(value) for value in info.values() if isinstance(value, dict))
    return next((message for message in nested if message), None)


def severity_of(result: ExpectationValidationResult) -> str:
    meta = result.expectation_config.meta or {}
    return str(meta.get("severity", "critical"))


def condense(name: str, result: ExpectationSuiteValidationResult) -> SuiteOutcome:
    outcome = SuiteOutcome(name)
    for expectation in result.results:
        if expectation.success:
            outcome.met += 1
        else:
            outcome.failures.append(
                Failure(
                    expectation_name(expectation), severity_of(expectation), offenders(expectation)
                )
            )
    return outcome


def data_docs_site(folder: Path) -> dict[str, Any]:
    """A GX Data Docs site in a local folder (no how-to buttons: they link to GX's web site)."""
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(folder.resolve()),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


def clear_data_docs(folder: Path) -> None:
    """Remove what an earlier build wrote (GX leaves pages of results it no longer holds)."""
    for name in ("index.html", "expectations", "validations", "static"):
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def secure_columns(datasource: Any) -> dict[str, list[str]]:
    """Each secure view's column names, in order (the secure suites compare on them)."""
    with datasource.get_execution_engine().engine.connect() as connection:
        found = connection.exec_driver_sql(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'secure' order by table_name, ordinal_position"
        ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in found:
        columns.setdefault(table, []).append(column)
    return columns


def validation_definition(
    context: Any, suite: Suite, batch_definition: Any
) -> gx.ValidationDefinition:
    """The suite's expectations on one batch, registered in the context."""
    expectation_suite = context.suites.add(
        gx.ExpectationSuite(name=suite.name, expectations=list(suite.expectations))
    )
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=expectation_suite)
    )


def run_checkpoint(
    database: Path, suites: tuple[Suite, ...] | None = None, *, data_docs: Path | None = None
) -> list[SuiteOutcome]:
    """Validate the warehouse (read-only) with every suite, as one checkpoint, in this process.

    With ``data_docs``, GX also writes its Data Docs (an index of the suites and of this run's
    validation results) into that folder. The context is ephemeral: suites and results live in
    its in-memory stores, which is all the site builder reads.
    """
    # the secure suites follow the resolved policy the views read (read before GX opens the file)
    policy = ResolvedPolicy.load(database) if suites is None else None
    context = ephemeral_context()
    datasource = add_warehouse(context, database)
    datasources = {None: datasource}
    try:
        if suites is None:
            assert policy is not None
            suites = all_suites() + secure_suites(secure_columns(datasource), policy)
        definitions = []
        for suite in suites:
            if suite.principal not in datasources:
                datasources[suite.principal] = add_warehouse(
                    context, database, principal=suite.principal
                )
            asset = datasources[suite.principal].add_table_asset(
                name=suite.name, table_name=suite.table, schema_name=suite.schema
            )
            definitions.append(
                validation_definition(context, suite, asset.add_batch_definition_whole_table("all"))
            )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name="lakesight", validation_definitions=definitions, result_format=RESULT_FORMAT
            )
        )
        result = checkpoint.run(run_id=RunIdentifier(run_name=RUN_NAME))
        if data_docs is not None:
            clear_data_docs(data_docs)
            context.add_data_docs_site(DATA_DOCS_SITE, data_docs_site(data_docs))
            context.build_data_docs(site_names=[DATA_DOCS_SITE])
    finally:
        for each in datasources.values():
            close(each)
    return [
        condense(suite_result.suite_name, suite_result)
        for suite_result in result.run_results.values()
    ]


def run_on_spark(spark: Any, suites: tuple[Suite, ...]) -> list[SuiteOutcome]:
    """Validate the Spark warehouse's tables with the suites, on GX's Spark engine.

    Each suite's table is a dataframe batch of `spark.table(schema.table)` in the given
    session (GX reuses the active session: same metastore and warehouse as dbt-spark); its
    unexpected-rows queries run as Spark SQL, `{batch}` a temporary view of the dataframe.
    """
    context = ephemeral_context()
    datasource = context.data_sources.add_spark(name="lakesight spark warehouse")
    outcomes = []
    for suite in suites:
        asset = datasource.add_dataframe_asset(name=suite.name)
        definition = validation_definition(
            context, suite, asset.add_batch_definition_whole_dataframe("all")
        )
        frame = spark.table(f"{suite.schema}.{suite.table}")
        result = definition.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT)
        outcomes.append(condense(suite.name, result))
    return outcomes
