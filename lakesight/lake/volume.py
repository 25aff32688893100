"""How busy each day is: seasonality, weekday pattern and the scale."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np

from lakesight.lake import reference
from lakesight.lake.rng import Stream, day_number, rng_for


def _black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    first = dt.date(year, 11, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(days=22)


def _raw_factor(day: dt.date) -> float:
    """Unnormalised activity of a day: month x weekday x shopping events."""
    factor = reference.MONTH_FACTORS[day.month - 1] * reference.WEEKDAY_FACTORS[day.weekday()]
    black_friday = _black_friday(day.year)
    if black_friday <= day <= black_friday + dt.timedelta(days=3):  # Black Friday → Cyber Monday
        factor *= 1.9
    if day.month == 12 and 24 <= day.day <= 26:
        factor *= 0.55
    return factor


@cache
def _normaliser() -> float:
    """Mean raw factor over a reference year, so a year of activity averages to 1."""
    start = dt.date(2025, 1, 1)
    return float(np.mean([_raw_factor(start + dt.timedelta(days=i)) for i in range(365)]))


def activity(day: dt.date) -> float:
    """Relative activity of `day` (1.0 is an average day of a year)."""
    return _raw_factor(day) / _normaliser()


def expected_lines(day: dt.date, scale: float) -> float:
    """Expected order lines placed on `day`."""
    return scale * reference.LINES_PER_YEAR_AT_SCALE_1 / 365.0 * activity(day)


def busy_lines(seed: int, day: dt.date, scale: float) -> float:
    """Order lines to aim for on `day`: the expectation times a day-level noise factor.

    The noise depends on (seed, day) only, so doubling the scale exactly doubles the aim.
    """
    noise = rng_for(seed, Stream.DAY_NOISE, day_number(day)).lognormal(
        0.0, reference.DAY_NOISE_SIGMA
    )
    return expected_lines(day, scale) * float(noise)


def draw_count(rng: np.random.Generator, expected: float) -> int:
    """An integer with mean `expected` that stays within 1 of it (stochastic rounding)."""
    return int(np.floor(expected + rng.random()))


def is_promotion(day: dt.date) -> bool:
    """Whether `day` is in the late-November sales window (more discounts)."""
    black_friday = _black_friday(day.year)
    return black_friday - dt.timedelta(days=7) <= day <= black_friday + dt.timedelta(days=3)


def product_count(scale: float) -> int:
    """Size of the catalogue: 200 + 800 x scale, capped."""
    return int(
        min(
            reference.PRODUCTS_MAX,
            round(reference.PRODUCTS_BASE + reference.PRODUCTS_PER_SCALE * scale),
        )
    )


def base_customer_count(scale: float) -> int:
    """Customers who signed up before the first day (at least 20)."""
    return max(20, round(reference.BASE_CUSTOMERS_AT_SCALE_1 * scale))
