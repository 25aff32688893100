"""ML marts and the churn model (docs/ml.md): point-in-time features, labels, honesty of the model.

One shared build of a 270-day lake (labels need 90 days of future data; the time split needs
at least three labelled month-start cutoffs).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from lakesight.consume.ml import train
from lakesight.security.access import connect_confined
from lakesight.security.extracts import extract_file
from tests.support.warehouse import CHROMIUM, REPO, Warehouse, lakesight, offline_page

SCREENSHOTS = REPO / "target" / "screenshots"
CARD = Path("card") / "churn_model.html"
ML_LAKE = ("--scale", "0.005", "--start", "2025-01-01", "--days", "270", "--seed", "7")


@pytest.fixture(scope="module")
def ml_built(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("ml")
    lakesight("lake", "generate", *ML_LAKE, "--lake", str(root / "lake"))
    warehouse = Warehouse(root, root / "lake")
    # the secure views too: the churn notebook reads its principal's extract
    warehouse.build("--exclude", "path:models/audit")
    return warehouse


def test_features_read_no_event_after_the_cutoff(ml_built: Warehouse) -> None:
    """Recomputing recency/frequency/monetary from orders strictly before each cutoff agrees."""
    mismatches = ml_built.scalar(
        """
        with truth as (
            select f.customer_id, f.cutoff_date, count(o.order_id) as n,
                   max(o.order_date) as last_date, sum(o.gross_revenue_usd) as revenue
            from marts.ml_customer_churn_features f
            join marts.fct_orders o on o.customer_id = f.customer_id
             and o.ordered_at < cast(f.cutoff_date as timestamp)
            group by all
        )
        select count(*) from marts.ml_customer_churn_features f
        left join truth t using (customer_id, cutoff_date)
        where t.n is distinct from f.order_count
           or f.cutoff_date - t.last_date is distinct from f.days_since_last_order
           or abs(t.revenue - f.gross_revenue_usd) > 0.01
        """
    )
    assert mismatches == 0
    future_refunds = ml_built.scalar(
        """
        select count(*) from marts.ml_customer_churn_features f
        where f.refund_count > (
            select count(*) from marts.fct_payments p join marts.fct_orders o using (order_id)
            where o.customer_id = f.customer_id and p.event_type = 'refunded'
              and p.event_at < cast(f.cutoff_date as timestamp))
        """
    )
    assert future_refunds == 0


def test_labels_only_where_90_days_of_future_data_exist(ml_built: Warehouse) -> None:
    last = ml_built.scalar("select max(order_date) from marts.fct_orders")
    rows = ml_built.query(
        "select cutoff_date, bool_and(has_label_window), count(is_churned), count(*)"
        " from marts.ml_customer_churn_features group by 1 order by 1"
    )
    assert any(r[1] for r in rows) and any(not r[1] for r in rows)
    for cutoff, window, labelled, total in rows:
        assert window == ((cutoff - last).days <= -90)
        assert labelled == (total if window else 0)


def test_labelling_quality_counts_and_sweep(ml_built: Warehouse) -> None:
    items = ml_built.scalar("select count(*) from intermediate.int_review_labels_resolved")
    assert ml_built.scalar("select sum(item_count) from marts.ml_labelling_quality") == items
    coverage = ml_built.query(
        "select labelling_job_name, coverage from marts.ml_labelling_threshold_sweep"
        " order by 1, confidence_threshold"
    )
    for job in {j for j, _ in coverage}:
        values = [c for j, c in coverage if j == job]
        assert values == sorted(values, reverse=True)


@pytest.fixture(scope="module")
def trained(ml_built: Warehouse) -> tuple[object, object]:
    frame = train.read_features(ml_built.database)
    return frame, train.train(frame)


def test_model_beats_baselines_on_held_out_period(trained: tuple[object, object]) -> None:
    """Stated margins: ROC AUC at least 0.15 above majority class and 0.03 above recency only."""
    _, result = trained
    m = result.metrics  # type: ignore[attr-defined]
    best = m[result.chosen]["roc_auc"]  # type: ignore[attr-defined]
    assert best >= m["majority_class"]["roc_auc"] + 0.15
    assert best >= m["recency_only"]["roc_auc"] + 0.03
    assert result.split.train["cutoff_date"].max() < result.split.test["cutoff_date"].min()  # type: ignore[attr-defined]


def test_shuffled_labels_give_chance_auc(trained: tuple[object, object]) -> None:
    frame, _ = trained
    assert abs(train.shuffled_label_auc(frame) - 0.5) < 0.1  # type: ignore[arg-type]


def test_no_feature_is_a_function_of_the_label(trained: tuple[object, object]) -> None:
    """No single feature separates the classes perfectly on the training period."""
    _, result = trained
    part = result.split.train  # type: ignore[attr-defined]
    for column in train.NUMERIC:
        values = part[column].fillna(0).to_numpy()
        y = part[train.LABEL].to_numpy()
        assert not (values[y == 1].min() > values[y == 0].max()), column
        assert not (values[y == 1].max() < values[y == 0].min()), column
        assert abs(np.corrcoef(values, y)[0, 1]) < 0.95 if values.std() > 0 else True


@pytest.fixture(scope="module")
def trained_command(ml_built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`lakesight ml train` run on the shared build; its output folder (card in card/)."""
    out = tmp_path_factory.mktemp("ml-train")
    ml_built.lakesight("ml", "train", "--out", str(out), "--card", str(out / CARD))
    return out


def test_train_command_writes_card_and_predictions(
    ml_built: Warehouse, trained_command: Path
) -> None:
    assert "ROC AUC" in (trained_command / CARD).read_text()
    assert (trained_command / "metrics.json").exists()
    features = ml_built.scalar("select count(*) from marts.ml_customer_churn_features")
    assert ml_built.scalar("select count(*) from ml.churn_predictions") == features


def test_predictions_are_a_dbt_source_that_reproduces_the_calibration(
    ml_built: Warehouse, trained_command: Path
) -> None:
    """The analysis over source('ml', 'churn_predictions') recomputes the card's calibration."""
    ml_built.dbt("compile", "--select", "churn_calibration_from_predictions", "--quiet")
    compiled = next(
        ml_built.target.glob("compiled/*/analyses/churn_calibration_from_predictions.sql")
    )
    rows = ml_built.query(compiled.read_text())
    card = json.loads((trained_command / "metrics.json").read_text())["calibration"]
    assert [(round(r[0], 1), r[2]) for r in rows] == [
        (round(c["bin_low"], 1), c["rows"]) for c in card
    ]
    for row, expected in zip(rows, card, strict=True):
        assert row[3] == pytest.approx(expected["mean_predicted"])
        assert row[4] == pytest.approx(expected["observed_rate"])


def test_the_card_gives_intervals_and_per_region_figures_the_predictions_reproduce(
    ml_built: Warehouse, trained_command: Path
) -> None:
    """Each region's held-out ROC AUC on the card is that of the predictions table's held-out
    scores of the region's rows; every interval holds its estimate; the majority class's lift is
    1.00 (a constant score), not an artefact of how equal scores were ordered."""
    from sklearn.metrics import roc_auc_score

    doc = json.loads((trained_command / "metrics.json").read_text())
    rows = ml_built.query(
        """
        select f.region_name, f.is_churned::int, p.churn_probability
        from ml.churn_predictions as p
        join marts.ml_customer_churn_features as f using (customer_id, cutoff_date)
        where p.is_held_out
        """
    )
    regions = sorted({region for region, _, _ in rows})
    assert [r["region_name"] for r in doc["regions"]] == regions and len(regions) > 1
    for entry in doc["regions"]:
        y = [label for region, label, _ in rows if region == entry["region_name"]]
        score = [p for region, _, p in rows if region == entry["region_name"]]
        assert entry["rows"] == len(y)
        assert entry["roc_auc"] == pytest.approx(roc_auc_score(y, score))
    for name, interval in doc["intervals"].items():
        metrics = doc["metrics"].get(name)
        estimate = interval["estimate"] if metrics is None else metrics["roc_auc"]
        assert interval["low"] <= estimate <= interval["high"], name
    assert doc["metrics"]["majority_class"]["lift_at_10pct"] == pytest.approx(1.0)
    card = (trained_command / CARD).read_text()
    for heading in ("How sure the figures are", "By region", "Intended use", "Limitations"):
        assert f"<h2>{heading}" in card


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed")
def test_model_card_renders_offline_in_chromium(trained_command: Path) -> None:
    pytest.importorskip("playwright.sync_api")
    with offline_page(1100, 1200) as (tab, problems):
        tab.goto((trained_command / CARD).as_uri())
        for chart in ("metrics", "calibration"):
            svg = tab.locator(f"#chart-{chart} svg")
            svg.wait_for(timeout=15000)
            assert svg.locator("path").count() > 3, chart
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "ml-churn_model_card.png"), full_page=True)
    assert problems == []


def test_the_churn_notebook_trains_on_its_principals_rows_only(
    ml_built: Warehouse, tmp_path: Path
) -> None:
    """bob sees US and CA: the notebook's held-out AUC is that of a model fitted on those rows."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(REPO / "notebooks" / "churn_model.py", folder)
    bob, extracts = "bob@example.com", tmp_path / "extracts"
    ml_built.lakesight(
        "notebooks", "build", "--as", bob, "--notebooks", str(folder),
        "--out", str(tmp_path / "out"), "--extracts", str(extracts),
    )  # fmt: skip
    with connect_confined(extracts / extract_file(bob)) as con:
        frame = con.sql("select * from customer_churn_features").df()
    assert len(frame) > 0 and set(frame["country_code"]) <= {"US", "CA"}
    assert len(frame) < ml_built.scalar("select count(*) from marts.ml_customer_churn_features")
    expected = train.train(frame)
    html = next((tmp_path / "out").glob("*/churn_model.html")).read_text(encoding="utf-8")
    auc = expected.metrics[expected.chosen]["roc_auc"]
    assert f"{len(frame):,} feature rows of {frame['customer_id'].nunique():,} customers" in html
    assert f"held-out ROC AUC of {expected.chosen}: {auc:.3f}" in html
    assert html.count("<img") >= 2  # calibration and gains; permutation importance
