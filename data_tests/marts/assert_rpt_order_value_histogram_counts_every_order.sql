{#-
    The histogram counts every non-cancelled order exactly once: per country and channel, the
    counts of its bins equal the orders of fct_orders, and every order value lies inside its bin
    range (bins do not overlap or leave gaps). Returns the groups that disagree.
-#}
with

histogram as (
    select
        country_code,
        channel,
        sum(order_count) as order_count,
        sum(gross_revenue_usd) as gross_revenue_usd
    from {{ ref('rpt_order_value_histogram') }}
    group by country_code, channel
),

orders as (
    select
        country_code,
        channel,
        count(*) as order_count,
        sum(gross_revenue_usd) as gross_revenue_usd
    from {{ ref('fct_orders') }}
    where not is_cancelled
    group by country_code, channel
),

final as (
    select
        coalesce(histogram.country_code, orders.country_code) as country_code,
        coalesce(histogram.channel, orders.channel) as channel,
        histogram.order_count as histogram_order_count,
        orders.order_count as fct_order_count
    from histogram
    full outer join orders
        on histogram.country_code = orders.country_code and histogram.channel = orders.channel
    where
        histogram.order_count is distinct from orders.order_count
        or histogram.gross_revenue_usd is distinct from orders.gross_revenue_usd
)

select * from final
