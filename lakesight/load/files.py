"""Which lake files a raw model has to (re)load, their fingerprints, and errors naming the file.

The rules (docs/lake.md, "What the loads guarantee"):

- A table folder holds only files a reader claims: `dt=<day>/part-<n>.<ext>` with one of the
  reader's extensions (for CSV and JSON Lines also gzip-compressed, `.csv.gz`, `.jsonl.gz`).
  Names whose first character is `_` or `.` (Spark's `_SUCCESS`, `.crc` files, `_temporary/`)
  are ignored, as Athena ignores them; any other file fails the load, naming it.
- Every claimed file is fingerprinted on every build: size and SHA-256 of its bytes. A new file
  is loaded; a loaded file whose fingerprint changed (edited or replaced in place) is reloaded:
  its rows are replaced by the rows of its current content (the model's `unique_key` is
  `_source_file`, strategy delete+insert), so the raw layer always equals a full load of the lake
  as it is now. A loaded file that disappeared keeps its rows; the `lake_report_missing_files`
  post-hook reports it.
- A file name is data, never a pattern: a claimed file whose name or partition folder holds a
  glob character (`*?[]{}`; DuckDB's file readers expand `*`, `?` and `[…]` even in a list of
  paths) fails the load, naming it, before anything is read.
- The lake folder itself is a path, not a pattern: a lake whose path holds a glob character fails
  every command that reads or writes it (check_lake_folder), before anything is read.
- A partition must be a real day, not after tomorrow (UTC): `dt=2025-13-45` or `dt=2099-01-01`
  fails the load, naming the file.
- No symbolic link is followed: a link anywhere below the table folder (to a file or a folder,
  inside the lake or out of it), or a table or system folder that is a link, fails the load,
  naming it (the inventory's glob would skip it silently). So does any other file the folder
  holds that the inventory does not list (DuckDB's glob skips a name with a backslash).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import duckdb

from lakesight.load.schema import AUDIT_COLUMNS

T = TypeVar("T")

#: Metadata columns every raw table carries after its data columns.
META_COLUMNS = tuple(AUDIT_COLUMNS)


#: characters a glob reads as a pattern (DuckDB expands `*`, `?`, `[…]`; Spark and Hive `{…}` too)
GLOB_CHARACTERS = frozenset("*?[]{}")

#: how far past today (UTC) a partition day may lie: a producer east of UTC is a day ahead
PARTITION_TOLERANCE = timedelta(days=1)

_PARTITION = re.compile(r"dt=(\d{4}-\d{2}-\d{2})")
_INVENTORY = re.compile(r"read_blob\('((?:[^']|'')*)/\*\*'\)")


class LakeLoadError(RuntimeError):
    """A lake file cannot be loaded; the message names the file and says what is wrong."""


@dataclass(frozen=True)
class LakeFile:
    """One file of the lake inventory (a dbt source over `read_blob(<table folder>/**)`)."""

    path: str
    size: int
    sha256: str = ""

    @property
    def key(self) -> str:
        """The file's key in the lake, `<system>/<table>/dt=…/part-….<ext>`: what `_source_file`
        records, so a lake that moves (another folder, another machine) is not loaded twice."""
        return "/".join(PurePosixPath(self.path).parts[-4:])

    @property
    def is_gzip(self) -> bool:
        return self.path.endswith(".gz")


def relative_to_table(path: str, table_folder: str) -> tuple[str, ...]:
    """The components of `path` below the table folder `<system>/<table>` (its rightmost
    occurrence in the path), or the whole path when the folder does not occur in it."""
    parts = PurePosixPath(path).parts
    folder = tuple(PurePosixPath(table_folder).parts)
    for start in range(len(parts) - len(folder) - 1, -1, -1):
        if parts[start : start + len(folder)] == folder:
            return parts[start + len(folder) :]
    return parts


def is_ignored(path: str, table_folder: str) -> bool:
    """True for a name Athena ignores: a file or folder below the table folder whose name starts
    with `_` or `.`."""
    return any(p.startswith(("_", ".")) for p in relative_to_table(path, table_folder))


def table_folder_of(raw_identifier: str) -> str:
    """The lake folder `<system>/<table>` of a raw model `raw_<system>__<table>`."""
    system, _, table = raw_identifier.removeprefix("raw_").partition("__")
    return f"{system}/{table}"


def claim_pattern(extensions: Sequence[str]) -> re.Pattern[str]:
    """The files of a table folder a reader claims: `dt=<day>/part-<n><ext>`."""
    alternatives = "|".join(re.escape(ext) for ext in extensions)
    return re.compile(rf"/dt=[^/]+/part-[^/]+(?:{alternatives})$")


def sha256_of(path: str) -> str:
    """SHA-256 of the file's bytes (hashlib releases the GIL: files are hashed in parallel)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def fingerprint(files: Sequence[LakeFile]) -> list[LakeFile]:
    """The files with their SHA-256, hashed on a few threads."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        digests = list(pool.map(sha256_of, [f.path for f in files]))
    return [LakeFile(f.path, f.size, digest) for f, digest in zip(files, digests, strict=True)]


def _refusal(problems: Sequence[str], table_folder: str, what: str, fix: str) -> LakeLoadError:
    """One error for the refused files of a table folder, naming the first five."""
    shown = "; ".join(problems[:5])
    if len(problems) > 5:
        shown += f"; and {len(problems) - 5} more"
    return LakeLoadError(
        f"{len(problems)} {what} in the lake folder {table_folder} refused: {shown}; {fix}"
    )


def inventory_folder(inventory: Any) -> str:
    """The table folder an inventory lists: the inventory is `read_blob('<folder>/**')` (the
    source's external_location, or the Spark step's stand-in)."""
    found = _INVENTORY.search(inventory.sql_query())
    if found is None:
        raise LakeLoadError(
            f"cannot tell which lake folder the inventory {inventory.sql_query()!r} lists "
            "(expected read_blob('<lake>/<system>/<table>/**'))"
        )
    return found.group(1).replace("''", "'")


def check_lake_folder(lake: str) -> None:
    """Refuse a lake folder whose path holds a glob character: DuckDB's readers would read
    `/tmp/my[lake]/…` as a pattern (docs/lake.md, "Which files are loaded")."""
    found = sorted({c for c in lake if c in GLOB_CHARACTERS})
    if found:
        raise LakeLoadError(
            f"the lake folder {lake} is refused: its path holds {' '.join(found)}, which file "
            f"readers take for a glob pattern; move the lake to a path without "
            f"{' '.join(sorted(GLOB_CHARACTERS))}"
        )


def walk_table(folder: str, table_folder: str) -> tuple[list[str], list[str]]:
    """The symbolic links and the regular files at or below the table folder `folder`, found
    without following any link (the table and system folders themselves count as links when
    they are); `_`/`.` names are skipped, as the loads ignore them."""
    path = Path(folder)
    links = [str(p) for p in (path.parent, path) if p.is_symlink()]
    files: list[str] = []
    pending = [folder] if path.is_dir() and not links else []
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if is_ignored(entry.path, table_folder):
                    continue
                if entry.is_symlink():
                    links.append(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    files.append(entry.path)
    return sorted(links), sorted(files)


def name_problem(lake_file: LakeFile, table_folder: str, today: date) -> str | None:
    """Why a claimed file is refused, or None: a glob character in its partition folder or
    name, or a partition day that does not exist or lies after tomorrow (UTC)."""
    below = relative_to_table(lake_file.path, table_folder)
    globs = sorted({c for part in below for c in part if c in GLOB_CHARACTERS})
    if globs:
        return (
            f"{lake_file.path} (its name holds {' '.join(globs)}, which file readers take "
            "for a glob pattern)"
        )
    day = _PARTITION.fullmatch(below[0])
    try:
        partition = date.fromisoformat(day.group(1)) if day else None
    except ValueError:
        partition = None
    if partition is None:
        return f"{lake_file.path} ({below[0]} is not a day YYYY-MM-DD)"
    if partition > today + PARTITION_TOLERANCE:
        return f"{lake_file.path} ({below[0]} is in the future)"
    return None


def claimed_files(inventory: Any, table_folder: str, extensions: Sequence[str]) -> list[LakeFile]:
    """Every file of the table folder that the reader claims; fail, naming them, on symbolic
    links, on files it does not claim (other than the ignored `_`/`.` names), and on claimed
    files whose name holds a glob character or whose partition is not a past day."""
    folder = inventory_folder(inventory)
    check_lake_folder(folder.removesuffix(table_folder).rstrip("/") or folder)
    links, found = walk_table(folder, table_folder)
    if links:
        raise _refusal(
            links,
            table_folder,
            "symbolic link(s)",
            "the lake follows no link: copy the file into the partition folder instead",
        )
    listed = [LakeFile(path, size) for path, size in inventory.project("filename, size").fetchall()]
    pattern = claim_pattern(extensions)
    visible = [f for f in listed if not is_ignored(f.path, table_folder)]
    seen = {os.path.normpath(f.path) for f in visible}
    unlisted = [path for path in found if os.path.normpath(path) not in seen]
    if unlisted:  # DuckDB's glob skips some names (a backslash) and non-regular files (a FIFO)
        raise _refusal(
            unlisted,
            table_folder,
            "file(s) the lake inventory cannot list",
            "a lake file must be a regular file named dt=YYYY-MM-DD/part-<n>.<ext> with letters, "
            "digits, - and _ only: rename or replace them",
        )

    def claims(lake_file: LakeFile) -> bool:  # dt=…/part-… right below the table folder
        below = relative_to_table(lake_file.path, table_folder)
        return len(below) == 2 and pattern.search(lake_file.path) is not None

    unclaimed = sorted(f.path for f in visible if not claims(f))
    if unclaimed:
        shown = ", ".join(unclaimed[:5])
        if len(unclaimed) > 5:
            shown += f" and {len(unclaimed) - 5} more"
        raise LakeLoadError(
            f"{len(unclaimed)} file(s) in the lake folder {table_folder} that no reader claims: "
            f"{shown}; this table loads dt=YYYY-MM-DD/part-*{{{','.join(extensions)}}} only: "
            "rename them or move them out of the table folder (names starting with _ or . are "
            "ignored)"
        )
    claimed = sorted((f for f in visible if claims(f)), key=lambda f: f.key)
    today = datetime.now(UTC).date()
    problems = [p for f in claimed if (p := name_problem(f, table_folder, today)) is not None]
    if problems:
        raise _refusal(
            problems,
            table_folder,
            "file(s)",
            "rename them to dt=YYYY-MM-DD/part-<n> with a past day and no glob character, or "
            "move them out of the table folder",
        )
    return claimed


def lake_table_files(lake: str, table_folder: str, extensions: Sequence[str]) -> list[LakeFile]:
    """The files of `<lake>/<table_folder>` a reader with these extensions claims, under the
    same rules as the loads (claimed_files, on the same `read_blob` inventory): the Spark lake
    tables register a table only through it (lakesight/engines/spark/lake.py)."""
    check_lake_folder(lake)
    quoted = "'" + f"{lake.rstrip('/')}/{table_folder}/**".replace("'", "''") + "'"
    with duckdb.connect() as session:
        inventory = session.sql(f"select * from read_blob({quoted})")
        return claimed_files(inventory, table_folder, extensions)


def pending_files(
    dbt: Any, session: duckdb.DuckDBPyConnection, inventory: Any, extensions: Sequence[str]
) -> list[LakeFile]:
    """Claimed files of the source inventory that the raw table `dbt.this` has not loaded in
    their current content: new files, and loaded files whose size or SHA-256 changed.

    `inventory` is the relation `dbt.source(...)` returns: `read_blob('<table folder>/**')`,
    whose `filename` and `size` columns come from the file system. Every loaded file leaves at
    least one row (an empty file leaves an `empty file` error row) carrying its key and
    fingerprint in `_source_file`, `_file_size` and `_file_hash`.
    """
    files = fingerprint(claimed_files(inventory, table_folder_of(dbt.this.identifier), extensions))
    loaded: dict[str, tuple[int, str]] = {}
    if dbt.is_incremental:
        try:
            rows = session.sql(
                f"select distinct _source_file, _file_size, _file_hash from {dbt.this}"
            ).fetchall()
        except duckdb.BinderException as exc:
            raise LakeLoadError(
                f"{dbt.this} was loaded before lakesight recorded file fingerprints "
                f"(_file_size, _file_hash); rebuild it once with "
                f"`dbt build --full-refresh -s {dbt.this.identifier}+`"
            ) from exc
        loaded = {key: (size, digest) for key, size, digest in rows}
    return [f for f in files if loaded.get(f.key) != (f.size, f.sha256)]


def load_timestamp() -> datetime:
    """The `_loaded_at` of one load: a naive UTC timestamp, the same for every row of a run."""
    return datetime.now(UTC).replace(tzinfo=None)


def file_error(lake_file: LakeFile, what: str, exc: Exception) -> LakeLoadError:
    """A LakeLoadError naming the file, followed by the first line of the reader's message."""
    if isinstance(exc, LakeLoadError):
        return exc
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return LakeLoadError(f"{lake_file.path}: cannot be read as {what}: {first_line}")


def per_file(files: Sequence[LakeFile], what: str, read: Callable[[LakeFile], T]) -> list[T]:
    """Apply `read` to each file, turning any failure into a LakeLoadError that names the file."""
    results: list[T] = []
    for lake_file in files:
        try:
            results.append(read(lake_file))
        except LakeLoadError:
            raise
        except Exception as exc:  # the reader's own message follows the file name
            raise file_error(lake_file, what, exc) from exc
    return results
