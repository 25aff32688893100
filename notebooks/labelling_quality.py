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
# ## Day by day
#
# The share labelled automatically per day, and the spread of the auto labels' confidence (the
# band is the middle half, the line the median): a drift down in confidence shows up here before
# it shows up in cost.

# %%
if not daily.empty:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for job, rows in daily.groupby("labelling_job_name"):
        left.plot(rows["labelled_date"], rows["auto_labelled_share"], marker=".", label=job)
        right.fill_between(
            rows["labelled_date"],
            rows["confidence_p25"].astype(float),
            rows["confidence_p75"].astype(float),
            alpha=0.25,
        )
        right.plot(rows["labelled_date"], rows["confidence_median"], label=job)
    left.set(title="Share auto-labelled", ylabel="share of items", ylim=(0, 1))
    right.set(title="Confidence of the auto labels", ylabel="confidence")
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
    for job, rows in sweep.groupby("labelling_job_name"):
        ax.plot(rows["coverage"], rows["accuracy"], marker="o", label=job)
        for _, point in rows.iloc[::3].iterrows():
            ax.annotate(
                f"{float(point['confidence_threshold']):.2f}",
                (point["coverage"], point["accuracy"]),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=8,
            )
    ax.set(xlabel="coverage (auto labels kept)", ylabel="accuracy (proxy)", title="Threshold sweep")
    ax.legend(fontsize="small")
    plt.tight_layout()
    plt.show()
