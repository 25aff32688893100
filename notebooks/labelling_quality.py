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
# # Labelling quality
#
# SageMaker Ground Truth labels reviews in two ways: automated labelling keeps the model's label
# when its confidence is high enough, and people label the rest. This notebook reads the
# per-job, per-day quality of those labels (`secure.labelling_quality`) and the threshold sweep
# (`secure.labelling_threshold_sweep`): how many items were labelled automatically, how
# confident the auto labels were, how often they agree with people, what that saved, and what
# raising the confidence threshold would trade.

# %% tags=["parameters"]
PRINCIPAL = "alice@example.com"
EXTRACT = None  # file name (in $LAKESIGHT_EXTRACTS) or path; None builds it from the warehouse

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import display

from lakesight.consume.notebooks.data import headline, open_extract

sns.set_theme(style="whitegrid")
con = open_extract(PRINCIPAL, EXTRACT)
daily = con.sql("select * from labelling_quality order by labelling_job_name, labelled_date").df()
sweep = con.sql(
    "select * from labelling_threshold_sweep order by labelling_job_name, confidence_threshold"
).df()
# the headline figures are the semantic layer's metrics, as on every dashboard page
figures = headline(con, "labelled_items", "auto_label_share")
con.close()
print(f"{len(daily):,} job days visible to {PRINCIPAL}")
if figures.get("labelled_items"):
    print(
        f"labelled items {figures['labelled_items']:,.0f}"
        f" · auto-label share {figures['auto_label_share']:.1%}"
    )

# %% [markdown]
# ## Per job
#
# Shares are recomputed from the counts (a mean of daily shares would weigh a quiet day like a
# busy one). Agreement is a **proxy**: no review carries both an auto and a human label, so an
# auto label is compared with the majority human label of the same product in the same job.

# %%
if daily.empty:
    print(f"no labelling jobs visible to {PRINCIPAL}")
else:
    daily["agreeing"] = daily["auto_human_agreement"] * daily["compared_count"]
    jobs = daily.groupby("labelling_job_name").agg(
        items=("item_count", "sum"),
        auto_labelled=("auto_labelled_count", "sum"),
        compared=("compared_count", "sum"),
        agreeing=("agreeing", "sum"),
        cost_saved_usd=("cost_saved_usd", "sum"),
        days=("labelled_date", "nunique"),
    )
    jobs["auto_share"] = jobs["auto_labelled"] / jobs["items"]
    jobs["agreement"] = jobs["agreeing"] / jobs["compared"].where(jobs["compared"] > 0)
    display(jobs.drop(columns="agreeing").round(3))
    for job, row in jobs.iterrows():
        print(
            f"{job}: {int(row['items']):,} items, {int(row['auto_labelled']):,} auto-labelled,"
            f" cost saved ${row['cost_saved_usd']:,.2f}"
        )

# %% [markdown]
# ## Week by week
#
# A job labels a few items a day, so a daily share jumps between 0 and 1 on one item. Per week
# (weeks starting on Monday): the share labelled automatically, with its 95 % Wilson interval
# (wide when the week had few items), and the range of the auto labels' confidence (the lowest
# and highest of the week) around the daily medians: a drift down in confidence shows up here
# before it shows up in cost.


# %%
def wilson(successes: pd.Series, trials: pd.Series, z: float = 1.96) -> tuple[pd.Series, pd.Series]:
    """The Wilson score interval of a share (successes of trials)."""
    share = successes / trials
    centre = (share + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z * np.sqrt(share * (1 - share) / trials + z**2 / (4 * trials**2)) / (1 + z**2 / trials)
    return centre - half, centre + half


if not daily.empty:
    daily["week"] = pd.to_datetime(daily["labelled_date"]).dt.to_period("W-SUN").dt.start_time
    weekly = (
        daily.groupby(["labelling_job_name", "week"])
        .agg(
            items=("item_count", "sum"),
            auto=("auto_labelled_count", "sum"),
            confidence_min=("confidence_min", "min"),
            confidence_max=("confidence_max", "max"),
        )
        .reset_index()
    )
    weekly["share"] = weekly["auto"] / weekly["items"]
    weekly["low"], weekly["high"] = wilson(weekly["auto"], weekly["items"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    jobs_colour = dict(
        zip(sorted(daily["labelling_job_name"].unique()), sns.color_palette(), strict=False)
    )
    for job, rows in weekly.groupby("labelling_job_name"):
        left.errorbar(
            rows["week"],
            rows["share"],
            yerr=[rows["share"] - rows["low"], rows["high"] - rows["share"]],
            marker="o",
            capsize=3,
            color=jobs_colour[job],
            label=job,
        )
        right.fill_between(
            rows["week"],
            rows["confidence_min"].astype(float),
            rows["confidence_max"].astype(float),
            alpha=0.2,
            step="mid",
            color=jobs_colour[job],
        )
    for job, rows in daily.groupby("labelling_job_name"):
        right.scatter(
            pd.to_datetime(rows["labelled_date"]),
            rows["confidence_median"],
            s=10,
            color=jobs_colour[job],
            label=job,
        )
    left.set(title="Share auto-labelled per week (95 % interval)", ylabel="share", ylim=(0, 1))
    right.set(title="Auto-label confidence: weekly range, daily medians", ylabel="confidence")
    for ax in (left, right):
        ax.tick_params(axis="x", labelrotation=45)
        ax.legend(fontsize="small")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ## The threshold trade-off
#
# Raising the confidence threshold keeps fewer auto labels (coverage falls, more items go to
# people and cost more) in exchange for accuracy. Where the accuracy curve is flat, a higher
# threshold only costs money; on this lake's proxy it is close to flat, which says as much about
# the proxy as about the labels.

# %%
if sweep.empty:
    print(f"no threshold sweep visible to {PRINCIPAL}")
else:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for index, (job, rows) in enumerate(sweep.groupby("labelling_job_name")):
        (line,) = ax.plot(rows["coverage"], rows["accuracy"], marker="o", label=job)
        # thresholds that keep the same labels share a point: one label per point, naming the
        # range of its thresholds; each job's labels on a side of its own
        points = rows.groupby(["coverage", "accuracy"])["confidence_threshold"].agg(["min", "max"])
        for (coverage, accuracy), thresholds in points.iterrows():
            low, high = float(thresholds["min"]), float(thresholds["max"])
            ax.annotate(
                f"{low:.2f}" if low == high else f"{low:.2f} to {high:.2f}",
                (coverage, accuracy),
                textcoords="offset points",
                xytext=(6, 8) if index % 2 == 0 else (6, -14),
                fontsize=8,
                color=line.get_color(),
            )
    ax.set(xlabel="coverage (auto labels kept)", ylabel="accuracy (proxy)", title="Threshold sweep")
    ax.legend(fontsize="small")
    plt.tight_layout()
    plt.show()
