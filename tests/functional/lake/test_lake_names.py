"""Lake names are data, never patterns or links (docs/lake.md, "Which files are loaded").

Each raw model is run as the Spark raw step runs it (lakesight.engines.spark.raw.StandInDbt: the
model's own `model(dbt, session)` over a `read_blob` inventory, as dbt-duckdb runs it), on a copy of
one table folder of the shared lake: a file whose name holds a glob character, a partition that is
not a past day and a symbolic link are refused naming them, for every format the lake holds; a
Parquet, ORC or Avro file without rows leaves the empty-file marker row. The dbt path itself is
proved in test_bad_input.py.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from lakesight.engines.spark.raw import RawModel, StandInDbt
from lakesight.load.files import LakeLoadError
from lakesight.load.readers import EMPTY_FILE
from tests.support.warehouse import BIN, REPO

#: every format of the lake: (raw model, table folder, extension)
FORMATS = [
    ("raw_shop__orders", "shop/orders", ".csv"),
    ("raw_shop__orders", "shop/orders", ".csv.gz"),
    ("raw_crm__customers", "crm/customers", ".jsonl"),
    ("raw_catalog__products", "catalog/products", ".jsonl.gz"),
    ("raw_labelling__review_labels", "labelling/review_labels", ".jsonl"),  # Ground Truth
    ("raw_web__access_logs", "web/access_logs", ".log"),
    ("raw_web__access_logs", "web/access_logs", ".log.gz"),
    ("raw_shop__order_items", "shop/order_items", ".parquet"),
    ("raw_payments__payments", "payments/payments", ".avro"),
    ("raw_fulfilment__shipments", "fulfilment/shipments", ".orc"),
]
FORMAT_IDS = [f"{folder}{ext}" for _, folder, ext in FORMATS]


def load(lake: Path, identifier: str) -> pa.Table:
    """Run the raw model `identifier` over `lake` (a first, full load) and return its rows."""
    model = RawModel(identifier, REPO / "models" / "raw" / f"{identifier}.py")
    session = duckdb.connect()
    try:
        dbt = StandInDbt(session, str(lake), identifier, incremental=False)
        return model.module().model(dbt, session).to_arrow_table()
    finally:
        session.close()


def one_table(base_lake: Path, root: Path, folder: str, ext: str) -> tuple[Path, Path]:
    """A lake under `root` holding one file of the table (`dt=…/part-0000<ext>`, gzipped from
    the shared lake's plain file when `ext` ends in .gz); returns the lake and that file."""
    plain = ext.removesuffix(".gz")
    source = sorted((base_lake / folder).glob(f"dt=*/part-*{plain}"))[0]
    lake = root / "lake"
    target = lake / folder / source.parent.name / f"part-0000{ext}"
    target.parent.mkdir(parents=True)
    if ext.endswith(".gz"):
        target.write_bytes(gzip.compress(source.read_bytes(), mtime=0))
    else:
        shutil.copy2(source, target)
    return lake, target


@pytest.mark.parametrize("character", ["*", "?", "[", "]", "{", "}"])
@pytest.mark.parametrize(("identifier", "folder", "ext"), FORMATS, ids=FORMAT_IDS)
def test_a_name_with_a_glob_character_is_refused_naming_it(
    base_lake: Path, tmp_path: Path, identifier: str, folder: str, ext: str, character: str
) -> None:
    lake, neighbour = one_table(base_lake, tmp_path, folder, ext)
    # `part-*`, `part-?000`, `part-[0]000`: each reads as a pattern matching its neighbour
    name = {"*": "part-*", "?": "part-?000", "[": "part-[0]000", "]": "part-0]", "{": "part-{0}"}
    odd = neighbour.with_name(name.get(character, f"part-0{character}") + ext)
    shutil.copy2(neighbour, odd)
    with pytest.raises(LakeLoadError) as refused:
        load(lake, identifier)
    assert str(odd) in str(refused.value)
    assert "glob" in str(refused.value)
    odd.unlink()  # removing it recovers the load: every record once
    assert load(lake, identifier).num_rows > 0


@pytest.mark.parametrize(("identifier", "folder", "ext"), FORMATS, ids=FORMAT_IDS)
def test_a_name_the_inventory_cannot_list_is_refused_naming_it(
    base_lake: Path, tmp_path: Path, identifier: str, folder: str, ext: str
) -> None:
    """DuckDB's `**` glob skips a name with a backslash: it is refused, not skipped."""
    lake, neighbour = one_table(base_lake, tmp_path, folder, ext)
    odd = neighbour.with_name(f"part-\\0001{ext}")
    shutil.copy2(neighbour, odd)
    with pytest.raises(LakeLoadError, match="cannot list") as refused:
        load(lake, identifier)
    assert str(odd) in str(refused.value)


def test_a_file_that_is_not_a_regular_file_is_refused_naming_it(
    base_lake: Path, tmp_path: Path
) -> None:
    """A named pipe would block the load forever if it were read: it is refused."""
    lake, neighbour = one_table(base_lake, tmp_path, "crm/customers", ".jsonl")
    pipe = neighbour.with_name("part-0001.jsonl")
    os.mkfifo(pipe)
    with pytest.raises(LakeLoadError, match="cannot list") as refused:
        load(lake, "raw_crm__customers")
    assert str(pipe) in str(refused.value)


@pytest.mark.parametrize("name", ["part-0 1", "part-'1", 'part-"1', "part-é1", "part-1%"])
@pytest.mark.parametrize(("identifier", "folder", "ext"), FORMATS, ids=FORMAT_IDS)
def test_an_odd_but_literal_name_loads_exactly_its_own_rows(
    base_lake: Path, tmp_path: Path, identifier: str, folder: str, ext: str, name: str
) -> None:
    lake, neighbour = one_table(base_lake, tmp_path, folder, ext)
    alone = load(lake, identifier).num_rows
    odd = neighbour.with_name(name + ext)
    shutil.copy2(neighbour, odd)
    rows = load(lake, identifier).column("_source_file").to_pylist()
    assert len(rows) == 2 * alone
    assert rows.count("/".join(odd.parts[-4:])) == alone


def test_a_glob_character_in_the_partition_folder_is_refused(
    base_lake: Path, tmp_path: Path
) -> None:
    lake, neighbour = one_table(base_lake, tmp_path, "crm/customers", ".jsonl")
    odd = neighbour.parent.with_name(neighbour.parent.name[:-1] + "?") / neighbour.name
    odd.parent.mkdir()
    shutil.copy2(neighbour, odd)
    with pytest.raises(LakeLoadError, match="glob") as refused:
        load(lake, "raw_crm__customers")
    assert str(odd) in str(refused.value)


@pytest.mark.parametrize(
    ("partition", "reason"),
    [
        ("dt=2025-13-45", "is not a day"),
        ("dt=2025-02-30", "is not a day"),
        ("dt=20250301", "is not a day"),
        ("dt=2099-01-01", "is in the future"),
    ],
)
@pytest.mark.parametrize(("identifier", "folder", "ext"), FORMATS, ids=FORMAT_IDS)
def test_an_impossible_or_future_partition_is_refused_naming_it(
    base_lake: Path,
    tmp_path: Path,
    identifier: str,
    folder: str,
    ext: str,
    partition: str,
    reason: str,
) -> None:
    lake, good = one_table(base_lake, tmp_path, folder, ext)
    bad = good.parent.with_name(partition) / good.name
    bad.parent.mkdir()
    shutil.copy2(good, bad)
    with pytest.raises(LakeLoadError) as refused:
        load(lake, identifier)
    assert f"{bad} ({partition} {reason}" in str(refused.value)


def test_tomorrow_is_still_a_partition(base_lake: Path, tmp_path: Path) -> None:
    """A producer east of UTC is a day ahead (docs/lake.md): its partition loads."""
    from datetime import UTC, datetime, timedelta

    lake, good = one_table(base_lake, tmp_path, "crm/customers", ".jsonl")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    ahead = good.parent.with_name(f"dt={tomorrow}") / good.name
    ahead.parent.mkdir()
    shutil.copy2(good, ahead)
    keys = set(load(lake, "raw_crm__customers").column("_source_file").to_pylist())
    assert f"crm/customers/dt={tomorrow}/part-0000.jsonl" in keys


@pytest.mark.parametrize("where", ["outside", "inside"])
@pytest.mark.parametrize(("identifier", "folder", "ext"), FORMATS, ids=FORMAT_IDS)
def test_a_symlinked_file_is_refused_naming_it(
    base_lake: Path, tmp_path: Path, identifier: str, folder: str, ext: str, where: str
) -> None:
    lake, good = one_table(base_lake, tmp_path, folder, ext)
    target = tmp_path / f"elsewhere{ext}" if where == "outside" else lake / f"_kept{ext}"
    shutil.copy2(good, target)
    link = good.with_name(f"part-0001{ext}")
    link.symlink_to(target)
    with pytest.raises(LakeLoadError, match="symbolic link") as refused:
        load(lake, identifier)
    assert str(link) in str(refused.value)


def test_a_symlinked_partition_or_table_folder_is_refused_naming_it(
    base_lake: Path, tmp_path: Path
) -> None:
    lake, good = one_table(base_lake, tmp_path, "crm/customers", ".jsonl")
    outside = tmp_path / "outside" / "dt=2025-03-02"
    outside.mkdir(parents=True)
    shutil.copy2(good, outside / good.name)
    linked_partition = good.parent.with_name("dt=2025-03-02")
    linked_partition.symlink_to(outside)
    with pytest.raises(LakeLoadError, match="symbolic link") as refused:
        load(lake, "raw_crm__customers")
    assert str(linked_partition) in str(refused.value)
    linked_partition.unlink()

    table = lake / "crm" / "customers"
    moved = tmp_path / "moved"
    table.rename(moved)
    table.symlink_to(moved)
    with pytest.raises(LakeLoadError, match="symbolic link") as refused:
        load(lake, "raw_crm__customers")
    assert str(table) in str(refused.value)


def _empty(path: Path, ext: str, source: Path) -> None:
    """A file of the format with the schema of `source` and no rows."""
    if ext == ".parquet":
        pq.write_table(pq.read_table(source).schema.empty_table(), path)
    elif ext == ".orc":
        orc.write_table(orc.read_table(source).schema.empty_table(), path)
    else:
        import polars as pl

        from lakesight.lake.writers import write_avro

        frame = pl.read_avro(source).clear()  # polars writes naive times; write_avro tags UTC
        frame = frame.with_columns(pl.col("event_at").dt.replace_time_zone(None))
        write_avro(path, frame, "payment", ("event_at",))


@pytest.mark.parametrize(
    ("identifier", "folder", "ext"),
    [f for f in FORMATS if f[2] in (".parquet", ".orc", ".avro")],
    ids=["parquet", "avro", "orc"],
)
def test_a_file_with_a_schema_and_no_rows_leaves_the_empty_file_marker(
    base_lake: Path, tmp_path: Path, identifier: str, folder: str, ext: str
) -> None:
    lake, good = one_table(base_lake, tmp_path, folder, ext)
    empty = good.with_name(f"part-0001{ext}")
    _empty(empty, ext, good)
    rows = load(lake, identifier).to_pylist()
    key = "/".join(empty.parts[-4:])
    marker = [row for row in rows if row["_source_file"] == key]
    assert len(marker) == 1, marker
    assert marker[0]["_load_error"] == EMPTY_FILE
    assert marker[0]["_line_number"] is None
    assert marker[0]["_file_size"] == empty.stat().st_size


@pytest.mark.parametrize("character", ["*", "?", "[", "]", "{", "}"])
def test_a_lake_folder_with_a_glob_character_is_refused_before_any_read(
    base_lake: Path, tmp_path: Path, character: str
) -> None:
    """`LAKESIGHT_LAKE=/tmp/lake*` would also read the neighbouring lake `/tmp/lake2`: the raw
    step refuses the lake folder in one sentence naming it and the character (docs/lake.md)."""
    one_table(base_lake, tmp_path / "lake2", "crm/customers", ".jsonl")  # a neighbour lake
    lake, _ = one_table(base_lake, tmp_path / f"lake{character}", "crm/customers", ".jsonl")
    with pytest.raises(LakeLoadError) as refused:
        load(lake, "raw_crm__customers")
    assert str(refused.value).startswith(
        f"the lake folder {lake} is refused: its path holds {character}, which file readers "
        "take for a glob pattern"
    )


@pytest.mark.parametrize("command", [("lake", "generate"), ("lake", "append"), ("spark", "load")])
def test_every_command_that_takes_the_lake_refuses_a_glob_character_in_its_path(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Nothing is written (or read, or a JVM started) for a lake at `lake[1]`."""
    lake = tmp_path / "lake[1]"
    result = subprocess.run(
        [str(BIN / "lakesight"), *command, "--lake", str(lake)],
        cwd=REPO,
        env=os.environ | {"LAKESIGHT_SPARK_DIR": str(tmp_path / "spark")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    output = " ".join((result.stdout + result.stderr).split())
    assert f"the lake folder {lake} is refused: its path holds [ ]" in output
    assert "Traceback" not in output
    assert not lake.exists() and not (tmp_path / "spark").exists()


def _lake_with(base_lake: Path, root: Path) -> Path:
    """A lake under `root` with one file of every table Spark registers."""
    for _, folder, ext in FORMATS:
        if not ext.endswith((".gz", ".avro")) and not (root / "lake" / folder).exists():
            one_table(base_lake, root, folder, ext)
    return root / "lake"


class _RecordingSpark:
    """A stand-in SparkSession that records the statements register_lake runs."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def sql(self, statement: str) -> _RecordingSpark:
        self.statements.append(statement)
        return self

    def count(self) -> int:
        return 1


@pytest.mark.parametrize(
    ("bad_name", "what"),
    [
        ("dt=2025-03-01/part-*.jsonl", "glob pattern"),
        ("dt=2099-01-01/part-0000.jsonl", "is in the future"),
        ("dt=2025-13-45/part-0000.jsonl", "is not a day"),
        ("dt=2025-03-01/part-0009.jsonl", "symbolic link"),
    ],
)
def test_the_spark_lake_tables_apply_the_loads_name_rules(
    base_lake: Path, tmp_path: Path, bad_name: str, what: str
) -> None:
    """`lakesight spark load` registers the lake's external tables through the loads' own check
    (lake_table_files): a refused name fails naming the file before any table is created."""
    from lakesight.engines.spark.lake import lake_tables, register_lake

    lake = _lake_with(base_lake, tmp_path)
    spark = _RecordingSpark()
    lines = register_lake(spark, REPO, str(lake))  # type: ignore[arg-type]
    assert len(lines) == len(lake_tables(REPO)) == 7
    good = sorted((lake / "labelling/review_labels").glob("dt=*/part-*.jsonl"))[0]
    bad = lake / "labelling/review_labels" / bad_name
    bad.parent.mkdir(exist_ok=True)
    if what == "symbolic link":
        bad.symlink_to(good)
    else:
        shutil.copy2(good, bad)
    spark = _RecordingSpark()
    with pytest.raises(LakeLoadError, match=what) as refused:
        register_lake(spark, REPO, str(lake))  # type: ignore[arg-type]
    assert str(bad) in str(refused.value)
    assert spark.statements == []
