"""Deliberately bad records: where they go and what they look like.

Each bad record is an *extra* record placed right after the good record it was made from (a
corrupted copy with the same key, an exact duplicate, or an unparseable line), so rejecting
exactly the bad records — before de-duplicating — loses no good data. Type-drift records are
good records written with a drifted type; they are changed in place and must be accepted.

Counts come from the table's own random stream for the day: about `BAD_RECORD_RATE` of the
records, and at least one of each kind in the first partition with data for a kind not seen yet.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from lakesight.lake import reference
from lakesight.lake.rng import Stream, day_of, rng_for
from lakesight.lake.tables import TableSpec

Placement = dict[str, np.ndarray]
"""Kind → sorted indices of the good records the bad ones follow (or, for drift, replace)."""


def place(
    seed: int, table: TableSpec, day: int, n: int, seen: dict[str, int]
) -> tuple[np.random.Generator, Placement]:
    """Choose how many records of each kind go into this partition and after which records."""
    rng = rng_for(seed, Stream.BAD + table.index, day)
    placement: Placement = {}
    if n == 0:
        return rng, placement
    for kind in table.kinds:
        group = table.drift_kinds if kind in table.drift_kinds else table.bad_kinds
        k = int(rng.poisson(reference.BAD_RECORD_RATE * n / len(group)))
        if seen.get(kind, 0) == 0:
            k = max(k, 1)
        if kind in table.drift_kinds:
            placement[kind] = np.sort(rng.choice(n, size=min(k, n), replace=False))
        else:
            placement[kind] = np.sort(rng.integers(0, n, size=k))
    return rng, placement


def counts(placement: Placement) -> dict[str, int]:
    """Records of each kind in a placement."""
    return {kind: len(rows) for kind, rows in placement.items()}


def interleave(good: pl.DataFrame, extras: list[tuple[np.ndarray, pl.DataFrame]]) -> pl.DataFrame:
    """`good` with each extra row placed right after the good row it follows."""
    if not extras:
        return good
    key = "__after"
    parts = [good.with_columns(pl.Series(key, np.arange(good.height) * 2, dtype=pl.Int64))]
    for after, rows in extras:
        parts.append(rows.with_columns(pl.Series(key, after * 2 + 1, dtype=pl.Int64)))
    return pl.concat(parts).sort(key, maintain_order=True).drop(key)


def lines_frame(lines: list[str] | pl.Series) -> pl.DataFrame:
    """A one-column frame of text lines."""
    return pl.DataFrame({"line": pl.Series(lines, dtype=pl.String)})


def future_stamp(stamp: str) -> str:
    """The same `YYYY-MM-DD…` moment in `FUTURE_YEAR` (29 Feb becomes 28 Feb)."""
    rest = stamp[4:].replace("-02-29", "-02-28", 1) if stamp[4:10] == "-02-29" else stamp[4:]
    return f"{reference.FUTURE_YEAR}{rest}"


# --------------------------------------------------------------------------------------------
# orders (CSV; all columns are text)
# --------------------------------------------------------------------------------------------
_BAD_DATES = ("0000-00-00 00:00:00", "not a date", "{date} 25:61:00", "{date}T{time}+25:00")


def orders(
    rng: np.random.Generator,
    good: pl.DataFrame,
    placement: Placement,
    render: Callable[[pl.DataFrame], pl.Series],
) -> pl.DataFrame:
    """Good order rows with the bad ones, rendered as CSV lines."""
    extras = []
    for kind, after in placement.items():
        rows = good[after]
        if kind == "unparseable_ordered_at":
            stamps = rows["ordered_at"].to_list()
            choice = rng.integers(0, len(_BAD_DATES), len(stamps))
            bad = [
                _BAD_DATES[c].format(date=s[:10], time=s[11:])
                for c, s in zip(choice, stamps, strict=True)
            ]
            rows = rows.with_columns(pl.Series("ordered_at", bad, dtype=pl.String))
        elif kind == "unknown_country_code":
            rows = rows.with_columns(pl.lit(reference.UNKNOWN_COUNTRY).alias("country_code"))
        elif kind == "unknown_currency_code":
            rows = rows.with_columns(pl.lit(reference.UNKNOWN_CURRENCY).alias("currency_code"))
        elif kind == "future_ordered_at":
            future = [future_stamp(s) for s in rows["ordered_at"].to_list()]
            rows = rows.with_columns(pl.Series("ordered_at", future, dtype=pl.String))
        lines = render(rows)
        if kind == "wrong_column_count":
            extra = rng.random(len(lines)) < 0.5
            lines = pl.Series(
                [
                    f"{line},{line.rsplit(',', 1)[1]}" if more else line.rsplit(",", 1)[0]
                    for line, more in zip(lines.to_list(), extra, strict=True)
                ],
                dtype=pl.String,
            )
        extras.append((after, lines_frame(lines)))
    return interleave(lines_frame(render(good)), extras)


# --------------------------------------------------------------------------------------------
# binary tables (Parquet, Avro, ORC)
# --------------------------------------------------------------------------------------------


def order_items(good: pl.DataFrame, placement: Placement) -> pl.DataFrame:
    """Order lines with a negated quantity copy or an exact duplicate after some lines."""
    extras = []
    for kind, after in placement.items():
        rows = good[after]
        if kind == "negative_quantity":
            rows = rows.with_columns(-pl.col("quantity"))
        extras.append((after, rows))
    return interleave(good, extras)


def payments(good: pl.DataFrame, placement: Placement) -> pl.DataFrame:
    """Payment events with re-delivered duplicates and unknown-currency copies."""
    extras = []
    for kind, after in placement.items():
        rows = good[after]
        if kind == "unknown_currency_code":
            rows = rows.with_columns(pl.lit(reference.UNKNOWN_CURRENCY).alias("currency_code"))
        extras.append((after, rows))
    return interleave(good, extras)


def shipments(good: pl.DataFrame, placement: Placement) -> pl.DataFrame:
    """Shipment events with copies whose `delivered_at` is in the future."""
    extras = []
    for _kind, after in placement.items():
        rows = good[after]
        base = rows.select(pl.coalesce("delivered_at", "shipped_at")).to_series().to_list()
        future = [_future_datetime(t) for t in base]
        rows = rows.with_columns(
            pl.Series("delivered_at", future, dtype=rows["delivered_at"].dtype)
        )
        extras.append((after, rows))
    return interleave(good, extras)


def _future_datetime(moment: Any) -> Any:
    """`moment` moved to `FUTURE_YEAR` (29 Feb becomes 28 Feb)."""
    day = min(moment.day, 28) if (moment.month, moment.day) == (2, 29) else moment.day
    return moment.replace(year=reference.FUTURE_YEAR, day=day)


# --------------------------------------------------------------------------------------------
# JSON Lines tables
# --------------------------------------------------------------------------------------------


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def _truncated(rng: np.random.Generator, record: dict[str, Any]) -> str:
    text = _dump(record)
    return text[: int(len(text) * rng.uniform(0.3, 0.8))]


def json_lines(
    rng: np.random.Generator, records: list[dict[str, Any]], placement: Placement
) -> pl.DataFrame:
    """JSON lines of `records` with drift applied in place and bad lines after their source."""
    for kind, rows in placement.items():
        for r in rows:
            if kind == "customer_id_as_string":
                records[r]["customer_id"] = str(records[r]["customer_id"])
            elif kind == "list_price_as_string":
                records[r]["list_price"] = f"{records[r]['list_price']:.2f}"
    extras = []
    for kind, after in placement.items():
        if kind in ("customer_id_as_string", "list_price_as_string"):
            continue
        lines = [_bad_json(rng, kind, records[r]) for r in after]
        extras.append((after, lines_frame(lines)))
    return interleave(lines_frame([_dump(r) for r in records]), extras)


def _bad_json(rng: np.random.Generator, kind: str, record: dict[str, Any]) -> str:
    """One bad JSON line made from a good record."""
    if kind == "invalid_json":
        return _truncated(rng, record)
    bad = copy.deepcopy(record)
    if kind == "unparseable_date_of_birth":
        bad["date_of_birth"] = "not a date"
    elif kind == "unknown_country_code":
        bad["address"]["country_code"] = reference.UNKNOWN_COUNTRY
    elif kind == "unparseable_unit_cost":
        bad["unit_cost"] = "n/a"
    elif kind == "missing_metadata":
        for key in [k for k in bad if k.endswith("-metadata")]:
            del bad[key]
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(kind)
    return _dump(bad)


# --------------------------------------------------------------------------------------------
# web logs
# --------------------------------------------------------------------------------------------
_STRAY_LINES = (
    "[{stamp}] [proxy:error] [pid 2113] AH00940: HTTP: disabled connection for (backend)",
    "nginx: [warn] an upstream response is buffered to a temporary file",
    "-- log rotated {day} --",
)


def neither_format(rng: np.random.Generator, line: str, day: int) -> str:
    """A line that is neither W3C nor Apache combined: truncated, or another log's message."""
    variant = int(rng.integers(0, len(_STRAY_LINES) + 2))
    date = day_of(day)
    if variant >= len(_STRAY_LINES):
        return line[: max(8, len(line) // 3)]
    stamp = f"{date:%a %b %d} 00:00:01.000000 {date:%Y}"
    return _STRAY_LINES[variant].format(stamp=stamp, day=date.isoformat())
