"""Times of day: when people in each country are active, expressed in UTC."""

from __future__ import annotations

from functools import cache

import numpy as np

from lakesight.lake import reference
from lakesight.lake.rng import SECONDS_PER_DAY

COUNTRY_CODES = tuple(c.code for c in reference.COUNTRIES)
COUNTRY_WEIGHTS = np.array([c.weight for c in reference.COUNTRIES]) / sum(
    c.weight for c in reference.COUNTRIES
)


@cache
def _utc_hour_cdf() -> tuple[np.ndarray, np.ndarray]:
    """Per country: probability of each UTC hour and its cumulative distribution."""
    local = np.array(reference.LOCAL_HOUR_PROFILE)
    probs = np.empty((len(reference.COUNTRIES), 24))
    for i, country in enumerate(reference.COUNTRIES):
        utc_hours = np.arange(24)
        probs[i] = local[(utc_hours + country.utc_offset) % 24]
    probs /= probs.sum(axis=1, keepdims=True)
    return probs, np.cumsum(probs, axis=1)


def seconds_of_day(country: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Map uniforms `u` in [0, 1) to UTC seconds of the day for visitors from `country`.

    One uniform picks both the hour (by the country's UTC-shifted activity profile) and the
    second within it, so the same `u` always gives the same time.
    """
    probs, cdf = _utc_hour_cdf()
    rows = cdf[country]
    hour = np.minimum((rows <= u[:, None]).sum(axis=1), 23)
    below = np.where(hour > 0, rows[np.arange(len(u)), np.maximum(hour - 1, 0)], 0.0)
    within = np.clip((u - below) / probs[country, hour], 0.0, 0.999999)
    seconds = hour * 3600 + np.floor(within * 3600).astype(np.int64)
    return np.minimum(seconds, SECONDS_PER_DAY - 1).astype(np.int64)


def pick(
    rng: np.random.Generator, weights: np.ndarray | tuple[float, ...], size: int
) -> np.ndarray:
    """Draw `size` indices with the given (not necessarily normalised) weights."""
    w = np.asarray(weights, dtype=float)
    cdf = np.cumsum(w / w.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(w) - 1)
