"""GX Data Docs that work offline: pinned npm assets instead of CDNs, every page checked.

Great Expectations 1.24.1's Data Docs templates load Bootstrap, popper.js, jQuery, bootstrap-table,
bootstrap-datepicker, bootstrap-dark, vega and Font Awesome from CDNs, and their navigation bar a
logo from an S3 bucket. The same files are pinned npm packages (``package.json`` and its lock,
installed by ``make`` with ``npm ci`` into ``node_modules/``). :func:`make_offline` copies just the
files the pages load into ``<site>/static/vendor/<package>/`` (Font Awesome with its webfonts, which
its stylesheet finds at ``../webfonts``), rewrites every page to load them by relative path, points
the logo at GX's own copy in ``static/images`` and then checks every page and stylesheet: a
resource reference (script, stylesheet, image, frame, ``srcset``, CSS ``url()``/``@import``) that
still leaves the site fails, naming the page and the URL. Plain hyperlinks (``<a href>``) to GX's
web site are left alone: following one is the reader's choice, nothing is fetched on opening a page.

Where GX gives a Subresource Integrity hash (popper.js, bootstrap.js), the copied file must match
it; the ``integrity`` and ``crossorigin`` attributes are then dropped, because a page opened from
``file://`` cannot make the CORS request they ask for.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

#: where the vendored files go, relative to the Data Docs folder
VENDOR = "static/vendor"
#: node_modules of this repository (``npm ci`` in ``make build`` / ``make test``)
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
#: the bucket GX's navigation bar and dark-mode stylesheet take the logo from
LOGO_BUCKET = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"


@dataclass(frozen=True)
class Asset:
    """One file a Data Docs page loads from a CDN, and where the npm package keeps it."""

    package: str  #: npm package name (its folder under node_modules)
    version: str  #: the version GX's URL asks for: exact ("4.3.1") or a major ("5")
    file: str  #: the file, inside the package
    urls: tuple[str, ...]  #: the URLs GX 1.24.1's templates use for it
    folders: tuple[str, ...] = ()  #: package folders the file refers to, copied along

    @property
    def local(self) -> str:
        """The file's path inside the Data Docs folder."""
        return f"{VENDOR}/{self.package}/{self.file}"


_BT = "https://unpkg.com/bootstrap-table@1.19.1/dist"
_BT_FC = "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control"
_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
ASSETS: tuple[Asset, ...] = (
    Asset(
        "bootstrap",
        "4.3.1",
        "dist/css/bootstrap.min.css",
        ("https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css",),
    ),
    Asset(
        "bootstrap",
        "4.3.1",
        "dist/js/bootstrap.min.js",
        ("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js",),
    ),
    Asset(
        "popper.js",
        "1.12.9",
        "dist/umd/popper.min.js",
        (f"{_CDNJS}/popper.js/1.12.9/umd/popper.min.js",),
    ),
    Asset(
        "jquery", "3.7.1", "dist/jquery.min.js", ("https://code.jquery.com/jquery-3.7.1.min.js",)
    ),
    Asset(
        "bootstrap-table",
        "1.19.1",
        "dist/bootstrap-table.min.css",
        (f"{_BT}/bootstrap-table.min.css",),
    ),
    Asset(
        "bootstrap-table",
        "1.19.1",
        "dist/bootstrap-table.min.js",
        (f"{_BT}/bootstrap-table.min.js",),
    ),
    Asset(
        "bootstrap-table",
        "1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
        (f"{_BT}/extensions/filter-control/bootstrap-table-filter-control.min.js",),
    ),
    # GX asks for the filter-control stylesheets of 1.19.0 next to the 1.19.1 scripts; 1.19.1's
    # stylesheets hold the same rules (only the version banner differs), so one package serves both.
    Asset(
        "bootstrap-table",
        "1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
        (f"{_BT_FC}/bootstrap-table-filter-control.min.css",),
    ),
    Asset(
        "bootstrap-table",
        "1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.css",
        (f"{_BT_FC}/bootstrap-table-filter-control.css",),
    ),
    Asset(
        "bootstrap-datepicker",
        "1.9.0",
        "dist/css/bootstrap-datepicker.min.css",
        (f"{_CDNJS}/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css",),
    ),
    Asset(
        "bootstrap-datepicker",
        "1.9.0",
        "dist/js/bootstrap-datepicker.min.js",
        (f"{_CDNJS}/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js",),
    ),
    Asset(
        "@forevolve/bootstrap-dark",
        "1.1.0",
        "dist/css/bootstrap-prefers-dark.css",
        (
            "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css",
        ),
    ),
    Asset(
        "@fortawesome/fontawesome-free",
        "6.6.0",
        "css/all.min.css",
        (f"{_CDNJS}/font-awesome/6.6.0/css/all.min.css",),
        folders=("webfonts",),
    ),
    # jsDelivr serves a bare `package@major` as the newest release of that major version, from the
    # file named in the package's "jsdelivr" field; package.json pins that release.
    Asset("vega", "5", "build/vega.min.js", ("https://cdn.jsdelivr.net/npm/vega@5",)),
    Asset(
        "vega-lite", "5", "build/vega-lite.min.js", ("https://cdn.jsdelivr.net/npm/vega-lite@5",)
    ),
    Asset(
        "vega-embed", "6", "build/vega-embed.min.js", ("https://cdn.jsdelivr.net/npm/vega-embed@6",)
    ),
)

#: tag -> attributes whose URL the browser fetches on its own when the page opens
RESOURCE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "input": ("src",),
    "image": ("href",),
    "use": ("href",),
}
_CSS_URL = re.compile(
    r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')"""
)
_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
_URL_ATTR = re.compile(r"""\b(src|href)\s*=\s*(["'])(.*?)\2""", re.IGNORECASE)
_INTEGRITY = re.compile(r"""\s+integrity\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
_CROSSORIGIN = re.compile(r"""\s+crossorigin(?:\s*=\s*(["']).*?\1)?""", re.IGNORECASE)
_LOGO_IMG = re.compile(re.escape(LOGO_BUCKET) + r"logo-long\.png(?:\?[^\"'\s)]*)?")
_LOGO_DARK = re.compile(r"url\(\s*(['\"]?)" + re.escape(LOGO_BUCKET) + r"[^'\")]*\1\s*\)")
#: GX's favicon link on validation pages climbs one folder too few (favicon.j2 counts
#: dots + 3 where the page sits dots + 4 deep); every static/images link is recomputed
_STATIC_IMAGES = re.compile(r"""(["'])(?:\./|(?:\.\./)+)static/images/""")


class OfflineError(RuntimeError):
    """A Data Docs page still loads something from outside the site, or an asset is wrong."""


def is_external(url: str) -> bool:
    """Would the browser leave the site for this URL? (data:, blob: and relative paths stay.)"""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme.lower() not in {"", "data", "blob", "about"}


class _Resources(HTMLParser):
    """Collects every URL a page fetches by itself: resource attributes, inline CSS."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = RESOURCE_ATTRIBUTES.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name in wanted or name == "srcset":
                candidates = value.split(",") if name == "srcset" else [value]
                self.urls.extend(c.strip().split(" ")[0] for c in candidates if c.strip())
            elif name == "style":
                self.urls.extend(css_urls(value))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.extend(css_urls(data))


def css_urls(css: str) -> list[str]:
    """Every ``url(...)`` and ``@import`` target in a piece of CSS."""
    return [
        next(group for group in match.groups() if group is not None)
        for match in _CSS_URL.finditer(css)
    ]


def external_resources(text: str, *, css: bool = False) -> list[str]:
    """The resource URLs in an HTML page (or a stylesheet) that leave the site."""
    if css:
        urls = css_urls(text)
    else:
        parser = _Resources()
        parser.feed(text)
        parser.close()
        urls = parser.urls
    return [url for url in urls if is_external(url)]


def _sri(path: Path, integrity: str) -> bool:
    """Does the file match one of the Subresource Integrity hashes?"""
    data = path.read_bytes()
    for token in integrity.split():
        algorithm, _, digest = token.partition("-")
        if algorithm in {"sha256", "sha384", "sha512"}:
            actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            if actual == digest:
                return True
    return False


def _satisfies(installed: str, wanted: str) -> bool:
    return installed == wanted or installed.startswith(wanted + ".")


def copy_assets(site: Path, node_modules: Path = NODE_MODULES) -> dict[str, Asset]:
    """Copy every asset into ``site/static/vendor``; return them by CDN URL.

    Fails when node_modules lacks a package or holds another version than GX's URL asks for.
    """
    if not node_modules.is_dir():
        raise OfflineError(
            f"{node_modules} is missing: install the Data Docs assets with `npm ci` "
            "(`make build` does it)"
        )
    by_url: dict[str, Asset] = {}
    for asset in ASSETS:
        package = node_modules / asset.package
        manifest = package / "package.json"
        if not manifest.is_file():
            raise OfflineError(
                f"npm package {asset.package} is not installed in {node_modules}: run `npm ci`"
            )
        installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        if not _satisfies(installed, asset.version):
            raise OfflineError(
                f"{asset.package} {installed} is installed but GX's pages ask for {asset.version}: "
                "run `npm ci`"
            )
        target = site / asset.local
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / asset.file, target)
        for folder in asset.folders:
            shutil.copytree(
                package / folder, site / VENDOR / asset.package / folder, dirs_exist_ok=True
            )
        by_url.update(dict.fromkeys(asset.urls, asset))
    return by_url


def _relative(site: Path, page: Path, path: str) -> str:
    return Path(os.path.relpath(site / path, page.parent)).as_posix()


def rewrite(text: str, site: Path, page: Path, by_url: dict[str, Asset]) -> str:
    """One page (or stylesheet) with every known external URL replaced by the local copy."""

    def tag(match: re.Match[str]) -> str:
        source = match.group(0)
        url = _URL_ATTR.search(source)
        asset = by_url.get(url.group(3).strip()) if url else None
        if url is None or asset is None:
            return source
        integrity = _INTEGRITY.search(source)
        if integrity and not _sri(site / asset.local, integrity.group(2)):
            raise OfflineError(
                f"{page}: {asset.package}/{asset.file} does not match the integrity hash GX gives"
                f" for {url.group(3)}"
            )
        local = _relative(site, page, asset.local)
        source = source[: url.start(3)] + local + source[url.end(3) :]
        return _CROSSORIGIN.sub("", _INTEGRITY.sub("", source))

    text = _TAG.sub(tag, text)
    static = _relative(site, page, "static")
    text = _LOGO_IMG.sub(f"{static}/images/logo-long.png", text)
    text = _LOGO_DARK.sub("none", text)  # the dark-mode logo: GX ships no local copy of it
    return _STATIC_IMAGES.sub(lambda match: f"{match.group(1)}{static}/images/", text)


def make_offline(site: Path, node_modules: Path = NODE_MODULES) -> list[Path]:
    """Vendor the assets into a Data Docs folder and rewrite its pages; return the pages.

    Raises :class:`OfflineError` naming the page and the URL when a page or one of GX's own
    stylesheets still fetches something from outside the site.
    """
    by_url = copy_assets(site, node_modules)
    vendor = site / VENDOR
    pages: list[Path] = []
    problems: list[str] = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in {".html", ".css"} or vendor in path.parents:
            continue
        text = rewrite(path.read_text(encoding="utf-8"), site, path, by_url)
        path.write_text(text, encoding="utf-8")
        if path.suffix == ".html":
            pages.append(path)
        problems += [
            f"{path}: {url}" for url in external_resources(text, css=path.suffix == ".css")
        ]
    for path in sorted(vendor.rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        problems += [f"{path}: {url}" for url in external_resources(text, css=True)]
    if problems:
        raise OfflineError(
            "Data Docs still load resources from the network (page: URL):\n  "
            + "\n  ".join(problems)
        )
    return pages
