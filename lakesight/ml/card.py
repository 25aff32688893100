"""The model card page: metrics against the baselines, the calibration table and chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup


def calibration_svg(rows: list[dict[str, float]], size: int = 260) -> Markup:
    """Observed churn rate against mean predicted probability per bin, with the diagonal."""
    pad = 24
    span = size - 2 * pad

    def xy(x: float, y: float) -> str:
        return f"{pad + x * span:.1f},{size - pad - y * span:.1f}"

    points = " ".join(xy(r["mean_predicted"], r["observed_rate"]) for r in rows)
    dots = "".join(
        f'<circle cx="{pad + r["mean_predicted"] * span:.1f}"'
        f' cy="{size - pad - r["observed_rate"] * span:.1f}" r="3"/>'
        for r in rows
    )
    return Markup(
        f'<svg class="chart calibration" role="img" width="{size}" height="{size}"'
        f' viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>calibration: observed vs predicted churn</title>"
        f'<line x1="{pad}" y1="{size - pad}" x2="{size - pad}" y2="{pad}" stroke="#bbb"/>'
        f'<polyline fill="none" stroke="#2563eb" points="{points}"/>'
        f'<g fill="#2563eb">{dots}</g>'
        f'<text x="{pad}" y="{size - 6}" font-size="10">predicted →</text>'
        f'<text x="2" y="{pad - 8}" font-size="10">observed ↑</text></svg>'
    )


def render_card(doc: dict[str, Any], out: Path) -> Path:
    """Write the model card HTML page to `out`."""
    env = Environment(
        loader=PackageLoader("lakesight.ml", "templates"), autoescape=select_autoescape()
    )
    page = env.get_template("model_card.html.j2").render(
        doc=doc, chart=calibration_svg(doc["calibration"])
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page)
    return out
