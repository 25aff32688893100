"""The shop, payments and fulfilment: one day's orders and every event of their lifecycle.

A *cohort* is the orders placed on one day. Its events (status exports, payment events,
shipment events) happen over the following weeks and each carries `dt`, the day of the partition
it arrives in; the writer collects, for each partition, the events of every cohort with that `dt`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from lakesight.lake import reference, volume
from lakesight.lake.clock import pick, seconds_of_day
from lakesight.lake.entities.products import Catalogue
from lakesight.lake.plan import Plan
from lakesight.lake.rng import SECONDS_PER_DAY, Stream, day_of, rng_for

LOOKBACK_DAYS = 56
"""No event arrives more than this many days after its order was placed."""

STATUS = {name: i for i, name in enumerate(reference.STATUSES)}
CURRENCY_INDEX = {c: i for i, c in enumerate(reference.CURRENCIES)}
COUNTRY_CURRENCY = np.array([CURRENCY_INDEX[c.currency] for c in reference.COUNTRIES])
RATES = np.array([reference.USD_RATES[c] for c in reference.CURRENCIES])
ZERO_DECIMAL = np.array([c in reference.ZERO_DECIMAL_CURRENCIES for c in reference.CURRENCIES])
WAREHOUSES = tuple(reference.WAREHOUSE_COUNTRY)
CARRIERS = ("DHL", "UPS", "FedEx", "USPS", "Royal Mail", "La Poste")
_WAREHOUSE_INDEX = {w: i for i, w in enumerate(WAREHOUSES)}
_CARRIER_INDEX = {c: i for i, c in enumerate(CARRIERS)}
_HOUR = 3600
_DAY = SECONDS_PER_DAY


def _round_minor(cents: np.ndarray, currency: np.ndarray, floor: bool = False) -> np.ndarray:
    """Round amounts in cents to the currency's precision (whole units for JPY/KRW)."""
    cents = np.floor(cents) if floor else np.rint(cents)
    whole = (np.floor(cents / 100) if floor else np.rint(cents / 100)) * 100
    return np.where(ZERO_DECIMAL[currency], whole, cents).astype(np.int64)


def _lag(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days late each event arrives (mostly 0)."""
    late = rng.random(n) < reference.LATE_RATE
    return np.where(late, pick(rng, reference.LATE_LAG_PMF, n) + 1, 0)


def _from_table(options: tuple[str, ...], index: dict[str, int]) -> np.ndarray:
    return np.array([index[o] for o in options])


def _pick_per_country(
    rng: np.random.Generator, country: np.ndarray, choices: list[np.ndarray], decay: float
) -> np.ndarray:
    """For each row, one of its country's `choices` (earlier options more likely)."""
    u = rng.random(len(country))
    out = np.empty(len(country), dtype=np.int64)
    for c, opts in enumerate(choices):
        rows = country == c
        if rows.any():
            w = decay ** np.arange(len(opts))
            cdf = np.cumsum(w / w.sum())
            out[rows] = opts[np.minimum(np.searchsorted(cdf, u[rows], side="right"), len(opts) - 1)]
    return out


_COUNTRY_WAREHOUSES = [_from_table(c.warehouses, _WAREHOUSE_INDEX) for c in reference.COUNTRIES]
_COUNTRY_CARRIERS = [_from_table(c.carriers, _CARRIER_INDEX) for c in reference.COUNTRIES]
_WAREHOUSE_COUNTRY = np.array(
    [
        [c.code for c in reference.COUNTRIES].index(reference.WAREHOUSE_COUNTRY[w])
        for w in WAREHOUSES
    ]
)


def order_cohort(plan: Plan, catalogue: Catalogue, day: int) -> dict[str, pl.DataFrame]:
    """Every record caused by the orders placed on `day`, keyed by table, each with `dt`."""
    rng = rng_for(plan.seed, Stream.ORDERS, day)
    customers = plan.customers
    i = plan.index(day)
    day_s = day * _DAY

    new_ids = plan.new_customer_ids(day)
    new_ids = new_ids[customers.orders_on_signup[new_ids - 1]]
    existing = int(plan.customers_before[i])
    n_returning = max(int(plan.orders_wanted[i]) - len(new_ids), 0)
    weights = customers.active_weights(day, existing)
    if weights.sum() <= 0:
        weights = np.ones(existing)
    cdf = np.cumsum(weights)
    returning = np.searchsorted(cdf, rng.random(n_returning) * cdf[-1], side="right")
    returning = np.minimum(returning, existing - 1) + 1
    customer = np.concatenate([new_ids, returning]).astype(np.int64)
    country = customers.country[customer - 1].astype(np.int64)
    after_signup = customers.signup_s[new_ids - 1] + rng.integers(120, 2700, len(new_ids))
    ordered = np.concatenate(
        [
            np.minimum(after_signup, day_s + _DAY - 1),
            day_s + seconds_of_day(country[len(new_ids) :], rng.random(n_returning)),
        ]
    )
    order = np.argsort(ordered, kind="stable")
    customer, country, ordered = customer[order], country[order], ordered[order]
    n = len(customer)
    order_id = int(plan.orders_before[i]) + 1 + np.arange(n, dtype=np.int64)
    currency = COUNTRY_CURRENCY[country]
    channel = pick(rng, reference.CHANNEL_WEIGHTS, n)
    method = pick(rng, reference.PAYMENT_METHOD_WEIGHTS, n)

    items, total = _items(rng, catalogue, order_id, currency, volume.is_promotion(day_of(day)))
    life = _lifecycle(rng, ordered, method, country)

    base = pl.DataFrame(
        {
            "order_id": order_id,
            "customer_id": customer,
            "ordered_at": ordered,
            "channel": channel.astype(np.int8),
            "currency": currency.astype(np.int8),
            "country": country.astype(np.int8),
        }
    )
    exports = _exports(rng, life, base)
    first_dt = exports.group_by("order_id").agg(pl.col("dt").min())
    items = items.join(first_dt, on="order_id", how="left")
    return {
        "orders": exports,
        "order_items": items,
        "payments": _payments(rng, life, order_id, total, currency, method),
        "shipments": _shipments(rng, life, order_id),
    }


def _items(
    rng: np.random.Generator,
    catalogue: Catalogue,
    order_id: np.ndarray,
    currency: np.ndarray,
    promotion: bool,
) -> tuple[pl.DataFrame, np.ndarray]:
    """Order lines in the order's currency, and each order's total (in cents)."""
    n = len(order_id)
    lines = pick(rng, reference.LINES_PER_ORDER_PMF, n) + 1
    owner = np.repeat(np.arange(n), lines)
    starts = np.cumsum(lines) - lines
    line_number = np.arange(len(owner)) - np.repeat(starts, lines) + 1
    product = catalogue.sample(rng, len(owner))
    quantity = np.minimum(rng.geometric(0.72, len(owner)), 10)
    cur = currency[owner]
    unit = _round_minor(catalogue.list_cents[product - 1] * RATES[cur], cur)
    discounted = rng.random(len(owner)) < (0.35 if promotion else 0.12)
    pct = np.array([5, 10, 15, 20, 25, 30])[rng.integers(0, 6, len(owner))]
    discount = np.where(
        discounted, _round_minor(quantity * unit * pct / 100.0, cur, floor=True), 0
    ).astype(np.int64)
    total = np.bincount(owner, weights=quantity * unit - discount, minlength=n).astype(np.int64)
    frame = pl.DataFrame(
        {
            "order_id": order_id[owner],
            "line_number": line_number.astype(np.int32),
            "product_id": product.astype(np.int64),
            "quantity": quantity.astype(np.int32),
            "unit_price": unit,
            "discount_amount": discount,
        }
    )
    return frame, total


def _lifecycle(
    rng: np.random.Generator, ordered: np.ndarray, method: np.ndarray, country: np.ndarray
) -> dict[str, np.ndarray]:
    """Times (Unix seconds, -1 if it never happens) of each order's lifecycle steps."""
    n = len(ordered)
    cancelled = rng.random(n) < reference.CANCEL_RATE
    authorised = ordered + rng.integers(1, 60, n)
    cancel_at = ordered + np.clip(rng.exponential(4 * _HOUR, n), 60, 2 * _DAY).astype(np.int64)
    bank = method == reference.PAYMENT_METHODS.index("bank_transfer")
    capture_delay = np.where(
        bank, rng.uniform(0.5, 3.0, n) * _DAY, rng.integers(30, 900, n)
    ).astype(np.int64)
    handling = np.clip(rng.lognormal(np.log(20 * _HOUR), 0.6, n), 2 * _HOUR, 5 * _DAY)
    warehouse = _pick_per_country(rng, country, _COUNTRY_WAREHOUSES, 0.5)
    carrier = _pick_per_country(rng, country, _COUNTRY_CARRIERS, 0.6)
    domestic = _WAREHOUSE_COUNTRY[warehouse] == country
    transit = np.where(domestic, rng.uniform(1, 4, n), rng.uniform(3, 9, n)) * _DAY
    returned = ~cancelled & (rng.random(n) < reference.RETURN_RATE)
    partial = (
        ~cancelled
        & ~returned
        & (rng.random(n) < reference.PARTIAL_REFUND_RATE / (1 - reference.RETURN_RATE))
    )
    return_delay = (rng.uniform(3, 30, n) * _DAY).astype(np.int64)
    refund_after_return = rng.integers(_HOUR, 3 * _DAY, n)
    partial_delay = (rng.uniform(1, 14, n) * _DAY).astype(np.int64)
    refund_share = np.where(returned & (rng.random(n) < 0.7), 1.0, rng.uniform(0.1, 0.5, n))

    captured = np.where(cancelled, -1, ordered + capture_delay)
    shipped = np.where(cancelled, -1, captured + handling.astype(np.int64))
    delivered = np.where(cancelled, -1, shipped + transit.astype(np.int64))
    returned_at = np.where(returned, delivered + return_delay, -1)
    refunded = np.where(
        returned,
        returned_at + refund_after_return,
        np.where(partial, delivered + partial_delay, -1),
    )
    return {
        "ordered": ordered,
        "authorised": authorised,
        "captured": captured,
        "cancelled": np.where(cancelled, cancel_at, -1),
        "shipped": shipped,
        "delivered": delivered,
        "returned": returned_at,
        "refunded": refunded,
        "refund_share": refund_share,
        "warehouse": warehouse,
        "carrier": carrier,
    }


def _exports(
    rng: np.random.Generator, life: dict[str, np.ndarray], base: pl.DataFrame
) -> pl.DataFrame:
    """The shop's daily export rows: per order and day with a change, its status at day end."""
    steps = ("ordered", "captured", "cancelled", "shipped", "delivered", "returned")
    statuses = ("placed", "paid", "cancelled", "shipped", "delivered", "returned")
    idx, ts, status = [], [], []
    for step, name in zip(steps, statuses, strict=True):
        times = life[step]
        rows = np.nonzero(times >= 0)[0]
        idx.append(rows)
        ts.append(times[rows])
        status.append(np.full(len(rows), STATUS[name], dtype=np.int8))
    row, when, code = np.concatenate(idx), np.concatenate(ts), np.concatenate(status)
    order = np.lexsort((when, row))
    row, when, code = row[order], when[order], code[order]
    event_day = when // _DAY
    last_of_day = np.ones(len(row), dtype=bool)
    last_of_day[:-1] = (row[1:] != row[:-1]) | (event_day[1:] != event_day[:-1])
    row, when, code = row[last_of_day], when[last_of_day], code[last_of_day]
    dt = when // _DAY + _lag(rng, len(row))
    return base[row].with_columns(
        pl.Series("updated_at", when), pl.Series("status", code), pl.Series("dt", dt)
    )


def _payments(
    rng: np.random.Generator,
    life: dict[str, np.ndarray],
    order_id: np.ndarray,
    total: np.ndarray,
    currency: np.ndarray,
    method: np.ndarray,
) -> pl.DataFrame:
    """Payment events: authorised (all), captured (all not cancelled), refunded (some)."""
    refund_amount = _round_minor(total * life["refund_share"], currency)
    parts = []
    for kind, step in enumerate(("authorised", "captured", "refunded")):
        rows = np.nonzero(life[step] >= 0)[0]
        amount = refund_amount[rows] if step == "refunded" else total[rows]
        parts.append(
            pl.DataFrame(
                {
                    "order_id": order_id[rows],
                    "kind": np.full(len(rows), kind, dtype=np.int8),
                    "amount_cents": amount.astype(np.int64),
                    "currency": currency[rows].astype(np.int8),
                    "method": method[rows].astype(np.int8),
                    "event_us": life[step][rows] * 1_000_000
                    + rng.integers(0, 1_000_000, len(rows)),
                }
            )
        )
    frame = pl.concat(parts)
    dt = frame["event_us"].to_numpy() // (_DAY * 1_000_000) + _lag(rng, frame.height)
    return frame.with_columns(pl.Series("dt", dt))


def _shipments(
    rng: np.random.Generator, life: dict[str, np.ndarray], order_id: np.ndarray
) -> pl.DataFrame:
    """Shipment events: one row when shipped, one when delivered."""
    rows = np.nonzero(life["shipped"] >= 0)[0]
    shipped = life["shipped"][rows]
    delivered = life["delivered"][rows]
    common = {
        "order_id": np.tile(order_id[rows], 2),
        "carrier": np.tile(life["carrier"][rows], 2).astype(np.int8),
        "warehouse": np.tile(life["warehouse"][rows], 2).astype(np.int8),
        "shipped_at": np.tile(shipped, 2),
    }
    delivered_col = np.concatenate([np.full(len(rows), -1), delivered])
    event = np.concatenate([shipped, delivered])
    dt = event // _DAY + _lag(rng, len(event))
    return pl.DataFrame(
        {**common, "delivered_at": delivered_col, "event_at": event, "dt": dt}
    ).with_columns(
        pl.when(pl.col("delivered_at") >= 0).then(pl.col("delivered_at")).alias("delivered_at")
    )
