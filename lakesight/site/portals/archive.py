"""A portal's zip: the same bytes for the same files (docs/security.md, "Who may be given what").

Entries are the folder's files in sorted order under `<folder name>/`, each with a fixed date
(1980-01-01, the earliest a zip can hold), fixed permissions (0644) and the same compression, so
the archive depends on the files' names and contents only, never on when or where it was made.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)
MODE = 0o100644  # a regular file, rw-r--r--
LEVEL = 9


def files(folder: Path) -> list[Path]:
    """Every file under `folder` (relative), sorted by its POSIX path."""
    found = [
        (Path(root) / name).relative_to(folder)
        for root, _dirs, names in os.walk(folder)
        for name in names
    ]
    return sorted(found, key=lambda path: path.as_posix())


def write_zip(folder: Path, target: Path) -> Path:
    """Zip `folder` into `target` (its files under `<folder name>/`); return `target`."""
    with zipfile.ZipFile(target, "w") as archive:
        for relative in files(folder):
            info = zipfile.ZipInfo(f"{folder.name}/{relative.as_posix()}", date_time=EPOCH)
            info.external_attr = MODE << 16
            info.create_system = 3  # Unix: the mode above is read as such
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (folder / relative).read_bytes(), compresslevel=LEVEL)
    return target
