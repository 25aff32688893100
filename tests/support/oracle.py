"""An independent reading of the policy (docs/security.md) in Python, to check the secure views.

It shares no code with the SQL under test: it reads the seed CSV files itself, as `dbt seed` loads
them (`tests.support.seed_csv`: a byte order mark skipped, an empty cell NULL, booleans spelled
as DuckDB accepts them), and applies the rules row by row to the mart rows it is given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.seed_csv import SeedValueError, parse_boolean, read_seed

DEFAULT_SALT = "lakesight-dev-salt"
IDENTITY_COLUMNS = ("username", "groupname")


def normalise(identifier: str | None) -> str | None:
    """Identifiers are compared trimmed (spaces) with A-Z lower-cased, no other character (so the
    Kelvin sign stays itself); NULL stays NULL."""
    if identifier is None:
        return None
    return "".join(
        chr(ord(char) + 32) if "A" <= char <= "Z" else char for char in identifier.strip(" ")
    )


def is_wildcard(cell: str | None) -> bool:
    return cell is None or cell in ("", "*")


def cell_matches(cell: str | None, value: Any) -> bool:
    """A wildcard matches anything (NULL too); a list matches a non-NULL value exactly."""
    if is_wildcard(cell):
        return True
    assert cell is not None
    return value is not None and str(value) in cell.split(",")


def mask_value(mask: str, value: Any, salt: str) -> Any:
    if value is None:
        return None
    if mask == "null":
        return None
    if mask == "redact":
        return "****"
    if mask == "hash":
        return hashlib.sha256((salt + value).encode()).hexdigest()
    if mask == "email_domain":
        return "****@" + value.split("@")[-1] if "@" in value else "****"
    if mask == "last4":
        return "****" + value[-4:] if len(value) > 4 else "****"
    if mask == "year":
        first = dt.date(value.year, 1, 1)
        return dt.datetime(value.year, 1, 1) if isinstance(value, dt.datetime) else first
    raise ValueError(f"unknown mask {mask}")


@dataclass
class Policy:
    """The policy seeds as read from a folder of CSV files."""

    folder: Path
    users: dict[str, bool] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    masks: dict[str, dict[str, str]] = field(default_factory=dict)
    grants: list[dict[str, str | None]] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path) -> Policy:
        policy = cls(folder)
        for row in read_seed(folder / "sec_users.csv"):
            if row["user_name"] is not None:  # a NULL name is nobody (and refused: problems)
                active = parse_boolean(row["is_active"]) is True
                policy.users[str(normalise(row["user_name"]))] = active
        for row in read_seed(folder / "sec_group_members.csv"):
            group, user = normalise(row["group_name"]), normalise(row["user_name"])
            if group is not None and user is not None:
                policy.groups.setdefault(group, set()).add(user)
        for row in read_seed(folder / "sec_datasets.csv"):
            policy.modes[str(normalise(row["dataset"]))] = str(normalise(row["rls_mode"]))
        for row in read_seed(folder / "sec_cls_columns.csv"):
            dataset = str(normalise(row["dataset"]))
            policy.masks.setdefault(dataset, {})[str(normalise(row["column_name"]))] = str(
                normalise(row["mask"])
            )
        policy.grants = read_seed(folder / "sec_cls_grants.csv")
        return policy

    def active_user(self, principal: Any) -> str | None:
        user = normalise(None if principal is None else str(principal))
        return user if user is not None and self.users.get(user, False) else None

    def groups_of(self, user: str) -> set[str]:
        return {group for group, members in self.groups.items() if user in members}

    def rules(self, dataset: str) -> list[dict[str, str | None]]:
        return read_seed(self.folder / f"sec_rls__{dataset}.csv")

    def clear_columns(self, dataset: str, principal: Any) -> set[str]:
        user = self.active_user(principal)
        if user is None:
            return set()
        groups = self.groups_of(user)
        clear = set()
        for grant in self.grants:
            if normalise(grant["dataset"]) != dataset:
                continue
            kind, who = normalise(grant["principal_type"]), normalise(grant["principal"])
            if (kind == "user" and who == user) or (kind == "group" and who in groups):
                clear.add(str(normalise(grant["column_name"])))
        return clear

    def visible(
        self,
        dataset: str,
        principal: Any,
        rows: list[dict[str, Any]],
        attributes: list[dict[str, Any]] | None = None,
        salt: str | None = None,
    ) -> list[tuple[Any, ...]]:
        """The rows (as tuples, masks applied) that `principal` sees of `rows`.

        `attributes[i]` holds extra rule attributes of `rows[i]` (e.g. an order line's country).
        """
        # unset or empty: the development salt, as the build reads it (docs/security.md)
        salt = (os.environ.get("LAKESIGHT_MASK_SALT") or DEFAULT_SALT) if salt is None else salt
        user = self.active_user(principal)
        if user is None:
            return []
        groups = self.groups_of(user)
        if self.modes.get(dataset) == "public":
            applicable = [{}]
        else:
            applicable = [
                rule
                for rule in self.rules(dataset)
                if normalise(rule["UserName"] or None) == user
                or normalise(rule["GroupName"] or None) in groups
            ]
        masks = self.masks.get(dataset, {})
        clear = self.clear_columns(dataset, principal)
        result = []
        for index, row in enumerate(rows):
            values = {key.lower(): value for key, value in row.items()}
            if attributes is not None:
                values |= {key.lower(): value for key, value in attributes[index].items()}
            if not any(
                all(
                    cell_matches(cell or None, values[column.lower()])
                    for column, cell in rule.items()
                    if column.strip().lower() not in IDENTITY_COLUMNS
                )
                for rule in applicable
            ):
                continue
            result.append(
                tuple(
                    value
                    if name.lower() not in masks or name.lower() in clear
                    else mask_value(masks[name.lower()], value, salt)
                    for name, value in row.items()
                )
            )
        return result


MASKS = ("null", "redact", "hash", "email_domain", "last4", "year")
#: what a user or group name may hold after normalise (docs/security.md)
SAFE_NAME = re.compile(r"[a-z0-9._@+-]+")


def problems(folder: Path, datasets: set[str] | None = None) -> list[str]:
    """An independent reading of the policy's integrity rules: one line per problem found.

    `datasets` are the secure models the project has (default: those of sec_datasets). It is
    written for the tests, from the documented rules, sharing nothing with the SQL checks.
    """
    found: list[str] = []
    users = read_seed(folder / "sec_users.csv")
    names = [normalise(row["user_name"]) or "" for row in users]
    for number, (row, name) in enumerate(zip(users, names, strict=True), start=1):
        if not name:
            found.append(f"sec_users row {number}: empty user name")
        elif not SAFE_NAME.fullmatch(name):
            found.append(f"sec_users row {number}: unsafe user name {name!r}")
        try:
            if parse_boolean(row["is_active"]) is None:
                found.append(f"sec_users row {number}: is_active empty")
        except SeedValueError as error:  # dbt seed itself fails
            found.append(f"sec_users row {number}: {error}")
    if len(set(names)) != len(names):
        found.append("sec_users: colliding user names")
    known_users = set(names) - {""}
    members = read_seed(folder / "sec_group_members.csv")
    groups = {normalise(row["group_name"]) or "" for row in members} - {""}
    for number, row in enumerate(members, start=1):
        group = normalise(row["group_name"]) or ""
        if not group or not SAFE_NAME.fullmatch(group):
            found.append(f"sec_group_members row {number}: bad group name {group!r}")
        if (normalise(row["user_name"]) or "") not in known_users:
            found.append(f"sec_group_members row {number}: unknown user {row['user_name']!r}")
    modes = {}
    for number, row in enumerate(read_seed(folder / "sec_datasets.csv"), start=1):
        dataset, mode = normalise(row["dataset"]) or "", normalise(row["rls_mode"]) or ""
        if dataset in modes:
            found.append(f"sec_datasets row {number}: dataset {dataset!r} twice")
        modes[dataset] = mode
        if mode not in ("rules", "public"):
            found.append(f"sec_datasets row {number}: rls_mode {mode!r}")
        has_rules = (folder / f"sec_rls__{dataset}.csv").exists()
        if (mode == "rules") != has_rules and mode in ("rules", "public"):
            found.append(f"sec_datasets row {number}: rls_mode {mode} and rules file {has_rules}")
    for model in sorted((datasets or set(modes)) ^ set(modes)):
        found.append(f"dataset {model!r} is not both a secure model and in sec_datasets")
    for path in sorted(folder.glob("sec_rls__*.csv")):
        dataset = path.stem.removeprefix("sec_rls__")
        if dataset not in modes:
            found.append(f"{path.name}: unknown dataset {dataset!r}")
        for number, rule in enumerate(read_seed(path), start=1):
            user = normalise(rule.get("UserName") or None) or None
            group = normalise(rule.get("GroupName") or None) or None
            if (user is None) == (group is None):
                found.append(f"{path.name} row {number}: fills both or neither")
            if user is not None and user not in known_users:
                found.append(f"{path.name} row {number}: unknown user {user!r}")
            if group is not None and group not in groups:
                found.append(f"{path.name} row {number}: unknown group {group!r}")
            for column, cell in rule.items():
                if normalise(column) in IDENTITY_COLUMNS or is_wildcard(cell or None):
                    continue
                if any(e == "" or e != e.strip(" ") for e in str(cell).split(",")):
                    found.append(f"{path.name} row {number}, {column}: bad list {cell!r}")
    restricted = set()
    for number, row in enumerate(read_seed(folder / "sec_cls_columns.csv"), start=1):
        dataset, column = normalise(row["dataset"]) or "", normalise(row["column_name"]) or ""
        if dataset not in modes:
            found.append(f"sec_cls_columns row {number}: unknown dataset {dataset!r}")
        if (dataset, column) in restricted:
            found.append(f"sec_cls_columns row {number}: column twice")
        if normalise(row["mask"]) not in MASKS:
            found.append(f"sec_cls_columns row {number}: mask {row['mask']!r}")
        restricted.add((dataset, column))
    for number, row in enumerate(read_seed(folder / "sec_cls_grants.csv"), start=1):
        dataset, column = normalise(row["dataset"]) or "", normalise(row["column_name"]) or ""
        kind, who = normalise(row["principal_type"]), normalise(row["principal"]) or ""
        if dataset not in modes:
            found.append(f"sec_cls_grants row {number}: unknown dataset {dataset!r}")
        if (dataset, column) not in restricted:
            found.append(f"sec_cls_grants row {number}: column not restricted")
        if kind not in ("user", "group"):
            found.append(f"sec_cls_grants row {number}: principal_type {kind!r}")
        elif who not in (known_users if kind == "user" else groups):
            found.append(f"sec_cls_grants row {number}: unknown {kind} {who!r}")
    return found
