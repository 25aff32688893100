"""The model card page: metrics against the baselines, the calibration table and Vega-Lite charts.

Each chart is a Vega-Lite 5 spec shown by vega-embed (the pinned npm files, copied next to the
page as for the dashboards) and, for print and for readers without scripts, the same spec as a
static SVG from vl-convert.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import vl_convert
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from lakesight.consume.dashboards.build import VL_CONVERT_VERSION, copy_vendor, script_json

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def calibration_spec(rows: list[dict[str, float]]) -> dict[str, Any]:
    """Observed churn rate against mean predicted probability per bin, with the diagonal."""
    axis = {"type": "quantitative", "scale": {"domain": [0, 1]}}
    return {
        "$schema": SCHEMA,
        "title": "Calibration: observed vs predicted churn (held-out period)",
        "width": 320,
        "height": 320,
        "layer": [
            {
                "data": {"values": [{"p": 0.0}, {"p": 1.0}]},
                "mark": {"type": "line", "color": "#bbb", "strokeDash": [4, 4]},
                "encoding": {"x": {"field": "p", **axis}, "y": {"field": "p", **axis}},
            },
            {
                "data": {"values": rows},
                "mark": {"type": "line", "point": True, "color": "#2563eb"},
                "encoding": {
                    "x": {"field": "mean_predicted", "title": "mean predicted probability", **axis},
                    "y": {"field": "observed_rate", "title": "observed churn rate", **axis},
                    "tooltip": [
                        {"field": "rows", "type": "quantitative"},
                        {"field": "mean_predicted", "type": "quantitative", "format": ".3f"},
                        {"field": "observed_rate", "type": "quantitative", "format": ".3f"},
                    ],
                },
            },
        ],
    }


def metrics_spec(metrics: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Held-out ROC AUC of each model and baseline, with chance (0.5) marked."""
    rows = [{"model": name, "roc_auc": m["roc_auc"]} for name, m in metrics.items()]
    return {
        "$schema": SCHEMA,
        "title": "Held-out ROC AUC against the baselines",
        "width": 320,
        "layer": [
            {
                "data": {"values": rows},
                "mark": "bar",
                "encoding": {
                    "y": {"field": "model", "type": "nominal", "sort": "-x", "title": None},
                    "x": {
                        "field": "roc_auc",
                        "type": "quantitative",
                        "scale": {"domain": [0, 1]},
                        "title": "ROC AUC",
                    },
                    "tooltip": [{"field": "roc_auc", "type": "quantitative", "format": ".3f"}],
                },
            },
            {
                "data": {"values": [{"chance": 0.5}]},
                "mark": {"type": "rule", "color": "#a00", "strokeDash": [4, 4]},
                "encoding": {"x": {"field": "chance", "type": "quantitative"}},
            },
        ],
    }


def chart(name: str, spec: dict[str, Any]) -> dict[str, Markup]:
    """A chart for the template: its id, spec as script JSON and static SVG."""
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VL_CONVERT_VERSION)
    return {"id": name, "spec": Markup(script_json(spec)), "svg": Markup(svg)}


def render_card(doc: dict[str, Any], out: Path) -> Path:
    """Write the model card HTML page to `out` and the chart scripts to `vendor/` beside it."""
    env = Environment(
        loader=PackageLoader("lakesight.consume.ml", "templates"), autoescape=select_autoescape()
    )
    charts = {
        "metrics": chart("metrics", metrics_spec(doc["metrics"])),
        "calibration": chart("calibration", calibration_spec(doc["calibration"])),
    }
    page = env.get_template("model_card.html.j2").render(doc=doc, charts=charts)
    out.parent.mkdir(parents=True, exist_ok=True)
    copy_vendor(out.parent)
    out.write_text(page)
    return out
