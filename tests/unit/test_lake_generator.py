"""The lake generator: determinism, append, formats, bad records, scaling and the CLI.

Every lake here is tiny (scale 0.002-0.02, 8-20 days) and lives in pytest's tmp_path. Files are
read back with independent readers (csv, json, pyarrow, polars), never with generator code.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lakesight.cli import app
from lakesight.lake import reference
from lakesight.lake.generate import append, generate
from lakesight.lake.manifest import LakeError
from lakesight.load.schema import RAW_COLUMNS

SMALL: dict[str, Any] = {"scale": 0.002, "start": dt.date(2025, 3, 1), "days": 12, "seed": 7}
#: the header the orders' loader declares (the raw schema's table of truth)
ORDER_COLUMNS = list(RAW_COLUMNS["raw_shop__orders"])
W3C = re.compile(
    r"^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t[A-Z]{3}\d+-[A-Z]\d\t\d+\t[\d.]+\tGET\t\S+\t\S+\t"
    r"\d{3}\t\S+\t\S+\t\S+$"
)
APACHE = re.compile(
    r'^[\d.]+ - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \S+ HTTP/1\.1" '
    r'\d{3} (\d+|-) "[^"]*" "[^"]*"$'
)


def _make(root: Path, **options: Any) -> Path:
    lake = root / "lake"
    generate(lake, **{**SMALL, **options})
    return lake


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small lake shared by the read-only tests of this module."""
    return _make(tmp_path_factory.mktemp("small"))


def _hashes(lake: Path) -> dict[str, str]:
    return {
        str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(lake.rglob("*"))
        if p.is_file()
    }


def _manifest(lake: Path) -> dict[str, Any]:
    return json.loads((lake / "_lake.json").read_text())


def _files(lake: Path, table: str, name: str = "part-0000") -> list[Path]:
    path = _manifest(lake)["tables"][table]["path"]
    return sorted((lake / path).glob(f"dt=*/{name}.*"))


def _json_lines(lake: Path, table: str) -> tuple[list[dict[str, Any]], int]:
    """Parsed records of a JSON Lines table and the number of lines that are not JSON."""
    records, invalid = [], 0
    for file in _files(lake, table):
        for line in file.read_text(encoding="utf-8").split("\n")[:-1]:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                invalid += 1
    return records, invalid


def _csv_rows(lake: Path) -> list[list[str]]:
    rows = []
    for file in _files(lake, "orders"):
        with file.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            assert next(reader) == ORDER_COLUMNS
            rows.extend(reader)
    return rows


def _is_stamp(text: str) -> bool:
    try:
        dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# determinism and append
# --------------------------------------------------------------------------------------------


def test_same_options_give_byte_identical_files(tmp_path: Path) -> None:
    first = _hashes(_make(tmp_path / "a"))
    assert first == _hashes(_make(tmp_path / "b"))
    assert len(first) > 50


def test_another_seed_gives_other_files(tmp_path: Path) -> None:
    a = _hashes(_make(tmp_path / "a"))
    b = _hashes(_make(tmp_path / "b", seed=8))
    changed = [name for name in a.keys() & b.keys() if a[name] != b[name]]
    assert len(changed) > len(a) // 2


def test_append_equals_one_generation(tmp_path: Path) -> None:
    whole = _make(tmp_path / "whole", days=20)
    pieces = _make(tmp_path / "pieces", days=9)
    append(pieces, days=4)
    append(pieces, days=7)
    assert _hashes(pieces) == _hashes(whole)
    assert _manifest(pieces)["days"] == 20
    assert _manifest(pieces)["end"] == "2025-03-20"


# --------------------------------------------------------------------------------------------
# formats and documented columns
# --------------------------------------------------------------------------------------------


def test_layout_is_hive_partitioned_by_day(small: Path) -> None:
    expected = {t["path"]: t["files"] for t in _manifest(small)["tables"].values()}
    for path, files in expected.items():
        partitions = sorted((small / path).iterdir())
        assert partitions, path
        for partition in partitions:
            assert re.fullmatch(r"dt=2025-03-(0[1-9]|1[0-2])", partition.name)
            assert {f.name for f in partition.iterdir()} <= set(files)


def test_orders_csv(small: Path) -> None:
    rows = _csv_rows(small)
    good = [r for r in rows if len(r) == 8 and _is_stamp(r[2]) and not r[2].startswith("2099")]
    assert len(good) > 0.9 * len(rows)
    for order_id, customer_id, ordered_at, updated_at, status, channel, currency, country in good:
        assert order_id.isdigit() and customer_id.isdigit()
        assert _is_stamp(updated_at) and updated_at >= ordered_at
        assert status in reference.STATUSES and channel in reference.CHANNELS
        assert currency in (*reference.CURRENCIES, reference.UNKNOWN_CURRENCY)
        assert re.fullmatch(r"[A-Z]{2}", country)


def test_currency_follows_country(small: Path) -> None:
    currency_of = {c.code: c.currency for c in reference.COUNTRIES}
    for row in _csv_rows(small):
        if (
            len(row) == 8
            and row[6] != reference.UNKNOWN_CURRENCY
            and row[7] != reference.UNKNOWN_COUNTRY
        ):
            assert currency_of[row[7]] == row[6]


def test_order_items_parquet(small: Path) -> None:
    money = pa.decimal128(12, 2)
    expected = pa.schema(
        [
            ("order_id", pa.int64()),
            ("line_number", pa.int32()),
            ("product_id", pa.int64()),
            ("quantity", pa.int32()),
            ("unit_price", money),
            ("discount_amount", money),
        ]
    )
    for file in _files(small, "order_items"):
        table = pq.read_table(file)
        assert table.schema.remove_metadata() == expected
        for row in table.to_pylist():
            assert row["unit_price"] > 0
            assert 0 <= row["discount_amount"] < abs(row["quantity"]) * row["unit_price"]


def test_items_arrive_with_the_first_export_of_their_order(small: Path) -> None:
    first_export: dict[int, str] = {}
    for file in _files(small, "orders"):
        for row in list(csv.reader(file.open(encoding="utf-8")))[1:]:
            if row[0].isdigit():
                first_export.setdefault(int(row[0]), file.parent.name)
    for file in _files(small, "order_items"):
        for order_id in set(pq.read_table(file)["order_id"].to_pylist()):
            assert first_export[order_id] == file.parent.name


def test_payments_avro(small: Path) -> None:
    for file in _files(small, "payments"):
        assert b'"logicalType":"timestamp-micros"' in file.read_bytes()[:2000]
        frame = pl.read_avro(file)
        assert frame.schema == pl.Schema(
            {
                "payment_id": pl.String,
                "order_id": pl.Int64,
                "event_type": pl.String,
                "amount": pl.Float64,
                "currency_code": pl.String,
                "method": pl.String,
                "event_at": pl.Datetime("us", "UTC"),
            }
        )
        assert set(frame["event_type"]) <= set(reference.PAYMENT_EVENTS)
        assert set(frame["method"]) <= set(reference.PAYMENT_METHODS)
        assert (frame["amount"] > 0).all()


def test_shipments_orc(small: Path) -> None:
    carriers = {"DHL", "UPS", "FedEx", "USPS", "Royal Mail", "La Poste"}
    for file in _files(small, "shipments"):
        table = orc.read_table(file)
        assert table.column_names == [
            "shipment_id", "order_id", "carrier", "warehouse_code", "shipped_at", "delivered_at",
        ]  # fmt: skip
        assert pa.types.is_int64(table.schema.field("order_id").type)
        assert pa.types.is_timestamp(table.schema.field("shipped_at").type)
        assert pa.types.is_timestamp(table.schema.field("delivered_at").type)
        assert set(table["carrier"].to_pylist()) <= carriers


def test_customers_and_products_json(small: Path) -> None:
    customers, _ = _json_lines(small, "customers")
    keys = ["customer_id", "first_name", "last_name", "email", "phone", "date_of_birth", "segment",
            "address", "signed_up_at", "updated_at"]  # fmt: skip
    for record in customers:
        assert list(record) == keys
        assert set(record["address"]) == {"street", "city", "postal_code", "country_code"}
        assert record["segment"] in reference.SEGMENTS
        assert record["signed_up_at"] <= record["updated_at"]
    products, _ = _json_lines(small, "products")
    first_day = _files(small, "products")[0]
    assert first_day.parent.name == "dt=2025-03-01"
    catalogue = {json.loads(line)["product_id"] for line in first_day.read_text().splitlines()}
    assert catalogue == set(range(1, round(200 + 800 * SMALL["scale"]) + 1))
    for record in products:
        assert record["sku"] == f"SKU-{record['product_id']:06d}"
        assert set(record["category"]) == {"level_1", "level_2", "level_3"}


def test_review_labels_manifest(small: Path) -> None:
    records, _ = _json_lines(small, "review_labels")
    assert records
    for record in records:
        assert re.fullmatch(r"R\d{7}", record["review_id"])
        meta = record.get("review-sentiment-metadata")
        if meta is not None:
            assert meta["class-name"] == reference.SENTIMENT_CLASSES[record["review-sentiment"]]
            assert meta["human-annotated"] in ("yes", "no")
            assert 0 < meta["confidence"] <= 1


def test_label_attribute_changes_in_later_partitions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reference, "LABEL_V2_AFTER_DAYS", 4)
    lake = _make(tmp_path, scale=0.02, days=8)
    for file in _files(lake, "review_labels"):
        expected = "sentiment-v2" if file.parent.name >= "dt=2025-03-05" else "review-sentiment"
        for line in file.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            labels = [k for k in record if f"{k}-metadata" in record]
            assert labels in ([expected], [])


def test_web_logs_in_both_formats(small: Path) -> None:
    cloudfront, apache = _files(small, "access_logs"), _files(small, "access_logs", "part-0001")
    assert cloudfront and apache
    for file in cloudfront:
        lines = file.read_text().split("\n")[:-1]
        assert lines[0] == "#Version: 1.0"
        assert lines[1] == (
            "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem "
            "sc-status cs(Referer) cs(User-Agent) cs-uri-query"
        )
        matched = [line for line in lines[2:] if W3C.match(line)]
        assert len(matched) > 0.9 * (len(lines) - 2)
        assert all(" " not in line.split("\t")[10] for line in matched)
    text = "\n".join(f.read_text().replace("%20", " ") for f in cloudfront + apache)
    for agent in ("iPhone", "Android", "iPad", "Googlebot", "Windows NT", "Macintosh"):
        assert agent in text


def test_visitors_browse_in_sessions(tmp_path: Path) -> None:
    lake = _make(tmp_path, scale=0.02, days=3)
    views: dict[tuple[str, str], list[dt.datetime]] = {}
    for file in _files(lake, "access_logs", "part-0001"):
        for line in file.read_text().splitlines():
            if m := re.match(r'^(\S+) - - \[([^\]]+)\] .* "([^"]*)"$', line):
                stamp = dt.datetime.strptime(m[2], "%d/%b/%Y:%H:%M:%S %z")
                views.setdefault((m[1], m[3]), []).append(stamp)
    gaps = [b - a for times in views.values() for a, b in itertools.pairwise(times)]
    short = sum(g < dt.timedelta(minutes=30) for g in gaps)
    assert short > 0.7 * len(gaps)
    assert len(gaps) - short > 0
    assert sum(len(t) > 1 for t in views.values()) > 0.5 * len(views)


# --------------------------------------------------------------------------------------------
# lifecycle consistency
# --------------------------------------------------------------------------------------------


def test_cancelled_orders_are_only_authorised_and_never_shipped(tmp_path: Path) -> None:
    lake = _make(tmp_path, scale=0.02, days=10)
    cancelled = {int(r[0]) for r in _csv_rows(lake) if len(r) >= 5 and r[4] == "cancelled"}
    assert cancelled
    payments = pl.concat([pl.read_avro(f) for f in _files(lake, "payments")])
    events = payments.filter(pl.col("order_id").is_in(list(cancelled)))["event_type"]
    assert set(events) == {"authorised"}
    shipped = set(pl.concat([pl.from_arrow(orc.read_table(f)) for f in _files(lake, "shipments")])[
        "order_id"
    ])  # fmt: skip
    assert not cancelled & shipped


def test_some_events_arrive_late(tmp_path: Path) -> None:
    lake = _make(tmp_path, scale=0.02, days=10)
    late = total = 0
    for file in _files(lake, "payments"):
        day = dt.date.fromisoformat(file.parent.name[3:])
        stamps = pl.read_avro(file)["event_at"].dt.date()
        late += int((stamps < day).sum())
        total += len(stamps)
    assert 0 < late < 0.1 * total


def test_customers_sign_up_before_their_first_order(small: Path) -> None:
    signed_up: dict[int, tuple[str, str]] = {}
    for file in _files(small, "customers"):
        for line in file.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            cid = int(record["customer_id"])
            signed_up.setdefault(cid, (file.parent.name, record["signed_up_at"]))
    orders = 0
    for file in _files(small, "orders"):
        for row in list(csv.reader(file.open(encoding="utf-8")))[1:]:
            if len(row) == 8 and _is_stamp(row[2]) and not row[2].startswith("2099"):
                partition, at = signed_up[int(row[1])]
                assert partition <= file.parent.name and at <= row[2]
                orders += 1
    assert orders


# --------------------------------------------------------------------------------------------
# bad records
# --------------------------------------------------------------------------------------------


def _observed_bad(lake: Path) -> dict[str, dict[str, int]]:
    """Count every documented bad-record kind with independent readers."""
    rows = _csv_rows(lake)
    wide = [r for r in rows if len(r) == 8]
    typed = [r for r in wide if _is_stamp(r[2]) and not r[2].startswith("2099")]
    clean = [
        r for r in typed if r[6] != reference.UNKNOWN_CURRENCY and r[7] != reference.UNKNOWN_COUNTRY
    ]
    orders = {
        "wrong_column_count": len(rows) - len(wide),
        "unparseable_ordered_at": sum(not _is_stamp(r[2]) for r in wide),
        "unknown_country_code": sum(r[7] == reference.UNKNOWN_COUNTRY for r in typed),
        "unknown_currency_code": sum(r[6] == reference.UNKNOWN_CURRENCY for r in typed),
        "duplicate_row": len(clean) - len({tuple(r) for r in clean}),
        "future_ordered_at": sum(r[2].startswith(f"{reference.FUTURE_YEAR}-") for r in wide),
    }
    items = pl.concat([pl.from_arrow(pq.read_table(f)) for f in _files(lake, "order_items")])
    positive = items.filter(pl.col("quantity") > 0)
    order_items = {
        "negative_quantity": items.filter(pl.col("quantity") < 0).height,
        "duplicate_line": positive.height - positive.select("order_id", "line_number").n_unique(),
    }
    customers_json, customers_invalid = _json_lines(lake, "customers")
    customers = {
        "invalid_json": customers_invalid,
        "unparseable_date_of_birth": sum(
            r["date_of_birth"] == "not a date" for r in customers_json
        ),
        "unknown_country_code": sum(
            r["address"]["country_code"] == reference.UNKNOWN_COUNTRY for r in customers_json
        ),
    }
    products_json, products_invalid = _json_lines(lake, "products")
    assert products_invalid == 0
    payments = pl.concat([pl.read_avro(f) for f in _files(lake, "payments")])
    known = payments.filter(pl.col("currency_code") != reference.UNKNOWN_CURRENCY)
    shipments = pl.concat([pl.from_arrow(orc.read_table(f)) for f in _files(lake, "shipments")])
    log_lines = [
        line
        for name in ("part-0000", "part-0001")
        for f in _files(lake, "access_logs", name)
        for line in f.read_text().split("\n")[:-1]
        if not line.startswith("#")
    ]
    labels, labels_invalid = _json_lines(lake, "review_labels")
    return {
        "orders": orders,
        "order_items": order_items,
        "customers": customers,
        "products": {"unparseable_unit_cost": sum(r["unit_cost"] == "n/a" for r in products_json)},
        "payments": {
            "duplicate_event": known.height - known["payment_id"].n_unique(),
            "unknown_currency_code": payments.height - known.height,
        },
        "shipments": {
            "future_delivered_at": shipments.filter(
                pl.col("delivered_at").dt.year() == reference.FUTURE_YEAR
            ).height
        },
        "access_logs": {
            "neither_format": sum(not (W3C.match(x) or APACHE.match(x)) for x in log_lines)
        },
        "review_labels": {
            "missing_metadata": sum(not any(k.endswith("-metadata") for k in r) for r in labels),
            "invalid_json": labels_invalid,
        },
    }


@pytest.mark.parametrize("scale", [0.002, 0.02])
def test_bad_records_match_the_manifest(tmp_path: Path, scale: float) -> None:
    lake = _make(tmp_path, scale=scale, days=14)
    recorded = _manifest(lake)["bad_records"]
    assert _observed_bad(lake) == recorded
    for table, kinds in recorded.items():
        for kind, count in kinds.items():
            assert count >= 1, f"{table}.{kind} missing"


def test_every_bad_kind_is_in_the_first_partition_with_data(tmp_path: Path) -> None:
    lake = _make(tmp_path, days=1)
    manifest = _manifest(lake)
    for table, kinds in manifest["bad_records"].items():
        if manifest["tables"][table]["records"]:
            assert all(n >= 1 for n in kinds.values()), table


def test_bad_records_are_about_half_a_percent(tmp_path: Path) -> None:
    lake = _make(tmp_path, scale=0.05, days=14)
    manifest = _manifest(lake)
    for table in ("orders", "order_items", "payments", "shipments", "access_logs"):
        bad = sum(manifest["bad_records"][table].values())
        share = bad / manifest["tables"][table]["records"]
        assert 0.002 < share < 0.012, (table, share)


def test_type_drift_is_recorded_and_valid(small: Path) -> None:
    drift = _manifest(small)["type_drift"]
    customers, _ = _json_lines(small, "customers")
    products, _ = _json_lines(small, "products")
    as_text = [r for r in customers if isinstance(r["customer_id"], str)]
    assert len(as_text) == drift["customers"]["customer_id_as_string"] >= 1
    assert all(r["customer_id"].isdigit() for r in as_text)
    prices = [r for r in products if isinstance(r["list_price"], str)]
    assert len(prices) == drift["products"]["list_price_as_string"] >= 1
    assert all(re.fullmatch(r"\d+\.\d{2}", r["list_price"]) for r in prices)


def test_future_timestamps_are_after_the_range_and_today(small: Path) -> None:
    future = [r[2] for r in _csv_rows(small) if len(r) == 8 and r[2].startswith("2099")]
    assert future
    assert all(f > dt.date.today().isoformat() for f in future)


# --------------------------------------------------------------------------------------------
# volumes
# --------------------------------------------------------------------------------------------


def _good_counts(lake: Path) -> Counter[str]:
    manifest = _manifest(lake)
    return Counter(
        {
            name: t["records"] - sum(manifest["bad_records"][name].values())
            for name, t in manifest["tables"].items()
        }
    )


def test_volumes_scale_linearly(tmp_path: Path) -> None:
    small = _good_counts(_make(tmp_path / "x1", scale=0.05, days=7))
    large = _good_counts(_make(tmp_path / "x2", scale=0.1, days=7))
    for table in ("orders", "order_items", "payments", "shipments", "access_logs"):
        assert 1.8 < large[table] / small[table] < 2.2, table
    expected_lines = 0.1 * reference.LINES_PER_YEAR_AT_SCALE_1 / 365 * 7
    assert 0.8 < large["order_items"] / expected_lines < 1.2


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------

runner = CliRunner()


def test_help_explains_every_option() -> None:
    generate_help = runner.invoke(app, ["lake", "generate", "--help"], env={"COLUMNS": "200"})
    assert generate_help.exit_code == 0
    for option in ("--scale", "--start", "--days", "--seed", "--lake", "--force"):
        assert option in generate_help.output
    append_help = runner.invoke(app, ["lake", "append", "--help"], env={"COLUMNS": "200"})
    assert append_help.exit_code == 0
    assert "--days" in append_help.output and "--lake" in append_help.output


def test_cli_generates_and_appends(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    args = ["--scale", "0.002", "--days", "5", "--start", "2025-06-01", "--lake", str(lake)]
    result = runner.invoke(app, ["lake", "generate", *args, "--quiet"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["lake", "append", "--days", "2", "--lake", str(lake), "-q"])
    assert result.exit_code == 0, result.output
    manifest = _manifest(lake)
    assert (manifest["start"], manifest["days"], manifest["end"]) == ("2025-06-01", 7, "2025-06-07")


def test_lake_defaults_to_the_environment(tmp_path: Path) -> None:
    lake = tmp_path / "from-env"
    result = runner.invoke(
        app, ["lake", "generate", "--scale", "0.002", "--days", "2", "-q"],
        env={"LAKESIGHT_LAKE": str(lake)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (lake / "_lake.json").is_file()


def test_refuses_a_non_empty_lake_without_force(tmp_path: Path) -> None:
    lake = _make(tmp_path, days=2)
    before = _hashes(lake)
    args = ["lake", "generate", "--scale", "0.002", "--days", "3", "--lake", str(lake), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "not empty" in result.output and "Traceback" not in result.output
    assert _hashes(lake) == before
    result = runner.invoke(app, [*args, "--force"])
    assert result.exit_code == 0, result.output
    assert _manifest(lake)["days"] == 3


def test_force_never_deletes_foreign_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(LakeError, match=r"notes\.txt"):
        generate(tmp_path, **SMALL, force=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("start", "days"), [("2022-12-31", "3"), ("2027-12-30", "3"), ("2020-01-01", "1")]
)
def test_range_outside_the_seeds_is_refused(tmp_path: Path, start: str, days: str) -> None:
    args = ["lake", "generate", "--start", start, "--days", days, "--lake", str(tmp_path / "x")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "outside 2023-01-01 … 2027-12-31" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_append_beyond_the_seeds_is_refused(tmp_path: Path) -> None:
    lake = _make(tmp_path, start=dt.date(2027, 12, 25), days=3)
    with pytest.raises(LakeError, match="outside"):
        append(lake, days=10)
    assert _manifest(lake)["days"] == 3


def test_append_needs_a_lake(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lake", "append", "--lake", str(tmp_path)])
    assert result.exit_code == 2
    assert "lakesight lake generate" in result.output


@pytest.mark.parametrize(
    ("option", "value"), [("--scale", "0"), ("--days", "0"), ("--start", "2025-13-01")]
)
def test_nonsense_sizes_are_refused(tmp_path: Path, option: str, value: str) -> None:
    result = runner.invoke(app, ["lake", "generate", option, value, "--lake", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert option in result.output
