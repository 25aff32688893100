"""The macro documentation check of `make lint` (tools/conventions.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tools.conventions import declared_arguments, macro_problems, ownership_problems

ROOT = Path(__file__).resolve().parents[2]


def _macro(sql: str, arguments: list[dict[str, str]] | None = None, **extra: object) -> dict:
    macro = {
        "name": "m",
        "package_name": "lakesight",
        "original_file_path": "macros/x/m.sql",
        "patch_path": "lakesight://macros/x/_x__macros.yml",
        "description": "Does m.",
        "arguments": arguments or [],
        "macro_sql": sql,
    }
    macro.update(extra)
    return macro


def test_declared_arguments_reads_macro_and_test_signatures() -> None:
    sql = "{% macro m(a, b=none, c={'x': 1, 'y': [2, 3]}) -%}x{%- endmacro %}"
    assert declared_arguments(sql) == ["a", "b", "c"]
    assert declared_arguments("{% test t(model, column_name) %}select 1{% endtest %}") == [
        "model",
        "column_name",
    ]
    assert declared_arguments("{% macro m() %}{% endmacro %}") == []


def test_a_fully_documented_macro_passes() -> None:
    arguments = [{"name": "a", "description": "The a."}]
    assert macro_problems([_macro("{% macro m(a) %}{% endmacro %}", arguments)], "lakesight") == []


def test_every_gap_is_named() -> None:
    sql = "{% macro m(a, b) %}{% endmacro %}"
    problems = macro_problems(
        [
            _macro(sql, patch_path=None),
            _macro(sql, [{"name": "a", "description": "The a."}], description=" "),
            _macro(sql, [{"name": "a", "description": "The a."}, {"name": "b", "description": ""}]),
            _macro(sql, []),
            _macro(
                sql,
                [
                    {"name": "a", "description": "The a."},
                    {"name": "b", "description": "The b."},
                    {"name": "old", "description": "Gone."},
                ],
            ),
        ],
        "lakesight",
    )
    assert problems == [
        "macro m (macros/x/m.sql) is not documented in a _<folder>__macros.yml",
        "macro m (macros/x/m.sql) has no description",
        "macro m (macros/x/m.sql): argument b has no description",
        "macro m (macros/x/m.sql): argument b has no description",
        # no argument documented at all: dbt-bouncer's own check lets this one pass
        "macro m (macros/x/m.sql): argument a has no description",
        "macro m (macros/x/m.sql): argument b has no description",
        "macro m (macros/x/m.sql): documents argument old, which it does not declare",
    ]


def test_macros_of_dbt_and_its_adapters_are_not_judged() -> None:
    sql = "{% macro m(a) %}{% endmacro %}"
    assert macro_problems([_macro(sql, package_name="dbt")], "lakesight") == []
    assert macro_problems([_macro(sql, original_file_path="tests/m.sql")], "lakesight") == []


def _node(name: str, **config: object) -> dict:
    return {
        "resource_type": "model",
        "package_name": "lakesight",
        "name": name,
        "original_file_path": f"models/{name}.sql",
        **config,
    }


def test_every_model_needs_an_owned_group_and_an_owner() -> None:
    manifest = {
        "metadata": {"project_name": "lakesight"},
        "groups": {
            "group.lakesight.a": {"name": "a", "owner": {"email": "a@example.com"}},
            "group.lakesight.b": {"name": "b", "owner": {}},
        },
        "nodes": {
            "1": _node("owned", group="a", meta={"owner": "a@example.com"}),
            "2": _node("groupless", meta={"owner": "a@example.com"}),
            "3": _node("ownerless_group", group="b", meta={"owner": "b@example.com"}),
            "4": _node("no_meta_owner", group="a", meta={}),
            "5": {**_node("other_package"), "package_name": "dbt"},
            "6": {**_node("a_test"), "resource_type": "test"},
        },
    }
    assert ownership_problems(manifest) == [
        "model groupless (models/groupless.sql) is in no dbt group",
        "model ownerless_group (models/ownerless_group.sql): group b has no owner",
        "model no_meta_owner (models/no_meta_owner.sql) has no meta.owner",
    ]


def test_command_exits_non_zero_naming_the_macro(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    macro = _macro("{% macro m(a) %}{% endmacro %}")
    content = {"metadata": {"project_name": "lakesight"}, "macros": {"m": macro}, "nodes": {}}
    manifest.write_text(json.dumps(content))
    result = subprocess.run(
        [sys.executable, "-m", "tools.conventions", str(manifest)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert "macro m (macros/x/m.sql): argument a has no description" in result.stderr
