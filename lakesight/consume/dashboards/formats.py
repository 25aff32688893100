"""How a page shows a field: its label and its number format (docs/dashboards.md, "Labels and
formats").

A metric's label and format are the semantic layer's (its `label` and `meta.format`); any other
field a tile shows (a group-by item, a dataset's column) takes them from the label map
`_labels.yml` in the folder of the dashboard files. The formats are d3-format strings that
Vega-Lite, Vega and vl-convert all read: axes in compact units ($1.2M, 3.4K), tooltips in full
($1,234,567, 1,234, 12.3 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: the label map's file in a folder of dashboard files (not a page: load_pages skips `_*.yml`)
LABELS_FILE = "_labels.yml"
#: format -> (axis, tooltip) d3-format strings; `compact` axes print K, M and B for thousands,
#: millions and billions (d3's SI prefixes k and G are not what a revenue reader expects)
FORMATS = {
    "usd": ("$", "$,.0f"),
    "count": ("", ",.0f"),
    "number": ("", ",.2~f"),
    "percent": (".0%", ".1%"),
}
#: how an aggregate of a column is labelled ({} is the column's label, lower-cased) and the
#: format it has (None: the column's)
AGGREGATE_LABELS: dict[str, tuple[str, str | None]] = {
    "sum": ("{}", None),
    "mean": ("average {}", None),
    "count": ("number of {}", "count"),
    "min": ("lowest {}", None),
    "max": ("highest {}", None),
    "share_positive": ("share with {} above 0", "percent"),
}


class LabelError(ValueError):
    """The label map is not a mapping of names to a label and an optional known format."""


@dataclass(frozen=True)
class Label:
    """What a page calls a field, and how it prints its numbers (None: not a number)."""

    text: str
    format: str | None = None


def read_labels(folder: Path) -> dict[str, Label]:
    """The label map of a folder of dashboard files (empty when it has none): `name: Label` or
    `name: {label: Label, format: usd|count|number|percent}`."""
    path = folder / LABELS_FILE
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = raw.get("labels") if isinstance(raw, dict) else None
    if not isinstance(entries, dict):
        raise LabelError(f"{LABELS_FILE}: needs a mapping `labels:` of names to labels")
    labels = {}
    for name, entry in entries.items():
        spec = {"label": entry} if isinstance(entry, str) else entry
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            raise LabelError(f"{LABELS_FILE}: {name}: needs a label (text)")
        if spec.get("format") not in (None, *FORMATS):
            raise LabelError(
                f"{LABELS_FILE}: {name}: format {spec['format']!r} is not one of "
                + ", ".join(FORMATS)
            )
        labels[str(name)] = Label(spec["label"], spec.get("format"))
    return labels


def aggregated(label: Label, aggregate: str) -> Label:
    """The label of an aggregate of a column: `average recency (days)`, `number of customers`."""
    phrase, shape = AGGREGATE_LABELS[aggregate]
    text = label.text if phrase == "{}" else phrase.format(label.text[:1].lower() + label.text[1:])
    return Label(text[:1].upper() + text[1:], shape or label.format or "number")


def compact(format_: str | None, value: str = "datum.value") -> str:
    """A Vega expression printing `value` (by default an axis's or legend's) in the format,
    compactly."""
    prefix = FORMATS.get(format_ or "number", FORMATS["number"])[0]
    if format_ == "percent":
        return f"format({value}, '{prefix}')"
    small = f"format({value}, '{prefix},.2~f')"
    large = f"replace(replace(format({value}, '{prefix}.3~s'), 'k', 'K'), 'G', 'B')"
    return f"(abs({value}) < 1000 ? {small} : {large})"


def axis(format_: str | None) -> dict[str, Any]:
    """A quantitative axis's properties for the format."""
    return {"labelExpr": compact(format_)}


def tooltip(format_: str | None) -> str:
    """The d3-format string of the full figure in a tooltip or a label."""
    return FORMATS.get(format_ or "number", FORMATS["number"])[1]


def figure(value: Any, format_: str | None, short: bool = False) -> str:
    """A value as people read it: $1,234,567, 1,234, 12.3 % (short: $1.23M, 1.23K); a dash for
    none."""
    if value is None:
        return "\u2013"
    number = float(value)
    if format_ == "percent":
        return f"{number:.1%}"
    sign = "$" if format_ == "usd" else ""
    if short and abs(number) >= 1000:
        for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(number) >= size:
                shown = f"{number / size:.3g}"
                return f"{'-' if number < 0 else ''}{sign}{shown.lstrip('-')}{unit}"
    if format_ == "usd" and abs(number) < 100:
        return f"{'-' if number < 0 else ''}${abs(number):,.2f}"
    if format_ in ("usd", "count"):
        return f"{'-' if number < 0 else ''}{sign}{abs(number):,.0f}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")
