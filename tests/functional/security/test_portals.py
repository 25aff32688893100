"""The leak test of what `make build` hands out (docs/security.md, "Who may be given what").

Every file of every principal's portal (HTML, JSON, SVG, notebooks, and the zip's members) holds
nothing outside that principal's extract: no customer's e-mail, phone or street and no country
or region the extract lacks, no other principal's identifier (e-mail, slug, extract file), and
no link or src leaving the portal; its vendored scripts are the pinned npm files. The owners'
site holds no clear value of a restricted column (seeds/security/sec_cls_columns.csv).

The portals and the site are the run's shared ones (tests/conftest.py, `published`), which the
browser test (tests/functional/site/test_site.py) opens too; the figures inside the dashboards
are checked against each extract in tests/functional/consume/test_dashboards.py.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import duckdb
import pytest

from lakesight.consume.dashboards.build import VENDOR
from lakesight.quality.datadocs import NODE_MODULES
from lakesight.security.extracts import extract_file, read_manifest
from lakesight.security.resolved import ResolvedPolicy
from lakesight.site.portals.archive import write_zip
from tests.support.leaks import Values, extract_strings, files, leaving, links
from tests.support.warehouse import REPO, Published

RESTRICTED = REPO / "seeds" / "security" / "sec_cls_columns.csv"
#: files whose text is read (the rest: PNG inside pages are base64 text of the HTML already)
TEXT = (".html", ".json", ".svg", ".js", ".css", ".txt", ".ipynb")


def text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def active(published: Published) -> list[str]:
    users = ResolvedPolicy.load(published.warehouse.database).users
    return sorted(user for user, is_active in users.items() if is_active and user)


def identifiers(principal: str) -> set[str]:
    """What names a principal: the e-mail, the extract file, the portal's slug."""
    file = extract_file(principal)
    return {principal, file, file.removesuffix(".duckdb")}


@pytest.fixture(scope="module")
def clear(published: Published) -> dict[str, set[str]]:
    """The clear values of every restricted text or date column, from the marts: column name ->
    values (every mart holding a column of that name)."""
    with RESTRICTED.open(encoding="utf-8") as handle:
        restricted = {row["column_name"].strip().lower() for row in csv.DictReader(handle)}
    found: dict[str, set[str]] = {}
    with duckdb.connect(str(published.warehouse.database), read_only=True) as con:
        for table, column, kind in con.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = 'marts'"
        ).fetchall():
            if column.lower() in restricted and kind in ("VARCHAR", "DATE"):
                values = con.execute(
                    f'select distinct cast("{column}" as varchar) from marts."{table}"'
                    f' where "{column}" is not null'
                ).fetchall()
                found.setdefault(column.lower(), set()).update(v for (v,) in values)
    assert {"email", "phone", "street", "date_of_birth", "first_name"} <= set(found)
    return found


def test_every_active_principal_has_a_portal_and_a_zip_and_nothing_else(
    published: Published,
) -> None:
    slugs = {Path(extract_file(principal)).stem for principal in active(published)}
    listed = {entry.name for entry in published.portals.iterdir()} - {".lakesight-output.json"}
    assert listed == slugs | {f"{slug}.zip" for slug in slugs}
    assert Path(extract_file("dave@example.com")).stem not in listed  # inactive
    assert published.portals.is_symlink()  # a generated folder (lakesight/outputs.py)


def test_each_zip_is_its_portal_byte_for_byte_and_reproducible(
    published: Published, tmp_path: Path
) -> None:
    for archive in sorted(published.portals.glob("*.zip")):
        root = published.portals / archive.stem
        with zipfile.ZipFile(archive) as opened:
            members = {info.filename: opened.read(info) for info in opened.infolist()}
            assert {info.date_time for info in opened.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert members == {
            f"{root.name}/{path.relative_to(root).as_posix()}": path.read_bytes()
            for path in files(root)
        }
        again = write_zip(root, tmp_path / archive.name)
        assert again.read_bytes() == archive.read_bytes(), archive.name


def test_no_portal_holds_another_principals_identifier_or_anything_outside_its_extract(
    published: Published, clear: dict[str, set[str]]
) -> None:
    """Text of every file of every portal: no other principal's e-mail, slug or extract file,
    no restricted clear value, country or region that is not in the principal's own extract,
    and no path of the machine that built it (the repository, the build's folder, $HOME)."""
    principals = active(published)
    everybody = list(ResolvedPolicy.load(published.warehouse.database).users)
    with duckdb.connect(str(published.warehouse.database), read_only=True) as con:
        places = {
            value
            for (value,) in con.execute(
                "select country_name from marts.rpt_revenue_by_country"
                " union select region_name from marts.rpt_sales_daily"
            ).fetchall()
            if value
        }
    # birth dates could equal an order day: only e-mails, phones and streets, which cannot
    personal = clear["email"] | clear["phone"] | clear["street"]
    manifest = read_manifest(published.extracts)
    checked = 0
    for principal in principals:
        own = extract_strings(published.extracts / manifest[principal].file)
        root = published.portals / Path(extract_file(principal)).stem
        others = {name for other in everybody if other != principal for name in identifiers(other)}
        outside = Values({v for v in personal if v not in own})
        machine = {str(REPO), str(published.root), str(Path.home())}
        names = {v for v in places if v not in own} | others | machine  # a few: any substring
        pattern = re.compile("|".join(re.escape(v) for v in sorted(names, key=len)[::-1]))
        vendored = {root / "vendor" / name for name in VENDOR}
        for path in files(root):
            if path in vendored or path.suffix not in TEXT:
                continue
            body = text(path)
            found = pattern.search(body)
            assert found is None, (principal, str(path.relative_to(root)), found and found[0])
            value = outside.first(body)
            assert value is None, (principal, str(path.relative_to(root)), value)
            checked += 1
        assert f'<span id="principal">{principal}</span>' in text(root / "index.html")
    assert checked > 100


def test_every_link_of_a_portal_stays_inside_it_and_its_scripts_are_the_pinned_ones(
    published: Published,
) -> None:
    problems = []
    for root in sorted(p for p in published.portals.iterdir() if p.is_dir()):
        for name, source in VENDOR.items():
            assert (root / "vendor" / name).read_bytes() == (NODE_MODULES / source).read_bytes()
        for path in files(root):
            if path.suffix in (".html", ".svg"):
                for link in links(text(path)):
                    why = leaving(link, path, root)
                    if why:
                        problems.append(f"{path.relative_to(published.portals)}: {why}")
    assert problems == []


def test_the_owners_site_shows_no_restricted_column_in_clear(
    published: Published, clear: dict[str, set[str]]
) -> None:
    """Every file of site/ (dbt docs, quality report, GX Data Docs, audit, profiles, index): no
    e-mail, phone, street or birth date of a customer in clear; no first name in a profile."""
    personal = Values(clear["email"] | clear["phone"] | clear["street"] | clear["date_of_birth"])
    names = Values(clear["first_name"])
    checked = 0
    for path in files(published.site):
        if path.suffix not in TEXT:
            continue
        body = text(path)
        found = personal.first(body)
        assert found is None, (str(path.relative_to(published.site)), found)
        if "profiles" in path.relative_to(published.site).parts:
            shown = names.first(body)
            assert shown is None, (str(path.relative_to(published.site)), shown)
        checked += 1
    assert checked > 10
    # every restricted column of every mart is profiled masked, the numeric unit_cost_usd too
    with duckdb.connect(str(published.warehouse.database), read_only=True) as con:
        marts = con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'marts'"
        ).fetchall()
    with RESTRICTED.open(encoding="utf-8") as handle:
        restricted = {row["column_name"].strip().lower() for row in csv.DictReader(handle)}
    for table, column in marts:
        if column.lower() in restricted:
            page = text(published.site / "profiles" / f"marts.{table}.html")
            assert f'<code>{column}</code> <span class="masked">masked: ' in page, (table, column)
    assert not (published.site / "dashboards").exists()
    assert not (published.site / "notebooks").exists()
    assert not list((published.site / "profiles").glob("as-*"))
