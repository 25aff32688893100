"""The condensed result of a GX checkpoint (kept apart from GX so the CLI starts fast)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Failure:
    """One failed expectation."""

    expectation: str
    severity: str
    offenders: str


@dataclass
class SuiteOutcome:
    """The condensed result of one suite."""

    suite: str
    met: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def critical(self) -> list[Failure]:
        return [failure for failure in self.failures if failure.severity == "critical"]
