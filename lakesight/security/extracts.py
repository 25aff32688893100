"""Per-principal extracts: the secure datasets as one principal sees them, in a file of its own.

An extract holds plain tables `secure.<dataset>` (rows already filtered, masks already applied) and
nothing else: no views, no macros, no marts, no policy tables, no salt. A folder of extracts has a
`manifest.json` listing, per principal: the file, its bytes and sha256, the rows and a content hash
per dataset, and what it was built from (the warehouse file's identity and the policy's hash).

- File names are `<slug>-<16 hex of sha256(principal)>.duckdb`: the slug (a-z, 0-9, '-') is for
  people, the hash makes the name a function of the whole normalised principal, so
  `pat+a@example.com` and `pat_a@example.com` get different files and `../x` stays in the folder.
  Two principals with one file name (a 64-bit collision) make publish refuse, naming both.
- The folder is a generated folder (lakesight/outputs.py): every publish, and every on-demand
  build of one extract, writes a complete new generation (the other extracts hard-linked, the new
  manifest) and then switches the folder to it at once, so a reader or a kill sees the old
  extracts with the old manifest or the new ones with the new manifest, never a mix. One lock
  beside the folder (`.<name>.lock`, flock) serialises publishers and on-demand builds.
- **Freshness**: an extract is fresh while the warehouse file (path, device, inode, size, mtime in
  ns, and its `.wal` if any) is the one recorded in its manifest entry and the file's sha256 equals
  the manifest's. Any `dbt seed` / `dbt build` writes the warehouse, so a changed policy or new data
  makes every extract stale.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from lakesight.outputs import EXTRACTS, clean, generation, output_lock
from lakesight.security.resolved import PolicyNotBuilt, ResolvedPolicy, normalise, why_unknown
from lakesight.security.salt import Salt, warehouse_salt

MANIFEST = "manifest.json"
FORMAT = 1


class ExtractError(Exception):
    """A refusal or failure the user can act on: one sentence."""


@dataclass(frozen=True)
class Dataset:
    rows: int
    sha256: str


@dataclass(frozen=True)
class Extract:
    """One manifest entry: a principal's extract and what it was built from."""

    principal: str
    file: str
    bytes: int
    sha256: str
    datasets: dict[str, Dataset]
    warehouse: dict[str, Any]
    policy_sha256: str
    mask_salt: str
    built_at: str

    @property
    def rows(self) -> dict[str, int]:
        return {name: dataset.rows for name, dataset in self.datasets.items()}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extract:
        datasets = {name: Dataset(**value) for name, value in data["datasets"].items()}
        return cls(**(data | {"datasets": datasets}))


def normalise_principal(name: str) -> str:
    """A principal as the policy compares it: spaces trimmed, ASCII letters lower-cased (only)."""
    return str(normalise(name))


def extract_file(principal: str) -> str:
    """The extract's file name: a readable slug and a hash of the whole normalised principal."""
    normal = normalise_principal(principal)
    slug = re.sub(r"[^a-z0-9]+", "-", normal).strip("-")[:48].strip("-") or "principal"
    return f"{slug}-{hashlib.sha256(normal.encode()).hexdigest()[:16]}.duckdb"


def warehouse_state(warehouse: Path) -> dict[str, Any]:
    """The identity of the warehouse file an extract is built from (see Freshness above)."""
    stat = warehouse.stat()
    wal = Path(f"{warehouse}.wal")
    wal_stat = wal.stat() if wal.exists() else None
    return {
        "path": str(warehouse.resolve()),
        "device": stat.st_dev,
        "inode": stat.st_ino,
        "bytes": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "wal": None if wal_stat is None else [wal_stat.st_size, wal_stat.st_mtime_ns],
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def table_sha256(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, str]:
    """Rows and a content hash of a relation: sha256 of its rows' md5s in sorted order."""
    count, digest = con.execute(
        "select count(*), sha256(coalesce(string_agg(h, '' order by h), '')) "
        f"from (select md5(cast(t as varchar)) as h from {relation} as t)"
    ).fetchone()
    return count, digest


def active_principals(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The active users of the warehouse's resolved policy (`policy.policy_principals`).

    The same rows the secure views, their tests, the audit and the native exports read; a
    warehouse whose last build refused the policy seeds has no active principal: it is refused.
    """
    try:
        policy = ResolvedPolicy.read(con)
    except PolicyNotBuilt as exc:
        raise ExtractError(f"No extract can be built: {exc}.") from None
    return sorted(user for user, active in policy.users.items() if active and user)


def policy_sha256(con: duckdb.DuckDBPyConnection) -> str:
    """A hash of the policy tables' rows and the secure views' SQL (recorded in the manifest)."""
    digest = hashlib.sha256()
    for (table,) in con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'security' and table_type = 'BASE TABLE' order by 1"
    ).fetchall():
        rows, content = table_sha256(con, 'security."' + table.replace('"', '""') + '"')
        digest.update(f"{table}\0{rows}\0{content}\0".encode())
    for name, sql in con.execute(
        "select view_name, sql from duckdb_views() where schema_name = 'secure' order by 1"
    ).fetchall():
        digest.update(f"{name}\0{sql}\0".encode())
    return digest.hexdigest()


def secure_datasets(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'secure' order by 1"
        ).fetchall()
    ]


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock (exclusive, blocking) while extracts or the manifest change, after
    removing what killed runs left (their generations, with partial extracts)."""
    with output_lock(folder, EXTRACTS):
        clean(folder)
        yield


def read_manifest(folder: Path) -> dict[str, Extract]:
    """The manifest's entries by principal ({} when there is none)."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        return {entry["principal"]: Extract.from_json(entry) for entry in data["extracts"]}
    except (ValueError, KeyError, TypeError) as error:
        raise ExtractError(
            f"{path} is not a lakesight extract manifest ({error}): delete it and publish again."
        ) from None


def _replace_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    with temporary.open("w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_manifest(folder: Path, entries: dict[str, Extract]) -> None:
    extracts = [entries[name].to_json() for name in sorted(entries)]
    text = json.dumps({"format": FORMAT, "extracts": extracts}, indent=2) + "\n"
    _replace_atomically(folder / MANIFEST, text)


def build_extract(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    principal: str,
    *,
    datasets: list[str],
    warehouse: dict[str, Any],
    policy: str,
    salt: Salt,
) -> Extract:
    """Write one principal's extract (temporary file, then an atomic rename) and describe it."""
    final = folder / extract_file(principal)
    temporary = folder / f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    stats = {}
    con.execute("set variable lakesight_principal = ?", [principal])
    try:
        con.execute("attach ? as lakesight_extract (read_write)", [str(temporary)])
        try:
            con.execute("create schema lakesight_extract.secure")
            for dataset in datasets:
                name = '"' + dataset.replace('"', '""') + '"'
                target = f"lakesight_extract.secure.{name}"
                con.execute(f"create table {target} as select * from secure.{name}")
                stats[dataset] = Dataset(*table_sha256(con, target))
        finally:
            con.execute("detach lakesight_extract")
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        size, digest = temporary.stat().st_size, file_sha256(temporary)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
        raise
    finally:
        con.execute("reset variable lakesight_principal")
    return Extract(
        principal=principal,
        file=final.name,
        bytes=size,
        sha256=digest,
        datasets=stats,
        warehouse=warehouse,
        policy_sha256=policy,
        mask_salt=str(salt),
        built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def check_names(principals: list[str]) -> None:
    """Refuse two principals whose extracts would share a file, naming both."""
    seen: dict[str, str] = {}
    for principal in principals:
        name = extract_file(principal)
        if name in seen:
            raise ExtractError(
                f"Principals {seen[name]!r} and {principal!r} map to one extract file {name}:"
                " rename one of them in seeds/security/sec_users.csv."
            )
        seen[name] = principal


def publish(
    warehouse: Path,
    folder: Path,
    *,
    dev: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> list[Extract]:
    """Write one extract per active principal into `folder`, its manifest, and remove the rest.

    Refuses a warehouse whose hash masks use the development salt (or one it cannot read) unless
    `dev`. `progress(principal, total)` is called as each extract is done.
    """
    with folder_lock(folder), duckdb.connect(str(warehouse), read_only=True) as con:
        salt = warehouse_salt(con)
        if salt in (Salt.DEVELOPMENT, Salt.UNKNOWN) and not dev:
            what = (
                "the development mask salt `lakesight-dev-salt`"
                if salt is Salt.DEVELOPMENT
                else "a mask salt that cannot be read from its views and salt table"
            )
            raise ExtractError(
                f"The warehouse {warehouse} was built with {what}, so its hashed columns can"
                " be reversed with a dictionary: rebuild with a secret LAKESIGHT_MASK_SALT,"
                " or pass --dev for extracts that never leave this machine."
            )
        principals = active_principals(con)
        check_names(principals)
        state = warehouse_state(warehouse)
        policy = policy_sha256(con)
        datasets = secure_datasets(con)
        entries = {}
        with generation(folder, EXTRACTS) as new:
            for principal in principals:
                entries[principal] = build_extract(
                    con,
                    new.folder,
                    principal,
                    datasets=datasets,
                    warehouse=state,
                    policy=policy,
                    salt=salt,
                )
                if progress is not None:
                    progress(principal, len(principals))
            write_manifest(new.folder, entries)
    return [entries[name] for name in sorted(entries)]


def verify(folder: Path) -> list[str]:
    """Problems of a folder of extracts: files missing, or not matching the manifest's sha256."""
    if not (folder / MANIFEST).exists():
        return [f"there is no {folder / MANIFEST}"]
    problems = []
    for entry in read_manifest(folder).values():
        path = folder / entry.file
        if not path.exists():
            problems.append(f"{entry.file} ({entry.principal}) is missing")
        elif path.stat().st_size != entry.bytes or file_sha256(path) != entry.sha256:
            problems.append(f"{entry.file} ({entry.principal}) does not match its sha256")
    return problems


@contextlib.contextmanager
def fresh_extract(
    warehouse: Path, folder: Path, principal: str
) -> Iterator[tuple[Extract, str | None]]:
    """Hold the folder's lock and yield the principal's extract and why it was (re)built.

    The extract is built first when it is missing, stale or altered (the reason is None when it
    was fresh); open the file before leaving the block. Raises ExtractError for a principal that
    is not active, after removing its old extract if there was one.
    """
    normal = normalise_principal(principal)
    with folder_lock(folder):
        entries = read_manifest(folder)
        entry = entries.get(normal)
        reason = _staleness(warehouse, folder, entry)
        if reason is not None or entry is None:
            entry = _rebuild(warehouse, folder, principal, entries)
        yield entry, reason


def _rebuild(warehouse: Path, folder: Path, principal: str, entries: dict[str, Extract]) -> Extract:
    """A new generation of the folder: the other extracts hard-linked, the principal's rebuilt
    (or dropped when it is no longer active), the manifest; then the switch."""
    normal = normalise_principal(principal)
    kept: dict[str, Extract] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        active = normal in active_principals(con)
        if active or normal in entries:
            with generation(folder, EXTRACTS) as new:
                kept = {
                    name: entry
                    for name, entry in entries.items()
                    if name != normal and new.carry(entry.file)
                }
                if active:
                    kept[normal] = build_extract(
                        con,
                        new.folder,
                        normal,
                        datasets=secure_datasets(con),
                        warehouse=warehouse_state(warehouse),
                        policy=policy_sha256(con),
                        salt=warehouse_salt(con),
                    )
                write_manifest(new.folder, kept)
    if not active:
        why = why_unknown(principal)  # a character no policy name has (docs/security.md)
        raise ExtractError(
            f"{principal.strip(' ')!r} is not an active user of the warehouse's policy"
            f" (policy.policy_principals){': ' + why if why else ''}, so it has no extract"
            " and sees nothing."
        )
    return kept[normal]


def _staleness(warehouse: Path, folder: Path, entry: Extract | None) -> str | None:
    """Why an extract must be rebuilt, or None when it is fresh."""
    if entry is None:
        return "no extract yet"
    if entry.file != extract_file(entry.principal):
        return "its manifest entry named another file"
    path = folder / entry.file
    if not path.exists():
        return "its file was missing"
    if entry.warehouse != warehouse_state(warehouse):
        return "the warehouse changed since it was built"
    if path.stat().st_size != entry.bytes or file_sha256(path) != entry.sha256:
        return "its file did not match the manifest's sha256"
    return None
