"""The marts' business rules, in portable SQL (`lakesight spark validate` runs them on Spark)."""

from __future__ import annotations

import great_expectations.expectations as gxe

from lakesight.quality.suites.common import (
    Suite,
    expect,
    rows,
)

#: the newest mart date may trail the newest lake partition by this many days
MAX_LAG_DAYS = 2


def mart_suites() -> tuple[Suite, ...]:
    """The marts' business rules (portable SQL: `lakesight spark validate` runs them on Spark)."""
    return (
        Suite(
            "marts.fct_orders",
            "marts",
            "fct_orders",
            (
                expect("critical", gxe.ExpectTableRowCountToBeBetween, min_value=1),
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="gross_revenue_usd",
                    min_value=0,
                ),
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="net_revenue_usd",
                    min_value=0,
                ),
                rows(
                    "critical",
                    "fct_orders.gross_revenue_usd equals the sum of its fct_order_items"
                    ".line_amount_usd",
                    """
                    select order_id, gross_revenue_usd, coalesce(items_usd, 0) as items_usd
                    from {batch}
                    left join (
                        select order_id, sum(line_amount_usd) as items_usd
                        from marts.fct_order_items group by order_id
                    ) as items using (order_id)
                    where abs(gross_revenue_usd - coalesce(items_usd, 0)) > 0.01
                    order by abs(gross_revenue_usd - coalesce(items_usd, 0)) desc
                    """,
                ),
                rows(
                    "critical",
                    f"the newest order date is at most {MAX_LAG_DAYS} days behind the newest"
                    " lake partition",
                    f"""
                    select max(order_date) as newest_order_date, (
                        select max(
                            try_cast(regexp_extract(_source_file, 'dt=([0-9-]+)', 1) as date)
                        )
                        from raw.raw_shop__orders
                    ) as newest_partition
                    from {{batch}}
                    having max(order_date) < newest_partition - {MAX_LAG_DAYS}
                    """,
                ),
            ),
        ),
        Suite(
            "marts.fct_order_items",
            "marts",
            "fct_order_items",
            (
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="line_amount_usd",
                    min_value=0,
                ),
                expect(
                    "critical", gxe.ExpectColumnValuesToBeBetween, column="quantity", min_value=1
                ),
            ),
        ),
        Suite(
            "marts.fct_payments",
            "marts",
            "fct_payments",
            (
                expect(
                    "critical", gxe.ExpectColumnValuesToBeBetween, column="amount_usd", min_value=0
                ),
                rows(
                    "critical",
                    "every order's refunds are at most its captures",
                    """
                    select order_id,
                        sum(amount_usd) filter (where event_type = 'captured') as captured_usd,
                        sum(amount_usd) filter (where event_type = 'refunded') as refunded_usd
                    from {batch}
                    group by order_id
                    having coalesce(sum(amount_usd) filter (where event_type = 'refunded'), 0)
                        > coalesce(sum(amount_usd) filter (where event_type = 'captured'), 0)
                    order by refunded_usd - coalesce(captured_usd, 0) desc
                    """,
                ),
            ),
        ),
        Suite(
            "marts.fct_shipments",
            "marts",
            "fct_shipments",
            (
                rows(
                    "critical",
                    "every shipment is delivered after it was shipped",
                    "select shipment_id, shipped_at, delivered_at from {batch}"
                    " where delivered_at < shipped_at order by shipped_at - delivered_at desc",
                ),
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="delivery_hours",
                    min_value=0,
                    max_value=24 * 60,
                ),
            ),
        ),
        Suite(
            "marts.fct_web_sessions",
            "marts",
            "fct_web_sessions",
            (
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="duration_seconds",
                    min_value=0,
                    max_value=24 * 3600,
                ),
                expect(
                    "critical", gxe.ExpectColumnValuesToBeBetween, column="page_views", min_value=1
                ),
                expect(
                    "warning",
                    gxe.ExpectColumnMeanToBeBetween,
                    column="duration_seconds",
                    min_value=1,
                    max_value=3600,
                ),
            ),
        ),
        Suite(
            "marts.rpt_sales_daily",
            "marts",
            "rpt_sales_daily",
            (
                expect(
                    "critical",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="gross_revenue_usd",
                    min_value=0,
                ),
                rows(
                    "critical",
                    "net revenue is gross revenue less refunds",
                    "select * from {batch}"
                    " where net_revenue_usd <> gross_revenue_usd - refunded_usd",
                ),
            ),
        ),
        Suite(
            "marts.rpt_revenue_vs_target_monthly",
            "marts",
            "rpt_revenue_vs_target_monthly",
            (
                expect(
                    "warning",
                    gxe.ExpectColumnValuesToBeBetween,
                    column="target_attainment",
                    min_value=0,
                    max_value=5,
                ),
            ),
        ),
        Suite(
            "intermediate.int_review_labels_resolved",
            "intermediate",
            "int_review_labels_resolved",
            (
                rows(
                    "warning",
                    "the share of auto-labelled reviews is between 20% and 95%",
                    """
                    select avg(case when is_human_annotated then 0 else 1 end) as auto_share
                    from {batch}
                    having count(*) > 0 and (auto_share < 0.2 or auto_share > 0.95)
                    """,
                ),
            ),
        ),
    )
