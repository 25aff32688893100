{#-
    The sales report holds every non-cancelled order exactly once: per day, its order count and
    net revenue equal those of fct_orders. Returns the days that disagree.
-#}
with

report as (
    select
        order_date,
        sum(order_count) as order_count,
        sum(net_revenue_usd) as net_revenue_usd
    from {{ ref('rpt_sales_daily') }}
    group by order_date
),

orders as (
    select
        order_date,
        count(*) as order_count,
        sum(net_revenue_usd) as net_revenue_usd
    from {{ ref('fct_orders') }}
    where not is_cancelled
    group by order_date
),

final as (
    select
        coalesce(report.order_date, orders.order_date) as order_date,
        report.order_count as report_order_count,
        orders.order_count as fct_order_count,
        report.net_revenue_usd as report_net_revenue_usd,
        orders.net_revenue_usd as fct_net_revenue_usd
    from report
    full outer join orders
        on report.order_date = orders.order_date
    where
        report.order_count is distinct from orders.order_count
        or report.net_revenue_usd is distinct from orders.net_revenue_usd
)

select * from final
