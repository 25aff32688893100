"""What every suite is made of: the Suite, an expectation tagged with its severity, a query that
must return no row, and the values of a reference seed."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import great_expectations.expectations as gxe
from great_expectations.expectations import Expectation

Severity = Literal["critical", "warning"]

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "reference"

#: largest share of a raw table's records that may be quarantined
MAX_REJECTED_SHARE = 0.10


@dataclass(frozen=True)
class Suite:
    """The expectations on one warehouse table, run as `principal` when one is given."""

    name: str
    schema: str
    table: str
    expectations: tuple[Expectation, ...]
    principal: str | None = None


def expect(severity: Severity, kind: type[Expectation], **kwargs: Any) -> Expectation:
    """An expectation of the given kind, tagged with its severity."""
    return kind(severity=severity, meta={"severity": severity}, **kwargs)


def rows(severity: Severity, description: str, query: str) -> Expectation:
    """No row may come back from `query` (``{batch}`` is the suite's table)."""
    kind = gxe.UnexpectedRowsExpectation
    return expect(severity, kind, description=description, unexpected_rows_query=query)


def seed_values(seed: str, column: str) -> list[str]:
    """The values of one column of a reference seed (the dbt seed CSV in this repository)."""
    with (SEEDS / f"{seed}.csv").open(newline="", encoding="utf-8") as file:
        return sorted({row[column] for row in csv.DictReader(file)})
