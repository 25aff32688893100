"""`lakesight ml train`: the churn model from the built warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lakesight.config import warehouse_path
from lakesight.consume.ml import TrainError

ml_app = typer.Typer(help="Machine learning on the marts: the churn model.", no_args_is_help=True)


@ml_app.command(name="train")
def train_command(
    out: Annotated[
        Path,
        typer.Option(help="Folder for model.pkl and metrics.json (a generated folder)."),
    ] = Path("target/ml"),
    card_path: Annotated[
        Path,
        typer.Option(
            "--card",
            help="Where to write the model card page; its folder (with the page's vendor/"
            " scripts) is a generated folder.",
        ),
    ] = Path("site/ml/churn_model.html"),
) -> None:
    """Train the churn model on marts.ml_customer_churn_features (earlier cutoffs train, the
    last two labelled cutoffs test), write model, metrics and the model card, and replace the
    warehouse table ml.churn_predictions (a dbt source) with a score per customer and cutoff.

    --out and the card's folder are generated folders (docs/security.md): each switches to its
    new files at once, and a folder holding anything else is refused before training.
    """
    # scikit-learn is imported only to train
    from lakesight.consume.ml.folders import train_churn_model
    from lakesight.consume.ml.train import COVERAGE, PREDICTIONS_TABLE

    database = warehouse_path()
    if not database.exists():
        raise TrainError(f"No warehouse at {database}: run `make build` first.")
    result, rows = train_churn_model(database, out, card_path)
    for name, m in result.metrics.items():
        typer.echo(
            f"{name:20} ROC AUC {m['roc_auc']:.3f}  PR AUC {m['pr_auc']:.3f}"
            f"  Brier {m['brier']:.3f}  lift@10% {m['lift_at_10pct']:.2f}"
        )
    margin = result.intervals["margin_over_recency"]
    typer.echo(
        f"chosen: {result.chosen}; ROC AUC over recency only {margin['estimate']:+.3f}"
        f" ({COVERAGE:.0%} interval {margin['low']:+.3f} to {margin['high']:+.3f});"
        f" {rows:,} predictions in {PREDICTIONS_TABLE}; card {card_path}"
    )
