"""A portal's index page (Jinja2): whose portal it is, the as-of date of its data, its pages.

No script, no external resource, and every link relative and inside the portal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

if TYPE_CHECKING:
    from lakesight.site.portals.build import Portal

_ENV = Environment(
    loader=PackageLoader("lakesight.site.portals", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_portal(portal: Portal) -> str:
    return _ENV.get_template("index.html.j2").render(p=portal)
