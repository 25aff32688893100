"""The secured datasets: each secure view's mart, its primary key, and where its rule columns live.

dbt needs literal `ref()`s, so models/secure/*.sql and models/audit/audit_security_matrix.py name
the same marts again; tests keep them in step with this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """The mart a secure dataset reads and its primary key; `rules_from` (joined on `rules_key`)
    when its rule columns come from another one; `region_rows` when its rows are regions, not
    countries (its scope is compared with the others region by region: security/scopes.py)."""

    table: str
    key: tuple[str, ...]
    rules_from: str | None = None
    rules_key: str | None = None
    region_rows: bool = False


#: secure dataset -> its mart, as in models/secure/<dataset>.sql (a test keeps the two in step)
TARGETS = {
    "orders": Target("fct_orders", ("order_id",)),
    "order_items": Target(
        "fct_order_items",
        ("order_id", "line_number"),
        rules_from="fct_orders",
        rules_key="order_id",
    ),
    "customers": Target("dim_customers", ("customer_id",)),
    "products": Target("dim_products", ("product_id",)),
    "sales_daily": Target("rpt_sales_daily", ("order_date", "country_code", "channel")),
    "order_value_histogram": Target(
        "rpt_order_value_histogram", ("bin_number", "country_code", "channel")
    ),
    "revenue_bridge_monthly": Target(
        "rpt_revenue_bridge_monthly", ("month_start_date", "country_code", "channel", "step_number")
    ),
    "revenue_by_country": Target("rpt_revenue_by_country", ("country_code",)),
    "customer_rfm": Target("rpt_customer_rfm", ("customer_id",)),
    "revenue_vs_target_current": Target(
        "rpt_revenue_vs_target_current", ("period", "region_name"), region_rows=True
    ),
    "customer_churn_features": Target("ml_customer_churn_features", ("customer_id", "cutoff_date")),
    "labelling_quality": Target("ml_labelling_quality", ("labelling_job_name", "labelled_date")),
    "labelling_threshold_sweep": Target(
        "ml_labelling_threshold_sweep", ("labelling_job_name", "confidence_threshold")
    ),
    "web_funnel_flows": Target(
        "rpt_web_funnel_flows", ("device_class", "source_stage", "target_stage")
    ),
    "review_terms": Target("rpt_review_terms", ("term", "sentiment")),
    "category_engagement": Target("rpt_category_engagement", ("category_level_1",)),
    "calendar": Target("dim_date", ("date_day",)),
    "geography": Target("dim_geography", ("country_code",)),
    "web_sessions": Target("fct_web_sessions", ("session_id",)),
    "revenue_vs_target_monthly": Target(
        "rpt_revenue_vs_target_monthly", ("month_start_date", "region_name"), region_rows=True
    ),
}

#: the secure datasets whose rows are regions (their rules cannot name a country)
REGION_ROWS = frozenset(name for name, target in TARGETS.items() if target.region_rows)
