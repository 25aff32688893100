{#-
    Order lines with their product's category levels and unit cost: the join of the order lines
    (int_order_items_converted) and the current products (stg_catalog__products) that the category
    reports (rpt_category_revenue, rpt_category_profile) share. Every order, cancelled or not: the
    reports filter on fct_orders. A line whose product is not staged is left out (the
    relationships test on stg_shop__order_items counts it).
-#}
with

order_items as (
    select * from {{ ref('int_order_items_converted') }}
),

products as (
    select * from {{ ref('stg_catalog__products') }}
),

final as (
    select
        order_items.order_id,
        order_items.line_number,
        order_items.product_id,
        order_items.quantity,
        order_items.line_amount_usd,
        products.category_level_1,
        products.category_level_2,
        products.category_level_3,
        products.unit_cost_usd
    from order_items
    inner join products
        on order_items.product_id = products.product_id
)

select * from final
