"""lakesight.config: one table of every LAKESIGHT_* variable, in step with its readers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lakesight import config
from tests.support.warehouse import REPO

NAME = re.compile(r"\bLAKESIGHT_[A-Z0-9_]+\b")
#: the places that read a variable: the package, dbt's profile, models and macros, the Makefile
READERS = ("lakesight/**/*.py", "models/**/*.py", "macros/**/*.sql", "profiles.yml", "Makefile")
#: a direct read of a LAKESIGHT_* variable: os.environ.get("LAKESIGHT_…"), getenv, environ[…]
DIRECT_READ = re.compile(r"""(?:environ\.get|getenv|environ\[)\(?\s*["']LAKESIGHT_""")


def _files() -> list[Path]:
    return sorted({path for pattern in READERS for path in REPO.glob(pattern)})


def test_every_variable_in_use_is_in_the_table() -> None:
    known = {setting.name for setting in config.SETTINGS}
    used = {
        (name, path.relative_to(REPO).as_posix())
        for path in _files()
        for name in NAME.findall(path.read_text(encoding="utf-8"))
    }
    assert {(name, where) for name, where in used if name not in known} == set()
    assert len(known) == len(config.SETTINGS)  # no name twice


def test_only_the_config_module_reads_the_environment() -> None:
    readers = [
        path.relative_to(REPO).as_posix()
        for path in REPO.glob("lakesight/**/*.py")
        if DIRECT_READ.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_the_defaults_are_profiles_yml_defaults() -> None:
    profile = (REPO / "profiles.yml").read_text(encoding="utf-8")
    defaults = dict(re.findall(r"env_var\('(LAKESIGHT_[A-Z0-9_]+)', '([^']*)'\)", profile))
    assert defaults  # the pattern still finds them
    assert {
        setting.name: setting.default for setting in config.SETTINGS if setting.name in defaults
    } == defaults


def test_values_are_read_when_asked_and_empty_is_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAKESIGHT_DB", "w/one.duckdb")
    monkeypatch.setenv("LAKESIGHT_LAKE", "some/lake")
    assert config.warehouse_path() == tmp_path / "w" / "one.duckdb"
    assert config.warehouse_file() == Path("w/one.duckdb")
    assert config.lake_path() == Path("some/lake")
    for name in ("LAKESIGHT_DB", "LAKESIGHT_LAKE", "LAKESIGHT_MASK_SALT", "LAKESIGHT_SPARK_DIR"):
        monkeypatch.setenv(name, "")
    assert config.warehouse_path() == tmp_path / "lakesight.duckdb"
    assert config.lake_path() == Path("data/lake")
    assert config.mask_salt() == config.DEFAULT_SALT
    assert config.spark_dir() == Path("target/spark")
    assert config.mask_salt({"LAKESIGHT_MASK_SALT": "s3cret"}) == "s3cret"
