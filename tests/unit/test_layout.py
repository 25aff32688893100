"""The package's layout is the data flow (README.md, "Layout"): no import against it.

Every module under lakesight/ has a rank, from the first name after `lakesight.`:

- 0, shared: `config`, `dbt_artifacts`, `display`, `outputs` (and the package's `__init__`);
- 1 to 7, the rooms in the order data flows: `lake` (the generator), `load`, `security`,
  `quality`, `semantic` (metrics), `consume`, `site`;
- 8, the steps over the rooms: `engines` (Spark), `pipeline` (`lakesight build`);
- 9, `cli`, the command line over all of them.

A module may import a module of its own rank or of a lower one: a room its own room, the rooms
before it and the shared modules; a shared module only shared ones. Importing a higher rank is an
upward import (load importing from consume, say, or a room importing the command line). Every
`import` and `from … import` counts, those inside functions too (the lazy ones). No module
imports the tests (`tests`). A top-level name under lakesight/ without a rank
fails the test, so a new one is placed on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "lakesight"

SHARED = ("config", "dbt_artifacts", "display", "outputs")
ROOMS = ("lake", "load", "security", "quality", "semantic", "consume", "site")
STEPS = ("engines", "pipeline")
TESTS = ("tests",)

RANK = {
    "": 0,  # the package's own __init__
    **dict.fromkeys(SHARED, 0),
    **{room: number for number, room in enumerate(ROOMS, start=1)},
    **dict.fromkeys(STEPS, len(ROOMS) + 1),
    "cli": len(ROOMS) + 2,
}


def module_name(path: Path) -> str:
    """The dotted name of a module file under lakesight/."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(module: str, source: str, is_package: bool) -> list[str]:
    """Every module name the source imports (relative imports resolved; `from x import y`
    counts as x.y, y being a module or a name of x)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def rank(module: str) -> int | None:
    """The module's rank, or None for a top-level name the rule does not place."""
    parts = module.split(".")
    return RANK.get(parts[1] if len(parts) > 1 else "")


def problems(module: str, targets: list[str]) -> list[str]:
    """What the rule refuses among one module's imports."""
    found = []
    for target in targets:
        top = target.split(".")[0]
        if top in TESTS:
            found.append(f"{module} imports the tests ({target})")
        elif top == "lakesight":
            source_rank, target_rank = rank(module), rank(target)
            if target_rank is not None and source_rank is not None and target_rank > source_rank:
                found.append(f"{module} imports {target}: against the flow")
    return found


def modules() -> list[tuple[str, Path]]:
    return sorted((module_name(path), path) for path in PACKAGE.rglob("*.py"))


def test_every_top_level_name_of_the_package_has_a_rank() -> None:
    unplaced = sorted({name for name, _ in modules() if rank(name) is None})
    assert unplaced == []


def test_no_module_imports_the_tests_or_against_the_flow() -> None:
    found = []
    for name, path in modules():
        source = path.read_text(encoding="utf-8")
        found += problems(name, imported(name, source, path.name == "__init__.py"))
    assert found == []


@pytest.mark.parametrize(
    ("module", "source", "refused"),
    [
        ("lakesight.load.files", "from lakesight.consume.dashboards import build", True),
        ("lakesight.site.summary", "def f():\n    import lakesight.engines.spark.session", True),
        ("lakesight.config", "from lakesight.lake import reference", True),
        ("lakesight.quality.runner", "from lakesight.cli.quality import verdict", True),
        ("lakesight.quality.runner", "from tests.support.oracle import policy", True),
        ("lakesight.consume.ml.card", "from tests.support import REPO", True),
        ("lakesight.consume.ml.card", "from lakesight.quality.suites import Suite", False),
        ("lakesight.load.files", "from lakesight import config", False),
        ("lakesight.site.owner", "from . import summary", False),
        ("lakesight.lake", "from .entities import bad", False),
        ("lakesight.lake.generate", "from .. import pipeline", True),
        ("lakesight.engines.spark.raw", "from lakesight.load.readers import sql_string", False),
        ("lakesight.cli.spark", "from lakesight.engines.spark.session import spark_session", False),
    ],
)
def test_the_rule_refuses_an_import_against_the_flow(
    module: str, source: str, refused: bool
) -> None:
    is_package = module == "lakesight.lake"
    assert bool(problems(module, imported(module, source, is_package))) is refused
