with

payments as (
    select * from {{ ref('int_payments_converted') }}
),

final as (
    select
        payment_id,
        order_id,
        event_type,
        payment_method,
        event_at,
        cast(event_at as date) as event_date,
        currency_code,
        amount,
        amount_usd
    from payments
)

select * from final
