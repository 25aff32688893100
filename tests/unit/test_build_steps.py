"""`lakesight build`'s order and failure rule (lakesight/pipeline.py), with the steps faked.

The rule is the one the Makefile's shell chain applied: dbt build's status is the build's; the
summary's failure is ignored; validate always runs and fails only a build not failed yet; every
later step runs only while nothing failed; a locked warehouse (75) ends the build at once.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lakesight.pipeline import FAILED, IGNORED, RAN, SKIPPED, build_steps, run_steps

ORDER = [
    "dbt build",
    "keep the build's results",
    "summary",
    "validate",
    "ml train",
    "dbt docs",
    "profiles",
    "portals",
    "site",
]


def _run(codes: dict[str, int]) -> tuple[int, dict[str, str], list[str]]:
    """Run the real step table with each step faked to exit with codes.get(name, 0)."""
    ran: list[str] = []

    def fake(name: str):
        def run() -> int:
            ran.append(name)
            return codes.get(name, 0)

        return run

    steps = [
        dataclasses.replace(step, run=fake(step.name)) for step in build_steps(Path("t"), Path("s"))
    ]
    result = run_steps(steps)
    return result.status, {o.name: o.outcome for o in result.steps}, ran


def test_the_steps_run_in_the_order_of_the_flow() -> None:
    assert [step.name for step in build_steps(Path("target"), Path("site"))] == ORDER
    status, outcomes, ran = _run({})
    assert status == 0 and ran == ORDER and set(outcomes.values()) == {RAN}


def test_a_locked_warehouse_ends_the_build_with_75_before_anything_else() -> None:
    status, outcomes, ran = _run({"dbt build": 75})
    assert (status, ran) == (75, ["dbt build"])
    assert [outcomes[name] for name in ORDER[1:]] == [SKIPPED] * (len(ORDER) - 1)


@pytest.mark.parametrize("dbt_status", [1, 2])
def test_a_failed_dbt_build_still_summarises_and_validates_then_stops(dbt_status: int) -> None:
    status, outcomes, ran = _run({"dbt build": dbt_status, "validate": 1})
    assert status == dbt_status  # validate's failure does not replace dbt's status
    assert ran == ORDER[:4]
    assert outcomes["validate"] == FAILED
    assert {outcomes[name] for name in ORDER[4:]} == {SKIPPED}


def test_a_failed_summary_is_ignored() -> None:
    status, outcomes, ran = _run({"summary": 1})
    assert status == 0 and ran == ORDER and outcomes["summary"] == IGNORED


def test_a_failed_validate_fails_the_build_and_skips_the_rest() -> None:
    status, outcomes, ran = _run({"validate": 3})
    assert (status, ran) == (1, ORDER[:4])
    assert outcomes["validate"] == FAILED and {outcomes[name] for name in ORDER[4:]} == {SKIPPED}


@pytest.mark.parametrize("failing", ORDER[4:])
def test_a_later_failure_fails_the_build_and_skips_what_follows(failing: str) -> None:
    status, outcomes, ran = _run({failing: 2})
    index = ORDER.index(failing)
    assert (status, ran) == (1, ORDER[: index + 1])
    assert {outcomes[name] for name in ORDER[index + 1 :]} <= {SKIPPED}
