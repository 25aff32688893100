"""Deterministic random streams: one independent generator per (seed, stream, day).

Because a day's draws never depend on how many days are generated, generating days in one go or
in several appends gives identical output.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

import numpy as np

EPOCH = dt.date(1970, 1, 1)
SECONDS_PER_DAY = 86_400


class Stream(IntEnum):
    """Identifies what a random stream is used for."""

    COUNTS = 1
    CUSTOMER_ATTRIBUTES = 2
    PRODUCTS = 3
    PRICE_CHANGES = 4
    CUSTOMER_UPDATES = 5
    ORDERS = 6
    WEB = 7
    REVIEWS = 8
    DAY_NOISE = 9
    BAD = 100


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01 (the day part of a Unix timestamp)."""
    return (day - EPOCH).days


def day_of(number: int) -> dt.date:
    """Inverse of `day_number`."""
    return EPOCH + dt.timedelta(days=int(number))


def rng_for(seed: int, stream: int, key: int) -> np.random.Generator:
    """The generator for `stream` on `key` (a day number, a block number or a table)."""
    return np.random.default_rng([seed, int(stream), key + 1_000_000])
