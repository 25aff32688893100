"""The security audit matrix: per principal x secure dataset, rows visible, columns clear/masked."""

from lakesight.security.audit import Dataset, audit_rows, matrix_table
from lakesight.security.datasets import TARGETS


def model(dbt, session):
    dbt.config(materialized="table")
    secured = {
        "orders": (dbt.ref("orders"), dbt.ref("fct_orders")),
        "order_items": (dbt.ref("order_items"), dbt.ref("fct_order_items")),
        "customers": (dbt.ref("customers"), dbt.ref("dim_customers")),
        "products": (dbt.ref("products"), dbt.ref("dim_products")),
        "sales_daily": (dbt.ref("sales_daily"), dbt.ref("rpt_sales_daily")),
        "order_value_histogram": (
            dbt.ref("order_value_histogram"),
            dbt.ref("rpt_order_value_histogram"),
        ),
        "revenue_bridge_monthly": (
            dbt.ref("revenue_bridge_monthly"),
            dbt.ref("rpt_revenue_bridge_monthly"),
        ),
        "revenue_by_country": (dbt.ref("revenue_by_country"), dbt.ref("rpt_revenue_by_country")),
        "customer_rfm": (dbt.ref("customer_rfm"), dbt.ref("rpt_customer_rfm")),
        "revenue_vs_target_current": (
            dbt.ref("revenue_vs_target_current"),
            dbt.ref("rpt_revenue_vs_target_current"),
        ),
        "customer_churn_features": (
            dbt.ref("customer_churn_features"),
            dbt.ref("ml_customer_churn_features"),
        ),
        "labelling_quality": (dbt.ref("labelling_quality"), dbt.ref("ml_labelling_quality")),
        "labelling_threshold_sweep": (
            dbt.ref("labelling_threshold_sweep"),
            dbt.ref("ml_labelling_threshold_sweep"),
        ),
        "web_funnel_flows": (dbt.ref("web_funnel_flows"), dbt.ref("rpt_web_funnel_flows")),
        "review_terms": (dbt.ref("review_terms"), dbt.ref("rpt_review_terms")),
        "category_engagement": (
            dbt.ref("category_engagement"),
            dbt.ref("rpt_category_engagement"),
        ),
        "calendar": (dbt.ref("calendar"), dbt.ref("dim_date")),
        "geography": (dbt.ref("geography"), dbt.ref("dim_geography")),
        "web_sessions": (dbt.ref("web_sessions"), dbt.ref("fct_web_sessions")),
        "revenue_vs_target_monthly": (
            dbt.ref("revenue_vs_target_monthly"),
            dbt.ref("rpt_revenue_vs_target_monthly"),
        ),
    }
    policy = {
        "principals": dbt.ref("policy_principals"),
        "members": dbt.ref("policy_group_members"),
        "restricted": dbt.ref("policy_restricted_columns"),
    }
    datasets = [
        Dataset(name, view.sql_query(), base.sql_query(), TARGETS[name].key)
        for name, (view, base) in secured.items()
    ]
    seeds = {key: f"({relation.sql_query()})" for key, relation in policy.items()}
    return matrix_table(audit_rows(session, datasets, seeds))
