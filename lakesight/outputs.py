"""Generated folders: ownership, refusal, an atomic switch (docs/security.md, "Generated folders").

Every command that writes a folder of generated files (`publish`, the on-demand extracts of
`query --as`, `dashboards build`, `notebooks build`, `profiles`, `validate --data-docs`,
`ml train`, `export-policies`, `portals`) writes it through `generation`:

- `out` is a symlink to a hidden *generation* folder beside it, `.<name>.gen-<16 hex>/`, which
  holds `.lakesight-output.json`: the kind of folder (who owns it) and every file it wrote.
- A run takes the lock `.<name>.lock` beside `out` (flock), refuses an `out` it does not own
  (see `check_target`), removes what killed runs left (`.<name>.gen-*` and `.<name>.link-*` that
  `out` does not point to), writes a complete new generation (unchanged files hard-linked from the
  current one), switches `out` to it at once (a new symlink renamed over `out`: `os.replace` is
  atomic) and removes the previous generation. A kill at any step leaves `out` pointing at the
  previous complete generation or at the new complete one, never at a mix.
- Nothing else is ever removed: not the current folder, the repository, the warehouse or the lake
  (`out` must be none of them nor contain them), nor any file the ownership manifest does not list.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lakesight.config import lake_path, warehouse_file

OWNERSHIP = ".lakesight-output.json"
FORMAT = 1
REPO = Path(__file__).resolve().parents[1]


class OutputError(Exception):
    """An output folder the command must not write: one sentence naming it and why."""


@dataclass(frozen=True)
class Kind:
    """A kind of generated folder: its name (in the ownership manifest) and what the previous
    lakesight version wrote there (a folder of only those is migrated once): the names of its
    top-level entries, or with `deep` the relative path of every file under it."""

    name: str
    legacy: re.Pattern[str]
    deep: bool = False

    def foreign(self, folder: Path) -> list[str]:
        """What in an unowned `folder` the previous version did not write (sorted)."""
        if self.deep:
            return [name for name in _files(folder) if not self.legacy.fullmatch(name)]
        return sorted(e.name for e in folder.iterdir() if not self.legacy.fullmatch(e.name))


_PRINCIPAL_DIR = r"[a-z0-9-]*-[0-9a-f]{16}"
EXTRACTS = Kind(
    "extracts", re.compile(r"manifest\.json|\.lock|.*\.duckdb(\.wal)?|\..*\.tmp(\.wal)?")
)
DASHBOARDS = Kind("dashboards", re.compile(rf"index\.html|vendor|{_PRINCIPAL_DIR}"))
NOTEBOOKS = Kind("notebooks", re.compile(rf"index\.html|{_PRINCIPAL_DIR}"))
PROFILES = Kind(
    "profiles", re.compile(rf"index\.html|[a-z0-9_-]+\.[a-z0-9_.-]+\.html|as-{_PRINCIPAL_DIR}")
)
#: `portals`: a folder and a zip per active principal (lakesight.site.portals); new in this
#: version, so nothing older is taken over
PORTALS = Kind("portals", re.compile(r"(?!)"))
DATA_DOCS = Kind("gx-data-docs", re.compile(r"index\.html|expectations|validations|static"))
#: `ml train`: the model folder (--out) and the model card's folder (the parent of --card)
ML = Kind("ml", re.compile(r"model\.pkl|metrics\.json|churn_model\.html|vendor/[^/]+"), deep=True)
NATIVE = Kind(
    "native-policy-exports",
    re.compile(
        r"quicksight/rls/[^/]+\.csv|quicksight/group_members\.csv"
        r"|quicksight/column_level_permission_rules\.json|lakeformation/data_cells_filters\.json"
    ),
    deep=True,
)


def absolute(path: Path) -> Path:
    """The path with its parent's links resolved, `out` itself kept (it may be our symlink)."""
    path = Path(os.path.abspath(path))
    return path.parent.resolve() / path.name if path.name else path


def protected() -> list[tuple[Path, str]]:
    """What no output folder may be, contain or lie in (the lake): with a name for the error."""
    lake, warehouse = lake_path(), warehouse_file()
    return [
        (Path.cwd().resolve(), "the current folder"),
        (REPO, "the repository"),
        (warehouse.resolve(), "the warehouse"),
        (lake.resolve(), "the lake"),
    ]


def _links(out: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(out.name)}\.(gen|link)-[0-9a-f]{{16}}")


def lock_path(out: Path) -> Path:
    return absolute(out).parent / f".{absolute(out).name}.lock"


@contextlib.contextmanager
def output_lock(out: Path, kind: Kind) -> Iterator[None]:
    """Hold `out`'s lock (exclusive, blocking): one writer of a generated folder at a time.

    An `out` that is not ours is refused first, before the lock file is made beside it."""
    check_target(out, kind)
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _listed(folder: Path) -> tuple[str, set[str]] | None:
    """(kind, files) of a generation's ownership manifest, or None without a readable one."""
    try:
        data = json.loads((folder / OWNERSHIP).read_text())
        return str(data["kind"]), set(data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _files(folder: Path) -> list[str]:
    """Every file and symlink under `folder` (relative, sorted), the ownership manifest aside."""
    found = []
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if (Path(root) / d).is_symlink()]:
            relative = (Path(root) / name).relative_to(folder).as_posix()
            if relative != OWNERSHIP:
                found.append(relative)
    return sorted(found)


def _foreign(names: list[str]) -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return shown


def check_target(out: Path, kind: Kind) -> Path | None:
    """The generation `out` points to (None on a first run), or OutputError when `out` is not ours.

    Refused: the current folder, the repository, the warehouse, the lake or any folder holding one
    of them, a folder inside the lake, a file, a symlink lakesight did not make, another kind's
    folder, and a folder holding anything its ownership manifest does not list (named).
    """
    path = absolute(out)
    for place, what in protected():
        if path == place or path in place.parents:
            holds = "is" if path == place else "holds"
            raise OutputError(
                f"{out} {holds} {what} ({place}): refusing to write a generated folder there,"
                " pass a folder of its own."
            )
        if what == "the lake" and place in path.parents:
            raise OutputError(f"{out} is inside the lake ({place}): pass a folder outside it.")
    if path.is_symlink():
        target = Path(os.readlink(path))
        if target.parent != Path(".") or not _links(path).fullmatch(target.name):
            raise OutputError(
                f"{out} is a symlink to {target}, not a folder lakesight generated:"
                " remove it or pass another folder."
            )
        current = path.parent / target.name
        listed = _listed(current)
        if listed is None:
            raise OutputError(f"{out} has no readable {OWNERSHIP}: remove it and build again.")
        owner, files = listed
        if owner != kind.name:
            raise OutputError(
                f"{out} is the {owner} output, not the {kind.name}: pass another folder."
            )
        extra = [name for name in _files(current) if name not in files]
        if extra:
            raise OutputError(
                f"{out} holds {_foreign(extra)}, which lakesight did not write there:"
                " move it elsewhere, then build again."
            )
        return current
    if path.is_dir():
        extra = kind.foreign(path)
        if extra:
            raise OutputError(
                f"{out} holds {_foreign(extra)}, which is not {kind.name} lakesight wrote:"
                " pass an empty or new folder (nothing is removed)."
            )
        return path  # empty, or written by an earlier lakesight version: replaced once
    if path.exists():
        raise OutputError(f"{out} is a file, not a folder: pass a folder.")
    return None


def clean(out: Path) -> list[Path]:
    """Remove the generations and links killed runs left beside `out` (hold its lock)."""
    path = absolute(out)
    if not path.parent.is_dir():
        return []
    current = os.readlink(path) if path.is_symlink() else None
    pattern, removed = _links(path), []
    for entry in sorted(path.parent.iterdir()):
        if pattern.fullmatch(entry.name) and entry.name != current:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
    return removed


@dataclass(frozen=True)
class Generation:
    """A new generation being written (`folder`) and the current one (`previous`, if any)."""

    out: Path
    folder: Path
    previous: Path | None

    def carry(self, relative: str) -> bool:
        """Hard-link a file (or every file of a folder) of the current generation into the new one;
        False when the current generation has no such entry."""
        if self.previous is None:
            return False
        source = self.previous / relative
        if source.is_dir() and not source.is_symlink():
            for name in _files(source):
                self._link(source / name, self.folder / relative / name)
            return True
        if source.is_file():
            self._link(source, self.folder / relative)
            return True
        return False

    @staticmethod
    def _link(source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _switch(path: Path, new: Path) -> Path | None:
    """Point `path` at `new` at once; return the folder it pointed to or was (to remove)."""
    link = path.parent / f".{path.name}.link-{secrets.token_hex(8)}"
    os.symlink(new.name, link)
    previous: Path | None = None
    if path.is_symlink():
        previous = path.parent / os.readlink(path)
    elif (
        path.is_dir()
    ):  # empty or an earlier version's folder: moved aside (the one non-atomic step)
        previous = path.parent / f".{path.name}.gen-{secrets.token_hex(8)}"
        os.rename(path, previous)
    os.replace(link, path)
    _fsync_folder(path.parent)
    return previous


@contextlib.contextmanager
def generation(out: Path, kind: Kind) -> Iterator[Generation]:
    """Write a new generation of `out` in the block, then switch `out` to it (hold its lock).

    An exception in the block removes the new generation and leaves `out` as it was.
    """
    path = absolute(out)
    current = check_target(out, kind)
    clean(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = path.parent / f".{path.name}.gen-{secrets.token_hex(8)}"
    new.mkdir()
    try:  # files are carried from the current generation, or from an earlier version's folder
        yield Generation(path, new, current)
        document = {"format": FORMAT, "kind": kind.name, "files": _files(new)}
        (new / OWNERSHIP).write_text(json.dumps(document, indent=1) + "\n")
        _fsync_folder(new)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    old = _switch(path, new)
    if old is not None:
        shutil.rmtree(old)


def remove(out: Path, kind: Kind) -> bool:
    """Remove a generated folder of `kind` that lakesight wrote (its symlink, its generation and
    what killed runs left beside it), under its lock; False when there is none. A folder that is
    not ours is refused (OutputError), as for writing it."""
    path = absolute(out)
    if not path.is_symlink() and not path.exists():
        return False
    with output_lock(out, kind):
        current = check_target(out, kind)
        if current is None:
            return False
        clean(out)
        if path.is_symlink():
            path.unlink()
            _fsync_folder(path.parent)
        shutil.rmtree(current)
    return True
