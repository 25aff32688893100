{#-
    Payment events with their amount in USD, at the monthly rate of the paid order's calendar month
    (the same rate as the order's lines, so gross, refunds and net reconcile in USD).
-#}
with

payments as (
    select * from {{ ref('stg_payments__payments') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates_monthly') }}
),

joined as (
    select
        payments.payment_id,
        payments.order_id,
        payments.event_type,
        payments.payment_method,
        payments.event_at,
        payments.amount,
        payments.currency_code,
        fx_rates.usd_per_unit
    from payments
    inner join orders
        on payments.order_id = orders.order_id
    left join fx_rates
        on
            payments.currency_code = fx_rates.currency_code
            and cast(date_trunc('month', orders.ordered_at) as date) = fx_rates.month
),

final as (
    select
        payment_id,
        order_id,
        event_type,
        payment_method,
        event_at,
        amount,
        currency_code,
        usd_per_unit,
        cast(round(amount * usd_per_unit, 2) as decimal(18, 2)) as amount_usd
    from joined
)

select * from final
