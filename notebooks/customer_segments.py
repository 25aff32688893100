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
# # Customer segments
#
# Recency, frequency and monetary value (RFM) per customer, as one principal sees them, then
# k-means segments: k is chosen by the silhouette score, and each segment is described.

# %% tags=["parameters"]
PRINCIPAL = "alice@example.com"
EXTRACT = None  # file name (in $LAKESIGHT_EXTRACTS) or path; None builds it from the warehouse

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import display
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from lakesight.consume.notebooks.data import open_extract

sns.set_theme(style="whitegrid")
con = open_extract(PRINCIPAL, EXTRACT)
rfm = con.sql(
    "select customer_id, region_name, segment, recency_days, frequency, monetary_usd"
    " from customer_rfm"
).df()
con.close()
print(f"{len(rfm):,} customers visible to {PRINCIPAL}")

# %% [markdown]
# ## The features
#
# Frequency and monetary value are heavily skewed (a few customers order often and spend a
# lot), so k-means — which measures plain distances — sees them through `log1p`, and every
# feature is standardised so that no unit dominates.

# %%
FEATURES = ["recency_days", "frequency", "monetary_usd"]
#: k-means needs a handful of customers per segment to say anything
MIN_CUSTOMERS = 20
enough = len(rfm) >= MIN_CUSTOMERS
if enough:
    display(rfm[FEATURES].describe().T)
    transformed = np.column_stack(
        [rfm["recency_days"], np.log1p(rfm["frequency"]), np.log1p(rfm["monetary_usd"])]
    )
    scaled = StandardScaler().fit_transform(transformed)
else:
    print(f"{PRINCIPAL} sees {len(rfm)} customers, fewer than {MIN_CUSTOMERS}: no segments.")

# %% [markdown]
# ## Choosing k
#
# The silhouette score compares each customer's distance to its own segment with the distance
# to the nearest other one (1: well separated, 0: on a border). k runs from 2 to 6, each
# fit seeded (`random_state=0`, 10 starts); the k with the highest score is kept.

# %%
if enough:
    scores = {}
    for k in range(2, 7):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(scaled)
        scores[k] = silhouette_score(
            scaled, labels, sample_size=min(len(scaled), 5000), random_state=0
        )
    best_k = max(scores, key=scores.get)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(list(scores), list(scores.values()), marker="o")
    ax.axvline(best_k, color="#c44e52", linestyle="--")
    ax.set(title="Silhouette score by k", xlabel="k", ylabel="silhouette")
    plt.tight_layout()
    plt.show()
    print(f"chosen k = {best_k} (silhouette {scores[best_k]:.3f})")
    # Kaufman and Rousseeuw's reading of an average silhouette: above 0.7 strong, 0.5-0.7
    # reasonable, 0.25-0.5 weak (the groups overlap), below 0.25 no substantial structure
    if scores[best_k] < 0.5:
        print(
            f"A silhouette of {scores[best_k]:.3f} is weak: the segments overlap. Read them as"
            " ranges along recency, frequency and spend, not as distinct kinds of customer."
        )

# %% [markdown]
# ## The segments
#
# Each segment's size and its mean recency, frequency and spend, named by how it compares with
# all the principal's customers: recent or lapsed (days since the last order below or above the
# mean), frequent or occasional, high or low spend.


# %%
def segment_name(means: pd.Series, overall: pd.Series) -> str:
    return ", ".join(
        [
            "recent" if means["recency_days"] <= overall["recency_days"] else "lapsed",
            "frequent" if means["frequency"] >= overall["frequency"] else "occasional",
            ("high" if means["monetary_usd"] >= overall["monetary_usd"] else "low") + " spend",
        ]
    )


if enough:
    model = KMeans(n_clusters=best_k, n_init=10, random_state=0).fit(scaled)
    rfm["segment_id"] = model.labels_
    profile = (
        rfm.groupby("segment_id")[FEATURES]
        .mean()
        .join(rfm.groupby("segment_id").size().rename("customers"))
        .sort_values("monetary_usd", ascending=False)
    )
    overall = rfm[FEATURES].mean()
    names: dict[int, str] = {}
    for segment, means in profile.iterrows():
        name = segment_name(means, overall)
        taken = sum(existing.split(" (")[0] == name for existing in names.values())
        names[segment] = f"{name} ({taken + 1})" if taken else name
    profile.insert(0, "segment", profile.index.map(names))
    rfm["segment"] = rfm["segment_id"].map(names)
    display(profile.set_index("segment").round(1))
    assert profile["customers"].sum() == len(rfm)
    fig, ax = plt.subplots(figsize=(7, 5))
    sns.scatterplot(
        data=rfm,
        x="recency_days",
        y="monetary_usd",
        hue="segment",
        hue_order=list(profile["segment"]),
        palette="deep",
        s=18,
        ax=ax,
    )
    ax.set(
        yscale="log",
        title="Segments: recency against spend",
        xlabel="days since the last order",
        ylabel="spend (USD, log)",
    )
    plt.tight_layout()
    plt.show()
