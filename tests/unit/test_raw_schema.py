"""The raw layer's one table of truth (lakesight/load/schema.py) and its copies: the raw models'
declared columns, models/raw/_raw__models.yml, and the raw landing contract's column check."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

from lakesight.load.schema import RAW_COLUMNS, raw_types
from lakesight.quality.suites.raw import raw_contract
from tests.support.warehouse import REPO

RAW = REPO / "models" / "raw"


def test_the_yaml_lists_every_raw_table_with_the_columns_of_the_table_of_truth_in_order() -> None:
    models = yaml.safe_load((RAW / "_raw__models.yml").read_text(encoding="utf-8"))["models"]
    documented = {model["name"]: [c["name"] for c in model["columns"]] for model in models}
    assert documented == {table: list(raw_types(table)) for table in RAW_COLUMNS}


def load_model(path: Path) -> object:
    spec = importlib.util.spec_from_file_location(f"raw_model_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_raw_model_declares_the_columns_of_the_table_of_truth() -> None:
    files = sorted(RAW.glob("raw_*.py"))
    assert {path.stem for path in files} == set(RAW_COLUMNS)
    for path in files:
        declared = getattr(load_model(path), "COLUMNS", None)
        if declared is None:  # a line table: the loader's one `line` column
            assert RAW_COLUMNS[path.stem] == {"line": "VARCHAR"}, path.name
        elif isinstance(declared, dict):  # Parquet, Avro, ORC: names and types
            assert declared == RAW_COLUMNS[path.stem], path.name
        else:  # CSV: names only, every field landing as text
            assert declared == list(RAW_COLUMNS[path.stem]), path.name
            assert set(RAW_COLUMNS[path.stem].values()) == {"VARCHAR"}, path.name


def test_the_landing_contract_checks_every_raw_table() -> None:
    assert [suite.table for suite in raw_contract()] == list(RAW_COLUMNS)
