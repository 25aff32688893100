"""Bad input: every kind of bad record is quarantined with its reason and counted, and every
unreadable file fails the load with a message naming the file. Nothing is dropped silently."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.bad_partition import DAY, GOOD_ORDER, ORDERS_HEADER, VALUES, write
from tests.support.warehouse import Warehouse


def truncated(lake: Path, folder: str, suffix: str) -> Path:
    """A copy of the lake's first file of a table, cut in half, in a new partition."""
    original = sorted((lake / folder).glob(f"dt=*/part-*{suffix}"))[0]
    data = original.read_bytes()
    return write(lake, folder, f"part-0099{suffix}", data[: len(data) // 2])


@pytest.fixture(scope="module")
def quarantined(bad_partition: Warehouse) -> Warehouse:
    """The shared lake plus one partition holding one bad record of every kind (and the bad
    values of test_bad_values.py, in files of their own), built."""
    return bad_partition


def reasons(warehouse: Warehouse, entity: str) -> list[str]:
    return [
        reason
        for (reason,) in warehouse.query(
            f"select reject_reason from staging.stg_{entity}__rejected "
            f"where _source_file like '%{DAY}/%' and _source_file not like '%/{VALUES}%'"
        )
    ]


@pytest.mark.parametrize(
    ("entity", "reason"),
    [
        ("shop__orders", "Expected Number of Columns: 8 Found: 7"),
        ("shop__orders", "Expected Number of Columns: 8 Found: 9"),
        ("shop__orders", "order_id is missing or not an integer"),
        ("shop__orders", "ordered_at is missing or not a timestamp"),
        ("shop__orders", "unknown country_code"),
        ("shop__orders", "unknown currency_code"),
        ("shop__orders", "duplicate record: same order_id and updated_at"),
        ("shop__orders", "ordered_at is in the future"),
        ("shop__orders", "empty file: no records"),
        ("shop__orders", "updated_at is missing or not a timestamp: 2025-03-20T10:00:00+05:00"),
        ("shop__order_items", "empty file: no records"),
        ("shop__order_items", "quantity is missing or not positive"),
        ("shop__order_items", "duplicate record: same order_id and line_number"),
        ("crm__customers", "invalid JSON"),
        ("crm__customers", "customer_id is missing or not an integer"),
        ("crm__customers", "date_of_birth is not a date"),
        ("payments__payments", "duplicate record: same payment_id"),
        ("web__access_logs", "log line in neither W3C extended nor Apache combined format"),
        ("web__access_logs", "request time is missing or not a timestamp: 31/Foo/2025:10:00:00"),
        ("labelling__review_labels", "manifest line without a label and its -metadata object"),
    ],
)
def test_bad_record_is_quarantined_with_its_reason(
    quarantined: Warehouse, entity: str, reason: str
) -> None:
    assert sum(reason in found for found in reasons(quarantined, entity)) == 1


def test_an_apache_time_with_an_offset_is_stored_in_utc(quarantined: Warehouse) -> None:
    assert quarantined.query(
        "select requested_at from staging.stg_web__access_logs where url_path = '/tz'"
    ) == [(datetime(2025, 3, 20, 18, 0),)]


def test_type_drift_that_still_types_is_accepted(quarantined: Warehouse) -> None:
    assert (
        quarantined.scalar(
            "select count(*) from staging.stg_crm__customers where customer_id = 9000007"
        )
        == 1
    )
    assert quarantined.scalar("select count(*) from marts.fct_orders where order_id = 9000002") == 1


@pytest.mark.parametrize(
    ("raw_model", "folder", "suffix", "what"),
    [
        ("raw_shop__order_items", "shop/order_items", ".parquet", "Parquet"),
        ("raw_fulfilment__shipments", "fulfilment/shipments", ".orc", "ORC"),
        ("raw_payments__payments", "payments/payments", ".avro", "Avro"),
    ],
)
def test_truncated_file_fails_the_load_naming_the_file(
    lake_copy: Warehouse, raw_model: str, folder: str, suffix: str, what: str
) -> None:
    bad = truncated(lake_copy.lake, folder, suffix)
    result = lake_copy.dbt("run", "-s", raw_model, expect_success=False)
    assert result.returncode != 0
    assert f"{bad}: cannot be read as {what}" in result.stdout


def test_csv_header_drift_fails_naming_the_file(lake_copy: Warehouse) -> None:
    bad = write(
        lake_copy.lake,
        "shop/orders",
        "part-0009.csv",
        ORDERS_HEADER.replace("channel", "sales_channel") + "\n1,1," + GOOD_ORDER + "\n",
    )
    result = lake_copy.dbt("run", "-s", "raw_shop__orders", expect_success=False)
    assert result.returncode != 0
    assert f"{bad}: header" in result.stdout and "schema drift" in result.stdout


def test_parquet_type_drift_fails_naming_the_file(lake_copy: Warehouse) -> None:
    bad = write(lake_copy.lake, "shop/order_items", "part-0009.parquet", b"")
    pq.write_table(
        pa.table(
            {
                "order_id": pa.array([1], pa.int64()),
                "line_number": pa.array([1], pa.int32()),
                "product_id": pa.array([1], pa.int64()),
                "quantity": pa.array(["2"], pa.string()),  # drifted to text
                "unit_price": pa.array([Decimal("5.00")], pa.decimal128(12, 2)),
                "discount_amount": pa.array([Decimal("0.00")], pa.decimal128(12, 2)),
            }
        ),
        bad,
    )
    result = lake_copy.dbt("run", "-s", "raw_shop__order_items", expect_success=False)
    assert result.returncode != 0
    assert f"{bad}: schema drift" in result.stdout


def test_a_name_read_as_a_glob_is_refused_and_removing_it_recovers(lake_copy: Warehouse) -> None:
    """`part-*.jsonl` would load every file of its partition a second time under dbt: the raw
    model fails naming it, loads nothing, and runs once it is gone (docs/lake.md)."""
    neighbour = sorted((lake_copy.lake / "crm/customers").glob("dt=*/part-*.jsonl"))[0]
    odd = neighbour.with_name("part-*.jsonl")
    odd.write_text(neighbour.read_text(encoding="utf-8"), encoding="utf-8")
    result = lake_copy.dbt("run", "-s", "raw_crm__customers", expect_success=False)
    assert result.returncode != 0
    assert f"{odd} (its name holds *, which file readers take for a glob pattern)" in result.stdout
    odd.unlink()
    lake_copy.dbt("run", "-s", "raw_crm__customers")
    lines = sum(
        len(path.read_text(encoding="utf-8").splitlines())
        for path in (lake_copy.lake / "crm/customers").glob("dt=*/part-*.jsonl")
    )
    assert lake_copy.query(
        "select count(*), count(distinct (_source_file, _line_number)) from raw.raw_crm__customers"
    ) == [(lines, lines)]


@pytest.mark.parametrize("partition", ["dt=2025-13-45", "dt=2099-01-01"])
def test_an_impossible_or_future_partition_is_refused_naming_it(
    lake_copy: Warehouse, partition: str
) -> None:
    bad = lake_copy.lake / "shop/orders" / partition / "part-0000.csv"
    bad.parent.mkdir()
    bad.write_text(f"{ORDERS_HEADER}\n9000001,1,{GOOD_ORDER}\n", encoding="utf-8")
    result = lake_copy.dbt("run", "-s", "raw_shop__orders", expect_success=False)
    assert result.returncode != 0
    assert str(bad) in result.stdout and "refused" in result.stdout
    assert "Conversion" not in result.stdout


def test_a_symlinked_file_is_refused_naming_it(lake_copy: Warehouse, tmp_path: Path) -> None:
    outside = tmp_path / "outside.jsonl"
    neighbour = sorted((lake_copy.lake / "crm/customers").glob("dt=*/part-*.jsonl"))[0]
    outside.write_text(neighbour.read_text(encoding="utf-8"), encoding="utf-8")
    link = neighbour.with_name("part-0099.jsonl")
    link.symlink_to(outside)
    result = lake_copy.dbt("run", "-s", "raw_crm__customers", expect_success=False)
    assert result.returncode != 0
    assert f"symbolic link(s) in the lake folder crm/customers refused: {link}" in result.stdout


def manifest_line(review_id: str, created: str | None) -> str:
    """A Ground Truth output-manifest line whose metadata holds `created` as its creation-date
    (no creation-date at all when None)."""
    metadata: dict[str, object] = {
        "class-name": "positive",
        "confidence": 0.9,
        "human-annotated": "no",
        "job-name": "labeling-job/review-sentiment",
    }
    if created is not None:
        metadata["creation-date"] = created
    return json.dumps(
        {
            "source": "ok",
            "review_id": review_id,
            "product_id": 1,
            "review-sentiment": 2,
            "review-sentiment-metadata": metadata,
        }
    )


LABEL_MODELS = (
    "raw_labelling__review_labels",
    "base_labelling__review_labels",
    "stg_labelling__review_labels",
    "stg_labelling__review_labels__rejected",
    "int_review_labels_resolved",
)


def test_ground_truth_creation_date_with_an_offset_is_stored_in_utc(lake_copy: Warehouse) -> None:
    """docs/lake.md, Timestamps: the offset is applied, a naive time is kept as UTC."""
    created = {
        "RTZ1": ("2025-03-20T23:30:00+05:00", "2025-03-20 18:30:00"),
        "RTZ2": ("2025-03-20T23:30:00Z", "2025-03-20 23:30:00"),
        "RTZ3": ("2025-03-20T23:30:00.5+0530", "2025-03-20 18:00:00.500000"),
        "RTZ4": ("2025-03-20T23:30:00-03:00", "2025-03-21 02:30:00"),
        "RTZ5": ("2025-03-20T23:30:00.123456", "2025-03-20 23:30:00.123456"),
    }
    lines = [manifest_line(review_id, text) for review_id, (text, _) in created.items()]
    write(lake_copy.lake, "labelling/review_labels", "part-0009.jsonl", "\n".join(lines) + "\n")
    lake_copy.dbt("run", "-s", *LABEL_MODELS)
    found = dict(
        lake_copy.query(
            "select review_id, strftime(labelled_at, '%Y-%m-%d %H:%M:%S.%f')"
            " from intermediate.int_review_labels_resolved where review_id like 'RTZ%'"
        )
    )
    expected = {key: utc if "." in utc else f"{utc}.000000" for key, (_, utc) in created.items()}
    assert found == expected


def test_a_ground_truth_creation_date_that_does_not_parse_is_quarantined(
    lake_copy: Warehouse,
) -> None:
    """A creation-date present but not a timestamp (garbage, a day or an hour that does not
    exist, an offset out of range, a number, a zone name) quarantines its line, naming file,
    line and value, instead of leaving labelled_at NULL; a line without one is kept
    (docs/lake.md)."""
    created = {
        "RBAD1": "not a date",
        "RBAD2": "2025-02-30T10:00:00",
        "RBAD3": "2025-03-20T25:00:00+05:00",
        "RBAD4": "2025-03-20T10:00:00+25:00",
        "RBAD5": "20250320",
        "RBAD6": "2025-03-20T10:00:00 Europe/Paris",
        "RBAD7": "2025-03-20T10:00:00+05:30:00",
        "ROK1": "2025-03-20T10:00:00+05:30",
        "ROK2": None,
    }
    lines = [manifest_line(review_id, text) for review_id, text in created.items()]
    lines[4] = lines[4].replace('"20250320"', "20250320")  # a JSON number
    bad = write(
        lake_copy.lake, "labelling/review_labels", "part-0009.jsonl", "\n".join(lines) + "\n"
    )
    lake_copy.dbt("run", "-s", *LABEL_MODELS)
    key = "/".join(bad.parts[-4:])
    rejected = lake_copy.query(
        "select _line_number, reject_reason from staging.stg_labelling__review_labels__rejected"
        f" where _source_file = '{key}' order by _line_number"
    )
    assert rejected == [
        (line, f"creation-date is not a timestamp: {text}")
        for line, text in enumerate(
            [
                *(created[f"RBAD{n}"] for n in range(1, 5)),
                "20250320",
                *(created[f"RBAD{n}"] for n in (6, 7)),
            ],
            1,
        )
    ]
    assert lake_copy.query(
        "select review_id, strftime(labelled_at, '%Y-%m-%d %H:%M:%S')"
        " from intermediate.int_review_labels_resolved"
        " where review_id like 'RBAD%' or review_id like 'ROK%' order by review_id"
    ) == [("ROK1", "2025-03-20 04:30:00"), ("ROK2", None)]


def test_a_customer_time_with_an_offset_is_quarantined_not_dropped(lake_copy: Warehouse) -> None:
    """The lake's JSON timestamps are `YYYY-MM-DD HH:MM:SS` (UTC): one with an offset is not
    read as a wall-clock time, nor silently left NULL, but quarantined (docs/lake.md)."""
    customer = {
        "customer_id": 9000012,
        "first_name": "Ana",
        "last_name": "Silva",
        "email": "ana@example.com",
        "phone": "+351 1",
        "date_of_birth": "1987-04-02",
        "segment": "consumer",
        "address": {"street": "1 Rua", "city": "Lisboa", "postal_code": "1", "country_code": "PT"},
        "signed_up_at": "2025-03-20T09:00:00+01:00",
        "updated_at": "2025-03-20 09:00:00",
    }
    write(lake_copy.lake, "crm/customers", "part-0009.jsonl", json.dumps(customer) + "\n")
    lake_copy.build(
        "-s", "+base_crm__customers", "--exclude", "resource_type:test", "resource_type:unit_test"
    )
    assert lake_copy.query(
        "select _reject_reason from staging.base_crm__customers where customer_id = 9000012"
    ) == [("signed_up_at is not a timestamp: 2025-03-20T09:00:00+01:00",)]


def test_a_lake_folder_with_a_glob_character_fails_the_build_naming_it(
    lake_copy: Warehouse,
) -> None:
    """LAKESIGHT_LAKE=…/lake[1]: the raw models and the lake manifest, which read the lake by
    path, refuse it in one sentence naming the path and the characters (docs/lake.md)."""
    odd = lake_copy.lake.with_name("lake[1]")
    lake_copy.lake.rename(odd)
    warehouse = Warehouse(lake_copy.root, odd)
    result = warehouse.dbt(
        "run", "-s", "raw_crm__customers", "stg_lake__manifest", expect_success=False
    )
    assert result.returncode != 0
    output = " ".join(result.stdout.split())
    refusal = f"the lake folder {odd} is refused: its path holds [ ], which file readers take"
    assert output.count(refusal) >= 2, output[-3000:]
    assert "ERROR=2" in output
