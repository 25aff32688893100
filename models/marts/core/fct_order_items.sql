with

order_items as (
    select * from {{ ref('int_order_items_converted') }}
),

final as (
    select
        order_id,
        line_number,
        product_id,
        cast(ordered_at as date) as order_date,
        currency_code,
        quantity,
        unit_price,
        discount_amount,
        line_amount,
        usd_per_unit,
        line_amount_usd
    from order_items
)

select * from final
