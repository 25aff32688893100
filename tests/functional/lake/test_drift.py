"""The lake drifting from the warehouse (docs/lake.md, "What the loads guarantee"): every raw row
names its file and line and carries the file's fingerprint; a file changed in place is reloaded and
the marts then equal a full rebuild; a vanished file is reported (an error under the strict flag);
a file no reader claims fails the load naming it; gzip CSV/JSON Lines are loaded; a second
concurrent build ends with one sentence."""

from __future__ import annotations

import csv
import gzip
import hashlib
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.orc as orc
import pytest

from lakesight.load import lock
from tests.support.warehouse import BIN, MART_TABLES, NO_TESTS, REPO, Warehouse, project_copy

RAW_TABLES = {
    "raw_shop__orders": "shop/orders",
    "raw_shop__order_items": "shop/order_items",
    "raw_crm__customers": "crm/customers",
    "raw_catalog__products": "catalog/products",
    "raw_payments__payments": "payments/payments",
    "raw_fulfilment__shipments": "fulfilment/shipments",
    "raw_web__access_logs": "web/access_logs",
    "raw_labelling__review_labels": "labelling/review_labels",
}


def lake_key(path: Path) -> str:
    return "/".join(path.parts[-4:])


def marts_differ(left: Warehouse, right: Warehouse) -> dict[str, tuple[int, int]]:
    """Per mart table (the snapshot-fed history excepted), rows only in one or the other."""
    differences = {}
    with duckdb.connect(str(left.database), read_only=True) as con:
        con.execute(f"attach '{right.database}' as other (read_only)")
        (here,) = con.execute("select current_database()").fetchone()
        for table in MART_TABLES:
            if table == "dim_customers_history":  # keeps the versions seen between builds
                continue
            columns = ", ".join(
                f'"{name}"'
                for (name,) in con.execute(
                    "select column_name from information_schema.columns where table_catalog = "
                    "current_database() and table_schema = 'marts' and table_name = ?",
                    [table],
                ).fetchall()
            )
            counts = tuple(
                con.execute(
                    f"select count(*) from (select {columns} from {a}.marts.{table} "
                    f"except all select {columns} from {b}.marts.{table})"
                ).fetchone()[0]
                for a, b in ((here, "other"), ("other", here))
            )
            if counts != (0, 0):
                differences[table] = counts
    return differences


# ---------------------------------------------------------------- case 10: file, line, fingerprint


@pytest.mark.parametrize("raw_table", sorted(RAW_TABLES))
def test_every_raw_row_names_its_file_line_and_fingerprint(
    built: Warehouse, raw_table: str
) -> None:
    untraced = built.scalar(
        f"select count(*) from raw.{raw_table} where _source_file is null "
        "or (_line_number is null and _load_error is distinct from 'empty file: no records') "
        "or _file_size is null or _file_hash is null"
    )
    assert untraced == 0
    recorded = dict(built.query(f"select distinct _source_file, _file_hash from raw.{raw_table}"))
    files = sorted((built.lake / RAW_TABLES[raw_table]).glob("dt=*/part-*"))
    assert {lake_key(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files} == recorded


def test_csv_line_numbers_point_at_the_line_of_the_record(built: Warehouse) -> None:
    rows = built.query(
        "select _source_file, _line_number, order_id, status from raw.raw_shop__orders "
        "where _load_error is null"
    )
    assert rows
    for key, line_number, order_id, status in rows:
        with (built.lake / key).open(newline="") as handle:
            lines = handle.read().splitlines()
        fields = next(csv.reader([lines[line_number - 1]]))
        assert (fields[0], fields[4]) == (order_id, status), (key, line_number)


def test_the_manifest_names_the_lake_by_absolute_path(built: Warehouse) -> None:
    assert built.scalar("select lake_path from staging.stg_lake__manifest") == str(
        built.lake.resolve()
    )


# ---------------------------------------------------------------- case 9: drift


def test_a_file_changed_in_place_is_reloaded_and_marts_equal_a_full_rebuild(
    built: Warehouse, tmp_path: Path
) -> None:
    incremental = built.copy(tmp_path / "incremental")
    counts = dict(
        incremental.query("select order_id, count(*) from raw.raw_shop__orders group by all")
    )
    newest = sorted((incremental.lake / "shop/orders").glob("dt=*/part-*.csv"))[-1]
    lines = newest.read_text().splitlines()
    index, fields = next(
        (i, row)
        for i, row in enumerate(csv.reader(lines))
        if i > 0 and len(row) == 8 and counts.get(row[0]) == 1 and row[4] != "returned"
    )
    fields[4] = "returned"  # the status changed in place
    lines[index] = ",".join(fields)
    lines.append(
        "9200001,1,2025-03-14 10:00:00,2025-03-14 10:00:00,placed,web,EUR,DE"
    )  # a row added
    newest.write_text("\n".join(lines) + "\n")
    # and a web log whose every line is garbage now: its requests and sessions must go
    log = sorted((incremental.lake / "web/access_logs").glob("dt=*/part-*.log"))[0]
    log_key = lake_key(log)
    assert incremental.scalar(
        f"select count(*) from intermediate.int_web_sessions_sessionised "
        f"where _source_file = '{log_key}'"
    )
    log.write_text("not a request\n" * len(log.read_text().splitlines()))

    incremental.build()
    for model in ("int_web_requests_parsed", "int_web_sessions_sessionised"):
        assert not incremental.scalar(
            f"select count(*) from intermediate.{model} where _source_file = '{log_key}'"
        ), model
    assert (
        incremental.scalar(f"select status from marts.fct_orders where order_id = {fields[0]}")
        == "returned"
    )
    assert incremental.scalar("select count(*) from marts.fct_orders where order_id = 9200001") == 1
    # the file's rows were replaced, not added to: one copy of each line, the new fingerprint
    assert incremental.query(
        "select count(*), count(distinct _line_number), any_value(_file_hash) "
        f"from raw.raw_shop__orders where _source_file = '{lake_key(newest)}'"
    )[0] == (len(lines) - 1, len(lines) - 1, hashlib.sha256(newest.read_bytes()).hexdigest())

    full = Warehouse(tmp_path / "full", incremental.lake)
    full.root.mkdir()
    full.build(*NO_TESTS)  # the reference: its models are what is compared
    assert marts_differ(incremental, full) == {}


def test_a_changed_seed_rechecks_every_row_of_an_incremental_base_model(
    built: Warehouse, tmp_path: Path
) -> None:
    """The base models are incremental, but their verdicts depend on the seeds they read: with
    'delivered' no longer a known status, every delivered order is quarantined, old rows included,
    and the lines of the order keep their verdict (that model's rules did not change)."""
    warehouse = built.database_copy(tmp_path)
    project = project_copy(tmp_path)
    statuses = project / "seeds/reference/ref_order_statuses.csv"
    statuses.write_text(
        "".join(
            line
            for line in statuses.read_text().splitlines(keepends=True)
            if not line.startswith("delivered,")
        )
    )
    delivered = warehouse.scalar(
        "select count(*) from staging.base_shop__orders where status = 'delivered'"
    )
    assert delivered > 0
    lines_before = warehouse.query(
        "select max(_checked_at), count(*) from staging.base_shop__order_items"
    )
    warehouse.dbt(
        "build",
        "-s",
        "ref_order_statuses",
        "base_shop__orders",
        "base_shop__order_items",
        "--exclude-resource-type",
        "test",
        project=project,
    )
    assert warehouse.query(
        "select count(*) filter (where _reject_reason like '%unknown status%'), "
        "count(*) filter (where _reject_reason is null) "
        "from staging.base_shop__orders where status = 'delivered'"
    )[0] == (delivered, 0)
    assert (
        warehouse.scalar("select count(distinct _checked_at) from staging.base_shop__orders") == 1
    )  # every row re-checked in the one build
    assert (
        warehouse.query("select max(_checked_at), count(*) from staging.base_shop__order_items")
        == lines_before
    )


def test_a_record_rejected_as_in_the_future_is_rechecked_with_its_key(
    built: Warehouse, tmp_path: Path
) -> None:
    """A later version quarantined as lying in the future becomes valid once its time has come;
    the next incremental build must then supersede the version staged meanwhile. The state of
    such a build is made by hand: the current version marked future-dated, the one before it
    current again; an incremental build with nothing new in the lake restores both verdicts."""
    warehouse = built.database_copy(tmp_path)
    with duckdb.connect(str(warehouse.database)) as con:
        order_id, newest, older = con.execute(
            "select order_id, max_by(_line_number || '@' || _source_file, updated_at), "
            "min_by(_line_number || '@' || _source_file, updated_at) "
            "from staging.base_shop__orders where _reject_reason is null "
            "group by order_id having count(*) = 2 order by order_id limit 1"
        ).fetchone()
        position = "_line_number || '@' || _source_file"
        con.execute(
            "update staging.base_shop__orders set _reject_reason = 'ordered_at is in the future', "
            f"_is_superseded = false where {position} = ?",
            [newest],
        )
        con.execute(
            f"update staging.base_shop__orders set _is_superseded = false where {position} = ?",
            [older],
        )
    warehouse.dbt("run", "-s", "base_shop__orders")
    assert warehouse.query(
        "select _reject_reason, _is_superseded from staging.base_shop__orders "
        f"where order_id = {order_id} order by updated_at"
    ) == [(None, True), (None, False)]


def test_a_vanished_file_is_reported_and_fails_under_the_strict_flag(
    built: Warehouse, tmp_path: Path
) -> None:
    warehouse = built.copy(tmp_path)
    gone = sorted((warehouse.lake / "crm/customers").glob("dt=*/part-*.jsonl"))[1]
    gone.unlink()
    rows_before = warehouse.scalar("select count(*) from raw.raw_crm__customers")
    result = warehouse.dbt("run", "-s", "raw_crm__customers")
    assert f"no longer in the lake, their rows kept: {lake_key(gone)}" in result.stdout
    assert warehouse.scalar("select count(*) from raw.raw_crm__customers") == rows_before
    strict = warehouse.dbt(
        "run",
        "-s",
        "raw_crm__customers",
        "--vars",
        "{lake_missing_files: error}",
        expect_success=False,
    )
    assert strict.returncode != 0
    assert lake_key(gone) in strict.stdout


def test_a_file_no_reader_claims_fails_naming_it(lake_copy: Warehouse) -> None:
    folder = sorted((lake_copy.lake / "shop/orders").glob("dt=*"))[0]
    stray = folder / "part-0001.txt"
    stray.write_text("order_id\n1\n")
    (folder / "_SUCCESS").write_text("")  # Spark's marker: ignored, as Athena ignores it
    (lake_copy.lake / "shop/orders/.DS_Store").write_text("x")
    result = lake_copy.dbt("run", "-s", "raw_shop__orders", expect_success=False)
    assert result.returncode != 0
    assert f"no reader claims: {stray}" in result.stdout
    stray.unlink()
    lake_copy.dbt("run", "-s", "raw_shop__orders")


def test_gzip_csv_and_json_lines_are_loaded_with_their_lines(lake_copy: Warehouse) -> None:
    lake = lake_copy.lake
    csv_source = sorted((lake / "shop/orders").glob("dt=*/part-*.csv"))[0]
    csv_gz = lake / "shop/orders/dt=2025-03-21/part-0000.csv.gz"
    jsonl_source = sorted((lake / "crm/customers").glob("dt=*/part-*.jsonl"))[0]
    jsonl_gz = lake / "crm/customers/dt=2025-03-21/part-0000.jsonl.gz"
    for source, target in ((csv_source, csv_gz), (jsonl_source, jsonl_gz)):
        target.parent.mkdir(parents=True)
        target.write_bytes(gzip.compress(source.read_bytes()))
    lake_copy.dbt("run", "-s", "raw_shop__orders", "raw_crm__customers")
    for table, plain, packed in (
        ("raw_shop__orders", csv_source, csv_gz),
        ("raw_crm__customers", jsonl_source, jsonl_gz),
    ):
        columns = "* exclude (_source_file, _file_size, _file_hash, _loaded_at)"
        rows = {
            key: sorted(
                lake_copy.query(f"select {columns} from raw.{table} where _source_file = '{key}'")
            )
            for key in (lake_key(plain), lake_key(packed))
        }
        assert rows[lake_key(plain)] and rows[lake_key(plain)] == rows[lake_key(packed)]


def test_a_truncated_gzip_file_fails_naming_it(lake_copy: Warehouse) -> None:
    source = sorted((lake_copy.lake / "crm/customers").glob("dt=*/part-*.jsonl"))[0]
    packed = gzip.compress(source.read_bytes())
    bad = lake_copy.lake / "crm/customers/dt=2025-03-21/part-0000.jsonl.gz"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(packed[: len(packed) // 2])
    result = lake_copy.dbt("run", "-s", "raw_crm__customers", expect_success=False)
    assert result.returncode != 0
    assert f"{bad}: cannot be read as gzip-compressed UTF-8 text" in result.stdout


def test_a_loaded_file_replaced_by_one_with_an_extra_column_fails_naming_it(
    built: Warehouse, tmp_path: Path
) -> None:
    warehouse = built.copy(tmp_path)
    replaced = sorted((warehouse.lake / "shop/orders").glob("dt=*/part-*.csv"))[0]
    lines = replaced.read_text().splitlines()
    replaced.write_text("\n".join(f"{line},extra" for line in lines) + "\n")
    result = warehouse.dbt("run", "-s", "raw_shop__orders", expect_success=False)
    assert result.returncode != 0
    assert f"{replaced}: header" in result.stdout and "schema drift" in result.stdout


def test_an_orc_timestamp_beyond_nanoseconds_fails_naming_the_file_and_unblocks_when_removed(
    lake_copy: Warehouse,
) -> None:
    bad = lake_copy.lake / "fulfilment/shipments/dt=2025-03-21/part-0000.orc"
    bad.parent.mkdir(parents=True)
    orc.write_table(
        pa.table(
            {
                "shipment_id": ["S1"],
                "order_id": pa.array([1], pa.int64()),
                "carrier": ["DHL"],
                "warehouse_code": ["W1"],
                "shipped_at": pa.array([datetime(9999, 1, 1)], pa.timestamp("us")),
                "delivered_at": pa.array([None], pa.timestamp("us")),
            }
        ),
        str(bad),
    )
    result = lake_copy.dbt("run", "-s", "raw_fulfilment__shipments", expect_success=False)
    assert result.returncode != 0
    assert f"{bad}: cannot be read as ORC" in result.stdout and "out of range" in result.stdout
    bad.unlink()  # nothing of the file was committed: removing it unblocks the load
    lake_copy.dbt("run", "-s", "raw_fulfilment__shipments")


# ---------------------------------------------------------------- case 11: one writer


def test_a_second_concurrent_build_ends_with_one_sentence(built: Warehouse, tmp_path: Path) -> None:
    warehouse = built.database_copy(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(warehouse.database)!r}); "
            "print('locked', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = subprocess.run(
            [sys.executable, "-m", "lakesight.load.lock", "--", str(BIN / "dbt"), "build"],
            cwd=REPO,
            env=warehouse.env(),
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        holder.kill()
        holder.wait()
    output = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == lock.LOCKED
    assert len(output) == 1, output
    assert f"process {holder.pid} (python" in output[0] and f"kill {holder.pid}" in output[0]


def test_a_lock_lost_after_the_check_is_one_sentence_too(tmp_path: Path) -> None:
    """dbt's own lock traceback (another build started in between) is replaced as well."""
    fake_dbt = tmp_path / "dbt.py"
    fake_dbt.write_text(
        "print('Running with dbt=1.11')\n"
        "print('Encountered an error:')\n"
        'print(\'IO Error: Could not set lock on file "/w.duckdb": Conflicting lock is held in '
        "/usr/bin/python3 (PID 999999999). See also https://duckdb.org')\n"
        "for i in range(230):\n    print(f'  File \"x.py\", line {i}')\n"
        "raise SystemExit(2)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "lakesight.load.lock", "--", sys.executable, str(fake_dbt)],
        env={"LAKESIGHT_DB": str(tmp_path / "absent.duckdb"), "PATH": "/usr/bin:/bin"},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == lock.LOCKED
    assert result.stdout.splitlines() == ["Running with dbt=1.11"]
    assert result.stderr.strip().splitlines() == [
        "The warehouse /w.duckdb is locked by process 999999999 (python3): DuckDB allows one "
        "writer at a time, so wait for it to finish or stop it (kill 999999999) and run the "
        f"build again (LAKESIGHT_DB={tmp_path / 'absent.duckdb'} selects the file)."
    ]
