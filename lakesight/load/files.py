"""Which lake files a raw model still has to load, and errors that name the file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")

#: Metadata columns every raw table carries after its data columns.
META_COLUMNS = ("_source_file", "_line_number", "_load_error", "_loaded_at")


class LakeLoadError(RuntimeError):
    """A lake file cannot be loaded; the message names the file and says what is wrong."""


@dataclass(frozen=True)
class LakeFile:
    """One file of the lake inventory (a dbt source over `read_blob(<glob>)`)."""

    path: str
    size: int

    @property
    def key(self) -> str:
        """The file's key in the lake, `<system>/<table>/dt=…/part-….<ext>`: what `_source_file`
        records, so a lake that moves (another folder, another machine) is not loaded twice."""
        return "/".join(PurePosixPath(self.path).parts[-4:])


def pending_files(dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any) -> list[LakeFile]:
    """Files of the source inventory that the raw table `dbt.this` has not loaded yet.

    `inventory` is the relation `dbt.source(...)` returns: `read_blob('<lake glob>')`, whose
    `filename` and `size` columns are read from the file system without reading the contents.
    A file is loaded once: every loaded file leaves at least one row (an empty file leaves an
    `empty file` error row), so its key in `_source_file` marks it as done.
    """
    listed = [LakeFile(path, size) for path, size in inventory.project("filename, size").fetchall()]
    loaded: set[str] = set()
    if dbt.is_incremental:
        rows = session.sql(f"select distinct _source_file from {dbt.this}").fetchall()
        loaded = {row[0] for row in rows}
    return sorted((f for f in listed if f.key not in loaded), key=lambda f: f.key)


def load_timestamp() -> datetime:
    """The `_loaded_at` of one load: a naive UTC timestamp, the same for every row of a run."""
    return datetime.now(UTC).replace(tzinfo=None)


def per_file(files: Sequence[LakeFile], what: str, read: Callable[[LakeFile], T]) -> list[T]:
    """Apply `read` to each file, turning any failure into a LakeLoadError that names the file."""
    results: list[T] = []
    for lake_file in files:
        try:
            results.append(read(lake_file))
        except LakeLoadError:
            raise
        except Exception as exc:  # the reader's own message follows the file name
            first_line = (
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            )
            raise LakeLoadError(
                f"{lake_file.path}: cannot be read as {what}: {first_line}"
            ) from exc
    return results
