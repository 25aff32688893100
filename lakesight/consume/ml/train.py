"""Train the churn model on earlier cutoffs, test on later ones, write its outputs.

A time-based split: the last `TEST_CUTOFFS` labelled cutoffs are held out. Two pipelines share the
preprocessing (scaled numbers, one-hot region): a logistic-regression baseline and a
HistGradientBoostingClassifier; both seeded, so a run is deterministic. The better one on the
held-out period by ROC AUC scores every row and the scores go to `ml.churn_predictions`. The
held-out ROC AUCs get bootstrap intervals over customers, and the chosen model is measured per
region too (docs/ml.md, "How sure the figures are").
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from lakesight.consume.ml import TrainError

SEED = 42
TEST_CUTOFFS = 2
#: bootstrap resamples of the held-out customers, and the interval's coverage
BOOTSTRAP = 500
COVERAGE = 0.95
FEATURES_TABLE = "marts.ml_customer_churn_features"
PREDICTIONS_TABLE = "ml.churn_predictions"
NUMERIC = [
    "tenure_days",
    "days_since_last_order",
    "days_since_first_order",
    "order_count",
    "order_count_90d",
    "gross_revenue_usd",
    "avg_order_value_usd",
    "refund_count",
    "refunded_usd",
    "online_order_share",
    "beauty_share",
    "books_share",
    "electronics_share",
    "fashion_share",
    "home_share",
    "sports_share",
]
CATEGORICAL = ["region_name"]
FEATURES = NUMERIC + CATEGORICAL
LABEL = "is_churned"


@dataclass
class Split:
    """Labelled rows split by cutoff: train on the earlier, test on the later."""

    train: pd.DataFrame
    test: pd.DataFrame
    train_cutoffs: list[str]
    test_cutoffs: list[str]


@dataclass
class Result:
    """What a training run measured and chose."""

    split: Split
    metrics: dict[str, dict[str, float]]
    calibration: list[dict[str, float]]
    chosen: str
    model: Pipeline
    #: held-out ROC AUC intervals per model, and of the chosen model's margin over recency only
    intervals: dict[str, dict[str, float]] = field(default_factory=dict)
    #: the chosen model per region of the held-out period
    regions: list[dict[str, Any]] = field(default_factory=list)


def read_features(database: Path) -> pd.DataFrame:
    """The feature mart (it is small: customers x month starts)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(f"select * from {FEATURES_TABLE} order by cutoff_date, customer_id").df()


def split(frame: pd.DataFrame, test_cutoffs: int = TEST_CUTOFFS) -> Split:
    """Labelled rows; the last `test_cutoffs` labelled cutoffs are the held-out period."""
    labelled = frame[frame["has_label_window"]].copy()
    cutoffs = sorted(labelled["cutoff_date"].unique())
    if len(cutoffs) < test_cutoffs + 1:
        raise TrainError(
            f"the churn features have {len(cutoffs)} labelled cutoff(s); the time-based split needs"
            f" at least {test_cutoffs + 1} (a lake of about {90 + 30 * (test_cutoffs + 2)} days)."
        )
    is_test = labelled["cutoff_date"].isin(cutoffs[-test_cutoffs:])
    labelled[LABEL] = labelled[LABEL].astype(int)
    train, test = labelled[~is_test], labelled[is_test]
    for name, part in (("training", train), ("held-out", test)):
        if part[LABEL].nunique() < 2:
            raise TrainError(f"the {name} period has only one class of {LABEL}.")
    days = [str(c)[:10] for c in cutoffs]
    return Split(train, test, days[:-test_cutoffs], days[-test_cutoffs:])


def _preprocess(scale: bool) -> ColumnTransformer:
    numbers: list[Any] = [SimpleImputer(strategy="constant", fill_value=0.0)]
    if scale:
        numbers.append(StandardScaler())
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(*numbers), NUMERIC),
            ("region", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]
    )


def pipelines() -> dict[str, Pipeline]:
    """The two candidate models (seeded)."""
    return {
        "logistic_regression": Pipeline(
            [
                ("preprocess", _preprocess(scale=True)),
                ("model", LogisticRegression(max_iter=2000, random_state=SEED)),
            ]
        ),
        "gradient_boosting": Pipeline(
            [
                ("preprocess", _preprocess(scale=False)),
                (
                    "model",
                    HistGradientBoostingClassifier(
                        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=SEED
                    ),
                ),
            ]
        ),
    }


def lift_at(y: np.ndarray, score: np.ndarray, share: float = 0.1) -> float:
    """Churn rate among the top `share` scores over the overall churn rate. Rows tied at the
    cut count in proportion to the places left for them, so no ordering of equal scores decides
    the figure: a constant score has a lift of exactly 1."""
    n = max(1, round(len(y) * share))
    base = float(np.mean(y))
    if base == 0:
        return float("nan")
    cut = np.sort(score)[::-1][n - 1]
    above, tied = score > cut, score == cut
    churned = float(y[above].sum()) + (n - int(above.sum())) * float(y[tied].mean())
    return churned / n / base


def measure(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """ROC AUC, PR AUC, Brier score and lift at 10 % of scores against labels."""
    return {
        "roc_auc": float(roc_auc_score(y, score)),
        "pr_auc": float(average_precision_score(y, score)),
        "brier": float(brier_score_loss(y, np.clip(score, 0, 1))),
        "lift_at_10pct": lift_at(y, score),
    }


def calibration(y: np.ndarray, score: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Per decile of predicted probability: rows, mean prediction, observed churn rate."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(score, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        rows = which == b
        if rows.any():
            out.append(
                {
                    "bin_low": float(edges[b]),
                    "bin_high": float(edges[b + 1]),
                    "rows": int(rows.sum()),
                    "mean_predicted": float(score[rows].mean()),
                    "observed_rate": float(y[rows].mean()),
                }
            )
    return out


def train(frame: pd.DataFrame) -> Result:
    """Fit both pipelines on the training cutoffs and measure them and the baselines."""
    parts = split(frame)
    y_train = parts.train[LABEL].to_numpy()
    y_test = parts.test[LABEL].to_numpy()
    fitted = {name: pipe.fit(parts.train[FEATURES], y_train) for name, pipe in pipelines().items()}
    scores = {name: pipe.predict_proba(parts.test[FEATURES])[:, 1] for name, pipe in fitted.items()}
    scores["majority_class"] = np.full(len(y_test), float(round(y_train.mean())))
    recency = Pipeline([("model", LogisticRegression(max_iter=1000, random_state=SEED))]).fit(
        parts.train[["days_since_last_order"]], y_train
    )
    scores["recency_only"] = recency.predict_proba(parts.test[["days_since_last_order"]])[:, 1]
    metrics = {name: measure(y_test, score) for name, score in scores.items()}
    chosen = max(fitted, key=lambda n: metrics[n]["roc_auc"])
    return Result(
        parts,
        metrics,
        calibration(y_test, scores[chosen]),
        chosen,
        fitted[chosen],
        intervals(parts.test, {n: scores[n] for n in (*fitted, "recency_only")}, chosen),
        by_region(parts.test, scores[chosen]),
    )


def intervals(
    test: pd.DataFrame, scores: dict[str, np.ndarray], chosen: str, seed: int = SEED
) -> dict[str, dict[str, float]]:
    """Percentile intervals (COVERAGE) of each held-out ROC AUC and of the chosen model's margin
    over recency only, from BOOTSTRAP resamples of the held-out *customers* (a customer's rows at
    both held-out cutoffs are drawn together: they are not independent). A resample is a weight
    per row (how often its customer was drawn); one holding one class only is left out."""
    y = test[LABEL].to_numpy().astype(bool)
    _, customer = np.unique(test["customer_id"].to_numpy(), return_inverse=True)
    customers = int(customer.max()) + 1
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, customers, (BOOTSTRAP, customers))
    counts = np.stack([np.bincount(row, minlength=customers) for row in drawn])
    weights = counts[:, customer].astype(float)
    both = (weights[:, y].sum(axis=1) > 0) & (weights[:, ~y].sum(axis=1) > 0)
    aucs = {name: weighted_auc(y, score, weights[both]) for name, score in scores.items()}
    tail = (1 - COVERAGE) / 2 * 100
    out = {}
    for name, values in aucs.items():
        low, high = np.percentile(values, [tail, 100 - tail])
        out[name] = {"low": float(low), "high": float(high)}
    low, high = np.percentile(aucs[chosen] - aucs["recency_only"], [tail, 100 - tail])
    estimate = roc_auc_score(y, scores[chosen]) - roc_auc_score(y, scores["recency_only"])
    out["margin_over_recency"] = {
        "estimate": float(estimate),
        "low": float(low),
        "high": float(high),
    }
    return out


def weighted_auc(y: np.ndarray, score: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC of `score` against boolean labels `y` under each row of `weights` (resamples x
    rows): the weighted share of (churned, not churned) pairs ranked right, ties counting half,
    as roc_auc_score counts them."""
    order = np.argsort(score, kind="stable")
    ranked, y, weights = score[order], y[order], weights[:, order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])  # one bin per distinct score
    positive = np.add.reduceat(weights * y, starts, axis=1)
    negative = np.add.reduceat(weights * ~y, starts, axis=1)
    below = np.cumsum(negative, axis=1) - negative
    right = (positive * (below + negative / 2)).sum(axis=1)
    return right / (positive.sum(axis=1) * negative.sum(axis=1))


def by_region(test: pd.DataFrame, score: np.ndarray) -> list[dict[str, Any]]:
    """Per region of the held-out period: rows, churn rate and the model's ROC AUC (None where
    the region's rows hold one class only, so no AUC exists)."""
    out = []
    regions = test["region_name"].fillna("(none)").to_numpy()
    y = test[LABEL].to_numpy()
    for region in sorted(set(regions)):
        rows = regions == region
        auc = roc_auc_score(y[rows], score[rows]) if len(np.unique(y[rows])) == 2 else None
        out.append(
            {
                "region_name": str(region),
                "rows": int(rows.sum()),
                "churn_rate": float(y[rows].mean()),
                "roc_auc": None if auc is None else float(auc),
            }
        )
    return out


def shuffled_label_auc(frame: pd.DataFrame, seed: int = SEED) -> float:
    """Held-out ROC AUC of the chosen kind of model trained on permuted labels (should be ~0.5)."""
    parts = split(frame)
    rng = np.random.default_rng(seed)
    y_train = rng.permutation(parts.train[LABEL].to_numpy())
    pipe = pipelines()["gradient_boosting"].fit(parts.train[FEATURES], y_train)
    return float(roc_auc_score(parts.test[LABEL], pipe.predict_proba(parts.test[FEATURES])[:, 1]))


def write_predictions(database: Path, frame: pd.DataFrame, result: Result) -> int:
    """Score every row (labelled or not) and replace `ml.churn_predictions`."""
    scores = result.model.predict_proba(frame[FEATURES])[:, 1]
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype("int64"),
            "cutoff_date": pd.to_datetime(frame["cutoff_date"]).dt.date,
            "churn_probability": scores.astype("float64"),
            "model_name": result.chosen,
            "is_held_out": frame["cutoff_date"]
            .astype(str)
            .str[:10]
            .isin(result.split.test_cutoffs),
        }
    )
    out["scored_at"] = pd.Timestamp.now(tz="UTC").floor("s").tz_localize(None)
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists ml")
        con.register("predictions", out)
        con.execute(f"create or replace table {PREDICTIONS_TABLE} as select * from predictions")
    return len(out)


def metrics_document(result: Result) -> dict[str, Any]:
    """What metrics.json holds (and the model card shows)."""
    return {
        "chosen_model": result.chosen,
        "train_cutoffs": result.split.train_cutoffs,
        "test_cutoffs": result.split.test_cutoffs,
        "train_rows": len(result.split.train),
        "test_rows": len(result.split.test),
        "test_churn_rate": float(result.split.test[LABEL].mean()),
        "metrics": result.metrics,
        "calibration": result.calibration,
        "intervals": result.intervals,
        "coverage": COVERAGE,
        "bootstrap": BOOTSTRAP,
        "regions": result.regions,
        "features": FEATURES,
        "seed": SEED,
    }


def write_model(folder: Path, result: Result, doc: dict[str, Any]) -> None:
    """model.pkl and metrics.json into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.pkl").write_bytes(pickle.dumps(result.model))
    (folder / "metrics.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
