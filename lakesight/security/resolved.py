"""The resolved policy as the warehouse holds it (models/policy), for the Python side.

`dbt build` checks the policy seeds for referential integrity and resolves them once into the
`policy` schema; the secure views, their dbt tests and the audit model read those relations. The
native exports (`lakesight.security.exports_aws`) and the GX secure suites
(`lakesight.quality.suites.secure`) read the very same rows through this module, so none of them
can disagree with the views about who is active, who is in which group, which rules apply or which
columns are granted. A warehouse without these tables, or whose last build refused the policy
(`policy.policy_problems` not empty), is refused with what to do.

The test oracle (`tests.support.oracle`) stays independent: it reads the seed CSV files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from lakesight.display import character_name

#: the relations of models/policy this module reads
TABLES = (
    "policy_problems",
    "policy_datasets",
    "policy_principals",
    "policy_group_members",
    "policy_row_rules",
    "policy_restricted_columns",
    "policy_column_grants",
)

#: the comparison of scopes across datasets (docs/security.md, "Scopes that disagree"): read
#: when present, never required (a warehouse built without it has its scopes not compared)
SCOPE_MISMATCHES = "policy_scope_mismatches"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
#: the characters a user or group name may have after normalise (macro sec_safe_name_pattern)
SAFE_NAME = re.compile(r"[a-z0-9._@+-]+")


class PolicyNotBuilt(RuntimeError):
    """The warehouse holds no resolved policy (the build did not run, or the policy failed)."""


def normalise(identifier: str | None) -> str | None:
    """As the policy compares names: trimmed of spaces, A-Z lower-cased, nothing else changed."""
    return None if identifier is None else identifier.strip(" ").translate(_ASCII_LOWER)


def why_unknown(principal: str) -> str | None:
    """Why no policy name can equal `principal` once normalised, naming the first character
    outside the safe characters (e.g. `it contains U+0009 (TAB) at position 16`, counted from 1 in
    the name as given), or `it is empty`; None when the name could be a policy name."""
    start = len(principal) - len(principal.lstrip(" "))
    normal = str(normalise(principal))
    if not normal:
        return "it is empty"
    for offset, char in enumerate(normal):
        if not SAFE_NAME.fullmatch(char):
            return f"it contains {character_name(char)} at position {start + offset + 1}"
    return None


@dataclass(frozen=True)
class Rule:
    """One row rule: for a user or a group, per rule column the allowed values (None = any)."""

    user: str | None
    group: str | None
    cells: tuple[tuple[str, tuple[str, ...] | None], ...]

    @property
    def all_rows(self) -> bool:
        return all(values is None for _, values in self.cells)


@dataclass
class ResolvedPolicy:
    """The resolved policy: users (active or not), known groups with their active members,
    datasets with rls_mode and rule columns, rules of active users and known groups, restricted
    columns with their masks, and grants to active users and known groups."""

    users: dict[str, bool] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    rule_columns: dict[str, list[str]] = field(default_factory=dict)
    row_rules: dict[str, list[Rule]] = field(default_factory=dict)
    masks: dict[str, dict[str, str]] = field(default_factory=dict)
    #: (dataset, column, principal_type, principal)
    grants: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: the scopes that disagree across datasets (policy_scope_mismatches: one message each);
    #: None when the warehouse has no such table (built before it, or on Spark): not compared
    scope_mismatches: list[str] | None = None

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, schema: str = "policy") -> ResolvedPolicy:
        """Read the policy relations of `schema` on an open connection."""
        found = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [schema],
            ).fetchall()
        }
        missing = [name for name in TABLES if name not in found]
        if missing:
            raise PolicyNotBuilt(
                f"the warehouse has no resolved policy ({schema}.{missing[0]} is missing): run"
                " `make build` (or `dbt build -s +models/policy`) and fix what it reports"
            )

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(sql.format(s=schema)).fetchall()

        refused = rows(
            "select seed_file, seed_row, column_name, problem from {s}.policy_problems"
            " order by 1, 2 nulls first, 3, 4 limit 5"
        )
        if refused:
            listed = "; ".join(
                f"{file} {'row ' + str(row) if row else '(whole file)'}, column {column}: {text}"
                for file, row, column, text in refused
            )
            raise PolicyNotBuilt(
                f"the last build refused the policy seeds ({listed}): fix them and run `make build`"
            )

        policy = cls()
        for kind, name, active in rows(
            "select principal_type, principal, is_active from {s}.policy_principals order by 1, 2"
        ):
            if kind == "user":
                policy.users[name] = bool(active)
            else:
                policy.groups.setdefault(name, set())
        for group, user in rows("select group_name, user_name from {s}.policy_group_members"):
            policy.groups.setdefault(group, set()).add(user)
        for dataset, mode, columns in rows(
            "select dataset, rls_mode, rule_columns from {s}.policy_datasets order by 1"
        ):
            policy.modes[dataset] = mode
            policy.rule_columns[dataset] = list(columns or [])
            policy.row_rules[dataset] = []
        for dataset, user, group, cells in rows(
            "select dataset, user_name, group_name, cells from {s}.policy_row_rules"
            " order by dataset, seed_row"
        ):
            cells = dict(cells or {})
            rule = Rule(
                user,
                group,
                tuple(
                    (column, None if column not in cells else tuple(cells[column]))
                    for column in policy.rule_columns[dataset]
                ),
            )
            policy.row_rules[dataset].append(rule)
        for dataset, column, mask in rows(
            "select dataset, column_name, mask from {s}.policy_restricted_columns order by seed_row"
        ):
            policy.masks.setdefault(dataset, {})[column] = mask
        policy.grants = [
            tuple(row)  # type: ignore[misc]
            for row in rows(
                "select dataset, column_name, principal_type, principal"
                " from {s}.policy_column_grants order by 1, 2, 3, 4"
            )
        ]
        if SCOPE_MISMATCHES in found:
            policy.scope_mismatches = [
                message
                for (message,) in rows(
                    "select message from {s}.policy_scope_mismatches"
                    " order by principal, dataset_a, dataset_b"
                )
            ]
        return policy

    @classmethod
    def load(cls, warehouse: Path) -> ResolvedPolicy:
        """Read the resolved policy from a warehouse file (opened read-only)."""
        if not warehouse.exists():
            raise PolicyNotBuilt(f"no warehouse at {warehouse}: run `make build` first")
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return cls.read(con)

    def active_user(self, principal: Any) -> str | None:
        user = normalise(None if principal is None else str(principal))
        return user if user is not None and self.users.get(user, False) else None

    def groups_of(self, user: str) -> set[str]:
        return {group for group, members in self.groups.items() if user in members}

    def rules(self, dataset: str) -> list[Rule]:
        """The dataset's rules (of active users and known groups), each once, in seed order."""
        return list(dict.fromkeys(self.row_rules.get(dataset, [])))

    def clear_columns(self, dataset: str, principal: Any) -> set[str]:
        """The restricted columns of `dataset` the principal reads in clear."""
        user = self.active_user(principal)
        if user is None:
            return set()
        groups = self.groups_of(user)
        return {
            column
            for granted, column, kind, who in self.grants
            if granted == dataset
            and ((kind == "user" and who == user) or (kind == "group" and who in groups))
        }
