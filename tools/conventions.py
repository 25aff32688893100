"""Convention checks dbt-bouncer does not make: documented macros, owned nodes.

`python -m tools.conventions target/manifest.json` (run by `make lint` after `dbt parse`) fails,
naming the node and its file, when
- a macro or generic test under `macros/` has no entry in a `_<folder>__macros.yml`, an empty
  description, an argument without a description, or a documented argument it does not declare
  (dbt-bouncer's `check_macro_arguments_description_populated` passes a macro none of whose
  arguments is documented; this check does not);
- a model, seed or snapshot of the project is in no dbt group, has no `meta.owner`, or its group
  has no owner.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_SIGNATURE = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\s*\((?P<args>.*?)\)\s*-?%\}", re.DOTALL)


def declared_arguments(macro_sql: str) -> list[str]:
    """The argument names of the first `{% macro name(...) %}` or `{% test name(...) %}` block."""
    match = _SIGNATURE.search(macro_sql)
    if match is None:
        return []
    names, depth, current = [], 0, ""
    for char in match.group("args") + ",":
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            name = current.split("=", 1)[0].strip()
            if name:
                names.append(name)
            current = ""
        else:
            current += char
    return names


def macro_problems(macros: Iterable[Mapping[str, Any]], project: str) -> list[str]:
    """One sentence per undocumented macro, argument or stale argument of the project's macros/."""
    problems = []
    for macro in macros:
        path = str(macro.get("original_file_path", ""))
        if macro.get("package_name") != project or not path.startswith("macros/"):
            continue
        name = macro["name"]
        where = f"macro {name} ({path})"
        if not macro.get("patch_path"):
            problems.append(f"{where} is not documented in a _<folder>__macros.yml")
            continue
        if not str(macro.get("description") or "").strip():
            problems.append(f"{where} has no description")
        documented = {
            argument["name"]: str(argument.get("description") or "").strip()
            for argument in macro.get("arguments") or []
        }
        declared = declared_arguments(str(macro.get("macro_sql", "")))
        for argument in declared:
            if not documented.get(argument):
                problems.append(f"{where}: argument {argument} has no description")
        for argument in sorted(set(documented) - set(declared)):
            problems.append(f"{where}: documents argument {argument}, which it does not declare")
    return problems


def ownership_problems(manifest: Mapping[str, Any]) -> list[str]:
    """One sentence per model, seed or snapshot of the project without a group or owner."""
    owned_groups = {
        group["name"]
        for group in manifest.get("groups", {}).values()
        if (group.get("owner") or {}).get("name") or (group.get("owner") or {}).get("email")
    }
    problems = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        if node.get("package_name") != manifest["metadata"]["project_name"]:
            continue
        where = f"{node['resource_type']} {node['name']} ({node['original_file_path']})"
        group = node.get("group") or node.get("config", {}).get("group")
        if not group:
            problems.append(f"{where} is in no dbt group")
        elif group not in owned_groups:
            problems.append(f"{where}: group {group} has no owner")
        if not (node.get("meta") or {}).get("owner"):
            problems.append(f"{where} has no meta.owner")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    manifest_path = Path(args[0] if args else "target/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    project = manifest["metadata"]["project_name"]
    problems = macro_problems(manifest["macros"].values(), project) + ownership_problems(manifest)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} convention problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
