{#-
    Sales over time (QuickSight line chart): one row per day, country and channel.
    Cancelled orders are left out.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
    where not is_cancelled
),

geography as (
    select * from {{ ref('dim_geography') }}
),

final as (
    select
        orders.order_date,
        orders.country_code,
        geography.region_name,
        orders.channel,
        cast(count(*) as integer) as order_count,
        cast(sum(orders.item_quantity) as bigint) as item_quantity,
        cast(sum(orders.gross_revenue_usd) as decimal(18, 2)) as gross_revenue_usd,
        cast(sum(orders.refunded_usd) as decimal(18, 2)) as refunded_usd,
        cast(sum(orders.net_revenue_usd) as decimal(18, 2)) as net_revenue_usd
    from orders
    inner join geography
        on orders.country_code = geography.country_code
    group by orders.order_date, orders.country_code, geography.region_name, orders.channel
)

select * from final
