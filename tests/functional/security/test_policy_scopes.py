"""Policy scopes that agree (docs/security.md, "Scopes that disagree"): the build compares each
principal's row scope across the datasets sharing a rule dimension, warns naming principal,
datasets and difference (an error with --vars '{policy_scope_mismatch: error}'), and the audit
page and `lakesight export-policies` list the same.

Cheap: only the policy seeds, the geography lookup and models/policy are built (no lake, no
marts), in a copy of the project whose seeds a test edits. The comparison itself, kind by kind,
is unit-tested in tests/unit/test_policy_scopes.py; here one policy holds every kind at once,
each for a principal of its own, with a twin principal whose scopes agree though written
differently.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from lakesight.security.audit import render_html
from lakesight.security.scopes import TIMES
from lakesight.site.owner import scope_mismatches
from tests.support.warehouse import REPO, Warehouse, project_copy

POLICY = REPO / "seeds" / "security"
SELECT = (
    "-s",
    "path:seeds/security",
    "ref_countries",
    "path:models/policy",
    "--indirect-selection",
    "cautious",
)
ERROR = ("--vars", "{policy_scope_mismatch: error}")
EUROPE = sorted(
    row["country_code"]
    for row in csv.DictReader((REPO / "seeds" / "reference" / "ref_countries.csv").open())
    if row["region_name"] == "Europe"
)

#: the owners' example: sales_daily keyed by region and channel, as the seeds were
SALES_DAILY_BY_REGION = (
    "UserName,GroupName,region_name,channel\n"
    ",emea_sales,Europe,\n"
    ",web_team,*,web\n"
    'bob@example.com,,Americas,"web,marketplace"\n'
    "frank@example.com,,Europe,web\n"
    ",analysts,*,*\n"
    'grace@example.com,,"Asia,Africa",mobile_app\n'
)
#: kind -> (principal, rules seed -> rows appended, the pair, the difference the build must name)
DISAGREE = {
    "country set differs": (
        "k-country@example.com",
        {
            "customers": ['k-country@example.com,,"US,CA"'],
            "customer_rfm": ["k-country@example.com,,US"],
        },
        ("customer_rfm", "customers"),
        "only customers shows CA",
    ),
    "channel set differs": (
        "k-channel@example.com",
        {
            "orders": ["k-channel@example.com,,US,web"],
            "revenue_bridge_monthly": ['k-channel@example.com,,US,"web,marketplace"'],
        },
        ("orders", "revenue_bridge_monthly"),
        f"only revenue_bridge_monthly shows US {TIMES} marketplace",
    ),
    "wildcard against a list": (
        "k-wild@example.com",
        {
            "orders": ["k-wild@example.com,,*,web"],
            "order_value_histogram": ['k-wild@example.com,,"US,CA",web'],
        },
        ("order_value_histogram", "orders"),
        "only orders shows any country but",
    ),
    "a rule on one dataset, none on the other": (
        "k-norule@example.com",
        {"customers": ["k-norule@example.com,,DE"]},
        ("customers", "revenue_by_country"),
        "only customers shows DE",
    ),
    "a group's rule against the user's own": (
        "k-group@example.com",
        {"orders": [',scope_team,"DE,FR",*'], "order_items": ["k-group@example.com,,DE,*"]},
        ("order_items", "orders"),
        f"only orders shows FR {TIMES} any channel",
    ),
    "a region against countries (the owners' example)": (
        "bob@example.com",
        {},
        ("orders", "sales_daily"),
        f"only orders shows CA, US {TIMES} any channel but marketplace, web;"
        f" only sales_daily shows Americas but CA, US {TIMES} marketplace, web",
    ),
}
#: kind -> (principal, rules seed -> rows appended, the pair that must agree)
AGREE = {
    "country set written in another order": (
        "p-country@example.com",
        {
            "customers": ['p-country@example.com,,"US,CA"'],
            "customer_rfm": ['p-country@example.com,,"CA,US"'],
        },
        ("customer_rfm", "customers"),
    ),
    "channels in one rule or two": (
        "p-channel@example.com",
        {
            "orders": ['p-channel@example.com,,US,"web,marketplace"'],
            "revenue_bridge_monthly": [
                "p-channel@example.com,,US,web",
                "p-channel@example.com,,US,marketplace",
            ],
        },
        ("orders", "revenue_bridge_monthly"),
    ),
    "a wildcard written * or empty": (
        "p-wild@example.com",
        {
            "orders": ["p-wild@example.com,,*,web"],
            "order_value_histogram": ["p-wild@example.com,,,web"],
        },
        ("order_value_histogram", "orders"),
    ),
    "a channel-restricted principal without customers": (
        "p-norule@example.com",
        {"orders": ["p-norule@example.com,,DE,web"]},
        ("customers", "orders"),
    ),
    "the group's countries as the user's own": (
        "p-group@example.com",
        {"order_items": ['p-group@example.com,,"FR,DE",']},
        ("order_items", "orders"),
    ),
    "a region as the list of its countries": (
        "p-region@example.com",
        {
            "sales_daily": ["p-region@example.com,,Europe,*"],
            "orders": [f'p-region@example.com,,"{",".join(EUROPE)}",*'],
        },
        ("orders", "sales_daily"),
    ),
}


def fixture_policy(project: Path) -> None:
    """The example seeds, sales_daily keyed by region again, and every kind's principals."""
    folder = project / "seeds" / "security"
    (folder / "sec_rls__sales_daily.csv").write_text(SALES_DAILY_BY_REGION)
    principals = [principal for principal, *_ in [*DISAGREE.values(), *AGREE.values()]]
    with (folder / "sec_users.csv").open("a") as users:
        for principal in principals:
            if principal != "bob@example.com":
                users.write(f"{principal},true\n")
    with (folder / "sec_group_members.csv").open("a") as members:
        members.write("scope_team,k-group@example.com\nscope_team,p-group@example.com\n")
    for _, rows, *_ in [*DISAGREE.values(), *AGREE.values()]:
        for dataset, lines in rows.items():
            with (folder / f"sec_rls__{dataset}.csv").open("a") as seed:
                seed.write("".join(line + "\n" for line in lines))


@pytest.fixture(scope="module")
def disagreeing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, Path]:
    root = tmp_path_factory.mktemp("scopes")
    project = project_copy(root)
    fixture_policy(project)
    return Warehouse(root, root / "lake"), project


@pytest.fixture(scope="module")
def warned(disagreeing: tuple[Warehouse, Path]) -> subprocess.CompletedProcess[str]:
    warehouse, project = disagreeing
    return warehouse.dbt("build", "--full-refresh", *SELECT, project=project)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


@pytest.mark.parametrize("kind", DISAGREE)
def test_a_disagreement_warns_naming_principal_datasets_and_difference(
    disagreeing: tuple[Warehouse, Path], warned: subprocess.CompletedProcess[str], kind: str
) -> None:
    principal, _, (a, b), difference = DISAGREE[kind]
    text = output(warned)
    line = f"policy scope mismatch (warn): {principal}: {a} and {b} disagree on "
    assert line in text, text[-6000:]
    assert difference in text.split(line, 1)[1].splitlines()[0]
    warehouse, _ = disagreeing
    (message,) = warehouse.query(
        "select message from policy.policy_scope_mismatches"
        f" where principal = '{principal}' and dataset_a = '{a}' and dataset_b = '{b}'"
    )[0]
    assert difference in message
    assert "WARN" in text and "policy_scopes_agree" in text


@pytest.mark.parametrize("kind", AGREE)
def test_the_same_scope_written_another_way_is_no_disagreement(
    disagreeing: tuple[Warehouse, Path], warned: subprocess.CompletedProcess[str], kind: str
) -> None:
    principal, _, (a, b) = AGREE[kind]
    warehouse, _ = disagreeing
    assert (
        warehouse.query(
            "select message from policy.policy_scope_mismatches"
            f" where principal = '{principal}' and dataset_a = '{a}' and dataset_b = '{b}'"
        )
        == []
    )


def test_the_error_var_fails_the_build_naming_the_mismatch(
    disagreeing: tuple[Warehouse, Path], warned: subprocess.CompletedProcess[str]
) -> None:
    warehouse, project = disagreeing
    result = warehouse.dbt("build", *SELECT, *ERROR, project=project, expect_success=False)
    text = output(result)
    assert result.returncode != 0, text[-3000:]
    assert "policy scope mismatch (error): bob@example.com: orders and sales_daily disagree" in text
    assert "Failure in test policy_scopes_agree" in text, text[-3000:]
    typo = warehouse.dbt(
        "build",
        *SELECT,
        "--vars",
        "{policy_scope_mismatch: eror}",
        project=project,
        expect_success=False,
    )
    assert typo.returncode != 0
    assert "var policy_scope_mismatch must be 'warn' or 'error', not 'eror'" in output(typo)


def test_the_audit_page_and_export_policies_list_them(
    disagreeing: tuple[Warehouse, Path], warned: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    warehouse, _ = disagreeing
    rows = scope_mismatches(warehouse.database)
    assert rows is not None and any(
        row[:3] == ("bob@example.com", "orders", "sales_daily") for row in rows
    )
    page = render_html([], "now", rows)
    assert 'id="scope-mismatches"' in page and "bob@example.com" in page
    assert f"{len(rows)} warning(s)" in page
    exported = warehouse.lakesight(
        "export-policies", "--warehouse", str(warehouse.database), "--out", str(tmp_path / "native")
    )
    assert f"{len(rows)} warning(s)" in exported.stdout
    assert (
        "policy scope mismatch: bob@example.com: orders and sales_daily disagree on geography"
        " (by country), channel: only orders shows CA, US"
    ) in " ".join(exported.stdout.split())


def test_the_example_policy_agrees_even_as_an_error(tmp_path: Path) -> None:
    """The shipped seeds: no disagreement, so the build passes with the error var, the page
    says none and export-policies says they agree."""
    warehouse = Warehouse(tmp_path, tmp_path / "lake")
    result = warehouse.dbt("build", "--full-refresh", *SELECT, *ERROR)
    assert "policy scope mismatch" not in output(result)
    assert warehouse.scalar("select count(*) from policy.policy_scope_mismatches") == 0
    assert "None: every principal" in render_html([], "now", scope_mismatches(warehouse.database))
    assert "not compared" not in render_html([], "now", scope_mismatches(warehouse.database))
    exported = warehouse.lakesight(
        "export-policies", "--warehouse", str(warehouse.database), "--out", str(tmp_path / "out")
    )
    assert "Every principal's scope agrees" in exported.stdout


def test_a_warehouse_without_the_comparison_says_it_was_not_compared(tmp_path: Path) -> None:
    assert "Not compared" in render_html([], "now", scope_mismatches(tmp_path / "none.duckdb"))
