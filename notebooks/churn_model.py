# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Churn model
#
# Will a customer order again within 90 days? The churn features of the customers one principal
# may see (`secure.customer_churn_features`: one row per customer and monthly cutoff, every
# feature from before the cutoff), the same pipelines as `lakesight ml train` fitted on **those
# rows only**, and an honest look at the result: baselines, calibration, lift, what the model
# uses, and what it scores with shuffled labels.

# %% tags=["parameters"]
PRINCIPAL = "alice@example.com"
EXTRACT = None  # file name (in $LAKESIGHT_EXTRACTS) or path; None builds it from the warehouse

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import display
from sklearn.inspection import permutation_importance

from lakesight.consume.ml import TrainError
from lakesight.consume.ml.train import FEATURES, LABEL, SEED, shuffled_label_auc, train
from lakesight.consume.notebooks.data import open_extract

sns.set_theme(style="whitegrid")
con = open_extract(PRINCIPAL, EXTRACT)
features = con.sql("select * from customer_churn_features order by cutoff_date, customer_id").df()
con.close()
print(
    f"{len(features):,} feature rows of {features['customer_id'].nunique():,} customers"
    f" visible to {PRINCIPAL}"
)

# %% [markdown]
# ## A time-based split
#
# A random split would let the model learn from cutoffs later than the ones it is tested on.
# Here the last two cutoffs that have 90 days of future data are the held-out period and the
# earlier ones train; rows without a label window are the ones to score, not to learn from.

# %%
result = None
if features.empty:
    print(f"no model for {PRINCIPAL}: no churn feature rows are visible")
else:
    try:
        result = train(features)
    except TrainError as refused:
        print(f"no model for {PRINCIPAL}: {refused}")
if result is not None:
    parts = result.split
    print(f"train cutoffs: {', '.join(parts.train_cutoffs)} ({len(parts.train):,} rows)")
    print(f"held-out cutoffs: {', '.join(sorted(parts.test_cutoffs))} ({len(parts.test):,} rows)")
    print(f"held-out churn rate: {parts.test[LABEL].mean():.1%}")

# %% [markdown]
# ## Against the baselines
#
# A model earns its place only by beating what needs no model: always predicting the majority
# class (ROC AUC 0.5 by construction) and a logistic regression on recency alone. PR AUC is
# compared with the churn rate, its own no-skill level; the Brier score is the mean squared
# error of the probabilities (lower is better).

# %%
if result is not None:
    metrics = pd.DataFrame(result.metrics).T.sort_values("roc_auc", ascending=False)
    display(metrics.round(3))
    chosen = result.metrics[result.chosen]
    print(f"held-out ROC AUC of {result.chosen}: {chosen['roc_auc']:.3f}")
    margin = chosen["roc_auc"] - result.metrics["recency_only"]["roc_auc"]
    print(f"margin over recency only: {margin:+.3f}")

# %% [markdown]
# ## Calibration and lift
#
# Left: per decile of predicted probability, the churn rate observed — on the diagonal the
# probabilities can be taken at their word. Right: the cumulative share of churners found when
# customers are contacted in the model's order, against contacting them at random.

# %%
if result is not None:
    calibration = pd.DataFrame(result.calibration)
    test = result.split.test
    y = test[LABEL].to_numpy()
    score = result.model.predict_proba(test[FEATURES])[:, 1]
    order = np.argsort(-score, kind="stable")
    gains = np.cumsum(y[order]) / max(1, y.sum())
    contacted = np.arange(1, len(y) + 1) / len(y)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    left.plot(
        calibration["mean_predicted"],
        calibration["observed_rate"],
        marker="o",
        label=result.chosen,
    )
    left.set(xlabel="mean predicted probability", ylabel="observed churn rate", title="Calibration")
    left.legend()
    right.plot(contacted, gains, label=result.chosen)
    right.plot([0, 1], [0, 1], color="grey", linestyle="--", label="random order")
    right.axvline(0.1, color="tab:red", linewidth=0.8)
    right.set(
        xlabel="share of customers contacted", ylabel="share of churners found", title="Gains"
    )
    right.legend()
    plt.tight_layout()
    plt.show()
    print(f"lift at 10 %: {chosen['lift_at_10pct']:.2f}")

# %% [markdown]
# ## What the model uses
#
# Permutation importance on the held-out period: how much ROC AUC drops when one feature's
# values are shuffled (5 repeats, seeded). It measures what this fitted model relies on, not
# what causes churn.

# %%
if result is not None:
    importance = permutation_importance(
        result.model,
        test[FEATURES],
        y,
        scoring="roc_auc",
        n_repeats=5,
        random_state=SEED,
    )
    ranked = (
        pd.Series(importance.importances_mean, index=FEATURES).sort_values(ascending=False).head(10)
    )
    fig, ax = plt.subplots(figsize=(7, 3.8))
    sns.barplot(x=ranked.to_numpy(), y=ranked.index, ax=ax, color="tab:blue")
    ax.set(xlabel="drop in held-out ROC AUC", ylabel="", title="Permutation importance (top 10)")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ## Shuffled labels
#
# The same gradient-boosted pipeline trained on permuted labels must score about 0.5 on the
# held-out period: if it does better, something in the features or the split leaks the answer.

# %%
if result is not None:
    print(f"ROC AUC with shuffled labels: {shuffled_label_auc(features):.3f}")
