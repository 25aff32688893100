-- Net line revenue by product category and region for the last full month: the query behind a
-- category tree map. Compile with `dbt compile -s category_revenue_by_region`.
with

order_items as (
    select * from {{ ref('fct_order_items') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

geography as (
    select * from {{ ref('dim_geography') }}
),

final as (
    select
        geography.region_name,
        products.category_level_1,
        products.category_level_2,
        sum(order_items.line_amount_usd) as revenue_usd
    from order_items
    inner join orders on order_items.order_id = orders.order_id
    inner join products on order_items.product_id = products.product_id
    inner join geography on orders.country_code = geography.country_code
    where
        not orders.is_cancelled
        and order_items.order_date >= (
            select cast(date_trunc('month', max(o.order_date)) as date) - interval 1 month
            from orders as o
        )
    group by geography.region_name, products.category_level_1, products.category_level_2
)

select * from final
order by region_name asc, revenue_usd desc
