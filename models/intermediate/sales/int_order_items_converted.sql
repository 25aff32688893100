{#-
    Order lines with their amount in the order currency and in USD.
    line_amount = quantity * unit_price - discount_amount (order currency);
    line_amount_usd = line_amount * the monthly rate of the order's calendar month (FX seed),
    rounded to cents. Lines whose order is quarantined have no currency and are left out here;
    the relationships test on stg_shop__order_items counts them.
-#}
with

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates_monthly') }}
),

joined as (
    select
        order_items.order_id,
        order_items.line_number,
        order_items.product_id,
        order_items.quantity,
        order_items.unit_price,
        order_items.discount_amount,
        orders.currency_code,
        orders.ordered_at,
        fx_rates.usd_per_unit
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join fx_rates
        on
            orders.currency_code = fx_rates.currency_code
            and cast(date_trunc('month', orders.ordered_at) as date) = fx_rates.month
),

final as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        currency_code,
        ordered_at,
        usd_per_unit,
        cast(quantity * unit_price - discount_amount as decimal(18, 2)) as line_amount,
        cast(round((quantity * unit_price - discount_amount) * usd_per_unit, 2) as decimal(18, 2))
            as line_amount_usd
    from joined
)

select * from final
