with

shipments as (
    select * from {{ ref('stg_fulfilment__shipments') }}
),

final as (
    select
        shipment_id,
        order_id,
        carrier,
        warehouse_code,
        shipped_at,
        delivered_at,
        delivered_at is not null as is_delivered,
        cast({{ dbt.datediff('shipped_at', 'delivered_at', 'second') }} / 3600.0 as decimal(10, 2)) as delivery_hours  -- noqa: LT05
    from shipments
)

select * from final
