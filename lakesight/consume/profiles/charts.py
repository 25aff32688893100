"""Inline SVG charts of a profile: no script, no external resource, so a page renders offline."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

from markupsafe import Markup


def label(value: float, is_date: bool, years: bool = False) -> str:
    """An axis label: a date (or with `years` its year) for epoch seconds, else a short number."""
    if is_date:
        return f"{datetime.fromtimestamp(value, UTC):{'%Y' if years else '%Y-%m-%d'}}"
    return f"{value:,.4g}"


def histogram(
    bins: Sequence[tuple[float, float, int]],
    kde: Sequence[tuple[float, float]] = (),
    *,
    is_date: bool = False,
    years: bool = False,
    width: int = 360,
    height: int = 150,
) -> Markup:
    """Bars of a histogram, and the KDE (scaled to the bars' area) as a line over them; `years`:
    dates labelled by their year only."""
    if not bins:
        return Markup("")
    pad, base = 4, height - 18
    peak = max(count for *_, count in bins) or 1
    low, high = bins[0][0], bins[-1][1]
    span = (high - low) or 1.0
    total = sum(count for *_, count in bins)
    bar_width = (width - 2 * pad) / len(bins)
    parts = [
        f'<svg class="chart histogram" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]

    def text(value: float) -> str:
        return html.escape(label(value, is_date, years))

    for i, (left, right, count) in enumerate(bins):
        h = (base - pad) * count / peak
        parts.append(
            f'<rect class="bar" x="{pad + i * bar_width:.2f}" y="{base - h:.2f}"'
            f' width="{max(bar_width - 1, 0.5):.2f}" height="{h:.2f}" fill="#4c78a8">'
            f"<title>{text(left)} to {text(right)}:"
            f" {count:,}</title></rect>"
        )
    if kde and total:
        bin_span = span / len(bins)
        points = " ".join(
            f"{pad + (x - low) / span * (width - 2 * pad):.2f},"
            f"{base - (base - pad) * density * total * bin_span / peak:.2f}"
            for x, density in kde
        )
        parts.append(
            f'<polyline class="kde" points="{points}" fill="none" stroke="#e45756"'
            ' stroke-width="1.5"><title>kernel density estimate</title></polyline>'
        )
    parts.append(
        f'<text x="{pad}" y="{height - 4}" font-size="10">{text(low)}</text>'
        f'<text x="{width - pad}" y="{height - 4}" font-size="10" text-anchor="end">'
        f"{text(high)}</text></svg>"
    )
    return Markup("".join(parts))


def bars(top: Sequence[tuple[str, int]], rows: int, *, width: int = 360) -> Markup:
    """Horizontal bars of the most frequent values, with their share of the rows."""
    if not top:
        return Markup("")
    row_height, label_width = 16, 140
    height = row_height * len(top) + 4
    peak = max(count for _, count in top) or 1
    parts = [
        f'<svg class="chart top" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (value, count) in enumerate(top):
        y = 2 + i * row_height
        w = (width - label_width - 60) * count / peak
        shown = value if len(value) <= 22 else value[:21] + "…"
        parts.append(
            f'<text x="{label_width - 4}" y="{y + 11}" font-size="10" text-anchor="end">'
            f"{html.escape(shown)}</text>"
            f'<rect class="bar" x="{label_width}" y="{y}" width="{w:.2f}" height="{row_height - 3}"'
            f' fill="#72b7b2"><title>{html.escape(value)}: {count:,}</title></rect>'
            f'<text x="{label_width + w + 4:.2f}" y="{y + 11}" font-size="10">'
            f"{count / rows:.1%}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _diverging(value: float | None) -> str:
    """-1 blue, 0 white, +1 red; grey for no value."""
    if value is None:
        return "#dddddd"
    v = max(-1.0, min(1.0, value))
    if v >= 0:
        return f"rgb(255,{round(255 * (1 - v))},{round(255 * (1 - v))})"
    return f"rgb({round(255 * (1 + v))},{round(255 * (1 + v))},255)"


def heatmap(names: Sequence[str], matrix: Sequence[Sequence[float | None]], title: str) -> Markup:
    """A correlation matrix as coloured cells, the coefficient written in each."""
    if not matrix:
        return Markup("")
    cell, left, top = 34, 150, 150
    size = len(names)
    width, height = left + cell * size + 4, top + cell * size + 4
    parts = [
        f'<svg class="chart heatmap" role="img" aria-label="{html.escape(title)}"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, name in enumerate(names):
        short = html.escape(name if len(name) <= 22 else name[:21] + "…")
        parts.append(
            f'<text x="{left - 4}" y="{top + i * cell + cell / 2 + 4}" font-size="10"'
            f' text-anchor="end">{short}</text>'
            f'<text transform="translate({left + i * cell + cell / 2 + 4},{top - 4}) rotate(-60)"'
            f' font-size="10">{short}</text>'
        )
        for j, value in enumerate(matrix[i]):
            text = "" if value is None else f"{value:.2f}"
            parts.append(
                f'<rect class="cell" x="{left + j * cell}" y="{top + i * cell}" width="{cell - 1}"'
                f' height="{cell - 1}" fill="{_diverging(value)}"><title>{html.escape(names[i])}'
                f" x {html.escape(names[j])}: {text or 'n/a'}</title></rect>"
                f'<text x="{left + j * cell + cell / 2}" y="{top + i * cell + cell / 2 + 3}"'
                f' font-size="9" text-anchor="middle">{text}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def missing_matrix(names: Sequence[str], blocks: Sequence[Sequence[float]]) -> Markup:
    """Columns across, blocks of rows down: the darker, the more of the block is null."""
    if not blocks or not names:
        return Markup("")
    cell_w, cell_h, top = 18, 6, 150
    width, height = cell_w * len(names) + 4, top + cell_h * len(blocks) + 4
    parts = [
        f'<svg class="chart missing" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for j, name in enumerate(names):
        short = html.escape(name if len(name) <= 22 else name[:21] + "…")
        parts.append(
            f'<text transform="translate({j * cell_w + cell_w / 2 + 3},{top - 4}) rotate(-60)"'
            f' font-size="10">{short}</text>'
        )
    for i, row in enumerate(blocks):
        for j, share in enumerate(row):
            shade = round(235 - 200 * share)
            parts.append(
                f'<rect class="cell" x="{j * cell_w}" y="{top + i * cell_h}" width="{cell_w - 1}"'
                f' height="{cell_h}" fill="rgb({shade},{shade},{shade})">'
                f"<title>{html.escape(names[j])}, block {i + 1}: {share:.1%} null</title></rect>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
