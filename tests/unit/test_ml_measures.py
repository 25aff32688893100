"""The churn model card's measures (lakesight.consume.ml.train, docs/ml.md): lift with ties,
bootstrap intervals over customers, and the per-region table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from lakesight.consume.ml.train import LABEL, by_region, intervals, lift_at, weighted_auc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_constant_score_has_a_lift_of_one_whatever_the_order_of_the_rows(seed: int) -> None:
    y = np.random.default_rng(seed).permutation(np.array([1] * 30 + [0] * 70))
    assert lift_at(y, np.full(len(y), 0.3)) == pytest.approx(1.0)


def test_a_perfect_ranking_lifts_by_one_over_the_churn_rate() -> None:
    y = np.array([1] * 20 + [0] * 80)
    assert lift_at(y, np.linspace(1, 0, 100)) == pytest.approx(1 / 0.2)


def test_rows_tied_at_the_cut_count_in_proportion() -> None:
    # top 10 % of 20 rows = 2 places: one score above the cut (churned), then three rows tied at
    # the cut (one churned) share the last place: (1 + 1/3) / 2 churned, over a base rate of 0.25
    y = np.array([1, 1, 0, 0] + [1, 1, 1] + [0] * 13)
    score = np.array([0.9, 0.5, 0.5, 0.5] + [0.1] * 16)
    assert lift_at(y, score) == pytest.approx(((1 + 1 / 3) / 2) / (5 / 20))


def held_out(customers: int, seed: int = 7) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Two held-out rows per customer, a useful model, a noisy recency baseline."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, customers * 2)
    test = pd.DataFrame(
        {
            "customer_id": np.repeat(np.arange(customers), 2),
            LABEL: y,
            "region_name": np.where(np.arange(customers * 2) % 3 == 0, "Europe", "Americas"),
        }
    )
    chosen = y + rng.normal(0, 0.8, len(y))
    return test, {"gradient_boosting": chosen, "recency_only": y + rng.normal(0, 2, len(y))}


def test_intervals_hold_the_estimates_and_are_reproducible() -> None:
    test, scores = held_out(300)
    found = intervals(test, scores, "gradient_boosting")
    assert found == intervals(test, scores, "gradient_boosting")
    y = test[LABEL].to_numpy()
    for name, score in scores.items():
        auc = roc_auc_score(y, score)
        assert found[name]["low"] < auc < found[name]["high"], name
    margin = found["margin_over_recency"]
    expected = roc_auc_score(y, scores["gradient_boosting"]) - roc_auc_score(
        y, scores["recency_only"]
    )
    assert margin["estimate"] == pytest.approx(expected)
    assert margin["low"] < margin["estimate"] < margin["high"]


def test_intervals_narrow_with_more_customers() -> None:
    def width(customers: int) -> float:
        test, scores = held_out(customers)
        found = intervals(test, scores, "gradient_boosting")["gradient_boosting"]
        return found["high"] - found["low"]

    assert width(1000) < width(60)


def test_a_region_whose_rows_hold_one_class_has_no_auc() -> None:
    test = pd.DataFrame(
        {
            LABEL: [1, 0, 1, 0, 1, 1],
            "region_name": ["Europe"] * 4 + ["Asia Pacific"] * 2,
        }
    )
    score = np.array([0.9, 0.1, 0.4, 0.6, 0.7, 0.8])
    assert by_region(test, score) == [
        {"region_name": "Asia Pacific", "rows": 2, "churn_rate": 1.0, "roc_auc": None},
        {"region_name": "Europe", "rows": 4, "churn_rate": 0.5, "roc_auc": 0.75},
    ]


def test_the_weighted_auc_of_a_resample_is_sklearns_auc_of_the_rows_drawn() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200).astype(bool)
    score = np.round(rng.random(200), 1)  # many ties
    drawn = rng.integers(0, 200, (5, 200))
    weights = np.stack([np.bincount(row, minlength=200) for row in drawn]).astype(float)
    expected = [roc_auc_score(y[row], score[row]) for row in drawn]
    assert weighted_auc(y, score, weights) == pytest.approx(expected)
