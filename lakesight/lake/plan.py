"""Daily counts and id ranges for a lake, computed cheaply from its first day.

Ids are sequential (order 1, 2, …), so any day's ids depend on the counts of every earlier day;
those counts come from a small per-day random stream and are recomputed on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lakesight.lake import reference, volume
from lakesight.lake.entities.customers import Customers
from lakesight.lake.rng import Stream, day_of, rng_for


@dataclass
class Plan:
    """Counts per day (index = day - first_day) for days first_day … last_day."""

    seed: int
    scale: float
    first_day: int
    last_day: int
    base_customers: int
    signups: np.ndarray
    orders_wanted: np.ndarray
    reviews: np.ndarray
    customers_before: np.ndarray
    orders_before: np.ndarray
    reviews_before: np.ndarray
    customers: Customers

    @classmethod
    def build(cls, seed: int, scale: float, first_day: int, last_day: int) -> Plan:
        """Draw the daily counts and the customers needed up to `last_day`."""
        n_days = last_day - first_day + 1
        signups = np.zeros(n_days, dtype=np.int64)
        wanted = np.zeros(n_days, dtype=np.int64)
        reviews = np.zeros(n_days, dtype=np.int64)
        for i in range(n_days):
            day = first_day + i
            lines = volume.busy_lines(seed, day_of(day), scale)
            orders = lines / reference.MEAN_LINES_PER_ORDER
            rng = rng_for(seed, Stream.COUNTS, day)
            wanted[i] = volume.draw_count(rng, orders)
            signups[i] = volume.draw_count(
                rng, orders * reference.NEW_CUSTOMER_ORDER_SHARE / reference.FIRST_ORDER_PROBABILITY
            )
            reviews[i] = volume.draw_count(rng, lines * reference.REVIEWS_PER_ORDER_LINE)
        base = volume.base_customer_count(scale)
        customers_before = base + np.concatenate([[0], np.cumsum(signups)[:-1]])
        customers = Customers.draw(seed, int(base + signups.sum()))
        customers.place_signups(first_day, base, signups)
        new_orderers = np.array(
            [
                int(customers.orders_on_signup[c : c + s].sum())
                for c, s in zip(customers_before, signups, strict=True)
            ],
            dtype=np.int64,
        )
        orders = new_orderers + np.maximum(wanted - new_orderers, 0)
        return cls(
            seed=seed,
            scale=scale,
            first_day=first_day,
            last_day=last_day,
            base_customers=base,
            signups=signups,
            orders_wanted=wanted,
            reviews=reviews,
            customers_before=customers_before,
            orders_before=np.concatenate([[0], np.cumsum(orders)[:-1]]),
            reviews_before=np.concatenate([[0], np.cumsum(reviews)[:-1]]),
            customers=customers,
        )

    def index(self, day: int) -> int:
        """Position of `day` in the per-day arrays."""
        return day - self.first_day

    def new_customer_ids(self, day: int) -> np.ndarray:
        """Ids of the customers who sign up on `day`."""
        i = self.index(day)
        start = int(self.customers_before[i])
        return np.arange(start + 1, start + int(self.signups[i]) + 1)
