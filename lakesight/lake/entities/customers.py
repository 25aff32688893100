"""The CRM: who the customers are, when they sign up, how they change, and their JSON records.

Attributes are drawn in fixed blocks of customer ids from their own random stream, so customer
17 is the same person whatever the length of the generated range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lakesight.lake import reference
from lakesight.lake.clock import COUNTRY_WEIGHTS, pick, seconds_of_day
from lakesight.lake.rng import SECONDS_PER_DAY, Stream, rng_for

BLOCK = 4096
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXY"


def _fill(pattern: str, number: int) -> str:
    """Replace `#` with digits and `A` with letters taken from `number`."""
    digits = f"{number:020d}"
    out = []
    pos = 0
    for ch in pattern:
        if ch == "#":
            out.append(digits[-1 - pos])
            pos += 1
        elif ch == "A":
            out.append(_LETTERS[int(digits[-1 - pos]) * 2 + pos % 2])
            pos += 1
        else:
            out.append(ch)
    return "".join(out)


def _table(options: list[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-country option lists flattened: (values, offset per country, length per country)."""
    lengths = np.array([len(o) for o in options])
    values = np.array([v for o in options for v in o], dtype=object)
    return values, np.cumsum(lengths) - lengths, lengths


def _choose(
    table: tuple[np.ndarray, np.ndarray, np.ndarray], country: np.ndarray, u: np.ndarray
) -> list[str]:
    """For each row, its country's option at position floor(u * number of options)."""
    values, offset, length = table
    return values[offset[country] + (u * length[country]).astype(np.int64)].tolist()


def _stamps(seconds: np.ndarray) -> list[str]:
    """`YYYY-MM-DD HH:MM:SS` strings of Unix seconds."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"))
    return [t.replace("T", " ") for t in text.tolist()]


_POOLS = [reference.NAME_POOLS[c.names] for c in reference.COUNTRIES]
_FIRST = _table([p[0] for p in _POOLS])
_LAST = _table([p[1] for p in _POOLS])
_FIRST_SLUG = _table([tuple(reference.ascii_slug(n) for n in p[0]) for p in _POOLS])
_LAST_SLUG = _table([tuple(reference.ascii_slug(n) for n in p[1]) for p in _POOLS])
_CITY = _table([c.cities for c in reference.COUNTRIES])
_STREET = _table([c.streets for c in reference.COUNTRIES])


@dataclass
class Customers:
    """Column arrays for customer ids 1..n (index = id - 1); mutable profile fields included."""

    country: np.ndarray
    segment: np.ndarray
    order_weight: np.ndarray
    lifetime_days: np.ndarray
    orders_on_signup: np.ndarray
    signup_u: np.ndarray
    base_age_u: np.ndarray
    first_u: np.ndarray
    last_u: np.ndarray
    age_days: np.ndarray
    domain: np.ndarray
    city_u: np.ndarray
    street_u: np.ndarray
    house: np.ndarray
    postal: np.ndarray
    phone: np.ndarray
    signup_s: np.ndarray
    signup_day: np.ndarray

    @classmethod
    def draw(cls, seed: int, n: int) -> Customers:
        """Attributes of customers 1..n (signup times are set by `place_signups`)."""
        blocks = [_draw_block(seed, b) for b in range(max(1, (n + BLOCK - 1) // BLOCK))]
        cols = {k: np.concatenate([b[k] for b in blocks])[:n] for k in blocks[0]}
        zeros = np.zeros(n, dtype=np.int64)
        return cls(**cols, signup_s=zeros.copy(), signup_day=zeros.copy())

    def place_signups(self, first_day: int, base: int, signups: np.ndarray) -> None:
        """Set sign-up times: base customers before `first_day`, the rest on their day."""
        n = len(self.country)
        history = reference.BASE_CUSTOMER_HISTORY_DAYS * SECONDS_PER_DAY
        base_ids = min(base, n)
        first_s = first_day * SECONDS_PER_DAY
        self.signup_s[:base_ids] = (
            first_s - 1 - (self.base_age_u[:base_ids] * history).astype(np.int64)
        )
        days = np.repeat(np.arange(first_day, first_day + len(signups)), signups)[: n - base_ids]
        tod = seconds_of_day(self.country[base_ids:], self.signup_u[base_ids:])
        self.signup_s[base_ids:] = days * SECONDS_PER_DAY + tod
        self.signup_day[:] = self.signup_s // SECONDS_PER_DAY

    def active_weights(self, day: int, upto: int) -> np.ndarray:
        """Order propensity of customers 1..upto on `day` (0 once a customer has churned)."""
        age = day - self.signup_day[:upto]
        return np.where(age < self.lifetime_days[:upto], self.order_weight[:upto], 0.0)

    def record(self, cid: int, updated_s: int) -> dict[str, Any]:
        """The CRM's JSON record of customer `cid` as of now (its current profile)."""
        return self.records(np.array([cid]), np.array([updated_s]))[0]

    def records(self, ids: np.ndarray, updated_s: np.ndarray) -> list[dict[str, Any]]:
        """The CRM's JSON records of customers `ids` (current profiles), column-wise."""
        i = np.asarray(ids, dtype=np.int64) - 1
        country = self.country[i].astype(np.int64)
        first = _choose(_FIRST, country, self.first_u[i])
        last = _choose(_LAST, country, self.last_u[i])
        email_first = _choose(_FIRST_SLUG, country, self.first_u[i])
        email_last = _choose(_LAST_SLUG, country, self.last_u[i])
        street = _choose(_STREET, country, self.street_u[i])
        city = _choose(_CITY, country, self.city_u[i])
        dob = np.datetime_as_string((self.signup_day[i] - self.age_days[i]).astype("datetime64[D]"))
        signed = _stamps(self.signup_s[i])
        updated = _stamps(np.asarray(updated_s, dtype=np.int64))
        rows = zip(
            (i + 1).tolist(), country.tolist(), first, last, email_first, email_last, street,
            city, dob.tolist(), self.segment[i].tolist(), self.domain[i].tolist(),
            self.house[i].tolist(), self.phone[i].tolist(), self.postal[i].tolist(), signed,
            updated, strict=True,
        )  # fmt: skip
        out = []
        for cid, c, fn, ln, ef, el, sn, ci, born, seg, dom, house, phone, postal, su, up in rows:
            place = reference.COUNTRIES[c]
            out.append(
                {
                    "customer_id": cid,
                    "first_name": fn,
                    "last_name": ln,
                    "email": f"{ef}.{el}{cid}@{reference.EMAIL_DOMAINS[dom]}",
                    "phone": f"+{place.dial} {_fill(place.phone, phone)}",
                    "date_of_birth": born,
                    "segment": reference.SEGMENTS[seg],
                    "address": {
                        "street": f"{house} {sn}" if place.number_first else f"{sn} {house}",
                        "city": ci,
                        "postal_code": _fill(place.postal, postal),
                        "country_code": place.code,
                    },
                    "signed_up_at": su,
                    "updated_at": up,
                }
            )
        return out

    def apply_updates(self, seed: int, day: int, existing: int, emit: bool) -> list[dict[str, Any]]:
        """Change some profiles of customers 1..existing on `day`, in time order.

        With `emit`, returns the record written after each change (else an empty list).
        """
        rng = rng_for(seed, Stream.CUSTOMER_UPDATES, day)
        k = (
            int(rng.poisson(existing * reference.CUSTOMER_UPDATES_PER_YEAR / 365.0))
            if existing
            else 0
        )
        k = min(k, existing)
        ids = rng.choice(existing, size=k, replace=False) + 1
        field = pick(rng, (0.5, 0.3, 0.2), k)
        times = day * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, size=k)
        new_u = rng.random((k, 2))
        new_house = rng.integers(1, 300, size=k)
        new_number = rng.integers(10**11, 10**12, size=k)
        new_step = rng.integers(1, 3, size=k)
        records = []
        for j in np.argsort(times, kind="stable"):
            i = int(ids[j]) - 1
            if field[j] == 0:
                self.city_u[i], self.street_u[i] = new_u[j]
                self.house[i] = new_house[j]
                self.postal[i] = new_number[j] % 10**9
            elif field[j] == 1:
                self.phone[i] = new_number[j]
            else:
                self.segment[i] = (self.segment[i] + new_step[j]) % len(reference.SEGMENTS)
            if emit:
                records.append(self.record(i + 1, int(times[j])))
        return records


def _draw_block(seed: int, block: int) -> dict[str, np.ndarray]:
    """Attributes of customer ids block*BLOCK+1 … (block+1)*BLOCK."""
    rng = rng_for(seed, Stream.CUSTOMER_ATTRIBUTES, block)
    n = BLOCK
    segment = pick(rng, reference.SEGMENT_WEIGHTS, n).astype(np.int8)
    weight = rng.lognormal(0.0, 0.9, n) * np.asarray(reference.SEGMENT_ORDER_MULTIPLIER)[segment]
    loyal = rng.random(n) < reference.LOYAL_CUSTOMER_SHARE
    lifetime = np.where(loyal, np.inf, rng.exponential(reference.MEAN_CUSTOMER_LIFETIME_DAYS, n))
    return {
        "country": pick(rng, COUNTRY_WEIGHTS, n).astype(np.int16),
        "segment": segment,
        "order_weight": weight,
        "lifetime_days": lifetime,
        "orders_on_signup": rng.random(n) < reference.FIRST_ORDER_PROBABILITY,
        "signup_u": rng.random(n),
        "base_age_u": rng.random(n),
        "first_u": rng.random(n),
        "last_u": rng.random(n),
        "age_days": (365.25 * (18 + 55 * rng.beta(2.0, 3.5, n))).astype(np.int64),
        "domain": rng.integers(0, len(reference.EMAIL_DOMAINS), n),
        "city_u": rng.random(n),
        "street_u": rng.random(n),
        "house": rng.integers(1, 300, n),
        "postal": rng.integers(0, 10**9, n),
        "phone": rng.integers(10**11, 10**12, n),
    }
