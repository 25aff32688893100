{#-
    The shares of each breakdown sum to 1, and each breakdown's total equals its source: net
    revenue of non-cancelled orders (channel), captured payments (payment method).
    Returns the breakdowns that disagree.
-#}
with

shares as (
    select
        breakdown,
        sum(share_of_total) as share_total,
        sum(value_usd) as value_total
    from {{ ref('rpt_revenue_share') }}
    group by breakdown
),

sources as (
    select
        'channel' as breakdown,
        sum(net_revenue_usd) as source_total
    from {{ ref('fct_orders') }}
    where not is_cancelled
    union all
    select
        'payment_method' as breakdown,
        sum(amount_usd) as source_total
    from {{ ref('fct_payments') }}
    where event_type = 'captured'
),

final as (
    select
        sources.breakdown,
        shares.share_total,
        shares.value_total,
        sources.source_total
    from sources
    left join shares
        on sources.breakdown = shares.breakdown
    where
        (sources.source_total is not null or shares.breakdown is not null)
        and (
            shares.share_total is null
            or abs(shares.share_total - 1) > 1e-9
            or shares.value_total is distinct from sources.source_total
        )
)

select * from final
