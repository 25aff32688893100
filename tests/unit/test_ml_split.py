"""The churn model's time-based split (lakesight.consume.ml.train.split, docs/ml.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from lakesight.consume.ml.train import LABEL, TrainError, split


def features(months: int) -> pd.DataFrame:
    """Two customers per month start, one churned and one not, every row labelled."""
    cutoffs = pd.date_range("2025-01-01", periods=months, freq="MS")
    return pd.DataFrame(
        {
            "cutoff_date": [c for c in cutoffs for _ in (0, 1)],
            "customer_id": [i for _ in cutoffs for i in (1, 2)],
            "has_label_window": True,
            LABEL: [churned for _ in cutoffs for churned in (True, False)],
        }
    )


@pytest.mark.parametrize("held_out", [2, 3, 5, 7])
def test_the_held_out_cutoffs_are_the_last_ones_in_date_order(held_out: int) -> None:
    result = split(features(12), test_cutoffs=held_out)
    months = [f"2025-{m:02d}-01" for m in range(1, 13)]
    assert result.train_cutoffs == months[:-held_out]
    assert result.test_cutoffs == months[-held_out:]
    assert len(result.test) == 2 * held_out and len(result.train) == 2 * (12 - held_out)


def test_too_few_labelled_cutoffs_say_how_many_are_needed() -> None:
    with pytest.raises(TrainError, match="have 2 labelled cutoff"):
        split(features(2), test_cutoffs=2)
