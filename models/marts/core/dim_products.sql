with

products as (
    select * from {{ ref('stg_catalog__products') }}
),

final as (
    select
        product_id,
        sku,
        product_name,
        category_level_1,
        category_level_2,
        category_level_3,
        list_price_usd,
        unit_cost_usd,
        updated_at
    from products
)

select * from final
