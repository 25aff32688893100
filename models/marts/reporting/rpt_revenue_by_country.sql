{#-
    Revenue by shipping country (QuickSight geospatial / filled map): one row per country with
    orders, keyed by ISO 3166-1 alpha-2, alpha-3 and numeric (the key of Natural Earth / world-atlas
    shapes). Orders that were not cancelled.
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
        geography.country_code,
        geography.country_code_alpha3,
        geography.country_numeric,
        geography.country_name,
        geography.region_name,
        cast(count(*) as integer) as order_count,
        cast(count(distinct orders.customer_id) as integer) as customer_count,
        cast(sum(orders.gross_revenue_usd) as decimal(18, 2)) as gross_revenue_usd,
        cast(sum(orders.net_revenue_usd) as decimal(18, 2)) as net_revenue_usd
    from orders
    inner join geography
        on orders.country_code = geography.country_code
    group by
        geography.country_code,
        geography.country_code_alpha3,
        geography.country_numeric,
        geography.country_name,
        geography.region_name
)

select * from final
