"""Generate a lake, or append days to one: the day loop and the partition writer.

Every run replays the lake from its first day: cheap state (counts, price changes, profile
changes) for every day, full order cohorts from `LOOKBACK_DAYS` before the first written day
(their late events still land in written partitions), and files only for the written days.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lakesight.lake import reference, render, tables, volume
from lakesight.lake.entities import bad
from lakesight.lake.entities.orders import LOOKBACK_DAYS, order_cohort
from lakesight.lake.entities.products import Catalogue, midnight
from lakesight.lake.entities.reviews import review_records
from lakesight.lake.entities.weblogs import W3C_HEADER, apache_lines, w3c_lines, web_cohort
from lakesight.lake.manifest import MANIFEST_NAME, LakeError, LakeManifest
from lakesight.lake.plan import Plan
from lakesight.lake.rng import day_number, day_of
from lakesight.lake.tables import TableSpec
from lakesight.lake.writers import write_avro, write_lines, write_orc, write_parquet

OnDay = Callable[[dt.date], None]
Pending = defaultdict[int, defaultdict[str, list[pl.DataFrame]]]


def check_options(scale: float, start: dt.date, days: int) -> None:
    """Refuse options the lake cannot be generated with."""
    if not scale > 0:
        raise LakeError(f"--scale must be greater than 0 (got {scale}).")
    if days < 1:
        raise LakeError(f"--days must be at least 1 (got {days}).")
    end = start + dt.timedelta(days=days - 1)
    if start < reference.MIN_DAY or end > reference.MAX_DAY:
        raise LakeError(
            f"The range {start} … {end} is outside {reference.MIN_DAY} … {reference.MAX_DAY}, "
            "the period the FX and target seeds cover."
        )


def generate(
    lake: Path,
    *,
    scale: float,
    start: dt.date,
    days: int,
    seed: int,
    force: bool = False,
    on_day: OnDay | None = None,
) -> LakeManifest:
    """Write a new lake into `lake` (refusing a non-empty folder unless `force`)."""
    check_options(scale, start, days)
    _prepare_folder(lake, force)
    manifest = LakeManifest.new(scale, seed, start, days)
    first = day_number(start)
    _run(lake, manifest, first, first + days - 1, on_day)
    manifest.write(lake)
    return manifest


def append(lake: Path, *, days: int, on_day: OnDay | None = None) -> LakeManifest:
    """Write the `days` days after the lake's last day and update `_lake.json`."""
    manifest = LakeManifest.read(lake)
    check_options(manifest.scale, manifest.start, manifest.days + days)
    out_first = day_number(manifest.end) + 1
    manifest.days += days
    _run(lake, manifest, out_first, out_first + days - 1, on_day)
    manifest.write(lake)
    return manifest


def _prepare_folder(lake: Path, force: bool) -> None:
    """Make sure `lake` exists and is empty, wiping a previous lake only with `force`."""
    if lake.exists() and not lake.is_dir():
        raise LakeError(f"{lake} exists and is not a folder.")
    entries = sorted(p.name for p in lake.iterdir()) if lake.exists() else []
    if entries and not force:
        raise LakeError(f"{lake} is not empty; use --force to replace the lake in it.")
    foreign = [e for e in entries if e != MANIFEST_NAME and e not in tables.SYSTEMS]
    if foreign:
        raise LakeError(
            f"--force only replaces a lake, but {lake} also holds {foreign[0]!r}; "
            "remove it yourself or choose another --lake."
        )
    for entry in entries:
        path = lake / entry
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    lake.mkdir(parents=True, exist_ok=True)


def _run(
    lake: Path, manifest: LakeManifest, out_first: int, out_last: int, on_day: OnDay | None
) -> None:
    """Replay the lake from its first day and write partitions out_first … out_last."""
    first = day_number(manifest.start)
    plan = Plan.build(manifest.seed, manifest.scale, first, out_last)
    catalogue = Catalogue.draw(manifest.seed, volume.product_count(manifest.scale))
    pending: Pending = defaultdict(lambda: defaultdict(list))
    writer = _PartitionWriter(lake, manifest, plan, catalogue)
    for day in range(first, out_last + 1):
        writing = day >= out_first
        changed = catalogue.apply_price_changes(plan.seed, day) if day > first else []
        if day == first:
            changed = list(range(1, len(catalogue) + 1))
        products = [catalogue.record(p, midnight(day)) for p in changed] if writing else []
        customers = writer.signup_records(day) if writing else []
        existing = int(plan.customers_before[plan.index(day)])
        customers += plan.customers.apply_updates(plan.seed, day, existing, emit=writing)
        if day >= out_first - LOOKBACK_DAYS:
            for name, frame in order_cohort(plan, catalogue, day).items():
                _stash(pending, name, frame, out_first, out_last)
        if day >= out_first - 1:
            _stash(pending, "access_logs", web_cohort(plan, catalogue, day), out_first, out_last)
        if writing:
            arrived = pending.pop(day, defaultdict(list))
            writer.write(day, arrived, customers, products)
            if on_day is not None:
                on_day(day_of(day))


def _stash(pending: Pending, table: str, frame: pl.DataFrame, lo: int, hi: int) -> None:
    """Queue the rows of `frame` by arrival day, keeping only days that will be written."""
    frame = frame.filter(pl.col("dt").is_between(lo, hi))
    if frame.height == 0:
        return
    for (arrival,), part in frame.partition_by(
        "dt", as_dict=True, include_key=False, maintain_order=True
    ).items():
        pending[int(arrival)][table].append(part)


class _PartitionWriter:
    """Writes one day's partition of every table, with its bad records, and counts them."""

    def __init__(
        self, lake: Path, manifest: LakeManifest, plan: Plan, catalogue: Catalogue
    ) -> None:
        self.lake = lake
        self.manifest = manifest
        self.plan = plan
        self.catalogue = catalogue

    def signup_records(self, day: int) -> list[dict[str, Any]]:
        """CRM records written on `day`: the initial export on the first day, then sign-ups."""
        customers = self.plan.customers
        ids = self.plan.new_customer_ids(day)
        if day == self.plan.first_day:
            ids = np.concatenate([np.arange(1, self.plan.base_customers + 1), ids])
        return customers.records(ids, customers.signup_s[ids - 1])

    def _path(self, table: TableSpec, day: int, file: int = 0) -> Path:
        return self.lake / table.path / f"dt={day_of(day).isoformat()}" / table.files[file]

    def _place(self, table: TableSpec, day: int, n: int) -> tuple[Any, bad.Placement]:
        return bad.place(self.plan.seed, table, day, n, self.manifest.seen(table.name))

    def write(
        self,
        day: int,
        arrived: dict[str, list[pl.DataFrame]],
        customers: list[dict[str, Any]],
        products: list[dict[str, Any]],
    ) -> None:
        """Write every table's files for `day`; tables with no records get no partition."""
        self._orders(day, arrived.get("orders", []))
        self._order_items(day, arrived.get("order_items", []))
        customers.sort(key=lambda r: r["updated_at"])
        self._json(tables.CUSTOMERS, day, customers)
        self._json(tables.PRODUCTS, day, products)
        self._payments(day, arrived.get("payments", []))
        self._shipments(day, arrived.get("shipments", []))
        self._access_logs(day, arrived.get("access_logs", []))
        self._json(tables.REVIEW_LABELS, day, review_records(self.plan, self.catalogue, day))

    def _orders(self, day: int, frames: list[pl.DataFrame]) -> None:
        if not frames:
            return
        text = render.orders_text(pl.concat(frames))
        rng, placement = self._place(tables.ORDERS, day, text.height)
        out = bad.orders(rng, text, placement, render.orders_lines)
        write_lines(self._path(tables.ORDERS, day), out["line"], (render.ORDERS_HEADER,))
        self.manifest.count("orders", out.height, bad.counts(placement))

    def _order_items(self, day: int, frames: list[pl.DataFrame]) -> None:
        if not frames:
            return
        good = render.order_items(pl.concat(frames))
        _, placement = self._place(tables.ORDER_ITEMS, day, good.height)
        out = bad.order_items(good, placement)
        write_parquet(self._path(tables.ORDER_ITEMS, day), render.order_items_arrow(out))
        self.manifest.count("order_items", out.height, bad.counts(placement))

    def _payments(self, day: int, frames: list[pl.DataFrame]) -> None:
        if not frames:
            return
        good = render.payments(pl.concat(frames))
        _, placement = self._place(tables.PAYMENTS, day, good.height)
        out = bad.payments(good, placement)
        write_avro(self._path(tables.PAYMENTS, day), out, "payment", ("event_at",))
        self.manifest.count("payments", out.height, bad.counts(placement))

    def _shipments(self, day: int, frames: list[pl.DataFrame]) -> None:
        if not frames:
            return
        good = render.shipments(pl.concat(frames))
        _, placement = self._place(tables.SHIPMENTS, day, good.height)
        out = bad.shipments(good, placement)
        write_orc(self._path(tables.SHIPMENTS, day), render.shipments_arrow(out))
        self.manifest.count("shipments", out.height, bad.counts(placement))

    def _json(self, table: TableSpec, day: int, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        rng, placement = self._place(table, day, len(records))
        out = bad.json_lines(rng, records, placement)
        write_lines(self._path(table, day), out["line"])
        self.manifest.count(table.name, out.height, bad.counts(placement))

    def _access_logs(self, day: int, frames: list[pl.DataFrame]) -> None:
        if not frames:
            return
        views = pl.concat(frames).sort("ts", maintain_order=True)
        files = [
            w3c_lines(views.filter(pl.col("apache") == 0)),
            apache_lines(views.filter(pl.col("apache") == 1)),
        ]
        total = sum(len(f) for f in files)
        rng, placement = self._place(tables.ACCESS_LOGS, day, total)
        after = placement.get("neither_format")
        offset, records = 0, 0
        for index, lines in enumerate(files):
            extras = []
            if after is not None:
                mine = after[(after >= offset) & (after < offset + len(lines))] - offset
                junk = [bad.neither_format(rng, lines[int(i)], day) for i in mine]
                if len(mine):
                    extras.append((mine, bad.lines_frame(junk)))
            offset += len(lines)
            if len(lines) == 0:
                continue
            out = bad.interleave(bad.lines_frame(lines), extras)
            header = W3C_HEADER if index == 0 else ()
            write_lines(self._path(tables.ACCESS_LOGS, day, index), out["line"], header)
            records += out.height
        self.manifest.count("access_logs", records, bad.counts(placement))
