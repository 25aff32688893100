{#-
    Share of revenue (QuickSight pie / donut): one row per part of each breakdown.
    - channel: net revenue of orders that were not cancelled, by sales channel;
    - payment_method: captured payments in USD, by payment method.
    share_of_total = value_usd / total of the breakdown, so the shares of a breakdown sum to 1.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
),

parts as (
    select
        'channel' as breakdown,
        channel as part,
        sum(net_revenue_usd) as value_usd
    from orders
    where not is_cancelled
    group by channel

    union all

    select
        'payment_method' as breakdown,
        payment_method as part,
        sum(amount_usd) as value_usd
    from payments
    where event_type = 'captured'
    group by payment_method
),

final as (
    select
        breakdown,
        part,
        cast(value_usd as decimal(18, 2)) as value_usd,
        -- rounded to 12 places: a double's last bits must not depend on the order of a parallel sum
        cast(
            round(cast(value_usd as double) / nullif(sum(value_usd) over (partition by breakdown), 0), 12) as double
        ) as share_of_total
    from parts
)

select * from final
