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
# # Sales EDA
#
# Orders and daily sales as one principal sees them: the frame itself, bar chart against
# histogram, a kernel density estimate, seasonality and weekday patterns, and correlations.
# Everything reads that principal's extract (`secure.*`), never the warehouse.

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
orders = con.sql(
    "select order_id, customer_id, ordered_at, order_date, status, channel, country_code,"
    " line_count, item_quantity, gross_revenue_usd, refunded_usd, net_revenue_usd"
    " from orders where not is_cancelled"
).df()
daily = con.sql("select * from sales_daily").df()
print(f"{len(orders):,} orders visible to {PRINCIPAL}")
# the headline figures are the semantic layer's metrics, as on every dashboard page
figures = headline(con, "net_revenue", "orders", "average_order_value")
if figures.get("orders"):
    print(
        f"net revenue ${figures['net_revenue']:,.0f} · orders {figures['orders']:,.0f}"
        f" · average order value ${figures['average_order_value']:,.2f}"
    )
print(f"countries: {', '.join(sorted(orders['country_code'].dropna().unique())) or 'none'}")
print(f"channels: {', '.join(sorted(orders['channel'].dropna().unique())) or 'none'}")

# %% [markdown]
# ## The DataFrame and its Series
#
# One row per order that was not cancelled. `describe()` summarises the numeric Series;
# `value_counts()` and `groupby()` answer the first questions about the categorical ones.

# %%
if orders.empty:
    print(f"{PRINCIPAL} sees no orders: the rest of this notebook has nothing to show.")
else:
    orders.info()
    display(orders.describe().T)
    display(orders["status"].value_counts().rename("orders").to_frame())
    by_channel = (
        orders.groupby("channel")["net_revenue_usd"]
        .agg(["count", "sum", "mean", "median"])
        .sort_values("sum", ascending=False)
    )
    display(by_channel)

# %% [markdown]
# ## Bar chart or histogram?
#
# They look alike and answer different questions. A **bar chart** compares a measure across
# *categories*: each bar is one channel, its height the channel's revenue, and the order of the
# bars is a choice (here: largest first). A **histogram** shows the *distribution* of one
# continuous variable: the order value is cut into bins on a number line, the bars touch, and
# the area of each bar is the share of orders in its bin — moving a bar would be wrong.

# %%
if not orders.empty:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    revenue = orders.groupby("channel")["net_revenue_usd"].sum().sort_values(ascending=False)
    left.bar(revenue.index, revenue.to_numpy(), color="#4c72b0")
    left.set(title="Bar chart: net revenue by channel", xlabel="channel", ylabel="USD")
    right.hist(orders["net_revenue_usd"], bins=30, color="#55a868", edgecolor="white")
    right.set(title="Histogram: order value", xlabel="net revenue per order (USD)", ylabel="orders")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ## Density (KDE)
#
# A kernel density estimate smooths the histogram into a curve whose area is 1, with
# Silverman's bandwidth. Order values are skewed, so the curve is drawn on a log axis too. A log
# axis has no place for 0: orders refunded in full (no net revenue) stay on the linear plot and
# are counted under the log one, not moved to a small positive value (which drew a false peak).

# %%
values = orders["net_revenue_usd"]
positive = values[values > 0]
if len(orders) >= 2 and values.nunique() > 1:
    fig, (linear, logged) = plt.subplots(1, 2, figsize=(12, 4))
    sns.histplot(values, stat="density", bins=30, color="#dddddd", ax=linear)
    sns.kdeplot(values, bw_method="silverman", ax=linear, color="#c44e52")
    linear.set(title="Order value: histogram (density) and KDE", xlabel="USD")
    if positive.nunique() > 1:
        sns.kdeplot(positive, bw_method="silverman", log_scale=True, ax=logged, color="#c44e52")
    logged.set(title="KDE on a log axis (orders with net revenue)", xlabel="USD (log)")
    plt.tight_layout()
    plt.show()
    print(f"{int((values <= 0).sum()):,} order(s) without net revenue are not on the log axis")
else:
    print("too few distinct order values for a density")

# %% [markdown]
# ## Seasonality and weekdays
#
# Net revenue per day (all the principal's regions and channels together) with its 7-day
# rolling mean, then the mean day per weekday and the total per month.

# %%
if not daily.empty:
    per_day = daily.groupby("order_date")["net_revenue_usd"].sum()
    per_day.index = pd.to_datetime(per_day.index)
    per_day = per_day.asfreq("D", fill_value=0)
    weekday = (
        per_day.groupby(per_day.index.day_name())
        .mean()
        .reindex(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
    )
    month = per_day.resample("MS").sum()
    fig, (trend, week, months) = plt.subplots(1, 3, figsize=(15, 4))
    trend.plot(per_day.index, per_day.to_numpy(), color="#bbbbbb", label="day")
    trend.plot(
        per_day.index, per_day.rolling(7).mean().to_numpy(), color="#4c72b0", label="7-day mean"
    )
    trend.set(title="Net revenue per day", ylabel="USD")
    trend.legend()
    trend.tick_params(axis="x", rotation=45)
    week.bar(weekday.index.str[:3], weekday.to_numpy(), color="#8172b3")
    week.set(title="Mean net revenue by weekday", ylabel="USD")
    months.bar(month.index.strftime("%Y-%m"), month.to_numpy(), color="#64b5cd")
    months.set(title="Net revenue by month", ylabel="USD")
    months.tick_params(axis="x", rotation=45)
    plt.tight_layout()
    plt.show()
    display(weekday.rename("mean net revenue (USD)").to_frame())
else:
    print(f"{PRINCIPAL} sees no daily sales")

# %% [markdown]
# ## Correlations
#
# Pearson correlations between the numeric measures of an order. Gross and net revenue move
# together by construction (net = gross - refunds); the interesting cells are the others.

# %%
measures = ["line_count", "item_quantity", "gross_revenue_usd", "refunded_usd", "net_revenue_usd"]
if len(orders) >= 3:
    matrix = orders[measures].astype(float).corr()
    fig, ax = plt.subplots(figsize=(6, 5))
    sns.heatmap(matrix, annot=True, fmt=".2f", vmin=-1, vmax=1, cmap="vlag", ax=ax)
    ax.set(title="Correlation of order measures")
    plt.tight_layout()
    plt.show()
    assert np.allclose(np.diag(matrix.fillna(1.0)), 1.0)
else:
    print("too few orders for correlations")

# %%
con.close()
