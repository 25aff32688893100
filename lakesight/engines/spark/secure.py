"""The secure views on Spark, read as a principal (docs/scale-out.md, "Security on Spark").

On Spark the secure views read the principal from `current_user()`: a persistent view cannot read
a session variable (same section). Spark's Thrift Server sets that user for each statement
of an authenticated session in `CurrentUserContext.CURRENT_USER`, a thread-local of the thread
that runs the statement; `as_principal` sets it the same way for the statements this thread runs
in one in-process session, so one JVM can read as many principals one after the other. Outside
it, `current_user()` is the process's own user (SPARK_USER or the OS user), whom the policy does
not know: the views show nothing. This is how the project tests the views per principal, not a
boundary: whoever runs a session in-process can set any user, as a DuckDB session can set its
variable. The boundary stays an authenticated Thrift Server with Lake Formation or Ranger
policies, or per-principal extracts (docs/security.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.parquet as pq

from lakesight.security.extracts import extract_file

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SECURE_SCHEMA = "secure"


@contextmanager
def as_principal(spark: SparkSession, principal: str) -> Iterator[None]:
    """Run this thread's statements with `current_user()` = principal, as the Thrift Server does."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    current = jvm.org.apache.spark.sql.catalyst.CurrentUserContext.CURRENT_USER()
    current.set(principal)
    try:
        yield
    finally:
        current.remove()


def secure_views(spark: SparkSession) -> list[str]:
    """The views of the secure schema, by name. The catalog also lists the session's temporary
    views (dbt-spark leaves some in a session it ran in): they are not secure views."""
    return sorted(
        table.name for table in spark.catalog.listTables(SECURE_SCHEMA) if not table.isTemporary
    )


def principal_folder(principal: str) -> str:
    """The folder of a principal's files: the DuckDB extract's name without its suffix."""
    return extract_file(principal).removesuffix(".duckdb")


def extract_as(spark: SparkSession, principals: Sequence[str], out: Path) -> dict[str, int]:
    """Write every secure view as each principal sees it to `out/<principal>/<view>.parquet`.

    Returns the rows written per principal (all views together)."""
    views = secure_views(spark)
    written: dict[str, int] = {}
    for principal in principals:
        folder = out / principal_folder(principal)
        folder.mkdir(parents=True, exist_ok=True)
        rows = 0
        with as_principal(spark, principal):
            for view in views:
                # planned, current_user() replaced, in this thread when toArrow() runs
                table = spark.table(f"{SECURE_SCHEMA}.{view}").toArrow()
                pq.write_table(table, folder / f"{view}.parquet")
                rows += table.num_rows
        written[principal] = rows
    return written
