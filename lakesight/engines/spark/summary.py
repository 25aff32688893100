"""The build summary's lake counts on the Spark warehouse (`lakesight summary --spark`)."""

from __future__ import annotations

from pathlib import Path

from lakesight.site.summary import TableCounts, base_counts


def spark_table_counts(project_dir: Path = Path()) -> list[TableCounts]:
    """The same counts on the Spark warehouse (a session as in profiles.yml's spark output)."""
    from lakesight.engines.spark.session import spark_session

    spark = spark_session(project_dir)
    bases = sorted(
        table.name
        for table in spark.catalog.listTables("staging")
        if table.name.startswith("base_")
    )
    return base_counts(bases, lambda sql: tuple(spark.sql(sql).collect()[0]), "`")
