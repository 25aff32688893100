"""Profile pages: one per relation (Jinja2 templates, inline SVG charts) and an index."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from lakesight.consume.profiles import charts
from lakesight.consume.profiles.stats import (
    BINS,
    QUANTILES,
    SAMPLE_ABOVE,
    SAMPLE_ROWS,
    SAMPLE_SEED,
    TOP,
    Column,
    Profile,
)

_ENV = Environment(
    loader=PackageLoader("lakesight.consume.profiles", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def fmt(value: Any, years: bool = False) -> str:
    """A statistic as the tables show it (a date, with `years`, as its year)."""
    if value is None:
        return ""
    if years and isinstance(value, datetime | date):
        return str(value.year)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:,.6g}"
    return str(value)


def slug(name: str) -> str:
    """A file name for a relation."""
    return re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-") or "relation"


def render_profile(
    profile: Profile, *, home: str = "../index.html", index: str = "index.html"
) -> str:
    """One profile as a self-contained HTML page (no script, no external resource)."""

    def by_year(column: Column) -> bool:
        """A date column masked to its year: every figure shown as a year, since an
        interpolated date (a quantile, a bin edge) may be some customer's birth day."""
        return profile.masked.get(column.name) == "year"

    def histogram(column: Column) -> Any:
        return charts.histogram(
            column.histogram, column.kde, is_date=column.kind == "date", years=by_year(column)
        )

    def shown(column: Column, value: Any) -> str:
        return fmt(value, years=by_year(column))

    def bars(column: Column) -> Any:
        return charts.bars(column.top, column.rows)

    return _ENV.get_template("profile.html.j2").render(
        p=profile,
        home=home,
        index=index,
        fmt=fmt,
        shown=shown,
        quantiles=QUANTILES,
        bins=BINS,
        top=TOP,
        seed=SAMPLE_SEED,
        sample_above=SAMPLE_ABOVE,
        histogram=histogram,
        bars=bars,
        missing=charts.missing_matrix([c.name for c in profile.columns], profile.missing),
        pearson=charts.heatmap(profile.numeric, profile.pearson, "Pearson correlations"),
        spearman=charts.heatmap(profile.numeric, profile.spearman, "Spearman correlations"),
    )


@dataclass(frozen=True)
class Entry:
    title: str
    href: str
    profile: Profile


#: what the owners' profile index says of its pages
MARTS_INTRO = (
    "Every mart of the warehouse, every row, restricted columns masked"
    ' (docs/security.md, "Who may be given what").'
)


def render_index(
    sections: list[tuple[str, list[Entry]]],
    *,
    home: str = "../index.html",
    intro: str = MARTS_INTRO,
) -> str:
    return _ENV.get_template("index.html.j2").render(
        sections=sections,
        home=home,
        intro=intro,
        index="index.html",
        sample_above=SAMPLE_ABOVE,
        sample_rows=SAMPLE_ROWS,
    )
