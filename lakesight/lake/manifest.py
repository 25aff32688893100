"""`_lake.json`: the generation parameters and what was written, for append and for tests."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakesight.lake.tables import ALL_TABLES

MANIFEST_NAME = "_lake.json"
FORMAT_VERSION = 1


class LakeError(Exception):
    """A problem with the options or the lake folder, explained in one sentence."""


@dataclass
class LakeManifest:
    """Parameters of a lake plus cumulative record counts per table and per bad-record kind."""

    scale: float
    seed: int
    start: dt.date
    days: int
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    bad_records: dict[str, dict[str, int]] = field(default_factory=dict)
    type_drift: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def new(cls, scale: float, seed: int, start: dt.date, days: int) -> LakeManifest:
        """A manifest with every table at zero records."""
        return cls(
            scale=scale,
            seed=seed,
            start=start,
            days=days,
            tables={
                t.name: {
                    "path": t.path,
                    "format": t.format,
                    "files": list(t.files),
                    "partitions": 0,
                    "records": 0,
                }
                for t in ALL_TABLES
            },
            bad_records={t.name: dict.fromkeys(t.bad_kinds, 0) for t in ALL_TABLES},
            type_drift={
                t.name: dict.fromkeys(t.drift_kinds, 0) for t in ALL_TABLES if t.drift_kinds
            },
        )

    @property
    def end(self) -> dt.date:
        """Last generated day."""
        return self.start + dt.timedelta(days=self.days - 1)

    def seen(self, table: str) -> dict[str, int]:
        """Records of each bad or drift kind already written for `table`."""
        return {**self.bad_records.get(table, {}), **self.type_drift.get(table, {})}

    def count(self, table: str, records: int, kinds: dict[str, int]) -> None:
        """Add one written partition of `table`."""
        self.tables[table]["partitions"] += 1
        self.tables[table]["records"] += records
        for kind, n in kinds.items():
            target = self.type_drift if kind in self.type_drift.get(table, {}) else self.bad_records
            target[table][kind] += n

    def to_json(self) -> str:
        """The manifest's JSON text (stable key order, no timestamps)."""
        doc = {
            "generator": "lakesight.lake",
            "format_version": FORMAT_VERSION,
            "scale": self.scale,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "days": self.days,
            "end": self.end.isoformat(),
            "tables": self.tables,
            "bad_records": self.bad_records,
            "type_drift": self.type_drift,
        }
        return json.dumps(doc, indent=2) + "\n"

    def write(self, lake: Path) -> None:
        """Write `_lake.json` atomically."""
        tmp = lake / f"{MANIFEST_NAME}.tmp"
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(lake / MANIFEST_NAME)

    @classmethod
    def read(cls, lake: Path) -> LakeManifest:
        """Read `_lake.json` of an existing lake."""
        path = lake / MANIFEST_NAME
        if not path.is_file():
            raise LakeError(f"{lake} has no {MANIFEST_NAME}; run `lakesight lake generate` first.")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("format_version") != FORMAT_VERSION:
                raise ValueError("format_version")
            return cls(
                scale=float(doc["scale"]),
                seed=int(doc["seed"]),
                start=dt.date.fromisoformat(doc["start"]),
                days=int(doc["days"]),
                tables=doc["tables"],
                bad_records=doc["bad_records"],
                type_drift=doc["type_drift"],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise LakeError(
                f"{path} is not a lake manifest this version can read ({exc})."
            ) from exc
