{#-
    Revenue against target (QuickSight KPI / gauge): one row per month and UN M49 region.
    Targets in the seed are set for a lake of scale 1 (about 1,000,000 order lines a year);
    they are multiplied by the lake's scale so attainment means the same at any scale.
    Cancelled orders are left out; months without a target are not reported.
-#}
with

sales as (
    select * from {{ ref('rpt_sales_daily') }}
),

targets as (
    select * from {{ ref('ref_sales_targets_monthly') }}
),

lake as (
    select * from {{ ref('stg_lake__manifest') }}
),

scaled_targets as (
    select
        targets.month,
        targets.region_name,
        targets.target_revenue_usd * lake.lake_scale as target_revenue_usd
    from targets
    cross join lake
    where
        targets.month >= cast({{ dbt.date_trunc('month', 'lake.lake_start_date') }} as date)
        and targets.month < lake.lake_start_date + lake.lake_days
),

monthly_sales as (
    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        region_name,
        sum(order_count) as order_count,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(net_revenue_usd) as net_revenue_usd
    from sales
    group by 1, 2
),

final as (
    select
        scaled_targets.month as month_start_date,
        scaled_targets.region_name,
        cast(coalesce(monthly_sales.order_count, 0) as integer) as order_count,
        cast(coalesce(monthly_sales.gross_revenue_usd, 0) as decimal(18, 2)) as gross_revenue_usd,
        cast(coalesce(monthly_sales.net_revenue_usd, 0) as decimal(18, 2)) as net_revenue_usd,
        cast(round(scaled_targets.target_revenue_usd, 2) as decimal(18, 2)) as target_revenue_usd,
        cast(
            round(coalesce(monthly_sales.net_revenue_usd, 0) / nullif(scaled_targets.target_revenue_usd, 0), 4)
            as decimal(10, 4)
        ) as target_attainment
    from scaled_targets
    left join monthly_sales
        on
            scaled_targets.month = monthly_sales.month_start_date
            and scaled_targets.region_name = monthly_sales.region_name
)

select * from final
