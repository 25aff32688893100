"""The raw layer on Spark: every `models/raw/raw_*.py` model, run outside dbt, into `raw.<model>`.

Also the project's other Python models, `staging.stg_lake__manifest` (the lake's generation
parameters) and `policy.policy_mask_salt` (the mask salt, read from LAKESIGHT_MASK_SALT: never SQL
text, docs/security.md), each rewritten in full as dbt would rebuild the table.

dbt-spark cannot run dbt Python models with `method: session` (its only Python submission
helpers are Databricks clusters), so `make build ENGINE=spark` runs this step before dbt. It
runs each raw model's own `model(dbt, session)` against a stand-in `dbt` object: the same
readers (lakesight.load) read the new lake files with the same rules as on DuckDB, so every row
carries the same `_source_file` (lake key `<system>/<table>/dt=…/part-…`), `_line_number`,
`_load_error`, `_file_size` and `_file_hash`, and the result is written to the Spark table
through Arrow. An in-memory DuckDB serves the readers as a file-reading library only; the
warehouse is Spark's. Incremental as on DuckDB: a file is (re)loaded when its key is new or its
size or SHA-256 changed; a changed file's rows are replaced (Spark's parquet tables have no
DELETE: the table is rewritten without them, then renamed into place).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from lakesight.load.files import META_COLUMNS, LakeLoadError
from lakesight.load.readers import sql_string

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

RAW_SCHEMA = "raw"
#: the Python models outside models/raw/ that the Spark step runs, and their schemas
MANIFEST_MODEL = ("staging", Path("models") / "staging" / "lake" / "stg_lake__manifest.py")
SALT_MODEL = ("policy", Path("models") / "policy" / "policy_mask_salt.py")
LOADED_VIEW = "lakesight_spark_loaded"


@dataclass(frozen=True)
class RawModel:
    """One raw Python model of `models/raw/`."""

    identifier: str
    path: Path

    def module(self) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"lakesight_raw_{self.identifier}", self.path)
        if spec is None or spec.loader is None:
            raise LakeLoadError(f"{self.path}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def raw_models(project_dir: Path, select: Sequence[str] = ()) -> list[RawModel]:
    """The raw models, by name; `select` keeps only the named ones."""
    found = [RawModel(p.stem, p) for p in sorted((project_dir / "models" / "raw").glob("raw_*.py"))]
    unknown = sorted(set(select) - {m.identifier for m in found})
    if unknown:
        raise LakeLoadError(f"no raw model named {', '.join(unknown)}")
    return [m for m in found if not select or m.identifier in select]


class _This:
    """`dbt.this` for the readers: its identifier names the lake folder; as SQL it is the view of
    the fingerprints already loaded into the Spark table."""

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier

    def __str__(self) -> str:
        return LOADED_VIEW


class StandInDbt:
    """The part of dbt's Python-model API that the raw models and lakesight.load use."""

    def __init__(
        self, session: duckdb.DuckDBPyConnection, lake: str, identifier: str, incremental: bool
    ) -> None:
        self._session = session
        self._lake = lake.rstrip("/")
        self.this = _This(identifier)
        self.is_incremental = incremental

    def config(self, **_: Any) -> None:
        """The model's config is dbt's business (materialized=incremental): nothing to do."""

    def source(self, source_name: str, table_name: str) -> duckdb.DuckDBPyRelation:
        """The lake inventory of `<system>/<table>`, as the DuckDB source's external_location
        (for `lake.manifest`: the lake's `_lake.json`)."""
        if (source_name, table_name) == ("lake", "manifest"):
            manifest = sql_string(f"{self._lake}/_lake.json")
            return self._session.sql(f"select * from read_json({manifest}, filename = true)")
        folder = f"{self._lake}/{source_name}/{table_name}/**"
        return self._session.sql(f"select * from read_blob({sql_string(folder)})")


def spark_ready(table: pa.Table) -> pa.Table:
    """Arrow types Spark takes: nanosecond timestamps (ORC) become microseconds."""
    fields = []
    for field in table.schema:
        if pa.types.is_timestamp(field.type) and field.type.unit != "us":
            field = field.with_type(pa.timestamp("us", tz=field.type.tz))
        fields.append(field)
    return table.cast(pa.schema(fields))


def _loaded(spark: SparkSession, name: str) -> pa.Table:
    rows = spark.table(name).select("_source_file", "_file_size", "_file_hash").distinct().collect()
    return pa.table(
        {
            "_source_file": pa.array([r[0] for r in rows], pa.string()),
            "_file_size": pa.array([r[1] for r in rows], pa.int64()),
            "_file_hash": pa.array([r[2] for r in rows], pa.string()),
        }
    )


def _write(spark: SparkSession, name: str, frame: DataFrame, replaced: Sequence[str]) -> None:
    """Append the new rows; rows of reloaded files are replaced (rewrite, then rename)."""
    from pyspark.sql import functions as F

    if not spark.catalog.tableExists(name):
        frame.write.format("parquet").saveAsTable(name)
        return
    existing = spark.table(name)
    if existing.columns != frame.columns:
        raise LakeLoadError(
            f"{name}: the model's columns {frame.columns} differ from the table's "
            f"{existing.columns} (on_schema_change: fail); rebuild with --full-refresh"
        )
    if not replaced:
        frame.write.insertInto(name)
        return
    staged = f"{name}__lakesight_new"
    spark.sql(f"drop table if exists {staged}")
    kept = existing.where(~F.col("_source_file").isin(list(replaced)))
    kept.unionByName(frame).write.format("parquet").saveAsTable(staged)
    spark.sql(f"drop table {name}")
    spark.sql(f"alter table {staged} rename to {name}")


@dataclass(frozen=True)
class LoadResult:
    identifier: str
    files: int
    rows: int
    seconds: float
    schema: str = RAW_SCHEMA


def load_model(
    spark: SparkSession, model: RawModel, lake: str, full_refresh: bool = False
) -> LoadResult:
    """Run one raw model into `raw.<identifier>`."""
    started = time.perf_counter()
    name = f"{RAW_SCHEMA}.{model.identifier}"
    if full_refresh:
        spark.sql(f"drop table if exists {name}")
    incremental = spark.catalog.tableExists(name)
    session = duckdb.connect()
    try:
        loaded = _loaded(spark, name) if incremental else None
        if loaded is not None:
            session.register(LOADED_VIEW, loaded)
        dbt = StandInDbt(session, lake, model.identifier, incremental)
        result = model.module().model(dbt, session)
        # the loaders hand dbt-duckdb a lazy relation over the files: read it while its session
        # is open (Spark's createDataFrame takes a whole Arrow table on the driver)
        if isinstance(result, duckdb.DuckDBPyRelation):
            result = result.fetch_arrow_table()
        table = spark_ready(result)
    finally:
        session.close()
    keys = set(table.column("_source_file").to_pylist())
    replaced = sorted(keys & set(loaded.column("_source_file").to_pylist())) if loaded else []
    if table.num_rows or not incremental:
        _write(spark, name, spark.createDataFrame(table), replaced)
    return LoadResult(model.identifier, len(keys), table.num_rows, time.perf_counter() - started)


def load_manifest(spark: SparkSession, project_dir: Path, lake: str) -> LoadResult:
    """Run `stg_lake__manifest` into its Spark table, replacing it."""
    return load_table_model(spark, project_dir, lake, MANIFEST_MODEL)


def load_salt(spark: SparkSession, project_dir: Path, lake: str) -> LoadResult:
    """Run `policy_mask_salt` into its Spark table, replacing it: the secure views' hash mask reads
    the salt from it, so the value is never in a statement dbt-spark compiles or logs."""
    return load_table_model(spark, project_dir, lake, SALT_MODEL)


def load_table_model(
    spark: SparkSession, project_dir: Path, lake: str, where: tuple[str, Path]
) -> LoadResult:
    """Run one Python table model (schema, path) into its Spark table, replacing it."""
    started = time.perf_counter()
    schema, path = where
    model = RawModel(path.stem, project_dir / path)
    session = duckdb.connect()
    try:
        result = model.module().model(StandInDbt(session, lake, model.identifier, False), session)
        if isinstance(result, duckdb.DuckDBPyRelation):
            result = result.fetch_arrow_table()
        table = spark_ready(result)
    finally:
        session.close()
    spark.sql(f"create database if not exists {schema}")
    frame = spark.createDataFrame(table)
    frame.write.mode("overwrite").format("parquet").saveAsTable(f"{schema}.{model.identifier}")
    return LoadResult(model.identifier, 1, table.num_rows, time.perf_counter() - started, schema)


def load_raw(
    spark: SparkSession,
    project_dir: Path,
    lake: str,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    report: Callable[[LoadResult], None] | None = None,
) -> Iterator[LoadResult]:
    """Load every (selected) raw model, one after the other, then the lake manifest and the salt."""
    spark.sql(f"create database if not exists {RAW_SCHEMA}")
    for model in raw_models(project_dir, select):
        result = load_model(spark, model, lake, full_refresh)
        if report:
            report(result)
        yield result
    if not select:
        yield load_manifest(spark, project_dir, lake)
        yield load_salt(spark, project_dir, lake)


__all__ = [
    "META_COLUMNS",
    "LoadResult",
    "RawModel",
    "StandInDbt",
    "load_manifest",
    "load_raw",
    "load_salt",
    "raw_models",
]
