"""lakesight's settings: every `LAKESIGHT_*` environment variable, its default and what it selects.

One table (`SETTINGS`) names them all, those lakesight reads and those only dbt reads through
profiles.yml's `env_var()`; tests/unit/test_config.py keeps the table in step with every
`LAKESIGHT_*` name the package, the models, the macros, profiles.yml and the Makefile use.

Values are read when asked for (functions, not module constants): `make`, the tests and
`lakesight notebooks build` set the environment per process. An empty variable counts as unset
(an empty warehouse path or salt would be no setting at all).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: the public development salt of the `hash` mask (docs/security.md, "The mask salt"): a
#: warehouse built with it is refused by extracts unless `--dev` says they stay local
DEFAULT_SALT = "lakesight-dev-salt"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default and what it selects."""

    name: str
    default: str
    meaning: str

    def value(self, environ: Mapping[str, str] | None = None) -> str:
        """The variable's value in `environ` (default: this process's), else the default."""
        return (os.environ if environ is None else environ).get(self.name) or self.default


#: read by lakesight (and by dbt where profiles.yml or a model says so)
LAKE = Setting(
    "LAKESIGHT_LAKE",
    "data/lake",
    "the data lake folder: lakesight lake, spark load, dbt's raw models and stg_lake__manifest",
)
DB = Setting(
    "LAKESIGHT_DB",
    "lakesight.duckdb",
    "the DuckDB warehouse file dbt writes (profiles.yml) and every command reads",
)
MASK_SALT = Setting(
    "LAKESIGHT_MASK_SALT",
    DEFAULT_SALT,
    "the `hash` mask's salt, read by the model policy.policy_mask_salt (docs/security.md)",
)
EXTRACTS = Setting(
    "LAKESIGHT_EXTRACTS",
    "target/extracts",
    "the extracts folder a notebook's kernel reads (set by lakesight notebooks build)",
)
SPARK_DIR = Setting(
    "LAKESIGHT_SPARK_DIR",
    "target/spark",
    "the Spark metastore and warehouse (profiles.yml's spark output, docs/scale-out.md)",
)

#: read by dbt only, through profiles.yml's env_var()
DBT_ONLY = (
    Setting("LAKESIGHT_DUCKDB_THREADS", "2", "DuckDB's threads in a dbt build"),
    Setting("LAKESIGHT_MEMORY_LIMIT", "1536MB", "DuckDB's memory budget in a dbt build"),
    Setting("LAKESIGHT_TEMP_DIR", "target/duckdb_tmp", "where DuckDB spills beyond its budget"),
    Setting("LAKESIGHT_LINT_DB", "target/lint.duckdb", "the lint target's throwaway warehouse"),
    Setting("LAKESIGHT_SPARK_MASTER", "local[2]", "the Spark master of the spark target"),
    Setting("LAKESIGHT_SPARK_MEMORY", "2g", "the Spark driver's memory"),
    Setting("LAKESIGHT_THRIFT_HOST", "emr-master.example.internal", "the thrift target's host"),
    Setting("LAKESIGHT_THRIFT_PORT", "10001", "the thrift target's port"),
    Setting("LAKESIGHT_THRIFT_USER", "hadoop", "the thrift target's user"),
    Setting("LAKESIGHT_THRIFT_AUTH", "NONE", "the thrift target's authentication"),
)

SETTINGS = (LAKE, DB, MASK_SALT, EXTRACTS, SPARK_DIR, *DBT_ONLY)


def lake_path() -> Path:
    """The lake folder: $LAKESIGHT_LAKE, else data/lake (relative to the current folder)."""
    return Path(LAKE.value())


def warehouse_file() -> Path:
    """The warehouse file as configured: $LAKESIGHT_DB, else lakesight.duckdb (not resolved)."""
    return Path(DB.value())


def warehouse_path() -> Path:
    """The warehouse file dbt writes (profiles.yml: env LAKESIGHT_DB, default lakesight.duckdb)."""
    return warehouse_file().resolve()


def spark_dir() -> Path:
    """The Spark metastore and warehouse folder: $LAKESIGHT_SPARK_DIR, else target/spark."""
    return Path(SPARK_DIR.value())


def extracts_dir() -> Path:
    """The folder of the principals' extracts: $LAKESIGHT_EXTRACTS, else target/extracts."""
    return Path(EXTRACTS.value())


def mask_salt(environ: Mapping[str, str] | None = None) -> str:
    """The salt a build uses: $LAKESIGHT_MASK_SALT, or the development salt when it is unset or
    empty (an empty salt would be no salt at all)."""
    return MASK_SALT.value(environ)


def dbt_target() -> Path:
    """dbt's target folder (its artifacts): $DBT_TARGET_PATH, as dbt reads it, else target."""
    return Path(os.environ.get("DBT_TARGET_PATH") or "target")
