"""The GX mart suites on the Spark warehouse (docs/scale-out.md), on GX's Spark engine."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from lakesight.quality.outcome import SuiteOutcome


def validate_marts(spark: Any) -> list[SuiteOutcome]:
    """Each mart suite's outcome over the session's warehouse; GX's log and warnings quiet.

    The raw landing contract is DuckDB's (its catalog and JSON functions) and the secure suites
    switch principal per query: on Spark the parity test compares those datasets instead."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    from lakesight.quality.runner import run_on_spark  # GX is slow to import: only when used
    from lakesight.quality.suites.marts import mart_suites

    return run_on_spark(spark, mart_suites())
