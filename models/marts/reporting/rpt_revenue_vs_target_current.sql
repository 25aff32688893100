{#-
    Revenue against target for the current period (QuickSight KPI and gauge): per UN M49 region,
    the month to date and the year to date, where "current" is the newest order day in the
    warehouse (not today, so a lake built later reads the same). Targets as in
    rpt_revenue_vs_target_monthly (scaled to the lake); the month's target is prorated to the days
    elapsed, so attainment compares like with like. attainment = actual / target.
-#}
with

monthly as (
    select * from {{ ref('rpt_revenue_vs_target_monthly') }}
),

sales as (
    select * from {{ ref('rpt_sales_daily') }}
),

as_of as (
    select
        max(order_date) as as_of_date,
        cast({{ dbt.date_trunc('month', 'max(order_date)') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('year', 'max(order_date)') }} as date) as year_start_date
    from sales
),

actuals as (
    select
        sales.region_name,
        sum(sales.net_revenue_usd) filter (where sales.order_date >= as_of.month_start_date) as month_to_date_usd,
        sum(sales.net_revenue_usd) filter (where sales.order_date >= as_of.year_start_date) as year_to_date_usd
    from sales
    cross join as_of
    where sales.order_date <= as_of.as_of_date
    group by sales.region_name
),

targets as (
    select
        monthly.region_name,
        -- the current month's target, prorated to the days elapsed (the day of the month)
        sum(
            case
                when monthly.month_start_date = as_of.month_start_date
                    then monthly.target_revenue_usd
                        * day(as_of.as_of_date)
                        / day(last_day(as_of.month_start_date))
            end
        ) as month_to_date_target_usd,
        sum(
            case
                when monthly.month_start_date < as_of.month_start_date
                    and monthly.month_start_date >= as_of.year_start_date
                    then monthly.target_revenue_usd
                when monthly.month_start_date = as_of.month_start_date
                    then monthly.target_revenue_usd
                        * day(as_of.as_of_date)
                        / day(last_day(as_of.month_start_date))
            end
        ) as year_to_date_target_usd
    from monthly
    cross join as_of
    group by monthly.region_name
),

periods as (
    select
        'month_to_date' as period,
        targets.region_name,
        coalesce(actuals.month_to_date_usd, 0) as net_revenue_usd,
        targets.month_to_date_target_usd as target_revenue_usd
    from targets
    left join actuals on targets.region_name = actuals.region_name
    union all
    select
        'year_to_date' as period,
        targets.region_name,
        coalesce(actuals.year_to_date_usd, 0) as net_revenue_usd,
        targets.year_to_date_target_usd as target_revenue_usd
    from targets
    left join actuals on targets.region_name = actuals.region_name
),

final as (
    select
        periods.period,
        periods.region_name,
        as_of.as_of_date,
        cast(periods.net_revenue_usd as decimal(18, 2)) as net_revenue_usd,
        cast(round(periods.target_revenue_usd, 2) as decimal(18, 2)) as target_revenue_usd,
        cast(
            round(periods.net_revenue_usd / nullif(round(periods.target_revenue_usd, 2), 0), 4) as decimal(10, 4)
        ) as target_attainment
    from periods
    cross join as_of
    where periods.target_revenue_usd is not null
)

select * from final
