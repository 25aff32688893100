"""Policy scopes that agree (lakesight.security.scopes, docs/security.md, "Scopes that
disagree"): one pair of policies per kind of disagreement, one that must be reported and one
that must not. No dbt: the build test is tests/functional/security/test_policy_scopes.py."""

from __future__ import annotations

import pytest

from lakesight.security.scopes import TIMES, ScopePolicy, ScopeRule, mismatches

#: a small geography lookup: two regions, and Antarctica without one (dim_geography: Unassigned)
COUNTRIES = {
    "US": "Americas",
    "CA": "Americas",
    "BR": "Americas",
    "DE": "Europe",
    "FR": "Europe",
    "AQ": None,
}
COLUMNS = {
    "orders": ["country_code", "channel"],
    "bridge": ["country_code", "channel"],
    "customers": ["country_code"],
    "rfm": ["country_code"],
    "sales": ["region_name", "channel"],
    "targets": ["region_name"],
}


def rule(rule_id: str, who: str, **cells: str) -> ScopeRule:
    """A rule of user `who` (or of group `who` when it starts with `@`), cells as comma lists
    (`*` or empty: a wildcard, left out as the resolved policy leaves it out)."""
    group = who[1:] if who.startswith("@") else None
    return ScopeRule(
        rule_id,
        None if group else who,
        group,
        {
            column: tuple(value.split(","))
            for column, value in cells.items()
            if value not in ("*", "")
        },
    )


def policy(
    rules: dict[str, list[ScopeRule]], groups: dict[str, set[str]] | None = None
) -> ScopePolicy:
    return ScopePolicy(
        users=["bob"],
        groups=groups or {},
        rule_columns={dataset: COLUMNS[dataset] for dataset in rules},
        rules=rules,
        countries=COUNTRIES,
        region_rows={"targets"},
    )


#: kind -> (a policy whose scopes disagree, the pair, a text the difference must hold; a
#: policy of the same shape whose scopes agree)
KINDS = {
    "country set differs": (
        {
            "customers": [rule("c:1", "bob", country_code="US,CA")],
            "rfm": [rule("r:1", "bob", country_code="US")],
        },
        ("customers", "rfm"),
        "only customers shows CA",
        {
            "customers": [rule("c:1", "bob", country_code="US,CA")],
            "rfm": [rule("r:1", "bob", country_code="CA,US")],
        },
    ),
    "channel set differs": (
        {
            "orders": [rule("o:1", "bob", country_code="US", channel="web")],
            "bridge": [rule("b:1", "bob", country_code="US", channel="web,marketplace")],
        },
        ("bridge", "orders"),
        f"only bridge shows US {TIMES} marketplace",
        {
            "orders": [rule("o:1", "bob", country_code="US", channel="web,marketplace")],
            "bridge": [
                rule("b:1", "bob", country_code="US", channel="web"),
                rule("b:2", "bob", country_code="US", channel="marketplace"),
            ],
        },
    ),
    "wildcard against a list": (
        {
            "orders": [rule("o:1", "bob", country_code="*", channel="web")],
            "bridge": [rule("b:1", "bob", country_code="US,CA,BR,DE,FR,AQ", channel="web")],
        },
        ("bridge", "orders"),
        "only orders shows any country but",
        {
            "orders": [rule("o:1", "bob", country_code="*", channel="web")],
            "bridge": [rule("b:1", "bob", country_code="", channel="web")],
        },
    ),
    "a rule on one dataset, none on the other": (
        {"customers": [rule("c:1", "bob", country_code="DE")], "rfm": []},
        ("customers", "rfm"),
        "only customers shows DE",
        {"customers": [], "rfm": []},
    ),
    "a group's rule against the user's own": (
        {
            "orders": [rule("o:1", "@emea", country_code="DE,FR", channel="*")],
            "bridge": [rule("b:1", "bob", country_code="DE", channel="*")],
        },
        ("bridge", "orders"),
        f"only orders shows FR {TIMES} any channel",
        {
            "orders": [rule("o:1", "@emea", country_code="DE,FR", channel="*")],
            "bridge": [rule("b:1", "bob", country_code="FR,DE", channel="")],
        },
    ),
    "a region against countries": (
        {
            "orders": [rule("o:1", "bob", country_code="US,CA", channel="*")],
            "sales": [rule("s:1", "bob", region_name="Americas", channel="*")],
        },
        ("orders", "sales"),
        f"only sales shows BR {TIMES} any channel",
        {
            "orders": [rule("o:1", "bob", country_code="US,CA,BR", channel="*")],
            "sales": [rule("s:1", "bob", region_name="Americas", channel="*")],
        },
    ),
    "a dataset of regions against countries it does not cover": (
        {
            "customers": [rule("c:1", "bob", country_code="DE,FR")],
            "targets": [rule("t:1", "bob", region_name="Americas")],
        },
        ("customers", "targets"),
        "only customers shows Europe",
        {
            # regions only: a partial country scope may show its region, or not
            "customers": [rule("c:1", "bob", country_code="US,CA,DE,FR")],
            "targets": [rule("t:1", "bob", region_name="Europe")],
        },
    ),
    "a dataset with a dimension the other lacks": (
        {
            "orders": [rule("o:1", "bob", country_code="DE", channel="web")],
            "customers": [rule("c:1", "bob", country_code="DE,FR")],
        },
        ("customers", "orders"),
        "only customers shows FR",
        {
            # a channel-restricted principal may see no customer, or the customers of DE
            "orders": [rule("o:1", "bob", country_code="DE", channel="web")],
            "customers": [],
        },
    ),
}


def test_every_kind_is_listed_with_both_policies() -> None:
    assert len(KINDS) == 8


@pytest.mark.parametrize("kind", KINDS)
def test_a_disagreement_is_reported_naming_principal_datasets_and_difference(kind: str) -> None:
    rules, pair, difference, _ = KINDS[kind]
    groups = {"emea": {"bob"}}
    found = mismatches(policy(rules, groups))
    assert [(m.dataset_a, m.dataset_b) for m in found] == [pair], found
    message = found[0].message
    assert message.startswith(f"bob: {pair[0]} and {pair[1]} disagree on "), message
    assert difference in message, message


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_scope_written_another_way_agrees(kind: str) -> None:
    _, _, _, rules = KINDS[kind]
    assert mismatches(policy(rules, {"emea": {"bob"}})) == []


def test_an_inactive_or_unlisted_user_is_not_compared() -> None:
    rules = {"customers": [rule("c:1", "bob", country_code="DE")], "rfm": []}
    assert mismatches(policy(rules)) != []
    scope = policy(rules)
    scope.users = []
    assert mismatches(scope) == []


def test_a_group_member_gets_the_groups_rules_and_the_message_names_them() -> None:
    rules = {
        "customers": [rule("c:1", "@care", country_code="*")],
        "rfm": [rule("r:1", "bob", country_code="DE")],
    }
    (found,) = mismatches(policy(rules, {"care": {"bob"}}))
    assert found.rules_a == "c:1 (group care)" and found.rules_b == "r:1 (own)"
    assert found.only_in_a == "any country but DE"
    assert found.scope_b == "DE"


def test_the_example_seeds_agree_by_the_oracle() -> None:
    """Read independently (tests/support/oracle.py applies the seeds' rules to rows): on synthetic
    rows, one per country of the lookup and channel, every active principal is let through the
    same (country, channel) pairs by every dataset keyed by country and channel, and through no
    country in a country-only dataset that it sees no order of, nor misses one it sees in every
    channel."""
    import csv
    from pathlib import Path

    from tests.support.oracle import Policy

    repo = Path(__file__).resolve().parents[2]
    seeds = Policy.load(repo / "seeds" / "security")
    with (repo / "seeds" / "reference" / "ref_countries.csv").open() as handle:
        regions = {row["country_code"]: row["region_name"] for row in csv.DictReader(handle)}
    with (repo / "seeds" / "reference" / "ref_channels.csv").open() as handle:
        channels = [row["channel"] for row in csv.DictReader(handle)]
    cells = [
        {"country_code": code, "region_name": region, "channel": channel}
        for code, region in regions.items()
        for channel in channels
    ]
    by_country_and_channel = [
        "orders",
        "order_items",
        "order_value_histogram",
        "revenue_bridge_monthly",
        "sales_daily",
    ]
    by_country = ["customers", "customer_rfm", "customer_churn_features", "revenue_by_country"]
    for user in (user for user, active in seeds.users.items() if active):
        seen = {
            dataset: set(seeds.visible(dataset, user, [dict(cell) for cell in cells]))
            for dataset in by_country_and_channel
        }
        assert len({frozenset(pairs) for pairs in seen.values()}) == 1, (user, seen)
        pairs = {(row[0], row[2]) for row in seen["orders"]}
        every_channel = {code for code in regions if all((code, c) in pairs for c in channels)}
        some_channel = {code for code, _ in pairs}
        for dataset in by_country:
            rows = [{"country_code": code} for code in regions]
            countries = {row[0] for row in seeds.visible(dataset, user, rows)}
            assert every_channel <= countries <= some_channel, (user, dataset)
