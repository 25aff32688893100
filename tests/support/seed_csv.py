"""The policy seed CSV files as `dbt seed` reads them, for Python readers (the test oracle).

dbt-duckdb loads a seed with DuckDB's `COPY <table> FROM '<file>' (FORMAT CSV, HEADER TRUE,
DELIMITER ',')` into a table typed by the seed's `column_types`
(seeds/security/_security__seeds.yml), so the policy models read the cells DuckDB produced. This
module is that reading, once:

- a UTF-8 byte order mark before the header is skipped (dbt's agate reader drops it, DuckDB too);
- RFC 4180 quoting; an empty cell, quoted or not, is NULL (None); every other cell is kept exactly,
  spaces included (the policy models trim what they compare: `sec_normalise`);
- a boolean (`is_active`) is one of `BOOLEAN_SPELLINGS`, in any ASCII case and without spaces, as
  DuckDB casts text to BOOLEAN; anything else fails `dbt seed` (`SeedValueError` here).

`tests/functional/security/test_policy_integrity.py` checks these rules against DuckDB's own
COPY and against a real `dbt build` of such seeds.
"""

from __future__ import annotations

import csv
from pathlib import Path

#: the texts DuckDB reads as a BOOLEAN (ASCII case ignored); any other non-empty text is an error
BOOLEAN_SPELLINGS: dict[str, bool] = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class SeedValueError(ValueError):
    """A cell `dbt seed` cannot load into its column's type (the build fails)."""


def read_seed(path: Path) -> list[dict[str, str | None]]:
    """The rows of a seed CSV file as header -> cell, an empty cell as None."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            {name: cell if cell != "" else None for name, cell in row.items()}
            for row in csv.DictReader(handle)
        ]


def parse_boolean(cell: str | None) -> bool | None:
    """A boolean cell as DuckDB loads it: None when empty, else one of BOOLEAN_SPELLINGS."""
    if cell is None:
        return None
    value = BOOLEAN_SPELLINGS.get(cell.translate(_ASCII_LOWER))
    if value is None:
        raise SeedValueError(
            f"{cell!r} is not a boolean: write one of {', '.join(BOOLEAN_SPELLINGS)}"
        )
    return value
