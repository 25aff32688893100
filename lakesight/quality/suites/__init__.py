"""Expectation suites as code: the raw landing contract (raw.py), the marts' business rules
(marts.py) and the secure datasets per principal (secure.py), built of common.py's parts.

Each suite validates one warehouse table. Every expectation carries its severity, both in GX's own
``severity`` field and in ``meta["severity"]``: a failed ``critical`` expectation fails
`lakesight validate` (and so `make build` and `make test`), a failed ``warning`` is only reported.
All checks run as SQL inside DuckDB; value sets come from the reference seeds in this repository.
The mart suites' SQL is portable: on the Spark target they run on GX's Spark engine
(`lakesight spark validate`); the raw landing contract reads DuckDB's catalog and JSON functions.
"""

from __future__ import annotations

from lakesight.quality.suites.common import Suite
from lakesight.quality.suites.marts import mart_suites
from lakesight.quality.suites.raw import partition_days, raw_contract

__all__ = ["Suite", "all_suites", "mart_suites"]


def all_suites() -> tuple[Suite, ...]:
    """Every suite the checkpoint runs: the raw landing contract first, then the marts."""
    raw = tuple(
        Suite(s.name, s.schema, s.table, (*s.expectations, partition_days(s.table)))
        for s in raw_contract()
    )
    return raw + mart_suites()
