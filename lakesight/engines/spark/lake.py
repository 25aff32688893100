"""The lake as Hive external tables on Spark, `lake.<system>__<table>`, for ad-hoc queries.

Registered by `lakesight spark load` after the raw step (docs/scale-out.md, "The lake as Hive
external tables"). Every table folder is first checked by the loads' own rules
(`lakesight.load.files.lake_table_files`: no glob character in a name, no symbolic link, no file
the inventory cannot list, no file no reader claims, every `dt=` a real day no later than
tomorrow), all of them before any table is created: a lake that the raw step would refuse is not
registered either, and the error names the file. Spark discovers the `dt=` folders itself
(`msck repair table … add partitions`), so the check is what keeps it to the files the loads read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lakesight.load.files import check_lake_folder, lake_table_files
from lakesight.load.readers import CSV_EXTENSIONS, JSONL_EXTENSIONS, LOG_EXTENSIONS

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SOURCES = Path("models") / "raw" / "_lake__sources.yml"
#: the extensions each format's reader claims (lakesight.load.readers), and how Spark reads it;
#: Avro is absent: the spark-avro module is not in the PySpark wheel (the raw step reads it)
FORMATS: dict[str, tuple[Sequence[str], str]] = {
    "csv": (CSV_EXTENSIONS, "using csv options (header 'true')"),
    "parquet": ((".parquet",), "using parquet"),
    "orc": ((".orc",), "using orc"),
    "jsonl": (JSONL_EXTENSIONS, "(value string, dt string) using text partitioned by (dt)"),
    "log": (LOG_EXTENSIONS, "(value string, dt string) using text partitioned by (dt)"),
}


@dataclass(frozen=True)
class LakeTable:
    """One lake source: `<system>/<table>` in the format its meta names."""

    system: str
    table: str
    format: str

    @property
    def folder(self) -> str:
        return f"{self.system}/{self.table}"

    @property
    def name(self) -> str:
        return f"lake.{self.system}__{self.table}"


def lake_tables(project_dir: Path) -> list[LakeTable]:
    """The lake sources of the project whose format Spark reads natively, by name."""
    sources: list[dict[str, Any]] = yaml.safe_load((project_dir / SOURCES).read_text())["sources"]
    found = [
        LakeTable(source["name"], table["name"], table["config"]["meta"].get("format", ""))
        for source in sources
        for table in source.get("tables", [])
    ]
    return sorted((t for t in found if t.format in FORMATS), key=lambda t: t.name)


def checked_partitions(lake: str, tables: Sequence[LakeTable]) -> dict[str, int]:
    """Each table's number of `dt=` partitions, after every table folder passed the loads' rules
    (a LakeLoadError names the first refused file otherwise)."""
    check_lake_folder(lake)
    counts: dict[str, int] = {}
    for table in tables:
        files = lake_table_files(lake, table.folder, FORMATS[table.format][0])
        counts[table.name] = len({Path(f.path).parent.name for f in files})
    return counts


def _sql_string(text: str) -> str:
    """A Spark SQL string literal (backslash escapes on, variable substitution off)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def register_lake(spark: SparkSession, project_dir: Path, lake: str) -> list[str]:
    """Check every lake table folder, then create the missing tables and register the new dt
    partitions; one line per table (`lake.shop__orders: csv at <folder>, 7 dt partition(s)`)."""
    tables = lake_tables(project_dir)
    counts = checked_partitions(lake, tables)
    spark.sql("create database if not exists lake")
    lines = []
    for table in tables:
        location = f"{lake.rstrip('/')}/{table.folder}"
        columns = FORMATS[table.format][1]
        spark.sql(
            f"create table if not exists {table.name} {columns} location {_sql_string(location)}"
        )
        spark.sql(f"msck repair table {table.name} add partitions")
        registered = spark.sql(f"show partitions {table.name}").count()
        lines.append(
            f"{table.name}: {table.format} at {location}, {registered} dt partition(s)"
            f" ({counts[table.name]} checked)"
        )
    return lines
