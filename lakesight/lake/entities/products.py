"""The catalogue: products, their (skewed) popularity, and list-price changes over time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lakesight.lake import reference
from lakesight.lake.rng import SECONDS_PER_DAY, Stream, rng_for
from lakesight.lake.timefmt import format_seconds

_ENDINGS = np.array([99, 90, 0, 49])


@dataclass
class Catalogue:
    """Column arrays for product ids 1..n (index = id - 1); prices in US cents, current values."""

    category: np.ndarray
    adjective: np.ndarray
    list_cents: np.ndarray
    cost_cents: np.ndarray
    popularity_cdf: np.ndarray
    quality: np.ndarray

    @classmethod
    def draw(cls, seed: int, n: int) -> Catalogue:
        """The initial catalogue of `n` products."""
        rng = rng_for(seed, Stream.PRODUCTS, 0)
        category = rng.integers(0, len(reference.CATEGORIES), n)
        low = np.array([c.price_low for c in reference.CATEGORIES])[category]
        high = np.array([c.price_high for c in reference.CATEGORIES])[category]
        dollars = np.exp(rng.uniform(np.log(low), np.log(high)))
        cents = np.floor(dollars).astype(np.int64) * 100 + _ENDINGS[rng.integers(0, 4, n)]
        cents = np.maximum(cents, 99)
        cost = np.round(cents * rng.uniform(0.35, 0.7, n)).astype(np.int64)
        rank = rng.permutation(n) + 1
        popularity = (rank + reference.PRODUCT_ZIPF_OFFSET) ** -reference.PRODUCT_ZIPF_EXPONENT
        return cls(
            category=category,
            adjective=rng.integers(0, len(reference.PRODUCT_ADJECTIVES), n),
            list_cents=cents,
            cost_cents=cost,
            popularity_cdf=np.cumsum(popularity / popularity.sum()),
            quality=rng.beta(5.0, 2.0, n),
        )

    def __len__(self) -> int:
        return len(self.category)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Product ids drawn by popularity (a few best sellers, a long tail)."""
        idx = np.searchsorted(self.popularity_cdf, rng.random(size), side="right")
        return np.minimum(idx, len(self) - 1) + 1

    def record(self, pid: int, updated_s: int) -> dict[str, Any]:
        """The catalogue's JSON record of product `pid` at its current price."""
        i = pid - 1
        cat = reference.CATEGORIES[int(self.category[i])]
        return {
            "product_id": pid,
            "sku": f"SKU-{pid:06d}",
            "product_name": (
                f"{reference.PRODUCT_ADJECTIVES[int(self.adjective[i])]} {cat.noun} {pid}"
            ),
            "category": {"level_1": cat.level_1, "level_2": cat.level_2, "level_3": cat.level_3},
            "list_price": int(self.list_cents[i]) / 100,
            "unit_cost": int(self.cost_cents[i]) / 100,
            "updated_at": format_seconds(updated_s),
        }

    def apply_price_changes(self, seed: int, day: int) -> list[int]:
        """Change some list prices at midnight of `day`; returns the changed product ids."""
        rng = rng_for(seed, Stream.PRICE_CHANGES, day)
        n = len(self)
        k = min(n, int(rng.poisson(n * reference.PRICE_CHANGES_PER_YEAR / 365.0)))
        ids = np.sort(rng.choice(n, size=k, replace=False))
        factor = rng.uniform(0.85, 1.2, k)
        cost_factor = rng.uniform(0.97, 1.06, k)
        ending = _ENDINGS[rng.integers(0, 4, k)]
        new = np.floor(self.list_cents[ids] * factor / 100).astype(np.int64) * 100 + ending
        self.list_cents[ids] = np.maximum(new, 99)
        cost = np.round(self.cost_cents[ids] * cost_factor).astype(np.int64)
        self.cost_cents[ids] = np.minimum(cost, self.list_cents[ids] * 9 // 10)
        return [int(i) + 1 for i in ids]


def midnight(day: int) -> int:
    """Unix seconds of 00:00:00 on `day` (catalogue loads happen at midnight)."""
    return day * SECONDS_PER_DAY
