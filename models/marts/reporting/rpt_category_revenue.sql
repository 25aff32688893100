{#-
    Revenue by product category (QuickSight bar chart at level 1 or 2, tree map level 1 → 2 → 3):
    one row per leaf category. Line revenue of orders that were not cancelled, in USD; refunds are
    booked per order, not per line, so this is gross revenue.
-#}
with

order_items as (
    select * from {{ ref('int_order_items_joined_to_products') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

lines as (
    select
        order_items.category_level_1,
        order_items.category_level_2,
        order_items.category_level_3,
        order_items.order_id,
        order_items.quantity,
        order_items.line_amount_usd
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    where not orders.is_cancelled
),

final as (
    select
        category_level_1,
        category_level_2,
        category_level_3,
        cast(count(distinct order_id) as integer) as order_count,
        cast(count(*) as integer) as line_count,
        cast(sum(quantity) as bigint) as item_quantity,
        cast(sum(line_amount_usd) as decimal(18, 2)) as gross_revenue_usd
    from lines
    group by category_level_1, category_level_2, category_level_3
)

select * from final
