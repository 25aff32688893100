"""Offline Data Docs: every CDN URL GX uses is pinned and vendored; anything unknown fails."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lakesight.consume.dashboards.build import NPM_PACKAGES
from lakesight.quality.datadocs import (
    ASSETS,
    LOGO_BUCKET,
    VENDOR,
    OfflineError,
    external_resources,
    make_offline,
)
from tests.support.warehouse import REPO

#: GX's Data Docs templates (found without importing GX, which is slow)
GX_VIEW = (
    Path(str(importlib.util.find_spec("great_expectations").origin)).parent / "render" / "view"
)
#: hosts GX's templates name only in plain hyperlinks (<a href>) or XML namespaces
LINK_HOSTS = {"greatexpectations.io", "docs.greatexpectations.io"}


def test_every_external_url_in_gx_templates_is_vendored_or_a_plain_link() -> None:
    known = {url for asset in ASSETS for url in asset.urls}
    files = [*GX_VIEW.glob("templates/*.j2"), *GX_VIEW.glob("static/styles/*.css")]
    assert files, GX_VIEW
    unknown = []
    for path in files:
        for url in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", path.read_text()):
            if not url.startswith("http"):
                continue  # a comment (`// …`) or protocol-relative path: checked below by host
            if url in known or url.startswith(LOGO_BUCKET) or urlsplit(url).hostname in LINK_HOSTS:
                continue
            unknown.append(f"{path.name}: {url}")
    assert unknown == [], "GX references assets lakesight does not vendor"


def test_package_json_and_its_lock_pin_exactly_what_gx_asks_for() -> None:
    package = json.loads((REPO / "package.json").read_text())
    lock = json.loads((REPO / "package-lock.json").read_text())
    pins: dict[str, str] = package["dependencies"]
    assert set(pins) == {asset.package for asset in ASSETS} | set(NPM_PACKAGES)
    for name, version in NPM_PACKAGES.items():  # the dashboards' world map
        assert pins[name] == version == lock["packages"][f"node_modules/{name}"]["version"]
    for asset in ASSETS:
        pinned = pins[asset.package]
        assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"{asset.package}: pin an exact version"
        assert pinned == asset.version or pinned.startswith(asset.version + "."), asset
        assert lock["packages"][f"node_modules/{asset.package}"]["version"] == pinned


def fake_node_modules(root: Path, *, versions: dict[str, str] | None = None) -> Path:
    """A node_modules folder holding a small stand-in for every asset."""
    modules = root / "node_modules"
    for asset in ASSETS:
        package = modules / asset.package
        version = (versions or {}).get(asset.package) or (
            asset.version if asset.version.count(".") == 2 else asset.version + ".0.0"
        )
        (package / asset.file).parent.mkdir(parents=True, exist_ok=True)
        (package / "package.json").write_text(json.dumps({"version": version}))
        (package / asset.file).write_text(f"/* {asset.package}/{asset.file} */")
        for folder in asset.folders:
            (package / folder).mkdir(exist_ok=True)
            (package / folder / "font.woff2").write_bytes(b"font")
    return modules


def sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def page_with(*tags: str) -> str:
    loads = "".join(
        f'<script src="{url}"></script>'
        if asset.file.endswith(".js")
        else f'<link rel="stylesheet" href="{url}">'
        for asset in ASSETS
        for url in asset.urls
    )
    return (
        f"<html><head>{loads}<style>.navbar-brand a {{ background: url('{LOGO_BUCKET}"
        "full_logo_dark.png') 0 0 no-repeat; }</style>"
        '<link rel="shortcut icon" href="../../../../static/images/favicon.ico"></head><body>'
        f'<img src="{LOGO_BUCKET}logo-long.png?d=20250101T000000Z">'
        '<a href="https://greatexpectations.io">GX</a>' + "".join(tags) + "</body></html>"
    )


@pytest.fixture
def docs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A Data Docs folder with a validation page as deep as GX writes them, and node_modules."""
    site = tmp_path / "gx"
    page = site / "validations" / "marts" / "fct_orders" / "run" / "20250101T000000Z" / "b.html"
    page.parent.mkdir(parents=True)
    (site / "static" / "images").mkdir(parents=True)
    (site / "static" / "images" / "logo-long.png").write_bytes(b"png")
    (site / "static" / "images" / "favicon.ico").write_bytes(b"ico")
    return site, page, fake_node_modules(tmp_path)


def test_known_urls_become_local_files_and_nothing_leaves_the_site(docs) -> None:
    site, page, modules = docs
    page.write_text(page_with())
    (site / "index.html").write_text(page_with())
    assert make_offline(site, modules) == [site / "index.html", page]
    for rewritten in (site / "index.html", page):
        text = rewritten.read_text()
        assert external_resources(text) == []
        assert "https://greatexpectations.io" in text  # plain links stay
        refs = re.findall(r'(?:src|href)="([^"#]+)"', text)
        local = [ref for ref in refs if not ref.startswith("https://")]
        assert len(local) == sum(len(a.urls) for a in ASSETS) + 2  # + favicon and logo
        for ref in local:
            assert (rewritten.parent / ref).resolve().is_file(), f"{rewritten}: {ref}"
        assert "url(none)" not in text and "background: none 0 0" in text
    fonts = site / VENDOR / "@fortawesome/fontawesome-free"
    assert (fonts / "webfonts" / "font.woff2").is_file()  # all.min.css loads ../webfonts/*
    assert (fonts / "css" / "all.min.css").is_file()


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://cdn.example.com/new-lib.js"></script>',
        '<link rel="stylesheet" href="//cdn.example.com/theme.css">',
        '<img src="http://images.example.com/chart.png">',
        '<img srcset="a.png 1x, https://images.example.com/b.png 2x">',
        "<style>@import 'https://fonts.example.com/css';</style>",
        '<div style="background: url(https://images.example.com/bg.png)"></div>',
        '<iframe src="https://www.example.com/embed"></iframe>',
    ],
    ids=["script", "protocol-relative-css", "img", "srcset", "css-import", "css-url", "iframe"],
)
def test_an_unknown_external_resource_fails_naming_page_and_url(docs, tag: str) -> None:
    site, page, modules = docs
    page.write_text(page_with(tag))
    with pytest.raises(OfflineError) as raised:
        make_offline(site, modules)
    assert str(page) in str(raised.value)
    assert ".example.com/" in str(raised.value)


def test_integrity_hashes_are_checked_then_dropped(docs) -> None:
    site, page, modules = docs
    popper = next(asset for asset in ASSETS if asset.package == "popper.js")
    good = sri(modules / popper.package / popper.file)
    page.write_text(
        f'<script src="{popper.urls[0]}" integrity="{good}" crossorigin="anonymous"></script>'
    )
    make_offline(site, modules)
    text = page.read_text()
    assert "integrity" not in text and "crossorigin" not in text and "popper.min.js" in text

    page.write_text(f'<script src="{popper.urls[0]}" integrity="sha384-AAAA"></script>')
    with pytest.raises(OfflineError, match="does not match the integrity hash"):
        make_offline(site, modules)


def test_a_stale_or_missing_node_modules_fails_clearly(docs, tmp_path: Path) -> None:
    site, page, _ = docs
    page.write_text(page_with())
    with pytest.raises(OfflineError, match="is missing: install the Data Docs assets"):
        make_offline(site, tmp_path / "nowhere")
    stale = fake_node_modules(tmp_path / "stale", versions={"jquery": "3.6.0"})
    with pytest.raises(OfflineError, match=r"jquery 3\.6\.0 is installed but GX's pages ask"):
        make_offline(site, stale)


def test_the_vendored_popper_and_bootstrap_match_gx_integrity_hashes() -> None:
    """The real npm files are the ones GX's templates pin by Subresource Integrity."""
    modules = REPO / "node_modules"
    if not modules.is_dir():
        pytest.skip("node_modules is missing: `make test` installs it (npm ci)")
    imports = (GX_VIEW / "templates" / "js_script_imports.j2").read_text()
    pinned = dict(re.findall(r'src="([^"]+)" integrity="([^"]+)"', imports))
    assert len(pinned) == 2
    for url, integrity in pinned.items():
        asset = next(asset for asset in ASSETS if url in asset.urls)
        assert sri(modules / asset.package / asset.file) == integrity, url
