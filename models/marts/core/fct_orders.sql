{#-
    One row per order (latest export). gross_revenue_usd = sum of its lines' line_amount_usd;
    refunded_usd = sum of its refund events in USD; net_revenue_usd = gross - refunded.
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
        sum(amount_usd) as refunded_usd
    from payments
    where event_type = 'refunded'
    group by order_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        cast(orders.ordered_at as date) as order_date,
        orders.status,
        statuses.is_cancelled,
        orders.channel,
        orders.currency_code,
        orders.country_code,
        coalesce(order_totals.line_count, 0) as line_count,
        cast(coalesce(order_totals.item_quantity, 0) as bigint) as item_quantity,
        cast(coalesce(order_totals.gross_revenue, 0) as decimal(18, 2)) as gross_revenue,
        cast(coalesce(order_totals.gross_revenue_usd, 0) as decimal(18, 2)) as gross_revenue_usd,
        cast(coalesce(refunds.refunded_usd, 0) as decimal(18, 2)) as refunded_usd,
        cast(coalesce(order_totals.gross_revenue_usd, 0) - coalesce(refunds.refunded_usd, 0) as decimal(18, 2))
            as net_revenue_usd,
        orders.updated_at
    from orders
    inner join statuses
        on orders.status = statuses.status
    left join order_totals
        on orders.order_id = order_totals.order_id
    left join refunds
        on orders.order_id = refunds.order_id
)

select * from final
