"""Policy scopes that agree: each principal's row scope compared across datasets (docs/security.md,
"Scopes that disagree").

A principal's scope on a `rules` dataset is the set of rows its rules allow (own and groups',
ORed; no rule: no rows). Datasets that share a rule dimension — geography (`country_code`,
`region_name`) or a column of the same name (`channel`) — should give it the same scope there.
This module compares them and describes every difference; `models/policy/policy_scope_mismatches.py`
runs it inside `dbt build` over the resolved policy.

How scopes are compared (the reasons are in docs/security.md):

- **Cells.** Every value a rule can name is a point: each country of the geography lookup
  (`ref_countries`, regions as `dim_geography` gives them: no region is `Unassigned`), every value
  named in some rule, and one point for "any value no rule names" (`OTHER`), which only a
  wildcard matches. A scope is the set of cells (one point per dimension) its rules match.
- **Region and country.** Geography is one dimension. A `region_name` cell matches the countries
  of its regions, so a region scope and a country scope are compared country by country (bob's
  `Americas` is 35 countries, not `US, CA`). A dataset whose *rows are regions* (`region_rows`:
  `revenue_vs_target_current`) cannot name a country: it is compared with the others region by
  region, and a country scope stands for any set of regions between those it covers entirely and
  those it touches.
- **Dimensions one dataset lacks.** Compared on the dimensions both have: a dataset with more of
  them (orders: country and channel) against one with fewer (customers: country) agrees when the
  smaller one's scope lies between the countries the larger one shows entirely (every channel)
  and those it shows at all. So a channel-restricted principal may see no customer (a customer
  has no channel), and frank's `DE x web` orders agree with customers of `DE`.
- **Disagreement.** With `U` (shown entirely) and `E` (shown at all) of each side in the
  compared space — for a side with nothing to project away both are its scope — the scopes agree
  when `U_a ⊆ E_b` and `U_b ⊆ E_a`; the difference is `U_a - E_b` (only `a` shows it) and
  `U_b - E_a` (only `b`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: between the dimensions of a scope in words (`CA, US`, the sign, `any channel`)
TIMES = "\N{MULTIPLICATION SIGN}"
#: the one point per dimension that stands for every value no rule names
OTHER = "\x00other"
#: the geography dimension and its rule columns
GEOGRAPHY = "geography"
COUNTRY = "country_code"
REGION = "region_name"
#: the region of a country without one (dim_geography's coalesce)
UNASSIGNED = "Unassigned"

SCHEMA_COLUMNS = (
    "principal",
    "dataset_a",
    "dataset_b",
    "compared_on",
    "scope_a",
    "scope_b",
    "only_in_a",
    "only_in_b",
    "rules_a",
    "rules_b",
    "message",
)


@dataclass(frozen=True)
class ScopeRule:
    """One row rule as the resolved policy holds it: non-wildcard cells only."""

    rule_id: str
    user: str | None
    group: str | None
    cells: Mapping[str, tuple[str, ...]]


@dataclass
class ScopePolicy:
    """What the comparison reads: active users and their groups, the rules datasets' rule
    columns and rules, the geography lookup, and the datasets whose rows are regions."""

    users: list[str]
    groups: dict[str, set[str]]
    rule_columns: dict[str, list[str]]
    rules: dict[str, list[ScopeRule]]
    countries: dict[str, str]
    region_rows: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Mismatch:
    """Two datasets giving one principal different scopes on the dimensions they share."""

    principal: str
    dataset_a: str
    dataset_b: str
    compared_on: str
    scope_a: str
    scope_b: str
    only_in_a: str | None
    only_in_b: str | None
    rules_a: str
    rules_b: str

    @property
    def message(self) -> str:
        only = [
            f"only {dataset} shows {text}"
            for dataset, text in (
                (self.dataset_a, self.only_in_a),
                (self.dataset_b, self.only_in_b),
            )
            if text
        ]
        return (
            f"{self.principal}: {self.dataset_a} and {self.dataset_b} disagree on"
            f" {self.compared_on}: {'; '.join(only)}"
            f" ({self.dataset_a}: {self.scope_a} [{self.rules_a}];"
            f" {self.dataset_b}: {self.scope_b} [{self.rules_b}])"
        )

    def row(self) -> tuple[str | None, ...]:
        return (
            self.principal,
            self.dataset_a,
            self.dataset_b,
            self.compared_on,
            self.scope_a,
            self.scope_b,
            self.only_in_a,
            self.only_in_b,
            self.rules_a,
            self.rules_b,
            self.message,
        )


def dimension(column: str) -> str:
    """The dimension a rule column restricts: geography for country and region, else itself."""
    return GEOGRAPHY if column in (COUNTRY, REGION) else column


class _Space:
    """The points of every dimension, from the lookup and the values the rules name."""

    def __init__(self, policy: ScopePolicy) -> None:
        self.policy = policy
        self.country_region = {
            code: region or UNASSIGNED for code, region in policy.countries.items()
        }
        named: dict[str, set[str]] = {}
        for rules in policy.rules.values():
            for rule in rules:
                for column, values in rule.cells.items():
                    named.setdefault(column, set()).update(values)
        countries = set(self.country_region) | named.get(COUNTRY, set())
        regions = set(self.country_region.values()) | named.get(REGION, set())
        self.values: dict[tuple[str, str], list[str]] = {
            (GEOGRAPHY, "country"): [*sorted(countries), OTHER],
            (GEOGRAPHY, "region"): [*sorted(regions), OTHER],
        }
        for column, found in named.items():
            if dimension(column) != GEOGRAPHY:
                self.values[(column, "")] = [*sorted(found), OTHER]
        self.regions = sorted(set(self.country_region.values()))

    def dimensions(self, dataset: str) -> list[str]:
        found = {dimension(column) for column in self.policy.rule_columns.get(dataset, [])}
        return sorted(found, key=lambda name: (name != GEOGRAPHY, name))

    def grain(self, dataset: str) -> str:
        return "region" if dataset in self.policy.region_rows else "country"

    def points(self, dimension_name: str, grain: str) -> list[str]:
        if dimension_name == GEOGRAPHY:
            return self.values[(GEOGRAPHY, grain)]
        return self.values.get((dimension_name, ""), [OTHER])

    def region_of(self, country: str) -> str:
        return self.country_region.get(country, OTHER)


def _matches(space: _Space, rule: ScopeRule, cell: dict[str, str], grain: str) -> bool:
    """Whether a rule allows a cell (its point per dimension of the dataset)."""
    for column, values in rule.cells.items():
        name = dimension(column)
        point = cell.get(name, OTHER)
        if point == OTHER:
            return False  # a list never names "any other value"
        if name == GEOGRAPHY and grain == "country":
            value = space.region_of(point) if column == REGION else point
        elif name == GEOGRAPHY and column == COUNTRY:
            return False  # rows that are regions carry no country: a country list matches none
        else:
            value = point
        if value not in values:
            return False
    return True


def _scope(
    space: _Space, dataset: str, rules: list[ScopeRule]
) -> tuple[list[str], set[tuple[str, ...]]]:
    """The dataset's dimensions and the cells the rules allow."""
    dims = space.dimensions(dataset)
    grain = space.grain(dataset)
    cells: set[tuple[str, ...]] = set()
    if rules:
        for point in itertools.product(*(space.points(name, grain) for name in dims)):
            cell = dict(zip(dims, point, strict=True))
            if any(_matches(space, rule, cell, grain) for rule in rules):
                cells.add(point)
    return dims, cells


def _reduce(
    space: _Space,
    dims: list[str],
    cells: set[tuple[str, ...]],
    grain: str,
    shared: list[str],
    shared_grain: str,
) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """(U, E) of a scope in the compared space: the points it shows entirely, and at all."""
    positions = [dims.index(name) for name in shared]

    def project(point: tuple[str, ...]) -> tuple[str, ...]:
        values = []
        for name, position in zip(shared, positions, strict=True):
            value = point[position]
            if name == GEOGRAPHY and grain == "country" and shared_grain == "region":
                value = OTHER if value == OTHER else space.region_of(value)
            values.append(value)
        return tuple(values)

    total: dict[tuple[str, ...], int] = {}
    shown: dict[tuple[str, ...], int] = {}
    for point in itertools.product(*(space.points(name, grain) for name in dims)):
        key = project(point)
        total[key] = total.get(key, 0) + 1
        if point in cells:
            shown[key] = shown.get(key, 0) + 1
    entirely = {key for key, count in shown.items() if count == total[key]}
    return entirely, set(shown)


def _text_values(space: _Space, name: str, grain: str, values: Iterable[str]) -> str:
    """A set of points of one dimension in words: lists, regions, `any … but …`."""
    chosen = set(values)
    universe = space.points(name, grain)
    label = {GEOGRAPHY: "country" if grain == "country" else "region"}.get(name, name)
    if OTHER in chosen:
        missing = [value for value in universe if value not in chosen]
        if not missing:
            return f"any {label}"
        return f"any {label} but " + _text_list(space, name, grain, missing)
    return _text_list(space, name, grain, sorted(chosen))


def _text_list(space: _Space, name: str, grain: str, values: list[str]) -> str:
    if name != GEOGRAPHY or grain != "country":
        return ", ".join(values)
    chosen = set(values)
    parts: list[str] = []
    for region in space.regions:
        members = sorted(code for code, of in space.country_region.items() if of == region)
        present = [code for code in members if code in chosen]
        if not present:
            continue
        if len(present) == len(members):
            parts.append(f"{region} (all {len(members)} countries)")
        elif len(present) > len(members) / 2:
            absent = [code for code in members if code not in chosen]
            parts.append(f"{region} but {', '.join(absent)}")
        else:
            parts.extend(present)
    parts.extend(code for code in sorted(chosen) if code not in space.country_region)
    return ", ".join(parts)


def describe(space: _Space, dims: list[str], grain: str, cells: set[tuple[str, ...]]) -> str:
    """Cells in words: geography first, one `... x ...` group per set of the other points."""
    if not cells:
        return "nothing"
    if len(dims) == 1:
        return _text_values(space, dims[0], grain, (cell[0] for cell in cells))
    by_rest: dict[tuple[str, ...], set[str]] = {}
    for cell in cells:
        by_rest.setdefault(cell[1:], set()).add(cell[0])
    # the first dimension's sets, each with the rest it goes with
    groups: dict[frozenset[str], set[tuple[str, ...]]] = {}
    for rest, firsts in by_rest.items():
        groups.setdefault(frozenset(firsts), set()).add(rest)
    parts = []
    for firsts, rests in sorted(groups.items(), key=lambda item: sorted(item[0])):
        head = _text_values(space, dims[0], grain, firsts)
        tail = describe(space, dims[1:], grain, rests)
        parts.append(f"{head} {TIMES} {tail}")
    return "; ".join(parts)


def _rules_text(rules: list[ScopeRule]) -> str:
    if not rules:
        return "no rule (no rows)"
    return ", ".join(
        f"{rule.rule_id} ({'group ' + rule.group if rule.group else 'own'})" for rule in rules
    )


def _compared_on(shared: list[str], shared_grain: str) -> str:
    return ", ".join(
        (f"geography (by {shared_grain})" if name == GEOGRAPHY else name) for name in shared
    )


def mismatches(policy: ScopePolicy) -> list[Mismatch]:
    """Every active user x pair of rules datasets sharing a dimension whose scopes disagree.

    Users given the same rules (the same groups, no rules of their own) share the work: a scope
    is computed once per dataset and set of rules, a pair compared once per two such sets."""
    space = _Space(policy)
    found = []
    datasets = sorted(policy.rule_columns)
    scopes: dict[tuple[str, tuple[str, ...]], tuple[list[str], set[tuple[str, ...]]]] = {}
    compared: dict[tuple[str, tuple[str, ...], str, tuple[str, ...]], _Difference | None] = {}
    for user in sorted(policy.users):
        groups = {group for group, members in policy.groups.items() if user in members}
        applying = {
            dataset: [
                rule
                for rule in policy.rules.get(dataset, [])
                if rule.user == user or (rule.group is not None and rule.group in groups)
            ]
            for dataset in datasets
        }
        keys = {dataset: tuple(rule.rule_id for rule in applying[dataset]) for dataset in datasets}
        for dataset in datasets:
            if (dataset, keys[dataset]) not in scopes:
                scopes[dataset, keys[dataset]] = _scope(space, dataset, applying[dataset])
        for a, b in itertools.combinations(datasets, 2):
            key = (a, keys[a], b, keys[b])
            if key not in compared:
                compared[key] = _compare(space, a, scopes[a, keys[a]], b, scopes[b, keys[b]])
            difference = compared[key]
            if difference is None:
                continue
            found.append(
                Mismatch(
                    principal=user,
                    dataset_a=a,
                    dataset_b=b,
                    compared_on=difference.compared_on,
                    scope_a=difference.scope_a,
                    scope_b=difference.scope_b,
                    only_in_a=difference.only_in_a,
                    only_in_b=difference.only_in_b,
                    rules_a=_rules_text(applying[a]),
                    rules_b=_rules_text(applying[b]),
                )
            )
    return found


@dataclass(frozen=True)
class _Difference:
    compared_on: str
    scope_a: str
    scope_b: str
    only_in_a: str | None
    only_in_b: str | None


def _compare(
    space: _Space,
    a: str,
    scope_a: tuple[list[str], set[tuple[str, ...]]],
    b: str,
    scope_b: tuple[list[str], set[tuple[str, ...]]],
) -> _Difference | None:
    """How two scopes differ on the dimensions their datasets share; None when they agree (or
    share no dimension)."""
    (dims_a, cells_a), (dims_b, cells_b) = scope_a, scope_b
    shared = [name for name in dims_a if name in dims_b]
    if not shared:
        return None
    grain_a, grain_b = space.grain(a), space.grain(b)
    shared_grain = "region" if "region" in (grain_a, grain_b) else "country"
    entirely_a, shown_a = _reduce(space, dims_a, cells_a, grain_a, shared, shared_grain)
    entirely_b, shown_b = _reduce(space, dims_b, cells_b, grain_b, shared, shared_grain)
    only_a, only_b = entirely_a - shown_b, entirely_b - shown_a
    if not only_a and not only_b:
        return None
    return _Difference(
        compared_on=_compared_on(shared, shared_grain),
        scope_a=describe(space, dims_a, grain_a, cells_a),
        scope_b=describe(space, dims_b, grain_b, cells_b),
        only_in_a=describe(space, shared, shared_grain, only_a) if only_a else None,
        only_in_b=describe(space, shared, shared_grain, only_b) if only_b else None,
    )


def read_policy(
    rows: Mapping[str, list[tuple[Any, ...]]], region_rows: Iterable[str]
) -> ScopePolicy:
    """A ScopePolicy from the resolved policy's rows (models/policy) and the geography lookup:
    `principals` (principal_type, principal, is_active), `members` (group_name, user_name),
    `datasets` (dataset, rls_mode, rule_columns), `rules` (dataset, rule_id, user_name,
    group_name, cells) and `countries` (country_code, region_name)."""
    users = sorted(name for kind, name, active in rows["principals"] if kind == "user" and active)
    groups: dict[str, set[str]] = {}
    for group, user in rows["members"]:
        groups.setdefault(group, set()).add(user)
    rule_columns = {
        dataset: list(columns or [])
        for dataset, mode, columns in rows["datasets"]
        if mode == "rules"
    }
    rules: dict[str, list[ScopeRule]] = {dataset: [] for dataset in rule_columns}
    for dataset, rule_id, user, group, cells in rows["rules"]:
        if dataset in rules:
            values = {key: tuple(value) for key, value in dict(cells or {}).items()}
            rules[dataset].append(ScopeRule(rule_id, user, group, values))
    countries = {code: region for code, region in rows["countries"] if code is not None}
    return ScopePolicy(
        users=users,
        groups=groups,
        rule_columns=rule_columns,
        rules=rules,
        countries=countries,
        region_rows={dataset for dataset in region_rows if dataset in rule_columns},
    )
