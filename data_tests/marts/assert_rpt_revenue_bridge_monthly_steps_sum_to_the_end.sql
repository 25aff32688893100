{#-
    The revenue bridge adds up: for every month, country and channel, start + new + returning +
    lost + refunds = end exactly, the running total after the refunds step is the end, the end is
    the month's net revenue in rpt_sales_daily, and the start is the previous month's end.
    Returns the rows that disagree.
-#}
with

bridge as (
    select * from {{ ref('rpt_revenue_bridge_monthly') }}
),

daily as (
    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        country_code,
        channel,
        net_revenue_usd
    from {{ ref('rpt_sales_daily') }}
),

sales as (
    select
        month_start_date,
        country_code,
        channel,
        sum(net_revenue_usd) as net_revenue_usd
    from daily
    group by month_start_date, country_code, channel
),

pivoted as (
    select
        month_start_date,
        country_code,
        channel,
        sum(amount_usd) filter (where step = 'start') as start_usd,
        sum(amount_usd) filter (where step in ('new', 'returning', 'lost', 'refunds')) as steps_usd,
        sum(amount_usd) filter (where step = 'end') as end_usd,
        sum(running_total_usd) filter (where step = 'refunds') as after_refunds_usd,
        count(*) as step_count
    from bridge
    group by month_start_date, country_code, channel
),

final as (
    select
        pivoted.*,
        sales.net_revenue_usd as sales_net_revenue_usd,
        previous.net_revenue_usd as previous_net_revenue_usd
    from pivoted
    left join sales
        on
            pivoted.month_start_date = sales.month_start_date
            and pivoted.country_code = sales.country_code
            and pivoted.channel = sales.channel
    left join sales as previous
        on
            previous.month_start_date = cast(pivoted.month_start_date - interval 1 month as date)
            and pivoted.country_code = previous.country_code
            and pivoted.channel = previous.channel
    where
        pivoted.step_count <> 6
        or pivoted.start_usd + pivoted.steps_usd <> pivoted.end_usd
        or pivoted.after_refunds_usd <> pivoted.end_usd
        or pivoted.end_usd <> coalesce(sales.net_revenue_usd, 0)
        or pivoted.start_usd <> coalesce(previous.net_revenue_usd, 0)
)

select * from final
