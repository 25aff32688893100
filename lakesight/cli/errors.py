"""The errors a user can fix, and the warehouse every inspecting command needs."""

from __future__ import annotations

from pathlib import Path

from lakesight.config import warehouse_path


class UserError(Exception):
    """A failure the user can fix: one sentence saying what is wrong and what to do."""


def built_warehouse() -> Path:
    """The warehouse file, which must exist (dbt builds it)."""
    path = warehouse_path()
    if not path.exists():
        raise UserError(
            f"No warehouse at {path}: run `make build` first (or point LAKESIGHT_DB at one)."
        )
    return path
