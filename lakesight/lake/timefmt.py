"""Formatting Unix timestamps the way each source system writes them."""

from __future__ import annotations

import datetime as dt

import polars as pl

_UTC = dt.UTC


def format_seconds(seconds: int) -> str:
    """`YYYY-MM-DD HH:MM:SS` (UTC) of a Unix timestamp in seconds."""
    return dt.datetime.fromtimestamp(seconds, _UTC).strftime("%Y-%m-%d %H:%M:%S")


def format_micros_iso(micros: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS.ffffff` (UTC, no offset) of a Unix timestamp in microseconds."""
    moment = dt.datetime(1970, 1, 1, tzinfo=_UTC) + dt.timedelta(microseconds=micros)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def seconds_expr(column: str, fmt: str = "%Y-%m-%d %H:%M:%S") -> pl.Expr:
    """Polars expression formatting an integer seconds column with a strftime pattern."""
    return pl.from_epoch(pl.col(column), time_unit="s").dt.strftime(fmt)
