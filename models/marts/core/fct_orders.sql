{#-
    One row per order (latest export). gross_revenue_usd = sum of its lines' line_amount_usd;
    refunded_usd = its refunds converted at the order's effective rate (gross_revenue_usd /
    gross_revenue), so a full refund nets exactly to zero despite per-line rounding;
    net_revenue_usd = gross - refunded.
    Cancelled orders stay here; the rpt_ revenue datasets leave them out.
-#}
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

order_items as (
    select * from {{ ref('int_order_items_converted') }}
),

payments as (
    select * from {{ ref('int_payments_converted') }}
),

statuses as (
    select * from {{ ref('ref_order_statuses') }}
),

order_totals as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_quantity,
        sum(line_amount) as gross_revenue,
        sum(line_amount_usd) as gross_revenue_usd
    from order_items
    group by order_id
),

refunds as (
    select
        order_id,
        sum(amount) as refunded,
        sum(amount_usd) as refunded_at_monthly_rate_usd
    from payments
    where event_type = 'refunded'
    group by order_id
),

converted as (
    select
        orders.*,
        order_totals.line_count,
        order_totals.item_quantity,
        order_totals.gross_revenue,
        order_totals.gross_revenue_usd,
        case
            when refunds.refunded is null then 0
            when coalesce(order_totals.gross_revenue, 0) = 0 then refunds.refunded_at_monthly_rate_usd
            else round(refunds.refunded * order_totals.gross_revenue_usd / order_totals.gross_revenue, 2)
        end as refunded_usd
    from orders
    left join order_totals
        on orders.order_id = order_totals.order_id
    left join refunds
        on orders.order_id = refunds.order_id
),

final as (
    select
        converted.order_id,
        converted.customer_id,
        converted.ordered_at,
        cast(converted.ordered_at as date) as order_date,
        converted.status,
        statuses.is_cancelled,
        converted.channel,
        converted.currency_code,
        converted.country_code,
        coalesce(converted.line_count, 0) as line_count,
        cast(coalesce(converted.item_quantity, 0) as bigint) as item_quantity,
        cast(coalesce(converted.gross_revenue, 0) as decimal(18, 2)) as gross_revenue,
        cast(coalesce(converted.gross_revenue_usd, 0) as decimal(18, 2)) as gross_revenue_usd,
        cast(converted.refunded_usd as decimal(18, 2)) as refunded_usd,
        cast(coalesce(converted.gross_revenue_usd, 0) - converted.refunded_usd as decimal(18, 2))
            as net_revenue_usd,
        converted.updated_at
    from converted
    inner join statuses
        on converted.status = statuses.status
)

select * from final
