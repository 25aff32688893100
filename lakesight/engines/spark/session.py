"""A SparkSession configured exactly as dbt-spark's `spark` output in profiles.yml.

dbt-spark (`method: session`) builds its session from the output's `server_side_parameters`;
the raw step reads the same settings from profiles.yml (rendering its `env_var()` calls), so
both processes share one metastore and warehouse under `LAKESIGHT_SPARK_DIR`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

JAVA_PACKAGE = "openjdk-17-jre-headless"
MIN_JAVA = 17


class SparkUnavailable(RuntimeError):
    """Java 17+ or PySpark is missing; the message says what to install."""


def java_version() -> int | None:
    """The major version of `java` on PATH (or JAVA_HOME), None when there is none."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        return None
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def unavailable_reason() -> str | None:
    """Why Spark cannot run here (no Java 17+, no PySpark), or None when it can."""
    version = java_version()
    if version is None or version < MIN_JAVA:
        found = "no java on PATH" if version is None else f"java {version}"
        return (
            f"the Spark target needs Java {MIN_JAVA} or newer ({found}): install it "
            f"(Debian: sudo apt-get install {JAVA_PACKAGE})"
        )
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "the Spark target needs PySpark: run `make setup` (the `spark` extra)"
    return None


def profile_settings(project_dir: Path | None = None, target: str = "spark") -> dict[str, str]:
    """The `server_side_parameters` of the profiles.yml output `target`, rendered."""
    directory = project_dir or Path(os.environ.get("DBT_PROFILES_DIR", "."))
    profiles: dict[str, Any] = yaml.safe_load((directory / "profiles.yml").read_text())
    output = profiles["lakesight"]["outputs"][target]
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)

    def env_var(name: str, default: str | None = None) -> str:
        value = os.environ.get(name, default)
        if value is None:
            raise KeyError(f"profiles.yml: environment variable {name} is not set")
        return value

    return {
        key: environment.from_string(str(value)).render(env_var=env_var)
        for key, value in output.get("server_side_parameters", {}).items()
    }


def spark_session(project_dir: Path | None = None) -> SparkSession:
    """The session dbt-spark would open: Hive support plus the profile's settings."""
    reason = unavailable_reason()
    if reason:
        raise SparkUnavailable(reason)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in profile_settings(project_dir).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
