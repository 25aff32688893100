"""Profile a relation of the warehouse, or a secure dataset from a principal's extract; and write
the site's profile pages (`lakesight profiles`)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import duckdb

from lakesight.consume.profiles.keys import primary_key
from lakesight.consume.profiles.masks import masked_view, restricted
from lakesight.consume.profiles.pages import Entry, render_index, render_profile, slug
from lakesight.consume.profiles.stats import Profile, profile, quote
from lakesight.dbt_artifacts import DbtManifest, read_dbt_manifest
from lakesight.outputs import PROFILES, generation, output_lock
from lakesight.security.access import DEFAULT_EXTRACTS, connect_confined
from lakesight.security.extracts import Extract, fresh_extract
from lakesight.security.resolved import PolicyNotBuilt, ResolvedPolicy

MANIFEST = Path("target/manifest.json")


class ProfileError(Exception):
    """A relation that cannot be profiled: one sentence saying why and what to do."""


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [
        (schema, name)
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database() order by 1, 2"
        ).fetchall()
    ]


def resolve(con: duckdb.DuckDBPyConnection, relation: str, where: str) -> tuple[str, str]:
    """(schema, name) of `relation` ('name' or 'schema.name', exact) on the connection."""
    tables = _tables(con)
    schema, _, name = relation.strip().rpartition(".")
    matches = [(s, n) for s, n in tables if n == name and (not schema or s == schema)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(f"{s}.{n}" for s, n in matches)
        raise ProfileError(f"{relation!r} is ambiguous in {where}: name one of {names}.")
    near = set(difflib.get_close_matches(name, [n for _, n in tables], n=5, cutoff=0.75))
    close = [f"{s}.{n}" for s, n in tables if n in near][:5]
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise ProfileError(f"No relation {relation!r} in {where}.{hint}")


def _key(manifest: DbtManifest | None, schema: str, name: str) -> list[str] | None:
    if manifest is None:
        return None
    node = manifest.find(schema, name)
    return primary_key(manifest, node) if node else None


def profile_warehouse(
    warehouse: Path, relation: str, manifest: DbtManifest | None = None
) -> Profile:
    """Profile a relation of the warehouse (opened read-only), every column the policy restricts
    for anyone masked (lakesight.consume.profiles.masks); a warehouse with no resolved policy is
    refused."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schema, name = resolve(con, relation, f"the warehouse {warehouse}")
        try:
            masks = restricted(ResolvedPolicy.read(con))
        except PolicyNotBuilt as error:
            raise ProfileError(
                f"Cannot tell which columns of {schema}.{name} the policy restricts: {error}."
            ) from None
        full = f"{quote(schema)}.{quote(name)}"
        rel, applied = masked_view(con, full, masks)
        result = profile(
            con,
            rel,
            display=f"{schema}.{name}",
            source=f"the warehouse {warehouse.name}",
            key=_key(manifest, schema, name),
            keys_relation=full,
        )
        result.masked = applied
        return result


def profile_as(
    warehouse: Path,
    principal: str,
    relation: str,
    manifest: DbtManifest | None = None,
    extracts: Path = DEFAULT_EXTRACTS,
) -> Profile:
    """Profile a secure dataset as `principal` sees it: from the principal's extract only."""
    with fresh_extract(warehouse, extracts, principal) as (extract, _):
        con = connect_confined(extracts / extract.file)
    with con:
        return profile_extract(con, extract, relation, manifest)


def profile_extract(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    relation: str,
    manifest: DbtManifest | None = None,
) -> Profile:
    """Profile a secure dataset of an extract, on its confined connection `con`."""
    schema, name = resolve(con, relation, f"the extract of {extract.principal}")
    return profile(
        con,
        f"{quote(schema)}.{quote(name)}",
        display=f"{schema}.{name}",
        source=f"the extract of {extract.principal} ({extract.file}), not the warehouse",
        key=_key(manifest, schema, name),
    )


def write_secure_profiles(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    folder: Path,
    manifest: DbtManifest | None,
    home: str = "../index.html",
    progress: Callable[[str], None] | None = None,
) -> list[Entry]:
    """A page per secure dataset of the extract (on its confined connection `con`) and their
    index, into `folder` (new): `<dataset>.html` and `index.html`, linking only each other and
    `home`. Returns the pages."""
    folder.mkdir(parents=True)
    entries: list[Entry] = []
    for dataset in [n for s, n in _tables(con) if s == "secure"]:
        if progress:
            progress(f"secure.{dataset} as {extract.principal}")
        result = profile_extract(con, extract, f"secure.{dataset}", manifest)
        href = f"{slug(dataset)}.html"
        (folder / href).write_text(render_profile(result, home=home), encoding="utf-8")
        entries.append(Entry(f"secure.{dataset}", href, result))
    index = render_index(
        [(f"Secure datasets as {extract.principal}", entries)],
        home=home,
        intro=f"Every secure dataset as {extract.principal} sees it, read from that"
        " principal's extract only, never the warehouse.",
    )
    (folder / "index.html").write_text(index, encoding="utf-8")
    return entries


def mart_relations(manifest: DbtManifest) -> list[tuple[str, str]]:
    """(schema, name) of every mart model (models/marts/), materialised as a table or view."""
    marts = []
    for node in manifest.models():
        path = node.get("original_file_path", "")
        materialized = node.get("config", {}).get("materialized")
        if path.startswith("models/marts/") and materialized != "ephemeral":
            marts.append((node["schema"], node.get("alias") or node["name"]))
    return sorted(marts)


def build_profiles(
    warehouse: Path,
    out: Path,
    manifest_path: Path = MANIFEST,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write a page per mart and the index: the owners' pages (restricted columns masked).

    The secure datasets as each principal sees them are in that principal's portal
    (lakesight.site.portals), never in the owners' site (docs/security.md, "Who may be given
    what").

    `out` is a generated folder (lakesight/outputs.py): the pages are written into a new
    generation and `out` switches to it at once; the returned index is `out/index.html`."""
    manifest = read_dbt_manifest(manifest_path)
    if manifest is None:
        raise ProfileError(f"No dbt manifest at {manifest_path}: run `dbt parse` or `make build`.")
    with output_lock(out, PROFILES), generation(out, PROFILES) as new:
        _write_profiles(warehouse, new.folder, manifest, progress)
    return out / "index.html"


def _write_profiles(
    warehouse: Path,
    out: Path,
    manifest: DbtManifest,
    progress: Callable[[str], None] | None,
) -> None:
    marts: list[Entry] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = set(_tables(con))
    for schema, name in mart_relations(manifest):
        if (schema, name) not in present:
            continue
        if progress:
            progress(f"{schema}.{name}")
        result = profile_warehouse(warehouse, f"{schema}.{name}", manifest)
        href = f"{slug(result.relation)}.html"
        (out / href).write_text(render_profile(result), encoding="utf-8")
        marts.append(Entry(result.relation, href, result))
    (out / "index.html").write_text(
        render_index([("Marts (the warehouse)", marts)]), encoding="utf-8"
    )
