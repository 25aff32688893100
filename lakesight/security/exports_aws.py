"""Native policy exports: the policy seeds as Amazon QuickSight and AWS Lake Formation take them.

From the same resolved policy as the secure views (docs/security.md) this writes, under one folder:

- `quicksight/rls/<dataset>.csv`: the RLS permissions dataset of each `rules` dataset (UserName,
  GroupName, then the rule columns; a wildcard is an empty cell, a list a comma list);
- `quicksight/group_members.csv`: the group memberships of active users (QuickSight resolves
  GroupName rules through its own groups, so they must hold exactly these members);
- `quicksight/column_level_permission_rules.json`: per dataset, `ColumnLevelPermissionRules` as
  `CreateDataSet` / `UpdateDataSet` take them;
- `lakeformation/data_cells_filters.json`: one `CreateDataCellsFilter` `TableData` per entitlement
  set (dataset, row filter, excluded columns) and the `GrantPermissions` requests pairing each
  active user's principal with its filter.

The policy is read from the warehouse's resolved policy (`lakesight.security.resolved`, the
`policy` schema `dbt build` writes after checking the seeds), the very rows the secure views
read, so an export cannot disagree with the views; every file is checked after writing, the
JSON against botocore's own service models (`ParamValidator`, plus the `max` and
`enum` limits it leaves to the service) — offline, no AWS call.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakesight.outputs import NATIVE, generation, output_lock
from lakesight.security.datasets import TARGETS
from lakesight.security.resolved import ResolvedPolicy, Rule, normalise

if TYPE_CHECKING:  # botocore is imported where it validates: `lakesight` starts without it
    from botocore.model import Shape

DEFAULT_ACCOUNT_ID = "111122223333"
DEFAULT_REGION = "us-east-1"
DEFAULT_NAMESPACE = "default"
DEFAULT_DATABASE = "lakesight_marts"
#: QuickSight applies at most this many rules (own + groups') to one user
MAX_RULES_PER_USER = 999

RLS_FOLDER = Path("quicksight") / "rls"
GROUP_MEMBERS = Path("quicksight") / "group_members.csv"
CLS_RULES = Path("quicksight") / "column_level_permission_rules.json"
LF_FILTERS = Path("lakeformation") / "data_cells_filters.json"


class NativeExportError(ValueError):
    """The policy cannot be exported, or a written file lacks the shape the service takes."""


@dataclass(frozen=True)
class Settings:
    """Where the exports point: AWS account, QuickSight region and namespace, Glue database."""

    account_id: str = DEFAULT_ACCOUNT_ID
    region: str = DEFAULT_REGION
    namespace: str = DEFAULT_NAMESPACE
    database: str = DEFAULT_DATABASE
    #: QuickSight user given the restricted columns nobody is granted (QuickSight has no "nobody")
    cls_admin: str | None = None

    def quicksight_user(self, user: str) -> str:
        return f"arn:aws:quicksight:{self.region}:{self.account_id}:user/{self.namespace}/{user}"

    def quicksight_group(self, group: str) -> str:
        return f"arn:aws:quicksight:{self.region}:{self.account_id}:group/{self.namespace}/{group}"

    def iam_user(self, user: str) -> str:
        """The Lake Formation principal of a user: an IAM user of the same name."""
        return f"arn:aws:iam::{self.account_id}:user/{user}"


@dataclass(frozen=True)
class Written:
    path: Path
    size: int
    what: str


# --- reading the rules ----------------------------------------------------------------------------


def rule_columns(policy: ResolvedPolicy, dataset: str) -> list[str]:
    """The rule columns of a dataset (its rules seed's header order, lower case)."""
    return list(policy.rule_columns.get(dataset, []))


def read_rules(policy: ResolvedPolicy, dataset: str) -> list[Rule]:
    """The rules of active users and known groups (the build refused any other), each once."""
    return policy.rules(dataset)


def active_users(policy: ResolvedPolicy) -> list[str]:
    return sorted(user for user, active in policy.users.items() if active)


def applicable_rules(policy: ResolvedPolicy, rules: Iterable[Rule], user: str) -> list[Rule]:
    """A user's rules: its own and its groups' (flat groups), duplicates once."""
    groups = policy.groups_of(user)
    mine = [rule for rule in rules if rule.user == user or rule.group in groups]
    return list(dict.fromkeys(Rule(None, None, rule.cells) for rule in mine))


def restricted_columns(policy: ResolvedPolicy, dataset: str) -> list[str]:
    return list(policy.masks.get(dataset, {}))


def scope_warnings(policy: ResolvedPolicy) -> list[str]:
    """What the exports carry as they are but the owners should know: each principal whose scopes
    disagree across datasets (docs/security.md, "Scopes that disagree"), or that they were not
    compared. The exports are written all the same: a warning, as in the build."""
    if policy.scope_mismatches is None:
        return [
            "policy scopes not compared across datasets: the warehouse has no"
            " policy.policy_scope_mismatches (rebuild it with dbt build)"
        ]
    return [f"policy scope mismatch: {message}" for message in policy.scope_mismatches]


# --- QuickSight -----------------------------------------------------------------------------------


def quicksight_rls(policy: ResolvedPolicy, dataset: str) -> list[list[str]]:
    """The permissions dataset as CSV rows, header first; a wildcard is an empty cell."""
    header = ["UserName", "GroupName", *rule_columns(policy, dataset)]
    rows = [
        [
            rule.user or "",
            rule.group or "",
            *("" if values is None else ",".join(values) for _, values in rule.cells),
        ]
        for rule in read_rules(policy, dataset)
    ]
    return [header, *rows]


def group_members(policy: ResolvedPolicy) -> list[list[str]]:
    header = ["GroupName", "UserName"]
    rows = [
        [group, user]
        for group, members in sorted(policy.groups.items())
        for user in sorted(members)
        if policy.users.get(user, False)
    ]
    return [header, *rows]


def column_level_permission_rules(policy: ResolvedPolicy, settings: Settings) -> dict[str, Any]:
    """Per dataset with restricted columns: who may see each one (everyone else does not see it)."""
    datasets: dict[str, Any] = {}
    for dataset in sorted(policy.masks):
        by_principals: dict[tuple[str, ...], list[str]] = {}
        for column in restricted_columns(policy, dataset):
            principals = set()
            for granted, granted_column, kind, who in policy.grants:
                if (granted, granted_column) != (dataset, column):
                    continue
                if kind == "user" and policy.users.get(who, False):
                    principals.add(settings.quicksight_user(who))
                elif kind == "group" and who in policy.groups:
                    principals.add(settings.quicksight_group(who))
            if not principals:  # a column left out of every rule would be visible to everyone
                if settings.cls_admin is None:
                    raise NativeExportError(
                        f"seeds/security/sec_cls_columns.csv: column {column} of dataset"
                        f" {dataset} is granted to nobody, which QuickSight cannot express: pass"
                        " --cls-admin USER to grant it to that administrator only, or grant it"
                    )
                principals.add(settings.quicksight_user(str(normalise(settings.cls_admin))))
            by_principals.setdefault(tuple(sorted(principals)), []).append(column)
        if by_principals:
            datasets[dataset] = {
                "ColumnLevelPermissionRules": [
                    {"Principals": list(principals), "ColumnNames": columns}
                    for principals, columns in by_principals.items()
                ]
            }
    return {
        "AwsAccountId": settings.account_id,
        "Region": settings.region,
        "Namespace": settings.namespace,
        "DataSets": datasets,
    }


# --- Lake Formation -------------------------------------------------------------------------------

_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")


def sql_literal(value: str) -> str:
    """A SQL string literal: single quotes doubled, so no cell content can end it."""
    return "'" + value.replace("'", "''") + "'"


def sql_column(name: str) -> str:
    """A column of a row filter: Glue column names are lower case; anything else is refused."""
    if not _COLUMN.fullmatch(name):
        raise NativeExportError(f"column name {name!r} cannot be used in a row filter")
    return name


def filter_expression(rules: list[Rule]) -> str | None:
    """The WHERE expression of the rules: OR over rules, AND over cells; None = all rows.

    Wildcard cells are left out; a rule of wildcards only allows all rows. No rules is not
    expressible (it denies): callers give such a principal no filter at all.
    """
    if not rules:
        raise ValueError("no rules: deny by granting no filter")
    if any(rule.all_rows for rule in rules):
        return None
    terms = []
    for rule in rules:
        parts = [
            f"{sql_column(column)} IN ({', '.join(sql_literal(value) for value in values)})"
            for column, values in rule.cells
            if values is not None
        ]
        terms.append(" AND ".join(parts))
    terms = list(dict.fromkeys(terms))
    if len(terms) == 1:
        return terms[0]
    return " OR ".join(f"({term})" for term in terms)


def data_cells_filters(policy: ResolvedPolicy, settings: Settings) -> dict[str, Any]:
    """One data-cells filter per entitlement set and a SELECT grant on it per active user."""
    filters: dict[str, dict[str, Any]] = {}
    grants: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for dataset, mode in sorted(policy.modes.items()):
        target = TARGETS.get(dataset)
        if target is None:
            raise NativeExportError(f"no mart known for dataset {dataset}: add it to TARGETS")
        if target.rules_from is not None and mode != "public":
            skipped.append(
                {
                    "Dataset": dataset,
                    "Reason": f"its rule columns come from {target.rules_from}, and a Lake "
                    f"Formation row filter can only use {target.table}'s own columns",
                }
            )
            continue
        rules = read_rules(policy, dataset) if mode != "public" else []
        for user in active_users(policy):
            if mode == "public":
                row_filter: dict[str, Any] = {"AllRowsWildcard": {}}
            else:
                mine = applicable_rules(policy, rules, user)
                if not mine:
                    continue  # deny: no filter, no grant
                expression = filter_expression(mine)
                row_filter = (
                    {"AllRowsWildcard": {}}
                    if expression is None
                    else {"FilterExpression": expression}
                )
            excluded = [
                column
                for column in restricted_columns(policy, dataset)
                if column not in policy.clear_columns(dataset, user)
            ]
            columns: dict[str, Any] = {"ExcludedColumnNames": excluded} if excluded else {}
            key = json.dumps([dataset, row_filter, excluded], sort_keys=True)
            name = f"lakesight_{dataset}_{hashlib.sha256(key.encode()).hexdigest()[:10]}"
            filters[name] = {
                "TableCatalogId": settings.account_id,
                "DatabaseName": settings.database,
                "TableName": target.table,
                "Name": name,
                "RowFilter": row_filter,
                "ColumnWildcard": columns,
            }
            grants.append(
                {
                    "CatalogId": settings.account_id,
                    "Principal": {"DataLakePrincipalIdentifier": settings.iam_user(user)},
                    "Resource": {
                        "DataCellsFilter": {
                            "TableCatalogId": settings.account_id,
                            "DatabaseName": settings.database,
                            "TableName": target.table,
                            "Name": name,
                        }
                    },
                    "Permissions": ["SELECT"],
                }
            )
    return {
        "TableCatalogId": settings.account_id,
        "DatabaseName": settings.database,
        "DataCellsFilters": sorted(
            filters.values(), key=lambda item: (item["TableName"], item["Name"])
        ),
        "Grants": grants,
        "Skipped": skipped,
    }


# --- validation -----------------------------------------------------------------------------------


def _limit_errors(value: Any, shape: Shape, path: str) -> list[str]:
    """The `max` and `enum` limits of a shape, which botocore's ParamValidator leaves to AWS."""
    from botocore.model import ListShape, StringShape, StructureShape

    errors = []
    maximum = shape.metadata.get("max")
    if isinstance(shape, StringShape) and isinstance(value, str):
        if maximum is not None and len(value) > maximum:
            errors.append(f"{path}: {len(value)} characters, at most {maximum} allowed")
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {', '.join(shape.enum)}")
    elif isinstance(shape, ListShape) and isinstance(value, list):
        if maximum is not None and len(value) > maximum:
            errors.append(f"{path}: {len(value)} items, at most {maximum} allowed")
        for index, item in enumerate(value):
            errors += _limit_errors(item, shape.member, f"{path}[{index}]")
    elif isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                errors += _limit_errors(item, shape.members[key], f"{path}.{key}")
    return errors


def check_shape(params: Any, shape: Shape, where: str) -> None:
    """Validate `params` against a botocore shape; raise naming `where` and every problem."""
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(params, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    problems += _limit_errors(params, shape, shape.name)
    if problems:
        raise NativeExportError(f"{where}: not a valid {shape.name}:\n" + "\n".join(problems))


def service_shapes() -> dict[str, Shape]:
    """The botocore input shapes the exports must fit."""
    import botocore.session

    session = botocore.session.get_session()
    quicksight = session.get_service_model("quicksight")
    lakeformation = session.get_service_model("lakeformation")
    return {
        "ColumnLevelPermissionRules": quicksight.operation_model(
            "UpdateDataSet"
        ).input_shape.members["ColumnLevelPermissionRules"],
        "CreateDataCellsFilter": lakeformation.operation_model("CreateDataCellsFilter").input_shape,
        "GrantPermissions": lakeformation.operation_model("GrantPermissions").input_shape,
    }


def check_rls_csv(path: Path, policy: ResolvedPolicy, dataset: str) -> None:
    """The checks a QuickSight permissions dataset must pass (it has no API shape)."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    expected = ["UserName", "GroupName", *rule_columns(policy, dataset)]
    if not rows or rows[0] != expected:
        raise NativeExportError(f"{path}: header must be {','.join(expected)}")
    seen: set[tuple[str, ...]] = set()
    per_user = dict.fromkeys(active_users(policy), 0)
    for number, row in enumerate(rows[1:], start=1):
        where = f"{path} row {number}"
        if len(row) != len(expected):
            raise NativeExportError(f"{where}: {len(row)} cells, the header has {len(expected)}")
        user, group, *cells = row
        if bool(user) == bool(group):
            raise NativeExportError(f"{where}: fill exactly one of UserName and GroupName")
        if user and (user != normalise(user) or not policy.users.get(user, False)):
            raise NativeExportError(f"{where}: UserName {user!r} is not an active user as written")
        if group and (group != normalise(group) or group not in policy.groups):
            raise NativeExportError(f"{where}: GroupName {group!r} is not a known group")
        for column, cell in zip(expected[2:], cells, strict=True):
            elements = cell.split(",") if cell else []
            if cell == "*" or any(e == "" or e != e.strip(" ") for e in elements):
                raise NativeExportError(f"{where}, column {column}: bad value list {cell!r}")
        if tuple(row) in seen:
            raise NativeExportError(f"{where}: duplicate rule (QuickSight ignores duplicates)")
        seen.add(tuple(row))
        for member in [user] if user else sorted(policy.groups[group]):
            if member in per_user:
                per_user[member] += 1
    too_many = {user: count for user, count in per_user.items() if count > MAX_RULES_PER_USER}
    if too_many:
        raise NativeExportError(f"{path}: more than {MAX_RULES_PER_USER} rules for {too_many}")


def validate_exports(out: Path, policy: ResolvedPolicy) -> None:
    """Check every file under `out` as written; raise naming the file and the problem."""
    shapes = service_shapes()
    for dataset, mode in sorted(policy.modes.items()):
        path = out / RLS_FOLDER / f"{dataset}.csv"
        if mode == "rules":
            check_rls_csv(path, policy, dataset)
        elif path.exists():
            raise NativeExportError(f"{path}: dataset {dataset} is public and has no RLS")
    cls_path = out / CLS_RULES
    document = json.loads(cls_path.read_text())
    for dataset, entry in document["DataSets"].items():
        check_shape(
            entry["ColumnLevelPermissionRules"],
            shapes["ColumnLevelPermissionRules"],
            f"{cls_path} dataset {dataset}",
        )
    lf_path = out / LF_FILTERS
    document = json.loads(lf_path.read_text())
    names = set()
    for index, table_data in enumerate(document["DataCellsFilters"]):
        check_shape(
            {"TableData": table_data},
            shapes["CreateDataCellsFilter"],
            f"{lf_path} DataCellsFilters[{index}]",
        )
        names.add(table_data["Name"])
    for index, grant in enumerate(document["Grants"]):
        where = f"{lf_path} Grants[{index}]"
        check_shape(grant, shapes["GrantPermissions"], where)
        if grant["Resource"]["DataCellsFilter"]["Name"] not in names:
            raise NativeExportError(f"{where}: grants a filter the file does not define")


# --- writing --------------------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def export_policies(
    warehouse: Path | ResolvedPolicy, out: Path, settings: Settings | None = None
) -> list[Written]:
    """Write the native exports of the resolved policy (of a built warehouse file) under `out`,
    check them, list them.

    `out` is a generated folder (lakesight/outputs.py): the files are written and checked in a
    new generation and `out` switches to it at once, so a stale RLS file of a dataset that is
    no longer `rules` is gone and nothing else is ever removed; a folder holding anything
    else is refused, naming it."""
    settings = settings or Settings()
    policy = warehouse if isinstance(warehouse, ResolvedPolicy) else ResolvedPolicy.load(warehouse)
    with output_lock(out, NATIVE), generation(out, NATIVE) as new:
        written = _write_exports(new.folder, policy, settings)
        try:
            validate_exports(new.folder, policy)
        except NativeExportError as error:  # named by the path it would have had
            raise NativeExportError(str(error).replace(str(new.folder), str(out))) from None
        listed = [(out / path, (new.folder / path).stat().st_size, what) for path, what in written]
    return [Written(path, size, what) for path, size, what in listed]


def _write_exports(
    folder: Path, policy: ResolvedPolicy, settings: Settings
) -> list[tuple[Path, str]]:
    """Write every export into `folder`; (relative path, what) of each."""
    written: list[tuple[Path, str]] = []
    for dataset, mode in sorted(policy.modes.items()):
        if mode == "rules":
            path = RLS_FOLDER / f"{dataset}.csv"
            _write_csv(folder / path, quicksight_rls(policy, dataset))
            written.append((path, f"QuickSight RLS of {dataset}"))
    _write_csv(folder / GROUP_MEMBERS, group_members(policy))
    written.append((GROUP_MEMBERS, "QuickSight group members"))
    _write_json(folder / CLS_RULES, column_level_permission_rules(policy, settings))
    written.append((CLS_RULES, "QuickSight CLS rules"))
    _write_json(folder / LF_FILTERS, data_cells_filters(policy, settings))
    written.append((LF_FILTERS, "Lake Formation filters, grants"))
    return written
