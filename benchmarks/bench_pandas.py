"""`make bench`'s comparison for one mart: rpt_sales_daily in pandas, from the same lake files.

What a pandas user would write: read the orders (CSV), order lines (Parquet) and payments (Avro)
of the lake and the reference seeds, apply the main rules of staging (types, known codes, an FX
rate for the month, not in the future, the first copy of a record and its latest version), convert
to USD at the monthly rate, and sum per day, country and channel, cancelled orders left out. It
does not re-implement every quarantine rule of the dbt path; the bench compares its result with
the warehouse's mart and reports how many rows agree.

    python -m benchmarks.bench_pandas LAKE SEEDS OUT.parquet
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import polars as pl

FORMAT = "%Y-%m-%d %H:%M:%S"
PAYMENT_METHODS = {"card", "paypal", "bank_transfer", "gift_card"}
EVENT_TYPES = {"authorised", "captured", "refunded"}


def _files(lake: Path, folder: str, ext: str) -> list[Path]:
    return sorted((lake / folder).glob(f"dt=*/*{ext}"))


def _numbered(frames: list[pd.DataFrame], files: list[Path]) -> pd.DataFrame:
    """The frames of each file stacked, with the file and the row's position in it."""
    for path, frame in zip(files, frames, strict=True):
        frame["_source_file"] = str(path)
        frame["_line_number"] = range(1, len(frame) + 1)
    return pd.concat(frames, ignore_index=True)


def _orders(lake: Path, seeds: Path, fx: pd.DataFrame) -> pd.DataFrame:
    files = _files(lake, "shop/orders", ".csv")
    raw = _numbered(
        [pd.read_csv(p, dtype=str, keep_default_na=False, on_bad_lines="skip") for p in files],
        files,
    )
    orders = pd.DataFrame(
        {
            "order_id": pd.to_numeric(raw["order_id"].str.strip(), errors="coerce"),
            "customer_id": pd.to_numeric(raw["customer_id"].str.strip(), errors="coerce"),
            "ordered_at": pd.to_datetime(
                raw["ordered_at"].str.strip(), format=FORMAT, errors="coerce"
            ),
            "updated_at": pd.to_datetime(
                raw["updated_at"].str.strip(), format=FORMAT, errors="coerce"
            ),
            "status": raw["status"].str.strip().str.lower(),
            "channel": raw["channel"].str.strip().str.lower(),
            "currency_code": raw["currency_code"].str.strip().str.upper(),
            "country_code": raw["country_code"].str.strip().str.upper(),
            "_source_file": raw["_source_file"],
            "_line_number": raw["_line_number"],
        }
    )
    known = {
        "status": pd.read_csv(seeds / "ref_order_statuses.csv")["status"],
        "channel": pd.read_csv(seeds / "ref_channels.csv")["channel"],
        "currency_code": pd.read_csv(seeds / "ref_currencies.csv")["currency_code"],
        "country_code": pd.read_csv(seeds / "ref_countries.csv", keep_default_na=False)[
            "country_code"
        ],
    }
    valid = orders[["order_id", "customer_id", "ordered_at", "updated_at"]].notna().all(axis=1)
    for column, values in known.items():
        valid &= orders[column].isin(set(values))
    orders["month"] = orders["ordered_at"].dt.to_period("M").dt.to_timestamp()
    with_rate = orders.merge(fx, on=["currency_code", "month"], how="left")["usd_per_unit"]
    valid &= with_rate.notna().to_numpy()
    future = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=24)
    valid &= orders["ordered_at"] <= future
    orders = orders[valid]
    # the first copy of each version, then the latest version of each order
    orders = orders.sort_values(
        ["updated_at", "_source_file", "_line_number"], ascending=[False, True, True]
    )
    return orders.drop_duplicates("order_id", keep="first")


def _order_items(lake: Path) -> pd.DataFrame:
    files = _files(lake, "shop/order_items", ".parquet")
    items = _numbered([pd.read_parquet(p) for p in files], files)
    quantity = items["quantity"].astype("float64")
    line_value = quantity * items["unit_price"].astype("float64")
    discount = items["discount_amount"].astype("float64")
    valid = items[["order_id", "line_number", "product_id"]].notna().all(axis=1)
    valid &= (quantity > 0) & (items["unit_price"].astype("float64") >= 0)
    valid &= (discount >= 0) & (discount <= line_value)
    items = items[valid].sort_values(["_source_file", "_line_number"])
    items = items.drop_duplicates(["order_id", "line_number"], keep="first")
    return items.assign(line_amount=(line_value - discount)[items.index].round(2))


def _payments(lake: Path) -> pd.DataFrame:
    files = _files(lake, "payments/payments", ".avro")
    payments = _numbered([pl.read_avro(p).to_pandas() for p in files], files)
    amount = pd.to_numeric(payments["amount"], errors="coerce")
    valid = payments["payment_id"].fillna("").str.strip().ne("") & payments["order_id"].notna()
    valid &= payments["event_type"].str.strip().str.lower().isin(EVENT_TYPES)
    valid &= amount.notna() & (amount >= 0) & amount.abs().lt(1e12)
    valid &= payments["method"].str.strip().str.lower().isin(PAYMENT_METHODS)
    payments = payments.assign(
        event_type=payments["event_type"].str.strip().str.lower(), amount=amount
    )[valid]
    payments = payments.sort_values(["_source_file", "_line_number"])
    return payments.drop_duplicates("payment_id", keep="first")


def sales_daily(lake: Path, seeds: Path) -> pd.DataFrame:
    """rpt_sales_daily: one row per day, country and channel, cancelled orders left out."""
    fx = pd.read_csv(seeds / "ref_fx_rates_monthly.csv", parse_dates=["month"])
    orders = _orders(lake, seeds, fx).merge(fx, on=["currency_code", "month"], how="left")
    items = _order_items(lake).merge(
        orders[["order_id", "usd_per_unit"]], on="order_id", how="inner"
    )
    items["line_amount_usd"] = (items["line_amount"] * items["usd_per_unit"]).round(2)
    totals = items.groupby("order_id").agg(
        item_quantity=("quantity", "sum"),
        gross_revenue=("line_amount", "sum"),
        gross_revenue_usd=("line_amount_usd", "sum"),
    )
    payments = _payments(lake)
    refunds = (
        payments[payments["event_type"] == "refunded"]
        .merge(orders[["order_id", "usd_per_unit"]], on="order_id", how="inner")
        .assign(amount_usd=lambda f: (f["amount"] * f["usd_per_unit"]).round(2))
        .groupby("order_id")
        .agg(refunded=("amount", "sum"), refunded_monthly_usd=("amount_usd", "sum"))
    )
    facts = orders.join(totals, on="order_id").join(refunds, on="order_id")
    gross = facts["gross_revenue"].fillna(0)
    gross_usd = facts["gross_revenue_usd"].fillna(0)
    refunded_usd = (facts["refunded"] * gross_usd / gross.where(gross != 0)).round(2)
    refunded_usd = refunded_usd.fillna(facts["refunded_monthly_usd"]).fillna(0)
    facts = facts.assign(
        order_date=facts["ordered_at"].dt.date,
        item_quantity=facts["item_quantity"].fillna(0),
        gross_revenue_usd=gross_usd.round(2),
        refunded_usd=refunded_usd,
        net_revenue_usd=(gross_usd - refunded_usd).round(2),
    )
    statuses = pd.read_csv(seeds / "ref_order_statuses.csv")
    cancelled = set(statuses.loc[statuses["is_cancelled"], "status"])
    facts = facts[~facts["status"].isin(cancelled)]
    countries = pd.read_csv(seeds / "ref_countries.csv", keep_default_na=False)
    facts = facts.merge(countries[["country_code", "region_name"]], on="country_code")
    daily = facts.groupby(
        ["order_date", "country_code", "region_name", "channel"], as_index=False
    ).agg(
        order_count=("order_id", "size"),
        item_quantity=("item_quantity", "sum"),
        gross_revenue_usd=("gross_revenue_usd", "sum"),
        refunded_usd=("refunded_usd", "sum"),
        net_revenue_usd=("net_revenue_usd", "sum"),
    )
    return daily.round({"gross_revenue_usd": 2, "refunded_usd": 2, "net_revenue_usd": 2})


def main() -> None:
    lake, seeds, out = (Path(arg) for arg in sys.argv[1:4])
    sales_daily(lake, seeds).to_parquet(out, index=False)


if __name__ == "__main__":
    main()
